"""N-Triples, N-Quads and Turtle written straight from the graph, without rdflib's store.

:func:`collab_graph.rdf.convert.to_graph` builds an :class:`rdflib.Graph` (an indexed
store of Python term objects) and rdflib then serialises it. For a large graph
most of that time and memory goes into the store, which an export does not
need. This module walks the graph with the same code as
:func:`collab_graph.rdf.convert.iter_quads` (:func:`collab_graph.rdf.convert.walk_quads`, the one
definition of the RDF form), spelling each term as N-Triples text instead of an
rdflib object and formatting each term once, and streams the quads out, so

* :func:`write_ntriples` writes exactly the lines rdflib's ``nt`` serialiser
  writes for ``to_graph(G)`` (same terms, same escaping, no duplicates), in
  a deterministic order (``iter_quads`` order: nodes, then edges, sorted);
* :func:`write_nquads` writes the quads of ``to_rdf(G)`` (one named graph per
  workshop);
* :func:`write_turtle` writes Turtle with the project prefixes, one block per
  run of triples about one subject; parsed back it is isomorphic to ``to_graph(G)``.

``tests/test_fastpath.py`` checks all three against rdflib on the bundled
workshop and a synthetic corpus. rdflib stays the API users see: use
:func:`collab_graph.rdf.convert.to_rdf` to work with the RDF in Python.

Examples
--------
>>> import io
>>> from collab_graph.graph.examples import example_graph
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

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from collab_graph.bulk import paused_gc
from collab_graph.errors import ExportError
from collab_graph.graph.schema import KnowledgeGraph, split_list, theme_node
from collab_graph.rdf.convert import AttrSpec, walk_quads
from collab_graph.rdf.vocab import DEFAULT_BASE, PREFIXES, RDF, XSD

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


class _Writer(Protocol):
    def __call__(self, G: KnowledgeGraph, out: TextIO, *, base: str = ...) -> int: ...


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

    def vocab(self, term: URIRef) -> str:
        """``<IRI>`` of a vocabulary term."""
        return _nt(term)

    def text(self, value: str) -> str:
        """A plain string literal."""
        return _quote(value)

    def node(self, node: str) -> str:
        """``<IRI>`` of a node id, as :func:`collab_graph.rdf.convert.node_iri`."""
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
        parts = list(dict.fromkeys(split_list(value)))
        if spec.mode == "many":
            return [_quote(v) for v in parts]
        if spec.mode == "ref":
            return [self.node(theme_node(v)) for v in parts]
        return [self.node(v) for v in parts]


def _rows(G: KnowledgeGraph, base: str) -> Iterator[tuple[str, str, str, str]]:
    """(subject, predicate, object, graph) as N-Triples terms: the quads of ``iter_quads``.

    The same walk as :func:`collab_graph.rdf.convert.iter_quads`
    (:func:`~collab_graph.rdf.convert.walk_quads`), spelt as strings instead of rdflib
    objects.
    """
    return walk_quads(G, base, _Terms(base))


def write_ntriples(G: KnowledgeGraph, out: TextIO, *, base: str = DEFAULT_BASE) -> int:
    """Write the graph's triples (the union of all workshops) as N-Triples.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph built by :func:`collab_graph.graph.build.build_graph`.
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


def write_nquads(G: KnowledgeGraph, out: TextIO, *, base: str = DEFAULT_BASE) -> int:
    """Write the graph as N-Quads: each workshop in its named graph (as :func:`to_rdf`).

    Returns
    -------
    int
        The number of quads written.
    """
    return _write_rows(G, out, base, quads=True)


def _write_rows(G: KnowledgeGraph, out: TextIO, base: str, *, quads: bool) -> int:
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


def write_turtle(G: KnowledgeGraph, out: TextIO, *, base: str = DEFAULT_BASE) -> int:
    """Write the graph's triples (the union of all workshops) as Turtle.

    Vocabulary terms use the prefixes of :data:`collab_graph.rdf.vocab.PREFIXES`;
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


def _text(write: _Writer, G: KnowledgeGraph, base: str) -> bytes:
    buf = io.StringIO()
    write(G, buf, base=base)
    return buf.getvalue().encode("utf-8")


def ntriples(G: KnowledgeGraph, *, base: str = DEFAULT_BASE) -> bytes:
    """:func:`write_ntriples` into UTF-8 bytes."""
    return _text(write_ntriples, G, base)


def nquads(G: KnowledgeGraph, *, base: str = DEFAULT_BASE) -> bytes:
    """:func:`write_nquads` into UTF-8 bytes."""
    return _text(write_nquads, G, base)


def oxigraph_store(G: KnowledgeGraph, *, base: str = DEFAULT_BASE) -> ox.Store:
    """An in-memory pyoxigraph store holding the graph's quads (as :func:`write_nquads`).

    The quads go in as N-Quads text through Oxigraph's bulk loader, which is
    faster than building one Python ``Quad`` object per triple. Query with
    ``use_default_graph_as_union=True`` to see all workshops at once.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
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

    def __init__(self, G: KnowledgeGraph, base: str) -> None:
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


def turtle(G: KnowledgeGraph, *, base: str = DEFAULT_BASE) -> bytes:
    """:func:`write_turtle` into UTF-8 bytes."""
    return _text(write_turtle, G, base)
