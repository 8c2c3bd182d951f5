"""Rough edges of issue 15: busy ports, nothing found, SPARQL positions, warnings."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from collab_graph.cli import app


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another program is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


@pytest.fixture
def no_exec(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record the server command instead of replacing the test process with it."""
    calls: list[list[str]] = []

    def fake_execve(path: str, args: list[str], env: Any) -> None:
        calls.append(list(args))
        raise typer.Exit(0)

    monkeypatch.setattr(os, "execve", fake_execve)
    return calls


def test_app_on_a_busy_port_says_so_and_suggests_another(
    busy_port: int, no_exec: list[list[str]]
) -> None:
    r = CliRunner().invoke(app, ["app", "--port", str(busy_port)])
    assert r.exit_code == 2, r.output
    assert f"port {busy_port}" in r.stderr
    assert "in use" in r.stderr
    assert "--port" in r.stderr
    assert "http://" not in r.stdout  # no URL that would not answer
    assert no_exec == []


def test_app_on_a_free_port_prints_that_url(no_exec: list[list[str]]) -> None:
    from collab_graph.views.app_support import free_port

    port = free_port()
    r = CliRunner().invoke(app, ["app", "--port", str(port)])
    assert r.exit_code == 0, r.output
    assert f"http://127.0.0.1:{port}" in r.stdout
    cmd = no_exec[0]
    assert cmd[cmd.index("--server.port") + 1] == str(port)


@pytest.fixture
def no_notes(tmp_path: Path) -> Path:
    """A file with text in it, all of it structure: a title, a heading and metadata."""
    p = tmp_path / "no-notes.md"
    p.write_text("# Workshop on partnership\n\n## Morning session\n\nDate: 3 May 2024\n")
    return p


@pytest.mark.parametrize("command", ["parse", "classify"])
@pytest.mark.parametrize("format", ["jsonl", "table"])
def test_a_file_with_text_but_no_notes_is_nothing_found(
    no_notes: Path, command: str, format: str
) -> None:
    r = CliRunner().invoke(app, [command, str(no_notes), "--format", format])
    assert r.exit_code == 1, r.output
    assert "no-notes.md" in r.stderr
    assert "no notes" in r.stderr
    assert "Traceback" not in r.output


def test_parse_lines_of_a_file_with_no_notes_still_lists_them(no_notes: Path) -> None:
    r = CliRunner().invoke(app, ["parse", str(no_notes), "--lines"])
    assert r.exit_code == 0, r.output
    assert "Morning session" in r.stdout


def test_an_empty_file_stays_bad_input(tmp_path: Path) -> None:
    p = tmp_path / "empty.txt"
    p.write_text("")
    r = CliRunner().invoke(app, ["parse", str(p)])
    assert r.exit_code == 2, r.output
    assert "empty" in r.stderr


@pytest.mark.parametrize("format", ["table", "json", "csv"])
def test_a_sparql_query_with_no_rows_is_nothing_found(format: str) -> None:
    q = "SELECT ?x WHERE { ?x a cg:Note ; dcterms:identifier 'no such note' }"
    r = CliRunner().invoke(app, ["sparql", q, "--format", format])
    assert r.exit_code == 1, r.output
    assert "no rows" in r.stderr


def test_a_sparql_ask_that_is_false_still_answers() -> None:
    r = CliRunner().invoke(app, ["sparql", "ASK { ?x a cg:Nothing }", "--format", "json"])
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(
    ("query", "where"),
    [
        # rdflib's grammar finds these
        ("SELECT ?x WHERE { ?x a cg:Note . FILTER( }", "line 1, column 34"),
        ("SELECT ?x\nWHERE { ?x a cg:Note ;\n  cg:noteKind ?k ?? }", "line 3, column 18"),
        # Oxigraph finds this one (an undeclared prefix), with its own "line:column"
        ("SELECT ?x\nWHERE { ?x foo:bar ?y }", "error at 2:19"),
    ],
)
def test_sparql_error_positions_are_in_the_users_query(query: str, where: str) -> None:
    r = CliRunner().invoke(app, ["sparql", query])
    assert r.exit_code == 2, r.output
    assert where in r.stderr


def test_run_bounded_reports_positions_in_the_users_query() -> None:
    from collab_graph.errors import QueryError
    from collab_graph.graph.examples import example_graph
    from collab_graph.rdf.sparql import run, run_bounded

    for runner in (run, run_bounded):
        with pytest.raises(QueryError, match=r"error at 2:19"):
            runner(example_graph(), "SELECT ?x\nWHERE { ?x foo:bar ?y }")
        with pytest.raises(QueryError, match=r"line 2, column"):
            runner(example_graph(), "SELECT ?x\nWHERE { ?x ?? }")


def _doc_queries() -> dict[str, str]:
    import re

    doc = (Path(__file__).resolve().parents[1] / "docs" / "queries.md").read_text("utf-8")
    block = re.compile(r"<!-- query: ([\w-]+) -->\n```sparql\n(.*?)\n```", re.S)
    return dict(block.findall(doc))


def test_the_console_offers_exactly_the_queries_in_the_doc() -> None:
    from collab_graph.views.app_support import ready_made_queries

    offered = {q.id: q.text for q in ready_made_queries()}
    assert offered == _doc_queries()
    assert len(offered) >= 11
    assert all(q.title and not q.title[0].isdigit() for q in ready_made_queries())


def test_the_apps_sparql_console_lists_every_ready_made_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from collab_graph.views import app_support as sup
    from collab_graph.workspace import WORKSPACE_ENV

    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "workspace"))
    monkeypatch.delenv(sup.PATHS_ENV, raising=False)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=120)
    at.session_state["start_page"] = "export"
    at.run()
    assert not at.exception
    options = at.selectbox(key="sparql_example").options
    assert len(options) == len(_doc_queries())
    # each one runs from the console
    at.selectbox(key="sparql_example").select_index(len(options) - 1).run()
    at.button(key="sparql_run").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]


NOISE = "missing ScriptRunContext"


def test_streamlit_noise_does_not_reach_the_terminal_when_tests_run_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from streamlit.testing.v1 import AppTest

    from collab_graph.views import app_support as sup
    from collab_graph.workspace import WORKSPACE_ENV

    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "workspace"))
    monkeypatch.delenv(sup.PATHS_ENV, raising=False)
    # AppTest writes session state from the test's own thread: Streamlit warns each time
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=120)
    at.session_state["start_page"] = "data"
    at.run()
    assert not at.exception
    out = capfd.readouterr()
    assert NOISE not in out.err + out.out


def test_the_app_itself_silences_the_noise(tmp_path: Path) -> None:
    """Without the test suite's conftest: once app.py has run, Streamlit stays quiet."""
    import subprocess
    import sys

    app_py = Path(__file__).resolve().parents[1] / "app.py"
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(app_py)!r}, default_timeout=120)\n"
        "at.session_state['start_page'] = 'data'\n"
        "at.run()\n"
        "print('--- app ran ---', file=sys.stderr, flush=True)\n"
        "at.session_state['start_page'] = 'export'\n"
        "from streamlit.runtime.scriptrunner_utils.script_run_context import "
        "get_script_run_ctx\n"
        "get_script_run_ctx()\n"
    )
    env = {**os.environ, "COLLAB_GRAPH_WORKSPACE": str(tmp_path / "ws")}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "--- app ran ---" in proc.stderr
    assert NOISE not in proc.stderr.split("--- app ran ---", 1)[1]


def test_the_console_says_when_a_query_returns_no_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from collab_graph.views import app_support as sup
    from collab_graph.workspace import WORKSPACE_ENV

    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "workspace"))
    monkeypatch.delenv(sup.PATHS_ENV, raising=False)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=120)
    at.session_state["start_page"] = "export"
    at.run()
    q = "SELECT ?x WHERE { ?x a cg:Note ; dcterms:identifier 'no such note' }"
    at.text_area(key="sparql_notes-by-kind").set_value(q).run()
    at.button(key="sparql_run").click().run()
    assert not at.exception
    assert any("no rows" in i.value for i in at.info), [i.value for i in at.info]
