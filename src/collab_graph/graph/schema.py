"""The one schema of the knowledge graph: node ids, attribute names, kinds, list values.

Everything that reads or writes the graph (the builder, the queries, RDF, the
view, the exports) imports its names from here instead of spelling them as
string literals, so the schema is defined once.

Node ids
--------
Node ids are path-like strings built from slugs and ids, so they are stable
across runs and turn into valid IRIs by prefixing a base IRI (see
:mod:`collab_graph.rdf.convert`). Notes and their structure are namespaced by
workshop slug; themes and organisations are shared by all workshops.

Nodes (attributes besides ``kind`` and ``label``; ``?`` = absent when unknown):

``workshop/{slug}`` — workshop (:func:`workshop_node`)
    ``slug, title, source``
``workshop/{slug}/Q{n}`` — question (:func:`question_node`)
    ``workshop, number, text?, line?``
``workshop/{slug}/Q{n}-{L}`` (``.../P-{L}`` with no question) — prompt (:func:`prompt_node`)
    ``workshop, letter, question?, topic?, line?``
``workshop/{slug}/G{n}`` (``workshop/{slug}/G-none`` with no groups) — group (:func:`group_node`)
    ``workshop, number?``; ``label`` is the source's own words, e.g. "Group One"
``workshop/{slug}/note/{note id}`` — note (:func:`note_node`)
    ``workshop, note_id, text, line, group?, question?, prompt?, block, section?,
    unit_section?, unit_line?, note_kind, confidence, reasons, reviewed, classifier_kind?``;
    ``unit_section`` and ``unit_line`` name the section that is a group-less
    note's unit of evidence (:func:`collab_graph.graph.links.evidence_unit`)
``theme/{theme id}`` — practice, barrier or benefit (:func:`theme_node`)
    ``theme_id, definition, cues, alt_labels, broader?``
``org/{org id}`` — organisation (:func:`org_node`)
    ``org_id, org_type, aliases, note, resolved``
``tool/{org id}`` — tool (:func:`tool_node`): a gazetteer entry of type ``tool``
    (Trello, GitHub, Zoom), never drawn or exported as an organisation
    ``org_id, org_type, aliases, note, resolved``

``resolved`` is False for a name detected in the notes that no gazetteer
entry holds yet; its ``org_id`` is ``unresolved:{slug}`` and its ``org_type``
``other`` (:mod:`collab_graph.coding.orgnames`).

The names are the constants of :class:`NodeAttr`. ``kind`` is a
:class:`~collab_graph.model.NodeKind` value; a note's coded kind is
``note_kind`` (a :class:`~collab_graph.model.NoteKind` value). ``label`` is the
note id for notes, the label for themes and organisations. Attributes marked
``?`` are absent when unknown (never ``None``).

Every value is a plain ``str``, ``int``, ``float`` or ``bool``, so that GraphML
and GEXF can store it. Lists are joined into one string: ``reasons`` with
:data:`REASONS_SEP` (:func:`join_reasons`, in the classifier's order), every
other list (``cues``, ``alt_labels``, ``aliases``, ``explicit_notes``) with
:data:`LIST_SEP`, sorted and without repeats (:func:`join_list`).

Edges
-----
Edges have the :class:`~collab_graph.model.EdgeKind` value as key *and* as
attribute ``kind``; a pair of nodes has at most one edge of each kind.
Attribute names are the constants of :class:`EdgeAttr`.

``part_of``: group → workshop, question → workshop, prompt → question (or workshop)
``raised``: group → note
``in``: note → question, note → prompt
``child_of``: nested note → parent note
``about``: note → theme; ``primary`` is True for the note's first theme
``mentions``: note → organisation or tool
``addresses``: practice → barrier; ``score, level, curated, strength, rationale,
    curated_score, evidence_score, endorsement, groups_barrier, groups_practice,
    groups_both, explicit_groups, block_groups, explicit_notes`` (note node ids)

The graph
---------
``G.graph`` holds ``name`` and ``version`` (:class:`GraphAttr`). The version is
0 when built and goes up by one whenever a helper changes the graph in place
(:func:`touch`); per-graph caches such as the query indexes of
:mod:`collab_graph.graph.query` key on it.

Examples
--------
>>> note_node("alpha", "G3-Q1-D-6"), theme_node("b_trust")
('workshop/alpha/note/G3-Q1-D-6', 'theme/b_trust')
>>> from collab_graph.graph.examples import example_graph
>>> G = example_graph()
>>> d = G.nodes[note_node("alpha", "G1-Q1-A-2")]
>>> d[NodeAttr.KIND], d[NodeAttr.TEXT], d[NodeAttr.NOTE_KIND]
('note', 'Day job – no time', 'barrier')
>>> split_reasons(d[NodeAttr.REASONS])
['example barrier']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, TypeAlias

import networkx as nx

from collab_graph.model import NodeKind, ThemeKind, theme_node_kind

__all__ = [
    "EDGE_ATTRIBUTES",
    "GRAPH_NAME",
    "LIST_SEP",
    "NODE_ATTRIBUTES",
    "ORG_PREFIX",
    "REASONS_SEP",
    "THEME_KINDS",
    "THEME_PREFIX",
    "TOOL_PREFIX",
    "WORKSHOP_PREFIX",
    "EdgeAttr",
    "GraphAttr",
    "KnowledgeGraph",
    "NodeAttr",
    "graph_version",
    "group_node",
    "join_list",
    "join_reasons",
    "new_graph",
    "note_node",
    "org_node",
    "prompt_node",
    "question_node",
    "split_list",
    "split_reasons",
    "theme_id",
    "theme_node",
    "tool_node",
    "touch",
    "workshop_node",
]

if TYPE_CHECKING:
    KnowledgeGraph: TypeAlias = nx.MultiDiGraph[str]
else:
    KnowledgeGraph = nx.MultiDiGraph
"""The knowledge graph's type: a ``networkx.MultiDiGraph`` with ``str`` node ids."""

THEME_KINDS: frozenset[NodeKind] = frozenset(theme_node_kind(k) for k in ThemeKind)
"""The node kinds that are taxonomy themes (the :class:`~collab_graph.model.ThemeKind` values)."""

GRAPH_NAME: Final = "collab-graph"
"""``G.graph["name"]`` of a knowledge graph."""

WORKSHOP_PREFIX: Final = "workshop/"
THEME_PREFIX: Final = "theme/"
ORG_PREFIX: Final = "org/"
TOOL_PREFIX: Final = "tool/"

LIST_SEP: Final = ";"
"""Joins a list attribute's values (``cues``, ``alt_labels``, ``aliases``, ``explicit_notes``)."""

REASONS_SEP: Final = " | "
"""Joins a note's ``reasons`` (a reason may contain ``;``, never ``" | "``)."""


class NodeAttr:
    """Names of node attributes.

    Plain ``str`` constants rather than an enum, so that the graph's attribute
    dicts keep plain string keys (an enum key would cost a conversion per key
    when building 100k notes and a reference per key when pickling); a
    misspelt name still fails, at import time and in mypy.

    Examples
    --------
    >>> NodeAttr.NOTE_KIND
    'note_kind'
    """

    KIND: Final = "kind"
    LABEL: Final = "label"
    # workshop
    SLUG: Final = "slug"
    TITLE: Final = "title"
    SOURCE: Final = "source"
    # structure and notes
    WORKSHOP: Final = "workshop"
    NUMBER: Final = "number"
    TEXT: Final = "text"
    LINE: Final = "line"
    LETTER: Final = "letter"
    QUESTION: Final = "question"
    TOPIC: Final = "topic"
    GROUP: Final = "group"
    PROMPT: Final = "prompt"
    NOTE_ID: Final = "note_id"
    BLOCK: Final = "block"
    SECTION: Final = "section"
    # the section that stands in for a group as the unit of evidence (notes with no group)
    UNIT_SECTION: Final = "unit_section"
    UNIT_LINE: Final = "unit_line"
    NOTE_KIND: Final = "note_kind"
    CONFIDENCE: Final = "confidence"
    REASONS: Final = "reasons"
    REVIEWED: Final = "reviewed"
    CLASSIFIER_KIND: Final = "classifier_kind"
    # themes
    THEME_ID: Final = "theme_id"
    DEFINITION: Final = "definition"
    CUES: Final = "cues"
    ALT_LABELS: Final = "alt_labels"
    BROADER: Final = "broader"
    # organisations
    ORG_ID: Final = "org_id"
    ORG_TYPE: Final = "org_type"
    ALIASES: Final = "aliases"
    NOTE: Final = "note"
    RESOLVED: Final = "resolved"
    # added by views that aggregate notes (collab_graph.views.network.overview_graph)
    NOTES: Final = "notes"
    GROUPS: Final = "groups"


class EdgeAttr:
    """Names of edge attributes (plain ``str`` constants, as :class:`NodeAttr`).

    Examples
    --------
    >>> EdgeAttr.SCORE, EdgeAttr.PRIMARY
    ('score', 'primary')
    """

    KIND: Final = "kind"
    # about
    PRIMARY: Final = "primary"
    # addresses
    SCORE: Final = "score"
    LEVEL: Final = "level"
    CURATED: Final = "curated"
    STRENGTH: Final = "strength"
    RATIONALE: Final = "rationale"
    CURATED_SCORE: Final = "curated_score"
    EVIDENCE_SCORE: Final = "evidence_score"
    ENDORSEMENT: Final = "endorsement"
    GROUPS_BARRIER: Final = "groups_barrier"
    GROUPS_PRACTICE: Final = "groups_practice"
    GROUPS_BOTH: Final = "groups_both"
    EXPLICIT_GROUPS: Final = "explicit_groups"
    BLOCK_GROUPS: Final = "block_groups"
    EXPLICIT_NOTES: Final = "explicit_notes"
    # added by views that aggregate notes (organisation -> theme "mentions")
    COUNT: Final = "count"


class GraphAttr:
    """Names of graph attributes (``G.graph``).

    Examples
    --------
    >>> GraphAttr.VERSION
    'version'
    """

    NAME: Final = "name"
    VERSION: Final = "version"


def _names(namespace: type) -> frozenset[str]:
    return frozenset(v for k, v in vars(namespace).items() if k.isupper() and isinstance(v, str))


NODE_ATTRIBUTES: frozenset[str] = _names(NodeAttr)
"""Every node attribute name of the schema."""

EDGE_ATTRIBUTES: frozenset[str] = _names(EdgeAttr)
"""Every edge attribute name of the schema."""


def new_graph() -> KnowledgeGraph:
    """An empty knowledge graph: ``name`` :data:`GRAPH_NAME`, ``version`` 0.

    Examples
    --------
    >>> G = new_graph()
    >>> G.graph, G.is_directed(), G.is_multigraph()
    ({'name': 'collab-graph', 'version': 0}, True, True)
    """
    G: KnowledgeGraph = nx.MultiDiGraph()
    G.graph[GraphAttr.NAME] = GRAPH_NAME
    G.graph[GraphAttr.VERSION] = 0
    return G


# --------------------------------------------------------------------------- node ids


def workshop_node(slug: str) -> str:
    """Node id of a workshop.

    Examples
    --------
    >>> workshop_node("alpha")
    'workshop/alpha'
    """
    return f"{WORKSHOP_PREFIX}{slug}"


def question_node(slug: str, number: int) -> str:
    """Node id of question ``number`` of a workshop.

    Examples
    --------
    >>> question_node("alpha", 2)
    'workshop/alpha/Q2'
    """
    return f"{WORKSHOP_PREFIX}{slug}/Q{number}"


def prompt_node(slug: str, question: int | None, letter: str) -> str:
    """Node id of a prompt letter within a question (or the workshop when no question).

    Examples
    --------
    >>> prompt_node("alpha", 1, "A"), prompt_node("alpha", None, "A")
    ('workshop/alpha/Q1-A', 'workshop/alpha/P-A')
    """
    if question is None:
        return f"{WORKSHOP_PREFIX}{slug}/P-{letter}"
    return f"{WORKSHOP_PREFIX}{slug}/Q{question}-{letter}"


def group_node(slug: str, group: int | None) -> str:
    """Node id of a group; notes without a group share ``G-none``.

    Examples
    --------
    >>> group_node("alpha", 3), group_node("alpha", None)
    ('workshop/alpha/G3', 'workshop/alpha/G-none')
    """
    return (
        f"{WORKSHOP_PREFIX}{slug}/G-none" if group is None else f"{WORKSHOP_PREFIX}{slug}/G{group}"
    )


def note_node(slug: str, note_id: str) -> str:
    """Node id of a note.

    Examples
    --------
    >>> note_node("alpha", "G3-Q1-D-6")
    'workshop/alpha/note/G3-Q1-D-6'
    """
    return f"{WORKSHOP_PREFIX}{slug}/note/{note_id}"


def theme_node(theme_id: str) -> str:
    """Node id of a theme (practice, barrier or benefit).

    Examples
    --------
    >>> theme_node("b_trust")
    'theme/b_trust'
    """
    return f"{THEME_PREFIX}{theme_id}"


def theme_id(node: str) -> str:
    """The theme id of a theme's node id (the inverse of :func:`theme_node`).

    Examples
    --------
    >>> theme_id("theme/b_trust")
    'b_trust'
    """
    return node.removeprefix(THEME_PREFIX)


def org_node(org_id: str) -> str:
    """Node id of an organisation.

    Examples
    --------
    >>> org_node("nhs")
    'org/nhs'
    """
    return f"{ORG_PREFIX}{org_id}"


def tool_node(org_id: str) -> str:
    """Node id of a tool (a gazetteer entry of type ``tool``).

    Examples
    --------
    >>> tool_node("trello")
    'tool/trello'
    """
    return f"{TOOL_PREFIX}{org_id}"


# --------------------------------------------------------------------------- list values


def join_list(values: Iterable[str]) -> str:
    """A list attribute's value: the values sorted, without repeats, joined by :data:`LIST_SEP`.

    Examples
    --------
    >>> join_list(["no time", "day job", "no time"])
    'day job;no time'
    >>> join_list([])
    ''
    """
    return LIST_SEP.join(sorted(set(values)))


def split_list(value: object) -> list[str]:
    """The values of a list attribute (the inverse of :func:`join_list`); None gives none.

    Examples
    --------
    >>> split_list("day job;no time"), split_list(""), split_list(None)
    (['day job', 'no time'], [], [])
    """
    return [v for v in str(value or "").split(LIST_SEP) if v]


def join_reasons(reasons: Iterable[str]) -> str:
    """A note's ``reasons`` attribute: the reasons in order, joined by :data:`REASONS_SEP`.

    Examples
    --------
    >>> join_reasons(['cue "no time"', 'under heading "Challenges"'])
    'cue "no time" | under heading "Challenges"'
    """
    return REASONS_SEP.join(reasons)


def split_reasons(value: object) -> list[str]:
    """The reasons of a ``reasons`` attribute (the inverse of :func:`join_reasons`).

    Examples
    --------
    >>> split_reasons('cue "no time" | under heading "Challenges"')
    ['cue "no time"', 'under heading "Challenges"']
    >>> split_reasons("")
    []
    """
    return [r for r in str(value or "").split(REASONS_SEP) if r]


# --------------------------------------------------------------------------- version


def graph_version(G: KnowledgeGraph) -> int:
    """How often ``G`` was changed in place since it was built (``G.graph["version"]``).

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> graph_version(example_graph())
    0
    """
    return int(G.graph.get(GraphAttr.VERSION, 0))


def touch(G: KnowledgeGraph) -> int:
    """Record that ``G`` was changed in place: add one to its version and return it.

    Helpers that edit a graph in place (e.g.
    :func:`collab_graph.graph.build.add_edge`) call it, so that caches keyed
    on the version (the query indexes) are rebuilt. Call it yourself after
    changing a graph through the networkx API.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> G = example_graph()
    >>> touch(G), graph_version(G)
    (1, 1)
    """
    G.graph[GraphAttr.VERSION] = version = graph_version(G) + 1
    return version
