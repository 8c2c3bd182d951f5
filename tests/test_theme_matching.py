"""Theme tagging: words not links, through Markdown emphasis, not in another sense, inflections."""

from __future__ import annotations

from pathlib import Path

import pytest

from collab_graph.coding.classifier import classify_results
from collab_graph.coding.taxonomy import load_taxonomy
from collab_graph.ingest import parse_file


@pytest.fixture
def tax():
    return load_taxonomy()


def ids(tax, text: str) -> list[str]:
    return [t.id for t, _ in tax.match_themes(text)]


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # a keyword inside a link, a link target or an address is not a word of the note
        ("See https://example.org/events/funding-and-trust for details", "p_forums_networks"),
        ("See https://example.org/events/funding-and-trust for details", "b_funding_budgets"),
        (
            "Add a link to the [website](https://x.org/en/latest/events/index.html)",
            "p_forums_networks",
        ),
        ("Slides at www.budget-workshop.org", "b_funding_budgets"),
        ("Write to training@example.org", "p_skills_talent"),
        ("Read <https://example.org/trust-and-time>", "b_trust"),
        # another sense of the word
        ("Attendance grew over time", "b_time_capacity"),
        ("Two groups met at the same time", "b_time_capacity"),
        ("What will this look like in 5 years time?", "b_time_capacity"),
        ("Each time we meet we start again", "b_time_capacity"),
        ("The NHS trust hosted the session", "b_trust"),
        ("Paper went to the Trust board in May", "b_trust"),
        ("Funding from the Wellcome Trust", "b_trust"),
        ("The scale of the system makes testing hard", "n_scale_shared_resources"),
        ("We ran it at scale across the region", "n_scale_shared_resources"),
        ("The purpose of this discussion is to gather input", "p_forums_networks"),
        ("Software development continues on the portal", "p_skills_talent"),
    ],
)
def test_no_theme_from_a_link_or_another_sense(tax, text: str, absent: str) -> None:
    assert absent not in ids(tax, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Markdown emphasis hides no word
        ("**Data sharing** across partners", "b_information_governance"),
        ("Low _trust_ in each other", "b_trust"),
        ("Not enough *time*", "b_time_capacity"),
        ("~~Budget~~ cuts", "b_funding_budgets"),
        # the link's text is still read
        (
            "[Information governance](https://example.org/ig) slowed everything",
            "b_information_governance",
        ),
        # the right sense still matches
        ("No time beyond the day job", "b_time_capacity"),
        ("Lack of trust between the partners", "b_trust"),
        ("Economies of scale from buying together", "n_scale_shared_resources"),
        # other inflections of a phrase
        (
            "Information governance requirement and data-sharing agreements",
            "p_data_sharing_agreements",
        ),
        ("Economy of scale from small numbers", "n_scale_shared_resources"),
        ("Shared the data under a data sharing agreement", "p_data_sharing_agreements"),
    ],
)
def test_the_right_theme_is_found(tax, text: str, expected: str) -> None:
    assert expected in ids(tax, text)


def test_exclusion_phrases_are_data(tmp_path: Path) -> None:
    themes = tmp_path / "themes.csv"
    themes.write_text("id,kind,label,cues\nb_t,barrier,T,time\n", encoding="utf-8")
    none = load_taxonomy(themes, exclusions_path=tmp_path / "missing.csv")
    assert ids(none, "It improved over time") == ["b_t"]
    mine = tmp_path / "theme-exclusions.csv"
    mine.write_text("phrase,comment\nover time,change\n", encoding="utf-8")
    assert ids(load_taxonomy(themes), "It improved over time") == []  # found beside themes.csv
    assert ids(load_taxonomy(themes), "No time at all") == ["b_t"]


def test_an_exclusion_row_needs_a_phrase(tmp_path: Path) -> None:
    from collab_graph.errors import DataFileError

    themes = tmp_path / "themes.csv"
    themes.write_text("id,kind,label,cues\nb_t,barrier,T,time\n", encoding="utf-8")
    (tmp_path / "theme-exclusions.csv").write_text("phrase,comment\n,why\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"theme-exclusions.csv: line 2, column phrase"):
        load_taxonomy(themes)


def test_a_cue_shared_by_kinds_names_both() -> None:
    tax = load_taxonomy()
    assert {str(k) for k in tax.cue_kinds("no time")} == {"barrier"}
    assert {str(k) for k in tax.cue_kinds("match funding")} == {"barrier", "practice"}
    assert tax.cue_kinds("no such cue") == frozenset()


INHERIT = """# Notes from the partnership day

## Funding

- We should ask the council for help
- Pool it across partners

## What would you change about how the whole programme is run and organised?

- We should ask the council for help
"""


def test_a_note_naming_no_theme_takes_its_short_headings(tmp_path: Path) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text(INHERIT, encoding="utf-8")
    coded = {c.note.line: c for c in classify_results([parse_file(doc)])}
    assert coded[5].kind.value == "practice"
    assert [t.id for t in coded[5].themes][:1] == ["b_funding_budgets"]
    assert [t.id for t in coded[6].themes][:1] == ["b_funding_budgets"]
    # a question asked of a whole workshop is too broad to say what a note is about
    assert not coded[10].themes


def test_two_spellings_of_one_cue_are_one_hit(tax) -> None:
    # "face to face" and "face-to-face" are both cues of one theme: one hit, counted once
    [(theme, cues)] = [(t, c) for t, c in tax.match_themes("Meet face-to-face") if c]
    assert theme.id == "p_forums_networks"
    assert len(cues) == 1
    # so two separate cues of another theme outweigh it
    assert ids(tax, "Run face-to-face instructor training")[0] == "p_skills_talent"


@pytest.mark.parametrize("text", ["Advocating for research software", "We advocated for it"])
def test_a_star_cue_reads_the_endings_that_drop_an_e(tax, text: str) -> None:
    assert "p_policy_engagement" in ids(tax, text)


# -- names, contrast, other senses and degree words (themeprec) ------------------------


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # a keyword that modifies the head of a name is part of the name
        ("The IG Interest Group made a bid for the fund", "b_information_governance"),
        (
            "We went to the National Patient Data Conference and learnt a lot from the talks",
            "b_information_governance",
        ),
        # a capitalised common word in a sentence written in lower case is a name
        ("Bob had a similar issue with Scale where the tests fail", "n_scale_shared_resources"),
        # what "rather than" sets aside is not the topic
        ("Keep the service going rather than writing a business case", "p_making_the_case"),
        ("Meet in person instead of training online, it works", "p_skills_talent"),
        # "time" as a moment, a wish, a cost in effort, members rather than staff
        ("This is a great time to join the group", "b_time_capacity"),
        ("Now is the right time to start", "b_time_capacity"),
        ("It would be nice to have more breaks", "b_lack_buyin"),
        ("The sprint is expensive in terms of effort", "b_funding_budgets"),
        ("Recruiting new members of the public is slow", "p_redefine_roles"),
        # "value" alone is worth, not value for money
        ("The value of good software is clear", "n_efficiency_savings"),
    ],
)
def test_no_theme_from_a_name_a_contrast_or_another_sense(tax, text: str, absent: str) -> None:
    assert absent not in ids(tax, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a keyword that is the head of a name still counts
        ("Join the Working Group on data and see what it does", "p_dedicated_team"),
        # an acronym on its own is a topic
        ("We need IG advice before anything is shared", "b_information_governance"),
        # a title in capitals says nothing by its capitals
        ("Lack Of Funding For Staff", "b_funding_budgets"),
        # what comes before "rather than" still counts
        ("More funding rather than more meetings", "b_funding_budgets"),
        # the same words in their other places
        ("Not enough time to review", "b_time_capacity"),
        ("It is seen as a nice to have", "b_lack_buyin"),
        ("Value for money from shared buying", "n_efficiency_savings"),
        # degree words are read through
        ("The bar is super high", "b_onboarding_gaps"),
        # inflections added as keywords
        ("Fund the platform for five years", "b_funding_budgets"),
        ("It is a skilled job", "p_skills_talent"),
        ("The checks are labour intensive", "b_time_capacity"),
    ],
)
def test_the_topic_survives_names_contrast_and_degree_words(tax, text: str, expected: str) -> None:
    assert expected in ids(tax, text)
