"""The Ask page's answer costs little to draw (issue 13, five sessions asking at once).

Asking reruns only the answer (``st.fragment``); a practice's quotes are drawn
when its section is opened (a closed ``st.expander`` would otherwise send them
to the browser all the same); every graph page reuses one compiled template.
The timings themselves are in ``benchmarks/concurrent_ask.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import app_harness as harness  # loaded by conftest.py
from collab_graph import pipeline
from collab_graph.graph import query
from collab_graph.graph.examples import example_graph
from collab_graph.views import app_support as sup
from collab_graph.views import network as viz
from collab_graph.workspace import WORKSPACE_ENV, Workspace

APP = Path(__file__).resolve().parents[1] / "app.py"
QUESTION = "Day job – no time"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    workspace = Workspace(tmp_path / "workspace")
    monkeypatch.setenv(WORKSPACE_ENV, str(workspace.root))
    monkeypatch.delenv(sup.PATHS_ENV, raising=False)
    return workspace


def quotes_in(block: Any) -> list[str]:
    return [m.value for m in block.markdown if m.value.startswith("> ")]


def test_a_closed_practice_shows_its_quotes_once_opened(ws: Workspace) -> None:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["start_page"] = "ask"
    at.session_state["ask_barrier"] = QUESTION
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    sections = list(at.expander)
    assert len(sections) >= 3, [s.label for s in sections]
    assert quotes_in(sections[0]), "the first practice opens with its quotes"
    assert not quotes_in(sections[1]), "a closed section is drawn when it is opened"
    barrier = query.practices_for(pipeline.graph(pipeline.Corpus(workspace=ws)), QUESTION)
    second = f"ask_quotes_{barrier['barrier']['id']}_1"  # the second practice's section
    assert at.session_state[second] is False
    at.session_state[second] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = quotes_in(at.expander[1])
    assert shown, "opening the second practice shows its quotes"
    assert all("Group" in q and "line" in q for q in shown)
    assert quotes_in(at.expander[0]), "the first practice's quotes are still there"


def test_every_graph_page_reuses_one_compiled_template() -> None:
    viz._page_template.cache_clear()
    first = viz.render(example_graph(), physics=False)
    again = viz.render(example_graph(), physics=False)
    info = viz._page_template.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert first.html == again.html
    assert "vis.Network" in first.html
    assert viz.strip_remote_resources(first.html) == first.html  # still offline


@pytest.fixture(scope="module")
def server(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    env = {WORKSPACE_ENV: str(tmp_path_factory.mktemp("workspace"))}
    with harness.AppServer(env=env) as srv:
        yield srv


@pytest.mark.browser
def test_asking_and_opening_quotes_in_the_browser(server: Any, chromium: Any) -> None:
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/ask", wait_until="domcontentloaded")
        box = page.get_by_role("combobox", name="Barrier", exact=True)
        box.wait_for(timeout=60_000)
        box.click()
        box.fill("Time and capacity")
        page.get_by_role("option", name="Time and capacity", exact=True).first.click()
        page.get_by_text("Barrier: Time and capacity").wait_for(timeout=60_000)
        sections = page.get_by_test_id("stExpander")
        sections.first.locator("blockquote").first.wait_for(timeout=30_000)
        assert sections.nth(1).locator("blockquote").count() == 0
        sections.nth(1).locator("summary").click()
        sections.nth(1).locator("blockquote").first.wait_for(timeout=30_000)
        assert sections.first.locator("blockquote").count() > 0
        _, nodes = harness.wait_for_graph(page, timeout=30)
        assert nodes > 3, "the answer's graph is drawn"
        assert "ask_barrier=Time" in page.url, "the question is still in the page's address"
    finally:
        context.close()
