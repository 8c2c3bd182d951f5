"""links: curated file, CFIR-ERIC style evidence (endorsement, levels, signals), scoring."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from collab_graph.coding.taxonomy import load_taxonomy
from collab_graph.errors import DataFileError
from collab_graph.graph.examples import example_coded_notes, example_themes
from collab_graph.graph.links import (
    CuratedLink,
    combine_links,
    compute_evidence,
    level_for,
    load_curated,
    score,
)
from collab_graph.model import CodedNote, Note, NoteKind
from collab_graph.resources import data_path


def _note(
    ws: str,
    group: int | None,
    prompt: str | None,
    nid: str,
    themes: tuple[str, ...],
    kind: NoteKind = NoteKind.PRACTICE,
    parent: str | None = None,
) -> CodedNote:
    t = example_themes()
    note = Note(
        id=nid, workshop=ws, group=group, question=1, prompt=prompt, line=1, text=nid, parent=parent
    )
    return CodedNote(note=note, kind=kind, themes=tuple(t[x] for x in themes))


def test_bundled_curated_links_are_valid_and_carry_no_evidence_column() -> None:
    links = load_curated()
    assert len(links) >= 40
    themes = load_taxonomy().themes
    for link in links:
        assert themes[link.practice].kind == "practice"
        assert themes[link.barrier].kind == "barrier"
        assert link.rationale
    header = (
        Path(__file__)
        .resolve()
        .parents[1]
        .joinpath("data", "addresses.csv")
        .read_text(encoding="utf-8")
        .splitlines()[0]
    )
    assert "evidence" not in header


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("practice_theme,barrier_theme,strength\np,b,strong\n", "missing column"),
        (
            "practice_theme,barrier_theme,strength,rationale\np,b,weak,x\n",
            "line 2, column \\w+: unknown strength",
        ),
        ("practice_theme,barrier_theme,strength,rationale\np,b,strong,\n", "line 2\\b.*empty"),
        (
            "practice_theme,barrier_theme,strength,rationale\np,b,strong,x\np,b,moderate,y\n",
            "line 3, column \\w+: duplicate link",
        ),
    ],
)
def test_bad_curated_files_name_the_line(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "addresses.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError, match=match):
        load_curated(path)


def test_missing_curated_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="curated links file not found"):
        load_curated(tmp_path / "nope.csv")


def test_levels_follow_cfir_eric_bands() -> None:
    assert [level_for(x) for x in (1.0, 0.5, 0.4999, 0.2, 0.1999, 0)] == [1, 1, 2, 2, 3, 3]


def test_endorsement_is_share_of_barrier_groups_reporting_the_practice() -> None:
    # Four groups raise the barrier; two of them also report the practice.
    notes = [
        _note("w", 1, "A", "1b", ("b_time_capacity",), NoteKind.BARRIER),
        _note("w", 1, "B", "1p", ("p_protected_time",)),
        _note("w", 2, "A", "2b", ("b_time_capacity",), NoteKind.BARRIER),
        _note("w", 2, "A", "2p", ("p_protected_time",)),
        _note("w", 3, "A", "3b", ("b_time_capacity",), NoteKind.BARRIER),
        _note("w", 4, "A", "4b", ("b_time_capacity",), NoteKind.BARRIER),
        _note("w", 5, "A", "5p", ("p_protected_time",)),
    ]
    ev = compute_evidence(notes)["p_protected_time", "b_time_capacity"]
    assert (ev.groups_barrier, ev.groups_practice, ev.groups_both) == (4, 3, 2)
    assert ev.endorsement == 0.5
    assert ev.level == 1
    # group 1: same group only (0.25), group 2: same block (0.5)
    assert ev.evidence_score == pytest.approx((0.25 + 0.5) / 4, abs=1e-4)
    assert (ev.explicit_groups, ev.block_groups) == (0, 1)


def test_explicit_pairing_outweighs_block_and_group() -> None:
    def ev_for(notes: list[CodedNote]) -> float:
        return compute_evidence(notes)["p_protected_time", "b_time_capacity"].evidence_score

    barrier = _note("w", 1, "A", "b", ("b_time_capacity",), NoteKind.BARRIER)
    same_group = ev_for([barrier, _note("w", 1, "B", "p", ("p_protected_time",))])
    same_block = ev_for([barrier, _note("w", 1, "A", "p", ("p_protected_time",))])
    explicit = ev_for([_note("w", 1, "A", "x", ("p_protected_time", "b_time_capacity"))])
    nested = ev_for([barrier, _note("w", 1, "B", "p", ("p_protected_time",), parent="b")])
    assert same_group < same_block < explicit
    assert nested == explicit


def test_groups_are_kept_apart_across_workshops() -> None:
    notes = [
        _note("a", 1, "A", "b", ("b_time_capacity",), NoteKind.BARRIER),
        _note("b", 1, "A", "p", ("p_protected_time",)),
    ]
    assert ("p_protected_time", "b_time_capacity") not in compute_evidence(notes)


def test_heading_notes_are_ignored() -> None:
    notes = [
        _note("w", 1, "A", "h", ("p_protected_time", "b_time_capacity"), NoteKind.HEADING),
    ]
    assert compute_evidence(notes) == {}


def test_score_combines_both_parts_and_keeps_them_visible() -> None:
    ev = compute_evidence(example_coded_notes())
    cur = [CuratedLink("p_protected_time", "b_time_capacity", "strong", "why")]
    links = {(k.practice, k.barrier): k for k in combine_links(cur, ev)}
    link = links["p_protected_time", "b_time_capacity"]
    assert link.curated_score == 1.0
    assert link.evidence_score == ev["p_protected_time", "b_time_capacity"].evidence_score
    assert link.score == score(1.0, link.evidence_score)
    # a curated link with no evidence at all is kept, at half weight
    cur2 = [CuratedLink("p_idea_platforms", "b_trust", "moderate", "why")]
    alone = {(k.practice, k.barrier): k for k in combine_links(cur2, ev)}[
        "p_idea_platforms", "b_trust"
    ]
    assert (alone.score, alone.evidence, alone.level) == (0.3, None, 3)


def test_group_only_cooccurrence_is_not_a_link_on_its_own() -> None:
    notes = [
        _note("w", 1, "A", "b", ("b_time_capacity",), NoteKind.BARRIER),
        _note("w", 1, "B", "p", ("p_shared_services",)),
    ]
    ev = compute_evidence(notes)
    assert ev["p_shared_services", "b_time_capacity"].local is False
    assert combine_links([], ev) == []


def test_evidence_is_linear_in_notes() -> None:
    # 2,000 groups of 5 notes must not take quadratic time or memory.
    import time

    notes = []
    for g in range(2000):
        notes += [
            _note("w", g, "A", f"{g}-1", ("b_time_capacity",), NoteKind.BARRIER),
            _note("w", g, "A", f"{g}-2", ("p_protected_time",)),
            _note("w", g, "B", f"{g}-3", ("p_shared_services", "b_funding_budgets")),
            _note("w", g, "B", f"{g}-4", ("p_dedicated_team",)),
            _note("w", g, "C", f"{g}-5", ("n_efficiency_savings",), NoteKind.BENEFIT),
        ]
    start = time.perf_counter()
    ev = compute_evidence(notes)
    assert time.perf_counter() - start < 2.0
    assert ev["p_protected_time", "b_time_capacity"].groups_both == 2000
    assert replace(ev["p_protected_time", "b_time_capacity"]).level == 1


def test_an_addresses_file_saved_by_excel_with_a_bom_is_read(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" puts a byte-order mark before the header and ends lines with CRLF."""
    original = data_path("addresses.csv").read_text(encoding="utf-8")
    path = tmp_path / "addresses.csv"
    path.write_bytes("\ufeff".encode() + original.replace("\n", "\r\n").encode("utf-8"))
    assert load_curated(path) == load_curated(data_path("addresses.csv"))


def test_the_analysts_links_add_replace_and_remove(tmp_path: Path) -> None:
    mine = tmp_path / "addresses.csv"
    mine.write_text(
        "practice_theme,barrier_theme,strength,rationale\n"
        "p_protected_time,b_time_capacity,removed,not how this team works\n"
        "p_dedicated_team,b_time_capacity,moderate,only for big projects here\n"
        "p_secondments,b_funding_budgets,moderate,a seconded post is paid by its home body\n",
        encoding="utf-8",
    )
    base = {(c.practice, c.barrier): c for c in load_curated(data_path("addresses.csv"))}
    both = {(c.practice, c.barrier): c for c in load_curated([data_path("addresses.csv"), mine])}
    assert ("p_protected_time", "b_time_capacity") in base
    assert ("p_protected_time", "b_time_capacity") not in both
    assert both[("p_dedicated_team", "b_time_capacity")].strength == "moderate"
    assert both[("p_secondments", "b_funding_budgets")].rationale.startswith("a seconded post")
    assert len(both) == len(base) + (0 if ("p_secondments", "b_funding_budgets") in base else 1) - 1
