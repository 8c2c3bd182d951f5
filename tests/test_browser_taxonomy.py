"""The Taxonomy page in a real browser: accept a suggested theme, see it in the graph,
reload, restart the app: still there.

Runs ``collab-graph app`` on notes about the canteen (which no theme covers) with
a fresh workspace, and drives it in Debian's Chromium, as ``tests/test_browser.py``
does (same harness; skipped locally without Chromium, required under ``CI=true``).
Screenshots of the page at 1440×900 go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import app_harness as harness  # loaded by conftest.py
from collab_graph import pipeline
from collab_graph.cache import CACHE_ENV
from collab_graph.graph.schema import theme_node
from collab_graph.views.taxonomy import default_who
from collab_graph.workspace import WORKSPACE_ENV, Workspace

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CANTEEN = Path(__file__).with_name("data") / "taxonomy_canteen.md"
LABEL = "Canteen food"

_NODE_IDS_JS = "() => network.body.data.nodes.getIds()"


def graph_nodes(page: Any) -> set[str]:
    """The node ids drawn on the Explore page."""
    frame, _ = harness.wait_for_graph(page, timeout=90)
    return set(frame.evaluate(_NODE_IDS_JS))


def tables_drawn(page: Any) -> None:
    """Wait until the page's tables (canvas grids) are drawn, for a screenshot."""
    page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=30_000)
    page.wait_for_timeout(800)


def open_explore(page: Any, url: str) -> set[str]:
    page.goto(f"{url}/explore", wait_until="domcontentloaded")
    return graph_nodes(page)


def test_accept_a_suggestion_in_the_browser(chromium: Any, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "workspace")
    env = {WORKSPACE_ENV: str(ws.root), CACHE_ENV: str(tmp_path / "cache")}
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    with harness.AppServer(paths=[CANTEEN], env=env) as server:
        before = open_explore(page, server.url)
        assert not any(n.startswith(theme_node("")) and "canteen" in n for n in before)

        page.goto(f"{server.url}/taxonomy", wait_until="domcontentloaded")
        page.get_by_role("tab", name="Themes").wait_for(timeout=90_000)
        page.get_by_text("Edit a theme's keywords").wait_for(timeout=30_000)
        tables_drawn(page)
        page.screenshot(path=str(SHOTS / "taxonomy-themes.png"))

        page.get_by_role("tab", name="Suggestions").click()
        accept = page.get_by_role("button", name="Accept", exact=True)
        accept.wait_for(timeout=60_000)
        label = page.get_by_role("textbox", name="Label")
        label.fill(LABEL)
        label.press("Enter")
        tables_drawn(page)
        page.screenshot(path=str(SHOTS / "taxonomy-suggestions.png"))
        accept.click()
        page.get_by_text(f"Accepted “{LABEL}”").wait_for(timeout=90_000)

        theme = next(
            t for t in pipeline.vocabulary(ws).taxonomy.themes.values() if t.label == LABEL
        )
        node = theme_node(theme.id)
        assert default_who() in ws.themes.read_text(encoding="utf-8"), "saved with who"
        after = open_explore(page, server.url)
        assert node in after, "the new theme is drawn on the Explore page"
        page.reload(wait_until="domcontentloaded")
        assert node in graph_nodes(page), "still there after a reload"
    with harness.AppServer(paths=[CANTEEN], env=env) as server:
        assert node in open_explore(page, server.url), "still there after a restart"
        page.goto(f"{server.url}/taxonomy", wait_until="domcontentloaded")
        page.get_by_role("tab", name="Organisations and tools").wait_for(timeout=90_000)
        page.get_by_role("tab", name="Organisations and tools").click()
        page.get_by_text("No organisation or tool is named in the notes.").wait_for(timeout=30_000)
        page.screenshot(path=str(SHOTS / "taxonomy-organisations.png"))
