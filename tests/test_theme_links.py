"""Links for every theme: units of evidence (group, section, workshop), sources, origins, roles.

Issue 14: evidence links are computed for every theme, and where notes have no
groups the unit of evidence is the note's section, or else its workshop. Each
practice of a ``practices_for`` answer lists its ``sources`` and says whether
its link is curated, evidence-only or both; quotes on the practice side only
come from notes that report the practice.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from collab_graph import cli
from collab_graph.graph.build import build_graph
from collab_graph.graph.examples import example_themes
from collab_graph.graph.links import (
    CuratedLink,
    EvidenceUnit,
    compute_evidence,
    evidence_unit,
    load_curated,
)
from collab_graph.graph.query import practices_for
from collab_graph.ingest import parse_text
from collab_graph.model import CodedNote, Note, NoteKind, Scope
from collab_graph.pipeline import Corpus, graph
from collab_graph.views import app_support as sup
from collab_graph.workspace import WORKSPACE_ENV, Workspace

ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------- layouts

GROUPED = """Lunch workshop
Group 1
Question 1
A)
· Day job – no time to innovate
B)
· Protected time for innovation projects
Group 2
Question 1
A)
· No time for anything new, the day job comes first
· Protected time for innovation would help
"""

SECTIONS = """# Lunch workshop

## Staffing

- Day job – no time to innovate
- Protected time for innovation projects

## Money

- Budgets are cut every year
- Protected time for innovation projects would help here too
"""

FLAT = """Ideas from the lunch table

- Day job – no time to innovate
- Protected time for innovation projects
"""

# Kinds and themes given by hand (by the words in the note), so that the test does
# not depend on the classifier or the taxonomy's keywords.
_BY_WORDS = (
    ("no time", NoteKind.BARRIER, "b_time_capacity"),
    ("budgets", NoteKind.BARRIER, "b_funding_budgets"),
    ("protected time", NoteKind.PRACTICE, "p_protected_time"),
)


def _code(notes: list[Note]) -> list[CodedNote]:
    themes = example_themes()
    out = []
    for n in notes:
        text = n.text.casefold()
        kind, tid = next(((k, t) for w, k, t in _BY_WORDS if w in text), (NoteKind.CONTEXT, None))
        out.append(CodedNote(note=n, kind=kind, themes=(themes[tid],) if tid else ()))
    return out


def _layout_graph(text: str, source: str, curated: tuple[CuratedLink, ...] = ()) -> nx.MultiDiGraph:
    parsed = parse_text(text, source=source)
    return build_graph(_code(list(parsed.notes)), themes=example_themes().values(), curated=curated)


@pytest.mark.parametrize(
    ("text", "source", "practice_sources", "barrier_sources"),
    [
        pytest.param(
            GROUPED,
            "grouped.txt",
            [("grouped", 1, None), ("grouped", 2, None)],
            [("grouped", 1, None), ("grouped", 2, None)],
            id="groups",
        ),
        pytest.param(
            SECTIONS,
            "sections.md",
            [("sections", None, "Staffing"), ("sections", None, "Money")],
            [("sections", None, "Staffing")],
            id="sections",
        ),
        pytest.param(
            FLAT,
            "flat.md",
            [("flat", None, None)],
            [("flat", None, None)],
            id="workshop",
        ),
    ],
)
def test_sources_name_the_group_else_the_section_else_the_workshop(
    text: str,
    source: str,
    practice_sources: list[tuple[str, int | None, str | None]],
    barrier_sources: list[tuple[str, int | None, str | None]],
) -> None:
    G = _layout_graph(text, source)
    res = practices_for(G, "b_time_capacity")
    assert [tuple(u.values()) for u in res["barrier"]["sources"]] == barrier_sources
    (p,) = res["practices"]
    assert p["id"] == "p_protected_time"
    assert p["origin"] == "evidence"
    assert all(list(u) == ["workshop", "group", "section"] for u in p["sources"])
    assert [tuple(u.values()) for u in p["sources"]] == practice_sources
    # the contract's fields are all still there
    assert {"id", "label", "score", "level", "groups", "evidence"} <= set(p)
    assert p["groups"] == sorted({g for _, g, _ in practice_sources if g is not None})
    # each practice quote is placed in its unit
    for e in p["evidence"]:
        unit = (e["workshop"], e["group"], e["section"])
        assert unit in practice_sources or e["role"] == "barrier"


def test_two_sections_without_groups_are_two_units() -> None:
    """A barrier under one heading and a practice under another do not pair.

    Before, a workshop with no groups was one unit and one block, so any
    practice anywhere in it became an evidence link for any barrier.
    """
    text = "# Notes\n\n## Staffing\n\n- Day job – no time\n\n## Ideas\n\n- Protected time\n"
    G = _layout_graph(text, "two.md")
    assert practices_for(G, "b_time_capacity")["practices"] == []
    ev = compute_evidence(_code(list(parse_text(text, source="two.md").notes)))
    assert ("p_protected_time", "b_time_capacity") not in ev


def test_a_label_under_a_heading_is_a_block_of_the_heading_section() -> None:
    """Notes under a label inside a section stay in the section, in a block of their own."""
    themes = example_themes()
    head = Scope(3, "Staffing", "heading")

    def cn(nid: str, line: int, kind: NoteKind, tid: str, *scope: Scope) -> CodedNote:
        note = Note(nid, "w", None, None, None, line, nid, scope=(Scope(1, "T", "title"), *scope))
        return CodedNote(note=note, kind=kind, themes=(themes[tid],))

    notes = [
        cn("b", 4, NoteKind.BARRIER, "b_time_capacity", head),
        cn("p", 7, NoteKind.PRACTICE, "p_protected_time", head, Scope(6, "Ideas:", "label")),
    ]
    assert {evidence_unit(x.note) for x in notes} == {EvidenceUnit("w", None, "Staffing", 3)}
    ev = compute_evidence(notes)["p_protected_time", "b_time_capacity"]
    assert (ev.groups_barrier, ev.groups_both, ev.block_groups) == (1, 1, 0)  # same unit only


def test_sections_of_the_same_name_are_kept_apart() -> None:
    a = Note("a", "w", None, None, None, 4, "a", scope=(Scope(2, "Questions", "heading"),))
    b = Note("b", "w", None, None, None, 9, "b", scope=(Scope(8, "Questions", "heading"),))
    assert evidence_unit(a) != evidence_unit(b)
    assert evidence_unit(a).source() == evidence_unit(b).source()


def test_a_note_with_a_section_but_no_scope_uses_its_section() -> None:
    n = Note("n", "w", None, None, None, 4, "t", section="Challenges")
    assert evidence_unit(n).source() == {"workshop": "w", "group": None, "section": "Challenges"}


# --------------------------------------------------------------------------- origins


@pytest.mark.parametrize(
    ("curated", "layout", "origin"),
    [
        pytest.param(True, SECTIONS, "both", id="both"),
        pytest.param(False, SECTIONS, "evidence", id="evidence"),
        pytest.param(True, "# Notes\n\n## A\n\n- Day job – no time\n", "curated", id="curated"),
    ],
)
def test_each_link_says_where_it_comes_from(curated: bool, layout: str, origin: str) -> None:
    links = (CuratedLink("p_protected_time", "b_time_capacity", "strong", "frees time"),)
    G = _layout_graph(layout, "o.md", links if curated else ())
    (p,) = practices_for(G, "b_time_capacity")["practices"]
    assert p["origin"] == origin
    assert (p["curated"] is not None) == curated


# --------------------------------------------------------------------------- roles


@cache
def _bundled() -> nx.MultiDiGraph:
    return graph(Corpus(), cache=None)


def test_no_barrier_note_is_quoted_for_the_practice_side_on_the_bundled_workshop() -> None:
    """Before, 60 quotes of the bundled answers were barrier notes with the role "practice"."""
    G = _bundled()
    for b in sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "barrier"):
        res = practices_for(G, b.removeprefix("theme/"), max_quotes=None)
        for p in res["practices"]:
            for e in p["evidence"]:
                if e["role"] == "practice":
                    assert e["kind"] != "barrier", (b, p["id"], e["note"], e["text"])


def test_curated_strong_links_rank_in_the_top_five_for_every_bundled_barrier() -> None:
    G = _bundled()
    strong = [c for c in load_curated() if c.strength == "strong"]
    assert strong
    for c in strong:
        ids = [p["id"] for p in practices_for(G, c.barrier)["practices"]]
        assert c.practice in ids[:5], (c.barrier, c.practice, ids[:5])


_KINDS = st.sampled_from([NoteKind.PRACTICE, NoteKind.BARRIER, NoteKind.BENEFIT, NoteKind.CONTEXT])
_THEMES = st.lists(
    st.sampled_from(["p_protected_time", "p_dedicated_team", "b_time_capacity", "b_trust"]),
    max_size=3,
    unique=True,
)
_NOTES = st.lists(
    st.tuples(
        st.sampled_from([None, 1, 2]),  # group
        st.sampled_from([None, "Staffing", "Ideas"]),  # section heading
        st.sampled_from([None, "A", "B"]),  # prompt
        _KINDS,
        _THEMES,
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_NOTES, st.booleans())
def test_quotes_sources_and_origins_follow_the_notes(
    rows: list[tuple[int | None, str | None, str | None, NoteKind, list[str]]], curate: bool
) -> None:
    themes = example_themes()
    lines = {"Staffing": 2, "Ideas": 50}
    coded = []
    for i, (group, section, prompt, kind, tids) in enumerate(rows):
        scope = (Scope(lines[section], section, "heading"),) if section else ()
        note = Note(f"n{i}", "w", group, 1, prompt, 100 + i, f"note {i}", scope=scope)
        coded.append(CodedNote(note=note, kind=kind, themes=tuple(themes[t] for t in tids)))
    curated = (
        (CuratedLink("p_protected_time", "b_time_capacity", "strong", "frees time"),)
        if curate
        else ()
    )
    G = build_graph(coded, themes=themes.values(), curated=curated)
    by_id = {cn.note.id: cn for cn in coded}
    for b in ("b_time_capacity", "b_trust"):
        res = practices_for(G, b, max_quotes=None)
        for p in res["practices"]:
            reporting = [
                cn
                for cn in coded
                if p["id"] in {t.id for t in cn.themes} and cn.kind is not NoteKind.BARRIER
            ]
            expected = {evidence_unit(cn.note).source()["section"] for cn in reporting}
            assert {u["section"] for u in p["sources"]} == expected
            assert len(p["sources"]) == len({evidence_unit(cn.note) for cn in reporting})
            for e in p["evidence"]:
                cn = by_id[e["note"]]
                assert e["role"] in ("practice", "barrier")
                if e["role"] == "practice":
                    assert cn.kind is not NoteKind.BARRIER
                    assert p["id"] in {t.id for t in cn.themes}
                else:
                    assert b in {t.id for t in cn.themes}
            is_curated = curate and (p["id"], b) == ("p_protected_time", "b_time_capacity")
            local = p["explicit_groups"] > 0 or p["block_groups"] > 0
            assert p["origin"] == (
                ("both" if local else "curated") if is_curated else "evidence"
            ), p
            if p["origin"] != "curated":
                assert p["sources"], "an evidence link has a unit that reports the practice"


# --------------------------------------------------------------------------- CLI and app

runner = CliRunner()


def test_cli_json_lists_sources_and_origin_and_the_table_says_the_link(tmp_path: Path) -> None:
    notes = tmp_path / "sections.md"
    notes.write_text(SECTIONS, encoding="utf-8")
    result = runner.invoke(cli.app, ["practices", "b_time_capacity", str(notes), "-f", "json"])
    assert result.exit_code == 0, result.output
    res = json.loads(result.stdout)
    assert res["practices"]
    for p in res["practices"]:
        assert p["origin"] in ("curated", "evidence", "both")
        for u in p["sources"]:
            assert set(u) == {"workshop", "group", "section"}
            assert u["group"] is None
            assert u["section"] in ("Staffing", "Money")
    table = runner.invoke(
        cli.app, ["practices", "Day job – no time", "--top", "3"], env={"COLUMNS": "200"}
    )
    assert table.exit_code == 0, table.output
    assert "link" in table.stdout
    assert "both" in table.stdout


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    workspace = Workspace(tmp_path / "workspace")
    monkeypatch.setenv(WORKSPACE_ENV, str(workspace.root))
    monkeypatch.delenv(sup.PATHS_ENV, raising=False)
    return workspace


def _ask(barrier: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["start_page"] = "ask"
    at.session_state["ask_barrier"] = barrier
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_ask_page_says_curated_evidence_or_both_and_each_quote_its_role(ws: Workspace) -> None:
    at = _ask("Day job – no time")
    answer = practices_for(_bundled(), "Day job – no time")
    ranked = at.dataframe[0].value
    assert list(ranked["link"]) == [p["origin"] for p in answer["practices"]]
    assert {"both", "evidence"} <= set(ranked["link"])
    words = {"both": "curated and evidence", "evidence": "evidence only", "curated": "curated only"}
    titles = [e.label for e in at.expander]
    for p in answer["practices"][:8]:
        assert any(t.startswith(p["label"], 3) and words[p["origin"]] in t for t in titles), p
    quotes = [m.value for m in at.markdown if m.value.startswith("> ")]
    assert quotes
    assert all(("reports the practice" in q) != ("raises the barrier" in q) for q in quotes)
    assert any("Reported by groups " in c.value for c in at.caption)
    # no stray text: what the page writes before its title is nothing
    assert not [m.value for m in at.markdown if "How the Ask page" in m.value]


def test_ask_page_names_sections_for_notes_without_groups(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "sections.md"
    notes.write_text(SECTIONS, encoding="utf-8")
    monkeypatch.setenv(sup.PATHS_ENV, json.dumps([str(notes)]))
    at = _ask("b_time_capacity")
    quotes = [m.value for m in at.markdown if m.value.startswith("> ")]
    assert any("“Staffing” · line" in q for q in quotes), quotes
    captions = " ".join(c.value for c in at.caption)
    assert "Reported by section" in captions or "Reported by 2 sections" in captions, captions


# ------------------------------------------------------- barrier notes and practice evidence

MENTIONS = """Lunch workshop
Group 1
Question 1
A)
· No protected time for innovation, the day job eats it
Group 2
Question 1
A)
· Day job – no time to innovate
· Protected time for innovation projects
"""


def _mentions_graph(tag_practice: bool) -> nx.MultiDiGraph:
    """MENTIONS, with group 1's barrier note also tagged with the practice's theme or not.

    Keyword matching tags a barrier note that names a practice's topic ("no protected
    time") with that practice's theme too; the tag must not make it practice evidence.
    """
    themes = example_themes()
    coded = []
    for n in parse_text(MENTIONS, source="mentions.txt").notes:
        text = n.text.casefold()
        if text.startswith("no protected time"):
            tids = ["b_time_capacity", *(["p_protected_time"] if tag_practice else [])]
            coded.append(
                CodedNote(note=n, kind=NoteKind.BARRIER, themes=tuple(themes[t] for t in tids))
            )
        else:
            coded.extend(_code([n]))
    return build_graph(coded, themes=themes.values())


def test_a_barrier_note_naming_a_practice_does_not_raise_its_evidence() -> None:
    plain = practices_for(_mentions_graph(False), "b_time_capacity", max_quotes=None)
    tagged = practices_for(_mentions_graph(True), "b_time_capacity", max_quotes=None)
    [p_plain] = [p for p in plain["practices"] if p["id"] == "p_protected_time"]
    [p_tagged] = [p for p in tagged["practices"] if p["id"] == "p_protected_time"]
    # the same score, level and reporting groups as without the practice's keywords
    for field in ("score", "evidence_score", "level", "groups", "endorsement"):
        assert p_tagged[field] == p_plain[field], field
    assert p_tagged["groups"] == [2]

    # the note is quoted for the barrier side only, and says it is a barrier note
    def mine(entries: list[dict[str, object]]) -> list[dict[str, object]]:
        return [e for e in entries if str(e["text"]).startswith("No protected time")]

    assert not [e for e in mine(p_tagged["evidence"]) if e["role"] == "practice"]
    quoted = mine(tagged["barrier"]["evidence"])
    assert quoted, "the barrier note is still evidence for the barrier"
    assert all(e["role"] == "barrier" and e["kind"] == "barrier" for e in quoted)
