"""push, sparql --store and app --store against a real Debian Virtuoso (the ``virtuoso`` fixture).

One server per session; every test pushes under a fresh graph base, so tests never see
each other's graphs.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from collab_graph import pipeline
from collab_graph.cli import app
from collab_graph.graph.schema import KnowledgeGraph
from collab_graph.rdf.convert import to_rdf
from collab_graph.rdf.store import Credentials, StoreClient, graphs, pull
from collab_graph.resources import default_notes
from collab_graph.views import app_support as sup
from collab_graph.workspace import Workspace

pytestmark = pytest.mark.store

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "tests" / "data" / "heldout_ijb_session.md"
BOTH = [str(default_notes()), str(DOCUMENT)]
PASSWORD_ENV = "COLLAB_GRAPH_TEST_STORE_PASSWORD"


@pytest.fixture
def base() -> str:
    """A graph base of this test's own."""
    return f"https://example.org/test-{uuid.uuid4().hex[:12]}/"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv(PASSWORD_ENV, "dba")
    return CliRunner()


def local_graph(paths: list[str]) -> KnowledgeGraph:
    return pipeline.graph(pipeline.Corpus([Path(p) for p in paths], workspace=Workspace.locate()))


def push(runner: CliRunner, server: Any, base: str, *extra: str, paths: list[str] = BOTH) -> Any:
    args = ["push", *paths, "--store", server.update, "--graph-base", base]
    args += ["--user", "dba", "--password-env", PASSWORD_ENV, *extra]
    return runner.invoke(app, args)


def client(server: Any) -> StoreClient:
    return StoreClient(server.update, credentials=Credentials("dba", "dba"))


def counts_in_store(server: Any, base: str) -> dict[str, int]:
    text = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{base}")) }} GROUP BY ?g'
    )
    with client(server) as c:
        return {str(g): int(str(n)) for g, n in c.select(text).rows}


def local_counts(G: KnowledgeGraph, base: str) -> dict[str, int]:
    ds = to_rdf(G, base=base)
    return {str(g.identifier): len(g) for g in ds.graphs() if len(g)}


@pytest.mark.parametrize("protocol", ["update", "gsp"])
def test_push_puts_each_workshop_in_its_graph(
    virtuoso: Any, runner: CliRunner, base: str, protocol: str
) -> None:
    extra = ["--gsp", virtuoso.gsp] if protocol == "gsp" else []
    result = push(runner, virtuoso, base, *extra)
    assert result.exit_code == 0, result.output
    G = local_graph(BOTH)
    expected = local_counts(G, base)
    assert set(expected) == {
        f"{base}workshop/collaborative-innovation-workshop",
        f"{base}workshop/heldout-ijb-session",
        f"{base}graph/shared",
    }
    assert counts_in_store(virtuoso, base) == expected
    # notes per workshop and their texts, as the store answers them
    query = "SELECT ?w ?t WHERE { GRAPH ?g { ?n a cg:Note ; cg:workshop ?w ; schema:text ?t } }"
    with client(virtuoso) as c:
        from collab_graph.rdf.store import query as store_query

        rows = store_query(c, query, base=base).rows
        H = pull(c, base=base)
    local_notes = [d for _, d in G.nodes(data=True) if d["kind"] == "note"]
    assert Counter(w for w, _ in rows) == Counter(d["workshop"] for d in local_notes)
    assert Counter(w for w, _ in rows)["collaborative-innovation-workshop"] == 239
    assert sorted(t for _, t in rows) == sorted(d["text"] for d in local_notes)
    # read back, the whole graph is the local one
    assert sorted(H.nodes(data=True)) == sorted(G.nodes(data=True))
    assert sorted(H.edges(keys=True)) == sorted(G.edges(keys=True))


def test_a_second_push_is_refused_and_replace_does_not_duplicate(
    virtuoso: Any, runner: CliRunner, base: str
) -> None:
    one = [str(DOCUMENT)]
    assert push(runner, virtuoso, base, "--gsp", virtuoso.gsp, paths=one).exit_code == 0
    before = counts_in_store(virtuoso, base)
    again = push(runner, virtuoso, base, paths=one)
    assert again.exit_code == 2
    assert f"<{base}workshop/heldout-ijb-session>" in again.output
    assert "--replace" in again.output
    assert "Traceback" not in again.output
    assert counts_in_store(virtuoso, base) == before
    replaced = push(runner, virtuoso, base, "--replace", paths=one)  # the Update path
    assert replaced.exit_code == 0, replaced.output
    assert "replaced <" in replaced.output
    assert counts_in_store(virtuoso, base) == before
    # a second team pushes another workshop into the same store: the shared graph is merged
    other = push(runner, virtuoso, base, "--gsp", virtuoso.gsp, paths=[str(default_notes())])
    assert other.exit_code == 0, other.output
    both = counts_in_store(virtuoso, base)
    assert (
        both[f"{base}workshop/heldout-ijb-session"] == before[f"{base}workshop/heldout-ijb-session"]
    )
    with client(virtuoso) as c:
        H = pull(c, base=base)
    workshops = Counter(d["workshop"] for _, d in H.nodes(data=True) if d["kind"] == "note")
    assert workshops == {"collaborative-innovation-workshop": 239, "heldout-ijb-session": 34}


def test_a_wrong_password_is_one_clear_line(
    virtuoso: Any, runner: CliRunner, base: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    result = push(runner, virtuoso, base, paths=[str(DOCUMENT)])
    assert result.exit_code == 2
    assert "refused user 'dba' (HTTP 401)" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    with client(virtuoso) as c:
        assert graphs(c, base) == []


def test_an_unreachable_store_and_a_missing_password_variable(runner: CliRunner) -> None:
    url = "http://127.0.0.1:9/sparql-auth"
    result = runner.invoke(app, ["push", str(DOCUMENT), "--store", url])
    assert result.exit_code == 2
    assert f"cannot reach the store at {url}" in result.output
    result = runner.invoke(
        app, ["push", "--store", url, "--user", "dba", "--password-env", "NO_SUCH_VARIABLE_X"]
    )
    assert result.exit_code == 2
    assert "NO_SUCH_VARIABLE_X is not set" in result.output


QUERIES = [
    "SELECT ?w (COUNT(?n) AS ?notes) WHERE { ?n a cg:Note ; cg:workshop ?w } "
    "GROUP BY ?w ORDER BY ?w",
    "SELECT ?id ?text WHERE { GRAPH ?g { ?n a cg:Note ; dcterms:identifier ?id ; "
    'schema:text ?text } FILTER(CONTAINS(?text, "time")) } ORDER BY ?g ?id',
    "ASK { ?b a cg:Barrier ; skos:prefLabel ?l }",
]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_sparql_at_the_store_prints_what_the_local_query_prints(
    virtuoso: Any, runner: CliRunner, base: str, fmt: str
) -> None:
    assert push(runner, virtuoso, base, "--gsp", virtuoso.gsp).exit_code == 0
    for q in QUERIES:
        local = runner.invoke(app, ["sparql", q, *BOTH, "--base", base, "-f", fmt])
        remote = runner.invoke(
            app, ["sparql", q, "--store", virtuoso.query, "--base", base, "-f", fmt]
        )
        assert local.exit_code == remote.exit_code == 0, remote.output
        assert remote.stdout == local.stdout
    refused = runner.invoke(app, ["sparql", "DROP ALL", "--store", virtuoso.query])
    assert refused.exit_code == 2
    assert "SPARQL updates are not allowed" in refused.output


def test_app_reads_the_store(
    virtuoso: Any, runner: CliRunner, base: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert push(runner, virtuoso, base, "--gsp", virtuoso.gsp, paths=[str(DOCUMENT)]).exit_code == 0
    source = sup.StoreSource(virtuoso.query, base)
    G = sup.store_graph(source)
    assert sum(1 for _, d in G.nodes(data=True) if d["kind"] == "note") == 34
    monkeypatch.setenv(sup.STORE_ENV, source.to_json())
    monkeypatch.setenv(sup.PATHS_ENV, json.dumps([str(ROOT / "no-such-file.txt")]))
    pages: dict[str, AppTest] = {}
    for page in ("notes", "data"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["start_page"] = page
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        pages[page] = at
    notes = pages["notes"]
    captions = " ".join(c.value for c in notes.caption)
    assert f"reads from the store {virtuoso.query}" in captions
    assert f"34 of 34 notes · read from {virtuoso.query}" in captions
    shown = notes.dataframe[0].value
    assert sorted(shown["text"]) == sorted(
        d["text"] for _, d in local_graph([str(DOCUMENT)]).nodes(data=True) if d["kind"] == "note"
    )
    assert any("reviewing notes needs the notes files" in i.value for i in notes.info)
    assert any("the Data page needs the notes files" in i.value for i in pages["data"].info)


class _CappedStore(StoreClient):
    """A store that answers CONSTRUCT with at most two triples, as a result limit would."""

    def construct(self, text: str, dataset: Any = ()) -> list[Any]:
        import pyoxigraph as ox

        data = b'<urn:a> <urn:p> "1" .\n<urn:b> <urn:p> "2" .\n'
        return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))

    def select(self, text: str, dataset: Any = ()) -> Any:
        from collab_graph.rdf.sparql import QueryResult

        if "COUNT" in text:
            return QueryResult("select", ("n",), [("3",)])
        return QueryResult("select", ("g",), [("https://example.org/kg/workshop/a",)])


def test_a_truncated_construct_is_an_error_not_a_partial_graph() -> None:
    from collab_graph.errors import StoreError

    with (
        _CappedStore("http://127.0.0.1:9/sparql") as c,
        pytest.raises(StoreError, match=r"returned 2 of the 3 triples .*ResultSetMaxRows"),
    ):
        pull(c, base="https://example.org/kg/")
