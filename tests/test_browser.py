"""The real app in a real browser: ``collab-graph app`` driven by Debian's Chromium.

Locally these tests skip when /usr/bin/chromium is missing; under ``CI=true``
they fail instead. Screenshots of every page go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

import app_harness as harness  # loaded by conftest.py
from collab_graph import pipeline
from collab_graph.views import network as viz
from collab_graph.workspace import WORKSPACE_ENV, Workspace

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
MALICIOUS = "<img src=x onerror=alert(1)> see the href"
LOCAL_HOSTS = {"127.0.0.1", "localhost", ""}


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace of the browser tests' own (empty: only the bundled reviews apply)."""
    return Workspace(tmp_path_factory.mktemp("workspace"))


@pytest.fixture(scope="module")
def server(chromium: Any, ws: Workspace) -> Iterator[Any]:
    """The app on the bundled workshop, started as a user would: ``collab-graph app --port N``."""
    with harness.AppServer(env={WORKSPACE_ENV: str(ws.root)}) as srv:
        yield srv


@pytest.fixture(scope="module")
def evil_server(
    chromium: Any, ws: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    notes = tmp_path_factory.mktemp("evil") / "evil.txt"
    notes.write_text(
        f"Evil workshop\nGroup 1\nQuestion 1\nA)\n· {MALICIOUS}\n· Day job – no time\n",
        encoding="utf-8",
    )
    with harness.AppServer(paths=[notes], env={WORKSPACE_ENV: str(ws.root)}) as srv:
        yield srv


class Recorder:
    """Every request the page made, every request blocked, every JS dialog."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []

    def route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


@pytest.fixture
def browse(chromium: Any) -> Iterator[tuple[Any, Recorder]]:
    """A fresh page whose requests and dialogs are recorded; no request may leave localhost."""
    context = chromium.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    rec = Recorder()
    context.route("**/*", rec.route)
    page = context.new_page()
    page.on("dialog", rec.dialog)
    yield page, rec
    context.close()
    assert not rec.blocked, f"requests left localhost: {rec.blocked}"
    assert not rec.dialogs, f"JavaScript dialogs fired: {rec.dialogs}"


def shot(page: Any, name: str, *, height: int = 1000) -> Path:
    """Save a screenshot; Streamlit scrolls inside the page, so grow the window instead."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    if height != 1000:
        page.set_viewport_size({"width": 1500, "height": height})
        page.wait_for_timeout(700)
    page.screenshot(path=str(path))
    return path


def wait_text(page: Any, text: str, timeout: float = 30_000) -> None:
    page.get_by_text(text, exact=False).first.wait_for(timeout=timeout)


def test_explore_draws_the_expected_nodes(
    server: Any, browse: tuple[Any, Recorder], ws: Workspace
) -> None:
    page, rec = browse
    page.goto(server.url, wait_until="domcontentloaded")
    frame, drawn = harness.wait_for_graph(page, timeout=60)
    G = pipeline.graph(pipeline.Corpus(workspace=ws), cache=None)
    expected = viz.render(viz.filter_graph(G, kinds=viz.DEFAULT_KINDS)).nodes
    assert drawn == expected
    assert frame.evaluate("network.body.nodeIndices.length") == expected
    page.wait_for_timeout(400)
    shot(page, "explore")
    assert any(urlsplit(u).hostname == "127.0.0.1" for u in rec.requests)


def test_filter_change_redraws(server: Any, browse: tuple[Any, Recorder]) -> None:
    page, _ = browse
    page.goto(server.url, wait_until="domcontentloaded")
    _, before = harness.wait_for_graph(page, timeout=60)
    slider = page.get_by_role("slider").first
    slider.focus()
    start = time.perf_counter()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    _, after = harness.wait_for_graph(page, timeout=30, different_from=before)
    elapsed = time.perf_counter() - start
    assert after < before
    assert elapsed < 5.0, f"redraw took {elapsed:.2f} s"


def test_tooltip_shows_exact_text(server: Any, browse: tuple[Any, Recorder]) -> None:
    page, _ = browse
    page.goto(server.url, wait_until="domcontentloaded")
    frame, _ = harness.wait_for_graph(page, timeout=60)
    node = "workshop/collaborative-innovation-workshop/note/G3-Q1-D-6"
    hover_node(page, frame, node)
    popup = frame.locator("div.popup")
    popup.wait_for(state="visible", timeout=5000)
    text = popup.inner_text()
    assert "“Day job – no time”" in text
    assert "Group 3 · Question 1 · Prompt D · line" in text


def hover_node(page: Any, frame: Any, node: str) -> None:
    """Move the mouse onto a node of the vis network inside the iframe."""
    frame.evaluate(f"network.focus({node!r}, {{scale: 1.5, animation: false}})")
    page.wait_for_timeout(200)
    dom = frame.evaluate(f"network.canvasToDOM(network.getPositions([{node!r}])[{node!r}])")
    # canvasToDOM is relative to the canvas, which sits under the legend bar
    canvas = frame.evaluate("document.getElementById('mynetwork').getBoundingClientRect().toJSON()")
    frame_box = frame.frame_element().bounding_box()
    box = {"x": frame_box["x"] + canvas["x"], "y": frame_box["y"] + canvas["y"]}
    page.mouse.move(box["x"] + dom["x"] + 40, box["y"] + dom["y"] + 40)
    page.mouse.move(box["x"] + dom["x"], box["y"] + dom["y"], steps=5)
    page.wait_for_timeout(600)


def test_ask_shows_practices(server: Any, browse: tuple[Any, Recorder]) -> None:
    page, _ = browse
    page.goto(
        f"{server.url}/ask?ask_barrier={quote('Day job – no time')}", wait_until="domcontentloaded"
    )
    wait_text(page, "Barrier: Time and capacity", timeout=60_000)
    wait_text(page, "Supporting quotes")
    wait_text(page, "Protected / dedicated time for innovation")
    frame, _ = harness.wait_for_graph(page, timeout=30)
    page.wait_for_timeout(800)
    shot(page, "ask", height=1900)
    # every node and its label (the practice names) is inside the canvas, not cut off
    outside = frame.evaluate(
        """() => {
          const box = document.getElementById('mynetwork').getBoundingClientRect();
          const out = [];
          for (const id of network.body.nodeIndices) {
            const b = network.getBoundingBox(id);
            const tl = network.canvasToDOM({x: b.left, y: b.top});
            const br = network.canvasToDOM({x: b.right, y: b.bottom});
            if (tl.x < -2 || tl.y < -2 || br.x > box.width + 2 || br.y > box.height + 2) {
              out.push(id);
            }
          }
          return out;
        }"""
    )
    assert outside == []


def test_download_works(server: Any, browse: tuple[Any, Recorder]) -> None:
    page, _ = browse
    page.goto(f"{server.url}/export", wait_until="domcontentloaded")
    button = page.get_by_role("button", name="csv (.csv)")
    button.wait_for(timeout=60_000)
    shot(page, "export")
    with page.expect_download(timeout=60_000) as info:
        button.click()
    path = info.value.path()
    data = Path(path).read_text(encoding="utf-8")
    assert data.startswith("record,id,kind,label")
    assert "Day job – no time" in data


@pytest.mark.parametrize(
    ("slug", "marker"),
    [
        ("insights", "Barriers by number of groups"),
        ("notes", "Review a note"),
        ("data", "Parse report"),
    ],
)
def test_page_screenshots(
    server: Any, browse: tuple[Any, Recorder], slug: str, marker: str
) -> None:
    page, _ = browse
    page.goto(f"{server.url}/{slug}", wait_until="domcontentloaded")
    wait_text(page, marker, timeout=60_000)
    page.wait_for_timeout(1200)  # charts and tables finish drawing
    assert page.locator("[data-testid='stException']").count() == 0
    shot(page, slug, height=1700)


def test_overview_screenshot(server: Any, browse: tuple[Any, Recorder]) -> None:
    page, _ = browse
    page.goto(server.url, wait_until="domcontentloaded")
    _, notes_view = harness.wait_for_graph(page, timeout=60)
    page.get_by_text("Themes overview", exact=True).click()
    _, overview = harness.wait_for_graph(page, timeout=30, different_from=notes_view)
    assert overview < notes_view
    page.wait_for_timeout(400)
    shot(page, "explore-overview")


def test_malicious_note_runs_nothing(evil_server: Any, browse: tuple[Any, Recorder]) -> None:
    page, rec = browse
    page.goto(evil_server.url, wait_until="domcontentloaded")
    frame, drawn = harness.wait_for_graph(page, timeout=60)
    assert drawn > 0
    node = "workshop/evil/note/G1-Q1-A-1"
    hover_node(page, frame, node)
    popup = frame.locator("div.popup")
    popup.wait_for(state="visible", timeout=5000)
    assert MALICIOUS in popup.inner_text()  # shown as text
    assert frame.locator("div.popup img").count() == 0  # not as markup
    label = frame.evaluate(f"network.body.nodes[{node!r}].options.label")
    assert label.startswith("<img src=x")
    page.wait_for_timeout(300)
    assert not rec.dialogs
    shot(page, "malicious-note")
