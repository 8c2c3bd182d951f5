"""Theme discovery: candidate themes for uncovered notes (collab_graph.coding.discover, CLI)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from collab_graph.cli import app
from collab_graph.coding.discover import (
    Suggestions,
    note_terms,
    suggest_themes,
    suggestion_key,
)
from collab_graph.coding.taxonomy import Taxonomy, load_taxonomy
from collab_graph.model import CodedNote, Note, NoteKind, Theme, ThemeKind

TAX = load_taxonomy()

BARRIERS = [
    "Public trust in data sharing is low",
    "Building public trust takes years",
    "Loss of public trust after data breaches",
    "Information governance rules block data sharing",
    "Data sharing agreements take months to sign",
    "Every data sharing agreement needs legal review",
    "Parking at the venue",
]
PRACTICES = [
    "Run citizen juries on data use",
    "Citizen juries chosen to be representative",
    "Pay citizen jury members for their time",
    "Podcast about papers",
]


PRINTER = [
    "The printer jams again",
    "Queue at the printer",
    "Printer out of toner",
    "Parking at the venue",
]


def _coded(texts: Sequence[str], kind: str = "barrier", workshop: str = "demo") -> list[CodedNote]:
    return [
        CodedNote(Note(f"{kind[0].upper()}-{i}", workshop, None, None, None, i, t), NoteKind(kind))
        for i, t in enumerate(texts, 1)
    ]


def _corpus() -> list[CodedNote]:
    return _coded(BARRIERS) + _coded(PRACTICES, "practice")


def _check_partition(coded: Sequence[CodedNote], found: Suggestions, min_notes: int = 3) -> None:
    """Every candidate is in exactly one suggestion or uncovered; groups are big enough,
    of one kind, and every member contains one of the keywords."""
    candidates = [c for c in coded if not c.themes and c.kind.value in set(ThemeKind)]
    by_ref = {(c.note.workshop, c.note.id): c for c in candidates}
    placed = [r for s in found.suggestions for r in s.refs] + list(found.uncovered_refs)
    assert sorted(placed) == sorted(by_ref)
    assert found.candidates == len(candidates)
    for s in found.suggestions:
        assert len(s.notes) >= min_notes
        assert len(s.refs) == len(s.notes) == len(s.texts)
        assert {by_ref[r].kind.value for r in s.refs} == {s.kind.value}
        assert s.key == suggestion_key(s.refs)
        # accepted as it stands, the theme's cues match every member note
        theme = Theme("accepted", s.kind, s.label, cues=s.keywords)
        matcher = Taxonomy({"accepted": theme}, exclusions=TAX.exclusions)
        for text in s.texts:
            assert matcher.match_themes(text), (text, s.keywords)


def test_groups_notes_of_one_kind_and_leaves_one_offs() -> None:
    coded = _corpus()
    found = suggest_themes(coded, TAX)
    _check_partition(coded, found)
    groups = {s.kind.value: set(s.texts) for s in found.suggestions}
    assert "Run citizen juries on data use" in groups["practice"]
    assert "Parking at the venue" not in {t for s in found.suggestions for t in s.texts}
    assert "Podcast about papers" not in {t for s in found.suggestions for t in s.texts}
    assert "P-4" in found.uncovered
    assert "B-7" in found.uncovered


def test_the_output_is_deterministic() -> None:
    first = suggest_themes(_corpus(), TAX).record()
    again = suggest_themes(_corpus(), TAX).record()
    assert first == again
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)


def test_notes_with_a_theme_or_no_theme_kind_are_never_grouped() -> None:
    theme = TAX.themes["b_time_capacity"]
    coded = [
        *[
            CodedNote(c.note, c.kind, themes=(theme,)) if c.note.id == "B-1" else c
            for c in _coded(BARRIERS)
        ],
        *_coded(
            ["Public trust matters", "Public trust again", "Public trust once more"], "context"
        ),
    ]
    found = suggest_themes(coded, TAX)
    _check_partition(coded, found)
    members = {n for s in found.suggestions for n in s.notes}
    assert "B-1" not in members
    assert "B-1" not in found.uncovered
    assert all(s.kind is ThemeKind.BARRIER for s in found.suggestions)


def test_min_notes_sets_the_smallest_group() -> None:
    coded = _corpus()
    for n in (2, 3, 4):
        found = suggest_themes(coded, TAX, min_notes=n)
        _check_partition(coded, found, n)
    with pytest.raises(ValueError, match="at least 2"):
        suggest_themes(coded, TAX, min_notes=1)


def test_a_label_comes_from_the_key_phrases_and_the_closest_theme_is_named() -> None:
    texts = ["No time beyond the day job", "Day job leaves no time", "The day job eats the week"]
    (s,) = suggest_themes(_coded(texts), TAX).suggestions
    assert s.label == "Day job"
    assert "day job" in s.keywords
    assert s.closest is not None
    assert s.closest.id == "b_time_capacity"
    assert 0 < s.closest.similarity <= 1


def test_no_theme_of_the_kind_means_no_closest_theme() -> None:
    only_barriers = Taxonomy({k: t for k, t in TAX.themes.items() if t.kind is ThemeKind.BARRIER})
    found = suggest_themes(_coded(PRACTICES, "practice"), only_barriers)
    assert found.suggestions
    assert all(s.closest is None for s in found.suggestions)


def test_decided_notes_are_not_grouped_again_in_another_shape() -> None:
    coded = _corpus()
    found = suggest_themes(coded, TAX)
    first = found.suggestions[0]
    by_key = suggest_themes(coded, TAX, decided={first.key})
    assert first.key not in {s.key for s in by_key.suggestions}
    by_notes = suggest_themes(coded, TAX, decided={first.key: first.refs})
    assert not set(first.refs) & {r for s in by_notes.suggestions for r in s.refs}
    assert set(first.notes) <= set(by_notes.uncovered)
    _check_partition(coded, by_notes)


def test_the_same_note_id_in_two_workshops_is_two_notes() -> None:
    coded = _coded(BARRIERS[:3], workshop="one") + _coded(BARRIERS[:3], workshop="two")
    (s,) = suggest_themes(coded, TAX).suggestions
    assert sorted(s.refs) == sorted((w, f"B-{i}") for w in ("one", "two") for i in (1, 2, 3))
    _check_partition(coded, suggest_themes(coded, TAX))


def test_terms_read_through_links_urls_and_emphasis() -> None:
    assert note_terms("**Data** [sharing](https://x.org/trust) :coffee: https://a.b/c") == [
        "data",
        "share",
        "data share",
    ]


def test_a_large_set_is_split_into_parts_and_grouped(monkeypatch: pytest.MonkeyPatch) -> None:
    from collab_graph.coding import discover

    monkeypatch.setattr(discover, "DENSE_LIMIT", 10)
    coded = _coded(BARRIERS * 3)
    found = suggest_themes(coded, TAX)
    _check_partition(coded, found)
    assert any("public trust" in s.keywords for s in found.suggestions)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.text(
                alphabet=st.sampled_from(
                    list("abc trust data sharing ÄéΩ-*_[]()!?.,;:'\"\n\u2028")
                ),
                max_size=40,
            ),
            st.sampled_from(["practice", "barrier", "benefit", "context"]),
        ),
        max_size=25,
    ),
    st.integers(min_value=2, max_value=5),
)
def test_any_text_gives_a_partition(items: list[tuple[str, str]], min_notes: int) -> None:
    coded = [
        CodedNote(Note(f"N-{i}", "w", None, None, None, i, text), NoteKind(kind))
        for i, (text, kind) in enumerate(items, 1)
    ]
    found = suggest_themes(coded, TAX, min_notes=min_notes)
    empty = [c for c in coded if not c.note.text]
    _check_partition([c for c in coded if c not in empty], found, min_notes)
    assert found == suggest_themes(coded, TAX, min_notes=min_notes)


# -- the command line ---------------------------------------------------------------------


@pytest.fixture
def notes_file(tmp_path: Path) -> Path:
    # words no taxonomy of collaboration themes will hold, so the notes stay uncovered
    lines = ["# Workshop", "", "## Challenges", ""]
    lines += [f"- {t}" for t in PRINTER]
    lines += ["", "## What would help", ""]
    lines += [f"- {t}" for t in PRACTICES]
    path = tmp_path / "team.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_json_has_the_contract_shape(
    notes_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLLAB_GRAPH_CACHE", "off")
    ws = tmp_path / "ws"
    result = CliRunner().invoke(
        app, ["themes", "suggest", str(notes_file), "--format", "json", "--workspace", str(ws)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"suggestions", "uncovered"}
    assert any("printer" in s["keywords"] for s in data["suggestions"])
    for s in data["suggestions"]:
        assert {"label", "kind", "keywords", "notes", "closest"} <= set(s)
        assert s["kind"] in {"practice", "barrier", "benefit"}
        assert isinstance(s["keywords"], list)
        assert all(isinstance(k, str) for k in s["keywords"])
        assert len(s["notes"]) >= 3
        assert s["closest"] is None or set(s["closest"]) == {"id", "label", "similarity"}
    assert all(isinstance(n, str) for n in data["uncovered"])


def test_cli_table_and_helpful_errors(
    notes_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLLAB_GRAPH_CACHE", "off")
    ws = ["--workspace", str(tmp_path / "ws")]
    table = CliRunner().invoke(app, ["themes", "suggest", str(notes_file), *ws])
    assert table.exit_code == 0, table.output
    assert "Suggested themes" in table.stdout
    assert "closest theme" in table.stdout
    missing = CliRunner().invoke(app, ["themes", "suggest", str(tmp_path / "nope.md"), *ws])
    assert missing.exit_code == 2
    assert "nope.md" in missing.output
    assert "Traceback" not in missing.output
    bad = CliRunner().invoke(app, ["themes", "suggest", "--min-notes", "1", *ws])
    assert bad.exit_code == 2


def test_the_output_is_the_same_in_every_process(tmp_path: Path) -> None:
    """No set or hash order leaks into the suggestions (PYTHONHASHSEED differs per process)."""
    import os
    import random
    import subprocess
    import sys

    rng = random.Random(7)
    words = "coffee machine biscuits rota parking lift printer kettle badge wifi desk".split()
    lines = ["# Day", "", "## Challenges", ""]
    lines += [f"- {' '.join(rng.sample(words, 3))} again" for _ in range(30)]
    notes = tmp_path / "day.md"
    notes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "COLLAB_GRAPH_CACHE": "off"}
        args = ["themes", "suggest", str(notes), "--format", "json"]
        args += ["--workspace", str(tmp_path / "ws")]
        done = subprocess.run(
            [sys.executable, "-m", "collab_graph", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["suggestions"]


def test_a_note_no_cue_can_match_is_left_out_of_its_group() -> None:
    """'development' inside the exclusion phrase 'development of new' takes no theme, so
    that note cannot be promised the theme: it stays uncovered, the others are grouped."""
    assert "development of new" in TAX.exclusions
    texts = [
        "Staff development budgets cut",
        "Staff development days cancelled",
        "Staff development is not valued",
        "The development of new",
    ]
    coded = _coded(texts)
    found = suggest_themes(coded, TAX)
    _check_partition(coded, found)
    (s,) = found.suggestions
    assert s.notes == ("B-1", "B-2", "B-3")
    assert found.uncovered == ("B-4",)


def test_notes_that_share_only_a_weak_word_are_named_by_it_but_not_cued_by_it() -> None:
    coded = _coded(["Use Slack more", "Use Zoom less", "Use Teams daily"], "practice")
    (s,) = suggest_themes(coded, TAX).suggestions
    assert s.label == "Use"
    assert "use" not in s.keywords  # as a cue it would tag half the corpus
    assert len(s.keywords) == 3  # one specific cue per note ("use slack")
    _check_partition(coded, suggest_themes(coded, TAX))
