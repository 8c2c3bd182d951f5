"""AppTest of the SPARQL console under limits: a query over a limit shows which one."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from collab_graph.views import app_support as sup
from collab_graph.workspace import WORKSPACE_ENV

APP = Path(__file__).resolve().parents[1] / "app.py"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TEN_MILLION = (
    "SELECT * WHERE { "
    + " ".join(f"VALUES ?v{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(7))
    + " }"
)
NESTED = "SELECT * WHERE { FILTER(" + "(" * 30 + "1" + ")" * 30 + ") }"


@pytest.fixture(autouse=True)
def _workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "workspace"))
    monkeypatch.delenv(sup.PATHS_ENV, raising=False)


def run_query(text: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state["start_page"] = "export"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_area(key="sparql_notes-by-kind").set_value(text).run()
    at.button(key="sparql_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize(
    ("query", "env", "message"),
    [
        (CARTESIAN, {"COLLAB_GRAPH_SPARQL_TIMEOUT": "2"}, "time limit of 2 s"),
        (TEN_MILLION, {}, "row limit of 10,000 rows"),
        (CARTESIAN, {"COLLAB_GRAPH_SPARQL_TIMEOUT": "2"}, "COLLAB_GRAPH_SPARQL_TIMEOUT"),
        (NESTED, {}, "query too deeply nested"),
    ],
)
def test_sparql_over_a_limit_shows_which(
    query: str, env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = run_query(query)
    assert at.error, "a query over its limit shows an error, never a blank result"
    assert message.lower() in at.error[0].value.lower()
    assert not at.dataframe


def test_sparql_bad_limit_setting_is_an_error_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLAB_GRAPH_SPARQL_MAX_ROWS", "lots")
    at = run_query("ASK { ?s ?p ?o }")
    assert "COLLAB_GRAPH_SPARQL_MAX_ROWS='lots'" in at.error[0].value


def test_sparql_normal_query_still_answers() -> None:
    at = run_query("SELECT (COUNT(?n) AS ?c) WHERE { ?n a cg:Note }")
    assert not at.error
    assert at.dataframe[0].value.iloc[0, 0] == "239"
    assert "1 row(s)" in " ".join(c.value for c in at.caption)
