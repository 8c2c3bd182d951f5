"""Tests for analyst reviews (collab_graph.review.reviews) and their use by classify and the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collab_graph.cli import app
from collab_graph.coding.classifier import classify_and_review, classify_results
from collab_graph.errors import ReviewError
from collab_graph.ingest import parse_text
from collab_graph.model import NoteKind
from collab_graph.review.reviews import (
    apply_reviews,
    delete_review,
    load_reviews,
    save_review,
    text_hash,
)

NOTES = "## Group 1\n### Question 1\n- Challenges\n- Funding\n- Joint governance structure\n"


@pytest.fixture
def result():
    return parse_text(NOTES, source="review-demo.md")


def by_text(coded):
    return {c.note.text: c for c in coded}


def test_review_applies_and_keeps_classifier_kind(tmp_path: Path, result):
    path = tmp_path / "reviews.csv"
    note = next(n for n in result.notes if n.text == "Joint governance structure")
    before = by_text(classify_results([result], reviews=False))["Joint governance structure"]
    assert before.kind is NoteKind.BARRIER  # the "Challenges" heading scopes it

    save_review(
        note,
        kind="practice",
        themes=["p_governance_boards"],
        orgs=[],
        reason="a remedy listed under the challenges",
        path=path,
    )
    after = by_text(classify_results([result], reviews_path=path))["Joint governance structure"]
    assert after.kind is NoteKind.PRACTICE
    assert after.reviewed is True
    assert after.classifier_kind is NoteKind.BARRIER
    assert [t.id for t in after.themes] == ["p_governance_boards"]
    assert after.reasons[0] == "analyst review: a remedy listed under the challenges"
    assert after.confidence == 1.0
    # --no-reviews equivalent: the classifier alone
    alone = by_text(classify_results([result], reviews=False, reviews_path=path))
    assert alone["Joint governance structure"].reviewed is False


def test_review_is_stale_after_text_change(tmp_path: Path, result):
    path = tmp_path / "reviews.csv"
    note = next(n for n in result.notes if n.text == "Funding")
    save_review(note, kind="context", reason="just a topic word", path=path)

    changed = parse_text(NOTES.replace("- Funding", "- Funding gaps"), source="review-demo.md")
    outcome = classify_and_review([changed], reviews_path=path)
    assert [s.review.note_id for s in outcome.stale] == [note.id]
    assert "stale" in outcome.stale[0].message()
    coded = by_text(outcome.coded)["Funding gaps"]
    assert coded.reviewed is False
    assert coded.kind is NoteKind.BARRIER
    assert any("stale" in r for r in coded.reasons)


def test_save_review_upserts(tmp_path: Path, result):
    path = tmp_path / "reviews.csv"
    note = result.notes[1]
    save_review(note, kind="context", reason="first", path=path)
    save_review(note, kind="barrier", reason="second thoughts", path=path)
    [review] = load_reviews(path)
    assert review.kind is NoteKind.BARRIER
    assert review.reason == "second thoughts"
    assert review.text_hash == text_hash(note.text)
    assert delete_review(note.workshop, note.id, path) is True
    assert load_reviews(path) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "obstacle", "reason": "x"}, "unknown kind"),
        ({"kind": "barrier", "reason": "  "}, "give a reason"),
        ({"themes": ["b_nope"], "reason": "x"}, "unknown theme 'b_nope'"),
        ({"orgs": ["atlantis"], "reason": "x"}, "unknown organisation 'atlantis'"),
    ],
)
def test_invalid_reviews_are_refused(tmp_path: Path, result, kwargs, message):
    with pytest.raises(ReviewError, match=message):
        save_review(result.notes[1], path=tmp_path / "r.csv", **kwargs)
    assert not (tmp_path / "r.csv").exists()


def test_bad_reviews_file_names_line(tmp_path: Path):
    path = tmp_path / "reviews.csv"
    path.write_text(
        "workshop,note_id,text_hash,kind,themes,orgs,reason\nw,n1,abc,barrier,,,ok\nw,n2,abc,bad,,,x\n",
        encoding="utf-8",
    )
    with pytest.raises(ReviewError, match=r"reviews.csv: line 3: unknown kind 'bad'"):
        load_reviews(path)


def test_apply_reviews_leaves_other_notes(result):
    coded = classify_results([result], reviews=False)
    review = replace(load_reviews_for(result.notes[1]), kind=NoteKind.CONTEXT)
    out = apply_reviews(coded, [review])
    assert [c.reviewed for c in out.coded] == [False, True, False]
    assert out.applied == (review,)


def load_reviews_for(note):
    from collab_graph.review.reviews import make_review

    return make_review(note, reason="test")


def test_bundled_reviews_are_current():
    outcome = classify_and_review([parse_text_bundled()])
    assert outcome.stale == ()
    assert outcome.unmatched == ()
    assert len(outcome.applied) >= 1


def parse_text_bundled():
    from collab_graph.ingest import load

    return load([])[0]


def test_cli_classify_no_reviews_and_stale_warning(tmp_path: Path, monkeypatch):
    notes = tmp_path / "demo.md"
    notes.write_text(NOTES, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    result = parse_text(NOTES, source=str(notes))
    note = next(n for n in result.notes if n.text == "Funding")
    save_review(
        replace(note, workshop=result.workshop.slug),
        kind="context",
        reason="r",
        path=data / "reviews.csv",
    )
    monkeypatch.setattr("collab_graph.review.reviews.reviews_path", lambda: data / "reviews.csv")
    runner = CliRunner()
    reviewed = runner.invoke(app, ["classify", str(notes)])
    assert reviewed.exit_code == 0, reviewed.output
    recs = [json.loads(line) for line in reviewed.stdout.splitlines()]
    assert {r["text"]: r["kind"] for r in recs}["Funding"] == "context"
    alone = runner.invoke(app, ["classify", str(notes), "--no-reviews"])
    recs = [json.loads(line) for line in alone.stdout.splitlines()]
    assert {r["text"]: r["kind"] for r in recs}["Funding"] == "barrier"

    notes.write_text(NOTES.replace("- Funding", "- Funding gaps"), encoding="utf-8")
    stale = runner.invoke(app, ["classify", str(notes)])
    assert stale.exit_code == 0
    assert "stale review" in stale.stderr
