"""The analyst's workspace: reviews, accepted themes, curated links and a retrained model.

What the analyst decides is their work, not the package's, so it lives in a
folder of their own, never inside the installed package:

* ``--workspace DIR`` on the command line, else
* ``$COLLAB_GRAPH_WORKSPACE``, else
* the per-user data folder (:func:`platformdirs.user_data_dir`, e.g.
  ``~/.local/share/collab-graph`` on Linux).

The files are CSV, so an analyst can open, diff and share them:

================================  ==============================================
``reviews.csv``                   the current review of each note
``history/reviews.csv``           every review ever saved, oldest first
``themes.csv``                    themes the analyst added (columns of ``data/themes.csv``)
``organisations.csv``             organisations and aliases the analyst added
``addresses.csv``                 curated practice → barrier links added or removed
``kind-model.json``               a kind model retrained on the analyst's reviews
================================  ==============================================

**Writes never lose work.** Every change goes through :meth:`Workspace.update`
(CSV files) or :meth:`Workspace.write_text` (the model): it takes a per-file
lock (the ``filelock`` package: an OS-level ``flock``, so it holds between
processes and the kernel releases it when a process dies), removes the
temporary files a dead writer of *that* file left, re-reads the file, applies
the change, writes a temporary file beside it with the old file's permissions,
flushes it to disk and renames it over the old one (``os.replace``). Readers
therefore see the old file or the new one, never half of one; two analysts
saving at once are serialised, and neither overwrites the other. A history
(``history/reviews.csv``) is written under the same lock *before* the current
file, so a writer killed between the two never leaves a current review that
the history lacks. Rows and columns the code does not understand (an
analyst's own column, a bad row) are written back as they were read.

Why a file lock and atomic replace rather than SQLite in WAL mode: the
workspace stays a folder of plain CSV files that analysts read, edit in a
spreadsheet, diff and send to each other, and that the same line-numbered
reader checks; a database would need an export step for each of those, and an
edit in a spreadsheet would no longer be seen. The writes are small (one
analyst's decisions), so rewriting a file under a lock costs milliseconds.

Examples
--------
>>> import tempfile
>>> ws = Workspace(tempfile.mkdtemp())
>>> first = ws.update("notes.csv", lambda rows: [*rows, {"a": "1"}], header=("a",))
>>> ws.update("notes.csv", lambda rows: [*rows, {"a": "2"}], header=("a",)).read_text()
'a\\n1\\n2\\n'

A cell that a spreadsheet would run as a formula is written with a ``'`` in
front, and read back without it, however often the file is rewritten:

>>> _ = ws.update("notes.csv", lambda rows: [*rows, {"a": "-"}], header=("a",))
>>> ws.update("notes.csv", lambda rows: rows, header=("a",)).read_text()
"a\\n1\\n2\\n'-\\n"
"""

from __future__ import annotations

import csv
import glob
import io
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from collab_graph.csvfiles import FORMULA_PREFIXES, Row, csv_safe, csv_unsafe, read_csv, read_text
from collab_graph.errors import DataFileError

__all__ = ["WORKSPACE_ENV", "Workspace", "default_workspace_dir"]

#: Environment variable naming the workspace folder.
WORKSPACE_ENV = "COLLAB_GRAPH_WORKSPACE"
#: Seconds a writer waits for another writer's lock before giving up with an error.
LOCK_TIMEOUT = 60.0
_TMP_PREFIX = ".tmp-"
_TMP_HEX = 12  # hex digits of a temporary file's random part
# a row longer than its header keeps its extra cells (joined by _SEP) under _EXTRA
_EXTRA = "\0extra"
_SEP = "\0"
_RISKY = frozenset(FORMULA_PREFIXES) | {"'"}  # first characters that csv_safe may change

Record = Mapping[str, str]


def default_workspace_dir() -> Path:
    """``$COLLAB_GRAPH_WORKSPACE``, else the per-user data folder of collab-graph.

    Examples
    --------
    >>> import os
    >>> os.environ[WORKSPACE_ENV] = "/tmp/my-ws"
    >>> str(default_workspace_dir())
    '/tmp/my-ws'
    >>> del os.environ[WORKSPACE_ENV]
    """
    env = os.environ.get(WORKSPACE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("collab-graph", appauthor=False))


@dataclass(frozen=True)
class Workspace:
    """A folder of the analyst's own files (it need not exist until the first write).

    Parameters
    ----------
    root : path-like
        The folder.
    """

    root: Path

    def __init__(self, root: Path | str) -> None:
        object.__setattr__(self, "root", Path(root).expanduser())

    @classmethod
    def locate(cls, explicit: Path | str | None = None) -> Workspace:
        """The workspace named on the command line, else by the environment, else the default."""
        return cls(explicit if explicit is not None else default_workspace_dir())

    # -- where things are ----------------------------------------------------

    def path(self, name: str) -> Path:
        """The path of one workspace file (e.g. ``"reviews.csv"``)."""
        return self.root / name

    @property
    def reviews(self) -> Path:
        """The current reviews, one row per note."""
        return self.path("reviews.csv")

    @property
    def review_history(self) -> Path:
        """Every review ever saved, oldest first (a later review never erases an earlier one)."""
        return self.path("history/reviews.csv")

    @property
    def themes(self) -> Path:
        """Themes the analyst added or accepted."""
        return self.path("themes.csv")

    @property
    def organisations(self) -> Path:
        """Organisations and aliases the analyst added."""
        return self.path("organisations.csv")

    @property
    def addresses(self) -> Path:
        """Curated practice → barrier links the analyst added or removed."""
        return self.path("addresses.csv")

    @property
    def model(self) -> Path:
        """A kind model retrained on the analyst's reviews."""
        return self.path("kind-model.json")

    def files(self) -> list[Path]:
        """The workspace files that exist, sorted (their content keys the pipeline's cache)."""
        names = ("reviews.csv", "themes.csv", "organisations.csv", "addresses.csv")
        return [p for p in (*map(self.path, names), self.model) if p.is_file()]

    # -- reading ---------------------------------------------------------------

    def read(
        self,
        name: str,
        *,
        required: Sequence[str] = (),
        what: str = "workspace file",
        on_error: Callable[[DataFileError], None] | None = None,
        check: Callable[[Row], object] | None = None,
    ) -> list[Row]:
        """The rows of a workspace CSV file; a file that does not exist yet has none."""
        p = self.path(name)
        if not p.exists():
            return []
        return read_csv(p, required=required, what=what, on_error=on_error, check=check)

    # -- writing ---------------------------------------------------------------

    def lock(self, name: str) -> FileLock:
        """The inter-process lock that guards one workspace file."""
        p = self.path(name)
        p.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(p.with_name(p.name + ".lock")), timeout=LOCK_TIMEOUT)

    def update(
        self,
        name: str,
        change: Callable[[list[dict[str, str]]], Iterable[Record]],
        *,
        header: Sequence[str],
        append_to: str | None = None,
        appended: Iterable[Record] = (),
    ) -> Path:
        """Change one CSV file atomically, serialised with every other writer.

        Parameters
        ----------
        name : str
            The file, relative to the workspace.
        change : callable
            Given the current rows (dicts of the header's columns; a row that
            does not parse is kept as it was read), returns the new rows.
        header : sequence of str
            The columns to write.
        append_to : str, optional
            Another file (a history) to which ``appended`` rows are added under
            the same lock, after the main file is written.
        appended : iterable of mapping
            Rows for ``append_to``.

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        DataFileError
            When another writer holds the lock for :data:`LOCK_TIMEOUT` seconds,
            or the folder cannot be written.
        """
        target = self.path(name)
        with self._writing(name, target):
            columns, current = _plain_rows(target, header)
            rows = list(change(current))
            if append_to is not None:
                # the history first: a writer killed between the two writes leaves a
                # history that holds the new row, never a current row it lacks
                hist = self.path(append_to)
                _sweep(hist)
                extra = list(appended)
                if extra:
                    _append_atomically(hist, header, extra)
            _atomic_write(target, columns, rows)
        return target

    def write_text(self, name: str, text: str) -> Path:
        """Replace one workspace file's text atomically, serialised with other writers."""
        target = self.path(name)
        with self._writing(name, target):
            _atomic_text(target, text)
        return target

    @contextmanager
    def _writing(self, name: str, target: Path) -> Iterator[None]:
        """Hold ``name``'s lock, sweep its stale temporary files, and turn a lock timeout or
        an OS error into one :class:`DataFileError` naming the file."""
        try:
            with self.lock(name):
                _sweep(target)
                yield
        except Timeout as exc:
            raise DataFileError(
                f"{target}: another collab-graph process has been writing it for "
                f"{LOCK_TIMEOUT:.0f} s; try again",
                path=str(target),
            ) from exc
        except OSError as exc:
            raise DataFileError(
                f"{target}: cannot write the workspace file: {exc.strerror or exc}",
                path=str(target),
            ) from exc


def _plain_rows(path: Path, header: Sequence[str]) -> tuple[list[str], list[dict[str, str]]]:
    """The columns (``header``, then any others the file has) and every record of a file as
    read: no checks, so a bad row is kept as it is, never dropped, and rewritten as it was."""
    if not path.exists():
        return list(header), []
    text = read_text(path, "workspace file")
    reader = csv.DictReader(
        io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")), restkey=_EXTRA
    )
    try:
        raws = list(reader)
    except csv.Error as exc:
        line = reader.line_num or 1
        raise DataFileError(
            f"{path}: line {line}: {exc}; fix the row and try again", path=str(path), line=line
        ) from exc
    columns = list(header)
    columns += [c for c in reader.fieldnames or () if c and c not in columns]
    rows = []
    for raw in raws:
        cells = [v for v in raw.values() if isinstance(v, str)]
        extra = [str(v) for v in raw.get(_EXTRA) or ()]
        if not any(v.strip() for v in (*cells, *extra)):
            continue
        # undo the write's formula guard, or each rewrite would add another ' ("-" -> "''-")
        row = {k: _unguard(v or "") for k, v in raw.items() if k != _EXTRA and k}
        for col in columns:
            row.setdefault(col, "")
        if extra:
            row[_EXTRA] = _SEP.join(_unguard(v) for v in extra)
        rows.append(row)
    return columns, rows


def _temp_name(path: Path) -> Path:
    """A fresh temporary name beside ``path``, which only a writer of ``path`` uses."""
    return path.with_name(f"{_TMP_PREFIX}{secrets.token_hex(_TMP_HEX // 2)}-{path.name}")


def _sweep(path: Path) -> None:
    """Remove the temporary files a writer of ``path`` left when it died.

    Call it holding ``path``'s lock: then no live writer of ``path`` has a
    temporary file. Only ``path``'s own are removed; another file's writer may be
    using its own temporary file in the same folder right now.
    """
    folder = path.parent
    if not folder.is_dir():
        return
    mine = re.compile(rf"{re.escape(_TMP_PREFIX)}[0-9a-f]{{{_TMP_HEX}}}-{re.escape(path.name)}")
    for left in folder.glob(f"{_TMP_PREFIX}*-{glob.escape(path.name)}"):
        if mine.fullmatch(left.name):
            left.unlink(missing_ok=True)


def _atomic_write(path: Path, header: Sequence[str], rows: Iterable[Record]) -> None:
    _atomic_text(path, _csv_text(header, rows, with_header=True))


def _csv_text(header: Sequence[str], rows: Iterable[Record], *, with_header: bool) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if with_header:
        writer.writerow(header)
    for row in rows:
        extra = row.get(_EXTRA)
        cells = [str(row.get(k, "") or "") for k in header]
        writer.writerow([_guard(c) for c in (*cells, *(extra.split(_SEP) if extra else ()))])
    return buf.getvalue()


def _guard(cell: str) -> str:
    """:func:`~collab_graph.csvfiles.csv_safe`, quick for the usual cell that needs nothing."""
    return csv_safe(cell) if cell[:1] in _RISKY else cell


def _unguard(cell: str) -> str:
    """:func:`~collab_graph.csvfiles.csv_unsafe`, quick for the usual cell that needs nothing."""
    return csv_unsafe(cell) if cell[:1] == "'" else cell


def _append_atomically(path: Path, header: Sequence[str], rows: Sequence[Record]) -> None:
    """Add rows at the end of a CSV file: a new file holding the old bytes and the new rows
    replaces it, so a reader (or a writer killed mid-way) never sees half a row. The old
    rows are copied, not parsed, when the file's header is ``header``."""
    head = _csv_text(header, (), with_header=True)
    old = read_text(path, "workspace file") if path.exists() else ""
    if old and not old.replace("\r\n", "\n").startswith(head):
        columns, parsed = _plain_rows(path, header)  # another column order: rewrite it
        _atomic_text(path, _csv_text(columns, [*parsed, *rows], with_header=True))
        return
    if old and not old.endswith(("\n", "\r")):
        old += "\n"
    _atomic_text(path, (old or head) + _csv_text(header, rows, with_header=False))


def _atomic_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(path)
    # 0o666 less the umask, as for any new file; an existing file keeps its mode
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
