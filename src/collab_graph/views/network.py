"""Draw the knowledge graph: ``networkx`` graph → pyvis network → one offline HTML string.

This is the only module that imports :mod:`pyvis`. It writes no files: every
function returns a value, and :func:`render` returns the page as a string in a
:class:`GraphView` (pyvis's ``generate_html`` path, never ``show``/``write_html``).

What the page guarantees
------------------------
* **Offline.** vis-network is inlined (``cdn_resources="in_line"``) and the
  Bootstrap ``<link>``/``<script>`` tags pyvis always adds are removed, so the
  page makes no request at all.
* **Workshop text cannot run.** Tooltips are ``html.escape``-d and always shown
  through pyvis's HTML popup (the one it switches to when a title contains
  ``href``), so the browser decodes the entities back to the exact note text and
  never parses a tag. Labels are drawn on the canvas as plain text (vis-network's
  ``font.multi`` is off), which never interprets markup, so they carry the exact
  text unescaped: vis-network 9.1.2's ``multi: "html"`` mode cannot decode
  entities (its ``replace`` helper is broken), so escaped labels would show
  ``&amp;``. The heading and legend are escaped. All data sit in the page as
  JSON in which ``<``, ``>``, ``&`` and ``'`` are ``\\u`` escapes, so no
  workshop text appears in the markup at all.
* **Legible.** Colour and shape per node kind (:data:`KIND_STYLES`), notes
  coloured by their coded kind, and a legend of the kinds on show.
* **Readable.** :func:`layout` computes positions with networkx, then packs
  the box of every node and its label so that no two overlap, and vis physics
  stays off so that they stay put. Labels are wrapped onto short lines and are
  drawn only at 11 px or more on screen (``scaling.label.drawThreshold``); the
  page opens fitted to the graph, or, when that would make theme labels
  smaller, at the scale where they are readable.
* **Responsive on large graphs.** Positions are computed here with networkx
  (:func:`layout`). :func:`overview_graph` aggregates any
  number of notes into a theme-level graph, and :func:`drilldown` opens one
  theme, organisation or group down to its notes.

The view functions (:func:`filter_graph`, :func:`neighbourhood`,
:func:`overview_graph`, :func:`drilldown`, :func:`answer_subgraph`) take the
graph first and return a new graph with the schema of
:mod:`collab_graph.graph.schema`, so they compose.

Examples
--------
>>> from collab_graph.graph.examples import example_graph
>>> G = example_graph()
>>> view = render(G)
>>> view.nodes == G.number_of_nodes(), view.physics
(True, False)
>>> "cdn.jsdelivr.net" in view.html, "<img" in view.html
(False, False)
"""

from __future__ import annotations

import functools
import html as _html
import itertools
import json
import math
import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from pyvis.network import Network

from collab_graph.graph.query import notes_of, targets
from collab_graph.graph.schema import (
    THEME_KINDS,
    EdgeAttr,
    KnowledgeGraph,
    NodeAttr,
    theme_node,
)
from collab_graph.model import EdgeKind, NodeKind, NoteKind

__all__ = [
    "DEFAULT_KINDS",
    "EDGE_STYLES",
    "FONT_SIZES",
    "HIGHLIGHT_FONT",
    "KIND_STYLES",
    "LABEL_DRAW_THRESHOLD",
    "LARGE_GRAPH_NODES",
    "NOTE_COLOURS",
    "NOTE_LABELS_MAX",
    "PHYSICS_THRESHOLD",
    "GraphView",
    "KindStyle",
    "answer_layout",
    "answer_subgraph",
    "drilldown",
    "filter_graph",
    "label_box",
    "layout",
    "legend_entries",
    "neighbourhood",
    "node_tooltip",
    "overview_graph",
    "render",
    "search_nodes",
    "strip_remote_resources",
]

PHYSICS_THRESHOLD = 150
"""Kept for callers: the page no longer runs vis physics unless asked (``physics=True``),
because physics would undo the label-overlap pass of :func:`layout`."""

NOTE_LABELS_MAX = 60
"""Notes are labelled with the start of their text when a graph has at most this many."""

LABEL_DRAW_THRESHOLD = 12
"""vis-network's ``scaling.label.drawThreshold``: a label is drawn only when its
on-screen size is at least ``LABEL_DRAW_THRESHOLD - 1`` pixels (11 px), so no
label is ever drawn smaller; zoom in to see the labels of smaller nodes."""

FONT_SIZES: Mapping[str, int] = {
    str(NodeKind.PRACTICE): 16,
    str(NodeKind.BARRIER): 16,
    str(NodeKind.BENEFIT): 16,
    str(NodeKind.ORGANISATION): 15,
    str(NodeKind.TOOL): 15,
    str(NodeKind.GROUP): 15,
    str(NodeKind.WORKSHOP): 14,
    str(NodeKind.QUESTION): 13,
    str(NodeKind.PROMPT): 13,
    str(NodeKind.NOTE): 13,
}
"""Label size in canvas pixels per node kind. At the initial zoom the page shows
themes at least at ``LABEL_DRAW_THRESHOLD`` px; smaller labels appear as you zoom in."""

HIGHLIGHT_FONT = 20
"""Label size of highlighted nodes (a search match, a drilled-down theme)."""

LARGE_GRAPH_NODES = 1500
"""Above this many nodes, :func:`layout` anchors notes around their hubs instead of
running a force-directed layout over every node, and the app starts on the overview."""


@dataclass(frozen=True, slots=True)
class KindStyle:
    """How one node kind is drawn.

    Attributes
    ----------
    colour : str
        Fill colour (Okabe-Ito palette, readable by colour-blind users).
    shape : str
        vis-network shape name.
    name : str
        Plural name used in the legend.
    glyph : str
        A Unicode glyph of the shape, for the HTML legend.
    size : int
        Base size in pixels.
    """

    colour: str
    shape: str
    name: str
    glyph: str
    size: int


KIND_STYLES: Mapping[str, KindStyle] = {
    str(NodeKind.PRACTICE): KindStyle("#009E73", "diamond", "Practices", "◆", 18),
    str(NodeKind.BARRIER): KindStyle("#D55E00", "triangle", "Barriers", "▲", 18),
    str(NodeKind.BENEFIT): KindStyle("#0072B2", "star", "Benefits", "★", 18),
    str(NodeKind.ORGANISATION): KindStyle("#E69F00", "hexagon", "Organisations", "⬢", 14),
    str(NodeKind.TOOL): KindStyle("#56B4E9", "square", "Tools", "◼", 11),
    str(NodeKind.GROUP): KindStyle("#CC79A7", "box", "Groups", "▬", 14),
    str(NodeKind.NOTE): KindStyle("#BBBBBB", "dot", "Notes", "●", 5),
    str(NodeKind.WORKSHOP): KindStyle("#333333", "database", "Workshops", "⛁", 20),
    str(NodeKind.QUESTION): KindStyle("#888888", "square", "Questions", "■", 12),
    str(NodeKind.PROMPT): KindStyle("#AAAAAA", "triangleDown", "Prompts", "▼", 9),
}
"""Colour, shape and legend name of every :class:`~collab_graph.model.NodeKind`."""

NOTE_COLOURS: Mapping[str, str] = {
    str(NoteKind.PRACTICE): "#66C2A5",
    str(NoteKind.BARRIER): "#F4A582",
    str(NoteKind.BENEFIT): "#80B1D3",
    str(NoteKind.CONTEXT): "#CCCCCC",
    str(NoteKind.HEADING): "#E8E8E8",
}
"""Note dots take a light shade of the colour of their coded kind."""

EDGE_STYLES: Mapping[str, tuple[str, float]] = {
    str(EdgeKind.ADDRESSES): ("rgba(0,158,115,0.55)", 2.0),
    str(EdgeKind.ABOUT): ("#C8C8C8", 0.8),
    str(EdgeKind.MENTIONS): ("#F0C674", 0.8),
    str(EdgeKind.RAISED): ("rgba(204,121,167,0.18)", 0.5),
    str(EdgeKind.IN): ("#E6E6E6", 0.5),
    str(EdgeKind.PART_OF): ("#DDDDDD", 0.5),
    str(EdgeKind.CHILD_OF): ("#999999", 1.0),
}
"""Colour and width of each edge kind; ``addresses`` links stand out."""

DEFAULT_KINDS: tuple[str, ...] = (
    str(NodeKind.GROUP),
    str(NodeKind.NOTE),
    str(NodeKind.PRACTICE),
    str(NodeKind.BARRIER),
    str(NodeKind.BENEFIT),
    str(NodeKind.ORGANISATION),
    str(NodeKind.TOOL),
)
"""Node kinds shown by default: the content, without the workshop scaffolding.

Tools (Trello, GitHub, Zoom) are ``tool`` nodes, drawn as small blue squares and
never as organisations."""

_HUB_KINDS = THEME_KINDS | {NodeKind.ORGANISATION, NodeKind.TOOL, NodeKind.GROUP}

_CDN_TAG_RE = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>"
    r"|<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script\s*>",
    re.IGNORECASE,
)
_REMOTE_ATTR_RE = re.compile(r"\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE)
_EMPTY_HEADING_RE = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)

_PAGE_CSS = """
<style type="text/css">
  body { margin: 0; font-family: "Source Sans Pro", "Helvetica Neue", Arial, sans-serif; }
  #mynetwork { width: 100%; border: 1px solid #e6e6e6; float: none; box-sizing: border-box; }
  .card { position: relative; }
  div.popup { white-space: pre-wrap; max-width: 440px; padding: 8px 10px; font-size: 13px;
              line-height: 1.35; color: #222; z-index: 10; pointer-events: none; }
  #cg-legend { display: flex; flex-wrap: wrap; gap: 2px 14px; align-items: baseline;
               max-height: 66px; overflow: auto; box-sizing: border-box; padding: 2px 4px;
               font-size: 12.5px; line-height: 20px; color: #333; }
  #cg-legend .g { display: inline-block; width: 1.2em; text-align: center; font-size: 14px; }
  #cg-legend .e { display: inline-block; width: 1.8em; vertical-align: middle;
                  border-top-width: 3px; border-top-style: solid; }
  #cg-legend .hint { color: #666; }
  #cg-title { position: absolute; top: 8px; right: 10px; z-index: 5; font-size: 13px; color: #555;
              background: rgba(255,255,255,.9); padding: 2px 6px; }
</style>
"""


# --------------------------------------------------------------------------- text


def _short(text: str, width: int = 28) -> str:
    """Shorten ``text`` to ``width`` characters with an ellipsis.

    >>> _short("Getting out of firefight mode every single day", 20)
    'Getting out of fire…'
    """
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


_PARENTHESIS_RE = re.compile(r"\s*\([^)]*\)\s*$")

# Advance widths of Helvetica/Arial (the metrics vis-network's "arial" face is drawn
# with; Liberation Sans on Debian shares them), in thousandths of the font size.
_CHAR_WIDTHS: Mapping[str, int] = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
        "abcdefghijklmnopqrstuvwxyz{|}~",
        (
            278,
            278,
            355,
            556,
            556,
            889,
            667,
            191,
            333,
            333,
            389,
            584,
            278,
            333,
            278,
            278,
            *[556] * 10,
            278,
            278,
            584,
            584,
            584,
            556,
            1015,
            667,
            667,
            722,
            722,
            667,
            611,
            778,
            722,
            278,
            500,
            667,
            556,
            833,
            722,
            778,
            667,
            778,
            722,
            667,
            611,
            722,
            667,
            944,
            667,
            667,
            611,
            278,
            278,
            278,
            469,
            556,
            333,
            556,
            556,
            500,
            556,
            556,
            278,
            556,
            556,
            222,
            222,
            500,
            222,
            833,
            556,
            556,
            556,
            556,
            333,
            500,
            278,
            556,
            500,
            722,
            500,
            500,
            500,
            334,
            260,
            334,
            584,
        ),
        strict=True,
    )
)
_WIDE_CHAR = 1000  # anything else (…, –, accented capitals): assume an em, to be safe


def _wrap(text: str, width: int, max_lines: int = 3) -> str:
    r"""Break ``text`` into lines of at most ``width`` characters, ``max_lines`` at most.

    vis-network draws each ``\n``-separated line of a label on its own row.

    >>> _wrap("Dedicated, centralised or joint project teams and programme offices", 22)
    'Dedicated, centralised\nor joint project teams\nand programme offices'
    >>> _wrap("a b c d e f g h", 3, max_lines=2)
    'a b\nc…'
    """
    lines = textwrap.wrap(" ".join(text.split()), width, break_long_words=True)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return "\n".join(lines)


def label_box(label: str, size: float) -> tuple[float, float]:
    r"""Width and height in pixels that a label takes when drawn at font ``size``.

    An upper bound of what vis-network measures on its canvas (Arial metrics plus
    5 %, one row of ``size`` pixels per line), so that boxes kept apart here never
    overlap on screen.

    Examples
    --------
    >>> w, h = label_box("Time and capacity\nfor innovation", 16)
    >>> 130 < w < 140, h
    (True, 34.0)
    >>> label_box("", 16)
    (0.0, 0.0)
    """
    if not label:
        return 0.0, 0.0
    lines = label.split("\n")
    widest = max(sum(_CHAR_WIDTHS.get(c, _WIDE_CHAR) for c in line) for line in lines)
    return widest * size / 1000.0 * 1.05, len(lines) * size + 2.0


def _labels(G: KnowledgeGraph, nodes: Iterable[str]) -> str:
    return "; ".join(str(G.nodes[n].get(NodeAttr.LABEL, n)) for n in nodes)


_WHERE = ((NodeAttr.GROUP, "Group"), (NodeAttr.QUESTION, "Question"), (NodeAttr.PROMPT, "Prompt"))
"""A note's provenance attributes, as its tooltip names them."""

_DESCRIBED = (
    NodeAttr.DEFINITION,
    NodeAttr.TEXT,
    NodeAttr.TOPIC,
    NodeAttr.ORG_TYPE,
    NodeAttr.SOURCE,
)
"""Attributes a hub's tooltip shows, as ``Name: value``."""


def node_tooltip(G: KnowledgeGraph, node: str) -> str:
    """The tooltip of a node: exact text and provenance, HTML-escaped, lines split by ``\\n``.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph with the schema of :mod:`collab_graph.graph.schema` (or a view of one).
    node : str
        The node id.

    Returns
    -------
    str
        Escaped text, safe for ``innerHTML``.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> print(node_tooltip(example_graph(), "workshop/alpha/note/G1-Q1-A-2"))
    “Day job – no time”
    barrier note G1-Q1-A-2
    Workshop: alpha · Group 1 · Question 1 · Prompt A · line 6
    Themes: Time and capacity
    """
    d = G.nodes[node]
    kind = str(d.get(NodeAttr.KIND, ""))
    lines: list[str] = []
    if kind == NodeKind.NOTE:
        lines.append(f"“{d.get(NodeAttr.TEXT, '')}”")
        reviewed = " (reviewed)" if d.get(NodeAttr.REVIEWED) else ""
        note_kind, note_id = d.get(NodeAttr.NOTE_KIND, "note"), d.get(NodeAttr.NOTE_ID, "")
        lines.append(f"{note_kind} note {note_id}{reviewed}")
        where = [f"Workshop: {d.get(NodeAttr.WORKSHOP, '')}"]
        for attr, name in _WHERE:
            if d.get(attr) is not None:
                where.append(f"{name} {d[attr]}")
        where.append(f"line {d.get(NodeAttr.LINE, '?')}")
        lines.append(" · ".join(where))
        themes = targets(G, node, EdgeKind.ABOUT)
        if themes:
            lines.append(f"Themes: {_labels(G, themes)}")
        orgs = targets(G, node, EdgeKind.MENTIONS)
        if orgs:
            lines.append(f"Organisations: {_labels(G, orgs)}")
    else:
        style = KIND_STYLES.get(kind)
        lines.append(str(d.get(NodeAttr.LABEL, node)))
        lines.append(style.name[:-1] if style else kind)
        if NodeAttr.NOTES in d:
            lines.append(f"{d[NodeAttr.NOTES]} notes from {d.get(NodeAttr.GROUPS, 0)} groups")
        for attr in _DESCRIBED:
            value = d.get(attr)
            if value:
                lines.append(f"{attr.replace('_', ' ').capitalize()}: {value}")
    return _html.escape("\n".join(lines))


# --------------------------------------------------------------------------- views


def filter_graph(
    G: KnowledgeGraph,
    *,
    kinds: Collection[str] | None = None,
    note_kinds: Collection[str] | None = None,
    groups: Collection[str] | None = None,
    questions: Collection[int] | None = None,
    themes: Collection[str] | None = None,
    orgs: Collection[str] | None = None,
    min_degree: int = 0,
    include_empty: bool = False,
) -> KnowledgeGraph:
    """The part of ``G`` that passes the Explore filters.

    Filters remove what they filter: themes, organisations and tools are kept
    only when a note that passes the note filters (``note_kinds``, ``groups``,
    ``questions``, ``themes``, ``orgs``) is linked to them, whether or not notes
    themselves are among ``kinds``. So a group filter shows that group's notes
    and only the themes and organisations they touch.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    kinds : collection of str, optional
        Node kinds to keep (:class:`~collab_graph.model.NodeKind` values). None: all.
    note_kinds : collection of str, optional
        Coded kinds of the notes to keep (``practice``, ``barrier`` ...). None: all.
    groups : collection of str, optional
        Group node ids: keep their notes (and those group nodes). None or empty: all.
    questions : collection of int, optional
        Question numbers: keep notes asked under them. None or empty: all.
    themes, orgs : collection of str, optional
        Theme / organisation node ids: keep the notes about any of those themes
        (mentioning any of those organisations) and, of the themes
        (organisations), only those. None or empty: all.
    min_degree : int
        After the other filters, drop nodes with fewer links than this in the view.
    include_empty : bool
        Also keep the taxonomy's themes, organisations and tools that no note of
        ``G`` is linked to (hidden by default).

    Returns
    -------
    networkx.MultiDiGraph
        An independent copy; the input is not changed.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> G = example_graph()
    >>> H = filter_graph(G, kinds={"note", "barrier"}, note_kinds={"barrier"})
    >>> sorted(H.nodes[n]["label"] for n in H if H.nodes[n]["kind"] == "note")
    ['G1-Q1-3', 'G1-Q1-A-2', 'G1-Q1-B-1', 'G2-Q1-A-2']
    >>> H = filter_graph(G, themes={"theme/b_time_capacity"}, min_degree=1)
    >>> sorted(H.nodes[n]["label"] for n in H if H.nodes[n]["kind"] == "note")
    ['G1-Q1-1', 'G1-Q1-A-2', 'G2-Q1-A-2']
    >>> H = filter_graph(G, groups={"workshop/alpha/G2"}, kinds={"barrier", "organisation"})
    >>> sorted(H.nodes[n]["label"] for n in H)
    ['Procurement function', 'Time and capacity']
    """
    keep_kinds = None if kinds is None else {str(k) for k in kinds}
    keep_note_kinds = None if note_kinds is None else {str(k) for k in note_kinds}
    group_set = set(groups or ())
    question_set = set(questions or ())
    theme_set = set(themes or ())
    org_set = set(orgs or ())

    def note_ok(n: str, d: Mapping[str, Any]) -> bool:
        if keep_note_kinds is not None and d.get(NodeAttr.NOTE_KIND) not in keep_note_kinds:
            return False
        if question_set and d.get(NodeAttr.QUESTION) not in question_set:
            return False
        if group_set and not any(g in group_set for g in G.predecessors(n)):
            return False
        if theme_set and not theme_set.intersection(targets(G, n, EdgeKind.ABOUT)):
            return False
        return not (org_set and not org_set.intersection(targets(G, n, EdgeKind.MENTIONS)))

    taxonomy = THEME_KINDS | {NodeKind.ORGANISATION, NodeKind.TOOL}
    touched: set[str] = set()  # taxonomy nodes linked to a note that passes the filters
    has_notes: set[str] = set()  # taxonomy nodes linked to any note
    passing: set[str] = set()
    for n, d in G.nodes(data=True):
        if d.get(NodeAttr.KIND) != NodeKind.NOTE:
            continue
        linked = [v for v in G.successors(n) if G.nodes[v].get(NodeAttr.KIND) in taxonomy]
        has_notes.update(linked)
        if note_ok(n, d):
            passing.add(n)
            touched.update(linked)

    keep: set[str] = set()
    for n, d in G.nodes(data=True):
        kind = d.get(NodeAttr.KIND)
        if keep_kinds is not None and kind not in keep_kinds:
            continue
        if kind in taxonomy and n not in touched and not (include_empty and n not in has_notes):
            continue
        if kind == NodeKind.NOTE:
            ok = n in passing
        elif kind == NodeKind.GROUP:
            ok = not group_set or n in group_set
        elif kind == NodeKind.QUESTION:
            ok = not question_set or d.get(NodeAttr.NUMBER) in question_set
        elif kind == NodeKind.PROMPT:
            ok = not question_set or d.get(NodeAttr.QUESTION) in question_set
        elif kind in THEME_KINDS:
            ok = not theme_set or n in theme_set
        elif kind in (NodeKind.ORGANISATION, NodeKind.TOOL):
            ok = not org_set or n in org_set
        else:
            ok = True
        if ok:
            keep.add(n)
    H: KnowledgeGraph = G.subgraph(keep).copy()
    if min_degree > 0:
        H.remove_nodes_from([n for n, deg in H.degree() if deg < min_degree])
    return H


def neighbourhood(G: KnowledgeGraph, node: str, radius: int = 1) -> KnowledgeGraph:
    """A node and everything within ``radius`` links of it (either direction).

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> H = neighbourhood(example_graph(), "theme/b_funding_budgets")
    >>> sorted(H.nodes[n]["kind"] for n in H)
    ['barrier', 'note', 'note', 'practice', 'practice']
    """
    if node not in G:
        raise KeyError(node)
    seen = {node}
    frontier = {node}
    for _ in range(max(0, radius)):
        nxt: set[str] = set()
        for n in frontier:
            nxt.update(G.successors(n))
            nxt.update(G.predecessors(n))
        frontier = nxt - seen
        seen |= frontier
    H: KnowledgeGraph = G.subgraph(seen).copy()
    return H


def search_nodes(G: KnowledgeGraph, query: str, *, limit: int = 20) -> list[str]:
    """Nodes whose label, note text or id contains ``query`` (case-insensitive), best first.

    Themes and organisations come before notes; exact label matches come first.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> search_nodes(example_graph(), "no time")
    ['workshop/alpha/note/G1-Q1-A-2', 'workshop/alpha/note/G2-Q1-A-2']
    >>> search_nodes(example_graph(), "NHS")[0]
    'org/nhs'
    """
    q = " ".join(query.casefold().split())
    if not q:
        return []
    hits: list[tuple[int, int, str]] = []
    for n, d in G.nodes(data=True):
        label = str(d.get(NodeAttr.LABEL, "")).casefold()
        text = str(d.get(NodeAttr.TEXT, "")).casefold()
        if q == label:
            rank = 0
        elif q in label:
            rank = 1
        elif q in text:
            rank = 2
        elif q in n.casefold():
            rank = 3
        else:
            continue
        kind_rank = 0 if d.get(NodeAttr.KIND) in _HUB_KINDS else 1
        hits.append((rank, kind_rank, n))
    hits.sort()
    return [n for _, _, n in hits[:limit]]


def overview_graph(
    G: KnowledgeGraph,
    *,
    max_orgs: int = 40,
    links_per_barrier: int | None = 3,
    themes_per_org: int | None = 2,
) -> KnowledgeGraph:
    """The theme-level overview: themes and organisations, with notes aggregated.

    Every theme that notes are about (and every barrier, so gaps show) becomes a
    node with ``notes`` and ``groups`` counts; so do the ``max_orgs`` most
    mentioned organisations. Edges are the ``links_per_barrier`` best-scoring
    ``addresses`` links into each barrier, and ``mentions`` from each
    organisation to the ``themes_per_org`` themes its notes are most about
    (attribute ``count``); None keeps every link. The cost is linear in the
    number of notes, and the result has at most (themes + ``max_orgs``) nodes
    however many notes there are.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> ov = overview_graph(example_graph())
    >>> ov.nodes["theme/b_time_capacity"]["notes"], ov.nodes["theme/b_time_capacity"]["groups"]
    (3, 3)
    >>> ov.edges["org/nhs", "theme/p_shared_services", "mentions"]["count"]
    2
    """
    notes_per: Counter[str] = Counter()
    groups_per: defaultdict[str, set[tuple[str, Any]]] = defaultdict(set)
    org_theme: Counter[tuple[str, str]] = Counter()
    succ = G.succ  # the adjacency itself: much faster than an edge view per note
    for n, d in G.nodes(data=True):
        if d.get(NodeAttr.KIND) != NodeKind.NOTE:
            continue
        group = (str(d.get(NodeAttr.WORKSHOP, "")), d.get(NodeAttr.GROUP))
        themes: list[str] = []
        orgs: list[str] = []
        for v, keyed in succ[n].items():
            for k in keyed:
                if k == EdgeKind.ABOUT:
                    themes.append(v)
                elif k == EdgeKind.MENTIONS:
                    orgs.append(v)
        for t in (*themes, *orgs):
            notes_per[t] += 1
            groups_per[t].add(group)
        for o in orgs:
            for t in themes:
                org_theme[o, t] += 1
    ov: KnowledgeGraph = nx.MultiDiGraph(name="overview")
    for n, d in G.nodes(data=True):
        kind = d.get(NodeAttr.KIND)
        if kind in THEME_KINDS and (notes_per[n] or kind == NodeKind.BARRIER):
            ov.add_node(
                n, **d, **{NodeAttr.NOTES: notes_per[n], NodeAttr.GROUPS: len(groups_per[n])}
            )
    orgs_ranked = sorted(
        (
            n
            for n, d in G.nodes(data=True)
            if d.get(NodeAttr.KIND) in (NodeKind.ORGANISATION, NodeKind.TOOL) and notes_per[n]
        ),
        key=lambda n: (-notes_per[n], n),
    )
    for n in orgs_ranked[:max_orgs]:
        ov.add_node(
            n, **G.nodes[n], **{NodeAttr.NOTES: notes_per[n], NodeAttr.GROUPS: len(groups_per[n])}
        )
    into: defaultdict[str, list[tuple[float, str, dict[str, Any]]]] = defaultdict(list)
    for v in ov:
        for u, keyed in G.pred[v].items():
            link: dict[str, Any] | None = keyed.get(EdgeKind.ADDRESSES)
            if link is not None and u in ov:
                into[v].append((-float(link.get(EdgeAttr.SCORE, 0.0)), u, link))
    for v, links in sorted(into.items()):
        for _, u, d in sorted(links, key=lambda x: (x[0], x[1]))[:links_per_barrier]:
            ov.add_edge(u, v, key=str(EdgeKind.ADDRESSES), **d)
    per_org: defaultdict[str, list[tuple[int, str]]] = defaultdict(list)
    for (o, t), count in org_theme.items():
        if o in ov and t in ov:
            per_org[o].append((-count, t))
    for o, themes_of in sorted(per_org.items()):
        for neg, t in sorted(themes_of)[:themes_per_org]:
            key = str(EdgeKind.MENTIONS)
            ov.add_edge(o, t, key=key, **{EdgeAttr.KIND: key, EdgeAttr.COUNT: -neg})
    return ov


def drilldown(G: KnowledgeGraph, node: str, *, max_notes: int = 300) -> tuple[KnowledgeGraph, int]:
    """Open a theme, organisation or group down to its notes.

    Returns the node, up to ``max_notes`` of its notes, their groups, themes and
    organisations, and the node's ``addresses`` neighbours, plus the number of
    notes left out.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> H, left_out = drilldown(example_graph(), "theme/b_time_capacity")
    >>> sorted(H.nodes[n]["label"] for n in H if H.nodes[n]["kind"] == "note"), left_out
    (['G1-Q1-1', 'G1-Q1-A-2', 'G2-Q1-A-2'], 0)
    """
    if node not in G:
        raise KeyError(node)
    notes = sorted(notes_of(G, node))  # in id order, as the view has always shown them
    shown = notes[:max_notes]
    keep = {node, *shown}
    for n in shown:
        keep.update(v for _, v, k in G.out_edges(n, keys=True) if k != EdgeKind.IN)
        keep.update(u for u, _, k in G.in_edges(n, keys=True) if k == EdgeKind.RAISED)
    for u, v, k in (*G.in_edges(node, keys=True), *G.out_edges(node, keys=True)):
        if k == EdgeKind.ADDRESSES:
            keep.update((u, v))
    H: KnowledgeGraph = G.subgraph(keep).copy()
    return H, len(notes) - len(shown)


def answer_subgraph(
    G: KnowledgeGraph, barrier_id: str, practice_ids: Sequence[str], *, max_notes: int = 30
) -> KnowledgeGraph:
    """The barrier, the given practices, their ``addresses`` links and the barrier's notes.

    What the app's Ask page draws next to a :func:`~collab_graph.graph.query.practices_for`
    answer: the notes raising the barrier (the first ``max_notes`` in id order)
    point to it, and its practices point to it with their links.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    barrier_id : str
        A barrier theme id.
    practice_ids : sequence of str
        Practice theme ids (those of the answer); unknown ids are left out.
    max_notes : int
        At most this many notes.

    Returns
    -------
    networkx.MultiDiGraph
        An independent copy holding only ``addresses`` edges and the notes'
        ``about`` edges into the barrier.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> H = answer_subgraph(example_graph(), "b_time_capacity", ["p_protected_time"])
    >>> sorted(H.nodes[n]["kind"] for n in H)
    ['barrier', 'note', 'note', 'note', 'practice']
    """
    b = theme_node(barrier_id)
    keep = {b, *(theme_node(p) for p in practice_ids)}
    if b in G:
        keep.update(sorted(notes_of(G, b))[:max_notes])
    H: KnowledgeGraph = nx.MultiDiGraph(G.subgraph(n for n in keep if n in G))
    drop = [
        (u, v, k)
        for u, v, k in H.edges(keys=True)
        if k != EdgeKind.ADDRESSES and not (k == EdgeKind.ABOUT and v == b)
    ]
    H.remove_edges_from(drop)
    return H


# --------------------------------------------------------------------------- layout


_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
_SPACING = 11.0  # pixels between neighbouring notes in a cluster
_SMALL_GRAPH = 40


def _sunflower(cx: float, cy: float, i: int, inner: float) -> tuple[float, float]:
    """The ``i``-th point of an evenly filled disc (Vogel's spiral) around ``(cx, cy)``."""
    r = inner + _SPACING * math.sqrt(i + 0.5)
    a = i * _GOLDEN_ANGLE
    return (cx + r * math.cos(a), cy + r * math.sin(a))


def _footprint(
    d: Mapping[str, Any], label: str, size: float, above: float = 0.0, font: float | None = None
) -> tuple[float, float, float]:
    """The box a node and its label take: ``(dy, half_width, half_height)`` around ``(x, y + dy)``.

    vis-network draws the label of a shape under the node (inside it for boxes);
    ``above`` reserves room over the node (for the disc of its notes).
    """
    kind = str(d.get(NodeAttr.KIND, ""))
    style = KIND_STYLES.get(kind, KIND_STYLES[str(NodeKind.NOTE)])
    w, h = label_box(label, font or FONT_SIZES.get(kind, 14))
    if style.shape in ("box", "database"):
        return 0.0, w / 2 + 9.0, h / 2 + 9.0 + above / 2
    top = -size - above
    bottom = size + (h + 4.0 if label else 0.0)
    return (top + bottom) / 2, max(size, w / 2) + 2.0, (bottom - top) / 2


_CANVAS_ASPECT = 1.4  # width : height of the Explore canvas (980 × 700 at 1440 × 900)
_ASPECTS = (1.2, 1.35, 1.5)  # shapes tried for a layout; the one that fits the canvas best wins


def _spiral(start: int, count: int, *, step: float = 8.0, aspect: float = 1.5) -> np.ndarray:
    """Points ``start`` … ``start + count`` of an elliptic spiral about the origin, about
    ``step`` pixels apart along it and between its turns, wider than tall by ``aspect``."""
    i = np.arange(start, start + count, dtype=float)
    # the arc length of an Archimedean spiral r = step·θ/2π grows as θ²: invert it
    theta = np.sqrt(4.0 * math.pi * i)
    r = step * theta / (2.0 * math.pi)
    stretch = math.sqrt(aspect)
    out: np.ndarray = np.stack([r * np.cos(theta) * stretch, r * np.sin(theta) / stretch], 1)
    return out


def _place(
    desired: np.ndarray, half: np.ndarray, *, gap: float = 4.0, aspect: float = 1.5
) -> np.ndarray:
    """Put each box (centre ``desired`` ± ``half``) at the free spot nearest its wish.

    Boxes are placed one at a time, the most central first; each walks out along
    a spiral from where it wants to be (the force-directed layout) to the first
    spot that overlaps no box placed before it, as word clouds are packed. So no
    two boxes overlap, the picture keeps the shape of the force layout, and the
    boxes end up packed rather than scattered.
    """
    n = len(desired)
    out = np.array(desired, dtype=float).reshape(-1, 2)
    if n < 2:
        return out
    centre = out.mean(axis=0)
    order = np.argsort(np.hypot(*(out - centre).T), kind="stable")
    placed_xy = np.empty((0, 2))
    placed_half = np.empty((0, 2))
    for i in order:
        start, chunk = 0, 256
        spot = out[i]
        # big boxes take coarser steps: a few pixels matter only for small ones
        step = max(6.0, 0.25 * float(min(half[i])))
        need = placed_half + half[i] + gap
        while len(placed_xy):
            cand = out[i] + _spiral(start, chunk, step=step, aspect=aspect)
            clash = (np.abs(cand[:, None, 0] - placed_xy[None, :, 0]) < need[None, :, 0]) & (
                np.abs(cand[:, None, 1] - placed_xy[None, :, 1]) < need[None, :, 1]
            )
            free = np.flatnonzero(~clash.any(axis=1))
            if len(free):
                spot = cand[free[0]]
                break
            start, chunk = start + chunk, min(chunk * 4, 8192)
        out[i] = spot
        placed_xy = np.vstack([placed_xy, spot])
        placed_half = np.vstack([placed_half, half[i]])
    return out


def _compact(
    raw: Mapping[str, Any], nodes: Sequence[str], half: np.ndarray, aspect: float
) -> np.ndarray:
    """Spring-layout coordinates (about ±1) scaled to a compact area ``aspect`` times wider
    than tall (the boxes would fill it four times over: :func:`_place` spreads them)."""
    xy = np.array([raw[v] for v in nodes], dtype=float).reshape(-1, 2)
    area = float(np.sum(4.0 * half[:, 0] * half[:, 1])) if len(half) else 1.0
    sy = math.sqrt(area * 0.25 / aspect)
    out: np.ndarray = xy * np.array([aspect * sy, sy])
    return out


def _best_packing(
    wished: Callable[[float], np.ndarray], dy: np.ndarray, half: np.ndarray
) -> np.ndarray:
    """Node positions from :func:`_place` for each shape in ``_ASPECTS``: the packing that
    the canvas shows at the largest scale. Boxes are offset ``dy`` below their nodes."""
    best: tuple[float, np.ndarray] | None = None
    for aspect in _ASPECTS:
        xy = wished(aspect)
        xy[:, 1] += dy
        xy = _place(xy, half, aspect=aspect)
        span = (xy + half).max(axis=0) - (xy - half).min(axis=0)
        scale = min(_CANVAS_ASPECT / max(span[0], 1.0), 1.0 / max(span[1], 1.0))
        if best is None or scale > best[0]:
            best = (scale, xy)
    assert best is not None
    out = best[1]
    out[:, 1] -= dy
    return out


def _anchor(G: KnowledgeGraph, v: str, hubs: Collection[str]) -> str | None:
    """The hub a note is drawn next to: its primary theme, else any theme, organisation, group."""
    best: tuple[int, str] | None = None
    for _, w, k, d in G.out_edges(v, keys=True, data=True):
        if w not in hubs:
            continue
        rank = (
            0
            if (k == EdgeKind.ABOUT and d.get(EdgeAttr.PRIMARY))
            else 1
            if k == EdgeKind.ABOUT
            else 2
        )
        if best is None or (rank, w) < best:
            best = (rank, w)
    if best is None:
        for u in G.predecessors(v):
            if u in hubs and (best is None or (3, u) < best):
                best = (3, u)
    return None if best is None else best[1]


def answer_layout(
    G: KnowledgeGraph,
    centre: str,
    ranked: Sequence[str],
    *,
    row: float = 72.0,
    note_row: float = 40.0,
    gap: float = 300.0,
) -> dict[str, tuple[float, float]]:
    """Positions that read left to right: the notes raising a theme, the theme, its answers.

    ``centre`` (a barrier) sits in the middle; the nodes of ``ranked`` (its
    practices, best first) stand in a column on the right, top to bottom, and
    every other node (the notes behind the barrier) in a column on the left, in
    id order. Rows are far enough apart that labels drawn under the nodes never
    overlap, which a force layout of a star cannot promise.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> G = example_graph()
    >>> H = G.subgraph(["theme/b_time_capacity", "theme/p_protected_time",
    ...     "theme/p_dedicated_team", "workshop/alpha/note/G1-Q1-A-2"])
    >>> pos = answer_layout(H, "theme/b_time_capacity",
    ...     ["theme/p_protected_time", "theme/p_dedicated_team"])
    >>> [pos[n] for n in ("theme/b_time_capacity", "theme/p_protected_time",
    ...     "theme/p_dedicated_team", "workshop/alpha/note/G1-Q1-A-2")]
    [(0.0, 0.0), (300.0, -36.0), (300.0, 36.0), (-300.0, 0.0)]
    """
    right = [n for n in ranked if n in G and n != centre]
    left = sorted(n for n in G if n != centre and n not in set(right))

    def column(nodes: Sequence[str], x: float, step: float) -> dict[str, tuple[float, float]]:
        top = -step * (len(nodes) - 1) / 2
        return {n: (x, top + i * step) for i, n in enumerate(nodes)}

    pos = {centre: (0.0, 0.0)} if centre in G else {}
    pos.update(column(right, gap, row))
    pos.update(column(left, -gap, note_row))
    return pos


def layout(
    G: KnowledgeGraph,
    *,
    seed: int = 7,
    show_note_text: bool | None = None,
    highlight: Collection[str] = (),
) -> dict[str, tuple[float, float]]:
    """Deterministic node positions in vis-network pixels, with no two labels overlapping.

    Hubs (themes, organisations, groups: every node but the notes) get a seeded
    force-directed layout of their own, weighted by the notes they share and
    their ``addresses`` links.
    Every other node (the notes) fills a disc just above its anchor hub: its
    primary theme, else another theme, an organisation or its group. So each
    theme is drawn as a cluster of the notes about it, its label underneath.
    Graphs whose notes are labelled (at most :data:`NOTE_LABELS_MAX` notes), or
    of at most 40 nodes, or without notes, get a spring layout of every node.

    Then every box of a node and its label (sized as :func:`render` draws it,
    with :func:`label_box`) is pushed apart from the others until none overlap,
    so the page shows no overlapping labels at any zoom. The cost is one small
    force-directed run and an overlap pass over the hubs, plus one pass over
    the notes.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The graph (or view) to lay out.
    seed : int
        Seed of the force-directed layout.
    show_note_text : bool, optional
        Whether :func:`render` will label the notes (their boxes then count).
        None: when there are at most :data:`NOTE_LABELS_MAX` notes, as in :func:`render`.
    highlight : collection of str
        Nodes :func:`render` draws with a larger label (:data:`HIGHLIGHT_FONT`).

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> G = example_graph()
    >>> pos = layout(G)
    >>> len(pos) == G.number_of_nodes(), pos == layout(G)
    (True, True)
    """
    n = G.number_of_nodes()
    if n == 0:
        return {}
    n_notes = sum(1 for _, d in G.nodes(data=True) if d.get(NodeAttr.KIND) == NodeKind.NOTE)
    note_text = n_notes <= NOTE_LABELS_MAX if show_note_text is None else show_note_text
    degree = dict(G.degree())

    big = set(highlight)

    def box(v: str, above: float = 0.0) -> tuple[float, float, float]:
        d = G.nodes[v]
        font = HIGHLIGHT_FONT if v in big else None
        return _footprint(d, _node_label(d, note_text), _node_size(d, degree[v]), above, font)

    # every labelled node is a hub with a box of its own; the notes gather round them
    hubs = sorted(v for v, d in G.nodes(data=True) if d.get(NodeAttr.KIND) != NodeKind.NOTE)
    hub_set = set(hubs)
    members = sorted(v for v in G if v not in hub_set)
    if n <= _SMALL_GRAPH or not hubs or not members or (note_text and n <= 600):
        order = sorted(G)
        raw = nx.spring_layout(nx.Graph(G), seed=seed, k=3.0 / math.sqrt(n), iterations=200)
        boxes = np.array([box(v) for v in order], dtype=float)
        if n <= 600:
            xy = _best_packing(
                lambda aspect: _compact(raw, order, boxes[:, 1:], aspect), boxes[:, 0], boxes[:, 1:]
            )
        else:
            xy = _compact(raw, order, boxes[:, 1:], _CANVAS_ASPECT)
        return {str(v): (float(x), float(y)) for v, (x, y) in zip(order, xy.tolist(), strict=True)}

    attach: dict[str, list[str]] = {h: [] for h in hubs}
    loose: list[str] = []
    shared: Counter[tuple[str, str]] = Counter()
    groups = {h for h in hubs if G.nodes[h].get(NodeAttr.KIND) == NodeKind.GROUP}
    for v in members:
        hub = _anchor(G, v, hub_set)
        if hub is None:
            loose.append(v)
        else:
            attach[hub].append(v)
        # Groups share notes with every theme; linking them would pull all into one knot.
        linked = sorted({w for w in G.successors(v) if w in hub_set and w not in groups})
        for a, b in itertools.combinations(linked, 2):
            shared[a, b] += 1
    # Themes and organisations get a force-directed layout; groups (which share notes
    # with nearly every theme) go on a ring around it, facing the themes of their notes.
    core = [h for h in hubs if h not in groups] or hubs
    core_set = set(core)
    H: nx.Graph[str] = nx.Graph()
    H.add_nodes_from(core)
    for (a, b), count in shared.items():
        H.add_edge(a, b, weight=math.log1p(count))
    for u, v, k in G.edges(keys=True):
        if k == EdgeKind.ADDRESSES and u in core_set and v in core_set:
            w = H.get_edge_data(u, v, {"weight": 0.0})["weight"]
            H.add_edge(u, v, weight=w + 1.0)
    # the disc of a hub's notes (Vogel's spiral) and the room it takes above the hub
    disc = {h: _SPACING * math.sqrt(len(attach[h])) + 8.0 if attach[h] else 0.0 for h in hubs}
    above = {h: 2 * disc[h] + 6.0 if attach[h] else 0.0 for h in hubs}
    boxes_of = {h: box(h, above[h]) for h in hubs}
    iterations = 120 if len(core) <= 400 else 50
    raw = nx.spring_layout(
        H, seed=seed, weight="weight", k=3.0 / math.sqrt(len(core)), iterations=iterations
    )
    core_half = np.array([boxes_of[h][1:] for h in core], dtype=float)
    ring = [h for h in hubs if h not in core_set]
    anchor_of = {v: h for h in core for v in attach[h]}

    def wished(aspect: float) -> np.ndarray:
        core_xy = _compact(raw, core, core_half, aspect)
        where = {h: (float(x), float(y)) for h, (x, y) in zip(core, core_xy.tolist(), strict=True)}
        if ring:
            rx = max(abs(x) for x, _ in where.values()) + 120.0
            ry = max(abs(y) for _, y in where.values()) + 80.0
            facing: list[tuple[float, str]] = []
            for g in ring:
                pts = [where[anchor_of[v]] for v in G.successors(g) if v in anchor_of]
                sx, sy = sum(p[0] for p in pts), sum(p[1] for p in pts)
                facing.append((math.atan2(sy, sx) if pts else 0.0, g))
            # evenly spaced, in the order of the direction each group faces
            facing.sort()
            for i, (_, g) in enumerate(facing):
                angle = 2 * math.pi * i / len(facing) + facing[0][0]
                where[g] = (rx * math.cos(angle), ry * math.sin(angle))
        return np.array([where[h] for h in hubs], dtype=float)

    boxes = np.array([boxes_of[h] for h in hubs], dtype=float)
    if len(hubs) <= 600:
        xy = _best_packing(wished, boxes[:, 0], boxes[:, 1:])
    else:
        xy = wished(_CANVAS_ASPECT)
    pos: dict[str, tuple[float, float]] = {}
    for (x, y), h in zip(xy.tolist(), hubs, strict=True):
        pos[h] = (x, y)
        size = _node_size(G.nodes[h], degree[h])
        cy = y - size - 6.0 - disc[h]
        for i, v in enumerate(attach[h]):
            pos[v] = _sunflower(x, cy, i, 0.0)
    right = float(np.max(xy[:, 0] + boxes[:, 1])) if len(hubs) else 0.0
    for i, v in enumerate(loose):
        pos[v] = _sunflower(right + 150.0, 0.0, i, 0.0)
    return pos


# --------------------------------------------------------------------------- render


@dataclass(frozen=True, slots=True)
class GraphView:
    """A rendered graph view.

    Attributes
    ----------
    html : str
        The standalone page (vis-network inlined, no outside requests).
    nodes, edges : int
        How many nodes and edges the page draws.
    physics : bool
        Whether vis physics runs (small graphs) or positions are final.
    height : int
        Height in pixels an iframe needs to show the page without scrolling.
    """

    html: str
    nodes: int
    edges: int
    physics: bool
    height: int


def legend_entries(G: KnowledgeGraph) -> list[tuple[str, str, str, str]]:
    """``(glyph, colour, name, count)`` for each node kind present, in legend order.

    Notes are split by coded kind, because note dots take the colour of it.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> [e[2] for e in legend_entries(example_graph())][:4]
    ['Practices', 'Barriers', 'Benefits', 'Organisations']
    """
    kinds = Counter(str(d.get(NodeAttr.KIND)) for _, d in G.nodes(data=True))
    note_kinds = Counter(
        str(d.get(NodeAttr.NOTE_KIND, ""))
        for _, d in G.nodes(data=True)
        if d.get(NodeAttr.KIND) == NodeKind.NOTE
    )
    out: list[tuple[str, str, str, str]] = []
    for kind, style in KIND_STYLES.items():
        if kind == NodeKind.NOTE:
            for nk, colour in NOTE_COLOURS.items():
                if note_kinds[nk]:
                    out.append(("●", colour, f"{nk.capitalize()} notes", str(note_kinds[nk])))
        elif kinds[kind]:
            out.append((style.glyph, style.colour, style.name, str(kinds[kind])))
    return out


_LEGEND_HEIGHT = 70
"""Pixels the iframe keeps for the legend bar above the canvas (up to three rows)."""

_KIND_HINTS: Mapping[str, str] = {
    str(NodeKind.ORGANISATION): "named bodies",
    str(NodeKind.TOOL): "software and products, e.g. Trello",
    str(NodeKind.GROUP): "breakout groups",
}
"""What a legend entry means, where its name alone does not say."""

_EDGE_LEGEND: tuple[tuple[str, str, str], ...] = (
    (str(EdgeKind.ADDRESSES), "solid", "practice addresses barrier (dashed: suggested)"),
    (str(EdgeKind.ABOUT), "solid", "note is about a theme"),
    (str(EdgeKind.MENTIONS), "solid", "note mentions an organisation or tool"),
)


def _legend_html(G: KnowledgeGraph, title: str | None) -> str:
    rows = "".join(
        f'<span><span class="g" style="color:{colour}">{glyph}</span> '
        f"{_html.escape(name)} ({count})"
        + (
            f' <span class="hint">{_html.escape(hint)}</span>'
            if (hint := _KIND_HINTS.get(_LEGEND_KIND.get(name, ""), ""))
            else ""
        )
        + "</span>"
        for glyph, colour, name, count in legend_entries(G)
    )
    edge_kinds = {str(k) for _, _, k in G.edges(keys=True)}
    rows += "".join(
        f'<span><span class="e" style="border-top-color:{EDGE_STYLES[k][0]}"></span> '
        f"{_html.escape(text)}</span>"
        for k, _, text in _EDGE_LEGEND
        if k in edge_kinds
    )
    if rows:
        rows += '<span class="hint">smaller labels appear as you zoom in</span>'
    legend = f'<div id="cg-legend">{rows}</div>' if rows else ""
    heading = f'<div id="cg-title">{_html.escape(title)}</div>' if title else ""
    return legend + heading


_LEGEND_KIND = {style.name: kind for kind, style in KIND_STYLES.items()}


def _node_size(d: Mapping[str, Any], degree: int) -> float:
    kind = str(d.get(NodeAttr.KIND, ""))
    style = KIND_STYLES.get(kind)
    base = style.size if style else 10
    if kind == NodeKind.NOTE:
        return float(base)
    weight = int(d.get(NodeAttr.NOTES, degree))
    return float(min(0.6 * base + 2.0 * math.sqrt(max(0, weight)), base * 1.5))


def _node_label(d: Mapping[str, Any], show_note_text: bool) -> str:
    """The label drawn on the canvas: wrapped to short lines; the tooltip has the full text.

    >>> _node_label({"kind": "tool", "label": "Slack (messaging)"}, False)
    'Slack'
    >>> _node_label({"kind": "note", "text": "Day job – no time"}, True)
    'Day job – no time'
    """
    kind = d.get(NodeAttr.KIND)
    if kind == NodeKind.NOTE:
        return _wrap(_short(str(d.get(NodeAttr.TEXT, "")), 48), 24, 2) if show_note_text else ""
    label = " ".join(str(d.get(NodeAttr.LABEL, "")).split())
    if kind in (NodeKind.ORGANISATION, NodeKind.TOOL):
        label = _PARENTHESIS_RE.sub("", label) or label  # the long form is in the tooltip
    if kind in (NodeKind.GROUP, NodeKind.WORKSHOP, NodeKind.QUESTION, NodeKind.PROMPT):
        return _short(label, 30)
    return _wrap(label, 22, 3)


def _vis_nodes(
    G: KnowledgeGraph,
    pos: Mapping[str, tuple[float, float]],
    *,
    show_note_text: bool,
    highlight: Collection[str],
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    degree = dict(G.degree())
    for n, d in G.nodes(data=True):
        kind = str(d.get(NodeAttr.KIND, ""))
        style = KIND_STYLES.get(kind, KIND_STYLES[str(NodeKind.NOTE)])
        colour = style.colour
        if kind == NodeKind.NOTE:
            colour = NOTE_COLOURS.get(str(d.get(NodeAttr.NOTE_KIND, "")), style.colour)
        x, y = pos.get(n, (0.0, 0.0))
        node: dict[str, Any] = {
            "id": str(n),
            "label": _node_label(d, show_note_text),
            "title": node_tooltip(G, n),
            "shape": style.shape,
            "size": _node_size(d, degree.get(n, 0)),
            "x": round(x, 1),
            "y": round(y, 1),
        }
        font: dict[str, Any] = {
            "multi": False,
            "face": "arial",
            "size": FONT_SIZES.get(kind, 14),
            "color": "#333333",
            "strokeWidth": 3,
            "strokeColor": "#ffffff",
        }
        if style.shape in ("box", "database"):
            node["color"] = {"background": colour, "border": colour}
            font.update(strokeWidth=0, color="#ffffff" if kind != NodeKind.GROUP else "#222222")
        else:
            node["color"] = colour
        if kind in THEME_KINDS:
            font.update(color="#1a1a1a", strokeWidth=4)
        elif kind == NodeKind.NOTE:
            font.update(color="#444444")
        if n in highlight:
            node["borderWidth"] = 4
            node["color"] = {"background": colour, "border": "#111111"}
            font.update(size=HIGHLIGHT_FONT, strokeWidth=5, strokeColor="#ffffff")
        node["font"] = font
        out.append(node)
    return out


def _vis_edges(G: KnowledgeGraph, *, show_scores: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for u, v, k, d in G.edges(keys=True, data=True):
        colour, width = EDGE_STYLES.get(str(k), ("#CCCCCC", 1.0))
        edge: dict[str, Any] = {"from": str(u), "to": str(v), "color": colour, "width": width}
        if k == EdgeKind.ADDRESSES:
            edge["arrows"] = "to"
            score = float(d.get(EdgeAttr.SCORE, 0.0))
            edge["width"] = 0.5 + 4.0 * score
            edge["dashes"] = not d.get(EdgeAttr.CURATED, False)
            if show_scores:
                edge["label"] = f"{score:.2f}"
                edge["font"] = {"size": 12, "align": "top", "color": "#00684a"}
        elif k == EdgeKind.MENTIONS and EdgeAttr.COUNT in d:
            edge["width"] = min(1.0 + math.sqrt(int(d[EdgeAttr.COUNT])), 6.0)
        out.append(edge)
    return out


def _options(physics: bool, n_edges: int) -> dict[str, Any]:
    smooth: Any = False if (not physics or n_edges > 600) else {"type": "continuous"}
    options: dict[str, Any] = {
        "nodes": {
            "font": {"multi": False, "face": "arial"},
            "borderWidth": 1,
            # labels smaller than 11 px on screen are not drawn: zoom in to read them
            "scaling": {"label": {"drawThreshold": LABEL_DRAW_THRESHOLD, "maxVisible": 40}},
        },
        "edges": {"smooth": smooth, "selectionWidth": 2},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": n_edges > 1500,
            "navigationButtons": False,
            "keyboard": False,
        },
        "layout": {"improvedLayout": False, "randomSeed": 7},
    }
    if physics:
        options["physics"] = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90},
            "stabilization": {"enabled": True, "iterations": 200, "fit": True},
            "minVelocity": 1.0,
        }
    else:
        options["physics"] = {"enabled": False}
    return options


def strip_remote_resources(page: str) -> str:
    """Remove every ``<link>``/``<script>`` that would load from another host.

    Raises
    ------
    ValueError
        If a remote ``src``/``href`` is still left in a tag afterwards (a change
        of template this function does not know).

    Examples
    --------
    >>> page = ('<link href="https://cdn.example/b.css" rel="stylesheet"/>'
    ...         '<script src="https://cdn.example/b.js"></script><p>ok</p>')
    >>> strip_remote_resources(page)
    '<p>ok</p>'
    """
    out = _CDN_TAG_RE.sub("", page)
    if _REMOTE_ATTR_RE.search(out):
        raise ValueError("the page still refers to a remote resource; update viz._CDN_TAG_RE")
    return out


@functools.cache
def _page_template() -> Any:
    # pyvis gives every Network a new jinja Environment, so each page compiled its
    # template, with vis-network (700 KB) included inline, afresh: about 0.1 CPU s
    # a page. One compiled template serves every page (jinja templates render
    # safely from several threads).
    net = Network(cdn_resources="in_line")
    return net.templateEnv.get_template(net.path)


def _render_page(net: Network, physics: bool) -> str:
    # Same arguments pyvis's generate_html passes, except tooltip_link=True: the
    # HTML popup shows the escaped titles as exact text whether or not a note
    # contains "href" (pyvis would otherwise switch modes per page).
    template = _page_template()
    nodes, edges, heading, height, width, options = net.get_network_data()
    page: str = template.render(
        height=height,
        width=width,
        nodes=nodes,
        edges=edges,
        heading=heading,
        options=options,
        physics_enabled=physics,
        use_DOT=False,
        dot_lang="",
        widget=False,
        bgcolor=net.bgcolor,
        conf=False,
        tooltip_link=True,
        neighborhood_highlight=False,
        select_menu=False,
        filter_menu=False,
        notebook=False,
        cdn_resources="in_line",
    )
    return page


def _script_literal(value: Any) -> str:
    """JSON for an inline ``<script>``: ``<``, ``>`` and ``&`` as ``\\u`` escapes."""
    text = json.dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(
    G: KnowledgeGraph,
    *,
    positions: Mapping[str, tuple[float, float]] | None = None,
    physics: bool | None = None,
    height: int = 640,
    title: str | None = None,
    focus: str | None = None,
    highlight: Collection[str] = (),
    show_note_text: bool | None = None,
    show_scores: bool = False,
    legend: bool = True,
    fit_labels: bool | None = None,
    readable_zoom: bool = False,
) -> GraphView:
    """Draw ``G`` as a standalone, offline HTML page.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph with the schema of :mod:`collab_graph.graph.schema`, or any view
        of it (:func:`filter_graph`, :func:`overview_graph`, ...).
    positions : mapping, optional
        Node positions in pixels, e.g. :func:`layout` of a larger graph computed
        once, so that filtering does not move nodes. Missing nodes are laid out
        afresh. None: :func:`layout` of ``G``.
    physics : bool, optional
        Run vis physics (which moves nodes, so labels may overlap again). None:
        off; the positions of :func:`layout` are final.
    height : int
        Height of the network canvas in pixels.
    title : str, optional
        A caption shown in the page's top right corner (escaped).
    focus : str, optional
        A node to select and zoom to once drawn.
    highlight : collection of str
        Nodes drawn with a heavy border and a larger label.
    show_note_text : bool, optional
        Label note dots with the start of their text. None: when at most
        :data:`NOTE_LABELS_MAX` notes. (Given ``positions`` must leave room for them.)
    show_scores : bool
        Label ``addresses`` links with their score.
    legend : bool
        Overlay a legend of the node kinds on show.
    fit_labels : bool, optional
        Fit the view again once the labels are measured, so that the labels of
        the outermost nodes (which vis leaves out of its first fit) stay in
        view. None: when physics is off (with physics, vis fits the settled
        graph itself).
    readable_zoom : bool
        When fitting, zoom no further out than the scale at which the labels of
        every node but the notes are drawn in full, at :data:`LABEL_DRAW_THRESHOLD`
        px or more: a graph too large for that opens on its centre, readable,
        and the rest is a drag away; note labels appear as you zoom in. (The page
        records that scale as ``window.cgLeastScale``.)

    Returns
    -------
    GraphView
        The page and what it draws.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> view = render(example_graph(), physics=False, title="<b>x</b>")
    >>> view.physics, "&lt;b&gt;x&lt;/b&gt;" in view.html
    (False, True)
    """
    n_nodes = G.number_of_nodes()
    use_physics = False if physics is None else physics
    n_notes = sum(1 for _, d in G.nodes(data=True) if d.get(NodeAttr.KIND) == NodeKind.NOTE)
    note_text = n_notes <= NOTE_LABELS_MAX if show_note_text is None else show_note_text
    pos: dict[str, tuple[float, float]] = {}
    if positions is not None:
        pos = {n: positions[n] for n in G if n in positions}
    if len(pos) < n_nodes:
        missing = G.subgraph([n for n in G if n not in pos])
        fresh = layout(nx.MultiDiGraph(missing), show_note_text=note_text, highlight=highlight)
        pos.update({n: p for n, p in fresh.items() if n not in pos})

    net = Network(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line")
    vis_nodes = _vis_nodes(G, pos, show_note_text=note_text, highlight=set(highlight))
    vis_edges = _vis_edges(G, show_scores=show_scores)
    # Filled directly: Network.add_node/add_edge check membership in lists, which is
    # quadratic in the graph size.
    net.nodes = vis_nodes
    net.edges = vis_edges
    net.node_ids = [v["id"] for v in vis_nodes]
    net.options = _options(use_physics, len(vis_edges))
    page = _render_page(net, use_physics)
    page = strip_remote_resources(page)
    page = _EMPTY_HEADING_RE.sub("", page)
    meta = (
        f'<meta name="collab-graph-nodes" content="{len(vis_nodes)}">'
        f'<meta name="collab-graph-edges" content="{len(vis_edges)}">'
    )
    page = page.replace("<head>", "<head>" + meta + _PAGE_CSS, 1)
    overlay = _legend_html(G, title) if legend or title else ""
    if not legend:
        overlay = _legend_html(nx.MultiDiGraph(), title)
    page = page.replace('<div id="mynetwork"', overlay + '<div id="mynetwork"', 1)
    if (not use_physics if fit_labels is None else fit_labels) and focus is None:
        kind_of = {str(n): str(d.get(NodeAttr.KIND, "")) for n, d in G.nodes(data=True)}
        labelled = [
            v["font"]["size"]
            for v in vis_nodes
            if v["label"] and kind_of.get(v["id"]) != NodeKind.NOTE and v["id"] not in highlight
        ]
        least = LABEL_DRAW_THRESHOLD / min(labelled) if labelled and readable_zoom else 0.0
        # Fit now, and once more after the first drawing has measured the labels,
        # unless the view was moved in between (a search focus, a test's hover).
        script = (
            "<script>(function(){var least=" + _script_literal(round(least, 4)) + ";"
            "window.cgLeastScale=least;"
            "function refit(){network.fit({animation:false,maxZoomLevel:1.5});"
            "if(network.getScale()<least){network.moveTo({scale:least,animation:false});}}"
            "refit();var s0=network.getScale(),p0=network.getViewPosition();"
            "network.once('afterDrawing',function(){var p=network.getViewPosition();"
            "if(network.getScale()===s0&&p.x===p0.x&&p.y===p0.y){refit();}});"
            "network.on('resize',refit);})();</script>"
        )
        page = page.replace("</body>", script + "</body>", 1)
    if focus is not None and focus in G:
        script = (
            "<script>(function(){var id=" + _script_literal(focus) + ";"
            "network.once('afterDrawing',function(){network.selectNodes([id]);"
            "network.focus(id,{scale:1.1,animation:false});});})();</script>"
        )
        page = page.replace("</body>", script + "</body>", 1)
    return GraphView(
        html=page,
        nodes=len(vis_nodes),
        edges=len(vis_edges),
        physics=use_physics,
        height=height + 20 + (_LEGEND_HEIGHT if legend else 0),
    )
