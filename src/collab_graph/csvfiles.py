"""One reader for the analyst's CSV files: themes, cues, organisations, links, reviews, codings.

Analysts edit these files in a spreadsheet, so they arrive as Excel saves
them: UTF-8 with a byte-order mark, CRLF line ends, cells quoted across
lines, extra columns, blank rows. :func:`read_csv` accepts all of that and
gives :class:`Row` objects that remember their file and the line on which
their record starts, so every check a loader makes can name the file, the
line and the column (:meth:`Row.error`).

A file is read *strictly* (the first bad row is an error: data files that
the whole pipeline depends on) or *leniently* (``on_error`` is given: the bad
row is reported and skipped, the rest still apply; used for the analyst's
reviews).

Cells that a CSV writer of this project neutralised against formula
injection (a leading ``'`` before ``=``, ``+``, ``-`` or ``@``, see
:func:`csv_safe`) are read back as they were written.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "links.csv"
>>> _ = p.write_bytes("\\ufeffpractice,barrier\\r\\np_a,b_x\\r\\n\\r\\np_b,\\r\\n".encode())
>>> rows = read_csv(p, required=("practice", "barrier"))
>>> [(r.line, r["practice"], r["barrier"]) for r in rows]
[(2, 'p_a', 'b_x'), (4, 'p_b', '')]
>>> str(rows[1].error("barrier", "must not be empty")).split("/")[-1]
'links.csv: line 4, column barrier: must not be empty'
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from collab_graph.errors import DataFileError

__all__ = [
    "FORMULA_PREFIXES",
    "Row",
    "check_references",
    "csv_cells",
    "csv_safe",
    "csv_text",
    "csv_unsafe",
    "parse_csv_text",
    "read_csv",
    "read_text",
    "split_cell",
]

#: Leading characters a spreadsheet treats as the start of a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# A cell a spreadsheet would run: any run of quotes, then a formula prefix.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
# A plain number ("-1.5", "+2e3") is a value in every spreadsheet, not a formula.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def csv_safe(value: str) -> str:
    """Neutralise a cell that a spreadsheet would run as a formula (OWASP: prefix ``'``).

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return (after any run of ``'``) gets one more ``'`` in front; a plain
    number such as ``-1.5`` is left alone. :func:`csv_unsafe` undoes it
    exactly, so every text survives a write and a read.

    Parameters
    ----------
    value : str
        One cell.

    Returns
    -------
    str
        The cell as it is safe to write.

    Examples
    --------
    >>> csv_safe("=HYPERLINK(1)"), csv_safe("- a bullet"), csv_safe("plain"), csv_safe("-1.5")
    ("'=HYPERLINK(1)", "'- a bullet", 'plain', '-1.5')
    >>> all(csv_unsafe(csv_safe(v)) == v for v in ("@SUM(A1)", "'=x", "''-y", "'", "-2"))
    True
    """
    if _FORMULA.match(value) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_unsafe(value: str) -> str:
    """Undo :func:`csv_safe`: one ``'`` before a run of ``'`` and a formula prefix is removed.

    Examples
    --------
    >>> csv_unsafe("'=1+1"), csv_unsafe("''-x"), csv_unsafe("'plain"), csv_unsafe("-1")
    ('=1+1', "'-x", "'plain", '-1')
    """
    if value.startswith("'") and _FORMULA.match(value, 1):
        return value[1:]
    return value


def csv_cells(values: Iterable[object], *, safe: bool = True) -> list[str]:
    """Cells of one CSV row as text (None is empty), each through :func:`csv_safe` if ``safe``.

    Examples
    --------
    >>> csv_cells(["=1+1", None, 3, "-2"]), csv_cells(["=1+1"], safe=False)
    (["'=1+1", '', '3', '-2'], ['=1+1'])
    """
    cells = ["" if v is None else str(v) for v in values]
    return [csv_safe(c) for c in cells] if safe else cells


def csv_text(header: Sequence[str], rows: Iterable[Iterable[object]], *, safe: bool = True) -> str:
    """A CSV document (a header row, ``\\n`` line ends) with cells made safe by :func:`csv_cells`.

    A cell holding a comma, a quote, a line feed *or a carriage return* is
    quoted (RFC 4180). The standard :mod:`csv` writer with ``\\n`` line ends
    leaves a carriage return unquoted, and a spreadsheet then starts a new row
    there, whose first cell is not neutralised.

    Examples
    --------
    >>> print(csv_text(["t", "n"], [["@cmd", 2], ["ok", None], ['a, "b" c', 3]]), end="")
    t,n
    '@cmd,2
    ok,
    "a, ""b"" c",3
    >>> csv_text(["x"], [["one\\r=1+1"], [None]])
    'x\\n"one\\r=1+1"\\n""\\n'
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(csv_cells(header, safe=False))
    for row in rows:
        cells = csv_cells(row, safe=safe)
        if any("\r" in c for c in cells):
            buf.write(",".join(_quoted(c) for c in cells) + "\n")  # csv leaves it unquoted
        else:
            writer.writerow(cells)
    return buf.getvalue()


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if _NEEDS_QUOTES.search(cell) else cell


def split_cell(cell: str | None, sep: str = ";") -> tuple[str, ...]:
    """The non-empty, stripped parts of a multi-valued cell (``a;b``).

    Examples
    --------
    >>> split_cell(" a; ;b "), split_cell(None)
    (('a', 'b'), ())
    """
    return tuple(p.strip() for p in (cell or "").split(sep) if p.strip())


@dataclass(frozen=True, slots=True)
class Row:
    """One record of a CSV file: its cells by column name, and where it is.

    Missing cells read as ``""``; every cell is stripped of surrounding white space.
    """

    path: Path
    line: int
    cells: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")

    def get(self, column: str, default: str = "") -> str:
        """The cell of ``column``, or ``default`` when the column is absent or empty."""
        return self.cells.get(column) or default

    def error(self, column: str | None, message: str) -> DataFileError:
        """An error naming this row's file, line and (when given) column."""
        where = f"{self.path}: line {self.line}" + (f", column {column}" if column else "")
        return DataFileError(f"{where}: {message}", path=str(self.path), line=self.line)

    def new_id(self, column: str, seen: Mapping[str, object], what: str) -> str:
        """The cell as the id of a new entry: neither empty nor used before."""
        value = self[column]
        if not value:
            raise self.error(column, f"empty {what} id")
        if value in seen:
            raise self.error(column, f"{what} id {value!r} is used twice")
        return value

    def choice(self, column: str, choices: Iterable[str], what: str) -> str:
        """The cell when it is one of ``choices``; else an error listing them."""
        allowed = [str(c) for c in choices]
        value = self[column]
        if value not in allowed:
            raise self.error(column, f"{what} {value!r}; use one of {', '.join(allowed)}")
        return value

    def number(self, column: str) -> float:
        """The cell as a number."""
        try:
            return float(self[column])
        except ValueError:
            raise self.error(column, f"{column} {self[column]!r} is not a number") from None


def check_references(
    path: Path, refs: Mapping[str, str], known: Mapping[str, object], what: str
) -> None:
    """Every ``broader`` reference (child id → parent id) names a known entry."""
    for child, parent in refs.items():
        if parent not in known:
            raise DataFileError(
                f"{path}: {what} {child!r} has unknown broader entry {parent!r}", path=str(path)
            )


def read_text(path: Path, what: str = "data file") -> str:
    """A data file's text (UTF-8, BOM dropped); errors name the file and what it is."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: {what} not found", path=str(path)) from exc
    except OSError as exc:
        raise DataFileError(
            f"{path}: cannot read {what}: {exc.strerror or exc}", path=str(path)
        ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFileError(
            f"{path}: line {line}: {what} is not UTF-8; save it as 'CSV UTF-8' and try again",
            path=str(path),
            line=line,
        ) from exc


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each record; a record may span lines inside quotes."""
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")))
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def read_csv(
    path: Path | str,
    *,
    required: Sequence[str] = (),
    what: str = "data file",
    on_error: Callable[[DataFileError], None] | None = None,
    check: Callable[[Row], object] | None = None,
) -> list[Row]:
    """Read a CSV file with a header row into :class:`Row` objects.

    Parameters
    ----------
    path : path-like
        The file (UTF-8, with or without a BOM; any line ends).
    required : sequence of str
        Columns the header must have; others are kept and may be ignored.
    what : str
        What the file is, for messages ("curated links file").
    on_error : callable, optional
        Lenient mode: a row that is malformed or that ``check`` rejects (by
        raising :class:`~collab_graph.errors.DataFileError`) is passed here and
        left out, and reading goes on. Without it the first bad row raises.
    check : callable, optional
        Called with each row; raise ``row.error(...)`` to reject it.

    Returns
    -------
    list of Row
        Blank rows are skipped.

    Raises
    ------
    DataFileError
        The file is missing, unreadable or not UTF-8, or lacks a required column
        (always), or a row is bad (strict mode). The message names the file,
        the line and, where it applies, the column.
    """
    p = Path(path)
    return parse_csv_text(
        read_text(p, what), p, required=required, what=what, on_error=on_error, check=check
    )


def parse_csv_text(
    text: str,
    path: Path,
    *,
    required: Sequence[str] = (),
    what: str = "data file",
    on_error: Callable[[DataFileError], None] | None = None,
    check: Callable[[Row], object] | None = None,
) -> list[Row]:
    """:func:`read_csv` on text already read from ``path`` (which names it in messages)."""
    p = path
    records = _records(text)
    try:
        first = next(records, None)
    except csv.Error as exc:
        raise DataFileError(f"{p}: line 1: {exc}", path=str(p), line=1) from exc
    if first is None:
        if required:
            raise DataFileError(
                f"{p}: {what} is empty; expected a header with {', '.join(required)}",
                path=str(p),
            )
        return []
    header = [h.strip() for h in first[1]]
    missing = [c for c in required if c not in header]
    if missing:
        raise DataFileError(
            f"{p}: line 1: missing column(s) {', '.join(missing)}; expected "
            f"{', '.join(required)} (found {', '.join(h for h in header if h) or 'none'})",
            path=str(p),
            line=1,
        )
    out: list[Row] = []
    line = 1
    while True:
        try:
            item = next(records, None)
        except csv.Error as exc:
            err = DataFileError(f"{p}: line {line + 1}: {exc}", path=str(p), line=line + 1)
            if on_error is None:
                raise err from exc
            on_error(err)
            break  # the csv module cannot resynchronise after a broken quote
        if item is None:
            break
        line, cells = item
        if not any(c.strip() for c in cells):
            continue
        row = Row(
            p,
            line,
            {
                name: csv_unsafe(cells[i].strip()) if i < len(cells) else ""
                for i, name in enumerate(header)
                if name
            },
        )
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            err = row.error(None, f"{len(cells)} cells but the header has {len(header)} columns")
            if on_error is None:
                raise err
            on_error(err)
            continue
        if check is not None:
            try:
                check(row)
            except DataFileError as err:
                if on_error is None:
                    raise
                on_error(err)
                continue
        out.append(row)
    return out
