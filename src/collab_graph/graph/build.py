"""The one place that builds the knowledge graph: a networkx ``MultiDiGraph``.

Schema
------
Node ids are path-like strings built from slugs and ids, so they are stable
across runs and turn into valid IRIs by prefixing a base IRI (see
:mod:`collab_graph.rdf.convert`). Notes and their structure are namespaced by workshop
slug; themes and organisations are shared by all workshops.

Nodes (attributes besides ``kind`` and ``label``; ``?`` = absent when unknown):

``workshop/{slug}`` — workshop
    ``slug, title, source``
``workshop/{slug}/Q{n}`` — question
    ``workshop, number, text?, line?``
``workshop/{slug}/Q{n}-{L}`` (``workshop/{slug}/P-{L}`` with no question) — prompt
    ``workshop, letter, question?, topic?, line?``
``workshop/{slug}/G{n}`` (``workshop/{slug}/G-none`` with no groups) — group
    ``workshop, number?``; ``label`` is the source's own words, e.g. "Group One"
``workshop/{slug}/note/{note id}`` — note
    ``workshop, note_id, text, line, group?, question?, prompt?, block, section?,
    note_kind, confidence, reasons, reviewed, classifier_kind?``
``theme/{theme id}`` — practice, barrier or benefit
    ``theme_id, definition, cues, alt_labels, broader?``
``org/{org id}`` — organisation
    ``org_id, org_type, aliases, note``

``kind`` is a :class:`~collab_graph.model.NodeKind` value; a note's coded kind is
``note_kind`` (a :class:`~collab_graph.model.NoteKind` value). ``label`` is the
note id for notes, the label for themes and organisations. Attributes marked
``?`` are absent when unknown (never ``None``). Multi-valued attributes
(``cues``, ``alt_labels``, ``aliases``) are sorted and ``;``-joined, and
``reasons`` is ``" | "``-joined, so that every value is a plain ``str``, ``int``,
``float`` or ``bool`` and GraphML/GEXF can store them.

Edges have the :class:`~collab_graph.model.EdgeKind` value as key *and* as
attribute ``kind``; a pair of nodes has at most one edge of each kind.

Edges (kind: from → to; attributes besides ``kind``):

``part_of``: group → workshop, question → workshop, prompt → question (or workshop)
``raised``: group → note
``in``: note → question, note → prompt
``child_of``: nested note → parent note
``about``: note → theme; ``primary`` is True for the note's first theme
``mentions``: note → organisation
``addresses``: practice → barrier; ``score, level, curated, strength, rationale,
    curated_score, evidence_score, endorsement, groups_barrier, groups_practice,
    groups_both, explicit_groups, block_groups, explicit_notes`` (``;``-joined note
    node ids)

See :mod:`collab_graph.graph.links` for how ``addresses`` links are scored.

Examples
--------
>>> from collab_graph.graph.examples import example_graph
>>> G = example_graph()
>>> G.nodes["workshop/alpha/note/G1-Q1-A-2"]["text"]
'Day job – no time'
>>> sorted(k for _, _, k in G.out_edges("workshop/alpha/note/G1-Q1-A-2", keys=True))
['about', 'in', 'in']
>>> G.edges["theme/p_protected_time", "theme/b_time_capacity", "addresses"]["score"]
0.75
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from collab_graph.bulk import paused_gc
from collab_graph.errors import DataFileError
from collab_graph.graph.links import AddressesLink, CuratedLink, combine_links, compute_evidence
from collab_graph.model import (
    CodedNote,
    EdgeKind,
    NodeKind,
    Organisation,
    Theme,
    ThemeKind,
    Workshop,
)

__all__ = [
    "THEME_KINDS",
    "build_graph",
    "group_node",
    "nodes_of_kind",
    "note_node",
    "org_node",
    "prompt_node",
    "question_node",
    "theme_node",
    "workshop_node",
]

THEME_KINDS = frozenset({NodeKind.PRACTICE, NodeKind.BARRIER, NodeKind.BENEFIT})
"""The node kinds that are taxonomy themes."""


def workshop_node(slug: str) -> str:
    """Node id of a workshop.

    Examples
    --------
    >>> workshop_node("alpha")
    'workshop/alpha'
    """
    return f"workshop/{slug}"


def question_node(slug: str, number: int) -> str:
    """Node id of question ``number`` of a workshop."""
    return f"workshop/{slug}/Q{number}"


def prompt_node(slug: str, question: int | None, letter: str) -> str:
    """Node id of a prompt letter within a question (or the workshop when no question).

    Examples
    --------
    >>> prompt_node("alpha", 1, "A"), prompt_node("alpha", None, "A")
    ('workshop/alpha/Q1-A', 'workshop/alpha/P-A')
    """
    if question is None:
        return f"workshop/{slug}/P-{letter}"
    return f"workshop/{slug}/Q{question}-{letter}"


def group_node(slug: str, group: int | None) -> str:
    """Node id of a group; notes without a group share ``G-none``."""
    return f"workshop/{slug}/G-none" if group is None else f"workshop/{slug}/G{group}"


def note_node(slug: str, note_id: str) -> str:
    """Node id of a note.

    Examples
    --------
    >>> note_node("alpha", "G3-Q1-D-6")
    'workshop/alpha/note/G3-Q1-D-6'
    """
    return f"workshop/{slug}/note/{note_id}"


def theme_node(theme_id: str) -> str:
    """Node id of a theme (practice, barrier or benefit)."""
    return f"theme/{theme_id}"


def org_node(org_id: str) -> str:
    """Node id of an organisation."""
    return f"org/{org_id}"


def nodes_of_kind(G: nx.MultiDiGraph, *kinds: NodeKind | str) -> list[str]:
    """Node ids whose ``kind`` is one of ``kinds``, sorted.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> nodes_of_kind(example_graph(), NodeKind.BARRIER)
    ['theme/b_funding_budgets', 'theme/b_time_capacity', 'theme/b_trust']
    """
    wanted = {str(k) for k in kinds}
    return sorted(n for n, k in G.nodes(data="kind") if k in wanted)


def _put(attrs: dict[str, Any], **values: Any) -> dict[str, Any]:
    """Add the values that are not None (GraphML/GEXF reject None)."""
    attrs.update({k: v for k, v in values.items() if v is not None})
    return attrs


def _joined(values: Iterable[str]) -> str:
    return ";".join(sorted(set(values)))


def _add_edge(G: nx.MultiDiGraph, u: str, v: str, kind: EdgeKind, **attrs: Any) -> None:
    G.add_edge(u, v, key=str(kind), kind=str(kind), **attrs)


def _add_theme(G: nx.MultiDiGraph, t: Theme) -> None:
    node = theme_node(t.id)
    if node in G:
        return
    G.add_node(
        node,
        **_put(
            {},
            kind=str(NodeKind(str(t.kind))),
            label=t.label,
            theme_id=t.id,
            definition=t.definition,
            cues=_joined(t.cues),
            alt_labels=_joined(t.alt_labels),
            broader=t.broader,
        ),
    )


def _add_org(G: nx.MultiDiGraph, o: Organisation) -> None:
    node = org_node(o.id)
    if node in G:
        return
    G.add_node(
        node,
        kind=str(NodeKind.ORGANISATION),
        label=o.label,
        org_id=o.id,
        org_type=str(o.type),
        aliases=_joined(o.aliases),
        note=o.note,
    )


def _add_workshop(G: nx.MultiDiGraph, w: Workshop) -> None:
    wn = workshop_node(w.slug)
    G.add_node(
        wn, kind=str(NodeKind.WORKSHOP), label=w.title, slug=w.slug, title=w.title, source=w.source
    )
    for q in w.questions:
        _ensure_question(G, w.slug, q.number, text=q.text, line=q.line)
    for p in w.prompts:
        _ensure_prompt(G, w.slug, p.question, p.letter, topic=p.topic, line=p.line)


def _ensure_question(
    G: nx.MultiDiGraph, slug: str, number: int, *, text: str | None = None, line: int | None = None
) -> str:
    qn = question_node(slug, number)
    if qn not in G:
        G.add_node(
            qn,
            **_put(
                {},
                kind=str(NodeKind.QUESTION),
                label=f"Question {number}",
                workshop=slug,
                number=number,
                text=text,
                line=line,
            ),
        )
        _add_edge(G, qn, workshop_node(slug), EdgeKind.PART_OF)
    return qn


def _ensure_prompt(
    G: nx.MultiDiGraph,
    slug: str,
    question: int | None,
    letter: str,
    *,
    topic: str | None = None,
    line: int | None = None,
) -> str:
    pn = prompt_node(slug, question, letter)
    if pn not in G:
        label = f"Q{question} {letter})" if question is not None else f"{letter})"
        G.add_node(
            pn,
            **_put(
                {},
                kind=str(NodeKind.PROMPT),
                label=label,
                workshop=slug,
                letter=letter,
                question=question,
                topic=topic,
                line=line,
            ),
        )
        parent = workshop_node(slug) if question is None else _ensure_question(G, slug, question)
        _add_edge(G, pn, parent, EdgeKind.PART_OF)
    return pn


def _ensure_group(G: nx.MultiDiGraph, slug: str, group: int | None, label: str | None) -> str:
    gn = group_node(slug, group)
    if gn not in G:
        default = "(no group)" if group is None else f"Group {group}"
        G.add_node(
            gn,
            **_put(
                {}, kind=str(NodeKind.GROUP), label=label or default, workshop=slug, number=group
            ),
        )
        _add_edge(G, gn, workshop_node(slug), EdgeKind.PART_OF)
    return gn


def _add_note(G: nx.MultiDiGraph, cn: CodedNote) -> None:
    n = cn.note
    slug = n.workshop
    nn = note_node(slug, n.id)
    if nn in G:
        raise DataFileError(f"{slug}: duplicate note id {n.id!r} (line {n.line})", line=n.line)
    G.add_node(
        nn,
        **_put(
            {},
            kind=str(NodeKind.NOTE),
            label=n.id,
            workshop=slug,
            note_id=n.id,
            text=n.text,
            line=n.line,
            group=n.group,
            question=n.question,
            prompt=n.prompt,
            block=n.block,
            section=n.section,
            note_kind=str(cn.kind),
            confidence=round(float(cn.confidence), 3),
            reasons=" | ".join(cn.reasons),
            reviewed=cn.reviewed,
            classifier_kind=None if cn.classifier_kind is None else str(cn.classifier_kind),
        ),
    )
    _add_edge(G, _ensure_group(G, slug, n.group, n.group_label), nn, EdgeKind.RAISED)
    if n.question is not None:
        _add_edge(G, nn, _ensure_question(G, slug, n.question), EdgeKind.IN)
    if n.prompt is not None:
        _add_edge(G, nn, _ensure_prompt(G, slug, n.question, n.prompt), EdgeKind.IN)
    for i, t in enumerate(cn.themes):
        _add_theme(G, t)
        if not G.has_edge(nn, theme_node(t.id), str(EdgeKind.ABOUT)):
            _add_edge(G, nn, theme_node(t.id), EdgeKind.ABOUT, primary=i == 0)
    for o in cn.orgs:
        _add_org(G, o)
        if not G.has_edge(nn, org_node(o.id), str(EdgeKind.MENTIONS)):
            _add_edge(G, nn, org_node(o.id), EdgeKind.MENTIONS)


def _add_link(G: nx.MultiDiGraph, link: AddressesLink) -> None:
    cur, ev = link.curated, link.evidence
    explicit = ";".join(note_node(w, n) for w, n in ev.explicit_notes) if ev else ""
    _add_edge(
        G,
        theme_node(link.practice),
        theme_node(link.barrier),
        EdgeKind.ADDRESSES,
        score=link.score,
        level=link.level,
        curated=cur is not None,
        strength=cur.strength if cur else "",
        rationale=cur.rationale if cur else "",
        curated_score=link.curated_score,
        evidence_score=link.evidence_score,
        endorsement=ev.endorsement if ev else 0.0,
        groups_barrier=ev.groups_barrier if ev else 0,
        groups_practice=ev.groups_practice if ev else 0,
        groups_both=ev.groups_both if ev else 0,
        explicit_groups=ev.explicit_groups if ev else 0,
        block_groups=ev.block_groups if ev else 0,
        explicit_notes=explicit,
    )


def build_graph(
    coded: Sequence[CodedNote],
    workshops: Sequence[Workshop] = (),
    *,
    themes: Iterable[Theme] = (),
    organisations: Iterable[Organisation] = (),
    curated: Sequence[CuratedLink] = (),
) -> nx.MultiDiGraph:
    """Build the knowledge graph of one or more coded workshops.

    Parameters
    ----------
    coded : sequence of CodedNote
        The coded notes of all workshops.
    workshops : sequence of Workshop
        Workshop metadata (title, source, question texts, prompt topics). A
        workshop that notes refer to but that is missing here gets a bare node.
    themes : iterable of Theme
        The taxonomy. Every theme becomes a node, used or not, so that gaps
        (barriers nobody addresses) show. Themes on notes are added as well.
    organisations : iterable of Organisation
        Extra organisation nodes; mentioned organisations are always added.
    curated : sequence of CuratedLink
        Curated practice → barrier links (:func:`collab_graph.graph.links.load_curated`).

    Returns
    -------
    networkx.MultiDiGraph
        See the module docstring for the schema. ``G.graph`` holds ``name``.

    Raises
    ------
    DataFileError
        When a curated link names an unknown theme or joins themes of the wrong
        kinds, or when two notes of one workshop share an id.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_coded_notes, example_workshops
    >>> G = build_graph(example_coded_notes(), example_workshops())
    >>> G.number_of_nodes(), G.nodes["workshop/alpha/Q1-A"]["topic"]
    (28, 'resourcing')
    """
    with paused_gc():
        G = nx.MultiDiGraph(name="collab-graph")
        for t in themes:
            _add_theme(G, t)
        for o in organisations:
            _add_org(G, o)
        known = set()
        for w in workshops:
            _add_workshop(G, w)
            known.add(w.slug)
        for cn in coded:
            slug = cn.note.workshop
            if slug not in known:
                _add_workshop(G, Workshop(slug=slug, title=slug, source=""))
                known.add(slug)
            _add_note(G, cn)
        for c in curated:
            for tid, want in ((c.practice, ThemeKind.PRACTICE), (c.barrier, ThemeKind.BARRIER)):
                node = theme_node(tid)
                where = f"curated link line {c.line}: " if c.line else "curated link: "
                if node not in G:
                    raise DataFileError(
                        f"{where}unknown theme {tid!r}; is it in the taxonomy?", line=c.line or None
                    )
                if G.nodes[node]["kind"] != str(want):
                    raise DataFileError(
                        f"{where}{tid!r} is a {G.nodes[node]['kind']}, not a {want}",
                        line=c.line or None,
                    )
        for link in combine_links(curated, compute_evidence(coded)):
            _add_link(G, link)
    return G
