"""The Taxonomy page: its tables (views.taxonomy), the pipeline's parse key, and the
page in AppTest (every curation action, saved to the workspace and seen in the graph)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from collab_graph import pipeline
from collab_graph.cache import DiskCache
from collab_graph.graph.examples import example_graph
from collab_graph.graph.schema import new_graph
from collab_graph.model import Organisation, OrgType, Theme, ThemeKind
from collab_graph.views import taxonomy as tx
from collab_graph.workspace import Workspace

NEW_THEME = "id,kind,label,cues\nb_brand_new,barrier,Brand new barrier,day job\n"


# --------------------------------------------------------------------------- pipeline


def test_a_curated_theme_recodes_the_notes_without_parsing_them_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DiskCache(tmp_path / "cache")
    ws = Workspace(tmp_path / "ws")
    corpus = pipeline.Corpus(workspace=ws)
    before = pipeline.keys(corpus)
    pipeline.code(corpus, cache=store)
    ws.themes.parent.mkdir(parents=True, exist_ok=True)
    ws.themes.write_text(NEW_THEME, encoding="utf-8")
    assert pipeline.keys(corpus).coding != before.coding

    def no_parsing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the notes were parsed again")

    monkeypatch.setattr(pipeline, "load", no_parsing)
    coded = pipeline.code(corpus, cache=store)
    tagged = [c for c in coded.coded if any(t.id == "b_brand_new" for t in c.themes)]
    assert tagged, "the new theme's keyword tags the notes"
    assert pipeline.parsed(corpus, cache=store), "the parse report comes from the cache too"


def test_the_parse_key_covers_the_notes_alone(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    corpus = pipeline.Corpus(workspace=ws)
    before = pipeline.keys(corpus)
    ws.root.mkdir(parents=True)
    ws.themes.write_text(NEW_THEME, encoding="utf-8")
    assert pipeline.keys(corpus).parse == before.parse


def test_a_changed_notes_file_is_parsed_again(tmp_path: Path) -> None:
    notes = tmp_path / "n.txt"
    notes.write_text("Group 1\nQuestion 1\n- Day job, no time\n", encoding="utf-8")
    a = pipeline.keys(pipeline.Corpus([notes]))
    notes.write_text("Group 1\nQuestion 1\n- Day job, no time at all\n", encoding="utf-8")
    b = pipeline.keys(pipeline.Corpus([notes]))
    assert a.parse != b.parse
    assert a.coding != b.coding


# --------------------------------------------------------------------------- rows


def test_theme_rows_sort_by_kind_and_name_the_broader_theme() -> None:
    themes = [
        Theme("n_b", ThemeKind.BENEFIT, "Savings"),
        Theme("b_gov", ThemeKind.BARRIER, "Governance"),
        Theme("b_ig", ThemeKind.BARRIER, "Data sharing", cues=("IG", "data*"), broader="b_gov"),
        Theme("p_x", ThemeKind.PRACTICE, "Zoom calls"),
    ]
    rows = tx.theme_rows(themes, {"b_ig": 3, "p_x": 1}, yours=["b_ig"])
    assert [r["id"] for r in rows] == ["p_x", "b_ig", "b_gov", "n_b"]
    ig = rows[1]
    assert ig["broader"] == "Governance"
    assert ig["keywords"] == "IG; data*"
    assert (ig["notes"], ig["origin"]) == (3, "workspace")
    assert rows[2]["notes"] == 0
    assert rows[2]["origin"] == "bundled"


def test_theme_notes_counts_the_notes_of_each_theme() -> None:
    counts = tx.theme_notes(example_graph())
    assert counts["b_time_capacity"] == 3
    assert counts["b_trust"] == 0


def test_org_rows_list_detected_names_and_tools() -> None:
    G = new_graph()
    G.add_node("note/1", kind="note", workshop="w", group=1)
    G.add_node("note/2", kind="note", workshop="w", group=2)
    G.add_node(
        "org/unresolved:ukri",
        kind="organisation",
        label="UKRI",
        resolved=False,
        org_id="unresolved:ukri",
        org_type="other",
    )
    G.add_node("tool/trello", kind="tool", label="Trello", org_id="trello", org_type="tool")
    G.add_edge("note/1", "org/unresolved:ukri", key="mentions", kind="mentions")
    G.add_edge("note/2", "org/unresolved:ukri", key="mentions", kind="mentions")
    G.add_edge("note/2", "tool/trello", key="mentions", kind="mentions")
    trello = Organisation("trello", "Trello", OrgType.TOOL, aliases=("trelo",))
    rows = tx.org_rows(G, [trello])
    assert [(r["id"], r["category"], r["status"], r["notes"], r["groups"]) for r in rows] == [
        ("unresolved:ukri", "organisation", "detected", 2, 2),
        ("trello", "tool", "resolved", 1, 1),
    ]
    assert rows[1]["aliases"] == "trelo"
    assert tx.unresolved_mentions(G) == {"unresolved:ukri": "UKRI (2 notes)"}
    nhs = Organisation("nhs", "NHS", OrgType.HEALTH)
    assert [r["id"] for r in tx.org_rows(G, [trello, nhs], unmentioned=True)][-1] == "nhs"


def test_default_who_reads_the_os_user() -> None:
    assert tx.default_who({"USER": "  ana "}) == "ana"
    assert tx.default_who({}) == ""
    assert tx.default_who()  # the test runs as some user
