"""Rows for people to read: answers and notes as table rows, shared by the CLI and the app.

``collab-graph practices --format table`` and the app's Ask page show the same
:func:`practice_rows` and :func:`quote_rows`; the app's Notes page shows
:func:`note_rows`. Each interface only decides how to draw a row (a rich table,
a dataframe, a quote in Markdown); what a row says is decided here, once.

A quote's *where* is its group (or section), question, prompt and line, naming only the
parts the notes have (``Group 3 · Q1 · D) · line 149``, or just ``line 4``
for notes without groups or questions).

Examples
--------
>>> from collab_graph.graph.examples import example_graph
>>> from collab_graph.graph.query import practices_for
>>> result = practices_for(example_graph(), "day job no time")
>>> [(r["rank"], r["groups"]) for r in practice_rows(result)][:2]  # two workshops: counted
[(1, '2 groups'), (2, '1 group')]
>>> [q["where"] for q in quote_rows(result["practices"][0]["evidence"])][:2]
['Group 1 · Q1 · line 3', 'Group 1 · Q1 · A) · line 5']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from collab_graph.graph.links import LEVEL_MEANINGS
from collab_graph.graph.query import note_nodes
from collab_graph.graph.schema import KnowledgeGraph, NodeAttr
from collab_graph.model import EdgeKind

__all__ = [
    "COLUMNS",
    "Column",
    "ColumnType",
    "column",
    "combined_legend",
    "combined_rows",
    "groups_text",
    "note_rows",
    "practice_rows",
    "quote_rows",
    "quote_where",
    "row_height",
    "several_workshops",
    "summarise_list",
]

_LABELS_SEP = "; "
"""Joins the labels of a note's themes or organisations in :func:`note_rows`."""


def several_workshops(result: Mapping[str, Any]) -> bool:
    """Whether a :func:`~collab_graph.graph.query.practices_for` answer spans several workshops.

    Then a group number alone is ambiguous, and :func:`groups_text` counts
    groups instead of listing their numbers.

    Examples
    --------
    >>> several_workshops({"barrier": {"workshop_groups": [{"workshop": "a", "group": 1}]},
    ...                    "practices": [{"workshop_groups": [{"workshop": "b", "group": 1}]}]})
    False
    >>> several_workshops({"barrier": {"workshop_groups": [{"workshop": "a", "group": 1},
    ...                                                   {"workshop": "b", "group": 1}]}})
    True
    """
    items = [result.get("barrier") or {}, *result.get("practices", [])]
    return any(len({g["workshop"] for g in item.get("workshop_groups", [])}) > 1 for item in items)


def groups_text(item: Mapping[str, Any], *, several: bool) -> str:
    """The groups behind a barrier or practice: their numbers, or a count across workshops.

    Parameters
    ----------
    item : mapping
        A barrier or practice of a :func:`~collab_graph.graph.query.practices_for`
        answer (``groups`` and ``workshop_groups``).
    several : bool
        The answer spans several workshops (:func:`several_workshops`).

    Examples
    --------
    >>> item = {"groups": [1, 3], "workshop_groups": [{"workshop": "a", "group": 1},
    ...                                               {"workshop": "a", "group": 3}]}
    >>> groups_text(item, several=False), groups_text(item, several=True)
    ('1, 3', '2 groups')
    >>> groups_text({"groups": [], "workshop_groups": []}, several=False)
    '-'

    Where notes have no groups, the ``sources`` (sections, or the whole
    workshop) stand in for them:

    >>> item = {"groups": [], "sources": [{"workshop": "a", "group": None, "section": "Challenges"},
    ...                                  {"workshop": "a", "group": None, "section": None}]}
    >>> groups_text(item, several=False)
    'section “Challenges”, the whole workshop'
    """
    sources = item.get("sources") or []
    if any(u.get("group") is None for u in sources):
        return _units_text(sources, several=several)
    if several:
        n = len(item.get("workshop_groups", []))
        return f"{n} group" if n == 1 else f"{n} groups"
    return ", ".join(str(g) for g in item.get("groups", [])) or "-"


def _units_text(sources: Sequence[Mapping[str, Any]], *, several: bool) -> str:
    """Groups, sections and whole workshops of a ``sources`` list, in words."""
    groups = [u["group"] for u in sources if u.get("group") is not None]
    sections = [u["section"] for u in sources if u.get("group") is None and u.get("section")]
    whole = sum(1 for u in sources if u.get("group") is None and not u.get("section"))
    parts = []
    if groups:
        parts.append(
            f"{len(groups)} group{'s' * (len(groups) != 1)}"
            if several
            else "groups " + ", ".join(str(g) for g in sorted(set(groups)))
        )
    if sections:
        parts.append(
            f"section “{sections[0]}”" if len(sections) == 1 else f"{len(sections)} sections"
        )
    if whole:
        parts.append("the whole workshop" if whole == 1 else f"{whole} whole workshops")
    return ", ".join(parts) or "-"


def practice_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ranked practices of a :func:`~collab_graph.graph.query.practices_for` answer, as rows.

    Each row has ``rank``, ``practice`` (its label), ``score``, ``link``
    (``curated``, ``evidence`` or ``both``: where the link comes from),
    ``curated`` and ``evidence`` (the two parts of the score), ``level``,
    ``strength`` (of the curated link, ``""`` when none), ``groups``
    (:func:`groups_text`: the groups, or sections, reporting it),
    ``quotes`` (how many notes support it, all of them, not only those the
    answer carries) and ``id``.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> from collab_graph.graph.query import practices_for
    >>> row = practice_rows(practices_for(example_graph(), "day job no time"))[0]
    >>> row["rank"], row["practice"], row["score"], row["curated"], row["evidence"], row["level"]
    (1, 'Protected / dedicated time for innovation', 0.75, 1.0, 0.5, 1)
    >>> row["link"], row["strength"], row["quotes"], row["id"]
    ('both', 'strong', 3, 'p_protected_time')
    """
    several = several_workshops(result)
    rows = []
    for i, p in enumerate(result.get("practices", []), start=1):
        cur = p.get("curated") or {}
        rows.append(
            {
                "rank": i,
                "practice": p["label"],
                "score": p["score"],
                "link": p.get("origin", ""),
                "curated": p.get("curated_score", 0.0),
                "evidence": p.get("evidence_score", 0.0),
                "level": p["level"],
                "strength": cur.get("strength") or "",
                "groups": groups_text(p, several=several),
                "quotes": p.get("evidence_total", len(p.get("evidence", []))),
                "id": p["id"],
            }
        )
    return rows


def quote_where(entry: Mapping[str, Any]) -> str:
    """Where a quote comes from: group, question, prompt and line, as far as they are known.

    Examples
    --------
    >>> quote_where({"group": 3, "question": 1, "prompt": "D", "line": 149})
    'Group 3 · Q1 · D) · line 149'
    >>> quote_where({"group": None, "question": None, "prompt": None, "line": 4})
    'line 4'
    >>> quote_where({"group": None, "section": "Challenges", "line": 7})
    '“Challenges” · line 7'
    """
    where = []
    if entry.get("group") is not None:
        where.append(f"Group {entry['group']}")
    elif entry.get("section"):
        where.append(f"“{entry['section']}”")
    if entry.get("question") is not None:
        where.append(f"Q{entry['question']}")
    if entry.get("prompt"):
        where.append(f"{entry['prompt']})")
    where.append(f"line {entry.get('line')}")
    return " · ".join(where)


def quote_rows(evidence: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Evidence entries as table rows: the quote, where it comes from and what it supports.

    Parameters
    ----------
    evidence : iterable of mapping
        Entries of :func:`~collab_graph.graph.query.evidence_entry` (the
        ``evidence`` of a barrier or practice in a ``practices_for`` answer).

    Returns
    -------
    list of dict
        ``quote, where`` (:func:`quote_where`), ``supports`` (``practice`` or
        ``barrier``), ``kind`` (the note's own kind), ``explicit`` (the note
        pairs the practice and the barrier), ``group, question, prompt, line,
        note, workshop``.

    Examples
    --------
    >>> row = quote_rows([{"text": "t", "group": 3, "question": 1, "prompt": "D", "line": 149,
    ...                    "note": "G3-Q1-D-6", "role": "barrier", "kind": "barrier",
    ...                    "workshop": "w"}])[0]
    >>> row["where"], row["supports"], row["kind"], row["explicit"]
    ('Group 3 · Q1 · D) · line 149', 'barrier', 'barrier', False)
    """
    return [
        {
            "quote": e.get("text", ""),
            "where": quote_where(e),
            "supports": e.get("role", ""),
            "kind": e.get("kind"),
            "explicit": bool(e.get("explicit", False)),
            "group": e.get("group"),
            "question": e.get("question"),
            "prompt": e.get("prompt"),
            "line": e.get("line"),
            "note": e.get("note"),
            "workshop": e.get("workshop"),
        }
        for e in evidence
    ]


def combined_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of a :func:`~collab_graph.graph.query.combined_practices` answer, a column per barrier.

    The barriers' columns are named ``barrier 1``, ``barrier 2`` … in the order
    of the answer (:func:`combined_legend` names them), so that every header
    fits its column; a practice that does not address a barrier has ``None``
    there.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> from collab_graph.graph.query import combined_practices
    >>> res = combined_practices(example_graph(), ["b_time_capacity", "b_funding_budgets"])
    >>> row = combined_rows(res)[0]
    >>> row["practice"], row["barriers addressed"], row["barrier 1"]
    ('Protected / dedicated time for innovation', 2, 0.75)
    >>> combined_legend(res)[0]
    ('barrier 1', 'Time and capacity')
    """
    columns = dict(combined_legend(result))
    rows = []
    for p in result.get("practices", []):
        row: dict[str, Any] = {
            "practice": p["label"],
            "combined score": p["score"],
            "barriers addressed": p["addresses"],
            "level 1": p["level1"],
            "level 2": p["level2"],
        }
        for name, b in zip(columns, result.get("barriers", []), strict=True):
            per = p["barriers"].get(b["id"])
            row[name] = per["score"] if per else None
        rows.append(row)
    return rows


def combined_legend(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The barrier columns of :func:`combined_rows` and the barrier each stands for."""
    return [(f"barrier {i}", b["label"]) for i, b in enumerate(result.get("barriers", []), 1)]


def note_rows(G: KnowledgeGraph) -> list[dict[str, Any]]:
    """Every note with its provenance and coding, one row per note, in source order.

    ``themes`` and ``orgs`` are the labels, ``;``-separated; ``theme_ids`` and
    ``org_ids`` keep the ids (for editing) and ``node`` the node id.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> rows = note_rows(example_graph())
    >>> rows[0]["id"], rows[0]["kind"], rows[0]["themes"]
    ('G1-Q1-A-1', 'practice', 'Protected / dedicated time for innovation')
    >>> rows[2]["orgs"], rows[2]["org_ids"], rows[2]["where"]
    ('NHS', ['nhs'], 'Group 1 · Q1 · A) · line 7')
    """
    rows: list[dict[str, Any]] = []
    # plain dict lookups, for 20k+ notes (the networkx stubs do not type dict(NodeDataView))
    data: dict[str, dict[str, Any]] = {n: d for n, d in G.nodes(data=True)}  # noqa: C416
    about, mentions = str(EdgeKind.ABOUT), str(EdgeKind.MENTIONS)
    for n in note_nodes(G):
        d = data[n]
        out = G.succ[n]
        themes = [v for v, keyed in out.items() if about in keyed]
        orgs = [v for v, keyed in out.items() if mentions in keyed]
        rows.append(
            {
                "workshop": d.get(NodeAttr.WORKSHOP),
                "id": d.get(NodeAttr.NOTE_ID),
                "group": d.get(NodeAttr.GROUP),
                "question": d.get(NodeAttr.QUESTION),
                "prompt": d.get(NodeAttr.PROMPT),
                "line": d.get(NodeAttr.LINE),
                "where": quote_where(
                    {
                        "group": d.get(NodeAttr.GROUP),
                        "section": d.get(NodeAttr.SECTION),
                        "question": d.get(NodeAttr.QUESTION),
                        "prompt": d.get(NodeAttr.PROMPT),
                        "line": d.get(NodeAttr.LINE),
                    }
                ),
                "text": d.get(NodeAttr.TEXT),
                "kind": d.get(NodeAttr.NOTE_KIND),
                "themes": _LABELS_SEP.join(str(data[t][NodeAttr.LABEL]) for t in themes),
                "orgs": _LABELS_SEP.join(str(data[o][NodeAttr.LABEL]) for o in orgs),
                "confidence": d.get(NodeAttr.CONFIDENCE),
                "reviewed": bool(d.get(NodeAttr.REVIEWED, False)),
                "reasons": d.get(NodeAttr.REASONS, ""),
                "theme_ids": [str(data[t].get(NodeAttr.THEME_ID, t)) for t in themes],
                "org_ids": [str(data[o].get(NodeAttr.ORG_ID, o)) for o in orgs],
                "node": n,
            }
        )
    return rows


# --------------------------------------------------------------------------- columns


class ColumnType(StrEnum):
    """How a table column is drawn: its values' type and format."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"  # two decimals
    SCORE = "score"  # 0–1, drawn as a bar with two decimals
    CHECK = "check"


@dataclass(frozen=True)
class Column:
    """How one column of a table is shown: width in pixels, type, header and its help.

    The app turns each into a Streamlit column configuration; the width is
    the width the column needs at 1440×900 for its header and its usual
    values (longer text wraps, see :func:`row_height`).
    """

    width: int
    type: ColumnType = ColumnType.TEXT
    help: str | None = None
    label: str | None = None


_T, _I, _N, _S, _C = (
    ColumnType.TEXT,
    ColumnType.INTEGER,
    ColumnType.NUMBER,
    ColumnType.SCORE,
    ColumnType.CHECK,
)
_LEVELS = "; ".join(LEVEL_MEANINGS.values())

COLUMNS: dict[str, Column] = {
    # answers (Ask page, practice_rows / quote_rows / combined_rows)
    "rank": Column(50, _I),
    "practice": Column(295),
    "barrier": Column(260),
    "score": Column(
        100,
        _S,
        "0.5 × curated part + 0.5 × evidence part (0–1): how well the practice "
        "addresses the barrier",
    ),
    "link": Column(75, help="curated (an analyst's link), evidence (the notes alone) or both"),
    "curated": Column(
        70, _N, "The analyst's link: 1.0 strong, 0.6 moderate, 0 none", label="curated"
    ),
    "evidence": Column(
        75,
        _N,
        "From the notes: mean over the groups raising the barrier of the strongest "
        "signal (1.0 one note names both, 0.5 same prompt, 0.25 same group)",
    ),
    "level": Column(50, _I, _LEVELS),
    "strength": Column(80, help="Strength of the curated link (empty: no curated link)"),
    "groups": Column(90, help="The groups (or sections) behind it"),
    "quotes": Column(60, _I, "How many notes support it"),
    "quote": Column(380),
    "where": Column(150, help="Group (or section), question, prompt and source line"),
    "supports": Column(
        80,
        help="practice: the note reports the practice; barrier: the note raises the "
        "barrier (evidence for the barrier side only)",
    ),
    "explicit": Column(70, _C, "The note itself pairs the practice and the barrier"),
    "note kind": Column(85, help="How the note itself is coded"),
    "note": Column(110, help="Note id"),
    "combined score": Column(120, _N, "Sum of the practice's scores over the barriers chosen"),
    "barriers addressed": Column(130, _I, "How many of the chosen barriers it addresses"),
    "level 1": Column(60, _I, "Of the chosen barriers, how many it addresses at " + _LEVELS),
    "level 2": Column(60, _I, "Of the chosen barriers, how many it addresses at Level 2"),
    "reported by": Column(100, help="Groups reporting the practice"),
    "needed by": Column(100, help="Groups raising the barrier but not reporting the practice"),
    # notes (Notes page, note_rows)
    "workshop": Column(200),
    "id": Column(85),
    "group": Column(55, _I),
    "question": Column(70, _I),
    "prompt": Column(60),
    "line": Column(50, _I, "Line in the source file"),
    "text": Column(250),
    "kind": Column(
        90, help="practice, barrier, benefit, context or heading; ✓: set by an analyst's review"
    ),
    "themes": Column(160),
    "orgs": Column(115, label="organisations"),
    "confidence": Column(95, _S, "The classifier's probability for the kind it chose"),
    "reviewed": Column(75, _C, "An analyst's review sets this note's coding"),
    "needs review": Column(95, _C, "The classifier is unsure of this note"),
    "reasons": Column(260, help="Why the classifier chose the kind"),
    # parse report (Data page)
    "title": Column(190),
    "source": Column(220),
    "notes": Column(60, _I),
    "questions": Column(80, _I),
    "structure lines": Column(105, _I, "Groups, questions, prompts and headings"),
    "unassigned": Column(90, _I, "Lines that are neither a note nor structure"),
    "warnings": Column(200),
    "why": Column(300),
}
"""Every column name the app's tables use, with how it is shown."""

_BARRIER_COLUMN = re.compile(r"barrier \d+")  # combined_rows' columns
_CHAR_PX = 7.4  # mean width of a character of the table font, in pixels
_LINE_PX = 21  # height of one wrapped line of text
_ROW_PAD = 12
_WRAP_MIN = 65  # Streamlit wraps text only in rows taller than 4rem (64 px)


def column(name: str) -> Column:
    """How a column is shown; a column not in :data:`COLUMNS` gets a width that fits its name.

    Examples
    --------
    >>> column("score").type, column("level").width
    (<ColumnType.SCORE: 'score'>, 50)
    >>> column("an unknown column").width
    166
    """
    if name in COLUMNS:
        return COLUMNS[name]
    if _BARRIER_COLUMN.fullmatch(name):
        return Column(95, ColumnType.SCORE, "The practice's score for this barrier")
    return Column(max(80, round(len(name) * _CHAR_PX + 40)))


def row_height(
    rows: Sequence[Mapping[str, Any]],
    *,
    widths: Mapping[str, int] | None = None,
    max_lines: int = 6,
) -> int | None:
    """The row height that shows every text cell in full, wrapped in its column's width.

    ``None`` when every value fits on one line (Streamlit's default row); otherwise
    enough lines for the longest value, at most ``max_lines``. ``widths``
    overrides the widths of :func:`column`.

    Examples
    --------
    >>> row_height([{"kind": "practice", "text": "short"}]) is None
    True
    >>> row_height([{"text": "a long note " * 8}])  # 96 characters in 250 px: three lines
    75
    >>> row_height([{"text": "a long note " * 8}], widths={"text": 500})  # two lines
    65
    """
    widths = widths or {}
    lines = 1
    for row in rows:
        for name, value in row.items():
            if not isinstance(value, str) or not value:
                continue
            width = widths.get(name) or column(name).width
            per_line = max(1, int((width - 12) / _CHAR_PX))
            lines = max(lines, -(-len(value) // per_line))
    if lines == 1:
        return None
    return max(_WRAP_MIN, min(lines, max_lines) * _LINE_PX + _ROW_PAD)


def summarise_list(text: str, *, limit: int = 90, sep: str = "; ") -> str:
    """The first items of a ``sep``-separated list that fit in ``limit`` characters, and how many
    more there are (a table cell that reads in full; the whole list is edited elsewhere).

    Examples
    --------
    >>> summarise_list("a; b; c", limit=90)
    'a; b; c'
    >>> summarise_list("trust; trusting; relationship*; rapport; goodwill", limit=24)
    'trust … (4 more)'
    """
    items = [i for i in text.split(sep.strip()) if i.strip()]
    items = [i.strip() for i in items]
    if len(sep.join(items)) <= limit:
        return sep.join(items)
    kept: list[str] = []
    for item in items:
        if len(sep.join([*kept, item])) > limit - 12 and kept:
            break
        kept.append(item)
    return f"{sep.join(kept)} … ({len(items) - len(kept)} more)"
