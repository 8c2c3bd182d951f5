"""Pure helpers behind the Streamlit app (``app.py``) and the ``collab-graph app`` command.

``app.py`` only turns widgets into calls of these functions and of the core
modules, and renders what comes back; caching lives there. Nothing here imports
Streamlit, so every helper is testable on its own.

Graph queries live in :mod:`collab_graph.graph.query`, the rows the app and
the CLI share in :mod:`collab_graph.views.tables` and drawing in
:mod:`collab_graph.views.network`; what is left here is the app's own:
launching it, uploads, the parse report and the Explore page's filter options.

Examples
--------
>>> from collab_graph.graph.examples import example_graph
>>> G = example_graph()
>>> [label for _, label in group_options(G)]
['Group 1 · alpha', 'Group 2 · alpha', 'Group 1 · beta']
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import socket
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from collab_graph.errors import CollabGraphError, InputFileError, PortInUseError
from collab_graph.graph.query import workshop_slugs
from collab_graph.graph.schema import KnowledgeGraph, NodeAttr, org_node
from collab_graph.ingest import MAX_BYTES, ColumnMap, Limits, LoadOptions
from collab_graph.model import LineRole, NodeKind, Note, ParseResult
from collab_graph.resources import doc_path

__all__ = [
    "APP_SCRIPT_ENV",
    "COLUMNS_ENV",
    "PATHS_ENV",
    "QUERIES_DOC",
    "STORE_ENV",
    "STREAMLIT_NOISE",
    "UPLOAD_LIMIT_BYTES",
    "UPLOAD_SUFFIXES",
    "ReadyQuery",
    "StoreSource",
    "Upload",
    "app_environment",
    "app_script",
    "check_port",
    "free_port",
    "group_options",
    "md_escape",
    "note_from_node",
    "option_labels",
    "options_from_env",
    "parse_report",
    "paths_from_env",
    "question_options",
    "quiet_streamlit_noise",
    "ready_made_queries",
    "save_uploads",
    "store_fingerprint",
    "store_from_env",
    "store_graph",
    "streamlit_command",
    "upload_name",
    "wait_for_port",
    "with_detected_orgs",
]

PATHS_ENV = "COLLAB_GRAPH_APP_PATHS"
"""Environment variable carrying the notes files given to ``collab-graph app`` (JSON list)."""

COLUMNS_ENV = "COLLAB_GRAPH_APP_COLUMNS"
"""Environment variable holding the app's ``--columns`` option."""

APP_SCRIPT_ENV = "COLLAB_GRAPH_APP_SCRIPT"
"""Environment variable overriding where the Streamlit script ``app.py`` is."""

STORE_ENV = "COLLAB_GRAPH_APP_STORE"
"""Environment variable naming the SPARQL store ``collab-graph app --store`` browses (JSON)."""

QUERIES_DOC = "queries.md"
"""The document whose ready-made queries the app's SPARQL console offers (``docs/``)."""

_QUERY_BLOCK = re.compile(
    r"^### (?:\d+\.\s*)?(?P<title>[^\n]+)\n(?:(?!^#)[^\n]*\n)*?"
    r"<!-- query: (?P<id>[\w-]+) -->\n```sparql\n(?P<text>.*?)\n```",
    re.M | re.S,
)


@dataclass(frozen=True, slots=True)
class ReadyQuery:
    """A ready-made query of ``docs/queries.md``: its id, its heading and its SPARQL."""

    id: str
    title: str
    text: str


@lru_cache(maxsize=1)
def ready_made_queries() -> tuple[ReadyQuery, ...]:
    """The ready-made queries of ``docs/queries.md``, in the document's order.

    The document is the one source: each query is a `` ```sparql `` block
    under a ``<!-- query: ID -->`` marker, titled by the ``###`` heading above it.

    Examples
    --------
    >>> qs = ready_made_queries()
    >>> qs[0].id, qs[0].title
    ('notes-by-kind', 'How many notes of each kind?')
    >>> qs[0].text.startswith("SELECT")
    True
    """
    text = doc_path(QUERIES_DOC).read_text(encoding="utf-8")
    return tuple(
        ReadyQuery(m["id"], m["title"].strip(), m["text"]) for m in _QUERY_BLOCK.finditer(text)
    )


UPLOAD_SUFFIXES = (".txt", ".md", ".docx", ".csv")
"""File types the app's upload accepts."""

UPLOAD_LIMIT_BYTES = 5 * 1024 * 1024
"""Largest upload the app accepts (5 MB; a workshop's notes are a few kB)."""

_MAX_NAME_BYTES = 150  # a file name's stem; the digest folder and the suffix come on top


# --------------------------------------------------------------------------- launching


def app_script() -> Path:
    """Where the Streamlit script ``app.py`` is.

    ``$COLLAB_GRAPH_APP_SCRIPT`` if set; else the repository's ``app.py`` (source
    checkout or editable install); else a copy shipped inside the package as
    ``collab_graph/app.py``.

    Raises
    ------
    CollabGraphError
        When no ``app.py`` can be found.

    Examples
    --------
    >>> app_script().name
    'app.py'
    """
    env = os.environ.get(APP_SCRIPT_ENV)
    candidates = [Path(env)] if env else []
    package = Path(__file__).resolve().parents[1]  # collab_graph/
    candidates += [package.parents[1] / "app.py", package / "app.py"]
    for c in candidates:
        if c.is_file():
            return c
    raise CollabGraphError(
        "cannot find the Streamlit script app.py (looked in "
        + ", ".join(str(c) for c in candidates)
        + f"); set {APP_SCRIPT_ENV} to its path"
    )


def streamlit_command(
    script: Path, *, port: int, address: str = "127.0.0.1", python: str | None = None
) -> list[str]:
    """The command line that serves ``script`` headless, on loopback, with usage stats off.

    Every safety setting is passed on the command line, because Streamlit reads
    ``.streamlit/config.toml`` only from the current folder.

    Examples
    --------
    >>> cmd = streamlit_command(Path("app.py"), port=8600, python="python")
    >>> cmd[:5], cmd[cmd.index("--server.address") + 1]
    (['python', '-m', 'streamlit', 'run', 'app.py'], '127.0.0.1')
    >>> cmd[cmd.index("--browser.gatherUsageStats") + 1]
    'false'
    """
    return [
        python or sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--server.maxUploadSize",
        str(max(1, MAX_BYTES // (1024 * 1024))),
        "--global.developmentMode",
        "false",
        "--theme.base",
        "light",
        "--client.toolbarMode",
        "minimal",
        # the table toolbar's own CSV download writes cells raw (formula injection):
        # the app offers formula-safe CSV downloads instead (docs/reliability.md)
        "--client.disableDataExport",
        "true",
    ]


def app_environment(
    paths: Sequence[str | Path],
    base: Mapping[str, str] | None = None,
    *,
    columns: str | None = None,
) -> dict[str, str]:
    """The environment for the app process: ``base`` plus the notes files to open.

    ``columns`` is the ``--columns`` option (which CSV columns hold the notes).

    Examples
    --------
    >>> env = app_environment(["a.txt"], base={}, columns="note=Card")
    >>> [Path(p).name for p in json.loads(env[PATHS_ENV])], env[COLUMNS_ENV]
    (['a.txt'], 'note=Card')
    """
    env = dict(os.environ if base is None else base)
    env[PATHS_ENV] = json.dumps([str(Path(p).resolve()) for p in paths])
    if columns:
        env[COLUMNS_ENV] = columns
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    return env


@dataclass(frozen=True, slots=True)
class StoreSource:
    """The store the app reads from (``collab-graph app --store``) instead of notes files.

    ``password_env`` names the environment variable holding the password; the
    password itself never goes into :data:`STORE_ENV`.

    Examples
    --------
    >>> src = StoreSource("http://localhost:8890/sparql", "https://example.org/kg/")
    >>> StoreSource.from_json(src.to_json()) == src
    True
    """

    url: str
    base: str
    user: str | None = None
    password_env: str | None = None
    gsp: str | None = None

    def to_json(self) -> str:
        """The value of :data:`STORE_ENV` for this store."""
        return json.dumps(
            {
                "url": self.url,
                "base": self.base,
                "user": self.user,
                "password_env": self.password_env,
                "gsp": self.gsp,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> StoreSource:
        """Read :meth:`to_json`'s output back; a malformed value is a ``CollabGraphError``."""
        try:
            data = json.loads(text)
            return cls(
                str(data["url"]),
                str(data["base"]),
                data.get("user"),
                data.get("password_env"),
                data.get("gsp"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CollabGraphError(f"{STORE_ENV} is not a store description: {exc}") from exc

    def client(self) -> Any:
        """A :class:`~collab_graph.rdf.store.StoreClient` for this store."""
        from collab_graph.rdf.store import Credentials, StoreClient

        credentials = None
        if self.user is not None and self.password_env is not None:
            password = os.environ.get(self.password_env)
            if password is None:
                raise CollabGraphError(
                    f"the environment variable {self.password_env} (the store password) is not set"
                )
            credentials = Credentials(self.user, password)
        return StoreClient(self.url, gsp_url=self.gsp, credentials=credentials)


def store_from_env(environ: Mapping[str, str] | None = None) -> StoreSource | None:
    """The store the app browses, or None when it reads notes files (the usual case).

    Examples
    --------
    >>> store_from_env({}) is None
    True
    """
    env = os.environ if environ is None else environ
    raw = env.get(STORE_ENV, "").strip()
    return StoreSource.from_json(raw) if raw else None


def store_fingerprint(source: StoreSource) -> str:
    """Named graphs under the base with their triple counts: changes when someone pushes."""
    text = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(STRSTARTS(STR(?g), {json.dumps(source.base)})) }} GROUP BY ?g ORDER BY ?g"
    )
    with source.client() as client:
        rows = client.select(text).rows
    return ";".join(f"{g}={n}" for g, n in rows)


def store_graph(source: StoreSource) -> KnowledgeGraph:
    """The knowledge graph held in the store (:func:`collab_graph.rdf.store.pull`)."""
    from collab_graph.rdf.store import pull

    with source.client() as client:
        return pull(client, base=source.base)


def options_from_env(environ: Mapping[str, str] | None = None) -> LoadOptions:
    """How the app reads notes files (``--columns``, passed in the environment).

    Examples
    --------
    >>> options_from_env({COLUMNS_ENV: "note=Card,scope=Column"}).columns.note
    'Card'
    >>> options_from_env({}).columns is None
    True
    """
    env = os.environ if environ is None else environ
    limits = Limits.from_env(env)  # COLLAB_GRAPH_MAX_NOTES and the other input limits
    raw = env.get(COLUMNS_ENV, "").strip()
    if not raw:
        return LoadOptions(limits=limits)
    try:
        return LoadOptions(columns=ColumnMap.parse(raw), limits=limits)
    except ValueError as exc:
        raise CollabGraphError(f"{COLUMNS_ENV}: {exc}") from exc


def paths_from_env(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The notes files passed to the app (empty: the bundled workshop).

    Raises
    ------
    CollabGraphError
        When the variable is set but is not a JSON list of strings.

    Examples
    --------
    >>> paths_from_env({PATHS_ENV: '["/tmp/a.txt"]'})
    [PosixPath('/tmp/a.txt')]
    >>> paths_from_env({})
    []
    """
    env = os.environ if environ is None else environ
    raw = env.get(PATHS_ENV, "").strip()
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CollabGraphError(f"{PATHS_ENV} is not valid JSON: {exc}") from exc
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CollabGraphError(f"{PATHS_ENV} must be a JSON list of file paths")
    return [Path(v) for v in value]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now.

    Examples
    --------
    >>> 1024 < free_port() < 65536
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


STREAMLIT_NOISE: Mapping[str, str] = {
    "streamlit.runtime.scriptrunner_utils.script_run_context": "missing ScriptRunContext",
}
"""Streamlit loggers and the start of warnings of theirs that say nothing to a user.

"missing ScriptRunContext" is logged whenever Streamlit code runs outside a
script run: from a helper thread, or (in ``AppTest``) each time a test sets
session state. Streamlit itself says it "can be ignored"."""


class _DropNoise(logging.Filter):
    """Drops the records of one logger whose message contains ``text``."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in str(record.msg)


def quiet_streamlit_noise() -> None:
    """Keep :data:`STREAMLIT_NOISE` off the terminal; other warnings still show.

    A filter on each logger, added once (Streamlit resets levels, not filters).

    Examples
    --------
    >>> quiet_streamlit_noise(); quiet_streamlit_noise()
    >>> name = next(iter(STREAMLIT_NOISE))
    >>> sum(isinstance(f, _DropNoise) for f in logging.getLogger(name).filters)
    1
    """
    for name, text in STREAMLIT_NOISE.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropNoise) for f in logger.filters):
            logger.addFilter(_DropNoise(text))


def check_port(port: int, host: str = "127.0.0.1") -> None:
    """Raise :class:`PortInUseError` when another program listens on ``port`` already.

    The probe binds the way the app's server does (address reuse on, so a port
    left in TIME_WAIT by a stopped server counts as free).

    Examples
    --------
    >>> check_port(free_port()) is None
    True
    >>> with socket.socket() as s:
    ...     s.bind(("127.0.0.1", 0))
    ...     s.listen()
    ...     check_port(s.getsockname()[1])
    Traceback (most recent call last):
    ...
    collab_graph.errors.PortInUseError: port ... on 127.0.0.1 is in use ...
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise PortInUseError(
                f"port {port} on {host} is in use (another app or server is listening "
                f"there); start on another port with --port, e.g. --port {free_port(host)}"
            ) from exc


def wait_for_port(
    port: int, *, host: str = "127.0.0.1", timeout: float = 30.0, alive: Any = None
) -> float:
    """Poll until something accepts connections on ``port``; return the seconds waited.

    Parameters
    ----------
    alive : callable, optional
        Called between polls; when it returns False the wait stops (the server
        process has exited).

    Raises
    ------
    TimeoutError
        When nothing answers within ``timeout`` seconds.
    RuntimeError
        When ``alive()`` returns False.
    """
    start = time.monotonic()
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return time.monotonic() - start
        except OSError:
            pass
        if alive is not None and not alive():
            raise RuntimeError(f"the server process exited before port {port} answered")
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"nothing answered on {host}:{port} within {timeout:.0f} s")
        time.sleep(0.1)


# --------------------------------------------------------------------------- uploads


@dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded file: its name as the user gave it, and its bytes."""

    name: str
    data: bytes


def upload_name(name: str) -> str:
    """The name an upload is stored under: the user's own, reduced to one safe path component.

    Folders in the name, control characters and leading or trailing dots and
    spaces go; the rest (spaces, accents) stays, because the name names the workshop.

    Examples
    --------
    >>> upload_name("a b.txt"), upload_name("../../etc/y.md"), upload_name("..txt")
    ('a b.txt', 'y.md', 'notes.txt')
    """
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    suffix = Path(base).suffix if Path(base).suffix.strip(". ") else ""
    stem = base[: len(base) - len(suffix)].strip(" .")
    while len(stem.encode()) > _MAX_NAME_BYTES:
        stem = stem[:-1]
    return f"{stem or 'notes'}{suffix}"


def save_uploads(uploads: Iterable[Upload], folder: Path) -> list[Path]:
    """Check uploads (type, size, not empty) and store them in ``folder`` by their content.

    Each file goes to ``folder/<sha256 of its bytes>/<its name>`` (see
    :func:`upload_name`), so two uploads share a path only when their bytes and
    names are the same (then the file is listed once), and a path's bytes never
    change. The folders are created ``0700``, the files ``0600``.

    Raises
    ------
    InputFileError
        Naming the file: unsupported type, empty, or larger than
        :data:`UPLOAD_LIMIT_BYTES`. Nothing is stored then.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> a, b = save_uploads([Upload("a b.txt", b"- x"), Upload("a_b.txt", b"- y")], folder)
    >>> a.name, b.name, a.parent.name == hashlib.sha256(b"- x").hexdigest()
    ('a b.txt', 'a_b.txt', True)
    >>> save_uploads([Upload("x.pdf", b"%PDF")], folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    collab_graph.errors.InputFileError: x.pdf: unsupported file type '.pdf'; upload .txt, ...
    """
    items = list(uploads)
    for up in items:
        suffix = Path(up.name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise InputFileError(
                f"{up.name}: unsupported file type {suffix or '(none)'!r}; "
                "upload .txt, .md, .docx or .csv",
                path=up.name,
            )
        if not up.data:
            raise InputFileError(f"{up.name}: is empty", path=up.name)
        if len(up.data) > UPLOAD_LIMIT_BYTES:
            raise InputFileError(
                f"{up.name}: is {len(up.data) / 1e6:.1f} MB; "
                f"the upload limit is {UPLOAD_LIMIT_BYTES // (1024 * 1024)} MB",
                path=up.name,
            )
    out: list[Path] = []
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for up in items:
        home = folder / hashlib.sha256(up.data).hexdigest()
        target = home / upload_name(up.name)
        if target not in out:
            out.append(target)
        if target.is_file():
            continue  # the same bytes under the same name: stored already
        home.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=home, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(up.data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return out


def parse_report(results: Sequence[ParseResult]) -> list[dict[str, Any]]:
    """One row per parsed file: notes, groups, questions, unassigned lines, warnings.

    Examples
    --------
    >>> from collab_graph.ingest import parse_text
    >>> r = parse_text("Title\\nGroup 1\\n- a note\\n", source="t.txt")
    >>> row = parse_report([r])[0]
    >>> row["notes"], row["groups"], row["unassigned"]
    (1, 1, 0)
    """
    rows: list[dict[str, Any]] = []
    for r in results:
        roles = Counter(sl.role for sl in r.lines)
        rows.append(
            {
                "workshop": r.workshop.slug,
                "title": r.workshop.title,
                "source": Path(r.workshop.source).name,
                "notes": len(r.notes),
                "groups": len({n.group for n in r.notes if n.group is not None}),
                "questions": len({n.question for n in r.notes if n.question is not None}),
                "structure lines": sum(
                    roles[x]
                    for x in (LineRole.GROUP, LineRole.QUESTION, LineRole.PROMPT, LineRole.HEADING)
                ),
                "unassigned": roles[LineRole.UNASSIGNED],
                "warnings": "; ".join(r.warnings),
            }
        )
    return rows


# --------------------------------------------------------------------------- notes


def note_from_node(G: KnowledgeGraph, node: str) -> Note:
    """The :class:`~collab_graph.model.Note` behind a note node (for saving a review).

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> note = note_from_node(example_graph(), "workshop/alpha/note/G1-Q1-A-2")
    >>> note.id, note.workshop, note.text
    ('G1-Q1-A-2', 'alpha', 'Day job – no time')
    """
    d = G.nodes[node]
    if d.get(NodeAttr.KIND) != NodeKind.NOTE:
        raise KeyError(f"{node} is not a note")
    return Note(
        id=str(d[NodeAttr.NOTE_ID]),
        workshop=str(d[NodeAttr.WORKSHOP]),
        group=d.get(NodeAttr.GROUP),
        question=d.get(NodeAttr.QUESTION),
        prompt=d.get(NodeAttr.PROMPT),
        line=int(d[NodeAttr.LINE]),
        text=str(d[NodeAttr.TEXT]),
        section=d.get(NodeAttr.SECTION),
        block=int(d.get(NodeAttr.BLOCK, 1)),
    )


# --------------------------------------------------------------------------- filter options


def group_options(G: KnowledgeGraph) -> list[tuple[str, str]]:
    """``(group node id, label)`` for the group filter, in workshop and group order.

    The label names the workshop when the graph holds several.
    """
    multi = len(workshop_slugs(G)) > 1
    groups = [(n, d) for n, d in G.nodes(data=True) if d.get(NodeAttr.KIND) == NodeKind.GROUP]
    groups.sort(
        key=lambda item: (str(item[1].get(NodeAttr.WORKSHOP)), item[1].get(NodeAttr.NUMBER) or 0)
    )
    out = []
    for n, d in groups:
        number = d.get(NodeAttr.NUMBER)
        label = f"Group {number}" if number is not None else str(d.get(NodeAttr.LABEL))
        out.append((n, f"{label} · {d.get(NodeAttr.WORKSHOP)}" if multi else label))
    return out


def question_options(G: KnowledgeGraph) -> list[int]:
    """Question numbers that notes are asked under, ascending.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> question_options(example_graph())
    [1]
    """
    return sorted(
        {
            int(d[NodeAttr.QUESTION])
            for _, d in G.nodes(data=True)
            if d.get(NodeAttr.KIND) == NodeKind.NOTE and d.get(NodeAttr.QUESTION) is not None
        }
    )


def with_detected_orgs(
    labels: Mapping[str, str], G: KnowledgeGraph, org_ids: Iterable[str]
) -> dict[str, str]:
    """The review editor's ``{organisation id: label}`` plus the note's detected names.

    A name detected in the notes (``unresolved:...``) is in no gazetteer, so it
    is added with its label and "(detected)", and a review keeps or confirms it.

    Examples
    --------
    >>> from collab_graph.graph.schema import new_graph
    >>> G = new_graph()
    >>> G.add_node("org/unresolved:ukri", kind="organisation", label="UKRI")
    >>> with_detected_orgs({"nhs": "NHS"}, G, ["nhs", "unresolved:ukri"])
    {'nhs': 'NHS', 'unresolved:ukri': 'UKRI (detected)'}
    """
    out = dict(labels)
    for oid in org_ids:
        if oid not in out:
            node = org_node(oid)
            label = G.nodes[node].get(NodeAttr.LABEL, oid) if node in G else oid
            out[oid] = f"{label} (detected)"
    return out


def option_labels(G: KnowledgeGraph, *kinds: str, used_only: bool = True) -> dict[str, str]:
    """``{node id: label}`` of the nodes of ``kinds``, sorted by label.

    With ``used_only``, only nodes that some note links to.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> list(option_labels(example_graph(), "organisation").values())
    ['NHS', 'Procurement function']
    """
    wanted = set(kinds)
    out = [
        (n, str(d.get(NodeAttr.LABEL, n)))
        for n, d in G.nodes(data=True)
        if d.get(NodeAttr.KIND) in wanted
        and (
            not used_only
            or any(G.nodes[u].get(NodeAttr.KIND) == NodeKind.NOTE for u in G.predecessors(n))
        )
    ]
    out.sort(key=lambda item: item[1].casefold())
    return dict(out)


# --------------------------------------------------------------------------- text


_MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Escape Markdown (and LaTeX ``$``) so workshop text renders as plain text.

    Examples
    --------
    >>> print(md_escape("[click](javascript:x) *bold* $5"))
    \\[click\\]\\(javascript\\:x\\) \\*bold\\* \\$5
    """
    return _MD_SPECIAL_RE.sub(r"\\\1", " ".join(text.split()))
