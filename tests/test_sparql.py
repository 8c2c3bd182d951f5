"""sparql: read-only enforcement, both engines, and every query in docs/queries.md runs."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from collab_graph.cli import app
from collab_graph.errors import QueryError
from collab_graph.graph.examples import example_graph
from collab_graph.pipeline import Corpus, graph
from collab_graph.rdf.convert import to_rdf
from collab_graph.rdf.sparql import check_read_only, run

DOCS = Path(__file__).resolve().parents[1] / "docs" / "queries.md"
_BLOCK = re.compile(r"<!-- query: ([\w-]+) -->\n```sparql\n(.*?)\n```", re.S)


def _doc_queries() -> dict[str, str]:
    return dict(_BLOCK.findall(DOCS.read_text(encoding="utf-8")))


@cache
def _bundled() -> nx.MultiDiGraph:
    return graph(Corpus(), cache=None)


UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "delete { ?s ?p ?o } insert { ?s ?p 1 } where { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "LOAD SILENT <http://example.org/x> INTO GRAPH <urn:g>",
    "CLEAR ALL",
    "DROP GRAPH <urn:g>",
    "CREATE GRAPH <urn:g>",
    "ADD DEFAULT TO <urn:g>",
    "MOVE <urn:a> TO <urn:b>",
    "COPY DEFAULT TO <urn:g>",
    "PREFIX ex: <urn:ex:>\n# a comment\n  InSeRt DaTa { ex:a ex:b ex:c }",
    "CLEAR DEFAULT ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused(update: str) -> None:
    with pytest.raises(QueryError, match="SPARQL updates are not allowed"):
        check_read_only(update)
    G = example_graph()
    before = G.number_of_edges()
    with pytest.raises(QueryError):
        run(G, update)
    assert G.number_of_edges() == before


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { ?s ?p }", "not a valid SPARQL query: line 1"),
        ("SELECT * WHERE { ?s ?p ?o } ; DROP ALL", "not a valid SPARQL query"),
        ("", "not a valid SPARQL query: it is empty"),
        ("PREFIX ex: <urn:x:>", "not a valid SPARQL query: it is empty"),
    ],
)
def test_other_bad_queries(query: str, match: str) -> None:
    with pytest.raises(QueryError, match=match):
        check_read_only(query)


def test_keywords_inside_strings_and_comments_are_fine() -> None:
    q = 'SELECT ?t WHERE { ?n schema:text ?t FILTER(CONTAINS(?t, "DELETE")) } # DROP ALL'
    assert run(example_graph(), q).kind == "select"


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_select_ask_construct(engine: str) -> None:
    G = example_graph()
    sel = run(G, "SELECT ?t WHERE { ?n a cg:Note ; schema:text ?t } ORDER BY ?t", engine=engine)  # type: ignore[arg-type]
    assert sel.columns == ("t",)
    assert ("Day job – no time",) in sel.rows
    assert len(sel.rows) == 11
    ask = run(G, "ASK { ?p cg:addresses ?b }", engine=engine)  # type: ignore[arg-type]
    assert ask.rows == [("true",)]
    con = run(G, "CONSTRUCT { ?p cg:addresses ?b } WHERE { ?p cg:addresses ?b }", engine=engine)  # type: ignore[arg-type]
    assert con.kind == "graph"
    assert con.columns == ("subject", "predicate", "object")
    assert len(con.rows) == sum(1 for *_, k in G.edges(keys=True) if k == "addresses")


def test_named_graph_per_workshop_is_queryable() -> None:
    rows = run(
        example_graph(),
        "SELECT ?g (COUNT(?n) AS ?c) WHERE { GRAPH ?g { ?n a cg:Note } } GROUP BY ?g ORDER BY ?g",
    ).rows
    assert [c for _, c in rows] == ["8", "3"]


def test_runs_on_rdflib_dataset_too() -> None:
    ds = to_rdf(example_graph())
    assert run(ds, "SELECT (COUNT(?n) AS ?c) WHERE { ?n a cg:Note }").rows == [("11",)]


def test_docs_have_ten_queries() -> None:
    assert len(_doc_queries()) >= 10


@pytest.mark.parametrize("name", sorted(_doc_queries()))
def test_every_documented_query_runs_and_returns_rows(name: str) -> None:
    query = _doc_queries()[name]
    ox = run(_bundled(), query)
    rd = run(_bundled(), query, engine="rdflib")
    assert ox.rows, name
    assert ox.columns == rd.columns
    assert len(ox.rows) == len(rd.rows)


def test_documented_answers() -> None:
    q = _doc_queries()
    G = _bundled()
    kinds = dict(run(G, q["notes-by-kind"]).rows)
    assert sum(int(v or 0) for v in kinds.values()) == 239
    top = run(G, q["practices-for-barrier"]).rows
    assert top[0][0] == "Protected / dedicated time for innovation"
    prov = run(G, q["note-provenance"]).records()[0]
    assert prov["text"] == "Day job – no time"
    assert prov["source"] == "collaborative-innovation-workshop.txt"
    assert run(G, q["notes-per-workshop"]).rows == [("Collaborative Innovation Workshop", "239")]


runner = CliRunner()


def test_cli_sparql_formats_and_refusal() -> None:
    res = runner.invoke(
        app, ["sparql", "SELECT (COUNT(?n) AS ?c) WHERE { ?n a cg:Note }", "--format", "csv"]
    )
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == ["c", "239"]
    res = runner.invoke(app, ["sparql", "DROP ALL"])
    assert res.exit_code == 2
    assert "SPARQL updates are not allowed" in res.stderr
    assert "Traceback" not in res.output
