"""Analyst reviews (collab_graph.review.reviews): a stage of their own, saved in the workspace."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collab_graph import pipeline
from collab_graph.cli import app
from collab_graph.coding.classifier import classify_results
from collab_graph.errors import ReviewError
from collab_graph.ingest import parse_text
from collab_graph.model import NoteKind
from collab_graph.review.reviews import (
    Review,
    apply_reviews,
    bundled_reviews_path,
    delete_review,
    load_reviews,
    save_review,
    text_hash,
)
from collab_graph.workspace import Workspace

NOTES = "## Group 1\n### Question 1\n- Challenges\n- Funding\n- Governance structure\n"
HEADER = "workshop,note_id,text_hash,kind,themes,orgs,reason\n"


@pytest.fixture
def result():
    return parse_text(NOTES, source="review-demo.md")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws")


def by_text(coded):
    return {c.note.text: c for c in coded}


def vocab_kwargs():
    vocab = pipeline.vocabulary()
    return {"themes": vocab.taxonomy.themes, "organisations": vocab.gazetteer.organisations}


def test_review_applies_and_keeps_classifier_kind(ws: Workspace, result):
    coded = classify_results([result])
    note = next(n for n in result.notes if n.text == "Governance structure")
    assert by_text(coded)["Governance structure"].kind is NoteKind.BARRIER  # "Challenges"

    review = Review.of(
        note,
        kind="practice",
        themes=["p_governance_boards"],
        orgs=[],
        reason="a remedy listed under the challenges",
    )
    save_review(ws, review, **vocab_kwargs())
    out = apply_reviews(coded, load_reviews(ws.reviews), **vocab_kwargs())
    after = by_text(out.coded)["Governance structure"]
    assert after.kind is NoteKind.PRACTICE
    assert after.reviewed is True
    assert after.classifier_kind is NoteKind.BARRIER
    assert [t.id for t in after.themes] == ["p_governance_boards"]
    assert after.reasons[0] == "analyst review: a remedy listed under the challenges"
    assert after.confidence == 1.0
    assert by_text(coded)["Governance structure"].reviewed is False  # coding untouched


def test_review_is_stale_after_text_change(ws: Workspace, result):
    note = next(n for n in result.notes if n.text == "Funding")
    save_review(ws, Review.of(note, kind="context", reason="just a topic word"))

    changed = parse_text(NOTES.replace("- Funding", "- Funding gaps"), source="review-demo.md")
    outcome = apply_reviews(classify_results([changed]), load_reviews(ws.reviews))
    assert [s.review.note_id for s in outcome.stale] == [note.id]
    assert "stale" in outcome.stale[0].message()
    coded = by_text(outcome.coded)["Funding gaps"]
    assert coded.reviewed is False
    assert coded.kind is NoteKind.BARRIER
    assert any("stale" in r for r in coded.reasons)


def test_save_review_replaces_and_keeps_history(ws: Workspace, result):
    note = result.notes[1]
    save_review(ws, Review.of(note, kind="context", reason="first"))
    save_review(ws, Review.of(note, kind="barrier", reason="second thoughts"))
    [review] = load_reviews(ws.reviews)
    assert review.kind is NoteKind.BARRIER
    assert review.reason == "second thoughts"
    assert review.text_hash == text_hash(note.text)
    history = ws.review_history.read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[3] for line in history[1:]] == ["context", "barrier"]
    assert delete_review(ws, note.workshop, note.id) is True
    assert load_reviews(ws.reviews) == []
    assert len(ws.review_history.read_text(encoding="utf-8").splitlines()) == 3


def test_reviews_saved_one_after_another_all_apply(ws: Workspace, result):
    """A review that clears a list ('-', written as "'-" so no spreadsheet runs it) survives
    the rewrites of later saves (each once read it back raw and added another ')."""
    first, second = result.notes[1], result.notes[2]
    save_review(ws, Review.of(first, kind="barrier", orgs=[], themes=[], reason="=one"))
    for reason in ("two", "three"):
        save_review(ws, Review.of(second, kind="context", orgs=[], reason=reason))
    problems: list[str] = []
    reviews = load_reviews(ws.reviews, on_problem=problems.append)
    assert problems == []
    assert [(r.note_id, r.orgs, r.themes, r.reason) for r in reviews] == [
        (first.id, (), (), "=one"),
        (second.id, (), None, "three"),
    ]
    history = ws.review_history.read_text(encoding="utf-8")
    assert "''" not in history
    assert history.count("'-") == 3 + 1  # every save's orgs, and the first one's themes


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "obstacle", "reason": "x"}, "unknown kind"),
        ({"kind": "barrier", "reason": "  "}, "give a reason"),
        ({"themes": ["b_nope"], "reason": "x"}, "unknown theme 'b_nope'"),
        ({"orgs": ["atlantis"], "reason": "x"}, "unknown organisation 'atlantis'"),
    ],
)
def test_invalid_reviews_are_refused(ws: Workspace, result, kwargs, message):
    with pytest.raises(ReviewError, match=message):
        save_review(ws, Review.of(result.notes[1], **kwargs), **vocab_kwargs())
    assert not ws.reviews.exists()


def test_bad_reviews_file_names_line(tmp_path: Path):
    path = tmp_path / "reviews.csv"
    path.write_text(HEADER + "w,n1,abc,barrier,,,ok\nw,n2,abc,bad,,,x\n", encoding="utf-8")
    with pytest.raises(ReviewError, match=r"reviews.csv: line 3, column kind: unknown kind 'bad'"):
        load_reviews(path)


def test_a_bad_row_is_skipped_and_reported_the_rest_apply(tmp_path: Path):
    path = tmp_path / "reviews.csv"
    path.write_text(
        HEADER
        + "w,n1,abc,barrier,,,ok\nw,n2,abc,bad,,,x\nw,n3,,barrier,,,x\nw,n4,abc,context,,,ok\n",
        encoding="utf-8",
    )
    problems: list[str] = []
    reviews = load_reviews(path, on_problem=problems.append)
    assert [r.note_id for r in reviews] == ["n1", "n4"]
    assert len(problems) == 2
    assert "line 3" in problems[0]
    assert "unknown kind 'bad'" in problems[0]
    assert "line 4" in problems[1]
    assert "text_hash" in problems[1]


def test_duplicate_review_keys_are_reported_and_the_later_applies(tmp_path: Path):
    path = tmp_path / "reviews.csv"
    path.write_text(HEADER + "w,n1,abc,barrier,,,one\nw,n1,abc,context,,,two\n", encoding="utf-8")
    problems: list[str] = []
    [review] = load_reviews(path, on_problem=problems.append)
    assert review.reason == "two"
    assert problems
    assert "second review of n1" in problems[0]
    assert "line 2" in problems[0]
    with pytest.raises(ReviewError, match="second review"):
        load_reviews(path)


def test_unknown_theme_in_a_review_is_a_problem_not_a_crash(result):
    coded = classify_results([result])
    bad = replace(Review.of(result.notes[1], reason="x"), themes=("b_gone",))
    out = apply_reviews(coded, [bad], **vocab_kwargs())
    assert not any(c.reviewed for c in out.coded)
    assert out.problems
    assert "unknown theme 'b_gone'" in out.problems[0]


def test_apply_reviews_leaves_other_notes(result):
    coded = classify_results([result])
    review = Review.of(result.notes[1], kind=NoteKind.CONTEXT, reason="test")
    out = apply_reviews(coded, [review])
    assert [c.reviewed for c in out.coded] == [False, True, False]
    assert out.applied == (review,)


def test_bundled_reviews_are_current():
    corpus = pipeline.Corpus()
    outcome = pipeline.review(corpus, pipeline.code(corpus, cache=None))
    assert outcome.stale == ()
    assert outcome.unmatched == ()
    assert outcome.problems == ()
    assert len(outcome.applied) >= 1


def test_workspace_reviews_apply_over_the_bundled_ones(ws: Workspace):
    bundled = load_reviews(bundled_reviews_path())[0]
    corpus = pipeline.Corpus(workspace=ws)
    coded = pipeline.code(corpus, cache=None)
    note = next(c.note for c in coded.coded if c.note.id == bundled.note_id)
    assert bundled.kind is not NoteKind.CONTEXT
    save_review(ws, Review.of(note, kind="context", reason="the analyst disagrees"))
    outcome = pipeline.review(corpus, coded)
    reviewed = next(c for c in outcome.coded if c.note.id == bundled.note_id)
    assert reviewed.kind is NoteKind.CONTEXT
    assert reviewed.reasons[0] == "analyst review: the analyst disagrees"


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def notes_file(tmp_path: Path) -> Path:
    notes = tmp_path / "demo.md"
    notes.write_text(NOTES, encoding="utf-8")
    return notes


def _kinds(stdout: str) -> dict[str, str]:
    return {r["text"]: r["kind"] for r in map(json.loads, stdout.splitlines())}


def test_cli_review_then_classify_no_reviews_and_stale_warning(notes_file: Path, ws: Workspace):
    runner = CliRunner()
    ids = {
        r["text"]: r["id"]
        for r in map(json.loads, runner.invoke(app, ["parse", str(notes_file)]).stdout.splitlines())
    }
    wsopt = ["--workspace", str(ws.root)]
    saved = runner.invoke(
        app,
        ["review", ids["Funding"], str(notes_file), "--kind", "context", "--reason", "r", *wsopt],
    )
    assert saved.exit_code == 0, saved.output
    assert "saved the review" in saved.stderr
    reviewed = runner.invoke(app, ["classify", str(notes_file), *wsopt])
    assert reviewed.exit_code == 0, reviewed.output
    assert _kinds(reviewed.stdout)["Funding"] == "context"
    alone = runner.invoke(app, ["classify", str(notes_file), "--no-reviews", *wsopt])
    assert _kinds(alone.stdout)["Funding"] == "barrier"

    notes_file.write_text(NOTES.replace("- Funding", "- Funding gaps"), encoding="utf-8")
    stale = runner.invoke(app, ["classify", str(notes_file), *wsopt])
    assert stale.exit_code == 0
    assert "stale review" in stale.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["G1-Q1-9", "--kind", "barrier", "--reason", "x"], "no note 'G1-Q1-9'"),
        (["G1-Q1-2", "--kind", "barier", "--reason", "x"], "did you mean 'barrier'"),
        (
            ["G1-Q1-2", "--themes", "b_time_capacty", "--reason", "x"],
            "did you mean 'b_time_capacity'",
        ),
        (["G1-Q1-2", "--orgs", "nhs_borders_x", "--reason", "x"], "did you mean 'nhs_borders'"),
        (["G1-Q1-2", "--kind", "barrier"], "give a reason"),
        (["G1-Q1-2", "--reason", "x"], "say what to change"),
    ],
)
def test_cli_review_refuses_bad_input_with_the_closest_value(
    notes_file: Path, ws: Workspace, args: list[str], message: str
):
    out = CliRunner().invoke(
        app, ["review", args[0], str(notes_file), *args[1:], "--workspace", str(ws.root)]
    )
    assert out.exit_code == 2, out.output
    assert message in out.stderr
    assert "Traceback" not in out.output
    assert not ws.reviews.exists()


def test_cli_review_of_an_unknown_id_names_the_closest(notes_file: Path, ws: Workspace):
    out = CliRunner().invoke(
        app,
        [
            "review",
            "G1-Q1-22",
            str(notes_file),
            "--kind",
            "barrier",
            "--reason",
            "x",
            "--workspace",
            str(ws.root),
        ],
    )
    assert out.exit_code == 2
    assert "did you mean 'G1-Q1-2'" in out.stderr
