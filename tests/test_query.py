"""query: practices_for (contract shape, matching, evidence), rankings, orgs, gaps, centrality."""

from __future__ import annotations

import json
from functools import cache

import networkx as nx
import pytest

from collab_graph.coding.taxonomy import load_taxonomy
from collab_graph.errors import NotFoundError
from collab_graph.graph.build import add_edge
from collab_graph.graph.examples import example_graph
from collab_graph.graph.query import (
    NoMatchError,
    centrality,
    combined_practices,
    communities,
    gaps,
    groups_mentioning,
    invalidate,
    org_profile,
    practices_for,
    resolve_barrier,
    theme_graph,
    themes_ranked,
)
from collab_graph.graph.schema import graph_version, note_node, theme_node, touch
from collab_graph.model import EdgeKind
from collab_graph.pipeline import Corpus, graph


@cache
def _bundled() -> nx.MultiDiGraph:
    return graph(Corpus(), cache=None)


@pytest.fixture
def bundled() -> nx.MultiDiGraph:
    return _bundled().copy()


def test_day_job_no_time_ranks_time_freeing_practices_first(bundled: nx.MultiDiGraph) -> None:
    res = practices_for(bundled, "Day job – no time")
    assert res["barrier"]["id"] == "b_time_capacity"
    ids = [p["id"] for p in res["practices"]]
    wanted = {"p_protected_time", "p_dedicated_team", "p_secondments", "p_innovation_sprints"}
    assert wanted <= set(ids[:6]), ids[:6]
    assert ids[0] == "p_protected_time"
    scores = [p["score"] for p in res["practices"]]
    assert scores == sorted(scores, reverse=True)


def test_every_practice_carries_quotes_from_the_groups_that_reported_it(
    bundled: nx.MultiDiGraph,
) -> None:
    res = practices_for(bundled, "b_time_capacity")
    for p in res["practices"]:
        quoted = {e["group"] for e in p["evidence"] if e["role"] == "practice"}
        assert set(p["groups"]) <= quoted, p["id"]
        for e in p["evidence"]:
            assert e["text"]
            assert e["line"] >= 1
            assert e["workshop"]
            assert e["role"] in ("practice", "barrier")
        assert any(e["role"] == "barrier" for e in p["evidence"]) or p["groups_both"] == 0


def test_json_shape_matches_the_contract(bundled: nx.MultiDiGraph) -> None:
    res = json.loads(
        json.dumps(practices_for(bundled, "day job no time", top=3), ensure_ascii=False)
    )
    assert set(res) >= {"barrier", "practices"}
    assert set(res["barrier"]) >= {"id", "label", "query"}
    assert res["barrier"]["query"] == "day job no time"
    assert len(res["practices"]) == 3
    for p in res["practices"]:
        assert set(p) >= {"id", "label", "score", "level", "groups", "evidence"}
        assert isinstance(p["score"], float)
        assert 0 <= p["score"] <= 1
        assert p["level"] in (1, 2, 3)
        assert all(isinstance(g, int) for g in p["groups"])
        for e in p["evidence"]:
            assert set(e) >= {
                "note",
                "workshop",
                "group",
                "text",
                "role",
                "question",
                "prompt",
                "line",
            }


@pytest.mark.parametrize(
    ("query", "expected", "how"),
    [
        ("b_funding_budgets", "b_funding_budgets", "id"),
        ("theme/b_trust", "b_trust", "id"),
        ("TIME AND CAPACITY", "b_time_capacity", "label"),
        ("G3-Q1-D-6", "b_time_capacity", "note"),
        ("no time to do it", "b_time_capacity", "meaning"),
        ("lack of buy in", "b_lack_buyin", "meaning"),
    ],
)
def test_barrier_resolution(bundled: nx.MultiDiGraph, query: str, expected: str, how: str) -> None:
    m = resolve_barrier(bundled, query)
    assert (m.id, m.matched_by) == (expected, how)


@pytest.mark.parametrize("query", ["p_protected_time", ""])
def test_no_match_raises_not_found_with_suggestions(bundled: nx.MultiDiGraph, query: str) -> None:
    with pytest.raises(NotFoundError) as info:
        practices_for(bundled, query)
    assert isinstance(info.value, NoMatchError)
    assert info.value.suggestions
    assert all(s["id"].startswith("b_") for s in info.value.suggestions)


def test_explicit_pairs_are_flagged(bundled: nx.MultiDiGraph) -> None:
    res = practices_for(bundled, "b_time_capacity")
    protected = next(p for p in res["practices"] if p["id"] == "p_protected_time")
    assert protected["explicit_groups"] >= 1
    assert any(e["explicit"] for e in protected["evidence"])


def test_combined_ranking_sums_over_barriers() -> None:
    G = example_graph()
    one = {p["id"]: p["score"] for p in practices_for(G, "b_time_capacity")["practices"]}
    two = {p["id"]: p["score"] for p in practices_for(G, "b_funding_budgets")["practices"]}
    res = combined_practices(G, ["b_time_capacity", "b_funding_budgets", "time and capacity"])
    assert len(res["barriers"]) == 2  # the same barrier twice counts once
    for p in res["practices"]:
        assert p["score"] == pytest.approx(one.get(p["id"], 0) + two.get(p["id"], 0), abs=1e-3)
    assert [p["score"] for p in res["practices"]] == sorted(
        (p["score"] for p in res["practices"]), reverse=True
    )


def test_barriers_and_practices_ranked_by_groups(bundled: nx.MultiDiGraph) -> None:
    barriers = themes_ranked(bundled, "barrier")
    assert barriers[0]["n_groups"] >= barriers[-1]["n_groups"]
    funding = next(r for r in barriers if r["id"] == "b_funding_budgets")
    assert funding["n_groups"] >= 5
    practices = themes_ranked(bundled, "practice")
    assert [r["n_groups"] for r in practices] == sorted(
        (r["n_groups"] for r in practices), reverse=True
    )


def test_groups_mentioning_and_org_profile(bundled: nx.MultiDiGraph) -> None:
    groups = groups_mentioning(bundled, "procurement")
    assert len(groups) >= 5
    prof = org_profile(bundled, "NHS")
    assert prof["id"] == "nhs"
    assert prof["n_notes"] == len(prof["evidence"]) >= 1
    assert prof["practices"]
    with pytest.raises(NotFoundError):
        org_profile(bundled, "qwertyuiop zxcv")


def test_gaps() -> None:
    G = example_graph()
    g = gaps(G)
    assert g["unaddressed_barriers"] == []
    # raise b_trust in a group with no practice linked to it -> a gap
    G.add_edge(
        "workshop/alpha/note/G1-Q1-A-2", "theme/b_trust", key="about", kind="about", primary=False
    )
    invalidate(G)  # edges changed in place: the cached lookups must be rebuilt
    assert [b["id"] for b in gaps(G)["unaddressed_barriers"]] == ["b_trust"]
    # with a threshold above every link's score, every raised barrier is a gap
    strict = gaps(example_graph(), min_score=0.8)
    assert {b["id"] for b in strict["unaddressed_barriers"]} == {
        "b_time_capacity",
        "b_funding_budgets",
    }
    assert strict["cross_group"] == []
    cross = g["cross_group"]
    assert any(c["needed_by"] == [{"workshop": "alpha", "group": 2}] for c in cross)


def test_theme_graph_centrality_and_communities(bundled: nx.MultiDiGraph) -> None:
    T = theme_graph(bundled)
    n_themes = len(load_taxonomy().themes)
    assert T.number_of_nodes() == n_themes
    rows = centrality(bundled)
    assert len(rows) == n_themes
    assert all(0 <= r["betweenness"] <= 1 and 0 <= r["degree"] <= 1 for r in rows)
    comms = communities(bundled, seed=1)
    assert comms == communities(bundled, seed=1)
    assert sum(len(c) for c in comms) <= n_themes
    assert len(comms) >= 2


def test_cli_practices_json_and_no_match() -> None:
    from typer.testing import CliRunner

    from collab_graph.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["practices", "Day job – no time", "--format", "json", "--top", "5"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["barrier"]["id"] == "b_time_capacity"
    assert [p["id"] for p in data["practices"]][:2] == ["p_protected_time", "p_dedicated_team"]
    assert "Day job – no time" in res.stdout  # UTF-8, not \u escapes
    res = runner.invoke(app, ["practices", "p_protected_time"])
    assert res.exit_code == 1
    assert "not a barrier" in res.stderr
    assert "Traceback" not in res.output
    # free text that matches no barrier well: nothing found, exit 1 (issue 15; test_meaning.py)
    res = runner.invoke(app, ["practices", "qwertyuiop zxcv"])
    assert res.exit_code == 1
    assert "No barrier matches" in res.stderr


def test_quote_cap_keeps_the_best_quotes_and_the_total(bundled: nx.MultiDiGraph) -> None:
    full = practices_for(bundled, "b_time_capacity")
    capped = practices_for(bundled, "b_time_capacity", max_quotes=3)
    assert [p["id"] for p in capped["practices"]] == [p["id"] for p in full["practices"]]
    for a, b in zip(full["practices"], capped["practices"], strict=True):
        assert b["evidence"] == a["evidence"][:3]
        assert b["evidence_total"] == a["evidence_total"] == len(a["evidence"])
    assert capped["barrier"]["evidence_total"] == len(full["barrier"]["evidence"])
    # explicit pairings come first
    top = full["practices"][0]["evidence"]
    assert [e["explicit"] for e in top] == sorted((e["explicit"] for e in top), reverse=True)


def test_an_edge_added_with_the_helper_changes_the_answer() -> None:
    """The cached lookups key on the graph's version, which build.add_edge bumps."""
    G = example_graph()
    assert graph_version(G) == 0
    assert practices_for(G, "b_trust")["practices"] == []
    assert gaps(G)["unaddressed_barriers"] == []
    add_edge(
        G,
        theme_node("p_dedicated_team"),
        theme_node("b_trust"),
        EdgeKind.ADDRESSES,
        score=0.5,
        level=3,
        curated=True,
        strength="strong",
        rationale="a team builds trust",
    )
    assert graph_version(G) == 1
    assert [p["id"] for p in practices_for(G, "b_trust")["practices"]] == ["p_dedicated_team"]
    add_edge(G, note_node("alpha", "G1-Q1-A-2"), theme_node("b_trust"), "about", primary=False)
    assert "G1-Q1-A-2" in [e["note"] for e in practices_for(G, "b_trust")["barrier"]["evidence"]]


@pytest.mark.parametrize("record", [invalidate, touch], ids=["invalidate", "touch"])
def test_an_edge_added_through_networkx_is_seen_after_recording_it(record: object) -> None:
    G = example_graph()
    assert gaps(G)["unaddressed_barriers"] == []
    G.add_edge(note_node("alpha", "G1-Q1-A-2"), theme_node("b_trust"), key="about", kind="about")
    record(G)  # type: ignore[operator]
    assert [b["id"] for b in gaps(G)["unaddressed_barriers"]] == ["b_trust"]


def test_a_node_added_in_place_is_seen_without_help() -> None:
    G = example_graph()
    assert resolve_barrier(G, "b_trust").id == "b_trust"
    G.add_node("theme/b_new", kind="barrier", label="Brand new barrier", theme_id="b_new")
    assert resolve_barrier(G, "brand new barrier").id == "b_new"


def test_add_edge_refuses_unknown_nodes_and_kinds() -> None:
    G = example_graph()
    with pytest.raises(KeyError, match="theme/nope"):
        add_edge(G, note_node("alpha", "G1-Q1-A-2"), theme_node("nope"), EdgeKind.ABOUT)
    with pytest.raises(ValueError, match="nope"):
        add_edge(G, note_node("alpha", "G1-Q1-A-2"), theme_node("b_trust"), "nope")
    assert graph_version(G) == 0
