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

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from collab_graph.graph.query import note_nodes
from collab_graph.graph.schema import KnowledgeGraph, NodeAttr
from collab_graph.model import EdgeKind

__all__ = [
    "combined_rows",
    "groups_text",
    "note_rows",
    "practice_rows",
    "quote_rows",
    "quote_where",
    "several_workshops",
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
        ``barrier``), ``explicit`` (the note pairs the practice and the
        barrier), ``group, question, prompt, line, note, workshop``.

    Examples
    --------
    >>> row = quote_rows([{"text": "t", "group": 3, "question": 1, "prompt": "D", "line": 149,
    ...                    "note": "G3-Q1-D-6", "role": "barrier", "workshop": "w"}])[0]
    >>> row["where"], row["supports"], row["explicit"]
    ('Group 3 · Q1 · D) · line 149', 'barrier', False)
    """
    return [
        {
            "quote": e.get("text", ""),
            "where": quote_where(e),
            "supports": e.get("role", ""),
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
    >>> rows[2]["orgs"], rows[2]["org_ids"]
    ('NHS', ['nhs'])
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
