"""AppTest of the Notes page's Review next list and its retrain offer (keep, discard, revert)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from collab_graph import pipeline
from collab_graph.coding import retrain
from collab_graph.coding import train as T
from collab_graph.graph.schema import note_node
from collab_graph.resources import data_path
from collab_graph.review.queue import review_next
from collab_graph.review.reviews import REVIEW_FIELDS, Review
from collab_graph.views import app_support as sup
from collab_graph.workspace import WORKSPACE_ENV, Workspace

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
WORKSHOP = "collaborative-innovation-workshop"
REFERENCE = data_path("training/reference-coding.csv")


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """The app reads and writes a fresh workspace of its own."""
    workspace = Workspace(tmp_path / "workspace")
    monkeypatch.setenv(WORKSPACE_ENV, str(workspace.root))
    monkeypatch.delenv(sup.PATHS_ENV, raising=False)
    return workspace


def write_reviews(ws: Workspace, ids: Sequence[str], kind: str | None = None) -> list[Review]:
    """Reviews of bundled notes with the reference coding's kinds (or ``kind``), as the app
    saves them (with the note's context)."""
    reference = {r["id"]: r["kind"] for r in csv.DictReader(REFERENCE.open(encoding="utf-8"))}
    corpus = pipeline.Corpus(workspace=ws)
    coded = pipeline.code(corpus, cache=None)
    notes = {c.note.id: c.note for c in coded.coded}
    reviews = [
        Review.of(
            notes[i],
            kind=kind or reference[i],
            reason="the reference coding",
            context=pipeline.note_context(corpus, coded, notes[i]),
        )
        for i in ids
    ]
    ws.update("reviews.csv", lambda _: [r.row() for r in reviews], header=REVIEW_FIELDS)
    return reviews


def notes_page(**state: object) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state["start_page"] = "notes"
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, key: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.key == key)


# -- Review next --------------------------------------------------------------------------------


def test_review_next_lists_the_least_sure_notes_first(ws: Workspace) -> None:
    at = notes_page()
    at.segmented_control(key="n_view").set_value("next").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["id", "text", "kind", "confidence", "needs review", "reasons"]
    # the order of the core function, on the classifier's coding
    coded = pipeline.code(pipeline.Corpus(workspace=ws), cache=None)
    G = pipeline.graph(pipeline.Corpus(workspace=ws), cache=None)
    reviewed = {(WORKSHOP, d["note_id"]) for _, d in G.nodes(data=True) if d.get("reviewed")}
    assert len(reviewed) == 7  # the bundled reference reviews
    expected = [c.note.id for c in review_next(coded.coded, reviewed)]
    assert list(table["id"]) == expected
    assert not reviewed & {(WORKSHOP, i) for i in table["id"]}
    # flagged first, then from the lowest confidence up
    flags = list(table["needs review"])
    assert flags == sorted(flags, reverse=True)
    assert flags[0]
    rest = list(table["confidence"][flags.count(True) :])
    assert rest == sorted(rest)
    assert all(table["reasons"])
    # the review form offers the least sure note first
    assert at.selectbox(key="n_next").value == note_node(WORKSHOP, expected[0])
    assert any(f"{len(expected)} notes not reviewed yet" in c.value for c in at.caption)


def test_saving_a_review_brings_up_the_next_note(ws: Workspace) -> None:
    at = notes_page(n_view="next")
    first, second = list(at.dataframe[0].value["id"][:2])
    assert at.selectbox(key="n_next").value == note_node(WORKSHOP, first)
    next(s for s in at.selectbox if s.label == "Kind").set_value("barrier")
    at.text_input(key="n_reason").set_value("an obstacle, read in its list")
    next(b for b in at.button if b.label == "Save review").click().run()
    assert not at.exception
    assert any(f"Saved the review of {first}" in s.value for s in at.success)
    ids = list(at.dataframe[0].value["id"])
    assert first not in ids
    assert ids[0] == second
    assert at.selectbox(key="n_next").value == note_node(WORKSHOP, second)
    assert at.text_input(key="n_reason").value == "", "the next note's reason starts blank"
    # the all-notes list still shows it, now reviewed
    at.segmented_control(key="n_view").set_value("all").run()
    rows = at.dataframe[0].value
    assert bool(rows.loc[rows["id"] == first, "reviewed"].iloc[0]) is True


# -- the retrain offer ------------------------------------------------------------------------


def test_no_offer_without_reviews_and_none_with_one_kind(ws: Workspace) -> None:
    at = notes_page()
    assert not [b for b in at.button if b.key == "n_retrain"]
    assert any("once you have reviewed notes of two kinds" in c.value for c in at.caption)
    write_reviews(ws, ["G1-Q1-A-1", "G1-Q1-A-2"], kind="barrier")
    at = notes_page()
    offer = button(at, "n_retrain")
    assert offer.label == "Retrain the classifier on 2 reviews"
    assert offer.disabled


def test_retrain_shows_before_and_after_then_keep_and_revert(ws: Workspace) -> None:
    ids = ["G3-Q1-D-6", "G1-Q2-C-4", "G5-Q1-B-4", "G1-Q1-B-1", "G2-Q1-A-4", "G4-Q1-B-1"]
    ids += ["G2-Q2-C-1", "G6-Q2-D-2", "G7-Q2-D-4", "G8-Q1-B-5"]
    write_reviews(ws, ids)
    at = notes_page()
    assert any("10 of your reviews can teach the classifier" in c.value for c in at.caption)
    key_before = pipeline.keys(pipeline.Corpus(workspace=ws)).coding

    button(at, "n_retrain").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    expected = retrain.compare(pipeline.review_examples(ws))
    heading = next(m.value for m in at.markdown if "Accuracy on your reviewed notes" in m.value)
    assert f"before {expected.before:.0%} → after {expected.after:.0%}" in heading
    right = round(expected.before * 10), round(expected.after * 10)
    detail = next(c.value for c in at.caption if "reviewed notes coded as you reviewed" in c.value)
    assert detail.startswith(f"{right[0]} → {right[1]} of 10 reviewed notes")
    assert f"cross-validated, {expected.folds} folds by note" in detail
    bundled = retrain.lowo_accuracy(pipeline.vocabulary(None).model)
    assert f"On the bundled labelled workshops (each left out in turn): {bundled:.1%} → " in detail
    per_kind = next(d.value for d in at.dataframe if "reviewed kind" in d.value.columns)
    assert per_kind["notes"].sum() == 10
    assert not ws.model.exists(), "nothing is written before the analyst keeps it"

    button(at, "n_keep").click().run()
    assert not at.exception
    assert any("Kept the model retrained on 10 reviews" in s.value for s in at.success)
    assert ws.model.is_file()
    assert pipeline.vocabulary(ws).model.meta["extra_examples"]["count"] == 10
    assert pipeline.keys(pipeline.Corpus(workspace=ws)).coding != key_before
    assert not [b for b in at.button if b.key == "n_keep"]
    assert any("the model retrained in your workspace" in m.value for m in at.markdown)

    button(at, "n_revert").click().run()
    assert not at.exception
    assert not ws.model.exists()
    assert list(ws.path("history").glob("kind-model-*.json"))
    assert pipeline.keys(pipeline.Corpus(workspace=ws)).coding == key_before
    assert not [b for b in at.button if b.key == "n_revert"]


def test_discarding_writes_nothing(ws: Workspace) -> None:
    reviews = write_reviews(ws, ["G3-Q1-D-6", "G1-Q2-C-4", "G5-Q1-B-4", "G1-Q1-B-1"])
    sets = [s for s in T.manifest() if s.role == "train"][:6]  # quick: a few sets
    result = retrain.retrain(pipeline.review_examples(ws), sets=sets)
    at = notes_page(retrained=result)
    assert any("Accuracy on your reviewed notes" in m.value for m in at.markdown)
    button(at, "n_discard").click().run()
    assert not at.exception
    assert not any("Accuracy on your reviewed notes" in m.value for m in at.markdown)
    assert not ws.model.exists()
    assert button(at, "n_retrain").label == f"Retrain the classifier on {len(reviews)} reviews"
