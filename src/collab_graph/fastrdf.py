"""N-Triples, N-Quads and Turtle written straight from the graph, without rdflib's store.

:func:`collab_graph.rdf.to_graph` builds an :class:`rdflib.Graph` (an indexed
store of Python term objects) and rdflib then serialises it. For a large graph
most of that time and memory goes into the store, which an export does not
need. This module writes the same quads as :func:`collab_graph.rdf.iter_quads`
(the one definition of the RDF form, whose maps ``CLASS_OF``, ``NODE_ATTRS``,
``EDGE_PREDICATES`` ... it reuses) as text, formatting each term once, and
streams it out, so

* :func:`write_ntriples` writes exactly the lines rdflib's ``nt`` serialiser
  writes for ``to_graph(G)`` (same terms, same escaping, no duplicates), in
  a deterministic order (``iter_quads`` order: nodes, then edges, sorted);
* :func:`write_nquads` writes the quads of ``to_rdf(G)`` (one named graph per
  workshop);
* :func:`write_turtle` writes Turtle with the project prefixes, one block per
  run of triples about one subject; parsed back it is isomorphic to ``to_graph(G)``.

``tests/test_fastpath.py`` checks all three against rdflib on the bundled
workshop and a synthetic corpus. rdflib stays the API users see: use
:func:`collab_graph.rdf.to_rdf` to work with the RDF in Python.

Examples
--------
>>> import io
>>> from collab_graph.examples import example_graph
>>> buf = io.StringIO()
>>> n = write_ntriples(example_graph(), buf)
>>> lines = buf.getvalue().splitlines()
>>> n == len(lines) == len(set(lines)), lines[0]
(True, '<https://example.org/collab-graph/taxonomy> \
<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> \
<http://www.w3.org/2004/02/skos/core#ConceptScheme> .')
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Protocol, TextIO
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from collab_graph.bulk import paused_gc
from collab_graph.errors import ExportError
from collab_graph.model import EdgeKind, NodeKind
from collab_graph.rdf import (
    CLASS_OF,
    EDGE_PREDICATES,
    EXTRA_TYPES,
    LINK_ATTRS,
    NODE_ATTRS,
    AttrSpec,
    check_base,
    node_kind,
    shared_graph_iri,
)
from collab_graph.vocab import CG, DEFAULT_BASE, PREFIXES, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "nquads",
    "ntriples",
    "oxigraph_store",
    "turtle",
    "write_nquads",
    "write_ntriples",
    "write_turtle",
]

_RDF_TYPE = str(RDF.type)
_XSD = str(XSD)
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_BATCH = 4096
_SAFE = "/-_.~"  # as rdf.node_iri
_INVERSE = frozenset({EdgeKind.RAISED})  # written object -> subject, as rdf.iter_quads
_WORKSHOP_KINDS = frozenset(
    {NodeKind.WORKSHOP, NodeKind.QUESTION, NodeKind.PROMPT, NodeKind.GROUP, NodeKind.NOTE}
)
_THEMES = frozenset({NodeKind.PRACTICE, NodeKind.BARRIER, NodeKind.BENEFIT})


class _Writer(Protocol):
    def __call__(self, G: nx.MultiDiGraph, out: TextIO, *, base: str = ...) -> int: ...


def _quote(lexical: str) -> str:
    """A string in double quotes, escaped as rdflib's N-Triples serialiser does."""
    escaped = lexical.replace("\\", "\\\\").replace("\n", "\\n")
    return '"' + escaped.replace('"', '\\"').replace("\r", "\\r") + '"'


def _literal(term: Literal) -> str:
    """A literal as rdflib's N-Triples serialiser writes it (``_quoteLiteral``)."""
    quoted = _quote(str(term))
    if term.language:
        return f"{quoted}@{term.language}"
    if term.datatype:
        return f"{quoted}^^<{term.datatype}>"
    return quoted


def _nt(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return _literal(term)
    raise ExportError(f"cannot write RDF term {term!r}: collab-graph RDF has no blank nodes")


class _Terms:
    """Formats IRIs and literals of one export, remembering the ones that recur."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._iri: dict[str, str] = {}
        self._typed: dict[tuple[type, object], str] = {}

    def node(self, node: str) -> str:
        """``<IRI>`` of a node id, as :func:`collab_graph.rdf.node_iri`."""
        iri = self._iri.get(node)
        if iri is None:
            iri = self._iri[node] = f"<{self.base}{quote(node, safe=_SAFE)}>"
        return iri

    def value(self, value: Any) -> str:
        """A literal as ``rdf`` writes an attribute value (floats as xsd:decimal)."""
        if type(value) is str:
            return _quote(value)
        key = (type(value), value)
        text = self._typed.get(key)
        if text is None:
            if isinstance(value, float) and not isinstance(value, bool):
                term = Literal(Decimal(repr(value)))
            elif isinstance(value, bool | int | str):
                term = Literal(value)
            else:
                raise ExportError(
                    f"attribute value {value!r} is not a plain str, int, float or bool"
                )
            text = self._typed[key] = _literal(term)
        return text

    def objects(self, spec: AttrSpec, value: Any) -> list[str]:
        """The objects of one attribute (as ``rdf._attr_objects``, repeats dropped)."""
        if spec.mode == "one":
            if spec.empty and value == "":
                return []
            return [self.value(value)]
        parts = list(dict.fromkeys(v for v in str(value).split(";") if v))
        if spec.mode == "many":
            return [_quote(v) for v in parts]
        if spec.mode == "ref":
            return [self.node(f"theme/{v}") for v in parts]
        return [self.node(v) for v in parts]


def _rows(G: nx.MultiDiGraph, base: str) -> Iterator[tuple[str, str, str, str]]:
    """(subject, predicate, object, graph) as N-Triples terms: the quads of ``iter_quads``.

    This mirrors :func:`collab_graph.rdf.iter_quads` term for term, with strings
    instead of rdflib objects; ``tests/test_fastpath.py`` keeps the two equal.
    """
    check_base(base)
    t = _Terms(base)
    iri: dict[Node, str] = {}

    def term(x: Node) -> str:
        hit = iri.get(x)
        if hit is None:
            hit = iri[x] = _nt(x)
        return hit

    a = term(RDF.type)
    shared = f"<{shared_graph_iri(base)}>"
    scheme = f"<{base}taxonomy>"
    yield scheme, a, term(SKOS.ConceptScheme), shared
    yield scheme, term(RDFS.label), _quote("collab-graph themes"), shared
    classes = {k: term(c) for k, c in CLASS_OF.items()}
    extras = {k: [term(c) for c in cs] for k, cs in EXTRA_TYPES.items()}
    attrs = {
        k: [(n, spec, term(spec.predicate)) for n, spec in m.items()] for k, m in NODE_ATTRS.items()
    }
    link_attrs = [(n, spec, term(spec.predicate)) for n, spec in LINK_ATTRS.items()]
    used, derived, in_scheme = term(PROV.used), term(PROV.wasDerivedFrom), term(SKOS.inScheme)
    source_doc, entity, label = term(CG.SourceDocument), term(PROV.Entity), term(RDFS.label)
    graph_of: dict[str, str] = {}
    for node in sorted(G.nodes):
        data = G.nodes[node]
        kind = node_kind(node, data)
        s = t.node(node)
        if kind in _WORKSHOP_KINDS:
            slug = data["slug"] if kind is NodeKind.WORKSHOP else data["workshop"]
            g = t.node(f"workshop/{slug}")
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
            doc = t.node(f"{node}/source")
            yield doc, a, source_doc, g
            yield doc, a, entity, g
            yield doc, label, _quote(str(data.get("source", ""))), g
            yield s, used, doc, g
        elif kind is NodeKind.NOTE:
            yield s, derived, t.node(f"workshop/{data['workshop']}/source"), g
        elif kind in _THEMES:
            yield s, in_scheme, scheme, g
    preds = {k: term(p) for k, p in EDGE_PREDICATES.items()}
    primary = term(CG.primaryTheme)
    link_class, link_p, link_b = term(CG.AddressesLink), term(CG.practice), term(CG.barrier)
    for u, v, key, data in sorted(G.edges(keys=True, data=True), key=lambda e: e[:3]):
        ekind = EdgeKind(key)
        pred = preds[ekind]
        su, sv = t.node(u), t.node(v)
        if ekind in _INVERSE:
            yield sv, pred, su, graph_of[v]
            continue
        yield su, pred, sv, graph_of[u]
        if ekind is EdgeKind.ABOUT and data.get("primary"):
            yield su, primary, sv, graph_of[u]
        elif ekind is EdgeKind.ADDRESSES:
            practice, barrier = u.removeprefix("theme/"), v.removeprefix("theme/")
            link = t.node(f"addresses/{practice}/{barrier}")
            yield link, a, link_class, shared
            yield link, link_p, su, shared
            yield link, link_b, sv, shared
            for name, spec, p in link_attrs:
                if name in data:
                    for o in t.objects(spec, data[name]):
                        yield link, p, o, shared


def write_ntriples(G: nx.MultiDiGraph, out: TextIO, *, base: str = DEFAULT_BASE) -> int:
    """Write the graph's triples (the union of all workshops) as N-Triples.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph built by :func:`collab_graph.graph.build_graph`.
    out : text stream
        Where to write (UTF-8 is expected when it is a file).
    base : str
        Base IRI of the data.

    Returns
    -------
    int
        The number of triples written.

    Raises
    ------
    ExportError
        When the base IRI is invalid or a node has an unknown kind.
    """
    return _write_rows(G, out, base, quads=False)


def write_nquads(G: nx.MultiDiGraph, out: TextIO, *, base: str = DEFAULT_BASE) -> int:
    """Write the graph as N-Quads: each workshop in its named graph (as :func:`to_rdf`).

    Returns
    -------
    int
        The number of quads written.
    """
    return _write_rows(G, out, base, quads=True)


def _write_rows(G: nx.MultiDiGraph, out: TextIO, base: str, *, quads: bool) -> int:
    n = 0
    batch: list[str] = []
    with paused_gc():
        for s, p, o, g in _rows(G, base):
            batch.append(f"{s} {p} {o} {g} .\n" if quads else f"{s} {p} {o} .\n")
            if len(batch) >= _BATCH:
                out.write("".join(batch))
                n += len(batch)
                batch.clear()
    out.write("".join(batch))
    return n + len(batch)


def _prefixed(term: str, names: list[tuple[str, str]]) -> str | None:
    """``prefix:local`` for an IRI in one of the namespaces, when the local name is plain."""
    for prefix, ns in names:
        if term.startswith(ns):
            local = term[len(ns) :]
            if _LOCAL.fullmatch(local):
                return f"{prefix}:{local}"
    return None


def write_turtle(G: nx.MultiDiGraph, out: TextIO, *, base: str = DEFAULT_BASE) -> int:
    """Write the graph's triples (the union of all workshops) as Turtle.

    Vocabulary terms use the prefixes of :data:`collab_graph.vocab.PREFIXES`;
    data IRIs are written in full. Consecutive triples about one subject share
    a block (``;``); a subject may head more than one block.

    Returns
    -------
    int
        The number of triples written.
    """
    names = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
    names_nt = [(p, f"<{ns}") for p, ns in names]
    short: dict[str, str] = {}

    def term(t: str) -> str:
        if not t.startswith("<"):
            # A literal; its N-Triples form is valid Turtle. When typed (it ends in
            # ">"), the last "^^<" starts the datatype, as an IRI holds no "<".
            head, sep, dtype = t.rpartition("^^<")
            if t.endswith(">") and sep and dtype.startswith(_XSD):
                local = dtype[len(_XSD) : -1]
                if _LOCAL.fullmatch(local):
                    return f"{head}^^xsd:{local}"
            return t
        hit = short.get(t)
        if hit is None:
            hit = _prefixed(t[:-1], names_nt) or t
            if len(short) < 100_000:
                short[t] = hit
        return hit

    out.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()))
    n = 0
    subject: str | None = None
    batch: list[str] = []
    with paused_gc():
        for s, p, o, _ in _rows(G, base):
            pred = "a" if p == f"<{_RDF_TYPE}>" else term(p)
            if s == subject:
                batch.append(f" ;\n    {pred} {term(o)}")
            else:
                batch.append(" .\n" if subject is not None else "\n")
                batch.append(f"{s}\n    {pred} {term(o)}")
                subject = s
            n += 1
            if len(batch) >= _BATCH:
                out.write("".join(batch))
                batch.clear()
    if subject is not None:
        batch.append(" .\n")
    out.write("".join(batch))
    return n


def _text(write: _Writer, G: nx.MultiDiGraph, base: str) -> bytes:
    buf = io.StringIO()
    write(G, buf, base=base)
    return buf.getvalue().encode("utf-8")


def ntriples(G: nx.MultiDiGraph, *, base: str = DEFAULT_BASE) -> bytes:
    """:func:`write_ntriples` into UTF-8 bytes."""
    return _text(write_ntriples, G, base)


def nquads(G: nx.MultiDiGraph, *, base: str = DEFAULT_BASE) -> bytes:
    """:func:`write_nquads` into UTF-8 bytes."""
    return _text(write_nquads, G, base)


def oxigraph_store(G: nx.MultiDiGraph, *, base: str = DEFAULT_BASE) -> ox.Store:
    """An in-memory pyoxigraph store holding the graph's quads (as :func:`write_nquads`).

    The quads go in as N-Quads text through Oxigraph's bulk loader, which is
    faster than building one Python ``Quad`` object per triple. Query with
    ``use_default_graph_as_union=True`` to see all workshops at once.

    Examples
    --------
    >>> from collab_graph.examples import example_graph
    >>> store = oxigraph_store(example_graph())
    >>> q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/collab-graph/vocab#Note> }"
    >>> next(iter(store.query(q, use_default_graph_as_union=True)))["n"].value
    '11'
    """
    store = ox.Store()
    stream = io.BufferedReader(_QuadStream(G, base), buffer_size=1 << 20)
    with paused_gc():
        store.bulk_load(stream, format=ox.RdfFormat.N_QUADS)
    return store


class _QuadStream(io.RawIOBase):
    """The N-Quads of a graph as a readable byte stream, produced as it is read.

    Lets Oxigraph's loader consume the quads without the whole text in memory.
    """

    def __init__(self, G: nx.MultiDiGraph, base: str) -> None:
        super().__init__()
        self._rows = _rows(G, base)
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        view = memoryview(b)
        while len(self._buf) < len(view):
            chunk = [f"{s} {p} {o} {g} .\n" for s, p, o, g in itertools.islice(self._rows, _BATCH)]
            if not chunk:
                break
            self._buf += "".join(chunk).encode("utf-8")
        n = min(len(view), len(self._buf))
        view[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def turtle(G: nx.MultiDiGraph, *, base: str = DEFAULT_BASE) -> bytes:
    """:func:`write_turtle` into UTF-8 bytes."""
    return _text(write_turtle, G, base)
