"""The graph as RDF, and back: ``to_rdf(G)`` and ``from_rdf(g)`` are inverses.

This module holds the one map between the networkx schema of
:mod:`collab_graph.graph.schema` and RDF:

* **Classes.** :data:`CLASS_OF` maps each :class:`~collab_graph.model.NodeKind`
  to one RDF class (``cg:Note``, ``cg:Practice``, ``org:Organization``, ...).
  :data:`EXTRA_TYPES` adds the reused superclasses (``prov:Entity`` for notes,
  ``prov:Agent`` for groups, ``skos:Concept`` for themes, ...), which
  :func:`from_rdf` ignores because :func:`to_rdf` always re-adds them.
* **Attributes.** :data:`NODE_ATTRS` maps each node attribute to a property
  (``text`` → ``schema:text``, ``line`` → ``cg:sourceLine``, ``label`` →
  ``rdfs:label`` or ``skos:prefLabel``, ...).
* **Edges.** :data:`EDGE_PREDICATES` maps each :class:`~collab_graph.model.EdgeKind`
  to a property. ``raised`` is written the PROV way round, note
  ``prov:wasAttributedTo`` group. An ``addresses`` edge becomes a direct
  ``cg:addresses`` triple plus a ``cg:AddressesLink`` resource carrying its
  scores, so that both parts of the score stay queryable.
* **Provenance.** Every note ``prov:wasDerivedFrom`` its workshop's
  ``cg:SourceDocument`` and carries its ``cg:sourceLine``.

IRIs are the base IRI plus the (percent-encoded) node id, so they are valid and
deterministic; there are no blank nodes, so the same graph always gives the
same triples. In the :class:`rdflib.Dataset`, each workshop's triples sit in a
named graph named by the workshop's IRI; themes, organisations and links, which
workshops share, sit in ``{base}graph/shared``.

Examples
--------
>>> from rdflib.compare import isomorphic
>>> from collab_graph.graph.examples import example_graph
>>> G = example_graph()
>>> ds = to_rdf(G)
>>> len(list(ds.graphs())) >= 3
True
>>> H = from_rdf(ds)
>>> sorted(H.nodes(data=True)) == sorted(G.nodes(data=True))
True
>>> isomorphic(to_graph(H), to_graph(G))
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TypeVar
from typing import Literal as Lit
from urllib.parse import quote, unquote

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from collab_graph.bulk import paused_gc
from collab_graph.errors import DataFileError, ExportError
from collab_graph.graph.schema import (
    THEME_KINDS,
    EdgeAttr,
    KnowledgeGraph,
    NodeAttr,
    join_list,
    new_graph,
    split_list,
    theme_id,
    theme_node,
    workshop_node,
)
from collab_graph.model import EdgeKind, NodeKind
from collab_graph.rdf.vocab import (
    CG,
    DCTERMS,
    DEFAULT_BASE,
    ORG,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
)
from collab_graph.resources import data_path

__all__ = [
    "CLASS_OF",
    "EDGE_PREDICATES",
    "EXTRA_TYPES",
    "LINK_ATTRS",
    "NODE_ATTRS",
    "SHAPES_FILE",
    "AttrSpec",
    "ShaclReport",
    "check_base",
    "from_rdf",
    "iter_quads",
    "node_iri",
    "shared_graph_iri",
    "to_graph",
    "to_rdf",
    "validate",
]

SHAPES_FILE = "shapes.ttl"

CLASS_OF: Mapping[NodeKind, URIRef] = {
    NodeKind.WORKSHOP: CG.Workshop,
    NodeKind.QUESTION: CG.Question,
    NodeKind.PROMPT: CG.Prompt,
    NodeKind.GROUP: CG.Group,
    NodeKind.NOTE: CG.Note,
    NodeKind.PRACTICE: CG.Practice,
    NodeKind.BARRIER: CG.Barrier,
    NodeKind.BENEFIT: CG.Benefit,
    NodeKind.ORGANISATION: ORG.Organization,
    NodeKind.TOOL: CG.Tool,
}
"""The one NodeKind ↔ RDF class map."""

KIND_OF: Mapping[URIRef, NodeKind] = {v: k for k, v in CLASS_OF.items()}

EXTRA_TYPES: Mapping[NodeKind, tuple[URIRef, ...]] = {
    NodeKind.WORKSHOP: (PROV.Activity,),
    NodeKind.GROUP: (PROV.Agent,),
    NodeKind.NOTE: (PROV.Entity,),
    NodeKind.PRACTICE: (CG.Theme, SKOS.Concept),
    NodeKind.BARRIER: (CG.Theme, SKOS.Concept),
    NodeKind.BENEFIT: (CG.Theme, SKOS.Concept),
    NodeKind.ORGANISATION: (PROV.Agent,),
    NodeKind.TOOL: (SDO.SoftwareApplication,),
}
"""Reused superclasses asserted alongside the class of :data:`CLASS_OF`."""

EDGE_PREDICATES: Mapping[EdgeKind, URIRef] = {
    EdgeKind.PART_OF: DCTERMS.isPartOf,
    EdgeKind.RAISED: PROV.wasAttributedTo,  # written note -> group
    EdgeKind.IN: CG.inResponseTo,
    EdgeKind.CHILD_OF: CG.childOf,
    EdgeKind.ABOUT: DCTERMS.subject,
    EdgeKind.MENTIONS: SDO.mentions,
    EdgeKind.ADDRESSES: CG.addresses,
}
"""The one EdgeKind ↔ RDF property map."""

_INVERSE_EDGES = frozenset({EdgeKind.RAISED})
T_co = TypeVar("T_co", covariant=True)
_EDGE_OF: Mapping[URIRef, EdgeKind] = {v: k for k, v in EDGE_PREDICATES.items()}


@dataclass(frozen=True, slots=True)
class AttrSpec:
    """How one node or link attribute is written in RDF.

    ``mode`` is ``one`` (one literal), ``many`` (a list attribute, see
    :func:`collab_graph.graph.schema.join_list`, written as one literal per
    value), ``ref`` (a theme id written as a theme IRI) or ``refs`` (a list of
    node ids written as IRIs). With ``empty`` True, an empty string is not
    written and comes back as ``""``.
    """

    predicate: URIRef
    mode: Lit["one", "many", "ref", "refs"] = "one"
    empty: bool = False


_THEME_ATTRS: Mapping[str, AttrSpec] = {
    NodeAttr.LABEL: AttrSpec(SKOS.prefLabel),
    NodeAttr.THEME_ID: AttrSpec(DCTERMS.identifier),
    NodeAttr.DEFINITION: AttrSpec(SKOS.definition, empty=True),
    NodeAttr.CUES: AttrSpec(CG.cue, "many"),
    NodeAttr.ALT_LABELS: AttrSpec(SKOS.altLabel, "many"),
    NodeAttr.BROADER: AttrSpec(SKOS.broader, "ref"),
    # dcterms:source, "a related resource from which the described resource is
    # derived", has no declared range, so a literal citing the framework fits;
    # one literal per framework. Workshops use it for their source file too.
    NodeAttr.SOURCE: AttrSpec(DCTERMS.source, "many"),
}

_ORG_ATTRS: Mapping[str, AttrSpec] = {
    NodeAttr.LABEL: AttrSpec(SKOS.prefLabel),
    NodeAttr.ORG_ID: AttrSpec(DCTERMS.identifier),
    NodeAttr.ORG_TYPE: AttrSpec(CG.orgType),
    NodeAttr.ALIASES: AttrSpec(SKOS.altLabel, "many"),
    NodeAttr.NOTE: AttrSpec(RDFS.comment, empty=True),
    NodeAttr.RESOLVED: AttrSpec(CG.resolved),
}

NODE_ATTRS: Mapping[NodeKind, Mapping[str, AttrSpec]] = {
    NodeKind.WORKSHOP: {
        NodeAttr.LABEL: AttrSpec(RDFS.label),
        NodeAttr.SLUG: AttrSpec(DCTERMS.identifier),
        NodeAttr.TITLE: AttrSpec(DCTERMS.title),
        NodeAttr.SOURCE: AttrSpec(DCTERMS.source),
    },
    NodeKind.QUESTION: {
        NodeAttr.LABEL: AttrSpec(RDFS.label),
        NodeAttr.WORKSHOP: AttrSpec(CG.workshop),
        NodeAttr.NUMBER: AttrSpec(CG.number),
        NodeAttr.TEXT: AttrSpec(SDO.text),
        NodeAttr.LINE: AttrSpec(CG.sourceLine),
    },
    NodeKind.PROMPT: {
        NodeAttr.LABEL: AttrSpec(RDFS.label),
        NodeAttr.WORKSHOP: AttrSpec(CG.workshop),
        NodeAttr.LETTER: AttrSpec(CG.letter),
        NodeAttr.QUESTION: AttrSpec(CG.question),
        NodeAttr.TOPIC: AttrSpec(CG.topic),
        NodeAttr.LINE: AttrSpec(CG.sourceLine),
    },
    NodeKind.GROUP: {
        NodeAttr.LABEL: AttrSpec(RDFS.label),
        NodeAttr.WORKSHOP: AttrSpec(CG.workshop),
        NodeAttr.NUMBER: AttrSpec(CG.number),
    },
    NodeKind.NOTE: {
        NodeAttr.LABEL: AttrSpec(RDFS.label),
        NodeAttr.WORKSHOP: AttrSpec(CG.workshop),
        NodeAttr.NOTE_ID: AttrSpec(DCTERMS.identifier),
        NodeAttr.TEXT: AttrSpec(SDO.text),
        NodeAttr.LINE: AttrSpec(CG.sourceLine),
        NodeAttr.GROUP: AttrSpec(CG.group),
        NodeAttr.QUESTION: AttrSpec(CG.question),
        NodeAttr.PROMPT: AttrSpec(CG.prompt),
        NodeAttr.BLOCK: AttrSpec(CG.block),
        NodeAttr.SECTION: AttrSpec(CG.section),
        NodeAttr.NOTE_KIND: AttrSpec(CG.noteKind),
        NodeAttr.CLASSIFIER_KIND: AttrSpec(CG.classifierKind),
        NodeAttr.CONFIDENCE: AttrSpec(CG.confidence),
        NodeAttr.REASONS: AttrSpec(CG.reasons, empty=True),
        NodeAttr.REVIEWED: AttrSpec(CG.reviewed),
    },
    NodeKind.PRACTICE: _THEME_ATTRS,
    NodeKind.BARRIER: _THEME_ATTRS,
    NodeKind.BENEFIT: _THEME_ATTRS,
    NodeKind.ORGANISATION: _ORG_ATTRS,
    NodeKind.TOOL: _ORG_ATTRS,
}
"""Node attribute → RDF property, per node kind. Other attributes are not exported."""

LINK_ATTRS: Mapping[str, AttrSpec] = {
    EdgeAttr.SCORE: AttrSpec(CG.score),
    EdgeAttr.LEVEL: AttrSpec(CG.level),
    EdgeAttr.CURATED: AttrSpec(CG.curated),
    EdgeAttr.STRENGTH: AttrSpec(CG.strength, empty=True),
    EdgeAttr.RATIONALE: AttrSpec(CG.rationale, empty=True),
    EdgeAttr.CURATED_SCORE: AttrSpec(CG.curatedScore),
    EdgeAttr.EVIDENCE_SCORE: AttrSpec(CG.evidenceScore),
    EdgeAttr.ENDORSEMENT: AttrSpec(CG.endorsement),
    EdgeAttr.GROUPS_BARRIER: AttrSpec(CG.groupsBarrier),
    EdgeAttr.GROUPS_PRACTICE: AttrSpec(CG.groupsPractice),
    EdgeAttr.GROUPS_BOTH: AttrSpec(CG.groupsBoth),
    EdgeAttr.EXPLICIT_GROUPS: AttrSpec(CG.explicitGroups),
    EdgeAttr.BLOCK_GROUPS: AttrSpec(CG.blockGroups),
    EdgeAttr.EXPLICIT_NOTES: AttrSpec(CG.explicitNote, "refs"),
}
"""``addresses`` edge attribute → property of its ``cg:AddressesLink`` resource."""

_WORKSHOP_KINDS = frozenset(
    {NodeKind.WORKSHOP, NodeKind.QUESTION, NodeKind.PROMPT, NodeKind.GROUP, NodeKind.NOTE}
)
_BASE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+[/#]$")


def check_base(base: str) -> str:
    """Check that ``base`` is an absolute IRI ending in ``/`` or ``#``.

    Raises
    ------
    ExportError
        When it is not.

    Examples
    --------
    >>> check_base("https://example.org/kg/")
    'https://example.org/kg/'
    >>> check_base("not an iri")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    collab_graph.errors.ExportError: base IRI 'not an iri' must be absolute ...
    """
    if not _BASE_RE.match(base):
        raise ExportError(
            f"base IRI {base!r} must be absolute and end in '/' or '#', e.g. {DEFAULT_BASE!r}"
        )
    return base


def node_iri(base: str, node: str) -> URIRef:
    """The IRI of a node: ``base`` plus the percent-encoded node id.

    Examples
    --------
    >>> str(node_iri("https://example.org/", "workshop/a b/note/G1-1"))
    'https://example.org/workshop/a%20b/note/G1-1'
    """
    return URIRef(base + quote(node, safe="/-_.~"))


def _source_document(slug: str) -> str:
    """The path (under the base IRI) of a workshop's ``cg:SourceDocument``."""
    return f"{workshop_node(slug)}/source"


def shared_graph_iri(base: str) -> URIRef:
    """Name of the named graph holding themes, organisations and links."""
    return URIRef(base + "graph/shared")


def _literal(value: Any) -> Literal:
    # Floats go out as xsd:decimal ("0.75", not "7.5e-01"); the shortest repr
    # of a float reads back as the same float.
    if isinstance(value, float) and not isinstance(value, bool):
        return Literal(Decimal(repr(value)))
    if isinstance(value, bool | int | str):
        return Literal(value)
    raise ExportError(f"attribute value {value!r} is not a plain str, int, float or bool")


def _attr_objects(base: str, spec: AttrSpec, value: Any) -> list[Node]:
    if spec.mode == "one":
        if spec.empty and value == "":
            return []
        return [_literal(value)]
    parts = split_list(value)
    if spec.mode == "many":
        return [Literal(v) for v in parts]
    if spec.mode == "ref":
        return [node_iri(base, theme_node(v)) for v in parts]
    return [node_iri(base, v) for v in parts]


def node_kind(node: str, data: Mapping[str, Any]) -> NodeKind:
    """The :class:`NodeKind` of a graph node, or an :class:`ExportError` naming it.

    Examples
    --------
    >>> node_kind("theme/b_trust", {"kind": "barrier"})
    <NodeKind.BARRIER: 'barrier'>
    """
    try:
        return NodeKind(str(data.get(NodeAttr.KIND)))
    except ValueError as exc:
        raise ExportError(f"node {node!r} has unknown kind {data.get(NodeAttr.KIND)!r}") from exc


class TermMaker(Protocol[T_co]):
    """How :func:`walk_quads` spells RDF terms: rdflib objects or N-Triples text.

    :func:`iter_quads` uses rdflib terms; :mod:`collab_graph.rdf.fast` uses
    strings in N-Triples syntax. Both walk the graph with the same code, so the
    two can never disagree on which triples there are.
    """

    def vocab(self, term: URIRef) -> T_co:
        """A vocabulary IRI (a class or predicate)."""
        ...

    def node(self, node: str) -> T_co:
        """The IRI of a node id, or of a path under the base (as :func:`node_iri`)."""
        ...

    def text(self, value: str) -> T_co:
        """A plain string literal."""
        ...

    def objects(self, spec: AttrSpec, value: Any) -> Sequence[T_co]:
        """The objects one node or link attribute is written as."""
        ...


class _RdflibTerms:
    """:class:`TermMaker` of rdflib terms."""

    def __init__(self, base: str) -> None:
        self.base = base

    def vocab(self, term: URIRef) -> Node:
        return term

    def node(self, node: str) -> Node:
        return node_iri(self.base, node)

    def text(self, value: str) -> Node:
        return Literal(value)

    def objects(self, spec: AttrSpec, value: Any) -> Sequence[Node]:
        return _attr_objects(self.base, spec, value)


def walk_quads(
    G: KnowledgeGraph, base: str, terms: TermMaker[T_co]
) -> Iterator[tuple[T_co, T_co, T_co, T_co]]:
    """Every quad of the RDF form of ``G`` in a deterministic order, spelt by ``terms``.

    The one description of how the graph becomes RDF: :func:`iter_quads` (rdflib
    terms) and the fast writers of :mod:`collab_graph.rdf.fast` (N-Triples text)
    both call it.

    Raises
    ------
    ExportError
        When the base IRI is invalid or a node has an unknown kind.
    """
    check_base(base)
    t = terms
    a = t.vocab(RDF.type)
    shared = t.node("graph/shared")
    scheme = t.node("taxonomy")
    yield scheme, a, t.vocab(SKOS.ConceptScheme), shared
    yield scheme, t.vocab(RDFS.label), t.text("collab-graph themes"), shared
    classes = {k: t.vocab(c) for k, c in CLASS_OF.items()}
    extras = {k: [t.vocab(c) for c in cs] for k, cs in EXTRA_TYPES.items()}
    attrs = {
        k: [(n, spec, t.vocab(spec.predicate)) for n, spec in m.items()]
        for k, m in NODE_ATTRS.items()
    }
    link_attrs = [(n, spec, t.vocab(spec.predicate)) for n, spec in LINK_ATTRS.items()]
    used, derived = t.vocab(PROV.used), t.vocab(PROV.wasDerivedFrom)
    in_scheme, label = t.vocab(SKOS.inScheme), t.vocab(RDFS.label)
    source_doc, entity = t.vocab(CG.SourceDocument), t.vocab(PROV.Entity)
    graph_of: dict[str, T_co] = {}
    for node in sorted(G.nodes):
        data = G.nodes[node]
        kind = node_kind(node, data)
        s = t.node(node)
        if kind in _WORKSHOP_KINDS:
            slug = data[NodeAttr.SLUG] if kind is NodeKind.WORKSHOP else data[NodeAttr.WORKSHOP]
            g = t.node(workshop_node(slug))
        else:
            g = shared
        graph_of[node] = g
        yield s, a, classes[kind], g
        for extra in extras.get(kind, ()):
            yield s, a, extra, g
        for name, spec, pred in attrs[kind]:
            if name in data:
                for o in t.objects(spec, data[name]):
                    yield s, pred, o, g
        if kind is NodeKind.WORKSHOP:
            doc = t.node(_source_document(data[NodeAttr.SLUG]))
            yield doc, a, source_doc, g
            yield doc, a, entity, g
            yield doc, label, t.text(str(data.get(NodeAttr.SOURCE, ""))), g
            yield s, used, doc, g
        elif kind is NodeKind.NOTE:
            yield s, derived, t.node(_source_document(data[NodeAttr.WORKSHOP])), g
        elif kind in THEME_KINDS:
            yield s, in_scheme, scheme, g
    preds = {k: t.vocab(p) for k, p in EDGE_PREDICATES.items()}
    primary = t.vocab(CG.primaryTheme)
    link_class = t.vocab(CG.AddressesLink)
    link_p, link_b = t.vocab(CG.practice), t.vocab(CG.barrier)
    for u, v, key, data in sorted(G.edges(keys=True, data=True), key=lambda e: e[:3]):
        ekind = EdgeKind(key)
        pred = preds[ekind]
        su, sv = t.node(u), t.node(v)
        if ekind in _INVERSE_EDGES:
            yield sv, pred, su, graph_of[v]
            continue
        yield su, pred, sv, graph_of[u]
        if ekind is EdgeKind.ABOUT and data.get(EdgeAttr.PRIMARY):
            yield su, primary, sv, graph_of[u]
        elif ekind is EdgeKind.ADDRESSES:
            link = t.node(f"addresses/{theme_id(u)}/{theme_id(v)}")
            yield link, a, link_class, shared
            yield link, link_p, su, shared
            yield link, link_b, sv, shared
            for name, spec, p in link_attrs:
                if name in data:
                    for o in t.objects(spec, data[name]):
                        yield link, p, o, shared


def iter_quads(
    G: KnowledgeGraph, base: str = DEFAULT_BASE
) -> Iterator[tuple[Node, Node, Node, Node]]:
    """Every quad of the RDF form of ``G``, in a deterministic order, as rdflib terms.

    This is what :func:`to_rdf` loads (see :func:`walk_quads`).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph built by :func:`collab_graph.graph.build.build_graph`.
    base : str
        Base IRI of the data.

    Yields
    ------
    tuple
        ``(subject, predicate, object, graph name)``.

    Raises
    ------
    ExportError
        When the base IRI is invalid or a node has an unknown kind.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> quads = list(iter_quads(example_graph()))
    >>> len(quads) == len(set(quads))
    True
    """
    return walk_quads(G, base, _RdflibTerms(base))


def _bind(g: Graph, base: str) -> None:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    g.bind("cgd", base, override=True)


def to_rdf(G: KnowledgeGraph, *, base: str = DEFAULT_BASE) -> Dataset:
    """The graph as an RDF dataset with one named graph per workshop.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph built by :func:`collab_graph.graph.build.build_graph`.
    base : str
        Base IRI of the data, absolute and ending in ``/`` or ``#``.

    Returns
    -------
    rdflib.Dataset
        Workshop triples in the graph named by the workshop's IRI; shared
        triples (themes, organisations, links) in ``{base}graph/shared``.

    Raises
    ------
    ExportError
        When the base IRI is invalid.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> ds = to_rdf(example_graph(), base="https://example.org/kg/")
    >>> sorted(str(g.identifier) for g in ds.graphs() if len(g))
    ['https://example.org/kg/graph/shared', 'https://example.org/kg/workshop/alpha', 'https://example.org/kg/workshop/beta']
    """
    ds = Dataset()
    _bind(ds, base)
    graphs: dict[Node, Graph] = {}

    def ctx(name: Node) -> Graph:
        if name not in graphs:
            graphs[name] = ds.graph(URIRef(str(name)))  # graph names are IRIs
        return graphs[name]

    with paused_gc():
        ds.addN((s, p, o, ctx(c)) for s, p, o, c in iter_quads(G, base))
    return ds


def to_graph(G: KnowledgeGraph, *, base: str = DEFAULT_BASE) -> Graph:
    """The graph as one flat RDF graph (all workshops' triples together).

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> g = to_graph(example_graph())
    >>> from collab_graph.rdf.vocab import CG
    >>> len(set(g.subjects(RDF.type, CG.Note)))
    11
    """
    g = Graph()
    _bind(g, base)
    with paused_gc():
        for s, p, o, _ in iter_quads(G, base):
            g.add((s, p, o))
    return g


def _triples(g: Graph) -> Iterator[tuple[Node, Node, Node]]:
    if isinstance(g, Dataset):
        for s, p, o, _ in g.quads((None, None, None, None)):
            yield s, p, o
    else:
        yield from g


def _infer_base(
    types: Mapping[Node, set[Node]], props: Mapping[Node, Mapping[Node, list[Node]]]
) -> str:
    def ident(s: Node) -> Node | None:
        ids = props.get(s, {}).get(DCTERMS.identifier, [])
        return ids[0] if ids else None

    for s, ts in types.items():
        if CG.Workshop in ts:
            slug = ident(s)
            if slug is not None:
                tail = quote(workshop_node(str(slug)), safe="/-_.~")
                if str(s).endswith(tail):
                    return str(s)[: -len(tail)]
    for s, ts in types.items():
        if ts & {CG.Practice, CG.Barrier, CG.Benefit}:
            tid = ident(s)
            if tid is not None and str(s).endswith(theme_node(str(tid))):
                return str(s)[: -len(theme_node(str(tid)))]
    return DEFAULT_BASE


def _from_objects(base: str, spec: AttrSpec, objs: list[Node]) -> Any:
    if spec.mode == "one":
        if not objs:
            return "" if spec.empty else None
        o = objs[0]
        if not isinstance(o, Literal):
            return str(o)
        value = o.toPython()
        return float(value) if isinstance(value, Decimal) else value
    if spec.mode == "many":
        return join_list(str(o) for o in objs)
    ids = [unquote(str(o)[len(base) :]) for o in objs if str(o).startswith(base)]
    if spec.mode == "ref":
        return theme_id(min(ids)) if ids else None
    return join_list(ids)


def from_rdf(g: Graph, *, base: str | None = None) -> KnowledgeGraph:
    """Rebuild the networkx graph from its RDF form (the inverse of :func:`to_rdf`).

    Parameters
    ----------
    g : rdflib.Graph or rdflib.Dataset
        RDF written by :func:`to_rdf` or :func:`to_graph`, possibly parsed back
        from any RDF format.
    base : str, optional
        Base IRI the RDF was written with; inferred from the data when omitted.

    Returns
    -------
    networkx.MultiDiGraph
        The graph, with the node and edge attributes of the schema.

    Raises
    ------
    DataFileError
        When a resource has two node classes or an edge joins unknown nodes.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> G = example_graph()
    >>> H = from_rdf(to_graph(G))
    >>> sorted(H.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))
    True
    """
    types: dict[Node, set[Node]] = {}
    props: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in _triples(g):
        if p == RDF.type:
            types.setdefault(s, set()).add(o)
        else:
            props.setdefault(s, {}).setdefault(p, []).append(o)
    base = check_base(base) if base is not None else _infer_base(types, props)

    def node_id(term: Node) -> str | None:
        text = str(term)
        return unquote(text[len(base) :]) if text.startswith(base) else None

    H = new_graph()
    kinds: dict[Node, tuple[str, NodeKind]] = {}
    for s, ts in types.items():
        found = [KIND_OF[t] for t in ts if isinstance(t, URIRef) and t in KIND_OF]
        if not found:
            continue
        if len(found) > 1:
            raise DataFileError(f"{s} has more than one node class: {sorted(map(str, found))}")
        nid = node_id(s)
        if nid is None:
            raise DataFileError(f"{s} is not under the base IRI {base!r}")
        kinds[s] = (nid, found[0])
    for s, (nid, kind) in sorted(kinds.items(), key=lambda kv: kv[1][0]):
        attrs: dict[str, Any] = {NodeAttr.KIND: str(kind)}
        sp = props.get(s, {})
        for attr, spec in NODE_ATTRS[kind].items():
            value = _from_objects(base, spec, sp.get(spec.predicate, []))
            if value is not None:
                attrs[attr] = value
        H.add_node(nid, **attrs)
    links: list[tuple[str, str, dict[Node, list[Node]]]] = []
    for s, ts in types.items():
        if CG.AddressesLink in ts:
            sp = props.get(s, {})
            pu, bv = sp.get(CG.practice, []), sp.get(CG.barrier, [])
            if pu and bv and pu[0] in kinds and bv[0] in kinds:
                links.append((kinds[pu[0]][0], kinds[bv[0]][0], sp))
    edges: list[tuple[str, str, EdgeKind, dict[str, Any]]] = []
    for s, sp in props.items():
        if s not in kinds:
            continue
        for pred, objs in sp.items():
            ekind = _EDGE_OF.get(pred) if isinstance(pred, URIRef) else None
            if ekind is None or ekind is EdgeKind.ADDRESSES:
                continue
            for o in objs:
                if o not in kinds:
                    raise DataFileError(f"{pred} from {s} to {o}: the target is not a node")
                u, v = kinds[s][0], kinds[o][0]
                data: dict[str, Any] = {}
                if ekind in _INVERSE_EDGES:
                    u, v = v, u
                elif ekind is EdgeKind.ABOUT:
                    data[EdgeAttr.PRIMARY] = o in sp.get(CG.primaryTheme, [])
                edges.append((u, v, ekind, data))
    for u, v, sp in links:
        data = {}
        for attr, spec in LINK_ATTRS.items():
            value = _from_objects(base, spec, sp.get(spec.predicate, []))
            if value is not None:
                data[attr] = value
        edges.append((u, v, EdgeKind.ADDRESSES, data))
    for u, v, ekind, data in sorted(edges, key=lambda e: (e[0], e[1], str(e[2]))):
        H.add_edge(u, v, key=str(ekind), **{EdgeAttr.KIND: str(ekind), **data})
    return H


@dataclass(frozen=True, slots=True)
class ShaclReport:
    """The outcome of a SHACL validation.

    Attributes
    ----------
    conforms : bool
        True when the data satisfies every shape.
    text : str
        pySHACL's full report.
    violations : int
        Number of validation results.
    messages : tuple of str
        One line per result, ``<focus node>: <path>: <message>``, sorted.
    """

    conforms: bool
    text: str
    violations: int
    messages: tuple[str, ...] = ()


def validate(data: Graph, *, shapes: Path | None = None) -> ShaclReport:
    """Validate RDF against ``data/shapes.ttl`` with pySHACL.

    Parameters
    ----------
    data : rdflib.Graph or rdflib.Dataset
        The RDF to check; a dataset is validated as the union of its graphs.
    shapes : pathlib.Path, optional
        A SHACL shapes file (Turtle); defaults to ``data/shapes.ttl``.

    Returns
    -------
    ShaclReport

    Raises
    ------
    DataFileError
        When the shapes file cannot be read or parsed.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> G = example_graph()
    >>> validate(to_graph(G)).conforms
    True
    >>> del G.nodes["workshop/alpha/note/G1-Q1-A-1"]["text"]
    >>> report = validate(to_graph(G))
    >>> report.conforms, report.violations
    (False, 1)
    >>> print(report.messages[0].split(": ", 1)[1])
    schema:text: A note needs exactly one schema:text string, not empty or only white space.
    """
    import pyshacl
    from rdflib.namespace import SH

    path = data_path(SHAPES_FILE) if shapes is None else shapes
    try:
        sg = Graph().parse(path, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise DataFileError(f"{path}: cannot read the SHACL shapes: {exc}", path=str(path)) from exc
    if isinstance(data, Dataset):
        flat = Graph()
        for t in _triples(data):
            flat.add(t)
        data = flat
    conforms, report_graph, text = pyshacl.validate(
        data, shacl_graph=sg, inference="none", advanced=False, allow_warnings=False
    )
    ns = report_graph.namespace_manager
    for prefix, iri in PREFIXES.items():
        ns.bind(prefix, iri, override=True)
    messages = []
    for r in set(report_graph.subjects(RDF.type, SH.ValidationResult)):
        focus = report_graph.value(r, SH.focusNode)
        path_ = report_graph.value(r, SH.resultPath)
        msg = report_graph.value(r, SH.resultMessage)
        where = path_.n3(ns) if path_ is not None else "-"
        messages.append(f"{focus}: {where}: {msg}")
    return ShaclReport(bool(conforms), str(text), len(messages), tuple(sorted(messages)))
