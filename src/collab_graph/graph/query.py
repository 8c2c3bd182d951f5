"""Questions users ask of the knowledge graph, as plain functions taking the graph first.

The central one is :func:`practices_for`: which practices address a barrier,
ranked by the ``addresses`` links' score (see :mod:`collab_graph.graph.links`), each
with the quotes behind it. Its result is plain JSON-ready data in the shape of
``collab-graph practices --format json`` (``shared/CONTRACT.md``), plus extra keys.

Other queries: :func:`themes_ranked` (barriers or practices by number of
groups), :func:`groups_mentioning`, :func:`org_profile` and
:func:`org_mentions` (organisations), :func:`kind_counts` and
:func:`group_theme_counts` (what the app's Insights page charts),
:func:`gaps`, :func:`centrality` and :func:`communities` of the
:func:`theme_graph`, and :func:`combined_practices` (several barriers at once,
as in CFIR-ERIC). The building blocks are :func:`nodes_of_kind`,
:func:`note_nodes`, :func:`notes_of` (the notes about a theme, mentioning an
organisation or raised by a group) and :func:`targets` (a node's themes,
organisations, ... along one edge kind).

Answers are computed from lookups built once per graph and kept while the
graph's version (:func:`collab_graph.graph.schema.graph_version`) and node
count stay the same; change a graph in place through
:func:`collab_graph.graph.build.add_edge`, or call :func:`invalidate`.

A *group* is a workshop's breakout group; across workshops it is identified by
``(workshop, group)``. Lists of groups in results are sorted group numbers
(``groups``) with the full ``{"workshop", "group"}`` pairs alongside
(``workshop_groups``) so that several workshops stay apart. In
:func:`practices_for`, ``sources`` lists the units of evidence as
``{"workshop", "group", "section"}``: the group, or for notes with no group
their section, or else the workshop (:func:`collab_graph.graph.links.evidence_unit`).

Examples
--------
>>> from collab_graph.graph.examples import example_graph
>>> G = example_graph()
>>> res = practices_for(G, "day job no time")
>>> res["barrier"]["id"], [p["id"] for p in res["practices"]][:2]
('b_time_capacity', ['p_protected_time', 'p_dedicated_team'])
>>> first = res["practices"][0]
>>> first["score"], first["level"], first["groups"]
(0.75, 1, [1])
>>> sorted({(e["note"], e["role"]) for e in first["evidence"]})[:2]
[('G1-Q1-1', 'practice'), ('G1-Q1-A-1', 'practice')]
"""

from __future__ import annotations

import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from rapidfuzz import fuzz, process, utils

from collab_graph.errors import NotFoundError
from collab_graph.graph.links import EvidenceUnit, link_origin, reports_practice
from collab_graph.graph.meaning import MIN_SIMILARITY, MeaningIndex, ThemeText
from collab_graph.graph.schema import (
    ORG_PREFIX,
    THEME_KINDS,
    THEME_PREFIX,
    TOOL_PREFIX,
    EdgeAttr,
    KnowledgeGraph,
    NodeAttr,
    graph_version,
    split_list,
    touch,
)
from collab_graph.model import EdgeKind, NodeKind, NoteKind

__all__ = [
    "DEFAULT_MAX_QUOTES",
    "DEFAULT_MIN_SCORE",
    "FUZZY_CUTOFF",
    "MIN_SIMILARITY",
    "Match",
    "NoMatchError",
    "centrality",
    "combined_practices",
    "communities",
    "evidence_entry",
    "gaps",
    "group_theme_counts",
    "groups_mentioning",
    "invalidate",
    "kind_counts",
    "nodes_of_kind",
    "note_nodes",
    "notes_of",
    "org_mentions",
    "org_profile",
    "practices_for",
    "resolve_barrier",
    "resolve_org",
    "targets",
    "theme_graph",
    "themes_ranked",
    "workshop_slugs",
]

FUZZY_CUTOFF = 75.0
"""Lowest rapidfuzz WRatio (0-100) at which free text matches a barrier or organisation."""

DEFAULT_MAX_QUOTES = 50
"""Quotes per practice that :func:`practices_for` returns unless asked for more.

One workshop never comes near it (the bundled one has at most 27 per practice);
a national corpus of 100k notes has tens of thousands, which no reader wants in
one answer and which would make each answer cost a quarter of a second."""

DEFAULT_MIN_SCORE = 0.25
"""Lowest link score that counts as "addressed" in :func:`gaps`."""

_ABOUT, _MENTIONS, _ADDRESSES = str(EdgeKind.ABOUT), str(EdgeKind.MENTIONS), str(EdgeKind.ADDRESSES)


class NoMatchError(NotFoundError):
    """Nothing matched a query; ``suggestions`` holds the closest candidates.

    Parameters
    ----------
    message : str
        One line saying what did not match.
    suggestions : sequence of dict
        ``{"id", "label", "score"}`` of the closest candidates, best first
        (barriers also carry their ``similarity``, 0-1).
    free_text : bool
        True when the query was read as free text and no theme was similar
        enough (an answer, "nothing matches well"); False when the query
        itself is unusable (empty, or the id of another kind of node).
    """

    def __init__(
        self,
        message: str,
        *,
        suggestions: Sequence[Mapping[str, Any]] = (),
        free_text: bool = False,
    ) -> None:
        super().__init__(message)
        self.suggestions = [dict(s) for s in suggestions]
        self.free_text = free_text


@dataclass(frozen=True, slots=True)
class Match:
    """How a query was resolved to a theme or organisation node."""

    node: str
    id: str
    label: str
    query: str
    matched_by: str  # "id", "label", "note", "meaning" (barriers) or "fuzzy" (organisations)
    score: float = 100.0  # "meaning": the similarity, 0-1; "fuzzy": rapidfuzz WRatio, 0-100
    note: str | None = None
    runners_up: tuple[dict[str, Any], ...] = ()  # "meaning": the next closest themes


_GroupsJson = tuple[list[int], list[dict[str, Any]], tuple[dict[str, Any], ...]]
"""``groups``, ``workshop_groups`` and ``sources`` of a theme."""


@dataclass(slots=True)
class _Index:
    """Lookups built once per graph (rebuilt when its version or node count changes)."""

    fingerprint: tuple[int, int]
    by_kind: dict[str, list[str]] = field(default_factory=dict)
    theme_groups: dict[str, dict[EvidenceUnit, list[str]]] = field(default_factory=dict)
    groups_json: dict[str, _GroupsJson] = field(default_factory=dict)
    notes_by_id: dict[str, list[str]] = field(default_factory=dict)
    theme_notes: dict[str, list[str]] = field(default_factory=dict)
    note_themes: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    choices: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    label_choices: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    addresses_in: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    pair_evidence: dict[tuple[str, str], list[tuple[str, str, bool]]] = field(default_factory=dict)
    meaning: dict[str, MeaningIndex] = field(default_factory=dict)
    # the link-independent part of each note quoted so far (bounded by the answers given)
    quotes: dict[str, dict[str, Any]] = field(default_factory=dict)


_CACHE: weakref.WeakKeyDictionary[KnowledgeGraph, _Index] = weakref.WeakKeyDictionary()


def _fingerprint(G: KnowledgeGraph) -> tuple[int, int]:
    # The version changes with every in-place edit made through the schema's
    # helpers (build.add_edge, schema.touch, invalidate) and the node count with
    # any added or removed node. The edge count is not part of the key: counting
    # edges walks the whole adjacency (about 0.3 s at 100k notes), which would
    # dominate every query (a practices_for answer takes about 2 ms).
    return graph_version(G), G.number_of_nodes()


def invalidate(G: KnowledgeGraph) -> None:
    """Record that ``G`` was changed in place and forget the lookups cached for it.

    Call it after changing a graph's edges or attributes through the networkx
    API; :func:`collab_graph.graph.build.add_edge` does it for you. It bumps the
    graph's version (:func:`collab_graph.graph.schema.touch`), so other caches
    keyed on the version see the change too. Adding or removing a node is
    noticed without it.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> from collab_graph.graph.schema import graph_version
    >>> G = example_graph()
    >>> _ = practices_for(G, "b_trust")
    >>> invalidate(G)
    >>> graph_version(G)
    1
    """
    touch(G)
    _CACHE.pop(G, None)


def _index(G: KnowledgeGraph) -> _Index:
    fp = _fingerprint(G)
    idx = _CACHE.get(G)
    if idx is not None and idx.fingerprint == fp:
        return idx
    idx = _Index(fp)
    for n, d in G.nodes(data=True):
        kind = d.get(NodeAttr.KIND, "")
        idx.by_kind.setdefault(kind, []).append(n)
        if kind == NodeKind.NOTE:
            idx.notes_by_id.setdefault(d.get(NodeAttr.NOTE_ID, n), []).append(n)
    for lst in idx.by_kind.values():
        lst.sort()
    # the "about" edges all end at a theme: walk the few themes, not every edge
    for theme_kind in THEME_KINDS:
        for v in idx.by_kind.get(str(theme_kind), []):
            for u, keyed in G.pred[v].items():
                about = keyed.get(_ABOUT)
                if about is not None:
                    primary = bool(about.get(EdgeAttr.PRIMARY))
                    idx.theme_notes.setdefault(v, []).append(u)
                    idx.note_themes.setdefault(u, []).append((v, primary))

    for lst in idx.theme_notes.values():
        lst.sort(key=lambda n: _note_sort_key(G, n))
    for themes in idx.note_themes.values():
        themes.sort(key=lambda t: (not t[1], t[0]))
    _CACHE[G] = idx
    return idx


# --------------------------------------------------------------------------- building blocks


def nodes_of_kind(G: KnowledgeGraph, *kinds: NodeKind | str) -> list[str]:
    """Node ids whose ``kind`` is one of ``kinds``, sorted.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> nodes_of_kind(example_graph(), NodeKind.BARRIER)
    ['theme/b_funding_budgets', 'theme/b_time_capacity', 'theme/b_trust']
    """
    wanted = {str(k) for k in kinds}
    return sorted(n for n, d in G.nodes(data=True) if d.get(NodeAttr.KIND) in wanted)


def workshop_slugs(G: KnowledgeGraph) -> list[str]:
    """The slugs of the workshops in ``G``, sorted.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> workshop_slugs(example_graph())
    ['alpha', 'beta']
    """
    return sorted(
        str(d[NodeAttr.SLUG])
        for _, d in G.nodes(data=True)
        if d.get(NodeAttr.KIND) == NodeKind.WORKSHOP
    )


def note_nodes(G: KnowledgeGraph) -> list[str]:
    """Note node ids in workshop and source-line order.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> note_nodes(example_graph())[:2]
    ['workshop/alpha/note/G1-Q1-A-1', 'workshop/alpha/note/G1-Q1-A-2']
    """
    notes = [(n, d) for n, d in G.nodes(data=True) if d.get(NodeAttr.KIND) == NodeKind.NOTE]
    notes.sort(key=lambda nd: (nd[1][NodeAttr.WORKSHOP], nd[1][NodeAttr.LINE], nd[0]))
    return [n for n, _ in notes]


def targets(G: KnowledgeGraph, node: str, kind: EdgeKind | str) -> list[str]:
    """The nodes that ``node``'s edges of ``kind`` lead to, in the order they were added.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    node : str
        A node id.
    kind : EdgeKind or str
        The edge kind, e.g. ``about`` for a note's themes, ``mentions`` for its
        organisations.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> targets(example_graph(), "workshop/beta/note/G1-Q1-2", EdgeKind.MENTIONS)
    ['org/procurement', 'org/nhs']
    """
    key = str(kind)
    return [v for v, keyed in G.succ[node].items() if key in keyed]


def sources(G: KnowledgeGraph, node: str, kind: EdgeKind | str) -> list[str]:
    """The nodes whose edges of ``kind`` lead to ``node``, in the order they were added.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> sources(example_graph(), "org/nhs", EdgeKind.MENTIONS)
    ['workshop/alpha/note/G1-Q1-A-3', 'workshop/beta/note/G1-Q1-2']
    """
    key = str(kind)
    return [u for u, keyed in G.pred[node].items() if key in keyed]


def notes_of(G: KnowledgeGraph, node: str) -> list[str]:
    """The notes about a theme, mentioning an organisation or tool, or raised by a group.

    The one walk from a hub to its notes: the quotes of :func:`practices_for`,
    :func:`org_profile` and the view's drill-down all start from it. Notes come
    in workshop, group and line order; any other node has none.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    node : str
        A theme, organisation, tool or group node id.

    Raises
    ------
    KeyError
        When ``node`` is not in ``G``.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> G = example_graph()
    >>> [G.nodes[n]["label"] for n in notes_of(G, "theme/b_time_capacity")]
    ['G1-Q1-A-2', 'G2-Q1-A-2', 'G1-Q1-1']
    >>> len(notes_of(G, "workshop/alpha/G2")), notes_of(G, "workshop/alpha")
    (4, [])
    """
    kind = G.nodes[node].get(NodeAttr.KIND)
    if kind in THEME_KINDS:
        notes = sources(G, node, EdgeKind.ABOUT)
    elif kind in (NodeKind.ORGANISATION, NodeKind.TOOL):
        notes = sources(G, node, EdgeKind.MENTIONS)
    elif kind == NodeKind.GROUP:
        notes = targets(G, node, EdgeKind.RAISED)
    else:
        return []
    return sorted(notes, key=lambda n: _note_sort_key(G, n))


def _side_notes(G: KnowledgeGraph, idx: _Index, theme: str) -> list[str]:
    """The notes on a theme's side of a link: for a practice, only the notes reporting it."""
    notes = idx.theme_notes.get(theme, [])
    if G.nodes[theme].get(NodeAttr.KIND) != NodeKind.PRACTICE:
        return notes
    return [n for n in notes if reports_practice(G.nodes[n].get(NodeAttr.NOTE_KIND, ""))]


def _theme_groups(G: KnowledgeGraph, idx: _Index, theme: str) -> dict[EvidenceUnit, list[str]]:
    """The notes on ``theme``'s side (:func:`_side_notes`) by unit of evidence, in order.

    Cached per graph.
    """
    groups = idx.theme_groups.get(theme)
    if groups is None:
        groups = {}
        for n in _side_notes(G, idx, theme):
            groups.setdefault(_unit_ref(G, n), []).append(n)
        groups = dict(sorted(groups.items(), key=lambda kv: _unit_key(kv[0])))
        idx.theme_groups[theme] = groups
    return groups


def _theme_groups_json(G: KnowledgeGraph, idx: _Index, theme: str) -> _GroupsJson:
    """``groups``, ``workshop_groups`` (fresh lists) and ``sources`` of a theme (cached).

    ``sources`` is a tuple shared by every answer (copying a list of thousands
    of units per practice would cost a quarter of an answer at 100k notes).
    """
    cached = idx.groups_json.get(theme)
    if cached is None:
        units = _theme_groups(G, idx, theme)
        numbers, wg = _groups_json((u.workshop, u.group) for u in units)
        cached = (numbers, wg, tuple(u.source() for u in units))
        idx.groups_json[theme] = cached
    return list(cached[0]), list(cached[1]), cached[2]


def _ref_key(ref: tuple[str, int | None]) -> tuple[str, int]:
    return (ref[0], -1 if ref[1] is None else ref[1])


def _unit_key(unit: EvidenceUnit) -> tuple[str, int, int, str]:
    return (unit.workshop, -1 if unit.group is None else unit.group, unit.line, unit.section or "")


def _note_sort_key(G: KnowledgeGraph, n: str) -> tuple[str, int, int, str]:
    d = G.nodes[n]
    return (d.get(NodeAttr.WORKSHOP, ""), d.get(NodeAttr.GROUP, -1), d.get(NodeAttr.LINE, 0), n)


def _label_choices(G: KnowledgeGraph, idx: _Index, kind: str) -> tuple[list[str], list[str]]:
    """Labels, alternative labels, aliases and cue phrases of one node kind (a short list)."""
    if kind in idx.label_choices:
        return idx.label_choices[kind]
    texts: list[str] = []
    targets: list[str] = []
    for n in idx.by_kind.get(kind, []):
        d = G.nodes[n]
        for s in [
            d.get(NodeAttr.LABEL, ""),
            *split_list(d.get(NodeAttr.ALT_LABELS)),
            *split_list(d.get(NodeAttr.ALIASES)),
        ]:
            texts.append(s)
            targets.append(n)
        for s in split_list(d.get(NodeAttr.CUES)):
            texts.append(s.rstrip("*"))
            targets.append(n)
    idx.label_choices[kind] = (texts, targets)
    return texts, targets


def _fuzzy_choices(G: KnowledgeGraph, idx: _Index, kind: str) -> tuple[list[str], list[str]]:
    """Strings to fuzzy-match for one node kind (labels, cues, note texts) and their nodes."""
    if kind in idx.choices:
        return idx.choices[kind]
    label_texts, label_targets = _label_choices(G, idx, kind)
    texts, targets = list(label_texts), list(label_targets)
    if kind in THEME_KINDS:
        for note, themes in idx.note_themes.items():
            hit = next((t for t, _ in themes if G.nodes[t].get(NodeAttr.KIND) == kind), None)
            if hit is not None:
                texts.append(G.nodes[note].get(NodeAttr.TEXT, ""))
                targets.append(hit)
    idx.choices[kind] = (texts, targets)
    return texts, targets


def _suggest(
    G: KnowledgeGraph, idx: _Index, kind: str, query: str, k: int = 5
) -> list[dict[str, Any]]:
    texts, targets = _fuzzy_choices(G, idx, kind)
    best: dict[str, float] = {}
    for _, sc, i in process.extract(
        query, texts, scorer=fuzz.WRatio, processor=utils.default_process, limit=None
    ):
        node = targets[i]
        if node not in best:
            best[node] = round(float(sc), 1)
        if len(best) >= k:
            break
    if len(best) < k:
        for node in idx.by_kind.get(kind, []):
            best.setdefault(node, 0.0)
            if len(best) >= k:
                break
    return [
        {"id": _short_id(G, n), "label": G.nodes[n].get(NodeAttr.LABEL, ""), "score": s}
        for n, s in best.items()
    ]


def _meaning_index(G: KnowledgeGraph, idx: _Index, kind: str) -> MeaningIndex:
    """The themes of one kind described by their words and their tagged notes (cached)."""
    found = idx.meaning.get(kind)
    if found is None:
        themes = {}
        for n in idx.by_kind.get(kind, []):
            d = G.nodes[n]
            description = ". ".join(
                [
                    *(c.rstrip("*") for c in split_list(d.get(NodeAttr.CUES))),
                    d.get(NodeAttr.DEFINITION, "") or "",
                ]
            )
            notes = [G.nodes[u].get(NodeAttr.TEXT, "") for u in idx.theme_notes.get(n, [])]
            themes[n] = ThemeText(
                d.get(NodeAttr.LABEL, ""),
                description,
                notes,
                split_list(d.get(NodeAttr.ALT_LABELS)),
            )
        found = idx.meaning[kind] = MeaningIndex(themes)
    return found


def _closest(
    G: KnowledgeGraph, ranked: Sequence[tuple[str, float]], k: int = 5
) -> list[dict[str, Any]]:
    return [
        {
            "id": _short_id(G, n),
            "label": G.nodes[n].get(NodeAttr.LABEL, ""),
            "similarity": round(sim, 3),
            "score": round(100 * sim, 1),
        }
        for n, sim in ranked[:k]
        if sim > 0  # a theme that shares no word or concept with the query is not close
    ]


def _short_id(G: KnowledgeGraph, node: str) -> str:
    d = G.nodes[node]
    return str(
        d.get(NodeAttr.THEME_ID) or d.get(NodeAttr.ORG_ID) or d.get(NodeAttr.NOTE_ID) or node
    )


def _resolve(G: KnowledgeGraph, query: str, kind: NodeKind, what: str) -> Match:
    idx = _index(G)
    q = query.strip()
    if not q:
        raise NoMatchError(f"empty {what} query", suggestions=_suggest(G, idx, kind, "", 5))
    nodes = idx.by_kind.get(str(kind), [])
    prefix = (
        THEME_PREFIX
        if kind in THEME_KINDS
        else TOOL_PREFIX
        if kind == NodeKind.TOOL
        else ORG_PREFIX
    )
    for cand in (q, prefix + q):
        if cand in G and G.nodes[cand].get(NodeAttr.KIND) == kind:
            return Match(cand, _short_id(G, cand), G.nodes[cand][NodeAttr.LABEL], query, "id")
        if cand in G and cand.startswith(prefix):
            other = G.nodes[cand].get(NodeAttr.KIND)
            raise NoMatchError(
                f"{q!r} is a {other}, not a {what}",
                suggestions=_suggest(G, idx, kind, G.nodes[cand].get(NodeAttr.LABEL, q)),
            )
    folded = q.casefold()
    for n in nodes:
        d = G.nodes[n]
        labels = [
            d.get(NodeAttr.LABEL, ""),
            *split_list(d.get(NodeAttr.ALT_LABELS)),
            *split_list(d.get(NodeAttr.ALIASES)),
        ]
        if any(folded == s.casefold() for s in labels):
            return Match(n, _short_id(G, n), d[NodeAttr.LABEL], query, "label")
    text_query = q
    if kind in THEME_KINDS:
        notes = idx.notes_by_id.get(q) or (
            [q] if q in G and G.nodes[q].get(NodeAttr.KIND) == NodeKind.NOTE else []
        )
        for note in notes:
            for t, _ in idx.note_themes.get(note, []):
                if G.nodes[t].get(NodeAttr.KIND) == kind:
                    return Match(
                        t,
                        _short_id(G, t),
                        G.nodes[t][NodeAttr.LABEL],
                        query,
                        "note",
                        note=G.nodes[note].get(NodeAttr.NOTE_ID, note),
                    )
        if notes:
            text_query = G.nodes[notes[0]].get(NodeAttr.TEXT, q)
    if kind == NodeKind.BARRIER:
        return _by_meaning(G, idx, query, text_query, kind, what)
    # Labels and cue phrases first (a short list); the notes' own texts only when
    # those miss: they grow with the corpus and would make every query slow.
    for choices in (_label_choices, _fuzzy_choices):
        texts, targets = choices(G, idx, str(kind))
        hit = process.extractOne(
            text_query,
            texts,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            score_cutoff=FUZZY_CUTOFF,
        )
        if hit is not None:
            break
    if hit is not None:
        n = targets[hit[2]]
        return Match(
            n, _short_id(G, n), G.nodes[n][NodeAttr.LABEL], query, "fuzzy", round(float(hit[1]), 1)
        )
    suggestions = _suggest(G, idx, kind, text_query)
    names = "; ".join(f"{s['label']} ({s['id']})" for s in suggestions[:3])
    raise NoMatchError(f"no {what} matches {query!r}; closest: {names}", suggestions=suggestions)


def _by_meaning(
    G: KnowledgeGraph, idx: _Index, query: str, text: str, kind: NodeKind, what: str
) -> Match:
    """The theme of ``kind`` most similar to ``text`` in meaning, if it is similar enough."""
    ranked = _meaning_index(G, idx, str(kind)).rank(text)
    if ranked and ranked[0][1] >= MIN_SIMILARITY:
        n, sim = ranked[0]
        return Match(
            n,
            _short_id(G, n),
            G.nodes[n][NodeAttr.LABEL],
            query,
            "meaning",
            round(sim, 3),
            runners_up=tuple(_closest(G, ranked[1:], 3)),
        )
    closest = _closest(G, ranked)
    names = "; ".join(f"{s['label']} ({s['id']}, {s['similarity']:.2f})" for s in closest[:3])
    best = closest[0]["similarity"] if closest else 0.0
    names = names or "none shares a word with it"
    raise NoMatchError(
        f"no {what} matches {query!r} well (best similarity {best:.2f} < {MIN_SIMILARITY}); "
        f"closest: {names}",
        suggestions=closest,
        free_text=True,
    )


def resolve_barrier(G: KnowledgeGraph, query: str) -> Match:
    """Find the barrier theme a query means.

    The query may be a barrier id (``b_time_capacity``), a label or alternative
    label (any case), a note id (its barrier theme, or else the note's text),
    or free text, matched by meaning (:mod:`collab_graph.graph.meaning`:
    stems, the synonym table, TF-IDF over the barriers' definitions, labels,
    cues and tagged notes). Free text matches when its similarity to the best
    barrier is at least :data:`MIN_SIMILARITY`; the match's ``score`` is that
    similarity (0-1) and ``runners_up`` the next closest barriers.

    Raises
    ------
    NoMatchError
        When nothing matches well, with the closest barriers (``id``,
        ``label``, ``similarity``; at most five, and only those sharing a word
        or concept with the query) as ``suggestions`` and ``free_text`` true;
        for an empty query or the id of another kind of node, ``free_text``
        is false.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> G = example_graph()
    >>> [resolve_barrier(G, q).id for q in ("b_trust", "time and capacity", "G1-Q1-B-1")]
    ['b_trust', 'b_time_capacity', 'b_funding_budgets']
    >>> m = resolve_barrier(G, "Money's scarce")
    >>> m.id, m.matched_by, 0 < m.score < 1
    ('b_funding_budgets', 'meaning', True)
    >>> try:
    ...     resolve_barrier(G, "xylophone orchestra")
    ... except NoMatchError as err:
    ...     print(err.free_text, err.suggestions)
    True []
    """
    return _resolve(G, query, NodeKind.BARRIER, "barrier")


def resolve_org(G: KnowledgeGraph, query: str) -> Match:
    """Find the organisation a query means: id, label, alias or fuzzy text.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> resolve_org(example_graph(), "health").id
    'nhs'
    """
    return _resolve(G, query, NodeKind.ORGANISATION, "organisation")


def _group_ref(G: KnowledgeGraph, note: str) -> tuple[str, int | None]:
    d = G.nodes[note]
    return (d.get(NodeAttr.WORKSHOP, ""), d.get(NodeAttr.GROUP))


def _unit_ref(G: KnowledgeGraph, note: str) -> EvidenceUnit:
    """The unit of evidence of a note node (as :func:`~collab_graph.graph.links.evidence_unit`)."""
    d = G.nodes[note]
    return EvidenceUnit(
        d.get(NodeAttr.WORKSHOP, ""),
        d.get(NodeAttr.GROUP),
        d.get(NodeAttr.UNIT_SECTION),
        d.get(NodeAttr.UNIT_LINE, 0),
    )


def _groups_json(refs: Iterable[tuple[str, int | None]]) -> tuple[list[int], list[dict[str, Any]]]:
    refs = sorted(set(refs), key=lambda r: (r[0], -1 if r[1] is None else r[1]))
    numbers = sorted({g for _, g in refs if g is not None})
    return numbers, [{"workshop": w, "group": g} for w, g in refs]


def evidence_entry(
    G: KnowledgeGraph, note: str, role: str, *, explicit: bool = False
) -> dict[str, Any]:
    """One quote: a note with its provenance and the side it supports.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> e = evidence_entry(example_graph(), "workshop/alpha/note/G1-Q1-A-2", "barrier")
    >>> e["note"], e["group"], e["section"], e["prompt"], e["line"], e["text"]
    ('G1-Q1-A-2', 1, None, 'A', 6, 'Day job – no time')
    """
    entry = _quote_base(G, note)
    entry["role"] = role
    entry["explicit"] = explicit
    return entry


def _quote_base(G: KnowledgeGraph, note: str) -> dict[str, Any]:
    """The parts of a quote that do not depend on the link: where and what the note is."""
    d = G.nodes[note]
    return {
        "note": d.get(NodeAttr.NOTE_ID, note),
        "workshop": d.get(NodeAttr.WORKSHOP),
        "group": d.get(NodeAttr.GROUP),
        "section": d.get(NodeAttr.UNIT_SECTION),
        "question": d.get(NodeAttr.QUESTION),
        "prompt": d.get(NodeAttr.PROMPT),
        "line": d.get(NodeAttr.LINE),
        "text": d.get(NodeAttr.TEXT, ""),
        "kind": d.get(NodeAttr.NOTE_KIND),
    }


def _quote(G: KnowledgeGraph, idx: _Index, note: str, role: str, explicit: bool) -> dict[str, Any]:
    """:func:`evidence_entry`, with the note's part cached per graph (a fresh dict each time)."""
    base = idx.quotes.get(note)
    if base is None:
        base = idx.quotes[note] = _quote_base(G, note)
    entry = base.copy()
    entry["role"] = role
    entry["explicit"] = explicit
    return entry


def _practice_hit(
    G: KnowledgeGraph,
    idx: _Index,
    p: str,
    b: str,
    data: Mapping[str, Any],
    barrier_groups: Mapping[EvidenceUnit, list[str]],
    max_quotes: int | None,
) -> dict[str, Any]:
    ordered = idx.pair_evidence.get((p, b))
    if ordered is None:
        ordered = _pair_evidence(G, idx, p, data, barrier_groups)
        idx.pair_evidence[(p, b)] = ordered
    shown = ordered if max_quotes is None else ordered[:max_quotes]
    evidence = [_quote(G, idx, n, role, x) for n, role, x in shown]
    numbers, wg, units = _theme_groups_json(G, idx, p)
    strength = data.get(EdgeAttr.STRENGTH) or None
    local = bool(data.get(EdgeAttr.EXPLICIT_GROUPS) or data.get(EdgeAttr.BLOCK_GROUPS))
    return {
        "id": _short_id(G, p),
        "label": G.nodes[p].get(NodeAttr.LABEL, ""),
        "score": data.get(EdgeAttr.SCORE, 0.0),
        "level": data.get(EdgeAttr.LEVEL, 3),
        "origin": str(link_origin(bool(data.get(EdgeAttr.CURATED)), local)),
        "groups": numbers,
        "workshop_groups": wg,
        "sources": units,
        "curated": {"strength": strength, "rationale": data.get(EdgeAttr.RATIONALE, "")}
        if strength
        else None,
        "curated_score": data.get(EdgeAttr.CURATED_SCORE, 0.0),
        "evidence_score": data.get(EdgeAttr.EVIDENCE_SCORE, 0.0),
        "endorsement": data.get(EdgeAttr.ENDORSEMENT, 0.0),
        "groups_barrier": data.get(EdgeAttr.GROUPS_BARRIER, 0),
        "groups_practice": data.get(EdgeAttr.GROUPS_PRACTICE, 0),
        "groups_both": data.get(EdgeAttr.GROUPS_BOTH, 0),
        "explicit_groups": data.get(EdgeAttr.EXPLICIT_GROUPS, 0),
        "block_groups": data.get(EdgeAttr.BLOCK_GROUPS, 0),
        "evidence": evidence,
        "evidence_total": len(ordered),
    }


def _pair_evidence(
    G: KnowledgeGraph,
    idx: _Index,
    p: str,
    data: Mapping[str, Any],
    barrier_groups: Mapping[EvidenceUnit, list[str]],
) -> list[tuple[str, str, bool]]:
    """All quotes behind one link as ``(note, role, explicit)``, best first.

    The practice side holds only notes that report the practice (never a
    barrier note, :func:`~collab_graph.graph.links.reports_practice`); the
    barrier side holds the notes raising the barrier in the units that report
    the practice.
    """
    explicit = set(split_list(data.get(EdgeAttr.EXPLICIT_NOTES)))
    entries: list[tuple[tuple[Any, ...], str, str, bool]] = []
    seen: set[str] = set()
    p_groups = _theme_groups(G, idx, p)
    for notes in p_groups.values():
        for n in notes:
            seen.add(n)
            entries.append(
                (_quote_key(G, n, "practice", n in explicit), n, "practice", n in explicit)
            )
    for ref in p_groups:
        for n in barrier_groups.get(ref, []):
            if n not in seen:
                seen.add(n)
                entries.append(
                    (_quote_key(G, n, "barrier", n in explicit), n, "barrier", n in explicit)
                )
    entries.sort(key=lambda e: e[0])
    return [(n, role, x) for _, n, role, x in entries]


def _quote_key(G: KnowledgeGraph, n: str, role: str, explicit: bool) -> tuple[Any, ...]:
    d = G.nodes[n]
    group = d.get(NodeAttr.GROUP)
    return (
        not explicit,
        role != "practice",
        d.get(NodeAttr.WORKSHOP) or "",
        -1 if group is None else group,
        d.get(NodeAttr.LINE) or 0,
    )


def _rank_key(hit: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        -hit["score"],
        hit["level"],
        -hit["groups_both"],
        -len(hit["sources"]),
        hit["id"],
    )


def practices_for(
    G: KnowledgeGraph,
    barrier: str,
    *,
    top: int | None = None,
    max_quotes: int | None = DEFAULT_MAX_QUOTES,
) -> dict[str, Any]:
    """Practices that address a barrier, ranked, with the quotes behind them.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    barrier : str
        A barrier id, label, note id or free text (see :func:`resolve_barrier`).
    top : int, optional
        Keep only the ``top`` best practices.
    max_quotes : int or None
        Keep at most this many quotes per practice and for the barrier
        (explicit pairings first; default :data:`DEFAULT_MAX_QUOTES`); None
        keeps every quote. ``evidence_total`` always gives the full count.

    Returns
    -------
    dict
        ``{"barrier": {"id", "label", "query", "matched_by", "similarity",
        "runners_up", "groups", "workshop_groups", "sources", "evidence"},
        "practices": [...]}``. ``similarity`` is 1.0 for an id, label or note id
        and the meaning similarity (0-1) for free text, whose ``runners_up`` are
        the next closest barriers (``id, label, similarity``). When free text
        matches no barrier well the answer is ``{"barrier": None, "query",
        "closest": [{"id", "label", "similarity"}, ...], "practices": []}``.
        Each practice has ``id, label, score, level, groups, sources, evidence``
        (as in the contract); ``sources`` are the ``{"workshop", "group",
        "section"}`` units whose notes report it (the section, or the
        workshop, stands in where notes have no groups), as a tuple shared
        between answers (JSON writes it as a list). ``origin`` says where
        the link comes from: ``curated`` (an analyst's link the notes do not
        show locally), ``evidence`` (the notes alone) or ``both``
        (:func:`~collab_graph.graph.links.link_origin`). Both parts of the
        score are there: ``curated`` (strength and rationale, or None),
        ``curated_score``, ``evidence_score``, ``endorsement`` and the unit
        counts (``groups_*``). Each evidence entry has ``note, workshop, group,
        section, question, prompt, line, text, role`` (``practice`` or
        ``barrier``), ``kind`` and ``explicit`` (the note pairs the two
        themes). A ``practice`` quote always comes from a note that reports the
        practice, never from a barrier note. Practices are sorted by score,
        highest first.

    Raises
    ------
    NoMatchError
        When the query is empty or names another kind of node; it carries
        suggestions.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> res = practices_for(example_graph(), "b_funding_budgets", top=1)
    >>> p = res["practices"][0]
    >>> p["id"], p["curated"]["strength"], p["origin"], res["barrier"]["groups"]
    ('p_shared_services', 'strong', 'both', [1])
    >>> [(u["workshop"], u["group"], u["section"]) for u in p["sources"]]
    [('alpha', 1, None), ('beta', 1, None)]
    >>> practices_for(example_graph(), "xylophone orchestra")["barrier"] is None
    True
    """
    if top is not None and top < 1:
        raise ValueError("top must be at least 1")
    try:
        m = resolve_barrier(G, barrier)
    except NoMatchError as exc:
        if not exc.free_text:
            raise
        return {"barrier": None, "query": barrier, "closest": exc.suggestions, "practices": []}
    idx = _index(G)
    b_notes = idx.theme_notes.get(m.node, [])
    barrier_groups = _theme_groups(G, idx, m.node)
    numbers, wg, units = _theme_groups_json(G, idx, m.node)
    links = idx.addresses_in.get(m.node)
    if links is None:  # a barrier has an "about" edge per note: scan them once
        links = [
            (u, d) for u, _, k, d in G.in_edges(m.node, keys=True, data=True) if k == _ADDRESSES
        ]
        idx.addresses_in[m.node] = links
    hits = [_practice_hit(G, idx, u, m.node, d, barrier_groups, max_quotes) for u, d in links]
    hits.sort(key=_rank_key)
    if top is not None:
        hits = hits[:top]
    return {
        "barrier": {
            "id": m.id,
            "label": m.label,
            "query": barrier,
            "matched_by": m.matched_by,
            "similarity": m.score if m.matched_by == "meaning" else 1.0,
            "runners_up": list(m.runners_up),
            "groups": numbers,
            "workshop_groups": wg,
            "sources": units,
            "evidence": [
                _quote(G, idx, n, "barrier", False)
                for n in (b_notes if max_quotes is None else b_notes[:max_quotes])
            ],
            "evidence_total": len(b_notes),
        },
        "practices": hits,
    }


def combined_practices(
    G: KnowledgeGraph, barriers: Sequence[str], *, top: int | None = None
) -> dict[str, Any]:
    """Rank practices against several barriers at once, as the CFIR-ERIC tool does.

    A practice's combined ``score`` is the sum of its link scores over the
    chosen barriers; ``level1``/``level2`` count the barriers it addresses at
    each level, and ``barriers`` gives the per-barrier score and level.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> res = combined_practices(example_graph(), ["b_time_capacity", "b_funding_budgets"])
    >>> [(p["id"], p["score"], p["addresses"]) for p in res["practices"]][:2]
    [('p_protected_time', 0.9375, 2), ('p_shared_services', 0.8541, 2)]
    """
    matches: list[Match] = []
    for q in barriers:
        m = resolve_barrier(G, q)
        if all(m.node != x.node for x in matches):
            matches.append(m)
    acc: dict[str, dict[str, Any]] = {}
    for m in matches:
        for u, _, k, d in G.in_edges(m.node, keys=True, data=True):
            if k != _ADDRESSES:
                continue
            row = acc.setdefault(
                u,
                {
                    "id": _short_id(G, u),
                    "label": G.nodes[u].get(NodeAttr.LABEL, ""),
                    "score": 0.0,
                    "addresses": 0,
                    "level1": 0,
                    "level2": 0,
                    "barriers": {},
                },
            )
            row["score"] = round(row["score"] + d.get(EdgeAttr.SCORE, 0.0), 4)
            row["addresses"] += 1
            level = d.get(EdgeAttr.LEVEL, 3)
            row["level1"] += level == 1
            row["level2"] += level == 2
            row["barriers"][m.id] = {"score": d.get(EdgeAttr.SCORE, 0.0), "level": level}
    rows = sorted(acc.values(), key=lambda r: (-r["score"], -r["addresses"], r["id"]))
    return {
        "barriers": [{"id": m.id, "label": m.label, "query": m.query} for m in matches],
        "practices": rows[:top] if top is not None else rows,
    }


def themes_ranked(
    G: KnowledgeGraph, kind: NodeKind | str = NodeKind.BARRIER
) -> list[dict[str, Any]]:
    """Themes of one kind ranked by the number of groups raising them, then notes.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> [(r["id"], r["n_groups"], r["n_notes"]) for r in themes_ranked(example_graph())]
    [('b_time_capacity', 3, 3), ('b_funding_budgets', 2, 2), ('b_trust', 0, 0)]
    """
    idx = _index(G)
    rows = []
    for t in idx.by_kind.get(str(kind), []):
        notes = idx.theme_notes.get(t, [])
        numbers, wg = _groups_json(_group_ref(G, n) for n in notes)
        rows.append(
            {
                "id": _short_id(G, t),
                "label": G.nodes[t].get(NodeAttr.LABEL, ""),
                "kind": str(kind),
                "n_groups": len(wg),
                "n_notes": len(notes),
                "groups": numbers,
                "workshop_groups": wg,
            }
        )
    rows.sort(key=lambda r: (-r["n_groups"], -r["n_notes"], r["id"]))
    return rows


def groups_mentioning(G: KnowledgeGraph, org: str) -> list[dict[str, Any]]:
    """The groups whose notes mention an organisation, with those notes.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> [(g["workshop"], g["group"], g["notes"]) for g in groups_mentioning(example_graph(), "nhs")]
    [('alpha', 1, ['G1-Q1-A-3']), ('beta', 1, ['G1-Q1-2'])]
    """
    m = resolve_org(G, org)
    by_group: dict[tuple[str, int | None], list[str]] = defaultdict(list)
    for n in notes_of(G, m.node):
        by_group[_group_ref(G, n)].append(G.nodes[n].get(NodeAttr.NOTE_ID, n))
    return [
        {"workshop": w, "group": g, "notes": notes}
        for (w, g), notes in sorted(by_group.items(), key=lambda kv: (kv[0][0], kv[0][1] or -1))
    ]


def org_profile(G: KnowledgeGraph, org: str) -> dict[str, Any]:
    """An organisation's profile: the barriers, practices and benefits of the notes naming it.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> prof = org_profile(example_graph(), "procurement")
    >>> prof["label"], prof["n_notes"], [t["id"] for t in prof["benefits"]]
    ('Procurement function', 2, ['n_efficiency_savings'])
    """
    m = resolve_org(G, org)
    idx = _index(G)
    notes = notes_of(G, m.node)
    per_kind: dict[str, dict[str, list[str]]] = {str(k): defaultdict(list) for k in THEME_KINDS}
    for n in notes:
        for t, _ in idx.note_themes.get(n, []):
            per_kind[G.nodes[t][NodeAttr.KIND]][t].append(n)
    numbers, wg = _groups_json(_group_ref(G, n) for n in notes)

    def ranked(kind: NodeKind) -> list[dict[str, Any]]:
        rows = [
            {
                "id": _short_id(G, t),
                "label": G.nodes[t].get(NodeAttr.LABEL, ""),
                "n_notes": len(ns),
                "notes": [G.nodes[n].get(NodeAttr.NOTE_ID, n) for n in ns],
            }
            for t, ns in per_kind[str(kind)].items()
        ]
        return sorted(rows, key=lambda r: (-r["n_notes"], r["id"]))

    d = G.nodes[m.node]
    return {
        "id": m.id,
        "label": d.get(NodeAttr.LABEL, ""),
        "type": d.get(NodeAttr.ORG_TYPE, ""),
        "n_notes": len(notes),
        "groups": numbers,
        "workshop_groups": wg,
        "barriers": ranked(NodeKind.BARRIER),
        "practices": ranked(NodeKind.PRACTICE),
        "benefits": ranked(NodeKind.BENEFIT),
        "evidence": [evidence_entry(G, n, G.nodes[n].get(NodeAttr.NOTE_KIND, "")) for n in notes],
    }


def org_mentions(G: KnowledgeGraph) -> list[dict[str, Any]]:
    """Organisations with the notes and groups mentioning them, most mentioned first.

    Tools (``tool`` nodes) are not organisations and are not listed; ``resolved``
    is False for a name detected in the notes that no gazetteer entry holds.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> [(r["organisation"], r["notes"], r["groups"]) for r in org_mentions(example_graph())]
    [('NHS', 2, 2), ('Procurement function', 2, 2)]
    """
    rows: list[dict[str, Any]] = []
    for n, d in G.nodes(data=True):
        if d.get(NodeAttr.KIND) != NodeKind.ORGANISATION:
            continue
        notes = notes_of(G, n)
        if not notes:
            continue
        rows.append(
            {
                "organisation": str(d.get(NodeAttr.LABEL)),
                "type": str(d.get(NodeAttr.ORG_TYPE, "")),
                "resolved": bool(d.get(NodeAttr.RESOLVED, True)),
                "notes": len(notes),
                "groups": len({_group_ref(G, u) for u in notes}),
            }
        )
    rows.sort(key=lambda r: (-r["notes"], r["organisation"]))
    return rows


def kind_counts(G: KnowledgeGraph) -> dict[str, int]:
    """How many notes of each coded kind, in :class:`~collab_graph.model.NoteKind` order.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> kind_counts(example_graph())
    {'practice': 5, 'barrier': 4, 'benefit': 1, 'context': 0, 'heading': 1}
    """
    c = Counter(
        str(d.get(NodeAttr.NOTE_KIND))
        for _, d in G.nodes(data=True)
        if d.get(NodeAttr.KIND) == NodeKind.NOTE
    )
    return {str(k): c[str(k)] for k in NoteKind}


def _group_label(d: Mapping[str, Any], multi: bool) -> str:
    g = d.get(NodeAttr.GROUP)
    label = f"Group {g}" if g is not None else "(no group)"
    return f"{label} · {d.get(NodeAttr.WORKSHOP)}" if multi else label


def group_theme_counts(G: KnowledgeGraph) -> list[dict[str, Any]]:
    """Notes per (group, theme): rows ``group, theme, kind, notes`` for a heatmap.

    ``group`` is ``Group {n}`` (``(no group)`` for notes without one), followed
    by `` · {workshop}`` when the graph holds several workshops; ``workshop``
    and ``group alone`` (``Group {n}``) give its two parts.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> rows = group_theme_counts(example_graph())
    >>> [(r["group"], r["notes"]) for r in rows if r["theme"] == "Time and capacity"]
    [('Group 1 · alpha', 1), ('Group 1 · beta', 1), ('Group 2 · alpha', 1)]
    """
    multi = len(workshop_slugs(G)) > 1
    counts: Counter[tuple[str, str]] = Counter()
    parts: dict[str, tuple[str, str]] = {}  # label -> (workshop, group alone)
    for n, d in G.nodes(data=True):
        if d.get(NodeAttr.KIND) != NodeKind.NOTE:
            continue
        label = _group_label(d, multi)
        parts.setdefault(label, (str(d.get(NodeAttr.WORKSHOP)), _group_label(d, False)))
        for t in targets(G, n, EdgeKind.ABOUT):
            counts[label, t] += 1
    return [
        {
            "group": g,
            "theme": str(G.nodes[t][NodeAttr.LABEL]),
            "kind": str(G.nodes[t][NodeAttr.KIND]),
            "notes": c,
            "workshop": parts[g][0],
            "group alone": parts[g][1],
        }
        for (g, t), c in sorted(counts.items())
    ]


def gaps(G: KnowledgeGraph, *, min_score: float = DEFAULT_MIN_SCORE) -> dict[str, Any]:
    """Where practice and barrier do not meet.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    min_score : float
        Links scoring below this do not count as addressing (default 0.25: any
        curated link, or evidence alone from explicit pairings in half the groups).

    Returns
    -------
    dict
        ``unaddressed_barriers``: barriers raised by some group that no link
        reaches at ``min_score``; ``unlinked_practices``: practices reported by
        some group with no such link; ``cross_group``: links where groups
        raised the barrier without reporting the practice, while other groups
        reported it (``reported_by`` could help ``needed_by``).

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> g = gaps(example_graph())
    >>> [b["id"] for b in g["unaddressed_barriers"]], [p["id"] for p in g["unlinked_practices"]]
    ([], [])
    >>> [(c["practice"], c["barrier"], c["needed_by"]) for c in g["cross_group"]][:1]
    [('p_protected_time', 'b_time_capacity', [{'workshop': 'alpha', 'group': 2}])]
    """
    idx = _index(G)
    strong: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    linked: set[str] = set()
    for u, v, k, d in G.edges(keys=True, data=True):
        if k == _ADDRESSES and d.get(EdgeAttr.SCORE, 0.0) >= min_score:
            strong[v].append((u, d))
            linked.add(u)

    def groups_of(t: str) -> set[tuple[str, int | None]]:
        return {_group_ref(G, n) for n in idx.theme_notes.get(t, [])}

    def row(t: str) -> dict[str, Any]:
        numbers, wg = _groups_json(groups_of(t))
        return {
            "id": _short_id(G, t),
            "label": G.nodes[t].get(NodeAttr.LABEL, ""),
            "groups": numbers,
            "workshop_groups": wg,
        }

    unaddressed = [
        row(b)
        for b in idx.by_kind.get(str(NodeKind.BARRIER), [])
        if groups_of(b) and b not in strong
    ]
    unlinked = [
        row(p)
        for p in idx.by_kind.get(str(NodeKind.PRACTICE), [])
        if groups_of(p) and p not in linked
    ]
    cross = []
    for b, links in sorted(strong.items()):
        gb = groups_of(b)
        for p, d in sorted(links, key=lambda x: (-x[1].get(EdgeAttr.SCORE, 0.0), x[0])):
            gp = groups_of(p)
            needed = gb - gp
            if needed and gp:
                cross.append(
                    {
                        "practice": _short_id(G, p),
                        "practice_label": G.nodes[p].get(NodeAttr.LABEL, ""),
                        "barrier": _short_id(G, b),
                        "barrier_label": G.nodes[b].get(NodeAttr.LABEL, ""),
                        "score": d.get(EdgeAttr.SCORE, 0.0),
                        "reported_by": _groups_json(gp)[1],
                        "needed_by": _groups_json(needed)[1],
                    }
                )
    cross.sort(key=lambda c: (-c["score"], c["practice"], c["barrier"]))
    return {
        "unaddressed_barriers": unaddressed,
        "unlinked_practices": unlinked,
        "cross_group": cross,
    }


def theme_graph(G: KnowledgeGraph) -> nx.Graph[str]:
    """The undirected theme co-occurrence graph.

    Nodes are all themes (attributes ``kind``, ``label``); two themes are joined
    when they occur in the same prompt block of a group, ``weight`` being the
    number of such blocks, and ``distance`` = 1 / weight. Edges that are also
    ``addresses`` links carry their ``score``.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> T = theme_graph(example_graph())
    >>> T["theme/p_protected_time"]["theme/b_time_capacity"]["weight"]
    2
    """
    idx = _index(G)
    T: nx.Graph[str] = nx.Graph()
    for kind in THEME_KINDS:
        for t in idx.by_kind.get(str(kind), []):
            T.add_node(
                t, **{NodeAttr.KIND: str(kind), NodeAttr.LABEL: G.nodes[t].get(NodeAttr.LABEL, "")}
            )
    blocks: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    for note, themes in idx.note_themes.items():
        d = G.nodes[note]
        key = (
            d.get(NodeAttr.WORKSHOP),
            d.get(NodeAttr.GROUP),
            d.get(NodeAttr.QUESTION),
            d.get(NodeAttr.PROMPT),
            d.get(NodeAttr.BLOCK),
        )
        blocks[key].update(t for t, _ in themes)
    for block_themes in blocks.values():
        ordered = sorted(block_themes)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                w = T.edges[a, b]["weight"] + 1 if T.has_edge(a, b) else 1
                T.add_edge(a, b, weight=w, distance=1.0 / w)
    for u, v, k, d in G.edges(keys=True, data=True):
        if k == _ADDRESSES and T.has_edge(u, v):
            T.edges[u, v][EdgeAttr.SCORE] = d.get(EdgeAttr.SCORE, 0.0)
    return T


def centrality(G: KnowledgeGraph) -> list[dict[str, Any]]:
    """Degree and betweenness centrality of each theme in :func:`theme_graph`.

    ``degree`` is networkx degree centrality, ``strength`` the summed edge
    weight, and ``betweenness`` uses ``distance`` (frequent co-occurrence =
    short path). Sorted by betweenness, then strength.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> rows = centrality(example_graph())
    >>> rows[0]["id"] in {"p_shared_services", "b_time_capacity", "b_funding_budgets"}
    True
    """
    T = theme_graph(G)
    deg = nx.degree_centrality(T) if len(T) > 1 else dict.fromkeys(T, 0.0)
    btw = nx.betweenness_centrality(T, weight="distance")
    rows = [
        {
            "id": _short_id(G, t),
            "label": T.nodes[t][NodeAttr.LABEL],
            "kind": T.nodes[t][NodeAttr.KIND],
            "degree": round(deg[t], 4),
            "strength": int(T.degree(t, weight="weight")),
            "betweenness": round(btw[t], 4),
        }
        for t in T
    ]
    rows.sort(key=lambda r: (-r["betweenness"], -r["strength"], r["id"]))
    return rows


def communities(G: KnowledgeGraph, *, seed: int = 0) -> list[list[str]]:
    """Louvain communities of the theme graph (theme ids), largest first.

    Isolated themes (never co-occurring) are left out.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> sum(len(c) for c in communities(example_graph()))
    6
    """
    T = theme_graph(G)
    T.remove_nodes_from([n for n in list(T) if T.degree(n) == 0])
    if T.number_of_edges() == 0:
        return []
    found = nx.community.louvain_communities(T, weight="weight", seed=seed)
    out = [sorted(_short_id(G, t) for t in c) for c in found]
    return sorted(out, key=lambda c: (-len(c), c))
