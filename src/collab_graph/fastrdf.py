"""N-Triples, N-Quads and Turtle written straight from the graph, without rdflib's store.

:func:`collab_graph.rdf.to_graph` builds an :class:`rdflib.Graph` (an indexed
store of Python term objects) and rdflib then serialises it. For a large graph
most of that time and memory goes into the store, which an export does not
need. This module formats the quads of :func:`collab_graph.rdf.iter_quads` (the
one definition of the RDF form) directly as text and streams it out, so

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
import re
from collections.abc import Iterator
from typing import Protocol, TextIO

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.term import Node

from collab_graph.errors import ExportError
from collab_graph.rdf import iter_quads
from collab_graph.vocab import DEFAULT_BASE, PREFIXES, RDF, XSD

__all__ = ["nquads", "ntriples", "turtle", "write_nquads", "write_ntriples", "write_turtle"]

_RDF_TYPE = str(RDF.type)
_XSD = str(XSD)
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_BATCH = 4096


class _Writer(Protocol):
    def __call__(self, G: nx.MultiDiGraph, out: TextIO, *, base: str = ...) -> int: ...


def _literal(term: Literal) -> str:
    """A literal as rdflib's N-Triples serialiser writes it (``_quoteLiteral``)."""
    lexical = str(term)
    escaped = lexical.replace("\\", "\\\\").replace("\n", "\\n")
    quoted = '"' + escaped.replace('"', '\\"').replace("\r", "\\r") + '"'
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


def _rows(G: nx.MultiDiGraph, base: str) -> Iterator[tuple[str, str, str, str]]:
    """(subject, predicate, object, graph) as N-Triples terms, without repeats per subject."""
    subject = ""
    seen: set[tuple[str, str, str]] = set()
    for s, p, o, g in iter_quads(G, base):
        ss = f"<{s}>"
        if ss != subject:
            subject, seen = ss, set()
        row = (f"<{p}>", _nt(o), f"<{g}>")
        if row in seen:  # a repeated value of a multi-valued attribute
            continue
        seen.add(row)
        yield ss, row[0], row[1], row[2]


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
    n = 0
    batch: list[str] = []
    for s, p, o, _ in _rows(G, base):
        batch.append(f"{s} {p} {o} .\n")
        if len(batch) >= _BATCH:
            out.write("".join(batch))
            n += len(batch)
            batch.clear()
    out.write("".join(batch))
    return n + len(batch)


def write_nquads(G: nx.MultiDiGraph, out: TextIO, *, base: str = DEFAULT_BASE) -> int:
    """Write the graph as N-Quads: each workshop in its named graph (as :func:`to_rdf`).

    Returns
    -------
    int
        The number of quads written.
    """
    n = 0
    batch: list[str] = []
    for s, p, o, g in _rows(G, base):
        batch.append(f"{s} {p} {o} {g} .\n")
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


def turtle(G: nx.MultiDiGraph, *, base: str = DEFAULT_BASE) -> bytes:
    """:func:`write_turtle` into UTF-8 bytes."""
    return _text(write_turtle, G, base)
