"""Curation: accepting, merging and rejecting suggestions, keywords, links and organisations
in the analyst's workspace (collab_graph.review.curation), and the graph that follows."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_graph import pipeline
from collab_graph.cache import DiskCache
from collab_graph.coding.discover import Suggestion
from collab_graph.csvfiles import read_csv
from collab_graph.errors import CurationError
from collab_graph.graph.links import STRENGTH_SCORES, load_curated
from collab_graph.model import ThemeKind
from collab_graph.pipeline import Corpus
from collab_graph.resources import data_path
from collab_graph.review import curation
from collab_graph.review.curation import (
    accept_suggestion,
    add_alias,
    add_curated_link,
    add_organisation,
    decided_suggestions,
    decisions,
    edit_keywords,
    merge_suggestion,
    reject_suggestion,
    remove_curated_link,
)
from collab_graph.workspace import Workspace

NOTES = """# Team day

## Challenges

- The printer jams again
- Queue at the printer
- Printer out of toner
- Lack of time for the day job

## What would help

- Bring biscuits to the stand-up
- Biscuits for every visitor
- Home-made biscuits on Fridays
"""


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws")


@pytest.fixture
def corpus(tmp_path: Path, ws: Workspace) -> Corpus:
    path = tmp_path / "team-day.md"
    path.write_text(NOTES, encoding="utf-8")
    return Corpus([path], workspace=ws)


def _suggestions(corpus: Corpus, store: DiskCache | None = None) -> dict[str, Suggestion]:
    found = pipeline.suggestions(corpus, cache=store)
    return {s.keywords[0]: s for s in found.suggestions}


def _recent(when: str) -> bool:
    stamp = dt.datetime.fromisoformat(when)
    return abs((dt.datetime.now(dt.UTC) - stamp).total_seconds()) < 600


class Spy:
    """Counts calls of the parser and the classifier the pipeline uses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed = self.coded = 0
        load, classify = pipeline.load, pipeline.classify_results

        def counting_load(*a: object, **k: object) -> object:
            self.parsed += 1
            return load(*a, **k)  # type: ignore[arg-type]

        def counting_classify(*a: object, **k: object) -> object:
            self.coded += 1
            return classify(*a, **k)  # type: ignore[arg-type]

        monkeypatch.setattr(pipeline, "load", counting_load)
        monkeypatch.setattr(pipeline, "classify_results", counting_classify)


def test_accept_adds_a_theme_the_notes_get_without_parsing_again(
    corpus: Corpus, ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DiskCache(tmp_path / "cache")
    before = pipeline.graph(corpus, cache=store)
    s = _suggestions(corpus, store)["printer"]
    assert s.kind is ThemeKind.BARRIER
    assert len(s.notes) == 3
    spy = Spy(monkeypatch)
    theme = accept_suggestion(ws, s, label="Broken kit", kind="barrier", who="Ana Lyst")
    assert theme.id == "b_broken_kit"
    assert theme.cues == s.keywords
    assert pipeline.vocabulary(ws).taxonomy.themes["b_broken_kit"].label == "Broken kit"
    after = pipeline.graph(corpus, cache=store)
    assert spy.parsed == 0, "accepting a theme never parses the notes again"
    assert spy.coded == 1
    node = "theme/b_broken_kit"
    assert node not in before
    about = {u for u, _v, k in after.in_edges(node, keys=True) if k == "about"}
    assert {u.rsplit("/", 1)[-1] for u in about} == set(s.notes)
    (row,) = read_csv(ws.themes)
    assert (row["who"], row["source"], row["kind"]) == ("Ana Lyst", "analyst", "barrier")
    assert _recent(row["when"])
    assert [d["decision"] for d in decisions(ws)] == ["accepted"]
    # the accepted notes are covered now, so they are suggested no more
    assert "printer" not in _suggestions(corpus, store)


def test_accepting_twice_the_same_label_gives_two_ids(corpus: Corpus, ws: Workspace) -> None:
    s = _suggestions(corpus)["printer"]
    a = accept_suggestion(ws, s, label="Kit", kind="barrier", who="a", keywords=["kettle"])
    b = accept_suggestion(ws, s, label="Kit", kind="barrier", who="b", keywords=["toaster"])
    assert (a.id, b.id) == ("b_kit", "b_kit_2")
    assert {"b_kit", "b_kit_2"} <= set(pipeline.vocabulary(ws).taxonomy.themes)


def test_accept_checks_its_input(corpus: Corpus, ws: Workspace) -> None:
    s = _suggestions(corpus)["printer"]
    with pytest.raises(CurationError, match="label"):
        accept_suggestion(ws, s, label="  ", kind="barrier", who="a")
    with pytest.raises(CurationError, match="who"):
        accept_suggestion(ws, s, label="Kit", kind="barrier", who=" ")
    with pytest.raises(CurationError, match="unknown theme kind"):
        accept_suggestion(ws, s, label="Kit", kind="context", who="a")
    with pytest.raises(CurationError, match="not a barrier theme"):
        accept_suggestion(ws, s, label="Kit", kind="barrier", broader="p_secondments", who="a")
    with pytest.raises(CurationError, match="';'"):
        accept_suggestion(ws, s, label="Kit", kind="barrier", keywords=["a;b"], who="a")
    assert not ws.themes.exists()


def test_accept_with_a_broader_theme_nests_it(corpus: Corpus, ws: Workspace) -> None:
    s = _suggestions(corpus)["printer"]
    t = accept_suggestion(
        ws, s, label="Broken kit", kind="barrier", broader="b_time_capacity", who="a"
    )
    assert pipeline.vocabulary(ws).taxonomy.themes[t.id].broader == "b_time_capacity"


def test_merge_adds_the_keywords_to_a_bundled_theme(corpus: Corpus, ws: Workspace) -> None:
    s = _suggestions(corpus)["biscuits"]
    bundled = pipeline.vocabulary(None).taxonomy.themes["p_protected_time"]
    merged = merge_suggestion(ws, s, "p_protected_time", who="ana")
    assert merged.cues[: len(bundled.cues)] == bundled.cues
    assert "biscuits" in merged.cues
    themes = pipeline.vocabulary(ws).taxonomy.themes
    assert themes["p_protected_time"].cues == merged.cues
    assert themes["p_protected_time"].label == bundled.label
    outcome = pipeline.review(corpus, pipeline.code(corpus, cache=None))
    assert all(
        "p_protected_time" in {t.id for t in c.themes}
        for c in outcome.coded
        if "iscuits" in c.note.text
    )
    (row,) = read_csv(ws.themes)
    assert row["who"] == "ana"
    assert _recent(row["when"])
    assert [d["decision"] for d in decisions(ws)] == ["merged"]
    # merging again edits the workspace's copy, it adds no second row
    merge_suggestion(ws, s, "p_protected_time", who="bo", keywords=["cake"])
    (row,) = read_csv(ws.themes)
    assert row["cues"].endswith(";biscuits;cake")
    assert row["who"] == "bo"


def test_merge_into_an_unknown_theme_is_an_error(corpus: Corpus, ws: Workspace) -> None:
    s = _suggestions(corpus)["biscuits"]
    with pytest.raises(CurationError, match="unknown theme 'p_nope'"):
        merge_suggestion(ws, s, "p_nope", who="ana")


def test_a_rejected_suggestion_is_not_suggested_again(corpus: Corpus, ws: Workspace) -> None:
    found = _suggestions(corpus)
    assert "biscuits" in found
    reject_suggestion(ws, found["biscuits"], who="ana")
    assert "biscuits" not in _suggestions(corpus)
    assert "printer" in _suggestions(corpus)
    (row,) = decisions(ws)
    assert (row["decision"], row["who"], row["key"]) == ("rejected", "ana", found["biscuits"].key)
    assert _recent(row["when"])
    assert set(decided_suggestions(ws)) == {found["biscuits"].key}


def test_edit_keywords_replaces_the_cues(ws: Workspace) -> None:
    edit_keywords(ws, "b_time_capacity", ["no time", "day job", "No time"], who="ana")
    assert pipeline.vocabulary(ws).taxonomy.themes["b_time_capacity"].cues == ("no time", "day job")
    with pytest.raises(CurationError, match="at least one keyword"):
        edit_keywords(ws, "b_time_capacity", [" "], who="ana")


def test_curated_links_are_added_and_removed(ws: Workspace) -> None:
    assert tuple(STRENGTH_SCORES) == curation.LINK_STRENGTHS
    files = [data_path("addresses.csv"), ws.addresses]
    pair = ("p_secondments", "b_skills_gaps")
    add_curated_link(ws, *pair, strength="moderate", rationale="People learn on loan", who="ana")
    links = {(link.practice, link.barrier): link for link in load_curated(files)}
    assert links[pair].strength == "moderate"
    assert links[pair].rationale == "People learn on loan"
    (row,) = read_csv(ws.addresses)
    assert row["who"] == "ana"
    assert _recent(row["when"])
    remove_curated_link(ws, *pair, who="bo")
    assert pair not in {(link.practice, link.barrier) for link in load_curated(files)}
    (row,) = read_csv(ws.addresses)  # the removal is kept: who and when
    assert (row["strength"], row["who"]) == ("removed", "bo")
    assert _recent(row["when"])
    bundled = ("p_protected_time", "b_time_capacity")
    remove_curated_link(ws, *bundled, who="bo")
    assert bundled not in {(link.practice, link.barrier) for link in load_curated(files)}
    assert [r["strength"] for r in read_csv(ws.addresses)] == ["removed", "removed"]
    add_curated_link(ws, *bundled, strength="moderate", rationale="back again", who="cy")
    links = {(link.practice, link.barrier): link for link in load_curated(files)}
    assert links[bundled].strength == "moderate"
    with pytest.raises(CurationError, match="not a practice"):
        add_curated_link(ws, "b_time_capacity", "b_skills_gaps", strength="strong",
                         rationale="x", who="a")  # fmt: skip
    with pytest.raises(CurationError, match="unknown strength"):
        add_curated_link(ws, *pair, strength="weak", rationale="x", who="a")
    with pytest.raises(CurationError, match="rationale"):
        add_curated_link(ws, *pair, strength="strong", rationale=" ", who="a")


def test_a_curated_link_changes_only_the_graph(
    corpus: Corpus, ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DiskCache(tmp_path / "cache")
    pipeline.graph(corpus, cache=store)
    spy = Spy(monkeypatch)
    add_curated_link(
        ws, "p_secondments", "b_skills_gaps", strength="strong", rationale="loan", who="a"
    )
    G = pipeline.graph(corpus, cache=store)
    assert (spy.parsed, spy.coded) == (0, 0)
    assert G.has_edge("theme/p_secondments", "theme/b_skills_gaps", key="addresses")


def test_organisations_and_aliases(corpus: Corpus, ws: Workspace) -> None:
    org = add_organisation(ws, "Coffee Guild", aliases=["the Guild"], type="third sector", who="a")
    gaz = curation.gazetteer(ws)
    assert gaz.organisations[org.id].type.value == "third sector"
    assert [o.id for o in gaz.find("Ask the Guild")] == [org.id]
    add_alias(ws, org.id, "Brew Crew", who="bo")
    assert [o.id for o in curation.gazetteer(ws).find("the Brew Crew")] == [org.id]
    add_alias(ws, "nhs_ggc", "Clydeside trust", who="bo")
    rows = read_csv(ws.organisations)
    assert [r["id"] for r in rows] == [org.id, "nhs_ggc"]
    assert all(r["who"] and _recent(r["when"]) for r in rows)
    assert "Clydeside trust" in curation.gazetteer(ws).organisations["nhs_ggc"].aliases
    with pytest.raises(CurationError, match="unknown organisation"):
        add_alias(ws, "unresolved:x", "X", who="a")
    with pytest.raises(CurationError, match="unknown organisation type"):
        add_organisation(ws, "Y", type="club", who="a")


WRITER = r"""
import sys
from collab_graph.coding.discover import Suggestion
from collab_graph.model import ThemeKind
from collab_graph.review.curation import accept_suggestion
from collab_graph.workspace import Workspace

root, tag = sys.argv[1:3]
for i in range(15):
    s = Suggestion(f"s-{tag}{i}", "x", ThemeKind.BARRIER, (f"kw{tag}{i}",), (f"N-{i}",), None)
    accept_suggestion(Workspace(root), s, label=f"Theme {tag} {i}", kind="barrier", who=tag)
"""


def test_concurrent_accepts_lose_nothing(ws: Workspace) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(ws.root), tag]) for tag in "ab"]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    rows = read_csv(ws.themes)
    assert len(rows) == 30
    assert len({r["id"] for r in rows}) == 30
    assert len(decisions(ws)) == 30
    themes = pipeline.vocabulary(ws).taxonomy.themes
    assert all(r["id"] in themes for r in rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    label=st.text(max_size=30),
    keywords=st.lists(st.text(max_size=15), max_size=4),
    who=st.text(max_size=10),
)
def test_any_label_and_keywords_round_trip_or_fail_clearly(
    label: str, keywords: list[str], who: str
) -> None:
    s = Suggestion("s-x", "x", ThemeKind.PRACTICE, ("biscuits",), ("N-1",), None)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(tmp)
        try:
            theme = accept_suggestion(
                ws, s, label=label, kind="practice", keywords=keywords, who=who
            )
        except CurationError:
            assert not ws.themes.exists()
            return
        read = pipeline.vocabulary(ws).taxonomy.themes[theme.id]
        assert read.label == " ".join(label.split()) == theme.label
        assert read.cues == theme.cues
        assert [c.lower() for c in read.cues] == list(
            dict.fromkeys(" ".join(k.split()).lower() for k in keywords if k.split())
        )
        (row,) = read_csv(ws.themes)
        assert row["who"] == " ".join(who.split())


def test_accepting_every_suggestion_as_it_stands_covers_its_notes(
    corpus: Corpus, ws: Workspace
) -> None:
    found = pipeline.suggestions(corpus, cache=None)
    assert len(found.suggestions) == 2
    for s in found.suggestions:
        accept_suggestion(ws, s, label=s.label, kind=s.kind, who="ana")
    outcome = pipeline.review(corpus, pipeline.code(corpus, cache=None))
    themed = {c.note.id for c in outcome.coded if c.themes}
    assert {n for s in found.suggestions for n in s.notes} <= themed
    assert not pipeline.suggestions(corpus, cache=None).suggestions


def test_a_new_organisation_is_found_without_parsing_again(
    corpus: Corpus, ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DiskCache(tmp_path / "cache")
    pipeline.graph(corpus, cache=store)
    spy = Spy(monkeypatch)
    org = add_organisation(ws, "Biscuit Club", aliases=["biscuits"], type="third sector", who="a")
    G = pipeline.graph(corpus, cache=store)
    assert spy.parsed == 0
    node = f"org/{org.id}"
    mentions = {
        u.rsplit("/", 1)[-1] for u, v, k in G.edges(keys=True) if (v, k) == (node, "mentions")
    }
    assert mentions == {"what-would-help-1", "what-would-help-2", "what-would-help-3"}
