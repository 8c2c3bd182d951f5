"""Uploads keyed by content in a real browser: ``collab-graph app`` driven by Debian's Chromium.

The same flows as ``tests/test_uploads.py`` (same harness as ``tests/test_browser.py``;
skipped locally without Chromium, required under ``CI=true``): two names that clean
alike, a new file under an old name, an upload error without server paths, and the
session's upload folder removed once the browser has gone.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import app_harness as harness  # loaded by conftest.py
from collab_graph.views import uploads as up
from collab_graph.workspace import WORKSPACE_ENV, Workspace

pytestmark = pytest.mark.browser

TWO = b"Workshop A\nGroup 1\nQuestion 1\nA)\n- alpha one\n- alpha two\n"
THREE = b"Workshop B\nGroup 1\nQuestion 1\nA)\n- beta one\n- beta two\n- beta three\n"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-uploads")


@pytest.fixture(scope="module")
def server(chromium: Any, root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app with its own uploads root; a closed tab counts as gone after about 3 s."""
    env = {
        WORKSPACE_ENV: str(Workspace(tmp_path_factory.mktemp("ws")).root),
        up.UPLOADS_ENV: str(root),
        up.SWEEP_ENV: "1",
        "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "1",
    }
    with harness.AppServer(env=env) as srv:
        yield srv


def _upload(page: Any, *files: tuple[str, bytes], how: str = "replace") -> None:
    delete = page.locator('[data-testid="stFileChipDeleteBtn"] button')
    for _ in range(20):  # remove what the uploader holds, one file at a time
        if delete.count() == 0:
            break
        left = delete.count()
        delete.first.click()
        page.wait_for_function(
            "n => document.querySelectorAll("
            "'[data-testid=\"stFileChipDeleteBtn\"] button').length < n",
            arg=left,
            timeout=10_000,
        )
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [{"name": n, "mimeType": "text/plain", "buffer": b} for n, b in files]
    )
    chips = page.locator('[data-testid="stFileChipName"]')
    for name, _ in files:
        chips.get_by_text(name, exact=True).first.wait_for(timeout=30_000)
    label = "replace the workshops in use" if how == "replace" else "add workshops"
    page.get_by_text(label).first.click()
    page.get_by_role("button", name="Load", exact=True).click()


def _message(page: Any, testid: str) -> str:
    alert = page.locator(f'[data-testid="{testid}"]').first
    alert.wait_for(timeout=60_000)
    return str(alert.inner_text())


def _back(page: Any) -> None:
    page.get_by_role("button", name="Back to the bundled workshop").click()
    page.get_by_text("the bundled workshop").first.wait_for(timeout=30_000)


def test_uploads_are_keyed_by_content_in_the_browser(
    chromium: Any, server: Any, root: Path
) -> None:
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/data", wait_until="domcontentloaded")
    page.get_by_text("Upload notes", exact=True).wait_for(timeout=90_000)

    # two names that clean to the same name: both workshops, 2 + 3 notes
    _upload(page, ("a b.txt", TWO), ("a_b.txt", THREE))
    assert _message(page, "stAlertContentSuccess") == "Loaded 2 workshop(s) with 5 notes."
    _back(page)

    # notes.txt, back, another notes.txt: the second file's notes
    _upload(page, ("notes.txt", TWO))
    assert _message(page, "stAlertContentSuccess") == "Loaded 1 workshop(s) with 2 notes."
    _back(page)
    _upload(page, ("notes.txt", THREE))
    assert _message(page, "stAlertContentSuccess") == "Loaded 1 workshop(s) with 3 notes."
    page.get_by_text("Workshop B").first.wait_for(state="attached", timeout=30_000)  # a grid cell

    # an error names the file, never the server's folders
    _upload(page, ("binary notes.txt", b"Group 1\n- a\x00b\n"))
    error = _message(page, "stAlertContentError")
    assert "binary notes.txt" in error
    assert str(root) not in error
    assert "/tmp" not in error
    os.makedirs("/work/scratch/shots-uploads-cache", exist_ok=True)
    page.screenshot(path="/work/scratch/shots-uploads-cache/data-upload-error.png")

    sessions = [p for p in root.iterdir() if p.name.startswith(up.SESSION_PREFIX)]
    assert len(sessions) == 1
    assert sum(1 for _ in sessions[0].rglob("*.txt")) == 5  # a b, a_b, notes ×2, binary

    # the tab goes: the session's folder follows once Streamlit has let the session go
    context.close()
    deadline = time.monotonic() + 60
    while sessions[0].exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not sessions[0].exists()
