"""SPARQL with limits: queries run in worker processes that can be stopped.

pyoxigraph's ``Store.query`` has no timeout and cannot be interrupted from
Python, so a query runs in a separate Python process (a fresh interpreter
talking over a socket pair with ``multiprocessing.connection``) that keeps
the loaded store between queries. The process that
asks waits for the answer and stops the worker when a limit is hit:

* **time**: the query has ``timeout_s`` seconds; past that the worker is
  terminated and :class:`~collab_graph.errors.QueryTimeoutError` is raised.
  The worker also sets its own CPU-time limit (``RLIMIT_CPU``) a few seconds
  past the query's, so it dies even if the process that waits for it is killed;
* **rows**: the worker stops reading solutions after ``max_rows`` and answers
  :class:`~collab_graph.errors.QueryRowLimitError`;
* **memory**: the worker's address space is capped (``RLIMIT_AS``) at
  ``max_memory_mb``, store included; a query that needs more fails its
  allocation, the worker reports it (or dies of it) and
  :class:`~collab_graph.errors.QueryMemoryError` is raised.

Workers run at a lower CPU priority (``nice`` +5) than the process that
started them, so a runaway query takes less from the pages of other users.
A worker that was stopped is replaced by a fresh one on the next query, which
loads the store again. An idle worker whose parent is gone sees its pipe close
and exits. A limit of 0 turns that limit off.

:class:`SparqlPool` holds up to ``size`` workers for a long-lived process (the
app); :func:`collab_graph.rdf.sparql.run_bounded` is the one-call interface.

Examples
--------
>>> from collab_graph.graph.examples import example_graph
>>> from collab_graph.rdf.fast import nquads
>>> from collab_graph.rdf.sparql import prepare
>>> with SparqlPool(QueryLimits(timeout_s=20)) as pool:
...     kind, columns, rows = pool.query(
...         "example", lambda: nquads(example_graph()),
...         prepare("SELECT (COUNT(?n) AS ?c) WHERE { ?n a cg:Note }"))
>>> kind, columns, rows
('select', ('c',), [('11',)])
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from collab_graph.errors import (
    QueryCancelledError,
    QueryError,
    QueryMemoryError,
    QueryRowLimitError,
    QueryTimeoutError,
)

__all__ = [
    "APP_LIMITS",
    "CLI_LIMITS",
    "LIMIT_ENV",
    "Limit",
    "QueryLimits",
    "Rows",
    "SparqlPool",
    "limits_from_env",
]

#: ``(kind, columns, rows)`` of an answer: kind is ``select``, ``ask`` or ``graph``.
Rows = tuple[str, tuple[str, ...], list[tuple[str | None, ...]]]

_POLL_S = 0.05  # how often the waiting side checks the deadline and its session
_CPU_SLACK_S = 5  # the worker's own CPU limit lies this far past the query's time limit
_MB = 1 << 20
_NICE = 5  # the worker's scheduling priority below its parent's


class Limit(StrEnum):
    """The limits a query runs under (closed vocabulary)."""

    TIME = "time"
    ROWS = "rows"
    MEMORY = "memory"


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """How long a query may run, how many rows it may return, how much memory it may use.

    Parameters
    ----------
    timeout_s : float
        Seconds the query may run (0: no limit).
    max_rows : int
        Rows (or triples, for CONSTRUCT/DESCRIBE) the query may return (0: no limit).
    max_memory_mb : int
        Address space of the worker process in MiB, its loaded store included (0: no limit).

    Examples
    --------
    >>> QueryLimits(timeout_s=5).max_rows
    100000
    >>> QueryLimits(max_rows=-1)
    Traceback (most recent call last):
    ...
    collab_graph.errors.QueryError: the SPARQL row limit must be 0 (off) or more, not -1
    """

    timeout_s: float = 30.0
    max_rows: int = 100_000
    max_memory_mb: int = 4096

    def __post_init__(self) -> None:
        for name, what in (
            ("timeout_s", "time limit"),
            ("max_rows", "row limit"),
            ("max_memory_mb", "memory limit"),
        ):
            value = getattr(self, name)
            if not isinstance(value, int | float) or math.isnan(value) or value < 0:
                raise QueryError(f"the SPARQL {what} must be 0 (off) or more, not {value}")


#: The command line's defaults (``collab-graph sparql --timeout/--max-rows/--max-memory``).
CLI_LIMITS = QueryLimits(timeout_s=30.0, max_rows=100_000, max_memory_mb=4096)
#: The app's defaults (each worker; the app keeps up to two).
APP_LIMITS = QueryLimits(timeout_s=10.0, max_rows=10_000, max_memory_mb=2048)

#: Environment variables that change the app's limits (the server's setting).
LIMIT_ENV: Mapping[Limit, str] = {
    Limit.TIME: "COLLAB_GRAPH_SPARQL_TIMEOUT",
    Limit.ROWS: "COLLAB_GRAPH_SPARQL_MAX_ROWS",
    Limit.MEMORY: "COLLAB_GRAPH_SPARQL_MAX_MEMORY_MB",
}
_FIELD = {Limit.TIME: "timeout_s", Limit.ROWS: "max_rows", Limit.MEMORY: "max_memory_mb"}


def limits_from_env(
    default: QueryLimits = APP_LIMITS, environ: Mapping[str, str] | None = None
) -> QueryLimits:
    """``default`` with any limit set in the environment (see :data:`LIMIT_ENV`) replaced.

    Raises
    ------
    QueryError
        For a value that is not a number of 0 or more, naming the variable.

    Examples
    --------
    >>> limits_from_env(APP_LIMITS, {"COLLAB_GRAPH_SPARQL_TIMEOUT": "3"}).timeout_s
    3.0
    >>> try:
    ...     limits_from_env(APP_LIMITS, {"COLLAB_GRAPH_SPARQL_MAX_ROWS": "many"})
    ... except QueryError as err:
    ...     print(err)
    COLLAB_GRAPH_SPARQL_MAX_ROWS='many': give a whole number (0 turns the limit off)
    """
    env = os.environ if environ is None else environ
    changes: dict[str, Any] = {}
    for limit, var in LIMIT_ENV.items():
        raw = env.get(var, "").strip()
        if not raw:
            continue
        try:
            value: float = float(raw) if limit is Limit.TIME else int(raw)
        except ValueError:
            kind = "number of seconds" if limit is Limit.TIME else "whole number"
            raise QueryError(f"{var}={raw!r}: give a {kind} (0 turns the limit off)") from None
        changes[_FIELD[limit]] = value
    try:
        return replace(default, **changes)
    except QueryError as exc:
        raise QueryError(
            f"{exc} (set in the environment: {', '.join(LIMIT_ENV.values())})"
        ) from exc


# --------------------------------------------------------------------------- the worker process


def _set_limit(which: int, soft: int) -> None:
    import resource

    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY and (soft == resource.RLIM_INFINITY or soft > hard):
        soft = hard
    resource.setrlimit(which, (soft, hard))


def _limit_memory(max_memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not POSIX: only the waiting side's time limit holds
        return

    _set_limit(resource.RLIMIT_AS, max_memory_mb * _MB if max_memory_mb else resource.RLIM_INFINITY)


def _limit_cpu(timeout_s: float) -> None:
    try:
        import resource
    except ImportError:  # not POSIX: only the waiting side's time limit holds
        return

    if not timeout_s:
        _set_limit(resource.RLIMIT_CPU, resource.RLIM_INFINITY)
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    _set_limit(resource.RLIMIT_CPU, math.ceil(spent + timeout_s) + _CPU_SLACK_S)


def _value(term: Any) -> str | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)


class _TooManyRows(Exception):
    pass


def _capped(items: Iterator[Any], max_rows: int) -> Iterator[Any]:
    for i, item in enumerate(items, 1):
        if max_rows and i > max_rows:
            raise _TooManyRows
        yield item


def _evaluate(store: Any, text: str, max_rows: int) -> Rows:
    import pyoxigraph as ox

    result = store.query(text, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return ("ask", ("ask",), [("true" if bool(result) else "false",)])
    if isinstance(result, ox.QueryTriples):
        triples: list[tuple[str | None, ...]] = [
            (_value(t.subject), _value(t.predicate), _value(t.object))
            for t in _capped(iter(result), max_rows)
        ]
        return ("graph", ("subject", "predicate", "object"), triples)
    columns = tuple(v.value for v in result.variables)
    rows: list[tuple[str | None, ...]] = [
        tuple(_value(sol[c]) for c in columns) for sol in _capped(iter(result), max_rows)
    ]
    return ("select", columns, rows)


def _main(fd: int) -> None:
    """The worker process's entry point: serve the socket ``fd`` (see :class:`_Worker`)."""
    # A runaway query should slow the pages of other users as little as it can:
    # the worker yields the CPU to them (a short query is hardly slowed).
    with contextlib.suppress(OSError, AttributeError):
        os.nice(_NICE)
    _serve(Connection(fd))


def _serve(conn: Connection) -> None:
    """The worker's loop: ``load`` a store, answer ``query`` messages, until the pipe closes."""
    import io

    import pyoxigraph as ox

    store: Any = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        op = message[0]
        try:
            if op == "load":
                _, data, max_memory_mb = message
                _limit_memory(max_memory_mb)
                store = None
                fresh = ox.Store()
                fresh.bulk_load(io.BytesIO(data), format=ox.RdfFormat.N_QUADS)
                del data, message
                store = fresh
                conn.send(("ok", len(store)))
            else:
                _, text, max_rows, timeout_s, max_memory_mb = message
                _limit_memory(max_memory_mb)
                _limit_cpu(timeout_s)
                try:
                    answer = _evaluate(store, text, max_rows)
                finally:
                    _limit_cpu(0)
                conn.send(("ok", answer))
        except _TooManyRows:
            conn.send((Limit.ROWS.value, None))
        except MemoryError:
            with contextlib.suppress(Exception):
                conn.send((Limit.MEMORY.value, None))
            os._exit(3)  # the heap may be in any state: start afresh
        except (SyntaxError, ValueError, OSError, TypeError) as exc:
            conn.send(("error", str(exc)))


# --------------------------------------------------------------------------- the waiting side


def _mb(value: int) -> str:
    return f"{value:,} MB"


def _seconds(value: float) -> str:
    return f"{value:g} s"


class _Worker:
    """One worker process, the store it holds (by key), and the pipe to it.

    Started as ``python -c ...`` with one end of a socket pair, not with
    ``multiprocessing``'s *spawn*, which would re-run the parent's main script.
    """

    def __init__(self) -> None:
        parent, child = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        code = f"from collab_graph.rdf.worker import _main; _main({child.fileno()})"
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=[child.fileno()],
                stdin=subprocess.DEVNULL,
                # Oxigraph prints "memory allocation failed" as it dies at the
                # memory limit; the exit code says it (see _died).
                stderr=subprocess.DEVNULL,
                env=env,
                close_fds=True,
            )
        finally:
            child.close()
        self.conn = Connection(parent.detach())
        self.key: str | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Terminate the process (kill it if it lingers) and reap it: no orphan, no zombie."""
        proc = self.process
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(2.0)
            except subprocess.TimeoutExpired:
                proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5.0)
        with contextlib.suppress(OSError):
            self.conn.close()
        self.key = None

    def _died(self, limits: QueryLimits, what: str = "query") -> QueryError:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(2.0)
        code = self.process.returncode
        self.stop()
        if code in (3, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL) and limits.max_memory_mb:
            return QueryMemoryError(
                f"the SPARQL {what} needed more than its memory limit of "
                f"{_mb(limits.max_memory_mb)} and was stopped"
            )
        if code == -signal.SIGXCPU and limits.timeout_s:
            return self._timeout(limits)
        return QueryError(f"the SPARQL worker stopped unexpectedly (exit code {code})")

    @staticmethod
    def _timeout(limits: QueryLimits) -> QueryTimeoutError:
        return QueryTimeoutError(
            f"the SPARQL query ran past its time limit of {_seconds(limits.timeout_s)} "
            "and was stopped"
        )

    def call(
        self,
        message: tuple[Any, ...],
        limits: QueryLimits,
        *,
        deadline: float | None,
        alive: Callable[[], bool] | None,
        what: str = "query",
    ) -> Any:
        """Send a message and wait for its answer, stopping the worker at a limit."""
        try:
            self.conn.send(message)
        except (OSError, ValueError) as exc:
            raise self._died(limits, what) from exc
        while True:
            wait = (
                _POLL_S if deadline is None else max(0.0, min(_POLL_S, deadline - time.monotonic()))
            )
            try:
                if self.conn.poll(wait):
                    status, payload = self.conn.recv()
                    break
            except (EOFError, OSError):
                raise self._died(limits, what) from None
            if not self.is_alive():
                raise self._died(limits, what)
            if deadline is not None and time.monotonic() >= deadline:
                self.stop()
                raise self._timeout(limits)
            if alive is not None and not alive():
                self.stop()
                raise QueryCancelledError("the SPARQL query was stopped: its session ended")
        if status == "ok":
            return payload
        if status == Limit.ROWS:
            raise QueryRowLimitError(
                f"the SPARQL query returned more than its row limit of {limits.max_rows:,} rows "
                "and was stopped; add LIMIT, or narrow the pattern"
            )
        if status == Limit.MEMORY:
            raise self._died(limits, what)
        raise QueryError(f"SPARQL query failed: {payload}")


class SparqlPool:
    """Up to ``size`` worker processes that keep a loaded store and answer queries under limits.

    Thread-safe: each query takes a worker of its own (preferring one that holds
    its store already), so a runaway query holds one worker and the others keep
    answering. A query waiting for a free worker waits within its time limit.

    Parameters
    ----------
    limits : QueryLimits
        The limits of a query that names none.
    size : int
        How many queries may run at once.
    """

    def __init__(self, limits: QueryLimits = CLI_LIMITS, *, size: int = 2) -> None:
        self.limits = limits
        self.size = max(1, size)
        self._idle: list[_Worker] = []
        self._count = 0  # workers alive or being started, idle or busy
        self._cond = threading.Condition()
        self._closed = False

    def __enter__(self) -> SparqlPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pids(self) -> list[int]:
        """Process ids of the idle workers (to check that none outlives a stop)."""
        with self._cond:
            return [w.pid for w in self._idle]

    def _checkout(
        self,
        key: str,
        deadline: float | None,
        alive: Callable[[], bool] | None,
        limits: QueryLimits,
    ) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise QueryError("the SPARQL pool is closed")
                for w in self._idle:
                    if w.key == key:
                        self._idle.remove(w)
                        return w
                if self._count < self.size:
                    self._count += 1
                    break
                if self._idle:
                    return self._idle.pop(0)
                if deadline is not None and time.monotonic() >= deadline:
                    raise QueryTimeoutError(
                        f"the SPARQL query could not start within its time limit of "
                        f"{_seconds(limits.timeout_s)}: all {self.size} query workers were busy"
                    )
                if alive is not None and not alive():
                    raise QueryCancelledError("the SPARQL query was stopped: its session ended")
                self._cond.wait(_POLL_S)
        try:
            return _Worker()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _checkin(self, worker: _Worker) -> None:
        with self._cond:
            if worker.is_alive() and not self._closed:
                self._idle.append(worker)
            else:
                self._count -= 1
                if worker.is_alive():
                    worker.stop()
            self._cond.notify()

    def query(
        self,
        key: str,
        nquads: Callable[[], bytes],
        text: str,
        *,
        limits: QueryLimits | None = None,
        alive: Callable[[], bool] | None = None,
    ) -> Rows:
        """Answer a prepared, checked query over the store named ``key``.

        Parameters
        ----------
        key : str
            Names the data (a content key): a worker holding this key answers
            without loading anything.
        nquads : callable
            Returns the data as N-Quads bytes, called only when a worker must load it.
        text : str
            The query, prefixes declared (:func:`collab_graph.rdf.sparql.prepare`)
            and checked read-only (:func:`collab_graph.rdf.sparql.check_read_only`).
        limits : QueryLimits, optional
            This query's limits (default: the pool's).
        alive : callable, optional
            Polled while the query runs; when it returns False the query is
            stopped (:class:`~collab_graph.errors.QueryCancelledError`).

        Returns
        -------
        tuple
            ``(kind, columns, rows)``.

        Raises
        ------
        QueryTimeoutError, QueryRowLimitError, QueryMemoryError
            When the query went over that limit (it was stopped).
        QueryCancelledError
            When ``alive()`` turned False.
        QueryError
            When the query failed to evaluate.
        """
        lim = limits or self.limits
        deadline = time.monotonic() + lim.timeout_s if lim.timeout_s else None
        worker = self._checkout(key, deadline, alive, lim)
        try:
            if worker.key != key:
                worker.key = None
                # Loading our own data is not the query's time: no deadline, but
                # the memory limit holds and a closed session still stops it.
                worker.call(
                    ("load", nquads(), lim.max_memory_mb),
                    lim,
                    deadline=None,
                    alive=alive,
                    what="query's store (the graph loaded for it)",
                )
                worker.key = key
                if deadline is not None:
                    deadline = time.monotonic() + lim.timeout_s
            message = ("query", text, lim.max_rows, lim.timeout_s, lim.max_memory_mb)
            payload: Rows = worker.call(message, lim, deadline=deadline, alive=alive)
            return payload
        finally:
            self._checkin(worker)

    def close(self) -> None:
        """Stop every idle worker; busy ones stop when their query returns."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for w in idle:
            w.stop()
