"""Export formats as a registry: a dict from format name to writer.

Like rdflib's plugin registry, :data:`FORMATS` keys every writer by name and
:func:`get_format` raises one clear :class:`~collab_graph.errors.ExportError`
listing the valid names when a name is unknown.

* RDF: ``turtle``, ``json-ld``, ``nt``, ``xml`` (the union of all workshops'
  triples) and ``trig``, ``nquads`` (one named graph per workshop). ``nt``,
  ``nquads`` and ``turtle`` are written straight from the graph by
  :mod:`collab_graph.rdf.fast` (the same triples as rdflib writes, without
  building an rdflib graph: about ten times faster at scale); the others go
  through :mod:`collab_graph.rdf.convert` and rdflib's serialisers.
* Graph formats: ``graphml`` and ``gexf`` (networkx writers; every attribute is
  already a plain scalar) and ``csv`` (one row per node and per edge).
* ``html``: the offline interactive view of :func:`collab_graph.views.network.render`,
  imported only when asked for, so the other formats do not load pyvis.

Every writer returns bytes (UTF-8 for the text formats). Outputs are safe to open:

* the XML formats (``xml``, ``graphml``, ``gexf``) replace the characters XML
  1.0 forbids with U+FFFD (:mod:`collab_graph.views.xmlsafe`), say so through
  ``on_warning``, and are parsed before they are returned, so an ill-formed
  file is an :class:`~collab_graph.errors.ExportError`, never a success;
* the ``csv`` format neutralises cells a spreadsheet would run as formulas
  (:func:`collab_graph.csvfiles.csv_safe`) unless ``csv_safe=False``.

Examples
--------
>>> from collab_graph.graph.examples import example_graph
>>> data = export(example_graph(), "nt")
>>> data.count(b"\\n") > 100
True
>>> try:  # doctest: +ELLIPSIS
...     export(example_graph(), "yaml")
... except ExportError as err:
...     print(err)
unknown export format 'yaml'; use one of: csv, gexf, graphml, html, json-ld, nquads, nt, qdc, ...
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from collab_graph.csvfiles import csv_text
from collab_graph.errors import ExportError
from collab_graph.graph.schema import EdgeAttr, GraphAttr, KnowledgeGraph, NodeAttr
from collab_graph.rdf.convert import ShaclReport, to_graph, to_rdf, validate
from collab_graph.rdf.vocab import DEFAULT_BASE
from collab_graph.views.xmlsafe import check_well_formed, xml_safe_graph

__all__ = [
    "CSV_FIELDS",
    "EXCHANGE_FORMATS",
    "FORMATS",
    "ExportFormat",
    "ExportOptions",
    "check_conforms",
    "export",
    "get_format",
    "write",
]


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What a writer is told: the base IRI, and whether CSV cells are made formula-safe."""

    base: str = DEFAULT_BASE
    csv_safe: bool = True


Writer = Callable[[KnowledgeGraph, ExportOptions], bytes]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One export format: its name, file suffix, media type and writer.

    ``xml`` marks the formats that are XML documents: their graph is made
    XML-safe first and their bytes are checked to be well-formed.
    """

    name: str
    suffix: str
    media_type: str
    rdf: bool
    writer: Writer
    xml: bool = False


def _rdf_writer(fmt: str, *, dataset: bool = False) -> Writer:
    def write(G: KnowledgeGraph, opts: ExportOptions) -> bytes:
        g = to_rdf(G, base=opts.base) if dataset else to_graph(G, base=opts.base)
        return g.serialize(format=fmt, encoding="utf-8")

    return write


def _fast_writer(fmt: str) -> Writer:
    # N-Triples, N-Quads and Turtle are written straight from the graph: the same
    # triples as rdflib's serializers (tests/test_fastpath.py: line for line for
    # N-Triples and N-Quads, isomorphic for Turtle), without building an rdflib
    # graph, which is most of the cost at scale (docs/benchmarks.md).
    def write(G: KnowledgeGraph, opts: ExportOptions) -> bytes:
        from collab_graph.rdf import fast as fastrdf

        writers = {"nt": fastrdf.ntriples, "nquads": fastrdf.nquads, "turtle": fastrdf.turtle}
        return writers[fmt](G, base=opts.base)

    return write


def _graphml(G: KnowledgeGraph, opts: ExportOptions) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(G, buf, encoding="utf-8", named_key_ids=True)
    return buf.getvalue()


def _gexf(G: KnowledgeGraph, opts: ExportOptions) -> bytes:
    buf = io.BytesIO()
    nx.write_gexf(G, buf, encoding="utf-8")
    return buf.getvalue()


CSV_FIELDS = (
    "record", "id", NodeAttr.KIND, NodeAttr.LABEL, "source", "target", NodeAttr.WORKSHOP,
    NodeAttr.GROUP, NodeAttr.QUESTION, NodeAttr.PROMPT, NodeAttr.LINE, NodeAttr.TEXT, "attributes",
)  # fmt: skip
"""Columns of the ``csv`` export; ``attributes`` holds the remaining attributes as JSON.

A node row fills the columns named after node attributes from the node; an
edge row fills ``kind``, ``source`` and ``target``."""


def _csv(G: KnowledgeGraph, opts: ExportOptions) -> bytes:
    main = set(CSV_FIELDS)

    def rows() -> Iterator[list[object]]:
        for n in sorted(G.nodes):
            d = G.nodes[n]
            extra = {k: v for k, v in sorted(d.items()) if k not in main}
            cells = {**d, "record": "node", "id": n,
                     "attributes": json.dumps(extra, ensure_ascii=False)}  # fmt: skip
            yield [cells.get(f) for f in CSV_FIELDS]
        for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: e[:3]):
            extra = {a: x for a, x in sorted(d.items()) if a != EdgeAttr.KIND}
            cells = {"record": "edge", "id": f"{u}|{k}|{v}", "kind": k, "source": u, "target": v,
                     "attributes": json.dumps(extra, ensure_ascii=False)}  # fmt: skip
            yield [cells.get(f) for f in CSV_FIELDS]

    return csv_text(CSV_FIELDS, rows(), safe=opts.csv_safe).encode("utf-8")


def _html(G: KnowledgeGraph, opts: ExportOptions) -> bytes:
    # Imported here: the view is the only module that imports pyvis, and the other
    # formats must not pay for it.
    from collab_graph.views.network import render

    return render(G, title=str(G.graph.get(GraphAttr.NAME, "collab-graph"))).html.encode("utf-8")


FORMATS: Mapping[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("turtle", ".ttl", "text/turtle", True, _fast_writer("turtle")),
        ExportFormat("json-ld", ".jsonld", "application/ld+json", True, _rdf_writer("json-ld")),
        ExportFormat("nt", ".nt", "application/n-triples", True, _fast_writer("nt")),
        ExportFormat("xml", ".rdf", "application/rdf+xml", True, _rdf_writer("xml"), xml=True),
        ExportFormat("trig", ".trig", "application/trig", True, _rdf_writer("trig", dataset=True)),
        ExportFormat("nquads", ".nq", "application/n-quads", True, _fast_writer("nquads")),
        ExportFormat("graphml", ".graphml", "application/graphml+xml", False, _graphml, xml=True),
        ExportFormat("gexf", ".gexf", "application/gexf+xml", False, _gexf, xml=True),
        ExportFormat("csv", ".csv", "text/csv", False, _csv),
        ExportFormat("html", ".html", "text/html", False, _html),
    )
}
"""Every export format by name."""

EXCHANGE_FORMATS: tuple[str, ...] = ("qdc", "qdpx")
"""REFI-QDA codebook and project: :mod:`collab_graph.views.refiqda` writes them from the
taxonomy and the notes' sources, not from the graph, so they are not in :data:`FORMATS`."""


def get_format(name: str) -> ExportFormat:
    """The export format called ``name``.

    Raises
    ------
    ExportError
        When there is no such format; the message lists the valid names.

    Examples
    --------
    >>> get_format("turtle").suffix
    '.ttl'
    """
    try:
        return FORMATS[name]
    except KeyError as exc:
        names = sorted({*FORMATS, *EXCHANGE_FORMATS})
        message = f"unknown export format {name!r}; use one of: {', '.join(names)}"
        raise ExportError(message) from exc


def export(
    G: KnowledgeGraph,
    fmt: str,
    *,
    base: str = DEFAULT_BASE,
    csv_safe: bool = True,
    on_warning: Callable[[str], None] | None = None,
) -> bytes:
    """The graph in format ``fmt``, as bytes.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    fmt : str
        A name in :data:`FORMATS`.
    base : str
        Base IRI of the RDF formats.
    csv_safe : bool
        ``csv``: prefix ``'`` to cells a spreadsheet would run as formulas
        (OWASP); ``False`` writes them raw.
    on_warning : callable, optional
        Told, in one line, when an XML format had to replace characters that
        XML 1.0 forbids (with U+FFFD), how many and in which notes.

    Raises
    ------
    ExportError
        Unknown format, invalid base IRI, a writer that failed, or XML that
        would not be well-formed.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> G = example_graph()
    >>> note = next(n for n, d in G.nodes(data=True) if d["kind"] == "note")
    >>> G.nodes[note]["text"] = "=1+1\x0c"
    >>> b"'=1+1" in export(G, "csv"), b"'=1+1" in export(G, "csv", csv_safe=False)
    (True, False)
    >>> data = export(G, "gexf", on_warning=print)  # doctest: +ELLIPSIS
    gexf export: replaced 1 character that XML 1.0 forbids (U+000C) with U+FFFD in 1 note (...)
    """
    spec = get_format(fmt)
    opts = ExportOptions(base=base, csv_safe=csv_safe)
    try:
        if not spec.xml:
            return spec.writer(G, opts)
        H, report = xml_safe_graph(G)
        if report and on_warning is not None:
            on_warning(report.message(f"{fmt} export"))
        data = spec.writer(H, opts)
    except ExportError:
        raise
    except (ValueError, TypeError, nx.NetworkXError) as exc:
        raise ExportError(f"{fmt} export failed: {exc}") from exc
    check_well_formed(data, fmt)
    return data


def write(
    G: KnowledgeGraph,
    fmt: str,
    path: Path,
    *,
    base: str = DEFAULT_BASE,
    csv_safe: bool = True,
    on_warning: Callable[[str], None] | None = None,
) -> Path:
    """Write the graph in format ``fmt`` to ``path`` (creating its folder).

    The options are those of :func:`export`; nothing is written when it fails.

    Raises
    ------
    ExportError
        As :func:`export`, or when the file cannot be written.
    """
    data = export(G, fmt, base=base, csv_safe=csv_safe, on_warning=on_warning)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the export: {exc}", path=str(path)) from exc
    return path


def check_conforms(G: KnowledgeGraph, *, base: str = DEFAULT_BASE) -> ShaclReport:
    """Validate the graph's RDF against ``data/shapes.ttl``.

    Returns
    -------
    ShaclReport
        When it conforms.

    Raises
    ------
    ExportError
        When it does not; the message counts the violations and shows the first.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> check_conforms(example_graph()).conforms
    True
    """
    report = validate(to_graph(G, base=base))
    if not report.conforms:
        first = report.messages[0] if report.messages else "see the SHACL report"
        raise ExportError(
            f"the export does not conform to data/shapes.ttl: {report.violations} "
            f"violation(s); first: {first}"
        )
    return report
