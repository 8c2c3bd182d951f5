"""Questions users ask of the knowledge graph, as plain functions taking the graph first.

The central one is :func:`practices_for`: which practices address a barrier,
ranked by the ``addresses`` links' score (see :mod:`collab_graph.graph.links`), each
with the quotes behind it. Its result is plain JSON-ready data in the shape of
``collab-graph practices --format json`` (``shared/CONTRACT.md``), plus extra keys.

Other queries: :func:`themes_ranked` (barriers or practices by number of
groups), :func:`groups_mentioning` and :func:`org_profile` (organisations),
:func:`gaps`, :func:`centrality` and :func:`communities` of the
:func:`theme_graph`, and :func:`combined_practices` (several barriers at once,
as in CFIR-ERIC).

A *group* is a workshop's breakout group; across workshops it is identified by
``(workshop, group)``. Lists of groups in results are sorted group numbers
(``groups``) with the full ``{"workshop", "group"}`` pairs alongside
(``workshop_groups``) so that several workshops stay apart.

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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from rapidfuzz import fuzz, process, utils

from collab_graph.errors import NotFoundError
from collab_graph.graph.build import THEME_KINDS
from collab_graph.model import EdgeKind, NodeKind

__all__ = [
    "DEFAULT_MAX_QUOTES",
    "DEFAULT_MIN_SCORE",
    "FUZZY_CUTOFF",
    "Match",
    "NoMatchError",
    "centrality",
    "combined_practices",
    "communities",
    "evidence_entry",
    "gaps",
    "groups_mentioning",
    "invalidate",
    "org_profile",
    "practices_for",
    "resolve_barrier",
    "resolve_org",
    "theme_graph",
    "themes_ranked",
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
        ``{"id", "label", "score"}`` of the closest candidates, best first.
    """

    def __init__(self, message: str, *, suggestions: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.suggestions = [dict(s) for s in suggestions]


@dataclass(frozen=True, slots=True)
class Match:
    """How a query was resolved to a theme or organisation node."""

    node: str
    id: str
    label: str
    query: str
    matched_by: str  # "id", "label", "note" or "fuzzy"
    score: float = 100.0
    note: str | None = None


@dataclass(slots=True)
class _Index:
    """Lookups built once per graph (and rebuilt when the graph's size changes)."""

    fingerprint: tuple[int, int]
    by_kind: dict[str, list[str]] = field(default_factory=dict)
    theme_groups: dict[str, dict[tuple[str, int | None], list[str]]] = field(default_factory=dict)
    groups_json: dict[str, tuple[list[int], list[dict[str, Any]]]] = field(default_factory=dict)
    notes_by_id: dict[str, list[str]] = field(default_factory=dict)
    theme_notes: dict[str, list[str]] = field(default_factory=dict)
    note_themes: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    choices: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    label_choices: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    addresses_in: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    pair_evidence: dict[tuple[str, str], list[tuple[str, str, bool]]] = field(default_factory=dict)


_CACHE: weakref.WeakKeyDictionary[nx.MultiDiGraph, _Index] = weakref.WeakKeyDictionary()


def _fingerprint(G: nx.MultiDiGraph) -> tuple[int, int]:
    # Counting edges walks the whole adjacency (a quarter of a second at 100k
    # notes) and would dominate every query, so only the node count is checked;
    # after changing edges in place, call invalidate(G).
    return G.number_of_nodes(), int(G.graph.get("revision", 0))


def invalidate(G: nx.MultiDiGraph) -> None:
    """Forget the lookups cached for ``G``; call it after changing ``G``'s edges in place.

    The cache is rebuilt by itself when the number of nodes changes, and graphs
    built by :func:`collab_graph.graph.build.build_graph` are not changed afterwards.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> G = example_graph()
    >>> _ = practices_for(G, "b_trust")
    >>> invalidate(G)
    """
    _CACHE.pop(G, None)


def _index(G: nx.MultiDiGraph) -> _Index:
    fp = _fingerprint(G)
    idx = _CACHE.get(G)
    if idx is not None and idx.fingerprint == fp:
        return idx
    idx = _Index(fp)
    for n, d in G.nodes(data=True):
        idx.by_kind.setdefault(d.get("kind", ""), []).append(n)
        if d.get("kind") == NodeKind.NOTE:
            idx.notes_by_id.setdefault(d.get("note_id", n), []).append(n)
    for lst in idx.by_kind.values():
        lst.sort()
    for u, v, k, d in G.edges(keys=True, data=True):
        if k == _ABOUT:
            idx.theme_notes.setdefault(v, []).append(u)
            idx.note_themes.setdefault(u, []).append((v, bool(d.get("primary"))))
    for lst in idx.theme_notes.values():
        lst.sort(key=lambda n: _note_sort_key(G, n))
    for themes in idx.note_themes.values():
        themes.sort(key=lambda t: (not t[1], t[0]))
    _CACHE[G] = idx
    return idx


def _theme_groups(
    G: nx.MultiDiGraph, idx: _Index, theme: str
) -> dict[tuple[str, int | None], list[str]]:
    """The notes about ``theme`` by (workshop, group), groups in order (cached per graph)."""
    groups = idx.theme_groups.get(theme)
    if groups is None:
        groups = {}
        for n in idx.theme_notes.get(theme, []):
            groups.setdefault(_group_ref(G, n), []).append(n)
        groups = dict(sorted(groups.items(), key=lambda kv: _ref_key(kv[0])))
        idx.theme_groups[theme] = groups
    return groups


def _theme_groups_json(
    G: nx.MultiDiGraph, idx: _Index, theme: str
) -> tuple[list[int], list[dict[str, Any]]]:
    """``groups`` and ``workshop_groups`` of a theme (cached; fresh lists, shared dicts)."""
    cached = idx.groups_json.get(theme)
    if cached is None:
        cached = _groups_json(_theme_groups(G, idx, theme))
        idx.groups_json[theme] = cached
    return list(cached[0]), list(cached[1])


def _ref_key(ref: tuple[str, int | None]) -> tuple[str, int]:
    return (ref[0], -1 if ref[1] is None else ref[1])


def _note_sort_key(G: nx.MultiDiGraph, n: str) -> tuple[str, int, int, str]:
    d = G.nodes[n]
    return (d.get("workshop", ""), d.get("group", -1), d.get("line", 0), n)


def _split(value: Any) -> list[str]:
    return [v for v in str(value or "").split(";") if v]


def _label_choices(G: nx.MultiDiGraph, idx: _Index, kind: str) -> tuple[list[str], list[str]]:
    """Labels, alternative labels, aliases and cue phrases of one node kind (a short list)."""
    if kind in idx.label_choices:
        return idx.label_choices[kind]
    texts: list[str] = []
    targets: list[str] = []
    for n in idx.by_kind.get(kind, []):
        d = G.nodes[n]
        for s in [d.get("label", ""), *_split(d.get("alt_labels")), *_split(d.get("aliases"))]:
            texts.append(s)
            targets.append(n)
        for s in _split(d.get("cues")):
            texts.append(s.rstrip("*"))
            targets.append(n)
    idx.label_choices[kind] = (texts, targets)
    return texts, targets


def _fuzzy_choices(G: nx.MultiDiGraph, idx: _Index, kind: str) -> tuple[list[str], list[str]]:
    """Strings to fuzzy-match for one node kind (labels, cues, note texts) and their nodes."""
    if kind in idx.choices:
        return idx.choices[kind]
    label_texts, label_targets = _label_choices(G, idx, kind)
    texts, targets = list(label_texts), list(label_targets)
    if kind in THEME_KINDS:
        for note, themes in idx.note_themes.items():
            hit = next((t for t, _ in themes if G.nodes[t].get("kind") == kind), None)
            if hit is not None:
                texts.append(G.nodes[note].get("text", ""))
                targets.append(hit)
    idx.choices[kind] = (texts, targets)
    return texts, targets


def _suggest(
    G: nx.MultiDiGraph, idx: _Index, kind: str, query: str, k: int = 5
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
        {"id": _short_id(G, n), "label": G.nodes[n].get("label", ""), "score": s}
        for n, s in best.items()
    ]


def _short_id(G: nx.MultiDiGraph, node: str) -> str:
    d = G.nodes[node]
    return str(d.get("theme_id") or d.get("org_id") or d.get("note_id") or node)


def _resolve(G: nx.MultiDiGraph, query: str, kind: NodeKind, what: str) -> Match:
    idx = _index(G)
    q = query.strip()
    if not q:
        raise NoMatchError(f"empty {what} query", suggestions=_suggest(G, idx, kind, "", 5))
    nodes = idx.by_kind.get(str(kind), [])
    prefix = "theme/" if kind in THEME_KINDS else "org/"
    for cand in (q, prefix + q):
        if cand in G and G.nodes[cand].get("kind") == kind:
            return Match(cand, _short_id(G, cand), G.nodes[cand]["label"], query, "id")
        if cand in G and cand.startswith(prefix):
            other = G.nodes[cand].get("kind")
            raise NoMatchError(
                f"{q!r} is a {other}, not a {what}",
                suggestions=_suggest(G, idx, kind, G.nodes[cand].get("label", q)),
            )
    folded = q.casefold()
    for n in nodes:
        d = G.nodes[n]
        labels = [d.get("label", ""), *_split(d.get("alt_labels")), *_split(d.get("aliases"))]
        if any(folded == s.casefold() for s in labels):
            return Match(n, _short_id(G, n), d["label"], query, "label")
    text_query = q
    if kind in THEME_KINDS:
        notes = idx.notes_by_id.get(q) or (
            [q] if G.nodes.get(q, {}).get("kind") == NodeKind.NOTE else []
        )
        for note in notes:
            for t, _ in idx.note_themes.get(note, []):
                if G.nodes[t].get("kind") == kind:
                    return Match(
                        t,
                        _short_id(G, t),
                        G.nodes[t]["label"],
                        query,
                        "note",
                        note=G.nodes[note].get("note_id", note),
                    )
        if notes:
            text_query = G.nodes[notes[0]].get("text", q)
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
            n, _short_id(G, n), G.nodes[n]["label"], query, "fuzzy", round(float(hit[1]), 1)
        )
    suggestions = _suggest(G, idx, kind, text_query)
    names = "; ".join(f"{s['label']} ({s['id']})" for s in suggestions[:3])
    raise NoMatchError(f"no {what} matches {query!r}; closest: {names}", suggestions=suggestions)


def resolve_barrier(G: nx.MultiDiGraph, query: str) -> Match:
    """Find the barrier theme a query means.

    The query may be a barrier id (``b_time_capacity``), a label or alternative
    label (any case), a note id (its barrier theme), or free text, fuzzily
    matched (rapidfuzz WRatio ≥ :data:`FUZZY_CUTOFF`) against barrier labels,
    cue phrases and the texts of notes about barriers.

    Raises
    ------
    NoMatchError
        With the closest barriers as ``suggestions`` when nothing matches.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> G = example_graph()
    >>> [resolve_barrier(G, q).id for q in ("b_trust", "time and capacity", "G1-Q1-B-1")]
    ['b_trust', 'b_time_capacity', 'b_funding_budgets']
    >>> resolve_barrier(G, "Money's scarce").matched_by
    'fuzzy'
    >>> try:
    ...     resolve_barrier(G, "xylophone orchestra")
    ... except NoMatchError as err:
    ...     print(len(err.suggestions))
    3
    """
    return _resolve(G, query, NodeKind.BARRIER, "barrier")


def resolve_org(G: nx.MultiDiGraph, query: str) -> Match:
    """Find the organisation a query means: id, label, alias or fuzzy text.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> resolve_org(example_graph(), "health").id
    'nhs'
    """
    return _resolve(G, query, NodeKind.ORGANISATION, "organisation")


def _group_ref(G: nx.MultiDiGraph, note: str) -> tuple[str, int | None]:
    d = G.nodes[note]
    return (d.get("workshop", ""), d.get("group"))


def _groups_json(refs: Iterable[tuple[str, int | None]]) -> tuple[list[int], list[dict[str, Any]]]:
    refs = sorted(set(refs), key=lambda r: (r[0], -1 if r[1] is None else r[1]))
    numbers = sorted({g for _, g in refs if g is not None})
    return numbers, [{"workshop": w, "group": g} for w, g in refs]


def evidence_entry(
    G: nx.MultiDiGraph, note: str, role: str, *, explicit: bool = False
) -> dict[str, Any]:
    """One quote: a note with its provenance and the side it supports.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> e = evidence_entry(example_graph(), "workshop/alpha/note/G1-Q1-A-2", "barrier")
    >>> e["note"], e["group"], e["prompt"], e["line"], e["text"]
    ('G1-Q1-A-2', 1, 'A', 6, 'Day job – no time')
    """
    d = G.nodes[note]
    return {
        "note": d.get("note_id", note),
        "workshop": d.get("workshop"),
        "group": d.get("group"),
        "question": d.get("question"),
        "prompt": d.get("prompt"),
        "line": d.get("line"),
        "text": d.get("text", ""),
        "role": role,
        "kind": d.get("note_kind"),
        "explicit": explicit,
    }


def _practice_hit(
    G: nx.MultiDiGraph,
    idx: _Index,
    p: str,
    b: str,
    data: Mapping[str, Any],
    barrier_groups: Mapping[tuple[str, int | None], list[str]],
    max_quotes: int | None,
) -> dict[str, Any]:
    ordered = idx.pair_evidence.get((p, b))
    if ordered is None:
        ordered = _pair_evidence(G, idx, p, data, barrier_groups)
        idx.pair_evidence[(p, b)] = ordered
    shown = ordered if max_quotes is None else ordered[:max_quotes]
    evidence = [evidence_entry(G, n, role, explicit=x) for n, role, x in shown]
    numbers, wg = _theme_groups_json(G, idx, p)
    strength = data.get("strength") or None
    return {
        "id": _short_id(G, p),
        "label": G.nodes[p].get("label", ""),
        "score": data.get("score", 0.0),
        "level": data.get("level", 3),
        "groups": numbers,
        "workshop_groups": wg,
        "curated": {"strength": strength, "rationale": data.get("rationale", "")}
        if strength
        else None,
        "curated_score": data.get("curated_score", 0.0),
        "evidence_score": data.get("evidence_score", 0.0),
        "endorsement": data.get("endorsement", 0.0),
        "groups_barrier": data.get("groups_barrier", 0),
        "groups_practice": data.get("groups_practice", 0),
        "groups_both": data.get("groups_both", 0),
        "explicit_groups": data.get("explicit_groups", 0),
        "block_groups": data.get("block_groups", 0),
        "evidence": evidence,
        "evidence_total": len(ordered),
    }


def _pair_evidence(
    G: nx.MultiDiGraph,
    idx: _Index,
    p: str,
    data: Mapping[str, Any],
    barrier_groups: Mapping[tuple[str, int | None], list[str]],
) -> list[tuple[str, str, bool]]:
    """All quotes behind one link as ``(note, role, explicit)``, best first."""
    explicit = set(_split(data.get("explicit_notes")))
    entries: list[tuple[tuple[Any, ...], str, str, bool]] = []
    seen: set[str] = set()
    p_groups = _theme_groups(G, idx, p)
    for n in idx.theme_notes.get(p, []):
        seen.add(n)
        role = (
            "barrier" if n in explicit and G.nodes[n].get("note_kind") == "barrier" else "practice"
        )
        entries.append((_quote_key(G, n, role, n in explicit), n, role, n in explicit))
    for ref in p_groups:
        for n in barrier_groups.get(ref, []):
            if n not in seen:
                seen.add(n)
                entries.append(
                    (_quote_key(G, n, "barrier", n in explicit), n, "barrier", n in explicit)
                )
    entries.sort(key=lambda e: e[0])
    return [(n, role, x) for _, n, role, x in entries]


def _quote_key(G: nx.MultiDiGraph, n: str, role: str, explicit: bool) -> tuple[Any, ...]:
    d = G.nodes[n]
    group = d.get("group")
    return (
        not explicit,
        role != "practice",
        d.get("workshop") or "",
        -1 if group is None else group,
        d.get("line") or 0,
    )


def _rank_key(hit: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        -hit["score"],
        hit["level"],
        -hit["groups_both"],
        -len(hit["workshop_groups"]),
        hit["id"],
    )


def practices_for(
    G: nx.MultiDiGraph,
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
        ``{"barrier": {"id", "label", "query", "matched_by", "groups",
        "workshop_groups", "evidence"}, "practices": [...]}``. Each practice
        has ``id, label, score, level, groups, evidence`` (as in the contract)
        and both parts of its score: ``curated`` (strength and rationale, or
        None), ``curated_score``, ``evidence_score``, ``endorsement`` and the
        group counts. Each evidence entry has ``note, workshop, group,
        question, prompt, line, text, role`` (``practice`` or ``barrier``),
        ``kind`` and ``explicit`` (the note pairs the two themes). Practices are
        sorted by score, highest first.

    Raises
    ------
    NoMatchError
        When no barrier matches; it carries suggestions.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> res = practices_for(example_graph(), "b_funding_budgets", top=1)
    >>> p = res["practices"][0]
    >>> p["id"], p["curated"]["strength"], res["barrier"]["groups"]
    ('p_shared_services', 'strong', [1])
    """
    if top is not None and top < 1:
        raise ValueError("top must be at least 1")
    m = resolve_barrier(G, barrier)
    idx = _index(G)
    b_notes = idx.theme_notes.get(m.node, [])
    barrier_groups = _theme_groups(G, idx, m.node)
    numbers, wg = _theme_groups_json(G, idx, m.node)
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
            "match_score": m.score,
            "groups": numbers,
            "workshop_groups": wg,
            "evidence": [
                evidence_entry(G, n, "barrier")
                for n in (b_notes if max_quotes is None else b_notes[:max_quotes])
            ],
            "evidence_total": len(b_notes),
        },
        "practices": hits,
    }


def combined_practices(
    G: nx.MultiDiGraph, barriers: Sequence[str], *, top: int | None = None
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
                    "label": G.nodes[u].get("label", ""),
                    "score": 0.0,
                    "addresses": 0,
                    "level1": 0,
                    "level2": 0,
                    "barriers": {},
                },
            )
            row["score"] = round(row["score"] + d.get("score", 0.0), 4)
            row["addresses"] += 1
            level = d.get("level", 3)
            row["level1"] += level == 1
            row["level2"] += level == 2
            row["barriers"][m.id] = {"score": d.get("score", 0.0), "level": level}
    rows = sorted(acc.values(), key=lambda r: (-r["score"], -r["addresses"], r["id"]))
    return {
        "barriers": [{"id": m.id, "label": m.label, "query": m.query} for m in matches],
        "practices": rows[:top] if top is not None else rows,
    }


def themes_ranked(
    G: nx.MultiDiGraph, kind: NodeKind | str = NodeKind.BARRIER
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
                "label": G.nodes[t].get("label", ""),
                "kind": str(kind),
                "n_groups": len(wg),
                "n_notes": len(notes),
                "groups": numbers,
                "workshop_groups": wg,
            }
        )
    rows.sort(key=lambda r: (-r["n_groups"], -r["n_notes"], r["id"]))
    return rows


def _org_notes(G: nx.MultiDiGraph, org: str) -> list[str]:
    notes = [u for u, _, k in G.in_edges(org, keys=True) if k == _MENTIONS]
    return sorted(notes, key=lambda n: _note_sort_key(G, n))


def groups_mentioning(G: nx.MultiDiGraph, org: str) -> list[dict[str, Any]]:
    """The groups whose notes mention an organisation, with those notes.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> [(g["workshop"], g["group"], g["notes"]) for g in groups_mentioning(example_graph(), "nhs")]
    [('alpha', 1, ['G1-Q1-A-3']), ('beta', 1, ['G1-Q1-2'])]
    """
    m = resolve_org(G, org)
    by_group: dict[tuple[str, int | None], list[str]] = defaultdict(list)
    for n in _org_notes(G, m.node):
        by_group[_group_ref(G, n)].append(G.nodes[n].get("note_id", n))
    return [
        {"workshop": w, "group": g, "notes": notes}
        for (w, g), notes in sorted(by_group.items(), key=lambda kv: (kv[0][0], kv[0][1] or -1))
    ]


def org_profile(G: nx.MultiDiGraph, org: str) -> dict[str, Any]:
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
    notes = _org_notes(G, m.node)
    per_kind: dict[str, dict[str, list[str]]] = {str(k): defaultdict(list) for k in THEME_KINDS}
    for n in notes:
        for t, _ in idx.note_themes.get(n, []):
            per_kind[G.nodes[t]["kind"]][t].append(n)
    numbers, wg = _groups_json(_group_ref(G, n) for n in notes)

    def ranked(kind: NodeKind) -> list[dict[str, Any]]:
        rows = [
            {
                "id": _short_id(G, t),
                "label": G.nodes[t].get("label", ""),
                "n_notes": len(ns),
                "notes": [G.nodes[n].get("note_id", n) for n in ns],
            }
            for t, ns in per_kind[str(kind)].items()
        ]
        return sorted(rows, key=lambda r: (-r["n_notes"], r["id"]))

    d = G.nodes[m.node]
    return {
        "id": m.id,
        "label": d.get("label", ""),
        "type": d.get("org_type", ""),
        "n_notes": len(notes),
        "groups": numbers,
        "workshop_groups": wg,
        "barriers": ranked(NodeKind.BARRIER),
        "practices": ranked(NodeKind.PRACTICE),
        "benefits": ranked(NodeKind.BENEFIT),
        "evidence": [evidence_entry(G, n, G.nodes[n].get("note_kind", "")) for n in notes],
    }


def gaps(G: nx.MultiDiGraph, *, min_score: float = DEFAULT_MIN_SCORE) -> dict[str, Any]:
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
        if k == _ADDRESSES and d.get("score", 0.0) >= min_score:
            strong[v].append((u, d))
            linked.add(u)

    def groups_of(t: str) -> set[tuple[str, int | None]]:
        return {_group_ref(G, n) for n in idx.theme_notes.get(t, [])}

    def row(t: str) -> dict[str, Any]:
        numbers, wg = _groups_json(groups_of(t))
        return {
            "id": _short_id(G, t),
            "label": G.nodes[t].get("label", ""),
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
        for p, d in sorted(links, key=lambda x: (-x[1].get("score", 0.0), x[0])):
            gp = groups_of(p)
            needed = gb - gp
            if needed and gp:
                cross.append(
                    {
                        "practice": _short_id(G, p),
                        "practice_label": G.nodes[p].get("label", ""),
                        "barrier": _short_id(G, b),
                        "barrier_label": G.nodes[b].get("label", ""),
                        "score": d.get("score", 0.0),
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


def theme_graph(G: nx.MultiDiGraph) -> nx.Graph:
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
    T = nx.Graph()
    for kind in THEME_KINDS:
        for t in idx.by_kind.get(str(kind), []):
            T.add_node(t, kind=str(kind), label=G.nodes[t].get("label", ""))
    blocks: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    for note, themes in idx.note_themes.items():
        d = G.nodes[note]
        key = (
            d.get("workshop"),
            d.get("group"),
            d.get("question"),
            d.get("prompt"),
            d.get("block"),
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
            T.edges[u, v]["score"] = d.get("score", 0.0)
    return T


def centrality(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
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
            "label": T.nodes[t]["label"],
            "kind": T.nodes[t]["kind"],
            "degree": round(deg[t], 4),
            "strength": int(T.degree(t, weight="weight")),
            "betweenness": round(btw[t], 4),
        }
        for t in T
    ]
    rows.sort(key=lambda r: (-r["betweenness"], -r["strength"], r["id"]))
    return rows


def communities(G: nx.MultiDiGraph, *, seed: int = 0) -> list[list[str]]:
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
