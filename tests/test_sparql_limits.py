"""Bounded SPARQL: time, row and memory limits, nesting, and no orphan worker.

Queries run in a worker process (collab_graph.rdf.worker) that is stopped at a
limit. The assertions are about *which* limit stopped a query and that the
worker process is gone, never about how fast it happened.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collab_graph.cli import app
from collab_graph.errors import (
    QueryCancelledError,
    QueryError,
    QueryLimitError,
    QueryMemoryError,
    QueryRowLimitError,
    QueryTimeoutError,
)
from collab_graph.graph.examples import example_graph
from collab_graph.rdf.fast import nquads
from collab_graph.rdf.sparql import (
    MAX_NESTING,
    check_read_only,
    nesting_depth,
    prepare,
    run,
    run_bounded,
)
from collab_graph.rdf.worker import (
    APP_LIMITS,
    CLI_LIMITS,
    Limit,
    QueryLimits,
    SparqlPool,
    limits_from_env,
)

#: Runs until killed on any graph of a few hundred triples (n**4 solutions to count).
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: Exactly 10,000,000 rows, whatever the data: seven VALUES blocks of ten.
TEN_MILLION = (
    "SELECT * WHERE { "
    + " ".join(f"VALUES ?v{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(7))
    + " }"
)
#: Sorting a three-way cartesian product makes Oxigraph hold every solution at once.
HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?f ?i"


def nested(depth: int) -> str:
    return "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }"


def gone(pid: int) -> bool:
    """True once no process (not even a zombie) has this id."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").exists() and " Z " in Path(f"/proc/{pid}/stat").read_text()


def wait_gone(pid: int, cap_s: float = 60.0) -> bool:
    end = time.monotonic() + cap_s
    while time.monotonic() < end:
        if gone(pid):
            return True
        time.sleep(0.1)
    return gone(pid)


def children_of(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


# --------------------------------------------------------------------------- the three limits


def test_cartesian_product_stops_at_its_time_limit() -> None:
    with pytest.raises(QueryTimeoutError, match="time limit of 2 s") as info:
        run_bounded(example_graph(), CARTESIAN, limits=QueryLimits(timeout_s=2))
    assert info.value.limit == Limit.TIME


def test_ten_million_rows_stop_at_the_row_limit() -> None:
    with pytest.raises(QueryRowLimitError, match="row limit of 100,000 rows") as info:
        run_bounded(example_graph(), TEN_MILLION, limits=CLI_LIMITS)
    assert info.value.limit == Limit.ROWS


def test_row_limit_is_inclusive() -> None:
    hundred = (
        "SELECT * WHERE { VALUES ?a { 0 1 2 3 4 5 6 7 8 9 } VALUES ?b { 0 1 2 3 4 5 6 7 8 9 } }"
    )
    assert len(run_bounded(example_graph(), hundred, limits=QueryLimits(max_rows=100)).rows) == 100
    with pytest.raises(QueryRowLimitError):
        run_bounded(example_graph(), hundred, limits=QueryLimits(max_rows=99))
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    with pytest.raises(QueryRowLimitError):
        run_bounded(example_graph(), construct, limits=QueryLimits(max_rows=10))


def test_a_query_past_the_memory_limit_is_stopped() -> None:
    limits = QueryLimits(timeout_s=120, max_rows=0, max_memory_mb=300)
    with pytest.raises(QueryMemoryError, match="memory limit of 300 MB") as info:
        run_bounded(example_graph(), HUNGRY, limits=limits)
    assert info.value.limit == Limit.MEMORY


def test_limits_off_still_answer() -> None:
    off = QueryLimits(timeout_s=0, max_rows=0, max_memory_mb=0)
    res = run_bounded(
        example_graph(), "SELECT (COUNT(?n) AS ?c) WHERE { ?n a cg:Note }", limits=off
    )
    assert res.rows == [("11",)]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?t WHERE { ?n dcterms:identifier 'G1-Q1-A-2' ; schema:text ?t }",
        "ASK { ?n a cg:Note }",
        "CONSTRUCT { ?n a cg:Note } WHERE { ?n a cg:Note }",
        "SELECT ?g (COUNT(?n) AS ?c) WHERE { GRAPH ?g { ?n a cg:Note } } GROUP BY ?g",
    ],
)
def test_bounded_answers_equal_unbounded(query: str) -> None:
    G = example_graph()
    bounded, plain = run_bounded(G, query), run(G, query)
    assert (bounded.kind, bounded.columns) == (plain.kind, plain.columns)
    assert sorted(bounded.rows, key=str) == sorted(plain.rows, key=str)


# --------------------------------------------------------------------------- nesting


@pytest.mark.parametrize("depth", [25, 100, 2000])
def test_deep_nesting_is_a_clear_error(depth: int) -> None:
    with pytest.raises(QueryError, match="query too deeply nested"):
        check_read_only(prepare(nested(depth)))
    with pytest.raises(QueryError, match="query too deeply nested"):
        run(example_graph(), nested(depth))


def test_shallow_nesting_still_runs() -> None:
    assert run(example_graph(), nested(10)).kind == "select"


def test_nesting_limit_is_counted_not_left_to_the_stack() -> None:
    """The limit holds the same however deep the caller's stack already is."""
    at_limit = nested(MAX_NESTING - 2)  # WHERE { FILTER( add two levels
    assert nesting_depth(at_limit) == MAX_NESTING
    assert run(example_graph(), at_limit).kind == "select"

    def deep_caller(frames: int) -> None:
        if frames:
            deep_caller(frames - 1)
            return
        with pytest.raises(QueryError, match="query too deeply nested"):
            check_read_only(prepare(nested(MAX_NESTING - 1)))

    deep_caller(200)


@pytest.mark.parametrize(
    "query",
    [
        'ASK { ?s ?p "((((((((((((((((((((((((((((((" }',
        "ASK { ?s ?p '''{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{''' }",
        "ASK { ?s ?p ?o } # ((((((((((((((((((((((((((((((",
        "ASK { ?s ?p <urn:x:((((((((((((((((((((((((((> }",
    ],
)
def test_brackets_in_strings_iris_and_comments_do_not_count(query: str) -> None:
    assert nesting_depth(query) == 1
    assert run(example_graph(), query).kind == "ask"


# --------------------------------------------------------------------------- the worker process


def test_worker_is_gone_after_a_timeout_and_replaced() -> None:
    G = example_graph()
    with SparqlPool(QueryLimits(timeout_s=2), size=1) as pool:
        ask = prepare("ASK { ?n a cg:Note }")
        assert pool.query("g", lambda: nquads(G), ask)[2] == [("true",)]
        (pid,) = pool.pids()
        assert pool.query("g", lambda: nquads(G), ask)[2] == [("true",)]
        assert pool.pids() == [pid], "a normal query reuses the worker and its store"
        with pytest.raises(QueryTimeoutError):
            pool.query("g", lambda: nquads(G), prepare(CARTESIAN))
        assert gone(pid), "the stopped worker is reaped, not left running or as a zombie"
        assert pool.pids() == []
        assert pool.query("g", lambda: nquads(G), ask)[2] == [("true",)]
        (fresh,) = pool.pids()
    assert fresh != pid
    assert wait_gone(fresh, 10), "closing the pool stops its idle workers"


def test_a_runaway_query_leaves_the_other_worker_answering() -> None:
    G = example_graph()
    done = threading.Event()
    errors: list[BaseException] = []
    with SparqlPool(QueryLimits(timeout_s=60), size=2) as pool:

        def runaway() -> None:
            try:
                pool.query(
                    "g", lambda: nquads(G), prepare(CARTESIAN), alive=lambda: not done.is_set()
                )
            except QueryError as exc:
                errors.append(exc)

        thread = threading.Thread(target=runaway)
        thread.start()
        try:
            time.sleep(0.5)
            res = pool.query("g", lambda: nquads(G), prepare("ASK { ?n a cg:Note }"))
            assert res[2] == [("true",)]
            assert thread.is_alive(), "answered while the runaway query still ran"
        finally:
            done.set()
            thread.join(30)
    assert len(errors) == 1
    assert isinstance(errors[0], QueryCancelledError)


def test_a_session_that_ends_stops_its_query() -> None:
    G = example_graph()
    started = time.monotonic()
    with SparqlPool(QueryLimits(timeout_s=60), size=1) as pool:
        with pytest.raises(QueryCancelledError, match="session ended"):
            pool.query(
                "g",
                lambda: nquads(G),
                prepare(CARTESIAN),
                alive=lambda: time.monotonic() - started < 1.0,
            )
        assert pool.pids() == []


def test_worker_dies_with_its_parent(tmp_path: Path) -> None:
    """A parent killed mid-query leaves no runaway: the worker's CPU limit ends it."""
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from collab_graph.graph.examples import example_graph
            from collab_graph.rdf.sparql import run_bounded
            from collab_graph.rdf.worker import QueryLimits
            run_bounded(example_graph(), {CARTESIAN!r}, limits=QueryLimits(timeout_s=2))
            """
        ),
        encoding="utf-8",
    )
    parent = subprocess.Popen([sys.executable, str(script)])
    try:
        workers: list[int] = []
        end = time.monotonic() + 60
        while not workers and time.monotonic() < end and parent.poll() is None:
            time.sleep(0.1)
            workers = children_of(parent.pid)
        assert workers, "the parent started a worker"
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert wait_gone(workers[0], 60), "the orphaned worker stopped at its own CPU limit"


# --------------------------------------------------------------------------- settings


def test_limits_from_env() -> None:
    env = {"COLLAB_GRAPH_SPARQL_TIMEOUT": "2.5", "COLLAB_GRAPH_SPARQL_MAX_ROWS": "0"}
    limits = limits_from_env(APP_LIMITS, env)
    assert (limits.timeout_s, limits.max_rows, limits.max_memory_mb) == (2.5, 0, 2048)
    with pytest.raises(QueryError, match="COLLAB_GRAPH_SPARQL_TIMEOUT='soon'"):
        limits_from_env(APP_LIMITS, {"COLLAB_GRAPH_SPARQL_TIMEOUT": "soon"})
    with pytest.raises(QueryError, match="0 \\(off\\) or more, not -5"):
        limits_from_env(APP_LIMITS, {"COLLAB_GRAPH_SPARQL_MAX_MEMORY_MB": "-5"})


def test_limit_errors_are_query_errors() -> None:
    for cls in (QueryTimeoutError, QueryRowLimitError, QueryMemoryError):
        assert issubclass(cls, QueryLimitError)
        assert issubclass(cls, QueryError)
        assert cls.limit in set(Limit)


# --------------------------------------------------------------------------- command line

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [CARTESIAN, "--timeout", "1"],
            "time limit of 1 s and was stopped (change it with --timeout)",
        ),
        ([TEN_MILLION], "row limit of 100,000 rows"),
        ([TEN_MILLION, "--max-rows", "5000"], "row limit of 5,000 rows"),
        ([HUNGRY, "--max-memory", "300"], "memory limit of 300 MB"),
        (["ASK { ?s ?p ?o }", "--max-memory", "40"], "store (the graph loaded for it) needed more"),
        ([nested(25)], "query too deeply nested"),
    ],
)
def test_cli_limits_exit_2_with_one_line(args: list[str], message: str) -> None:
    res = runner.invoke(app, ["sparql", *args])
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "Traceback" not in res.output


def test_cli_normal_query_under_limits() -> None:
    res = runner.invoke(
        app,
        [
            "sparql",
            "SELECT (COUNT(?n) AS ?c) WHERE { ?n a cg:Note }",
            "-f",
            "csv",
            "--timeout",
            "20",
        ],
    )
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == ["c", "239"]
