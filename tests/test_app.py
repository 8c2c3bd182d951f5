"""AppTest of every page of the Streamlit app (app.py), without a browser."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from collab_graph import pipeline
from collab_graph.graph.schema import note_node
from collab_graph.resources import data_dir, data_path
from collab_graph.views import app_support as sup
from collab_graph.workspace import WORKSPACE_ENV, Workspace

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
MALICIOUS = "<img src=x onerror=alert(1)> read the href docs"
PAGES = ["explore", "ask", "insights", "notes", "data", "export"]
WORKSHOP = "collaborative-innovation-workshop"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """The app reads and writes a fresh workspace of its own, never the package's data."""
    workspace = Workspace(tmp_path / "workspace")
    monkeypatch.setenv(WORKSPACE_ENV, str(workspace.root))
    monkeypatch.delenv(sup.PATHS_ENV, raising=False)
    return workspace


@pytest.fixture
def malicious_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    notes = tmp_path / "evil.txt"
    notes.write_text(
        "Evil <b>workshop</b>\nGroup 1\nQuestion 1\nA)\n"
        f"· {MALICIOUS}\n· Day job – no time\n· Protected time for projects\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(sup.PATHS_ENV, f'["{notes}"]')
    return notes


def run_page(page: str, **state: object) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["start_page"] = page
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page: str, ws: Workspace) -> None:
    at = run_page(page)
    assert at.title, "every page has a title"
    assert not at.error, [e.value for e in at.error]


def test_explore_draws_the_graph(ws: Workspace) -> None:
    at = run_page("explore")
    frames = at.get("iframe")
    assert len(frames) == 1
    srcdoc = frames[0].proto.srcdoc
    assert "vis.Network" in srcdoc
    assert "cdn.jsdelivr.net" not in srcdoc
    caption = " ".join(c.value for c in at.caption)
    # the notes, their groups, and only the themes, organisations and tools they touch
    # (taxonomy entries no note mentions are hidden unless asked for)
    G = pipeline.graph(pipeline.Corpus(workspace=ws), cache=None)
    kinds = {n: d["kind"] for n, d in G.nodes(data=True)}
    notes = [n for n, k in kinds.items() if k == "note"]
    touched = {v for n in notes for v in G.successors(n)}
    taxonomy = {"practice", "barrier", "benefit", "organisation", "tool"}
    expected = len(notes) + sum(k == "group" for k in kinds.values())
    expected += sum(1 for v in touched if kinds[v] in taxonomy)
    assert f"Showing {expected} nodes" in caption
    at.checkbox(key="x_include_empty").check().run()
    with_empty = int(at.caption[0].value.split()[1])
    assert with_empty == expected + sum(
        1 for v, k in kinds.items() if k in taxonomy and v not in touched
    )


def test_explore_filter_and_search(ws: Workspace) -> None:
    at = run_page("explore")
    at.multiselect(key="x_note_kinds").set_value(["barrier"]).run()
    assert "Showing" in at.caption[0].value
    n_barrier_view = int(at.caption[0].value.split()[1])
    assert n_barrier_view < 324
    at.text_input(key="x_search").set_value("no time").run()
    assert at.selectbox(key="x_focus").value is not None
    srcdoc = at.get("iframe")[0].proto.srcdoc
    assert "network.focus(id" in srcdoc


def test_explore_overview_and_drilldown(ws: Workspace) -> None:
    at = run_page("explore")
    notes_view = int(at.caption[0].value.split()[1])
    at.segmented_control(key="x_mode").set_value("overview").run()
    overview = int(at.caption[0].value.split()[1])
    # themes, groups and organisations only: far fewer nodes than the 239 notes' view
    assert overview < notes_view / 2
    assert "/note/" not in at.get("iframe")[0].proto.srcdoc
    at.selectbox(key="x_drill").set_value("theme/b_time_capacity").run()
    assert not at.exception
    assert "Time and capacity" in at.get("iframe")[0].proto.srcdoc


def test_ask_lists_practices_with_quotes(ws: Workspace) -> None:
    at = run_page("ask", ask_barrier="Day job – no time")
    assert at.subheader[0].value == "Barrier: Time and capacity"
    ranked = at.dataframe[0].value
    assert len(ranked) >= 3
    assert {"score", "curated", "evidence", "level", "groups"} <= set(ranked.columns)
    assert "Protected / dedicated time for innovation" in list(ranked["practice"])[:3]
    quotes = [m.value for m in at.markdown if m.value.startswith("> ")]
    assert quotes, "supporting quotes are shown"
    assert all("Group" in q and "line" in q for q in quotes)
    assert any("time" in q.casefold() for q in quotes)
    assert any("vis.Network" in f.proto.srcdoc for f in at.get("iframe"))  # the subgraph


def test_ask_suggests_when_nothing_matches(ws: Workspace) -> None:
    at = run_page("ask", ask_barrier="the weather was bad")
    assert at.warning
    assert len(at.button) >= 1
    at.button[0].click().run()
    assert at.subheader[0].value.startswith("Barrier: ")


def test_ask_several_barriers(ws: Workspace) -> None:
    at = run_page("ask")
    options = at.multiselect(key="ask_many").options
    at.multiselect(key="ask_many").set_value(options[:2]).run()
    table = at.dataframe[-1].value
    assert {"combined score", "barriers addressed", "level 1"} <= set(table.columns)
    assert len(table) > 0


def test_review_edit_reaches_the_reviews_file_and_survives_restart(ws: Workspace) -> None:
    at = run_page("notes")
    node = note_node(WORKSHOP, "G3-Q1-D-6")
    at.selectbox(key="n_note").set_value(node).run()
    form_kind = next(s for s in at.selectbox if s.label == "Kind")
    form_kind.set_value("context")
    at.text_input(key="n_reason").set_value("test: a remark, not a barrier")
    at.button[0].click().run()
    assert not at.exception
    assert any("Saved the review of G3-Q1-D-6" in s.value for s in at.success)
    rows = list(csv.DictReader(ws.reviews.open(encoding="utf-8")))
    mine = [r for r in rows if r["note_id"] == "G3-Q1-D-6"]
    assert len(mine) == 1
    assert mine[0]["kind"] == "context"
    assert mine[0]["reason"] == "test: a remark, not a barrier"
    # a new process reads the file: the edit survives a restart
    G = pipeline.graph(pipeline.Corpus(workspace=ws), cache=None)
    assert G.nodes[node]["note_kind"] == "context"
    assert G.nodes[node]["reviewed"] is True
    assert data_path("reviews.csv").read_text(encoding="utf-8").count("G3-Q1-D-6") == 0


def test_review_needs_a_reason(ws: Workspace) -> None:
    assert not ws.reviews.exists()
    at = run_page("notes")
    at.button[0].click().run()
    assert at.error
    assert "reason" in at.error[0].value
    assert not ws.reviews.exists()


def test_malicious_note_is_escaped_in_the_graph(ws: Workspace, malicious_notes: Path) -> None:
    at = run_page("explore")
    srcdoc = at.get("iframe")[0].proto.srcdoc
    assert "<img" not in srcdoc
    assert "&lt;img src=x onerror=alert(1)&gt; read the href docs" in srcdoc.replace("\\u0026", "&")
    notes = run_page("notes").dataframe[0].value
    assert MALICIOUS in list(notes["text"])  # exact text, as text


def test_data_page_reports_the_parse(ws: Workspace) -> None:
    at = run_page("data")
    report = at.dataframe[0].value
    assert int(report["notes"][0]) == 239
    assert "unassigned" in report.columns


def test_data_upload_errors_stay_in_the_page(ws: Workspace) -> None:
    at = run_page("data")
    at.file_uploader(key="d_files").upload("empty.txt", b"", "text/plain").run()
    at.button(key="d_load").click().run()
    assert not at.exception
    assert any("empty" in e.value for e in at.error)


def test_data_upload_adds_a_workshop(ws: Workspace) -> None:
    at = run_page("data")
    notes = b"Mini workshop\nGroup 1\nQuestion 1\nA)\n- Day job - no time\n- Protected time\n"
    at.file_uploader(key="d_files").upload("mini.md", notes, "text/markdown").run()
    at.button(key="d_load").click().run()
    assert not at.exception
    assert any("2 workshop(s) with 241 notes" in s.value for s in at.success)
    report = at.dataframe[0].value
    assert list(report["notes"]) == [239, 2]


def test_export_offers_every_format_and_refuses_updates(ws: Workspace) -> None:
    from collab_graph.views.export import FORMATS

    at = run_page("export")
    labels = [b.label for b in at.get("download_button")]
    for name in FORMATS:
        assert any(label.startswith(f"{name} (") for label in labels), name
    at.text_area(key="sparql_notes-by-kind").set_value("DROP ALL").run()
    at.button(key="sparql_run").click().run()
    assert at.error
    assert "not allowed" in at.error[0].value


def test_app_command_refuses_a_bad_notes_file_before_starting(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from collab_graph.cli import app

    missing = tmp_path / "nope.txt"
    result = CliRunner().invoke(app, ["app", str(missing), "--port", "8599"])
    assert result.exit_code == 2
    assert "nope.txt" in result.output
    assert "Traceback" not in result.output


def test_streamlit_command_is_headless_and_local() -> None:
    cmd = sup.streamlit_command(APP, port=8600)
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert flags["--server.address"] == "127.0.0.1"
    assert flags["--server.headless"] == "true"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert sup.app_script() == APP


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the data folder that a test may edit while the app runs."""
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    monkeypatch.setenv("COLLAB_GRAPH_DATA", str(copy))
    return copy


def test_editing_the_taxonomy_while_the_app_runs_shows_after_a_rerun(
    ws: Workspace, data_copy: Path
) -> None:
    at = run_page("ask")
    assert "Time and capacity" in at.selectbox(key="ask_barrier").options
    themes = data_copy / "themes.csv"
    themes.write_text(
        themes.read_text(encoding="utf-8").replace(
            "b_time_capacity,barrier,Time and capacity,", "b_time_capacity,barrier,No time at all,"
        ),
        encoding="utf-8",
    )
    at.run()
    assert not at.exception
    options = at.selectbox(key="ask_barrier").options
    assert "No time at all" in options
    assert "Time and capacity" not in options


def test_editing_the_curated_links_while_the_app_runs_shows_after_a_rerun(
    ws: Workspace, data_copy: Path
) -> None:
    def curated_part(at: AppTest) -> float:
        ranked = at.dataframe[0].value
        row = ranked[ranked["practice"] == "Protected / dedicated time for innovation"]
        return float(row["curated"].iloc[0])

    at = run_page("ask", ask_barrier="Day job – no time")
    assert curated_part(at) == 1.0
    links = data_copy / "addresses.csv"
    kept = [
        line
        for line in links.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith("p_protected_time,b_time_capacity,")
    ]
    links.write_text("".join(kept), encoding="utf-8")
    at.run()
    assert not at.exception
    assert curated_part(at) == 0.0
