"""Write a screenshot of every page of the app (``docs/screenshot-*.png``) in Chromium at 1440×900.

Run from the repository root (needs Debian's chromium and playwright, as the browser tests)::

    python docs/make_screenshots.py [--out DIR] [--only NAME ...]

It starts ``collab-graph app`` on the bundled workshop and ``tests/data/taxonomy_canteen.md``
(notes about the canteen, which no theme covers, so the Taxonomy page has a suggestion to
show) with a fresh workspace and cache. Each shot is the 1440×900 window after scrolling the
named part of the page into view: the pages are longer than one window, and every table and
chart is shot where it is drawn, so each can be checked by eye (``st.dataframe`` draws on a
canvas, so only a look tells whether a column is cut off).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collab_graph.cache import CACHE_ENV
from collab_graph.resources import default_notes
from collab_graph.workspace import WORKSPACE_ENV

ROOT = Path(__file__).resolve().parents[1]
NOTES = [default_notes(), ROOT / "tests" / "data" / "taxonomy_canteen.md"]
LONG = 120_000  # ms: the first page load parses and codes the notes


def _harness() -> Any:
    """``tests/app_harness.py``, the browser tests' own app server and Chromium."""
    sys.path.insert(0, str(ROOT / "tests"))
    import app_harness

    return app_harness


def _scroll_to(page: Any, text: str) -> None:
    target = page.get_by_text(text, exact=True).first
    target.wait_for(timeout=60_000)
    target.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(1200)  # the canvas grids and Vega charts draw after the text


def _explore(page: Any, url: str) -> list[tuple[str, Callable[[], None]]]:
    page.goto(url, wait_until="domcontentloaded")  # the start page is served at "/" only
    sys.modules["app_harness"].wait_for_graph(page, timeout=LONG / 1000)
    page.wait_for_timeout(3000)  # the layout settles
    return [("explore", lambda: None)]


def _ask(page: Any, url: str) -> list[tuple[str, Callable[[], None]]]:
    page.goto(f"{url}/ask?ask_barrier=Time+and+capacity", wait_until="domcontentloaded")
    page.get_by_text("Supporting quotes").wait_for(timeout=LONG)
    page.wait_for_timeout(2500)

    def quotes() -> None:
        _scroll_to(page, "Supporting quotes")

    def several() -> None:
        _scroll_to(page, "Several barriers at once")
        page.locator('[data-testid="stMultiSelect"]').first.click()
        for name in ("Time and capacity", "Funding and budgets"):
            page.keyboard.type(name)
            page.keyboard.press("Enter")
            page.wait_for_timeout(800)
        page.keyboard.press("Escape")
        page.locator("th", has_text="combined score").first.wait_for(
            state="attached", timeout=60_000
        )
        _scroll_to(page, "Several barriers at once")

    return [("ask", lambda: None), ("ask-quotes", quotes), ("ask-several", several)]


def _insights(page: Any, url: str) -> list[tuple[str, Callable[[], None]]]:
    page.goto(f"{url}/insights", wait_until="domcontentloaded")
    page.get_by_text("Themes by group").wait_for(timeout=LONG)
    page.wait_for_timeout(2500)
    return [
        ("insights", lambda: None),
        ("insights-heatmap", lambda: _scroll_to(page, "Themes by group")),
        ("insights-gaps", lambda: _scroll_to(page, "Organisations mentioned")),
        (
            "insights-share",
            lambda: _scroll_to(page, "Practices one group could share with another"),
        ),
    ]


def _notes(page: Any, url: str) -> list[tuple[str, Callable[[], None]]]:
    page.goto(f"{url}/notes", wait_until="domcontentloaded")
    page.get_by_text("Review a note").wait_for(timeout=LONG)
    page.wait_for_timeout(2500)

    def next_up() -> None:
        page.get_by_text("Review next", exact=True).first.click()
        page.get_by_text("least sure first", exact=False).first.wait_for(timeout=60_000)
        page.wait_for_timeout(2000)

    return [("notes", lambda: None), ("notes-review-next", next_up)]


def _taxonomy(page: Any, url: str) -> list[tuple[str, Callable[[], None]]]:
    page.goto(f"{url}/taxonomy", wait_until="domcontentloaded")
    page.get_by_text("Edit a theme's keywords").wait_for(timeout=LONG)

    def tab(name: str, ready: str) -> Callable[[], None]:
        def show() -> None:
            page.get_by_role("tab", name=name).click()
            page.get_by_text(ready).first.wait_for(timeout=60_000)
            page.wait_for_timeout(1500)

        return show

    return [
        ("taxonomy-themes", tab("Themes", "Edit a theme's keywords")),
        ("taxonomy-suggestions", tab("Suggestions", "Accept as a new theme")),
        ("taxonomy-links", tab("Links", "Add a link")),
        ("taxonomy-organisations", tab("Organisations and tools", "Name a detected mention")),
    ]


def _data(page: Any, url: str) -> list[tuple[str, Callable[[], None]]]:
    page.goto(f"{url}/data", wait_until="domcontentloaded")
    page.get_by_text("Parse report").wait_for(timeout=LONG)
    page.wait_for_timeout(2000)
    return [("data", lambda: None)]


def _export(page: Any, url: str) -> list[tuple[str, Callable[[], None]]]:
    page.goto(f"{url}/export", wait_until="domcontentloaded")
    page.get_by_text("SPARQL (read-only)").wait_for(timeout=LONG)
    page.wait_for_timeout(1500)

    def run() -> None:
        page.get_by_role("button", name="Run query").click()
        page.get_by_text("row(s)", exact=False).first.wait_for(timeout=60_000)
        _scroll_to(page, "SPARQL (read-only)")

    return [("export", lambda: None), ("export-sparql", run)]


PAGES = {
    "explore": _explore,
    "ask": _ask,
    "insights": _insights,
    "notes": _notes,
    "taxonomy": _taxonomy,
    "data": _data,
    "export": _export,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--only", nargs="*", choices=sorted(PAGES), default=sorted(PAGES))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    harness = _harness()
    tmp = Path(tempfile.mkdtemp(prefix="collab-graph-shots-"))
    env = {WORKSPACE_ENV: str(tmp / "workspace"), CACHE_ENV: str(tmp / "cache")}
    with harness.browser() as b, harness.AppServer(paths=NOTES, env=env) as server:
        for name in args.only:
            page = b.new_page(viewport={"width": 1440, "height": 900})
            for shot, prepare in PAGES[name](page, server.url):
                prepare()
                path = args.out / f"screenshot-{shot}.png"
                page.screenshot(path=str(path))
                print(path)
            page.close()


if __name__ == "__main__":
    main()
