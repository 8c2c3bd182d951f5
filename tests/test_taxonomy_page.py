"""The Taxonomy page: its tables (views.taxonomy), the pipeline's parse key, and the
page in AppTest (every curation action, saved to the workspace and seen in the graph)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from collab_graph import pipeline
from collab_graph.cache import DiskCache
from collab_graph.graph import query
from collab_graph.graph.examples import example_graph
from collab_graph.graph.links import ADDRESSES_FILE, load_curated
from collab_graph.graph.schema import EdgeAttr, new_graph, theme_node
from collab_graph.model import EdgeKind, Organisation, OrgType, Theme, ThemeKind
from collab_graph.resources import data_path
from collab_graph.views import app_support as sup
from collab_graph.views import taxonomy as tx
from collab_graph.workspace import WORKSPACE_ENV, Workspace

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
    flipped = tx.theme_rows(themes, {"b_gov": 5, "b_ig": 3})
    assert [r["id"] for r in flipped] == ["p_x", "b_gov", "b_ig", "n_b"], "most notes first"
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


# --------------------------------------------------------------------------- the page (AppTest)

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
DATA = Path(__file__).with_name("data")
#: Barrier notes about the canteen, which no theme of the taxonomy covers.
CANTEEN = DATA / "taxonomy_canteen.md"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A fresh workspace of the app's own, and the bundled workshop."""
    workspace = Workspace(tmp_path / "workspace")
    monkeypatch.setenv(WORKSPACE_ENV, str(workspace.root))
    monkeypatch.delenv(sup.PATHS_ENV, raising=False)
    return workspace


@pytest.fixture
def canteen(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """The workspace, with the app reading the canteen notes."""
    monkeypatch.setenv(sup.PATHS_ENV, f'["{CANTEEN}"]')
    return ws


def taxonomy_page(**state: object) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state["start_page"] = "taxonomy"
    at.session_state["t_who"] = "Ana Lyst"
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at: AppTest, column: str) -> Any:
    """The page's table that has ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def saved(at: AppTest) -> str:
    assert not at.error, [e.value for e in at.error]
    return " ".join(s.value for s in at.success)


def test_the_page_lists_themes_and_organisations_with_counts(ws: Workspace) -> None:
    at = taxonomy_page()
    assert not at.error, [e.value for e in at.error]
    themes = frame(at, "keywords")
    assert len(themes) == len(pipeline.vocabulary(ws).taxonomy.themes)
    row = themes.set_index("id").loc["b_time_capacity"]
    assert (
        row["notes"]
        == tx.theme_notes(pipeline.graph(pipeline.Corpus(workspace=ws)))["b_time_capacity"]
    )
    assert row["notes"] > 0
    orgs = frame(at, "organisation").set_index("id")
    assert orgs.loc["unresolved:srd", "status"] == "detected"
    assert orgs.loc["nhs", "status"] == "resolved"
    assert at.text_input(key="t_who").value == "Ana Lyst"


def test_the_name_defaults_to_the_os_user(ws: Workspace) -> None:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state["start_page"] = "taxonomy"
    at.run()
    assert at.text_input(key="t_who").value == tx.default_who()


def test_edit_a_themes_keywords(ws: Workspace) -> None:
    at = taxonomy_page(t_kw_theme="b_time_capacity")
    before = frame(at, "keywords").set_index("id").loc["b_time_capacity", "notes"]
    at.text_area(key="t_kw_b_time_capacity").set_value("rota gaps; zz never written")
    click(at, "Save keywords")
    assert "b_time_capacity" in saved(at)
    row = frame(at, "keywords").set_index("id").loc["b_time_capacity"]
    assert row["keywords"] == "rota gaps; zz never written"
    assert row["origin"] == "workspace"
    assert row["notes"] < before, "the graph is rebuilt with the new keywords"
    text = ws.themes.read_text(encoding="utf-8")
    assert "Ana Lyst" in text
    assert "rota gaps;zz never written" in text or "rota gaps; zz never written" in text


def curated(ws: Workspace) -> set[tuple[str, str]]:
    return {
        (r.practice, r.barrier) for r in load_curated([data_path(ADDRESSES_FILE), ws.addresses])
    }


def curated_edge(ws: Workspace, practice: str, barrier: str) -> dict[str, Any] | None:
    """The graph's addresses edge of a pair, when it is curated."""
    G = pipeline.graph(pipeline.Corpus(workspace=ws))
    u, v = theme_node(practice), theme_node(barrier)
    for d in (G.get_edge_data(u, v) or {}).values():
        if d.get(EdgeAttr.KIND) == EdgeKind.ADDRESSES and d.get(EdgeAttr.CURATED):
            return dict(d)
    return None


def test_add_and_remove_a_curated_link(ws: Workspace) -> None:
    links = curated(ws)
    tax = pipeline.vocabulary(ws).taxonomy
    pair = next(
        (p.id, b.id)
        for p in tax.by_kind("practice")
        for b in tax.by_kind("barrier")
        if (p.id, b.id) not in links
    )
    at = taxonomy_page(t_lp=pair[0], t_lb=pair[1], t_ls="moderate")
    n = len(frame(at, "rationale"))
    at.text_input(key="t_lr").set_value("Because the test says so")
    click(at, "Add the link")
    assert "Added the link" in saved(at)
    table = frame(at, "rationale")
    assert len(table) == n + 1
    mine = table[(table["practice_id"] == pair[0]) & (table["barrier_id"] == pair[1])]
    assert list(mine["origin"]) == ["workspace"]
    assert list(mine["rationale"]) == ["Because the test says so"]
    edge = curated_edge(ws, *pair)
    assert edge is not None, "the graph has the curated link"
    assert edge[EdgeAttr.STRENGTH] == "moderate"
    assert "Ana Lyst" in ws.addresses.read_text(encoding="utf-8")
    at.selectbox(key="t_lx").set_value(f"{pair[0]}|{pair[1]}")
    click(at, "Remove the link")
    assert "Removed the link" in saved(at)
    assert len(frame(at, "rationale")) == n
    assert pair not in curated(ws)
    assert curated_edge(ws, *pair) is None


def test_a_detected_mention_becomes_an_organisation(ws: Workspace) -> None:
    at = taxonomy_page(t_om="unresolved:srd", t_ohow="new")
    at.text_input(key="t_olabel").set_value("Scottish Roads Directorate")
    at.selectbox(key="t_otype").set_value("public body")
    at.text_input(key="t_oaliases").set_value("SRD")
    click(at, "Save")
    assert "Scottish Roads Directorate" in saved(at)
    orgs = frame(at, "organisation")
    row = orgs[orgs["organisation"] == "Scottish Roads Directorate"]
    assert list(row["status"]) == ["resolved"]
    assert list(row["notes"]) == [1]
    assert "unresolved:srd" not in set(orgs["id"])
    assert "Ana Lyst" in ws.organisations.read_text(encoding="utf-8")


def test_a_detected_mention_becomes_an_alias(ws: Workspace) -> None:
    at = taxonomy_page(t_om="unresolved:uigs", t_ohow="alias")
    before = frame(at, "organisation").set_index("id").loc["nhs", "notes"]
    at.selectbox(key="t_oorg").set_value("nhs")
    click(at, "Save")
    assert "UIGS" in saved(at)
    orgs = frame(at, "organisation").set_index("id")
    assert "unresolved:uigs" not in orgs.index
    assert orgs.loc["nhs", "notes"] == before + 1
    assert "UIGS" in orgs.loc["nhs", "aliases"]


def test_a_change_without_a_name_is_refused(ws: Workspace) -> None:
    at = taxonomy_page(t_kw_theme="b_time_capacity")
    at.text_input(key="t_who").set_value("  ")
    at.text_area(key="t_kw_b_time_capacity").set_value("rota gaps")
    click(at, "Save keywords")
    assert at.error, "an unnamed change shows an error"
    assert "who" in at.error[0].value
    assert not ws.themes.exists()


def test_accept_a_suggestion(canteen: Workspace) -> None:
    at = taxonomy_page()
    sugg = frame(at, "similarity")
    assert len(sugg) >= 1
    key = at.selectbox(key="t_pick").value
    at.text_input(key=f"t_al_{key}").set_value("Canteen food")
    click(at, "Accept")
    assert "Canteen food" in saved(at)
    themes = frame(at, "keywords")
    row = themes[themes["label"] == "Canteen food"]
    assert list(row["origin"]) == ["workspace"]
    assert int(row["notes"].iloc[0]) >= 3, "its notes carry the new theme"
    G = pipeline.graph(pipeline.Corpus([CANTEEN], workspace=canteen))
    assert query.notes_of(G, theme_node(str(row["id"].iloc[0]))), "the graph has it"
    left = at.selectbox(key="t_pick").options if frame_has(at, "similarity") else []
    assert "Canteen food" not in " ".join(left), "an accepted suggestion is not suggested again"


def frame_has(at: AppTest, column: str) -> bool:
    return any(column in df.value.columns for df in at.dataframe)


def test_merge_a_suggestion(canteen: Workspace) -> None:
    at = taxonomy_page()
    key = at.selectbox(key="t_pick").value
    at.selectbox(key=f"t_mi_{key}").set_value("b_time_capacity")
    click(at, "Merge")
    assert "Merged" in saved(at)
    assert "b_time_capacity" in canteen.themes.read_text(encoding="utf-8")


def test_reject_a_suggestion(canteen: Workspace) -> None:
    at = taxonomy_page()
    n = len(frame(at, "similarity"))
    key = at.selectbox(key="t_pick").value
    click(at, "Reject")
    assert "Rejected" in saved(at)
    left = frame(at, "similarity") if frame_has(at, "similarity") else []
    assert len(left) == n - 1
    assert key in canteen.path("suggestions.csv").read_text(encoding="utf-8")
