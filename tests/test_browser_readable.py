"""The Explore graph is readable in a real browser: no overlapping labels, none too small.

Measured in Debian's Chromium from vis-network's own state, not from our Python
estimates: every node's label box (``network.body.nodes[id].labelModule.size``,
in canvas units, drawn where ``labelModule.visible()`` says so) is mapped to the
screen with ``network.canvasToDOM``, and the on-screen type size is the node's
configured font size times ``network.getScale()``. Labels that vis-network
hides at this zoom (``scaling.label.drawThreshold``) are not drawn and are not
counted, nor are the labels of nodes off the canvas (vis-network neither draws
nor re-measures them); every practice, barrier and benefit theme in view must be
labelled.

Four states of the bundled workshop's Explore page, at 1440×900: the default
view, the practices/barriers/benefits filter, a group filter, and the view after
a small upload. Screenshots go to ``test-artifacts/screenshots/`` (the ones in
``docs/`` are copies of these).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import app_harness as harness  # loaded by conftest.py
from collab_graph.workspace import WORKSPACE_ENV, Workspace

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
MIN_LABEL_PX = 11.0
THEME_KINDS = ("practice", "barrier", "benefit")
UPLOAD = (
    b"Small workshop\nGroup 1\nQuestion 1\nA)\n"
    b"- Staff have no time for new projects\n"
    b"- Funding for pilots ends after a year\n"
    b"- Shared digital platform with the NHS\n"
    b"- A champion in every team helped\n"
)


# Everything is read from vis-network itself. A label box is in canvas units;
# canvasToDOM maps it to the iframe's pixels. The kind is read from the node's
# shape, which views/network.py sets per kind (diamond, triangle, star).
MEASURE_JS = """
(themeShapes) => {
  const box = document.getElementById('mynetwork').getBoundingClientRect();
  const scale = network.getScale();
  const shown = [];
  const themesInView = [];
  const unlabelledThemes = [];
  for (const id of network.body.nodeIndices) {
    const node = network.body.nodes[id];
    const pos = network.canvasToDOM(network.getPositions([id])[id]);
    const inView = pos.x >= 0 && pos.y >= 0 && pos.x <= box.width && pos.y <= box.height;
    const isTheme = themeShapes.includes(node.options.shape);
    const lab = node.labelModule;
    const visible = !!node.options.label && lab.visible();
    if (isTheme && inView) {
      themesInView.push(id);
      if (!visible) unlabelledThemes.push(id);
    }
    // vis draws (and so measures) only the nodes in view; a label box of a node off
    // the canvas is left from an earlier drawing
    if (!visible || !inView) continue;
    const s = lab.size;
    const tl = network.canvasToDOM({x: s.left, y: s.top});
    const br = network.canvasToDOM({x: s.left + s.width, y: s.top + s.height});
    const onScreen = br.x > 0 && br.y > 0 && tl.x < box.width && tl.y < box.height;
    shown.push({id: id, label: node.options.label, px: lab.fontOptions.size * scale,
                l: tl.x, t: tl.y, r: br.x, b: br.y, onScreen: onScreen});
  }
  const overlaps = [];
  for (let i = 0; i < shown.length; i++) {
    for (let j = i + 1; j < shown.length; j++) {
      const a = shown[i], b = shown[j];
      if (a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b) {
        overlaps.push([a.label, b.label]);
      }
    }
  }
  const sizes = shown.filter(s => s.onScreen).map(s => s.px);
  const allInView = network.body.nodeIndices.every(id => {
    const p = network.canvasToDOM(network.getPositions([id])[id]);
    return p.x >= 0 && p.y >= 0 && p.x <= box.width && p.y <= box.height;
  });
  // the page zooms out no further than this (the scale at which themes stay labelled)
  const clamped = typeof cgLeastScale === 'number' && scale <= cgLeastScale + 1e-6;
  return {
    clamped: clamped,
    nodes: network.body.nodeIndices.length,
    allInView: allInView,
    scale: scale,
    width: box.width,
    height: box.height,
    labels: shown.filter(s => s.onScreen).length,
    minPx: sizes.length ? Math.min(...sizes) : null,
    overlaps: overlaps,
    themesInView: themesInView.length,
    unlabelledThemes: unlabelledThemes,
    clipped: shown.filter(s => s.onScreen && (s.l < -1 || s.t < -1 || s.r > box.width + 1
                                            || s.b > box.height + 1)).map(s => s.label),
  };
}
"""


SHAPES_JS = (
    "() => [...new Set(network.body.nodeIndices.map(i => network.body.nodes[i].options.shape))]"
)


@pytest.fixture(scope="module")
def server(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    ws = Workspace(tmp_path_factory.mktemp("workspace"))
    with harness.AppServer(env={WORKSPACE_ENV: str(ws.root)}) as srv:
        yield srv


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    yield context.new_page()
    context.close()


def measure(page: Any, frame: Any) -> dict[str, Any]:
    page.wait_for_timeout(600)  # the refit after the first drawing
    theme_shapes = ["diamond", "triangle", "star"]
    result: dict[str, Any] = frame.evaluate(MEASURE_JS, theme_shapes)
    return result


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def assert_readable(m: dict[str, Any]) -> None:
    assert m["overlaps"] == [], f"{len(m['overlaps'])} overlapping labels: {m['overlaps'][:5]}"
    assert m["labels"] > 0
    assert m["minPx"] >= MIN_LABEL_PX, f"smallest label {m['minPx']:.1f} px"
    assert m["themesInView"] > 0
    assert m["unlabelledThemes"] == [], f"themes in view without a label: {m['unlabelledThemes']}"
    if not m["clamped"]:  # the whole graph fits readably: no label may be cut off
        assert m["clipped"] == [], f"labels cut off by the frame: {m['clipped']}"


def _multiselect(page: Any, label: str) -> Any:
    title = page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMultiSelect").filter(has=title).first


def choose(page: Any, label: str, options: list[str], *, clear: bool) -> None:
    """Set a sidebar multiselect as a user would: clear it, then pick each option."""
    widget = _multiselect(page, label)
    if clear:
        widget.get_by_role("button", name="Clear all").click()
        page.wait_for_timeout(300)
    for option in options:
        widget.locator("input").click()
        page.keyboard.type(option)
        page.get_by_role("option", name=option, exact=True).click()
        page.wait_for_timeout(300)
    page.keyboard.press("Escape")
    page.wait_for_timeout(1500)  # the reruns of each pick settle


def test_default_view_is_readable(server: Any, page: Any) -> None:
    page.goto(server.url, wait_until="domcontentloaded")
    frame, _ = harness.wait_for_graph(page, timeout=90)
    m = measure(page, frame)
    shot(page, "explore-default")
    print("default", {k: v for k, v in m.items() if k != "overlaps"}, len(m["overlaps"]))
    assert_readable(m)


def test_theme_filter_is_readable(server: Any, page: Any) -> None:
    page.goto(server.url, wait_until="domcontentloaded")
    _, before = harness.wait_for_graph(page, timeout=90)
    choose(page, "Node kinds", ["Practices", "Barriers", "Benefits"], clear=True)
    frame, _ = harness.wait_for_graph(page, timeout=30, different_from=before)
    m = measure(page, frame)
    shot(page, "explore-themes")
    assert sorted(frame.evaluate(SHAPES_JS)) == ["diamond", "star", "triangle"]
    print("themes", {k: v for k, v in m.items() if k != "overlaps"}, len(m["overlaps"]))
    assert m["nodes"] == m["themesInView"], "every theme is in view"
    assert_readable(m)


def test_group_filter_shows_only_what_the_group_touches(server: Any, page: Any) -> None:
    page.goto(server.url, wait_until="domcontentloaded")
    _, before = harness.wait_for_graph(page, timeout=90)
    choose(page, "Groups", ["Group 3"], clear=False)
    frame, n = harness.wait_for_graph(page, timeout=30, different_from=before)
    m = measure(page, frame)
    shot(page, "explore-group")
    print("group", {k: v for k, v in m.items() if k != "overlaps"}, len(m["overlaps"]))
    # every theme and organisation drawn is linked to a note of the group
    untouched = frame.evaluate(
        """() => network.body.nodeIndices.filter(id => {
             const shape = network.body.nodes[id].options.shape;
             const hubs = ['diamond', 'triangle', 'star', 'hexagon', 'square'];
             if (!hubs.includes(shape)) return false;
             return network.getConnectedNodes(id).length === 0;
           })"""
    )
    assert untouched == []
    assert n < before / 2
    assert_readable(m)


def test_view_after_an_upload_is_readable(server: Any, page: Any) -> None:
    page.goto(f"{server.url}/data", wait_until="domcontentloaded")
    page.get_by_text("Upload notes", exact=True).wait_for(timeout=90_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [{"name": "small.txt", "mimeType": "text/plain", "buffer": UPLOAD}]
    )
    page.get_by_test_id("stFileChipName").get_by_text("small.txt").wait_for(timeout=30_000)
    page.get_by_text("replace the workshops in use").first.click()
    page.get_by_role("button", name="Load", exact=True).click()
    page.get_by_test_id("stAlertContentSuccess").first.wait_for(timeout=60_000)
    page.get_by_role("link", name="Explore").first.click()
    frame, n = harness.wait_for_graph(page, timeout=60)
    m = measure(page, frame)
    shot(page, "explore-upload")
    print("upload", {k: v for k, v in m.items() if k != "overlaps"}, len(m["overlaps"]))
    # the four notes and what they touch, not the whole taxonomy around them
    assert n <= 4 + 4 * 3 + 1
    assert_readable(m)
