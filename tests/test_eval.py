"""Tests for the evaluation against a reference coding and the ``eval`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collab_graph.cli import app
from collab_graph.coding.gazetteer import load_gazetteer
from collab_graph.coding.taxonomy import load_taxonomy
from collab_graph.errors import DataFileError, InputFileError
from collab_graph.model import CodedNote, Note, NoteKind
from collab_graph.review.evaluate import evaluate, load_reference

DATA = Path(__file__).parent / "data"
TINY = DATA / "classify_reference_tiny.csv"


def coded_note(n: int, text: str, kind: str, themes=(), orgs=()) -> CodedNote:
    tax, gaz = load_taxonomy(), load_gazetteer()
    return CodedNote(
        Note(f"G1-Q1-A-{n}", "tiny", 1, 1, "A", n + 2, text),
        NoteKind(kind),
        themes=tuple(tax.themes[t] for t in themes),
        orgs=tuple(gaz.organisations[o] for o in orgs),
    )


@pytest.fixture
def report():
    coded = [
        coded_note(1, "Challenges", "heading"),
        coded_note(2, "Day job – no time", "barrier", ["b_time_capacity"]),
        coded_note(3, "Joint group with NHS", "barrier", ["b_trust"], ["nhs", "fife"]),
        coded_note(4, "Trello board", "context", ["p_idea_platforms"], ["trello"]),
        coded_note(5, "Fife", "context", [], ["fife"]),
        coded_note(6, "Extra note", "practice"),
    ]
    return evaluate(coded, load_reference(TINY), theme_ids=list(load_taxonomy().themes))


def test_kind_accuracy(report):
    assert report.matched == 5
    assert report.missing == ("G9-Q9-Z-9",)
    assert report.extra == 1
    # lenient: heading, barrier, (practice coded barrier: wrong), context=kind2, context=kind2
    assert report.kind_accuracy == pytest.approx(4 / 5)
    assert report.kind_accuracy_exact == pytest.approx(2 / 5)


def test_per_kind_and_confusion(report):
    barrier = report.per_kind["barrier"]
    assert (barrier.precision, barrier.recall, barrier.support, barrier.predicted) == (
        pytest.approx(0.5),
        1.0,
        1,
        2,
    )
    assert barrier.f1 == pytest.approx(2 / 3)
    assert report.per_kind["practice"].recall == 0.0
    assert report.confusion["practice"]["barrier"] == 1
    assert report.confusion["practice"]["context"] == 1
    assert report.confusion["benefit"]["context"] == 1
    assert sum(sum(row.values()) for row in report.confusion.values()) == 5


def test_orgs(report):
    # reference pairs: nhs, trello, slack, fife = 4; coded: nhs, fife(wrong), trello, fife = 4
    assert report.org_counts == (3, 1, 1)
    assert report.org_precision == pytest.approx(3 / 4)
    assert report.org_recall == pytest.approx(3 / 4)


def test_themes(report):
    # notes with reference themes: 2 (match), 3 (p_shared_services missed), 4 (match);
    # b_trust is not used by the reference, so it is outside the shared ids
    assert report.shared_theme_ids == 3
    assert report.theme_primary_agreement == pytest.approx(2 / 3)
    assert report.theme_precision == pytest.approx(1.0)
    assert report.theme_recall == pytest.approx(2 / 3)


def test_mismatches_listed(report):
    assert [m.id for m in report.mismatches] == ["G1-Q1-A-3"]


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        ("", InputFileError, "empty"),
        ("id,text\nx,y\n", DataFileError, "missing column"),
        ("id,kind\nx,obstacle\n", DataFileError, "line 2, column kind: unknown kind 'obstacle'"),
    ],
)
def test_bad_reference(tmp_path: Path, content, error, message):
    p = tmp_path / "ref.csv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=message):
        load_reference(p)


def test_cli_eval_json_and_table():
    runner = CliRunner()
    notes = DATA / "classify_tiny.md"
    ref = DATA / "classify_reference_tiny.csv"
    out = runner.invoke(app, ["eval", str(ref), str(notes), "--no-reviews", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["matched"] == 5
    assert set(data["per_kind"]) == {"practice", "barrier", "benefit", "context", "heading"}
    table = runner.invoke(app, ["eval", str(ref), str(notes), "--no-reviews"])
    assert table.exit_code == 0
    assert "Kind accuracy (kind or kind2)" in table.stdout


def test_cli_eval_errors(tmp_path: Path):
    runner = CliRunner()
    missing = runner.invoke(app, ["eval", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
    assert "nope.csv" in missing.stderr
    assert "Traceback" not in missing.output
    other = tmp_path / "other.csv"
    other.write_text("id,kind\nZZ-1,practice\n", encoding="utf-8")
    nothing = runner.invoke(app, ["eval", str(other)])
    assert nothing.exit_code == 1
