"""Text that XML 1.0 can hold: the XML exports never write an ill-formed file.

XML 1.0 forbids most C0 control characters (``\\x00``-``\\x1f`` other than tab,
line feed and carriage return), the non-characters U+FFFE and U+FFFF, and lone
surrogates (which a Python ``str`` may hold, e.g. after ``surrogateescape``).
There is no escape for them: ``&#12;`` is as ill-formed as the raw form feed.
Workshop notes can hold them (a form feed from a pasted page break, a NUL from
a broken file), so before an XML format is written every string in the graph
(node ids, attribute values, the graph's own attributes) has each forbidden
character **replaced by U+FFFD** (the replacement character, ``\\N{REPLACEMENT
CHARACTER}``). Replacing rather than dropping keeps the note's length and shows
the reader where something was ("a\\x0cb" becomes "a\\ufffdb", not "ab", which
would join two words). The other formats (Turtle, N-Triples, JSON-LD, CSV,
HTML) escape these characters and keep them as they are.

:func:`forbidden_report` counts what would be replaced without copying the
graph; :func:`xml_safe_graph` returns the copy to write; :func:`check_well_formed`
parses the bytes a writer produced, the last guard before they reach a file.

Examples
--------
>>> xml_safe_text("a\\x0cb\\ufffe")
('a\\ufffdb\\ufffd', 2)
>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("n1", kind="note", text="tab\\tkept, NUL\\x00 not")
>>> H, report = xml_safe_graph(G)
>>> H.nodes["n1"]["text"], report.characters, report.nodes
('tab\\tkept, NUL\\ufffd not', 1, ('n1',))
>>> print(report.message("gexf export"))
gexf export: replaced 1 character that XML 1.0 forbids (U+0000) with U+FFFD in 1 note (n1)
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from collab_graph.errors import ExportError
from collab_graph.graph.schema import KnowledgeGraph, NodeAttr
from collab_graph.model import NodeKind

__all__ = [
    "FORBIDDEN",
    "REPLACEMENT",
    "XmlReport",
    "check_well_formed",
    "forbidden_report",
    "xml_safe_graph",
    "xml_safe_text",
]

#: Characters XML 1.0 forbids (its ``Char`` production, inverted), lone surrogates included.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

#: What each forbidden character becomes.
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"

_SHOWN = 5  # ids and code points named in a message


def xml_safe_text(text: str) -> tuple[str, int]:
    """``text`` with each character XML 1.0 forbids replaced by U+FFFD, and how many were.

    Examples
    --------
    >>> xml_safe_text("fine\\ttext"), xml_safe_text("\\udcff")
    (('fine\\ttext', 0), ('\\ufffd', 1))
    """
    return FORBIDDEN.subn(REPLACEMENT, text)


@dataclass(frozen=True, slots=True)
class XmlReport:
    """What :func:`xml_safe_graph` replaced: characters, code points, and where.

    ``nodes`` are the nodes whose id or attributes held a forbidden character
    (notes first); ``elsewhere`` counts edges and graph attributes that did.
    """

    characters: int = 0
    code_points: tuple[str, ...] = ()
    nodes: tuple[str, ...] = ()
    notes: int = 0
    elsewhere: int = 0

    def __bool__(self) -> bool:
        return self.characters > 0

    def message(self, what: str) -> str:
        """One line for a warning about ``what`` was written: how many characters, which,
        in how many notes (their node ids)."""
        chars = f"{self.characters} character{'s' * (self.characters != 1)}"
        points = ", ".join(self.code_points[:_SHOWN]) + (
            ", …" if len(self.code_points) > _SHOWN else ""
        )
        where = []
        if self.notes:
            where.append(f"{self.notes} note{'s' * (self.notes != 1)}")
        others = len(self.nodes) - self.notes
        if others:
            where.append(f"{others} other node{'s' * (others != 1)}")
        if self.elsewhere:
            where.append(f"{self.elsewhere} edge or graph attribute(s)")
        ids = ", ".join(str(n) for n in self.nodes[:_SHOWN]) + (
            ", …" if len(self.nodes) > _SHOWN else ""
        )
        return (
            f"{what}: replaced {chars} that XML 1.0 forbids ({points}) with U+FFFD "
            f"in {' and '.join(where)}" + (f" ({ids})" if ids else "")
        )


def _clean(value: Any, found: Counter[str]) -> Any:
    """``value`` with forbidden characters replaced in every string it holds."""
    if isinstance(value, str):
        hits = FORBIDDEN.findall(value)
        if not hits:
            return value
        found.update(hits)
        return FORBIDDEN.sub(REPLACEMENT, value)
    if isinstance(value, list | tuple):
        return type(value)(_clean(v, found) for v in value)
    if isinstance(value, dict):
        return {_clean(k, found): _clean(v, found) for k, v in value.items()}
    return value


def _dirty(value: Any) -> bool:
    if isinstance(value, str):
        return FORBIDDEN.search(value) is not None
    if isinstance(value, list | tuple):
        return any(_dirty(v) for v in value)
    if isinstance(value, dict):
        return any(_dirty(k) or _dirty(v) for k, v in value.items())
    return False


def _scan(G: KnowledgeGraph) -> tuple[list[str], int]:
    """Nodes (id or attributes) and the count of edges/graph attributes holding a forbidden char."""
    nodes = [n for n, d in G.nodes(data=True) if _dirty(n) or _dirty(d)]
    elsewhere = sum(1 for e in G.edges(keys=True, data=True) if _dirty(e))
    elsewhere += sum(1 for k, v in G.graph.items() if _dirty(k) or _dirty(v))
    return nodes, elsewhere


def _report(G: KnowledgeGraph, nodes: list[str], elsewhere: int, found: Counter[str]) -> XmlReport:
    notes = [n for n in nodes if G.nodes[n].get(NodeAttr.KIND) == NodeKind.NOTE]
    noted = set(notes)
    ordered = notes + [n for n in nodes if n not in noted]
    return XmlReport(
        characters=sum(found.values()),
        code_points=tuple(f"U+{ord(c):04X}" for c in sorted(found)),
        nodes=tuple(ordered),
        notes=len(notes),
        elsewhere=elsewhere,
    )


def forbidden_report(G: KnowledgeGraph) -> XmlReport:
    """What :func:`xml_safe_graph` would replace in ``G``, without copying it.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> bool(forbidden_report(example_graph()))
    False
    """
    nodes, elsewhere = _scan(G)
    if not nodes and not elsewhere:
        return XmlReport()
    found: Counter[str] = Counter()
    for n in nodes:
        _clean((n, G.nodes[n]), found)
    for e in G.edges(keys=True, data=True):
        _clean(e, found)
    _clean(G.graph, found)
    return _report(G, nodes, elsewhere, found)


def xml_safe_graph(G: KnowledgeGraph) -> tuple[KnowledgeGraph, XmlReport]:
    """``G`` with every forbidden character replaced by U+FFFD, and what was replaced.

    Returns ``G`` itself (not a copy) when nothing needs replacing.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.

    Returns
    -------
    tuple of (networkx.MultiDiGraph, XmlReport)
        The graph to write, and the report (false when nothing was replaced).

    Raises
    ------
    ExportError
        When two node ids would become one.
    """
    nodes, elsewhere = _scan(G)
    if not nodes and not elsewhere:
        return G, XmlReport()
    found: Counter[str] = Counter()
    H: KnowledgeGraph = G.__class__()
    H.graph.update(_clean(G.graph, found))
    H.add_nodes_from((_clean(n, found), _clean(d, found)) for n, d in G.nodes(data=True))
    if H.number_of_nodes() != G.number_of_nodes():
        raise ExportError(
            "two node ids differ only in characters that XML 1.0 forbids; "
            "an XML export would merge them: use turtle, nt or json-ld"
        )
    H.add_edges_from(_clean(e, found) for e in G.edges(keys=True, data=True))
    return H, _report(G, nodes, elsewhere, found)


def check_well_formed(data: bytes, fmt: str) -> None:
    """Raise :class:`ExportError` unless ``data`` is a well-formed XML document.

    Examples
    --------
    >>> check_well_formed(b"<a>ok</a>", "xml")
    >>> try:
    ...     check_well_formed(b"<a>\\x0c</a>", "gexf")
    ... except ExportError as err:
    ...     print(err)  # doctest: +NORMALIZE_WHITESPACE
    gexf export is not well-formed XML (line 1, column 3: not well-formed (invalid token));
    nothing was written
    """
    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ExportError(
            f"{fmt} export is not well-formed XML (line {exc.lineno}, column {exc.offset}: "
            f"{expat.ErrorString(exc.code)}); nothing was written"
        ) from exc
