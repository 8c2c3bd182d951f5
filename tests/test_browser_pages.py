"""Every page of the app opens by its own URL (issue 15): /ask, /notes, /taxonomy, ...

Starts ``collab-graph app`` on the bundled workshop and drives Debian's Chromium
(same harness as ``tests/test_browser.py``; skipped locally without Chromium,
required under ``CI=true``). The pages are the sidebar's links, so a page added
later is checked too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import app_harness as harness  # loaded by conftest.py

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    with harness.AppServer() as srv:
        yield srv


def _heading(page: Any, *, other_than: str = "") -> str:
    """The page's title, once it is drawn (and no longer ``other_than``, the last page's)."""
    h1 = page.locator("h1").first
    h1.wait_for(timeout=90_000)
    for _ in range(180):  # a cap: 90 s
        text = str(h1.inner_text()).strip()
        if text and text != other_than:
            return text
        page.wait_for_timeout(500)
    raise AssertionError(f"the page still shows {other_than!r}")


def test_every_page_opens_by_its_own_url(chromium: Any, server: Any) -> None:
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.goto(server.url, wait_until="domcontentloaded")
    links = page.locator("[data-testid='stSidebarNav'] a")
    links.first.wait_for(timeout=90_000)
    hrefs = [str(links.nth(i).get_attribute("href")) for i in range(links.count())]
    paths = sorted({h.rsplit("/", 1)[-1] for h in hrefs} - {""})
    assert {"ask", "notes", "taxonomy", "export"} <= set(paths), hrefs
    # the heading each page shows when reached from the sidebar
    by_click: dict[str, str] = {}
    shown = _heading(page)
    for i, path in enumerate(h.rsplit("/", 1)[-1] for h in hrefs):
        if i:  # the first link is the page already open
            links.nth(i).click()
            page.wait_for_url(f"**/{path}")
            shown = _heading(page, other_than=shown)
        by_click[path or "explore"] = shown
    assert len(set(by_click.values())) == len(by_click), by_click  # each page its own
    for path in paths:
        direct = chromium.new_page(viewport={"width": 1440, "height": 900})
        direct.goto(f"{server.url}/{path}", wait_until="domcontentloaded")
        assert _heading(direct) == by_click[path], path
        assert direct.url.rstrip("/").endswith(f"/{path}"), direct.url
        assert direct.get_by_text("Page not found").count() == 0, path
        assert direct.locator("[data-testid='stException']").count() == 0, path
        direct.close()


def test_selecting_a_notes_row_opens_it_in_the_review_form(chromium: Any, server: Any) -> None:
    """Long theme and organisation lists wrap to four lines in the Notes table; a row
    selected in the table is the note the review form shows, with its whole coding."""
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{server.url}/notes", wait_until="domcontentloaded")
    page.get_by_text("Review a note").wait_for(timeout=120_000)
    # the review form's caption: where the note is, its text, its coding
    note = page.locator("[data-testid='stCaptionContainer']").filter(has_text="· coded ").first
    note.wait_for(timeout=60_000)
    first = note.inner_text()
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    assert box is not None
    # the row-marker column on the left, in the second row (header ~36 px, rows 65-96 px);
    # the grid takes clicks once its canvas is drawn, so try a few times
    for _ in range(10):
        page.mouse.click(box["x"] + 12, box["y"] + 146)
        page.wait_for_timeout(1500)
        if note.inner_text() != first:
            break
    assert note.inner_text() != first, "the selected row's note is in the review form"
    page.close()
