"""Tests for the taxonomy and the organisation gazetteer (collab_graph.coding.taxonomy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from collab_graph.coding.gazetteer import load_gazetteer
from collab_graph.coding.taxonomy import load_kind_cues, load_taxonomy
from collab_graph.errors import DataFileError
from collab_graph.model import OrgType, ThemeKind


@pytest.fixture
def gaz():
    return load_gazetteer()


def ids(gaz, text: str) -> list[str]:
    return [o.id for o in gaz.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By default IJB", ["ijb"]),
        ("IJBs and councils", ["ijb", "local_authorities"]),
        ("Integrated Joint Boards’s", ["ijb"]),  # curly possessive after a plural
        ("Integrated Joint Boards's", ["ijb"]),  # straight apostrophe
        (
            "Joint integration – Social Care/ Health, N.LAN",
            ["social_care", "nhs", "north_lanarkshire"],
        ),
        ("N LAN and NLAN", ["north_lanarkshire"]),
        ("Clacks – Trello set up", ["clackmannanshire", "trello"]),
        ("Procurement improvement officer P&K Council", ["procurement", "perth_kinross"]),
        ("Perth and Kinross", ["perth_kinross"]),
        ("five day sprint success in H.S.C.P", ["hscp"]),
        ("the HSCP and the H.S.C.P.", ["hscp"]),
        (
            "Shared services;  ABD City Shire Highland",
            ["aberdeen_city", "aberdeenshire", "highland"],
        ),
        ("ABZ CITY SHIRE Highland", ["aberdeen_city", "aberdeenshire", "highland"]),
        ("Aberdeen Project", ["aberdeen_city"]),
        ("good examples from other LA’s", ["local_authorities"]),
        ("good examples from other LA's", ["local_authorities"]),
        ("We collaborate with other island LA’s", ["local_authorities", "island_las"]),
        ("Everyone’s responsibility; trelo, S.L.A.C.K tool", ["trello", "slack"]),
        ("A Slack channel", ["slack"]),
        ("State drives this", ["the_state"]),
        ("Joint group with NHS – drug and alcohol prevention", ["nhs"]),
        ("horse meat work with prisons/ health", ["sps", "nhs"]),
        ("Shetland entire council working in partnership", ["shetland"]),
        ("Health and Social Care Partnership", ["hscp"]),
        ("NHS Fife and Fife Council", ["nhs_fife", "fife"]),
        ("Police Scotland and SFRS", ["police_scotland", "sfrs"]),
        ("COSLA and the Scottish Government", ["cosla", "the_state"]),
        ("Scotland Excel resource", ["scotland_excel"]),
        ("Comhairle nan Eilean Siar", ["eilean_siar"]),
    ],
)
def test_alias_forms(gaz, text, expected):
    assert sorted(ids(gaz, text)) == sorted(expected)


@pytest.mark.parametrize(
    "text",
    [
        "UNHSX and SNHS codes",  # NHS inside another word
        "a relaxed laissez-faire approach",  # "LA" only as a whole word in capitals
        "la la land",
        "cut them some slack",  # lower-case slack is a word, not the tool
        "the state of the art",  # "State" only capitalised, and this phrase is excluded
        "State of the art kit",
        "Chief executive driver",  # roles are not organisations
        "C.E promoted – wants ideas",
        "Elected members views",
        "mental health first aid",
        "Teams resourced – what worked",  # plain "teams" is not Microsoft Teams
        "stateless councillors",  # neither "State" nor "council" inside other words
        "Healthy living",
    ],
)
def test_no_false_matches(gaz, text):
    assert ids(gaz, text) == []


def test_tools_roles_and_types(gaz):
    assert gaz.organisations["trello"].type is OrgType.TOOL
    assert gaz.organisations["slack"].type is OrgType.TOOL
    assert gaz.organisations["procurement"].type is OrgType.FUNCTION
    councils = gaz.of_type("council")
    # all 32 Scottish councils, plus the generic and island entries
    assert len([o for o in councils if o.id not in {"local_authorities", "island_las"}]) == 32
    boards = [
        o for o in gaz.of_type("health") if o.id.startswith("nhs_") and o.id != "nhs_national"
    ]
    assert len(boards) == 14


def test_mentions_keep_source_text(gaz):
    [m] = gaz.mentions("Sponsorship in the H.S.C.P today")
    assert m.text == "H.S.C.P"
    assert [o.id for o in m.orgs] == ["hscp"]


def test_taxonomy_themes_have_cues():
    tax = load_taxonomy()
    assert {t.kind for t in tax.themes.values()} == set(ThemeKind)
    assert all(t.cues and t.label and t.definition for t in tax.themes.values())
    assert next(t.id for t, _ in tax.match_themes("Day job – no time")) == "b_time_capacity"
    assert [t.id for t, _ in tax.match_themes("Five-day sprints")] == ["p_innovation_sprints"]


def test_bad_theme_file_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "themes.csv"
    bad.write_text("id,kind,label\np_x,practice,X\np_y,obstacle,Y\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"themes.csv: line 3\b.*unknown kind 'obstacle'"):
        load_taxonomy(bad)


def test_bad_gazetteer_type(tmp_path: Path):
    bad = tmp_path / "organisations.csv"
    bad.write_text("id,label,type,aliases\nx,X,planet,Xx\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="unknown type 'planet'"):
        load_gazetteer(bad)


def test_custom_gazetteer_is_used(tmp_path: Path):
    f = tmp_path / "organisations.csv"
    f.write_text(
        "id,label,type,aliases,case_sensitive_aliases\n"
        "acme,Acme Ltd,supplier/private,acme;ACME Ltd,Roadrunner\n",
        encoding="utf-8",
    )
    gaz = load_gazetteer(f)
    assert ids(gaz, "Acme's depot and the Roadrunner team") == ["acme"]
    assert ids(gaz, "roadrunner") == []


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "themes.csv",
            "id,kind,label\n,practice,X\n",
            r"themes.csv: line 2, column id: empty theme id",
        ),
        (
            "themes.csv",
            "id,kind,label\np_x,practice,X\np_x,barrier,Y\n",
            r"themes.csv: line 3, column \w+: theme id 'p_x' is used twice",
        ),
        (
            "themes.csv",
            "id,kind,label,broader\np_x,practice,X,p_nowhere\n",
            r"themes.csv: theme 'p_x' has unknown broader entry 'p_nowhere'",
        ),
        (
            "themes.csv",
            "id,label\np_x,X\n",
            r"themes.csv: line 1: missing column\(s\) kind",
        ),
        (
            "kind-cues.csv",
            "kind,where,phrase,weight\nobstacle,anywhere,no time,1\n",
            r"kind-cues.csv: line 2, column kind: unknown kind 'obstacle'; use one of practice",
        ),
        (
            "kind-cues.csv",
            "kind,where,phrase,weight\nbarrier,middle,no time,1\n",
            r"kind-cues.csv: line 2, column where: unknown place 'middle'; use one of anywhere",
        ),
        (
            "kind-cues.csv",
            "kind,where,phrase,weight\nbarrier,anywhere,no time,heavy\n",
            r"kind-cues.csv: line 2, column \w+: weight 'heavy' is not a number",
        ),
        (
            "kind-cues.csv",
            "kind,where,phrase,weight\nbarrier,anywhere,,1\n",
            r"kind-cues.csv: line 2, column \w+: empty phrase",
        ),
        (
            "organisations.csv",
            "id,label,type,aliases\n,X,council,Xx\n",
            r"organisations.csv: line 2, column \w+: empty organisation id",
        ),
        (
            "organisations.csv",
            "id,label,type,aliases\nx,X,council,Xx\nx,Y,council,Yy\n",
            r"organisations.csv: line 3, column \w+: organisation id 'x' is used twice",
        ),
        (
            "organisations.csv",
            "id,label,type,aliases,broader\nx,X,council,Xx,nowhere\n",
            r"organisations.csv: organisation 'x' has unknown broader entry 'nowhere'",
        ),
    ],
)
def test_every_data_file_check_names_file_line_and_fix(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    loader = {"themes.csv": load_taxonomy, "kind-cues.csv": load_kind_cues}.get(
        name, load_gazetteer
    )
    with pytest.raises(DataFileError, match=message) as info:
        loader(bad)
    assert info.value.path == str(bad)
