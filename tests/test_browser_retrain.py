"""The Notes page's retrain flow in a real browser: Review next, Retrain, Keep, Revert.

Runs ``collab-graph app`` on the bundled workshop with a workspace of twelve
reviews and drives it in Debian's Chromium, as ``tests/test_browser.py`` does
(same harness; skipped locally without Chromium, required under ``CI=true``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import app_harness as harness  # loaded by conftest.py
from collab_graph import pipeline
from collab_graph.coding import retrain
from collab_graph.resources import data_path
from collab_graph.review.queue import review_next
from collab_graph.review.reviews import REVIEW_FIELDS, Review
from collab_graph.workspace import WORKSPACE_ENV, Workspace

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", ""}
REVIEWED = 12


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace whose analyst reviewed the twelve notes the classifier is least sure of,
    with the kinds of the reference coding."""
    workspace = Workspace(tmp_path_factory.mktemp("retrain-workspace"))
    path = data_path("training/reference-coding.csv")
    reference = {r["id"]: r["kind"] for r in csv.DictReader(path.open(encoding="utf-8"))}
    corpus = pipeline.Corpus(workspace=workspace)
    coded = pipeline.code(corpus, cache=None)
    queue = [c for c in review_next(coded.coded) if reference[c.note.id] != "heading"]
    rows = [
        Review.of(
            c.note,
            kind=reference[c.note.id],
            reason="the reference coding",
            context=pipeline.note_context(corpus, coded, c.note),
        ).row()
        for c in queue[:REVIEWED]
    ]
    workspace.update("reviews.csv", lambda _: rows, header=REVIEW_FIELDS)
    return workspace


@pytest.fixture(scope="module")
def server(chromium: Any, ws: Workspace) -> Iterator[Any]:
    with harness.AppServer(env={WORKSPACE_ENV: str(ws.root)}) as srv:
        yield srv


def test_retrain_keep_and_revert_in_the_browser(chromium: Any, server: Any, ws: Workspace) -> None:
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    blocked: list[str] = []

    def local_only(route: Any) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/notes", wait_until="domcontentloaded")
        page.get_by_text("Review a note", exact=True).wait_for(timeout=90_000)

        # Review next: the least sure note not reviewed yet comes first
        page.get_by_text("Review next", exact=True).click()
        page.get_by_text("notes not reviewed yet").first.wait_for(timeout=30_000)
        G = pipeline.graph(pipeline.Corpus(workspace=ws), cache=None)
        reviewed = {
            (d["workshop"], d["note_id"]) for _, d in G.nodes(data=True) if d.get("reviewed")
        }
        coded = pipeline.code(pipeline.Corpus(workspace=ws), cache=None)
        first = review_next(coded.coded, reviewed)[0].note
        choice = page.get_by_role("combobox", name="Note")
        choice.wait_for(timeout=30_000)
        assert choice.input_value().startswith(f"{first.id}: ")

        # Retrain: a progress bar, then before -> after
        offer = page.get_by_role("button", name=f"Retrain the classifier on {REVIEWED} reviews")
        offer.scroll_into_view_if_needed()
        offer.click()
        page.get_by_text("Retraining the classifier on").first.wait_for(timeout=30_000)
        keep = page.get_by_role("button", name="Keep the new model")
        keep.wait_for(timeout=180_000)
        heading = page.get_by_text(re.compile(r"Accuracy on your reviewed notes: before"))
        expected = retrain.compare(pipeline.review_examples(ws))
        assert heading.inner_text().strip() == (
            f"Accuracy on your reviewed notes: before {expected.before:.0%} → "
            f"after {expected.after:.0%}"
        )
        assert page.get_by_text(f"cross-validated, {expected.folds} folds by note").count() == 1
        assert not ws.model.exists(), "nothing is written before the analyst keeps it"
        heading.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(500)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "notes-retrained.png"))

        # Keep: written to the workspace, the notes are coded with it
        keep.click()
        page.get_by_text("Kept the model retrained on").wait_for(timeout=120_000)
        assert ws.model.is_file()
        assert pipeline.vocabulary(ws).model.meta["extra_examples"]["count"] == REVIEWED
        revert = page.get_by_role("button", name="Revert to the bundled model")
        revert.wait_for(timeout=30_000)

        # Revert: back to the bundled model, the retrained one kept in the history
        revert.click()
        page.get_by_text("Back to the bundled model").wait_for(timeout=120_000)
        assert not ws.model.exists()
        assert list(ws.path("history").glob("kind-model-*.json"))
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        context.close()
    assert not blocked, f"requests left localhost: {blocked}"
