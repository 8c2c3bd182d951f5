"""Retraining from reviews (coding/retrain.py): honest folds, same figures each time, errors."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from collab_graph import pipeline
from collab_graph.coding import retrain
from collab_graph.coding import train as T
from collab_graph.coding.classifier import Classifier
from collab_graph.coding.features import NoteContext
from collab_graph.coding.model import KindModel
from collab_graph.errors import TrainingError
from collab_graph.ingest import parse_file
from collab_graph.model import NoteKind
from collab_graph.resources import data_path
from collab_graph.review.reviews import REVIEW_FIELDS, Review
from collab_graph.workspace import Workspace

DATA = Path(__file__).resolve().parent / "data"
BUNDLED = data_path("collaborative-innovation-workshop.txt")
REFERENCE = data_path("training/reference-coding.csv")


def reviews_of(source: Path, labels: Path, *, limit: int | None = None) -> list[Review]:
    """Reviews of a workshop's notes with the kinds of a reference coding, stored as the app
    stores them (with the note's context)."""
    kinds = {r["id"]: r["kind"] for r in csv.DictReader(labels.open(encoding="utf-8"))}
    result = parse_file(source)
    out = []
    for note, ctx in Classifier().contexts(result.notes, result.workshop):
        kind = kinds.get(note.id)
        if not isinstance(ctx, NoteContext) or kind in (None, "heading"):
            continue
        out.append(Review.of(note, kind=kind, reason="reference coding", context=ctx.to_json()))
    return out[:limit] if limit else out


@pytest.fixture(scope="module")
def labelled() -> list[T.Example]:
    """The examples of a few bundled sets (enough kinds and workshops; quick to fit)."""
    sets = [s for s in T.manifest() if s.name != "collaborative-innovation-workshop"][:12]
    return retrain.labelled_examples(sets)


@pytest.fixture(scope="module")
def heldout() -> list[T.Example]:
    """Reviews of a workshop that no labelled set holds (34 notes, one workshop)."""
    reviews = reviews_of(
        DATA / "heldout_ijb_session.md", DATA / "heldout_ijb_session.reference.csv"
    )
    return T.review_examples(reviews)


@pytest.fixture(scope="module")
def bundled() -> list[T.Example]:
    """Reviews of 60 notes of the bundled workshop, one example per group as its workshop."""
    return T.review_examples(reviews_of(BUNDLED, REFERENCE, limit=60))


def example(kind: NoteKind, group: str, i: int) -> T.Example:
    return T.Example({}, kind, None, group, f"N-{i}", f"note {i}")


# -- folds --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workshops", "by"), [(1, "note"), (4, "note"), (5, "workshop"), (9, "workshop")]
)
def test_folds_are_disjoint_and_cover_every_note(workshops: int, by: str) -> None:
    kinds = list(T.CONTENT_CLASSES)
    reviews = [example(kinds[i % 4], f"w{i % workshops}", i) for i in range(37)]
    plan = retrain.plan_folds(reviews, folds=5)
    assert plan.by == by
    assert len(plan.folds) == 5
    flat = [i for fold in plan.folds for i in fold]
    assert sorted(flat) == list(range(37)), "every note in exactly one fold"
    assert all(plan.folds), "no empty fold"
    if by == "workshop":  # a workshop's notes are never split across folds
        for w in {r.group for r in reviews}:
            assert sum(any(reviews[i].group == w for i in f) for f in plan.folds) == 1
    else:  # dealt by kind: each fold has every kind
        for fold in plan.folds:
            assert {reviews[i].kind for i in fold} == set(kinds)


def test_folds_are_deterministic_and_follow_the_seed() -> None:
    reviews = [example(T.CONTENT_CLASSES[i % 3], "w", i) for i in range(50)]
    a, b = retrain.plan_folds(reviews, seed=0), retrain.plan_folds(reviews, seed=0)
    assert a == b
    assert any(retrain.plan_folds(reviews, seed=s) != a for s in range(1, 5))


def test_fewer_notes_than_folds_gives_a_fold_per_note() -> None:
    reviews = [example(NoteKind.BARRIER, "w", 0), example(NoteKind.PRACTICE, "w", 1)]
    plan = retrain.plan_folds(reviews, folds=5)
    assert plan.folds == ((0,), (1,)) or sorted(plan.folds) == [(0,), (1,)]


def test_one_fold_is_refused() -> None:
    with pytest.raises(TrainingError, match="at least 2 folds"):
        retrain.plan_folds([example(NoteKind.BARRIER, "w", 0)], folds=1)


# -- no note scored by a model trained on it ------------------------------------------------


def spy(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[int, set[tuple[str, str]]], list[Any]]:
    """Record what each fitted model was trained on and which model coded which note."""
    trained_on: dict[int, set[tuple[str, str]]] = {}
    scored: list[tuple[int, tuple[str, str]]] = []
    fit, kind = T.fit, retrain._kind

    def fit_spy(examples: Sequence[T.Example], **kw: Any) -> KindModel:
        model = fit(examples, **kw)
        trained_on[id(model)] = {(ex.note_id, ex.text) for ex in examples}
        return model

    def kind_spy(clf: Classifier, model: KindModel, ex: T.Example) -> NoteKind:
        scored.append((id(model), (ex.note_id, ex.text)))
        return kind(clf, model, ex)

    monkeypatch.setattr(T, "fit", fit_spy)
    monkeypatch.setattr(retrain, "_kind", kind_spy)
    return trained_on, scored


@pytest.mark.parametrize("case", ["one workshop", "many workshops"])
def test_no_note_is_scored_by_a_model_trained_on_it(
    case: str,
    heldout: list[T.Example],
    labelled: list[T.Example],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reviews = heldout
    if case == "many workshops":  # as if from seven workshops
        reviews = [replace(ex, group=f"w{i % 7}") for i, ex in enumerate(heldout)]
    trained_on, scored = spy(monkeypatch)
    result = retrain.compare(reviews, labelled=labelled)
    assert result.by == ("note" if case == "one workshop" else "workshop")
    assert len(trained_on) == result.folds + 1  # before, then one model per fold
    assert len(scored) == 2 * len(reviews)  # every note scored before and after
    for model, note in scored:
        assert note not in trained_on[model], f"{note} scored by a model trained on it"
    # and every fold's model did learn from the other folds' reviews
    keys = {(ex.note_id, ex.text) for ex in reviews}
    learned = sorted(len(trained_on[m] & keys) for m in {m for m, _ in scored})
    assert learned[0] == 0, "the model before the reviews learned from none"
    assert all(n > 0 for n in learned[1:])


def test_the_labels_of_reviewed_notes_are_left_out_before(
    bundled: list[T.Example], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled workshop is a labelled set too: its reviewed notes' labels go with them."""
    sets = [s for s in T.manifest() if s.role == "eval"][:3]
    assert sets[0].name == "collaborative-innovation-workshop"
    labelled = retrain.labelled_examples(sets)
    keys = {(ex.note_id, ex.text) for ex in bundled}
    assert keys & {(ex.note_id, ex.text) for ex in labelled}, "the set holds the reviewed notes"
    trained_on, scored = spy(monkeypatch)
    retrain.compare(bundled, labelled=labelled)
    for model, note in scored:
        assert note not in trained_on[model]


def test_figures_are_deterministic_and_add_up(
    heldout: list[T.Example], labelled: list[T.Example]
) -> None:
    a = retrain.compare(heldout, labelled=labelled)
    b = retrain.compare(heldout, labelled=labelled)
    assert (a.before, a.after, a.scored, a.kinds) == (b.before, b.after, b.scored, b.kinds)
    assert a.notes == len(heldout) == sum(t.notes for t in a.kinds.values())
    assert a.before == sum(s.before is s.gold for s in a.scored) / a.notes
    assert a.after == sum(t.after for t in a.kinds.values()) / a.notes
    assert len(a.gained) - len(a.lost) == round((a.after - a.before) * a.notes)
    assert a.kinds["barrier"].notes == sum(ex.kind is NoteKind.BARRIER for ex in heldout)
    assert "cross-validated, 5 folds by note" in a.summary()


def test_progress_is_reported_in_order(heldout: list[T.Example], labelled: list[T.Example]) -> None:
    seen: list[tuple[str, float]] = []
    retrain.compare(heldout, labelled=labelled, folds=3, progress=lambda w, d: seen.append((w, d)))
    fractions = [d for _, d in seen]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert any("fold 3 of 3" in w for w, _ in seen)


# -- errors -----------------------------------------------------------------------------------


def test_no_review_is_a_clear_error(tmp_path: Path) -> None:
    examples = pipeline.review_examples(Workspace(tmp_path))
    assert examples == []
    with pytest.raises(TrainingError, match="no review can teach"):
        retrain.compare(examples)


def test_reviews_of_one_kind_are_a_clear_error(heldout: list[T.Example]) -> None:
    barriers = [ex for ex in heldout if ex.kind is NoteKind.BARRIER]
    with pytest.raises(TrainingError, match=r"set the kind barrier.*two kinds"):
        retrain.compare(barriers)


def test_a_review_without_a_content_kind_or_context_does_not_teach(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    reviews = reviews_of(
        DATA / "heldout_ijb_session.md", DATA / "heldout_ijb_session.reference.csv"
    )
    rows = [r.row() for r in reviews[:3]]
    rows[0]["context"] = ""  # an old review, saved before reviews kept their context
    rows[1]["kind"] = "heading"
    ws.update("reviews.csv", lambda _: rows, header=REVIEW_FIELDS)
    examples = pipeline.review_examples(ws)
    assert [ex.note_id for ex in examples] == [reviews[2].note_id]


# -- the final model, kept or reverted ---------------------------------------------------------


def test_retrain_keep_and_revert(tmp_path: Path, heldout: list[T.Example]) -> None:
    evals = [s for s in T.manifest() if s.role == "eval"][1:2]
    sets = evals + [s for s in T.manifest() if s.role == "train"][:8]
    steps: list[float] = []
    result = retrain.retrain(
        heldout, sets=sets, label="test", progress=lambda w, d: steps.append(d)
    )
    assert steps == sorted(steps)
    assert steps[-1] == 1.0
    assert result.reviews == len(heldout)
    assert result.model.meta["extra_examples"] == {"label": "test", "count": len(heldout)}
    # the final model is the one `collab-graph train --reviews` makes from the same data
    with T.one_thread():
        same, _ = T.train(sets, extra=heldout, extra_label="test")
    assert result.model.to_json() == same.to_json()

    ws = Workspace(tmp_path / "ws")
    corpus = pipeline.Corpus(workspace=ws)
    bundled_key = pipeline.keys(corpus).coding
    path = retrain.save_model(ws, result.model)
    assert path == ws.model
    assert pipeline.vocabulary(ws).model.to_json() == result.model.to_json()
    assert pipeline.keys(corpus).coding != bundled_key, "the notes are coded again"
    kept = retrain.revert(ws)
    assert kept is not None
    assert kept.parent == ws.path("history")
    assert json.loads(kept.read_text(encoding="utf-8"))["meta"]["extra_examples"]["count"] == len(
        heldout
    )
    assert not ws.model.exists()
    assert pipeline.keys(corpus).coding == bundled_key
    assert retrain.revert(ws) is None


# -- the command line: collab-graph train --reviews ---------------------------------------------


@pytest.fixture
def small_manifest(tmp_path: Path) -> Path:
    """A training manifest of a few bundled sets (one left out in turn), for a quick train."""
    chosen = [s for s in T.manifest() if s.role == "eval"][1:2]
    chosen += [s for s in T.manifest() if s.role == "train"][:6]
    path = tmp_path / "manifest.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["labels", "source", "role", "fold"])
        for s in chosen:
            w.writerow([s.labels, s.source, s.role, s.fold])
    return path


def run_train(monkeypatch: pytest.MonkeyPatch, ws: Workspace, *args: str) -> tuple[int, str, str]:
    import io

    from rich.console import Console
    from typer.testing import CliRunner

    from collab_graph import cli

    buf = io.StringIO()
    monkeypatch.setattr(cli, "err_console", Console(file=buf, width=200))
    result = CliRunner().invoke(cli.app, ["train", *args, "--reviews", "--workspace", str(ws.root)])
    return result.exit_code, result.stdout, buf.getvalue()


def test_cli_train_reviews_prints_before_and_after(
    tmp_path: Path, small_manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(tmp_path / "ws")
    reviews = reviews_of(
        DATA / "heldout_ijb_session.md", DATA / "heldout_ijb_session.reference.csv"
    )
    ws.update("reviews.csv", lambda _: [r.row() for r in reviews], header=REVIEW_FIELDS)
    code, _, err = run_train(monkeypatch, ws, str(small_manifest))
    assert code == 0, err
    assert f"accuracy on your {len(reviews)} reviewed notes: before " in err
    assert "(cross-validated, 5 folds by note)" in err
    model = pipeline.vocabulary(ws).model
    assert model.meta["extra_examples"]["count"] == len(reviews)
    # the figures are those of the core function on the same data
    sets = T.labelled_sets([small_manifest])
    expected = retrain.compare(
        pipeline.review_examples(ws), labelled=retrain.labelled_examples(sets)
    )
    assert expected.summary() in " ".join(err.split())


def test_cli_train_reviews_of_one_kind_trains_without_figures(
    tmp_path: Path, small_manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(tmp_path / "ws")
    reviews = reviews_of(
        DATA / "heldout_ijb_session.md", DATA / "heldout_ijb_session.reference.csv"
    )
    rows = [r.row() for r in reviews if r.kind is NoteKind.BARRIER]
    ws.update("reviews.csv", lambda _: rows, header=REVIEW_FIELDS)
    code, _, err = run_train(monkeypatch, ws, str(small_manifest))
    assert code == 0, err
    assert "two kinds" in err
    assert "no before/after figures" in err
    assert "accuracy on your" not in err
    assert ws.model.is_file()
