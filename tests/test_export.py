"""export: every format parses back; all 239 notes with exact text and line; errors."""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from collab_graph.errors import ExportError
from collab_graph.graph.examples import example_graph
from collab_graph.ingest import load
from collab_graph.pipeline import Corpus, graph
from collab_graph.rdf.convert import from_rdf, to_graph, validate
from collab_graph.rdf.vocab import CG, DCTERMS, RDF, SDO
from collab_graph.views.export import FORMATS, check_conforms, export, get_format, write

RDF_FORMATS = ["turtle", "json-ld", "nt", "xml", "trig", "nquads"]
QUAD_FORMATS = {"trig", "nquads"}


@cache
def _bundled() -> nx.MultiDiGraph:
    return graph(Corpus(), cache=None)


@cache
def _parsed_notes() -> dict[str, tuple[str, int]]:
    return {n.id: (n.text, n.line) for r in load([]) for n in r.notes}


def _parse_rdf(fmt: str, data: bytes) -> Graph:
    if fmt in QUAD_FORMATS:
        ds = Dataset()
        ds.parse(data=data, format=fmt)
        flat = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            flat.add((s, p, o))
        return flat
    return Graph().parse(data=data, format=fmt)


def test_registry_covers_the_contract_formats() -> None:
    assert {"turtle", "json-ld", "nt", "xml", "trig", "graphml", "gexf", "csv", "html"} <= set(
        FORMATS
    )


def test_unknown_format_lists_valid_names() -> None:
    with pytest.raises(ExportError, match="unknown export format 'yaml'; use one of: csv, gexf"):
        get_format("yaml")


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_rdf_formats_parse_back_with_all_239_notes_and_conform(fmt: str) -> None:
    G = _bundled()
    g = _parse_rdf(fmt, export(G, fmt))
    assert isomorphic(g, to_graph(G))
    notes = {str(g.value(n, DCTERMS.identifier)): n for n in g.subjects(RDF.type, CG.Note)}
    expected = _parsed_notes()
    assert len(notes) == 239
    for nid, node in notes.items():
        text, line = expected[nid]
        assert str(g.value(node, SDO.text)) == text
        assert g.value(node, CG.sourceLine).toPython() == line
    assert validate(g).conforms
    H = from_rdf(g)
    assert sorted(H.nodes(data=True)) == sorted(G.nodes(data=True))


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_formats_parse_back_with_networkx(fmt: str) -> None:
    G = _bundled()
    data = io.BytesIO(export(G, fmt))
    H = nx.read_graphml(data, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(data)
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    notes = {d["note_id"]: d for _, d in H.nodes(data=True) if d.get("kind") == "note"}
    assert len(notes) == 239
    for nid, (text, line) in _parsed_notes().items():
        assert notes[nid]["text"] == text
        assert int(notes[nid]["line"]) == line


def test_csv_has_a_row_per_node_and_edge() -> None:
    G = _bundled()
    rows = list(csv.DictReader(io.StringIO(export(G, "csv").decode("utf-8"))))
    nodes = [r for r in rows if r["record"] == "node"]
    edges = [r for r in rows if r["record"] == "edge"]
    assert (len(nodes), len(edges)) == (G.number_of_nodes(), G.number_of_edges())
    notes = {r["label"]: r for r in nodes if r["kind"] == "note"}
    for nid, (text, line) in _parsed_notes().items():
        assert (notes[nid]["text"], int(notes[nid]["line"])) == (text, line)
    link = next(r for r in edges if r["kind"] == "addresses")
    assert "score" in json.loads(link["attributes"])


def test_html_export_is_a_page() -> None:
    page = export(example_graph(), "html").decode("utf-8")
    assert page.lstrip().lower().startswith(("<!doctype html", "<html"))


def test_write_creates_folders(tmp_path: Path) -> None:
    out = write(example_graph(), "turtle", tmp_path / "a" / "b.ttl")
    assert Graph().parse(out, format="turtle")


def test_check_conforms_raises_on_broken_graph() -> None:
    G = example_graph()
    check_conforms(G)
    del G.nodes["workshop/alpha/note/G1-Q1-A-1"]["line"]
    with pytest.raises(ExportError, match=r"does not conform.*1 violation.*sourceLine"):
        check_conforms(G)


def test_cli_export(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from collab_graph.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["export", "--format", "nt"])
    assert res.exit_code == 0, res.output
    assert len(Graph().parse(data=res.stdout, format="nt")) > 1000
    out = tmp_path / "g.trig"
    res = runner.invoke(app, ["export", "--format", "trig", "-o", str(out), "--validate"])
    assert res.exit_code == 0, res.output
    assert "conforms" in res.stderr
    assert out.stat().st_size > 0
    res = runner.invoke(app, ["export", "--format", "yaml"])
    assert res.exit_code == 2
    assert "use one of" in res.stderr


def test_turtle_is_written_without_building_an_rdflib_graph(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``export --format turtle`` takes the fast writer, not rdflib (about 60 s at 100k notes)."""
    from collab_graph.views import export as exp

    def no_rdflib(*args: object, **kwargs: object) -> None:
        raise AssertionError("turtle export built an rdflib graph")

    G = example_graph()
    expected = to_graph(G)
    monkeypatch.setattr(exp, "to_graph", no_rdflib)
    monkeypatch.setattr(exp, "to_rdf", no_rdflib)
    assert isomorphic(Graph().parse(data=export(G, "turtle"), format="turtle"), expected)


@pytest.mark.parametrize("fmt", ["turtle", "json-ld", "xml"])
def test_rdflib_serialisers_still_agree_with_the_export(fmt: str) -> None:
    """The rdflib path (to_graph + rdflib's serialiser) gives the same triples as the export."""
    G = _bundled()
    rdflib_data = to_graph(G).serialize(format=fmt, encoding="utf-8")
    assert isomorphic(Graph().parse(data=rdflib_data, format=fmt), _parse_rdf(fmt, export(G, fmt)))
