"""Pure helpers behind the Streamlit app (``app.py``) and the ``collab-graph app`` command.

``app.py`` only turns widgets into calls of these functions and of the core
modules, and renders what comes back; caching lives there. Nothing here imports
Streamlit, so every helper is testable on its own.

Examples
--------
>>> from collab_graph.graph.examples import example_graph
>>> G = example_graph()
>>> rows = notes_table(G)
>>> rows[0]["id"], rows[0]["kind"], rows[0]["themes"]
('G1-Q1-A-1', 'practice', 'Protected / dedicated time for innovation')
>>> [label for _, label in group_options(G)]
['Group 1 · alpha', 'Group 2 · alpha', 'Group 1 · beta']
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from collab_graph.errors import CollabGraphError, InputFileError
from collab_graph.ingest import MAX_BYTES
from collab_graph.model import EdgeKind, LineRole, NodeKind, Note, NoteKind, ParseResult

__all__ = [
    "APP_SCRIPT_ENV",
    "EXAMPLE_QUERIES",
    "PATHS_ENV",
    "REVIEWS_ENV",
    "UPLOAD_LIMIT_BYTES",
    "UPLOAD_SUFFIXES",
    "Upload",
    "answer_subgraph",
    "app_environment",
    "app_reviews_path",
    "app_script",
    "combined_rows",
    "free_port",
    "group_options",
    "group_theme_counts",
    "kind_counts",
    "md_escape",
    "note_from_node",
    "notes_table",
    "option_labels",
    "org_mentions",
    "parse_report",
    "paths_from_env",
    "practice_rows",
    "question_options",
    "quote_rows",
    "save_uploads",
    "streamlit_command",
    "wait_for_port",
]

PATHS_ENV = "COLLAB_GRAPH_APP_PATHS"
"""Environment variable carrying the notes files given to ``collab-graph app`` (JSON list)."""

REVIEWS_ENV = "COLLAB_GRAPH_REVIEWS"
"""Environment variable naming the reviews file the app reads and writes."""

APP_SCRIPT_ENV = "COLLAB_GRAPH_APP_SCRIPT"
"""Environment variable overriding where the Streamlit script ``app.py`` is."""

EXAMPLE_QUERIES: Mapping[str, str] = {
    "Notes of each kind": (
        "SELECT ?kind (COUNT(?note) AS ?notes)\n"
        "WHERE { ?note a cg:Note ; cg:noteKind ?kind }\n"
        "GROUP BY ?kind ORDER BY DESC(?notes)"
    ),
    "Barriers by number of groups": (
        "SELECT ?label (COUNT(DISTINCT ?group) AS ?groups) (COUNT(?note) AS ?notes)\n"
        "WHERE {\n"
        "  ?barrier a cg:Barrier ; skos:prefLabel ?label .\n"
        "  ?note dcterms:subject ?barrier ; prov:wasAttributedTo ?group .\n"
        "}\nGROUP BY ?label ORDER BY DESC(?groups) DESC(?notes)"
    ),
    "Notes mentioning an organisation": (
        "SELECT ?id ?text ?org\n"
        "WHERE { ?note a cg:Note ; dcterms:identifier ?id ; schema:text ?text ;\n"
        "              schema:mentions ?o . ?o skos:prefLabel|rdfs:label ?org }\n"
        "ORDER BY ?org ?id LIMIT 50"
    ),
}
"""Read-only queries the app's SPARQL console offers as starting points."""

UPLOAD_SUFFIXES = (".txt", ".md", ".docx", ".csv")
"""File types the app's upload accepts."""

UPLOAD_LIMIT_BYTES = 5 * 1024 * 1024
"""Largest upload the app accepts (5 MB; a workshop's notes are a few kB)."""

_SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")


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
    ]


def app_environment(
    paths: Sequence[str | Path], base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment for the app process: ``base`` plus the notes files to open.

    Examples
    --------
    >>> env = app_environment(["a.txt"], base={})
    >>> [Path(p).name for p in json.loads(env[PATHS_ENV])]
    ['a.txt']
    """
    env = dict(os.environ if base is None else base)
    env[PATHS_ENV] = json.dumps([str(Path(p).resolve()) for p in paths])
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    return env


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


def app_reviews_path(environ: Mapping[str, str] | None = None) -> Path:
    """The reviews file the app reads and writes: ``$COLLAB_GRAPH_REVIEWS`` or the default.

    Examples
    --------
    >>> app_reviews_path({REVIEWS_ENV: "/tmp/r.csv"})
    PosixPath('/tmp/r.csv')
    >>> app_reviews_path({}).name
    'reviews.csv'
    """
    from collab_graph.review.reviews import reviews_path

    env = os.environ if environ is None else environ
    raw = env.get(REVIEWS_ENV, "").strip()
    return Path(raw) if raw else reviews_path()


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


def save_uploads(uploads: Iterable[Upload], folder: Path) -> list[Path]:
    """Check uploads (type, size, not empty) and write them into ``folder``.

    File names are reduced to safe characters; the folder is created.

    Raises
    ------
    InputFileError
        Naming the file: unsupported type, empty, or larger than
        :data:`UPLOAD_LIMIT_BYTES`.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> [p.name for p in save_uploads([Upload("my notes.txt", b"Group 1\\n- a")], folder)]
    ['my_notes.txt']
    >>> save_uploads([Upload("x.pdf", b"%PDF")], folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    collab_graph.errors.InputFileError: x.pdf: unsupported file type '.pdf'; upload .txt, ...
    """
    out: list[Path] = []
    folder.mkdir(parents=True, exist_ok=True)
    for up in uploads:
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
        stem = _SAFE_NAME_RE.sub("_", Path(up.name).stem).strip("._") or "notes"
        target = folder / f"{stem}{suffix}"
        target.write_bytes(up.data)
        out.append(target)
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


# --------------------------------------------------------------------------- tables


def _about(G: nx.MultiDiGraph, node: str, kind: EdgeKind) -> list[str]:
    return [v for _, v, k in G.out_edges(node, keys=True) if k == kind]


def note_nodes(G: nx.MultiDiGraph) -> list[str]:
    """Note node ids in workshop and source-line order."""
    notes = [n for n, k in G.nodes(data="kind") if k == NodeKind.NOTE]
    return sorted(notes, key=lambda n: (G.nodes[n]["workshop"], G.nodes[n]["line"], n))


def notes_table(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Every note with its provenance and coding, one dict per note, in source order.

    Themes and organisations are ``;``-joined labels; ``theme_ids`` and
    ``org_ids`` keep the ids (for editing).
    """
    rows: list[dict[str, Any]] = []
    for n in note_nodes(G):
        d = G.nodes[n]
        themes = _about(G, n, EdgeKind.ABOUT)
        orgs = _about(G, n, EdgeKind.MENTIONS)
        rows.append(
            {
                "workshop": d.get("workshop"),
                "id": d.get("note_id"),
                "group": d.get("group"),
                "question": d.get("question"),
                "prompt": d.get("prompt"),
                "line": d.get("line"),
                "text": d.get("text"),
                "kind": d.get("note_kind"),
                "themes": "; ".join(str(G.nodes[t]["label"]) for t in themes),
                "orgs": "; ".join(str(G.nodes[o]["label"]) for o in orgs),
                "confidence": d.get("confidence"),
                "reviewed": bool(d.get("reviewed", False)),
                "reasons": d.get("reasons", ""),
                "theme_ids": [str(G.nodes[t].get("theme_id", t)) for t in themes],
                "org_ids": [str(G.nodes[o].get("org_id", o)) for o in orgs],
                "node": n,
            }
        )
    return rows


def note_from_node(G: nx.MultiDiGraph, node: str) -> Note:
    """The :class:`~collab_graph.model.Note` behind a note node (for saving a review).

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> note = note_from_node(example_graph(), "workshop/alpha/note/G1-Q1-A-2")
    >>> note.id, note.workshop, note.text
    ('G1-Q1-A-2', 'alpha', 'Day job – no time')
    """
    d = G.nodes[node]
    if d.get("kind") != NodeKind.NOTE:
        raise KeyError(f"{node} is not a note")
    return Note(
        id=str(d["note_id"]),
        workshop=str(d["workshop"]),
        group=d.get("group"),
        question=d.get("question"),
        prompt=d.get("prompt"),
        line=int(d["line"]),
        text=str(d["text"]),
        section=d.get("section"),
        block=int(d.get("block", 1)),
    )


# --------------------------------------------------------------------------- filter options


def _multi_workshop(G: nx.MultiDiGraph) -> bool:
    return sum(1 for _, k in G.nodes(data="kind") if k == NodeKind.WORKSHOP) > 1


def group_options(G: nx.MultiDiGraph) -> list[tuple[str, str]]:
    """``(group node id, label)`` for the group filter, in workshop and group order.

    The label names the workshop when the graph holds several.
    """
    multi = _multi_workshop(G)
    groups = [(n, d) for n, d in G.nodes(data=True) if d.get("kind") == NodeKind.GROUP]
    groups.sort(key=lambda item: (str(item[1].get("workshop")), item[1].get("number") or 0))
    out = []
    for n, d in groups:
        label = f"Group {d['number']}" if d.get("number") is not None else str(d.get("label"))
        out.append((n, f"{label} · {d.get('workshop')}" if multi else label))
    return out


def question_options(G: nx.MultiDiGraph) -> list[int]:
    """Question numbers that notes are asked under, ascending.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> question_options(example_graph())
    [1]
    """
    return sorted(
        {
            int(d["question"])
            for _, d in G.nodes(data=True)
            if d.get("kind") == NodeKind.NOTE and d.get("question") is not None
        }
    )


def option_labels(G: nx.MultiDiGraph, *kinds: str, used_only: bool = True) -> dict[str, str]:
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
        (n, str(d.get("label", n)))
        for n, d in G.nodes(data=True)
        if d.get("kind") in wanted
        and (
            not used_only or any(G.nodes[u].get("kind") == NodeKind.NOTE for u in G.predecessors(n))
        )
    ]
    out.sort(key=lambda item: item[1].casefold())
    return dict(out)


# --------------------------------------------------------------------------- insights


def kind_counts(G: nx.MultiDiGraph) -> dict[str, int]:
    """How many notes of each coded kind.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> kind_counts(example_graph())
    {'practice': 5, 'barrier': 4, 'benefit': 1, 'context': 0, 'heading': 1}
    """
    c = Counter(str(d.get("note_kind")) for _, d in G.nodes(data=True) if d.get("kind") == "note")
    return {str(k): c[str(k)] for k in NoteKind}


def _group_label(d: Mapping[str, Any], multi: bool) -> str:
    g = d.get("group")
    label = f"Group {g}" if g is not None else "(no group)"
    return f"{label} · {d.get('workshop')}" if multi else label


def group_theme_counts(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Notes per (group, theme): rows ``group, theme, kind, notes`` for a heatmap.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> rows = group_theme_counts(example_graph())
    >>> [(r["group"], r["notes"]) for r in rows if r["theme"] == "Time and capacity"]
    [('Group 1 · alpha', 1), ('Group 1 · beta', 1), ('Group 2 · alpha', 1)]
    """
    multi = _multi_workshop(G)
    counts: Counter[tuple[str, str]] = Counter()
    for n, d in G.nodes(data=True):
        if d.get("kind") != NodeKind.NOTE:
            continue
        for t in _about(G, n, EdgeKind.ABOUT):
            counts[_group_label(d, multi), t] += 1
    return [
        {
            "group": g,
            "theme": str(G.nodes[t]["label"]),
            "kind": str(G.nodes[t]["kind"]),
            "notes": c,
        }
        for (g, t), c in sorted(counts.items())
    ]


def org_mentions(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Organisations with the notes and groups mentioning them, most mentioned first.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> [(r["organisation"], r["notes"], r["groups"]) for r in org_mentions(example_graph())]
    [('NHS', 2, 2), ('Procurement function', 2, 2)]
    """
    rows: list[dict[str, Any]] = []
    for n, d in G.nodes(data=True):
        if d.get("kind") != NodeKind.ORGANISATION:
            continue
        notes = [u for u, _, k in G.in_edges(n, keys=True) if k == EdgeKind.MENTIONS]
        if not notes:
            continue
        groups = {(G.nodes[u].get("workshop"), G.nodes[u].get("group")) for u in notes}
        rows.append(
            {
                "organisation": str(d.get("label")),
                "type": str(d.get("org_type", "")),
                "notes": len(notes),
                "groups": len(groups),
            }
        )
    rows.sort(key=lambda r: (-r["notes"], r["organisation"]))
    return rows


# --------------------------------------------------------------------------- ask


_MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Escape Markdown (and LaTeX ``$``) so workshop text renders as plain text.

    Examples
    --------
    >>> print(md_escape("[click](javascript:x) *bold* $5"))
    \\[click\\]\\(javascript\\:x\\) \\*bold\\* \\$5
    """
    return _MD_SPECIAL_RE.sub(r"\\\1", " ".join(text.split()))


def practice_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ranked practices of a :func:`~collab_graph.graph.query.practices_for` answer, as rows.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> from collab_graph.graph.query import practices_for
    >>> row = practice_rows(practices_for(example_graph(), "day job no time"))[0]
    >>> row["rank"], row["practice"], row["score"], row["curated"], row["evidence"], row["level"]
    (1, 'Protected / dedicated time for innovation', 0.75, 1.0, 0.5, 1)
    """
    rows = []
    for i, p in enumerate(result.get("practices", []), start=1):
        cur = p.get("curated") or {}
        rows.append(
            {
                "rank": i,
                "practice": p["label"],
                "score": p["score"],
                "curated": p.get("curated_score", 0.0),
                "evidence": p.get("evidence_score", 0.0),
                "level": p["level"],
                "strength": cur.get("strength") or "",
                "groups": ", ".join(str(g) for g in p.get("groups", [])),
                "quotes": len(p.get("evidence", [])),
                "id": p["id"],
            }
        )
    return rows


def quote_rows(evidence: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Evidence entries as table rows: the quote and where it comes from.

    Examples
    --------
    >>> quote_rows([{"text": "t", "group": 3, "question": 1, "prompt": "D", "line": 149,
    ...              "note": "G3-Q1-D-6", "role": "barrier", "workshop": "w"}])[0]["where"]
    'Group 3 · Q1 · D) · line 149'
    """
    rows = []
    for e in evidence:
        where = []
        if e.get("group") is not None:
            where.append(f"Group {e['group']}")
        if e.get("question") is not None:
            where.append(f"Q{e['question']}")
        if e.get("prompt"):
            where.append(f"{e['prompt']})")
        where.append(f"line {e.get('line')}")
        rows.append(
            {
                "quote": e.get("text", ""),
                "where": " · ".join(where),
                "supports": e.get("role", ""),
                "group": e.get("group"),
                "question": e.get("question"),
                "prompt": e.get("prompt"),
                "line": e.get("line"),
                "note": e.get("note"),
                "workshop": e.get("workshop"),
            }
        )
    return rows


def combined_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of a :func:`collab_graph.graph.query.combined_practices` result, one column per barrier.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> from collab_graph.graph.query import combined_practices
    >>> res = combined_practices(example_graph(), ["b_time_capacity", "b_funding_budgets"])
    >>> row = combined_rows(res)[0]
    >>> row["practice"], row["barriers addressed"], row["Time and capacity"]
    ('Protected / dedicated time for innovation', 2, 0.75)
    """
    labels = {b["id"]: b["label"] for b in result.get("barriers", [])}
    rows = []
    for p in result.get("practices", []):
        row: dict[str, Any] = {
            "practice": p["label"],
            "combined score": p["score"],
            "barriers addressed": p["addresses"],
            "level 1": p["level1"],
            "level 2": p["level2"],
        }
        for bid, label in labels.items():
            per = p["barriers"].get(bid)
            row[label] = per["score"] if per else None
        rows.append(row)
    return rows


def answer_subgraph(
    G: nx.MultiDiGraph, barrier_id: str, practice_ids: Sequence[str], *, max_notes: int = 30
) -> nx.MultiDiGraph:
    """The barrier, the given practices, their ``addresses`` links and the barrier's notes.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> H = answer_subgraph(example_graph(), "b_time_capacity", ["p_protected_time"])
    >>> sorted(H.nodes[n]["kind"] for n in H)
    ['barrier', 'note', 'note', 'note', 'practice']
    """
    from collab_graph.graph.build import theme_node

    b = theme_node(barrier_id)
    keep = {b, *(theme_node(p) for p in practice_ids)}
    notes = [u for u, _, k in G.in_edges(b, keys=True) if k == EdgeKind.ABOUT]
    keep.update(sorted(notes)[:max_notes])
    H = nx.MultiDiGraph(G.subgraph(n for n in keep if n in G))
    drop = [
        (u, v, k)
        for u, v, k in H.edges(keys=True)
        if k != EdgeKind.ADDRESSES and not (k == EdgeKind.ABOUT and v == b)
    ]
    H.remove_edges_from(drop)
    return H
