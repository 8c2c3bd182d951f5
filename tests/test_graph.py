"""graph.build_graph: schema, scalar attributes, several workshops, the bundled workshop."""

from __future__ import annotations

from functools import cache

import networkx as nx
import pytest

from collab_graph.errors import DataFileError
from collab_graph.graph.build import build_graph
from collab_graph.graph.examples import (
    example_coded_notes,
    example_graph,
    example_themes,
    example_workshops,
)
from collab_graph.graph.links import CuratedLink
from collab_graph.graph.query import nodes_of_kind
from collab_graph.graph.schema import note_node, theme_node
from collab_graph.ingest import load
from collab_graph.model import EdgeKind, NodeKind
from collab_graph.pipeline import Corpus, graph


@cache
def _bundled() -> nx.MultiDiGraph:
    return graph(Corpus(), cache=None)


@pytest.fixture
def bundled() -> nx.MultiDiGraph:
    return _bundled().copy()


def test_every_node_and_edge_has_a_known_kind_and_scalar_attributes(
    bundled: nx.MultiDiGraph,
) -> None:
    kinds = {str(k) for k in NodeKind}
    for n, d in bundled.nodes(data=True):
        assert d["kind"] in kinds, n
        assert "label" in d, n
        for k, v in d.items():
            assert isinstance(v, str | int | float | bool), (n, k, v)
    for u, v, key, d in bundled.edges(keys=True, data=True):
        assert key == d["kind"], (u, v, key)
        assert key in {str(k) for k in EdgeKind}, (u, v, key)
        assert all(isinstance(x, str | int | float | bool) for x in d.values()), (u, v, key)


def test_bundled_workshop_has_all_239_notes_with_text_and_line(bundled: nx.MultiDiGraph) -> None:
    notes = nodes_of_kind(bundled, NodeKind.NOTE)
    assert len(notes) == 239
    parsed = {n.id: n for r in load([]) for n in r.notes}
    for node in notes:
        d = bundled.nodes[node]
        assert d["text"] == parsed[d["note_id"]].text
        assert d["line"] == parsed[d["note_id"]].line
    day_job = bundled.nodes[note_node("collaborative-innovation-workshop", "G3-Q1-D-6")]
    assert (day_job["text"], day_job["group"], day_job["prompt"]) == ("Day job – no time", 3, "D")


def test_edge_kinds_connect_the_right_node_kinds(bundled: nx.MultiDiGraph) -> None:
    allowed = {
        "part_of": {("group", "workshop"), ("question", "workshop"), ("prompt", "question")},
        "raised": {("group", "note")},
        "in": {("note", "question"), ("note", "prompt")},
        "child_of": {("note", "note")},
        "about": {("note", "practice"), ("note", "barrier"), ("note", "benefit")},
        "mentions": {("note", "organisation"), ("note", "tool")},
        "addresses": {("practice", "barrier")},
    }
    seen = set()
    for u, v, k in bundled.edges(keys=True):
        pair = (bundled.nodes[u]["kind"], bundled.nodes[v]["kind"])
        assert pair in allowed[k], (u, v, k)
        seen.add(k)
    assert seen >= {"part_of", "raised", "in", "about", "mentions", "addresses"}


def test_every_note_is_raised_by_exactly_one_group(bundled: nx.MultiDiGraph) -> None:
    for n in nodes_of_kind(bundled, NodeKind.NOTE):
        groups = [u for u, _, k in bundled.in_edges(n, keys=True) if k == "raised"]
        assert len(groups) == 1, n


def test_questions_keep_full_text_and_prompts_their_topic(bundled: nx.MultiDiGraph) -> None:
    q2 = bundled.nodes["workshop/collaborative-innovation-workshop/Q2"]
    assert q2["text"].startswith("QUESTION 2") or "What has worked" in q2["text"]
    topics = [bundled.nodes[p].get("topic", "") for p in nodes_of_kind(bundled, NodeKind.PROMPT)]
    assert any("resourced" in t for t in topics)


def test_exactly_one_primary_theme_per_coded_note(bundled: nx.MultiDiGraph) -> None:
    for n in nodes_of_kind(bundled, NodeKind.NOTE):
        about = [d for _, _, k, d in bundled.out_edges(n, keys=True, data=True) if k == "about"]
        if about:
            assert sum(d["primary"] for d in about) == 1, n


def test_two_workshops_share_themes_and_orgs_but_keep_notes_apart() -> None:
    G = example_graph()
    assert len(nodes_of_kind(G, NodeKind.WORKSHOP)) == 2
    # the same organisation node is mentioned from both workshops
    nhs_from = {G.nodes[u]["workshop"] for u, _, k in G.in_edges("org/nhs", keys=True)}
    assert nhs_from == {"alpha", "beta"}
    time_from = {
        G.nodes[u]["workshop"]
        for u, _, k in G.in_edges(theme_node("b_time_capacity"), keys=True)
        if k == "about"
    }
    assert time_from == {"alpha", "beta"}
    # group 1 of each workshop is its own node, raising only its own notes
    for slug in ("alpha", "beta"):
        g1 = f"workshop/{slug}/G1"
        assert G.nodes[g1]["workshop"] == slug
        raised = [v for _, v, k in G.out_edges(g1, keys=True) if k == "raised"]
        assert raised
        assert {G.nodes[v]["workshop"] for v in raised} == {slug}
        assert G.has_edge(g1, f"workshop/{slug}", "part_of")


def test_same_note_id_in_two_workshops_gives_two_nodes() -> None:
    coded = example_coded_notes()
    from dataclasses import replace

    twin = replace(coded[0], note=replace(coded[0].note, workshop="beta"))
    G = build_graph([*coded, twin], example_workshops())
    assert note_node("alpha", "G1-Q1-A-1") in G
    assert note_node("beta", "G1-Q1-A-1") in G


def test_duplicate_note_in_one_workshop_is_an_error() -> None:
    coded = example_coded_notes()
    with pytest.raises(DataFileError, match="duplicate note id"):
        build_graph([*coded, coded[0]], example_workshops())


def test_unused_taxonomy_themes_are_nodes() -> None:
    G = build_graph(example_coded_notes(), themes=example_themes().values())
    assert theme_node("b_trust") in G
    assert G.in_degree(theme_node("b_trust")) == 0


@pytest.mark.parametrize(
    ("practice", "barrier", "match"),
    [
        ("p_nope", "b_time_capacity", "unknown theme 'p_nope'"),
        ("b_trust", "b_time_capacity", "is a barrier, not a practice"),
        ("p_protected_time", "n_efficiency_savings", "is a benefit, not a barrier"),
    ],
)
def test_curated_links_must_join_a_practice_to_a_barrier(
    practice: str, barrier: str, match: str
) -> None:
    bad = [CuratedLink(practice, barrier, "strong", "because", line=7)]
    with pytest.raises(DataFileError, match=match):
        build_graph(example_coded_notes(), themes=example_themes().values(), curated=bad)


def test_graph_is_deterministic() -> None:
    a, b = example_graph(), example_graph()
    assert sorted(a.nodes(data=True)) == sorted(b.nodes(data=True))
    assert sorted(a.edges(keys=True, data=True)) == sorted(b.edges(keys=True, data=True))


def test_node_link_round_trip() -> None:
    G = example_graph()
    H = nx.node_link_graph(nx.node_link_data(G, edges="edges"), edges="edges")
    assert sorted(H.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))
