"""The one place that builds the knowledge graph: a networkx ``MultiDiGraph``.

The schema (node ids, node and edge attributes, how lists are stored) is
defined in :mod:`collab_graph.graph.schema`; this module only fills it in from
coded notes, workshop metadata, the taxonomy and the curated links. See
:mod:`collab_graph.graph.links` for how ``addresses`` links are scored.

Graphs are not changed after they are built. A caller that does change one
in place uses :func:`add_edge` (or calls :func:`collab_graph.graph.schema.touch`),
so that caches keyed on the graph's version are rebuilt.

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

from collab_graph.bulk import paused_gc
from collab_graph.errors import DataFileError
from collab_graph.graph.links import (
    AddressesLink,
    CuratedLink,
    combine_links,
    compute_evidence,
    evidence_unit,
)
from collab_graph.graph.schema import (
    EdgeAttr,
    KnowledgeGraph,
    NodeAttr,
    group_node,
    join_list,
    join_reasons,
    new_graph,
    note_node,
    org_node,
    prompt_node,
    question_node,
    theme_node,
    tool_node,
    touch,
    workshop_node,
)
from collab_graph.model import (
    CodedNote,
    EdgeKind,
    NodeKind,
    Organisation,
    OrgCategory,
    Theme,
    ThemeKind,
    Workshop,
    theme_node_kind,
)

__all__ = ["add_edge", "build_graph", "mention_node"]


def _put(values: dict[str, Any]) -> dict[str, Any]:
    """The values that are not None (GraphML/GEXF reject None)."""
    return {k: v for k, v in values.items() if v is not None}


def _add_edge(G: KnowledgeGraph, u: str, v: str, kind: EdgeKind, **attrs: Any) -> None:
    key = str(kind)
    G.add_edge(u, v, key=key, **{EdgeAttr.KIND: key, **attrs})


def add_edge(G: KnowledgeGraph, u: str, v: str, kind: EdgeKind | str, **attrs: Any) -> None:
    """Add an edge to a built graph in place, as the builder does, and bump its version.

    The edge's key and ``kind`` attribute are ``kind``; an edge of that kind
    between ``u`` and ``v`` is replaced. The version bump
    (:func:`collab_graph.graph.schema.touch`) makes per-graph caches, such as
    the indexes of :mod:`collab_graph.graph.query`, rebuild on their next use.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph built by :func:`build_graph`.
    u, v : str
        Node ids (see :mod:`collab_graph.graph.schema`); both must exist.
    kind : EdgeKind or str
        The edge kind.
    **attrs
        Edge attributes (:class:`collab_graph.graph.schema.EdgeAttr` names).

    Raises
    ------
    KeyError
        When ``u`` or ``v`` is not a node of ``G``.
    ValueError
        When ``kind`` is not an :class:`~collab_graph.model.EdgeKind`.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> from collab_graph.graph.schema import graph_version
    >>> G = example_graph()
    >>> add_edge(G, note_node("alpha", "G1-Q1-A-2"), theme_node("b_trust"), "about", primary=False)
    >>> G.edges[note_node("alpha", "G1-Q1-A-2"), theme_node("b_trust"), "about"]
    {'kind': 'about', 'primary': False}
    >>> graph_version(G)
    1
    """
    for node in (u, v):
        if node not in G:
            raise KeyError(f"{node!r} is not a node of the graph")
    edge_kind = EdgeKind(str(kind))
    if G.has_edge(u, v, str(edge_kind)):
        G.remove_edge(u, v, str(edge_kind))
    _add_edge(G, u, v, edge_kind, **attrs)
    touch(G)


def _add_theme(G: KnowledgeGraph, t: Theme) -> None:
    node = theme_node(t.id)
    if node in G:
        return
    G.add_node(
        node,
        **_put(
            {
                NodeAttr.KIND: str(theme_node_kind(t.kind)),
                NodeAttr.LABEL: t.label,
                NodeAttr.THEME_ID: t.id,
                NodeAttr.DEFINITION: t.definition,
                NodeAttr.CUES: join_list(t.cues),
                NodeAttr.ALT_LABELS: join_list(t.alt_labels),
                NodeAttr.BROADER: t.broader,
                NodeAttr.SOURCE: join_list(t.source),
            }
        ),
    )


def mention_node(o: Organisation) -> str:
    """The node of an organisation or tool: ``tool/{id}`` for a tool, else ``org/{id}``.

    Examples
    --------
    >>> from collab_graph.model import OrgType
    >>> mention_node(Organisation("trello", "Trello", OrgType.TOOL))
    'tool/trello'
    >>> mention_node(Organisation("nhs", "NHS", OrgType.HEALTH))
    'org/nhs'
    """
    return tool_node(o.id) if o.category is OrgCategory.TOOL else org_node(o.id)


def _add_org(G: KnowledgeGraph, o: Organisation) -> None:
    node = mention_node(o)
    if node in G:
        return
    tool = o.category is OrgCategory.TOOL
    G.add_node(
        node,
        **{
            NodeAttr.KIND: str(NodeKind.TOOL if tool else NodeKind.ORGANISATION),
            NodeAttr.LABEL: o.label,
            NodeAttr.ORG_ID: o.id,
            NodeAttr.ORG_TYPE: str(o.type),
            NodeAttr.ALIASES: join_list(o.aliases),
            NodeAttr.NOTE: o.note,
            NodeAttr.RESOLVED: o.resolved,
        },
    )


def _add_workshop(G: KnowledgeGraph, w: Workshop) -> None:
    G.add_node(
        workshop_node(w.slug),
        **{
            NodeAttr.KIND: str(NodeKind.WORKSHOP),
            NodeAttr.LABEL: w.title,
            NodeAttr.SLUG: w.slug,
            NodeAttr.TITLE: w.title,
            NodeAttr.SOURCE: w.source,
        },
    )
    for q in w.questions:
        _ensure_question(G, w.slug, q.number, text=q.text, line=q.line)
    for p in w.prompts:
        _ensure_prompt(G, w.slug, p.question, p.letter, topic=p.topic, line=p.line)


def _ensure_question(
    G: KnowledgeGraph, slug: str, number: int, *, text: str | None = None, line: int | None = None
) -> str:
    qn = question_node(slug, number)
    if qn not in G:
        G.add_node(
            qn,
            **_put(
                {
                    NodeAttr.KIND: str(NodeKind.QUESTION),
                    NodeAttr.LABEL: f"Question {number}",
                    NodeAttr.WORKSHOP: slug,
                    NodeAttr.NUMBER: number,
                    NodeAttr.TEXT: text,
                    NodeAttr.LINE: line,
                }
            ),
        )
        _add_edge(G, qn, workshop_node(slug), EdgeKind.PART_OF)
    return qn


def _ensure_prompt(
    G: KnowledgeGraph,
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
                {
                    NodeAttr.KIND: str(NodeKind.PROMPT),
                    NodeAttr.LABEL: label,
                    NodeAttr.WORKSHOP: slug,
                    NodeAttr.LETTER: letter,
                    NodeAttr.QUESTION: question,
                    NodeAttr.TOPIC: topic,
                    NodeAttr.LINE: line,
                }
            ),
        )
        parent = workshop_node(slug) if question is None else _ensure_question(G, slug, question)
        _add_edge(G, pn, parent, EdgeKind.PART_OF)
    return pn


def _ensure_group(G: KnowledgeGraph, slug: str, group: int | None, label: str | None) -> str:
    gn = group_node(slug, group)
    if gn not in G:
        default = "(no group)" if group is None else f"Group {group}"
        G.add_node(
            gn,
            **_put(
                {
                    NodeAttr.KIND: str(NodeKind.GROUP),
                    NodeAttr.LABEL: label or default,
                    NodeAttr.WORKSHOP: slug,
                    NodeAttr.NUMBER: group,
                }
            ),
        )
        _add_edge(G, gn, workshop_node(slug), EdgeKind.PART_OF)
    return gn


_RAISED, _IN, _ABOUT, _MENTIONS = (
    str(EdgeKind.RAISED),
    str(EdgeKind.IN),
    str(EdgeKind.ABOUT),
    str(EdgeKind.MENTIONS),
)
_NOTE = str(NodeKind.NOTE)


def _add_note(G: KnowledgeGraph, cn: CodedNote) -> None:
    # The hot loop of the builder (once per note): plain dicts and direct add_edge
    # calls, the same attributes and edges as _add_edge would give.
    n = cn.note
    slug = n.workshop
    nn = note_node(slug, n.id)
    if nn in G:
        raise DataFileError(f"{slug}: duplicate note id {n.id!r} (line {n.line})", line=n.line)
    attrs: dict[str, Any] = {
        NodeAttr.KIND: _NOTE,
        NodeAttr.LABEL: n.id,
        NodeAttr.WORKSHOP: slug,
        NodeAttr.NOTE_ID: n.id,
        NodeAttr.TEXT: n.text,
        NodeAttr.LINE: n.line,
    }
    for name, value in (
        (NodeAttr.GROUP, n.group),
        (NodeAttr.QUESTION, n.question),
        (NodeAttr.PROMPT, n.prompt),
    ):
        if value is not None:
            attrs[name] = value
    attrs[NodeAttr.BLOCK] = n.block
    if n.section is not None:
        attrs[NodeAttr.SECTION] = n.section
    if n.group is None:
        unit = evidence_unit(n)
        if unit.section is not None:
            attrs[NodeAttr.UNIT_SECTION] = unit.section
            attrs[NodeAttr.UNIT_LINE] = unit.line
    attrs[NodeAttr.NOTE_KIND] = str(cn.kind)
    attrs[NodeAttr.CONFIDENCE] = round(float(cn.confidence), 3)
    attrs[NodeAttr.REASONS] = join_reasons(cn.reasons)
    attrs[NodeAttr.REVIEWED] = cn.reviewed
    if cn.classifier_kind is not None:
        attrs[NodeAttr.CLASSIFIER_KIND] = str(cn.classifier_kind)
    G.add_node(nn, **attrs)
    add = G.add_edge
    add(_ensure_group(G, slug, n.group, n.group_label), nn, key=_RAISED, **{EdgeAttr.KIND: _RAISED})
    if n.question is not None:
        add(nn, _ensure_question(G, slug, n.question), key=_IN, **{EdgeAttr.KIND: _IN})
    if n.prompt is not None:
        add(nn, _ensure_prompt(G, slug, n.question, n.prompt), key=_IN, **{EdgeAttr.KIND: _IN})
    seen: set[str] = set()
    for i, t in enumerate(cn.themes):
        tn = theme_node(t.id)
        if tn not in G:
            _add_theme(G, t)
        if tn not in seen:
            seen.add(tn)
            add(nn, tn, key=_ABOUT, **{EdgeAttr.KIND: _ABOUT, EdgeAttr.PRIMARY: i == 0})
    for o in cn.orgs:
        on = mention_node(o)
        if on not in G:
            _add_org(G, o)
        if on not in seen:
            seen.add(on)
            add(nn, on, key=_MENTIONS, **{EdgeAttr.KIND: _MENTIONS})


def _add_link(G: KnowledgeGraph, link: AddressesLink) -> None:
    cur, ev = link.curated, link.evidence
    explicit = join_list(note_node(w, n) for w, n in ev.explicit_notes) if ev else ""
    _add_edge(
        G,
        theme_node(link.practice),
        theme_node(link.barrier),
        EdgeKind.ADDRESSES,
        **{
            EdgeAttr.SCORE: link.score,
            EdgeAttr.LEVEL: link.level,
            EdgeAttr.CURATED: cur is not None,
            EdgeAttr.STRENGTH: cur.strength if cur else "",
            EdgeAttr.RATIONALE: cur.rationale if cur else "",
            EdgeAttr.CURATED_SCORE: link.curated_score,
            EdgeAttr.EVIDENCE_SCORE: link.evidence_score,
            EdgeAttr.ENDORSEMENT: ev.endorsement if ev else 0.0,
            EdgeAttr.GROUPS_BARRIER: ev.groups_barrier if ev else 0,
            EdgeAttr.GROUPS_PRACTICE: ev.groups_practice if ev else 0,
            EdgeAttr.GROUPS_BOTH: ev.groups_both if ev else 0,
            EdgeAttr.EXPLICIT_GROUPS: ev.explicit_groups if ev else 0,
            EdgeAttr.BLOCK_GROUPS: ev.block_groups if ev else 0,
            EdgeAttr.EXPLICIT_NOTES: explicit,
        },
    )


def build_graph(
    coded: Sequence[CodedNote],
    workshops: Sequence[Workshop] = (),
    *,
    themes: Iterable[Theme] = (),
    organisations: Iterable[Organisation] = (),
    curated: Sequence[CuratedLink] = (),
) -> KnowledgeGraph:
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
        See :mod:`collab_graph.graph.schema` for the schema. ``G.graph``
        holds ``name`` and ``version`` (0).

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
        G = new_graph()
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
                if G.nodes[node][NodeAttr.KIND] != str(want):
                    raise DataFileError(
                        f"{where}{tid!r} is a {G.nodes[node][NodeAttr.KIND]}, not a {want}",
                        line=c.line or None,
                    )
        for link in combine_links(curated, compute_evidence(coded)):
            _add_link(G, link)
    return G
