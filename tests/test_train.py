"""Training and measuring the kind model (collab_graph.coding.train) and its data.

The texts in these tests are the tests' own; the shipped labelled sets are read
only through ``data/training/manifest.csv``.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collab_graph.cli import app
from collab_graph.coding import train
from collab_graph.coding.classifier import Classifier
from collab_graph.coding.gazetteer import load_gazetteer
from collab_graph.coding.lexicon import normalise, tokens
from collab_graph.coding.model import KindModel
from collab_graph.coding.taxonomy import KindCue, Taxonomy, load_taxonomy
from collab_graph.ingest import parse_file
from collab_graph.model import NoteKind
from collab_graph.resources import data_path

runner = CliRunner()


@pytest.fixture(scope="module")
def sets() -> list[train.LabelledSet]:
    return train.manifest()


@pytest.fixture(scope="module")
def ten(sets: list[train.LabelledSet]) -> list[train.LabelledSet]:
    """The bundled workshop and the nine real documents (the evaluation sets)."""
    return [s for s in sets if s.role == "eval"]


# -- the training data --------------------------------------------------------------------


def test_every_shipped_set_is_readable_and_labelled(sets):
    assert len(sets) >= 50
    assert sum(1 for s in sets if s.role == "eval") == 10
    for s in sets:
        assert s.labels.is_file(), s
        assert s.source.is_file(), s
        examples, labels = train.examples_of(s)
        assert examples, f"{s.labels}: no labelled note matched a parsed note"
        # nearly every label finds its note (a few labels are of lines the reader
        # joins to the note before, or of headings)
        assert len(examples) >= 0.6 * len([r for r in labels if r["kind"] != "heading"]), s


def test_every_training_document_is_attributed(sets):
    readme = (data_path("training") / "README.md").read_text(encoding="utf-8")
    for s in sets:
        if "more" in s.source.parts or "real-notes" in s.source.parts:
            assert s.source.name in readme, f"{s.source.name} has no attribution row"


def test_sibling_write_ups_are_left_out_together(sets):
    folds: dict[str, set[str]] = {}
    for s in sets:
        folds.setdefault(s.fold_name, set()).add(s.name)
    assert any(len(names) > 1 for names in folds.values())


# -- the kind cues are supported by several workshops, not fitted to one ----------------


def _support(cues: tuple[KindCue, ...], chosen) -> dict[tuple[str, str, str], train.CueSupport]:
    tax = load_taxonomy()
    clf = Classifier(Taxonomy(tax.themes, cues), load_gazetteer(), KindModel.empty())
    return train.cue_support(chosen, clf)


def test_no_kind_cue_matches_notes_of_only_one_of_the_ten_workshops(ten):
    support = _support(load_taxonomy().kind_cues, ten)
    lonely = {k: sorted(s.matched_in) for k, s in support.items() if len(s.matched_in) == 1}
    assert not lonely, f"kind cues that match notes of one workshop only: {lonely}"


def test_every_kind_cue_is_supported_by_several_workshops(sets):
    support = _support(load_taxonomy().kind_cues, sets)
    weak = {
        k: (len(s.workshops), round(s.precision, 2))
        for k, s in support.items()
        if len(s.workshops) < train.MIN_GROUPS or s.precision < 0.5
    }
    assert not weak, f"kind cues without support in {train.MIN_GROUPS} workshops: {weak}"


def test_the_cue_check_catches_a_cue_fitted_to_one_workshop(ten):
    # find, among the ten, a word pair that occurs in the notes of exactly one of them,
    # and check that a cue made of it would be caught
    seen: dict[str, set[str]] = {}
    for s in ten:
        for note in parse_file(s.source).notes:
            words = [t.lower() for t, _, _ in tokens(normalise(note.text)) if t.isalpha()]
            for a, b in itertools.pairwise(words):
                if len(a) > 3 and len(b) > 3:
                    seen.setdefault(f"{a} {b}", set()).add(s.name)
    phrase = next(p for p, names in sorted(seen.items()) if len(names) == 1)
    fitted = (KindCue(phrase, NoteKind.PRACTICE, "anywhere", 1.0),)
    support = _support(fitted, ten)
    assert len(support[("practice", "anywhere", phrase)].matched_in) == 1


def test_old_heading_cues_are_refused_with_a_pointer_to_intent_csv(tmp_path: Path):
    from collab_graph.coding.taxonomy import load_kind_cues
    from collab_graph.errors import DataFileError

    bad = tmp_path / "kind-cues.csv"
    bad.write_text("kind,where,phrase,weight,comment\nbarrier,heading,snags,2,\n", "utf-8")
    with pytest.raises(DataFileError, match=r"kind-cues.csv.*line 2.*intent.csv"):
        load_kind_cues(bad)


# -- fitting and leaving out ----------------------------------------------------------------


def _example(text: str, kind: NoteKind, group: str) -> train.Example:
    from collab_graph.coding.features import FeatureVocabulary, NoteContext, note_features

    ctx = NoteContext(text)
    return train.Example(
        note_features(ctx, FeatureVocabulary.default()), kind, None, group, text, text, ctx
    )


def test_fit_is_deterministic_and_drops_words_of_too_few_workshops():
    examples = (
        [
            _example(f"Lack of {w} in team {g}", NoteKind.BARRIER, f"w{g}")
            for g in range(4)
            for w in ("time", "money")
        ]
        + [
            _example(f"Share {w} with team {g}", NoteKind.PRACTICE, f"w{g}")
            for g in range(4)
            for w in ("time", "money")
        ]
        + [_example("Zanzibar lack", NoteKind.BARRIER, "w0")]
    )
    a, b = train.fit(examples), train.fit(examples)
    assert a.to_json() == b.to_json()
    assert "w=lack" in a.weights
    assert "w=zanzibar" not in a.weights  # seen in one workshop only
    assert a.classes == (NoteKind.PRACTICE, NoteKind.BARRIER)


def test_fit_needs_two_kinds():
    from collab_graph.errors import DataFileError

    with pytest.raises(DataFileError, match="two kinds"):
        train.fit([_example("Lack of time", NoteKind.BARRIER, "w")])


def test_leave_one_out_never_scores_a_workshop_with_a_model_that_saw_it(monkeypatch, sets):
    chosen = [s for s in sets if s.role == "eval"][:3] + [s for s in sets if s.role == "train"][:6]
    fitted_on: list[set[str]] = []
    real_fit = train.fit

    def spy(examples, **kw):
        fitted_on.append({ex.group for ex in examples})
        return real_fit(examples, **kw)

    monkeypatch.setattr(train, "fit", spy)
    predictions, held = train.leave_one_out(chosen)
    scored = {p.group for p in predictions}
    assert scored == {s.name for s in chosen if s.role == "eval"}
    folds = {s.fold_name for s in chosen if s.role == "eval"}
    assert len(fitted_on) == len(folds)
    for groups in fitted_on:
        left_out = {s.name for s in chosen if s.role == "eval"} - groups
        assert left_out, "every fit leaves an evaluation workshop out"
    by_group = {h.group for h in held}
    assert by_group == scored


def test_summary_scores_each_workshop_and_the_mean():
    p = train.Prediction
    preds = [
        p("a", "1", "t", NoteKind.BARRIER, None, NoteKind.BARRIER, 0.9, False),
        p("a", "2", "t", NoteKind.PRACTICE, NoteKind.BARRIER, NoteKind.BARRIER, 0.6, False),
        p("b", "3", "t", NoteKind.CONTEXT, None, NoteKind.PRACTICE, 0.7, False),
        p("b", "4", "t", NoteKind.CONTEXT, None, NoteKind.CONTEXT, 0.8, False),
    ]
    s = train.summary(preds)
    assert s["per_set"]["a"]["accuracy"] == 1.0
    assert s["per_set"]["a"]["exact"] == 0.5
    assert s["per_set"]["b"]["accuracy"] == 0.5
    assert s["mean_accuracy"] == 0.75
    assert s["pooled"]["notes"] == 4


# -- the shipped model ----------------------------------------------------------------------


def test_the_shipped_model_records_how_it_was_made():
    meta = json.loads(data_path("kind-model.json").read_text(encoding="utf-8"))["meta"]
    assert meta["command"] == "collab-graph train"
    lowo = meta["leave_one_workshop_out"]
    assert set(lowo["per_set"])
    assert lowo["calibration"]["ece"] <= 0.08
    shipped = {Path(f["file"]).name for f in meta["trained_on"]}
    for s in train.manifest():
        assert s.labels.name in shipped
        assert s.source.name in shipped


def test_train_rebuilds_the_shipped_model_byte_for_byte(tmp_path: Path):
    out = tmp_path / "model.json"
    result = runner.invoke(app, ["train", "-o", str(out), "--workspace", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == data_path("kind-model.json").read_bytes()


def test_eval_cross_validate_prints_left_out_figures(tmp_path: Path):
    ref = Path(__file__).parent / "data" / "reference-coding-notes.csv"
    result = runner.invoke(
        app, ["eval", str(ref), "--cross-validate", "--workspace", str(tmp_path / "ws")]
    )
    assert result.exit_code == 0, result.output
    assert "Leave-one-workshop-out" in result.output
    assert "kappa" in result.output.lower()
    assert "Confusion" in result.output


def test_eval_cross_validate_json_is_one_document(tmp_path: Path):
    ref = Path(__file__).parent / "data" / "reference-coding-notes.csv"
    result = runner.invoke(
        app,
        ["eval", str(ref), "--cross-validate", "-f", "json", "--workspace", str(tmp_path / "ws")],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["per_set"]) == 10
    assert 0 < data["mean"]["accuracy"] <= 1
    assert 0 <= data["calibration_cv"]["ece"] <= 1
    assert sum(sum(row.values()) for row in data["confusion"].values()) == data["pooled"]["notes"]


def test_reviews_train_a_model_in_the_workspace(tmp_path: Path):
    md = tmp_path / "notes.md"
    md.write_text(
        "# Retro\n## What went well\n- Weekly stand-up with partners\n- Shared rota\n"
        "## Challenges\n- Nobody owns the data\n- Funding ends in March\n",
        encoding="utf-8",
    )
    ws = tmp_path / "ws"
    coded = json.loads(
        runner.invoke(
            app, ["classify", str(md), "--workspace", str(ws), "-f", "jsonl"]
        ).output.splitlines()[0]
    )
    result = runner.invoke(
        app,
        [
            "review", coded["id"], str(md), "--kind", "barrier",
            "--reason", "the team says it was a problem", "--workspace", str(ws),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = (ws / "reviews.csv").read_text(encoding="utf-8")
    assert "Weekly stand-up with partners" in rows  # the note's text and context are kept
    assert "What went well" in rows
    result = runner.invoke(app, ["train", "--reviews", "--workspace", str(ws)])
    assert result.exit_code == 0, result.output
    model = json.loads((ws / "kind-model.json").read_text(encoding="utf-8"))
    assert model["meta"]["extra_examples"]["count"] == 1
    assert model["meta"]["command"] == "collab-graph train --reviews"
