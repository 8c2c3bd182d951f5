"""Tests for agreement between two codings (``review/agreement.py``, ``collab-graph agreement``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from collab_graph.cli import app
from collab_graph.errors import AgreementError
from collab_graph.review.agreement import (
    CodedUnit,
    Coding,
    SourceType,
    cohen_kappa,
    compare,
    detect_source,
    krippendorff_alpha,
)

DATA = Path(__file__).parent / "data"
REFERENCE = DATA / "reference-coding-notes.csv"
N = None  # a missing value

runner = CliRunner()


def table_to_pairs(table: list[list[int]]) -> tuple[list[int], list[int]]:
    """The two coders' codes behind a contingency table (rows: coder 1, columns: coder 2)."""
    a: list[int] = []
    b: list[int] = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return a, b


# -- worked examples ------------------------------------------------------------------------


def test_cohen_kappa_c1_grant_proposals() -> None:
    """C1: Wikipedia, "Cohen's kappa", worked example of 50 grant proposals read by A and B
    (yes/yes 20, A yes B no 5, A no B yes 10, no/no 15): p_o = 0.70, p_e = 0.50, kappa = 0.40."""
    a, b = table_to_pairs([[20, 5], [10, 15]])
    assert round(cohen_kappa(a, b) or 0, 3) == 0.400


def test_cohen_kappa_c2_sas_proc_freq() -> None:
    """C2: the SAS PROC FREQ printout for the 3x3 table [[0,4,1],[0,8,0],[0,1,5]] quoted in
    statsmodels' ``statsmodels/stats/tests/test_inter_rater.py``: kappa 0.4842."""
    a, b = table_to_pairs([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    assert round(cohen_kappa(a, b) or 0, 3) == 0.484


def test_krippendorff_alpha_k1_nominal() -> None:
    """K1: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example with 4
    observers, 12 units and missing values: nominal alpha 0.743."""
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
        [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
    ]
    assert round(krippendorff_alpha(data) or 0, 3) == 0.743


def test_krippendorff_alpha_k2_nominal() -> None:
    """K2: Wikipedia, "Krippendorff's alpha", computational example (3 coders, 15 units,
    missing values): nominal alpha 0.691."""
    data = [
        [N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3],
        [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N],
        [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4],
    ]
    assert round(krippendorff_alpha(data) or 0, 3) == 0.691


def test_undefined_statistics_are_none_not_nan() -> None:
    assert cohen_kappa(["a"] * 3, ["a"] * 3) is None
    assert krippendorff_alpha([["a"] * 3, ["a"] * 3]) is None
    assert krippendorff_alpha([["a", N], [N, "b"]]) is None  # no unit has two values
    with pytest.raises(ValueError, match="same length"):
        cohen_kappa(["a"], [])


# -- properties -----------------------------------------------------------------------------

codes = st.sampled_from(["practice", "barrier", "benefit", "context", "heading"])
pairs = st.lists(st.tuples(codes, codes), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(pairs)
def test_kappa_and_alpha_are_symmetric_and_bounded(units: list[tuple[str, str]]) -> None:
    a = [x for x, _ in units]
    b = [y for _, y in units]
    kappa, alpha = cohen_kappa(a, b), krippendorff_alpha([a, b])
    assert (kappa is None) == (alpha is None) == (len(set(a) | set(b)) == 1)
    if kappa is not None and alpha is not None:
        assert cohen_kappa(b, a) == pytest.approx(kappa)
        assert krippendorff_alpha([b, a]) == pytest.approx(alpha)
        assert -1.0 <= kappa <= 1.0
        assert -1.0 <= alpha <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(codes, min_size=2, max_size=40).filter(lambda xs: len(set(xs)) > 1))
def test_perfect_agreement_is_one(a: list[str]) -> None:
    assert cohen_kappa(a, list(a)) == 1.0
    assert krippendorff_alpha([a, list(a)]) == 1.0


# -- compare --------------------------------------------------------------------------------


def coding(name: str, units: dict[str, tuple[str, tuple[str, ...]]], **kw: object) -> Coding:
    return Coding(
        name,
        {("w", i): CodedUnit(k, t, f"text of {i}") for i, (k, t) in units.items()},
        **kw,  # type: ignore[arg-type]
    )


def test_compare_counts_themes_and_lists_disagreements() -> None:
    a = coding(
        "A", {"n1": ("practice", ("p_x", "p_y")), "n2": ("barrier", ()), "n3": ("context", ())}
    )
    b = coding(
        "B",
        {"n1": ("practice", ("p_y", "p_x")), "n2": ("practice", ("p_x",)), "n4": ("benefit", ())},
        unmatched=("gone",),
    )
    r = compare(a, b)
    assert (r.compared, r.only_a, r.only_b) == (2, 1, 2)
    assert r.kind_agreement == 0.5
    by_theme = {t.theme: t for t in r.themes}
    assert (by_theme["p_x"].both, by_theme["p_x"].only_b, by_theme["p_x"].neither) == (1, 1, 0)
    assert by_theme["p_y"].agreement == 1.0
    assert r.themes[0].theme == "p_x"  # the most disagreed-on theme first
    # theme order does not matter: n1 is no disagreement
    assert [(d.id, d.on) for d in r.disagreements] == [("n2", ("kind", "themes"))]
    assert r.confusion["barrier"]["practice"] == 1


def test_compare_without_common_notes_is_an_error() -> None:
    with pytest.raises(AgreementError, match="no note in common"):
        compare(coding("A", {"n1": ("practice", ())}), coding("B", {"n2": ("practice", ())}))


def test_compare_single_kind_reports_why_undefined() -> None:
    a = coding("A", {"n1": ("context", ()), "n2": ("context", ())})
    r = compare(a, coding("B", {"n1": ("context", ()), "n2": ("context", ())}))
    record = r.record()
    assert record["kind"]["cohen_kappa"] is None
    assert record["kind"]["krippendorff_alpha"] is None
    assert "every note the kind context" in record["kind"]["undefined"]["cohen_kappa"]
    assert json.dumps(record)  # no NaN anywhere


# -- detecting the input --------------------------------------------------------------------


def test_detect_source_by_header_not_name(tmp_path: Path) -> None:
    reviews = tmp_path / "reference.csv"  # a reviews file with a misleading name
    reviews.write_text("workshop,note_id,text_hash,kind,reason\n", encoding="utf-8")
    assert detect_source(reviews).type is SourceType.REVIEWS
    assert detect_source(REFERENCE).type is SourceType.REFERENCE
    assert detect_source("classifier").type is SourceType.CLASSIFIER
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "reviews.csv").write_text("workshop,note_id\n", encoding="utf-8")
    assert detect_source(tmp_path / "ws").type is SourceType.WORKSPACE


# -- command line ---------------------------------------------------------------------------


def agreement(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["agreement", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def classifier_vs_reference() -> dict:
    code, out, err = agreement("classifier", str(REFERENCE), "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_cli_reference_agrees_with_eval(classifier_vs_reference: dict, tmp_path: Path) -> None:
    """On the bundled workshop, the classifier against the reference: the kind agreement is
    `eval`'s exact kind accuracy and the kappa is `eval`'s (same notes, same pair)."""
    result = runner.invoke(
        app,
        ["eval", str(REFERENCE), "--no-reviews", "--format", "json", "--workspace", str(tmp_path)],
    )
    assert result.exit_code == 0, result.stderr
    ev = json.loads(result.stdout)
    kind = classifier_vs_reference["kind"]
    assert classifier_vs_reference["notes"] == {"compared": ev["matched"], "only_a": 0, "only_b": 0}
    assert kind["agreement"] == ev["kind_accuracy_exact"]
    assert kind["cohen_kappa"] == ev["kappa"]
    assert 0.5 < kind["krippendorff_alpha"] < 0.9
    assert classifier_vs_reference["themes_compared"] is True
    kinds_differ = sum(1 for d in classifier_vs_reference["disagreements"] if "kind" in d["on"])
    assert kinds_differ == round((1 - kind["agreement"]) * ev["matched"])


def test_cli_json_schema(classifier_vs_reference: dict) -> None:
    r = classifier_vs_reference
    assert set(r) == {"a", "b", "notes", "kind", "themes_compared", "themes", "disagreements"}
    assert r["a"] == {"source": "classifier", "type": "classifier"}
    assert r["b"]["type"] == "reference"
    assert set(r["kind"]) == {
        "agreement",
        "cohen_kappa",
        "krippendorff_alpha",
        "undefined",
        "confusion",
    }
    theme = r["themes"][0]
    assert set(theme) == {
        "id",
        "label",
        "both",
        "only_a",
        "only_b",
        "neither",
        "agreement",
        "positive_agreement",
    }
    assert theme["both"] + theme["only_a"] + theme["only_b"] + theme["neither"] == 239
    d = r["disagreements"][0]
    assert set(d) == {"workshop", "id", "text", "on", "a", "b"}
    assert set(d["a"]) == {"kind", "themes"}


def test_cli_workspace_reviews_lower_agreement_exactly(tmp_path: Path) -> None:
    """Two reviews saved with `collab-graph review` (one kind, one theme change): against the
    classifier, the workspace disagrees on exactly those two notes."""
    ws = tmp_path / "ws"
    for args in (
        ["G1-Q1-A-4", "--kind", "context", "--reason", "reads as a statement of fact"],
        ["G1-Q1-A-3", "--themes", "-", "--reason", "no theme fits"],
    ):
        result = runner.invoke(app, ["review", *args, "--workspace", str(ws)])
        assert result.exit_code == 0, result.stderr
    code, out, err = agreement(str(ws), "classifier", "--format", "json")
    assert code == 0, err
    r = json.loads(out)
    assert r["a"]["type"] == "workspace"
    assert r["kind"]["agreement"] == round(238 / 239, 4)
    assert [(d["id"], d["on"]) for d in r["disagreements"]] == [
        ("G1-Q1-A-4", ["kind"]),
        ("G1-Q1-A-3", ["themes"]),
    ]
    assert r["disagreements"][0]["a"]["kind"] == "context"
    # the same reviews as an exported reviews CSV give the same figures
    exported = shutil.copy(ws / "reviews.csv", tmp_path / "colleague.csv")
    code, out, err = agreement(str(exported), "classifier", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["kind"] == r["kind"]
    # and in CSV: one row per disagreement, the summary on stderr
    code, out, err = agreement(str(exported), "classifier", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == "workshop,id,on,a_kind,a_themes,b_kind,b_themes,text"
    assert len(out.splitlines()) == 3
    assert "kind agreement 0.996" in err


def test_cli_table_reads_well(tmp_path: Path) -> None:
    code, out, err = agreement("classifier", str(REFERENCE))
    assert code == 0, err
    assert "Cohen's kappa" in out
    assert "Krippendorff's alpha (nominal)" in out
    assert "Notes they disagree on" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a,b\n1,2\n", "line 1: not a coding"),
        (b"id,kind,note_id,text_hash\n", "line 1: ambiguous"),
        (b"", "the file is empty"),
        (b"id,kind\n\xff\xfe\n", "line 2: coding file is not UTF-8"),
        (b"id,kind\nG1-Q1-A-1,practise\n", "line 2, column kind: unknown kind 'practise'"),
        (
            b"workshop,note_id,text_hash,kind,reason\nw,n,h,,\n",
            "line 2, column reason: review of n has no reason",
        ),
    ],
)
def test_cli_bad_input_exits_2_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "theirs.csv"
    bad.write_bytes(content)
    code, _out, err = agreement("classifier", str(bad))
    assert code == 2
    assert f"{bad}: " in err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_cli_missing_and_unrelated_inputs_exit_2(tmp_path: Path) -> None:
    code, _, err = agreement("classifier", str(tmp_path / "nope.csv"))
    assert code == 2
    assert "no such file or folder" in err
    code, _, err = agreement(str(tmp_path), "classifier")
    assert code == 2
    assert "holds no reviews.csv" in err
    other = DATA / "heldout_ijb_session.reference.csv"
    code, _, err = agreement("classifier", str(other))
    assert code == 2
    assert "no note in common" in err
