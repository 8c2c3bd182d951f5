"""rdf: round trip, named graphs, IRIs, determinism, SHACL, vocabulary."""

from __future__ import annotations

from functools import cache

import networkx as nx
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from collab_graph.errors import ExportError
from collab_graph.graph.examples import example_graph
from collab_graph.pipeline import Corpus, graph
from collab_graph.rdf.convert import from_rdf, to_graph, to_rdf, validate
from collab_graph.rdf.vocab import CG, CG_NS, RDF, RDFS
from collab_graph.resources import data_path


@cache
def _bundled() -> nx.MultiDiGraph:
    return graph(Corpus(), cache=None)


def _same(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    assert sorted(H.nodes(data=True)) == sorted(G.nodes(data=True))
    assert sorted(H.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))


@pytest.mark.parametrize(
    "base", ["https://example.org/collab-graph/", "urn:cg:data/", "http://x.test/kg#"]
)
def test_round_trip_is_exact_and_isomorphic(base: str) -> None:
    G = _bundled()
    ds = to_rdf(G, base=base)
    H = from_rdf(ds)
    _same(G, H)
    assert isomorphic(to_graph(H, base=base), to_graph(G, base=base))


def test_each_workshop_is_a_named_graph() -> None:
    ds = to_rdf(example_graph())
    names = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    assert set(names) == {
        "https://example.org/collab-graph/workshop/alpha",
        "https://example.org/collab-graph/workshop/beta",
        "https://example.org/collab-graph/graph/shared",
    }
    alpha = ds.graph(URIRef("https://example.org/collab-graph/workshop/alpha"))
    texts = {str(o) for o in alpha.objects(None, URIRef("https://schema.org/text"))}
    assert "Day job – no time" in texts
    assert "Getting out of firefight" not in texts


def test_output_is_deterministic() -> None:
    a = sorted(to_graph(example_graph()).serialize(format="nt").splitlines())
    b = sorted(to_graph(example_graph()).serialize(format="nt").splitlines())
    assert a == b
    assert not any("_:" in line for line in a)


def test_odd_ids_become_valid_iris() -> None:
    G = example_graph()
    nx.relabel_nodes(
        G, {"workshop/alpha/note/G1-Q1-A-1": "workshop/alpha/note/odd id “x”#1"}, copy=False
    )
    g = to_graph(G)
    data = g.serialize(format="nt")
    back = Graph().parse(data=data, format="nt")
    assert len(back) == len(g)
    _same(G, from_rdf(back))


def test_bad_base_is_refused() -> None:
    with pytest.raises(ExportError, match="base IRI"):
        to_rdf(example_graph(), base="no scheme/")


def test_bundled_export_conforms_to_shapes() -> None:
    report = validate(to_rdf(_bundled()))
    assert report.conforms, report.messages[:5]


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda G: G.nodes["workshop/alpha/note/G1-Q1-A-1"].pop("text"), "schema:text"),
        (lambda G: G.nodes["workshop/alpha/note/G1-Q1-A-1"].__setitem__("text", ""), "not empty"),
        (
            lambda G: G.nodes["workshop/alpha/note/G1-Q1-A-1"].__setitem__("text", " \t "),
            "not empty",
        ),
        (
            lambda G: G.nodes["workshop/alpha/note/G1-Q1-A-1"].__setitem__("note_kind", "opinion"),
            "cg:noteKind",
        ),
        (
            lambda G: G.remove_edge("workshop/alpha/G1", "workshop/alpha/note/G1-Q1-A-1", "raised"),
            "prov:wasAttributedTo",
        ),
        (
            lambda G: G.add_edge(
                "theme/b_trust",
                "theme/p_idea_platforms",
                key="addresses",
                kind="addresses",
                score=0.5,
                level=1,
                curated=False,
            ),
            "cg:barrier",
        ),
    ],
)
def test_shapes_catch_broken_exports(breakage: object, expected: str) -> None:
    G = example_graph()
    breakage(G)  # type: ignore[operator]
    report = validate(to_graph(G))
    assert not report.conforms
    assert any(expected in m for m in report.messages), report.messages


def test_ontology_documents_every_vocabulary_term() -> None:
    onto = Graph().parse(data_path("ontology.ttl"), format="turtle")
    declared = {str(s) for s in onto.subjects(RDF.type, None) if str(s).startswith(CG_NS)}
    terms = {str(getattr(CG, name)) for name in CG.__annotations__}
    assert terms == declared
    for term in terms:
        assert onto.value(URIRef(term), RDFS.label) is not None, term
        assert onto.value(URIRef(term), RDFS.comment) is not None, term
    with pytest.raises(AttributeError):
        CG.Practise  # noqa: B018
