"""Write the Taxonomy page's screenshots (docs/screenshot-taxonomy-*.png) in Chromium at 1440×900.

Run from the repository root (needs Debian's chromium and playwright, as the browser tests)::

    python docs/make_taxonomy_screenshots.py

It starts ``collab-graph app`` on the bundled workshop and ``tests/data/taxonomy_canteen.md``
(notes about the canteen, which no theme covers, so there is a suggestion to show) with a
fresh workspace and cache, and shoots the Themes, Suggestions and Organisations tabs.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

from collab_graph.cache import CACHE_ENV
from collab_graph.resources import default_notes
from collab_graph.workspace import WORKSPACE_ENV

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs"
NOTES = [default_notes(), ROOT / "tests" / "data" / "taxonomy_canteen.md"]


def _harness() -> object:
    spec = importlib.util.spec_from_file_location("app_harness", ROOT / "tests" / "app_harness.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["app_harness"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    harness: object = _harness()
    tmp = Path(tempfile.mkdtemp(prefix="taxonomy-shots-"))
    env = {WORKSPACE_ENV: str(tmp / "workspace"), CACHE_ENV: str(tmp / "cache")}
    with harness.browser() as b, harness.AppServer(paths=NOTES, env=env) as server:  # type: ignore[attr-defined]
        page = b.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{server.url}/taxonomy", wait_until="domcontentloaded")
        page.get_by_text("Edit a theme's keywords").wait_for(timeout=120_000)
        for tab, name, ready in (
            ("Themes", "themes", "Edit a theme's keywords"),
            ("Suggestions", "suggestions", "Accept as a new theme"),
            ("Organisations and tools", "organisations", "Name a detected mention"),
        ):
            page.get_by_role("tab", name=tab).click()
            page.get_by_text(ready).wait_for(timeout=60_000)
            page.wait_for_timeout(1500)  # the canvas grids draw after the text
            path = OUT / f"screenshot-taxonomy-{name}.png"
            page.screenshot(path=str(path))
            print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
