"""Benchmark collab-graph on synthetic corpora of 1k, 10k and 100k notes.

For each size the runner makes (or reuses) a corpus with ``benchmarks/synth.py``
and then measures, each phase in a *fresh subprocess* so that peak RSS
(``ru_maxrss``) belongs to that phase alone:

``pipeline``
    parse → classify → build graph → N-Triples and Turtle written straight from
    the graph (:mod:`collab_graph.rdf.fast`), ``practices_for`` latency over
    200 free-text barrier queries, and the overview HTML (size, time).
``rdflib``
    the same parse → classify → graph, then ``rdf.to_rdf(G)`` and rdflib's own
    N-Triples and Turtle serialisers (the plain rdflib path).
``anchors``
    what it costs just to get the exported triples into a store: rdflib parsing
    the exported N-Triples, pyoxigraph loading them, and one SPARQL query from
    ``docs/queries.md`` on rdflib's memory store, on rdflib over Oxigraph
    (``oxrdflib``) and on a bare pyoxigraph store.

Every phase runs ``--repeat`` times; the runner prints medians and ratios and
writes a Markdown report (``docs/benchmarks.md`` by default) with a table and,
when matplotlib is installed, a log-log plot of time against notes.

Usage::

    python benchmarks/run.py                         # 1k, 10k, 100k; 3 repeats
    python benchmarks/run.py --sizes 1000,10000 --repeat 1 --doc /tmp/bench.md

Benchmarks are not tests: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import importlib.util
import json
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402  (benchmarks/ is not a package)

PHASES = ("pipeline", "rdflib", "anchors")
#: Seconds one query of the docs/queries.md sweep may run on one engine before it is stopped.
QUERY_CAP_S = 60.0
#: Everything after this line of the report is hand-written and kept when the runner rewrites it.
ANALYSIS_MARKER = "<!-- analysis: hand-written, kept when benchmarks/run.py rewrites this file -->"
DEFAULT_SIZES = (1_000, 10_000, 100_000)

# ---------------------------------------------------------------------------------------
# Measuring inside a worker
# ---------------------------------------------------------------------------------------


@dataclass
class Record:
    """What one phase run measured: seconds per stage, counts, latencies and peak RSS."""

    times: dict[str, float] = field(default_factory=dict)
    counts: dict[str, float] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    queries: list[dict[str, Any]] = field(default_factory=list)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Time the ``with`` body as ``stage`` (seconds, ``time.perf_counter``)."""
        start = time.perf_counter()
        yield
        self.times[stage] = time.perf_counter() - start


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux: ru_maxrss is KiB)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def corpus_paths(corpus: Path) -> list[Path]:
    """The notes files of a synthetic corpus, in order."""
    return sorted(corpus.glob("workshop-*.txt"))


def sparql_example(index: int = 0) -> tuple[str, str]:
    """The ``index``-th SPARQL query block of ``docs/queries.md`` and its heading.

    Returns
    -------
    (str, str)
        The query text with the project prefixes declared (so that every
        engine gets the same text) and the nearest Markdown heading above it.

    Raises
    ------
    LookupError
        When ``docs/queries.md`` is missing or has no such block.
    """
    path = ROOT / "docs" / "queries.md"
    if not path.exists():
        raise LookupError(f"{path} is missing")
    text = path.read_text(encoding="utf-8")
    blocks = list(re.finditer(r"^```sparql[^\n]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL))
    if index >= len(blocks):
        raise LookupError(f"{path} has {len(blocks)} sparql block(s); no block {index}")
    block = blocks[index]
    headings = re.findall(r"^#+\s*(.+)$", text[: block.start()], re.MULTILINE)
    query = block.group(1)
    from collab_graph.rdf.vocab import PREFIXES

    declared = {m.lower() for m in re.findall(r"PREFIX\s+(\w*):", query, re.IGNORECASE)}
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in declared)
    return head + query, headings[-1].strip() if headings else f"block {index}"


class Pipeline:
    """The collab-graph stages, looked up by name so a missing module is reported, not fatal."""

    def __init__(self) -> None:
        from collab_graph import ingest

        self.parse = ingest

    @staticmethod
    def _attr(module: str, name: str) -> Callable[..., Any] | None:
        try:
            mod = importlib.import_module(f"collab_graph.{module}")
        except ImportError:
            return None
        fn = getattr(mod, name, None)
        return fn if callable(fn) else None

    def run_to_graph(self, rec: Record, paths: Sequence[Path]) -> Any:
        """Parse, classify and build the graph as ``pipeline.graph`` does, timing each."""
        from collab_graph.coding import classifier as classify
        from collab_graph.coding import taxonomy
        from collab_graph.graph import build as graph
        from collab_graph.graph import links

        with rec.timed("parse"):
            results = self.parse.load(paths)
        with rec.timed("classify"):
            tax = taxonomy.load_taxonomy()
            coded = classify.classify_results(results, taxonomy=tax)
        with rec.timed("graph"):
            G = graph.build_graph(
                coded,
                [r.workshop for r in results],
                themes=tax.themes.values(),
                curated=links.load_curated(),
            )
        texts = [n.text for r in results for n in r.notes]
        rec.counts.update(
            notes=len(texts),
            distinct_texts=len(set(texts)),
            mean_text_chars=sum(map(len, texts)) / max(1, len(texts)),
            files=len(results),
            nodes=G.number_of_nodes(),
            edges=G.number_of_edges(),
        )
        return G


def sparql_examples() -> list[tuple[str, str]]:
    """Every SPARQL block of ``docs/queries.md`` (prefixes declared) with its heading."""
    out: list[tuple[str, str]] = []
    while True:
        try:
            out.append(sparql_example(len(out)))
        except LookupError:
            return out


class QueryTimeout(Exception):
    """A query ran past its time cap (raised by SIGALRM between Python bytecodes)."""


def _alarm(signum: int, frame: Any) -> None:
    raise QueryTimeout


def sweep_queries(g: Any, store: Any, cap: float = QUERY_CAP_S) -> list[dict[str, Any]]:
    """Time every docs/queries.md query once on rdflib's memory store and on pyoxigraph.

    A query still running after ``cap`` seconds is stopped and reported as such
    (rdflib evaluates OPTIONAL as a nested loop, which can take hours at 100k notes).
    """
    rows: list[dict[str, Any]] = []
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for i, (query, title) in enumerate(sparql_examples()):
            row: dict[str, Any] = {"index": i, "title": title}
            for engine, run_query in (("rdflib", g.query), ("oxigraph", store.query)):
                start = time.perf_counter()
                signal.setitimer(signal.ITIMER_REAL, cap)
                try:
                    row[f"rows_{engine}"] = len(list(run_query(query)))
                except QueryTimeout:
                    row[f"error_{engine}"] = f"stopped after {cap:g} s"
                except Exception as exc:  # report the engine's refusal, do not stop the run
                    row[f"error_{engine}"] = f"{type(exc).__name__}: {str(exc)[:120]}"
                else:
                    row[f"s_{engine}"] = time.perf_counter() - start
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            rows.append(row)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return rows


def worker(
    phase: str,
    corpus: Path,
    out: Path,
    queries: int,
    sparql_index: int,
    all_queries: bool = False,
) -> Record:
    """Run one phase once and return what it measured."""
    rec = Record()
    paths = corpus_paths(corpus)
    nt_path = out / "export.nt"
    if phase == "pipeline":
        pipe = Pipeline()
        G = pipe.run_to_graph(rec, paths)
        fast = Pipeline._attr("rdf.fast", "write_ntriples")
        fast_ttl = Pipeline._attr("rdf.fast", "write_turtle")
        if fast is not None and fast_ttl is not None:
            with rec.timed("fast_nt"), nt_path.open("w", encoding="utf-8") as fh:
                n = fast(G, fh)
            rec.counts["triples"] = n
            with rec.timed("fast_ttl"), (out / "export.ttl").open("w", encoding="utf-8") as fh:
                fast_ttl(G, fh)
        else:
            rec.notes.append("collab_graph.rdf.fast not available")
        rec.counts["rss_pipeline_mb"] = peak_rss_mb()
        from collab_graph import pipeline
        from collab_graph.cache import DiskCache

        with tempfile.TemporaryDirectory() as folder:  # what the app does when it starts
            store, corpus = DiskCache(Path(folder)), pipeline.Corpus(paths)
            with rec.timed("cache_miss"):
                pipeline.graph(corpus, cache=store)
            with rec.timed("cache_hit"):
                H = pipeline.graph(corpus, cache=store)
            if not store.has("graph", pipeline.keys(corpus).graph):
                rec.notes.append("graph cache: no entry was written")
            del H
        practices_for = Pipeline._attr("graph.query", "practices_for")
        if practices_for is not None:
            for q in synth.barrier_queries(queries):
                start = time.perf_counter()
                with contextlib.suppress(LookupError):  # "no match" is an answer too
                    practices_for(G, q)
                rec.latencies_ms.append((time.perf_counter() - start) * 1000)
        else:
            rec.notes.append("collab_graph.graph.query.practices_for not available")
        overview = Pipeline._attr("views.network", "overview_graph")
        render = Pipeline._attr("views.network", "render")
        if overview is not None and render is not None:
            with rec.timed("overview_html"):  # as the app's Explore page does it
                html = render(overview(G), positions=None, height=660).html
            rec.counts["overview_bytes"] = len(html.encode("utf-8"))
        else:
            rec.notes.append("collab_graph.views.network overview_graph/render not available")
        try:
            query, _ = sparql_example(sparql_index)
        except LookupError:
            pass
        else:
            from collab_graph.rdf import sparql

            with rec.timed("sparql_run"):  # what `collab-graph sparql` does: store + query
                rec.counts["sparql_rows_run"] = len(sparql.run(G, query).rows)
    elif phase == "rdflib":
        pipe = Pipeline()
        G = pipe.run_to_graph(rec, paths)
        from collab_graph.rdf import convert as rdf

        with rec.timed("to_rdf"):  # the flat graph that `export --format nt|turtle` serialises
            g = rdf.to_graph(G)
        rec.counts["triples"] = len(g)
        with rec.timed("rdflib_nt"):
            data = g.serialize(format="nt", encoding="utf-8")
        rec.counts["nt_bytes"] = len(data)
        if not nt_path.exists():
            nt_path.write_bytes(data)
        del data
        with rec.timed("rdflib_ttl"):
            g.serialize(format="turtle", encoding="utf-8")
        rec.counts["rss_rdflib_mb"] = peak_rss_mb()
    elif phase == "anchors":
        import pyoxigraph
        import rdflib

        if not nt_path.exists():
            raise RuntimeError(f"{nt_path} is missing: run the pipeline or rdflib phase first")
        data = nt_path.read_bytes()
        rec.counts["nt_bytes"] = len(data)
        with rec.timed("rdflib_parse_nt"):
            g = rdflib.Graph()
            g.parse(data=data, format="nt")
        rec.counts["triples"] = len(g)
        with rec.timed("oxigraph_load_nt"):
            store = pyoxigraph.Store()
            store.bulk_load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
        with rec.timed("oxrdflib_parse_nt"):
            og = rdflib.Graph(store="Oxigraph")
            og.parse(data=data, format="ox-nt")
        try:
            query, title = sparql_example(sparql_index)
        except LookupError as exc:
            rec.notes.append(f"no SPARQL example: {exc}")
        else:
            rec.notes.append(f"SPARQL example: {title}")
            with rec.timed("sparql_rdflib"):
                rows_rdflib = len(list(g.query(query)))
            with rec.timed("sparql_oxrdflib"):
                rows_ox_rdflib = len(list(og.query(query)))
            with rec.timed("sparql_oxigraph"):
                rows_ox = len(list(store.query(query)))  # type: ignore[arg-type]
            if not rows_rdflib == rows_ox_rdflib == rows_ox:
                rec.notes.append(
                    f"SPARQL row counts differ: rdflib {rows_rdflib}, "
                    f"oxrdflib {rows_ox_rdflib}, pyoxigraph {rows_ox}"
                )
            rec.counts.update(
                sparql_rows_rdflib=rows_rdflib,
                sparql_rows_oxrdflib=rows_ox_rdflib,
                sparql_rows_oxigraph=rows_ox,
            )
        if all_queries:
            rec.queries = sweep_queries(g, store)
        rec.counts["rss_anchors_mb"] = peak_rss_mb()
    else:
        raise ValueError(f"unknown phase {phase!r}; use one of {', '.join(PHASES)}")
    gc.collect()
    return rec


def _worker_main(args: argparse.Namespace) -> int:
    rec = worker(args.worker, args.corpus, args.out, args.queries, args.sparql, args.all_queries)
    payload = {
        "phase": args.worker,
        "queries": rec.queries,
        "times": rec.times,
        "counts": rec.counts,
        "latencies_ms": rec.latencies_ms,
        "notes": rec.notes,
        "peak_rss_mb": peak_rss_mb(),
    }
    args.json.write_text(json.dumps(payload), encoding="utf-8")
    return 0


# ---------------------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------------------

#: Stage keys in report order, with the label the table shows.
STAGES: tuple[tuple[str, str], ...] = (
    ("parse", "parse"),
    ("classify", "classify"),
    ("graph", "build graph"),
    ("fast_nt", "N-Triples from graph (fastrdf)"),
    ("fast_ttl", "Turtle from graph (fastrdf)"),
    ("e2e_fast", "**end to end, fast path** (parse→…→N-Triples)"),
    ("to_rdf", "build RDF (`rdf.to_graph`, an rdflib Graph)"),
    ("rdflib_nt", "rdflib serialise N-Triples"),
    ("rdflib_ttl", "rdflib serialise Turtle"),
    ("e2e_rdflib", "end to end, rdflib path (parse→…→`to_graph`→N-Triples)"),
    ("rdflib_parse_nt", "**anchor: rdflib parses the exported N-Triples**"),
    ("oxigraph_load_nt", "anchor: pyoxigraph bulk-loads the N-Triples"),
    ("oxrdflib_parse_nt", "anchor: rdflib over Oxigraph (oxrdflib) parses them"),
    ("sparql_rdflib", "SPARQL example, rdflib memory store"),
    ("sparql_oxrdflib", "SPARQL example, rdflib over Oxigraph"),
    ("sparql_oxigraph", "SPARQL example, pyoxigraph"),
    ("sparql_run", "SPARQL example via `sparql.run(G, q)` (builds the Oxigraph store)"),
    ("overview_html", "overview HTML (`viz.render(viz.overview_graph(G))`)"),
    ("cache_miss", "app start, empty cache (`pipeline.graph`: build + write)"),
    ("cache_hit", "app start, graph in the cache (`pipeline.graph`: read)"),
)


@dataclass
class SizeResult:
    """All phase records of one corpus size, over the repeats."""

    notes: int
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def samples(self, key: str) -> list[float]:
        """Per-repeat values of a stage time (or a derived end-to-end time), in seconds."""
        if key == "e2e_fast":
            return [
                sum(r["times"][k] for k in ("parse", "classify", "graph", "fast_nt"))
                for r in self.runs.get("pipeline", [])
                if "fast_nt" in r["times"]
            ]
        if key == "e2e_rdflib":
            return [
                sum(r["times"][k] for k in ("parse", "classify", "graph", "to_rdf", "rdflib_nt"))
                for r in self.runs.get("rdflib", [])
            ]
        out: list[float] = []
        for phase in PHASES:
            out.extend(r["times"][key] for r in self.runs.get(phase, []) if key in r["times"])
            if out:
                break  # parse/classify/graph appear in two phases: report the first
        return out

    def median(self, key: str) -> float | None:
        """Median over repeats of :meth:`samples`, or None when not measured."""
        values = self.samples(key)
        return statistics.median(values) if values else None

    def count(self, key: str) -> float | None:
        """A count (triples, bytes, RSS ...) from the first phase that has it (median)."""
        for phase in PHASES:
            values = [r["counts"][key] for r in self.runs.get(phase, []) if key in r["counts"]]
            if values:
                return float(statistics.median(values))
        return None

    def rss(self, phase: str) -> float | None:
        """Median peak RSS of a phase's process, MiB."""
        values = [r["peak_rss_mb"] for r in self.runs.get(phase, [])]
        return statistics.median(values) if values else None

    def latency(self, pct: float) -> float | None:
        """Median over repeats of the ``pct`` percentile of ``practices_for`` latency, ms."""
        per_run = []
        for r in self.runs.get("pipeline", []):
            lat = sorted(r["latencies_ms"])
            if lat:
                per_run.append(lat[min(len(lat) - 1, round(pct / 100 * (len(lat) - 1)))])
        return statistics.median(per_run) if per_run else None

    def notes_seen(self) -> list[str]:
        """Distinct notes the workers left (missing modules, SPARQL example name)."""
        seen: list[str] = []
        for runs in self.runs.values():
            for r in runs:
                for n in r["notes"]:
                    if n not in seen:
                        seen.append(n)
        return seen


def ensure_corpus(out: Path, notes: int, seed: int) -> Path:
    """Write (or reuse) the corpus for ``notes`` notes under ``out``; return its folder."""
    corpus = out / f"corpus-{notes}-seed{seed}"
    stamp = corpus / "SYNTH"
    expected = f"notes={notes} seed={seed} files={len(synth.generate(notes, seed))}\n"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == expected:
        return corpus
    for old in corpus.glob("workshop-*.txt"):
        old.unlink()
    synth.write_corpus(notes, corpus, seed)
    stamp.write_text(expected, encoding="utf-8")
    return corpus


def run_phase(
    phase: str,
    corpus: Path,
    work: Path,
    queries: int,
    sparql: int,
    timeout: float,
    all_queries: bool = False,
) -> dict[str, Any]:
    """Run one phase in a fresh Python process and return its JSON record."""
    result = work / f"{phase}-{time.strftime('%H%M%S')}.json"
    result.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        phase,
        "--corpus",
        str(corpus),
        "--out",
        str(work),
        "--json",
        str(result),
        "--queries",
        str(queries),
        "--sparql",
        str(sparql),
        *(["--all-queries"] if all_queries else []),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"phase {phase} failed (exit {proc.returncode}):\n{tail}")
    data: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return data


def run_all(
    sizes: Sequence[int],
    repeat: int,
    out: Path,
    *,
    seed: int = 1,
    queries: int = 200,
    sparql: int = 0,
    phases: Sequence[str] = PHASES,
    timeout: float = 3600,
    log: Callable[[str], None] = print,
) -> list[SizeResult]:
    """Measure every size: ``repeat`` rounds of each phase, each in a fresh process."""
    results: list[SizeResult] = []
    for notes in sizes:
        corpus = ensure_corpus(out, notes, seed)
        work = out / f"work-{notes}"
        work.mkdir(parents=True, exist_ok=True)
        (work / "export.nt").unlink(missing_ok=True)
        size = SizeResult(notes)
        for r in range(repeat):
            for phase in phases:
                start = time.perf_counter()
                data = run_phase(phase, corpus, work, queries, sparql, timeout, all_queries=r == 0)
                size.runs.setdefault(phase, []).append(data)
                partial = [*results, size]
                (out / "results-partial.json").write_text(
                    json.dumps([{"notes": x.notes, "runs": x.runs} for x in partial]),
                    encoding="utf-8",
                )
                log(
                    f"{notes:>7} notes  repeat {r + 1}/{repeat}  {phase:<8} "
                    f"{time.perf_counter() - start:7.1f} s wall, "
                    f"peak RSS {data['peak_rss_mb']:.0f} MiB"
                )
        results.append(size)
    return results


def _harness() -> Any:
    """Load engineer C's browser harness (``tests/app_harness.py``) by path."""
    spec = importlib.util.spec_from_file_location("app_harness", ROOT / "tests" / "app_harness.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("tests/app_harness.py is missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("app_harness", module)
    spec.loader.exec_module(module)
    return module


def measure_browser(sizes: Sequence[int], out: Path, seed: int, repeat: int) -> dict[str, Any]:
    """App timings in headless Chromium via the harness of ``tests/app_harness.py``.

    Every repeat gets its own empty graph cache (``COLLAB_GRAPH_CACHE``).

    * Bundled workshop: server start → graph drawn, and a filter change → redraw
      (``measure_app_timings``), ``repeat`` times.
    * Each synthetic size: server start → first overview drawn with an empty
      graph cache (this includes building the graph), a page reload → overview
      drawn again (graph in the server's memory), then a second server on the
      same cache: start → overview drawn (graph read from disk), and the size of
      the drawn page.
    """
    h = _harness()
    if h.chromium_path() is None:
        raise RuntimeError("Chromium is missing: apt-get install chromium (see PITFALLS.md)")
    result: dict[str, Any] = {"bundled": []}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            result["bundled"].append(h.measure_app_timings((), env={"COLLAB_GRAPH_CACHE": folder}))
    for notes in sizes:
        files = corpus_paths(ensure_corpus(out, notes, seed))
        runs = []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as folder, h.browser() as b:
                env = {"COLLAB_GRAPH_CACHE": folder}
                page = b.new_page(viewport={"width": 1500, "height": 1000})
                with h.AppServer(paths=files, env=env) as server:
                    page.goto(server.url, wait_until="domcontentloaded", timeout=600_000)
                    frame, count = h.wait_for_graph(page, timeout=900)
                    cold = time.perf_counter() - server.started_at
                    t0 = time.perf_counter()
                    page.reload(wait_until="domcontentloaded")
                    _, count2 = h.wait_for_graph(page, timeout=300)
                    warm = time.perf_counter() - t0
                page.close()
                page = b.new_page(viewport={"width": 1500, "height": 1000})
                with h.AppServer(paths=files, env=env) as server:
                    page.goto(server.url, wait_until="domcontentloaded", timeout=600_000)
                    frame, count3 = h.wait_for_graph(page, timeout=300)
                    disk = time.perf_counter() - server.started_at
                    html = frame.evaluate("() => document.documentElement.outerHTML")
            runs.append(
                {
                    "start_to_graph_s": round(cold, 3),
                    "reload_to_graph_s": round(warm, 3),
                    "restart_to_graph_s": round(disk, 3),
                    "nodes": count,
                    "nodes_after_reload": count2,
                    "nodes_after_restart": count3,
                    "html_bytes": len(html.encode("utf-8")),
                }
            )
        result[str(notes)] = runs
    return result


def browser_lines(browser: dict[str, Any]) -> list[str]:
    """Markdown for the app timings (medians over repeats)."""

    def med(runs: list[dict[str, Any]], key: str) -> float | None:
        values = [r[key] for r in runs if key in r]
        return statistics.median(values) if values else None

    lines = ["| app measurement | wanted | measured | |", "|---|---|---|---|"]
    bundled = browser.get("bundled", [])
    if bundled:
        start, redraw = med(bundled, "start_to_graph_s"), med(bundled, "filter_redraw_s")
        lines.append(
            f"| bundled workshop: server start → graph drawn | ≤ 4 s | {_fmt(start, '.2f', ' s')} "
            f"| {_mark(None if start is None else start <= 4)} |"
        )
        lines.append(
            f"| bundled workshop: filter change → redrawn | ≤ 1 s | {_fmt(redraw, '.2f', ' s')} "
            f"| {_mark(None if redraw is None else redraw <= 1)} |"
        )
    for key, runs in browser.items():
        if key == "bundled":
            continue
        name = _label_notes(int(key))
        cold, warm = med(runs, "start_to_graph_s"), med(runs, "reload_to_graph_s")
        disk = med(runs, "restart_to_graph_s")
        size = _mb(med(runs, "html_bytes"))
        lines.append(
            f"| {name} notes: server start → overview drawn, empty graph cache (builds the "
            f"graph; first time only) | | {_fmt(cold, '.1f', ' s')} | |"
        )
        lines.append(
            f"| {name} notes: server start → overview drawn, graph cache on disk | ≤ 5 s "
            f"| {_fmt(disk, '.2f', ' s')} | {_mark(None if disk is None else disk <= 5)} |"
        )
        lines.append(
            f"| {name} notes: page reload → overview drawn (graph in memory) | ≤ 5 s "
            f"| {_fmt(warm, '.2f', ' s')} | {_mark(None if warm is None else warm <= 5)} |"
        )
        lines.append(
            f"| {name} notes: overview page size | ≤ 5 MB | {_fmt(size, '.2f', ' MB')} "
            f"| {_mark(None if size is None else size <= 5)} |"
        )
    return lines


# ---------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------


def _fmt_s(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def _fmt(value: float | None, spec: str = ".2f", unit: str = "") -> str:
    return "–" if value is None else f"{value:{spec}}{unit}"


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _label_notes(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 and n >= 1000 else str(n)


def stage_table(results: Sequence[SizeResult]) -> list[str]:
    """Markdown table: one row per stage, one column per size (medians)."""
    head = "| stage | " + " | ".join(f"{_label_notes(s.notes)} notes" for s in results) + " |"
    lines = [head, "|---|" + "---:|" * len(results)]
    for key, label in STAGES:
        cells = [s.median(key) for s in results]
        if all(c is None for c in cells):
            continue
        lines.append(f"| {label} | " + " | ".join(_fmt_s(c) for c in cells) + " |")
    extra: list[tuple[str, Callable[[SizeResult], str]]] = [
        ("`practices_for` p50 / p95 (200 queries)", lambda s: _latency_cell(s)),
        ("overview HTML size", lambda s: _fmt(_mb(s.count("overview_bytes")), ".2f", " MB")),
        ("triples", lambda s: _fmt(s.count("triples"), ",.0f")),
        ("distinct note texts", lambda s: _fmt(s.count("distinct_texts"), ",.0f")),
        ("N-Triples size", lambda s: _fmt(_mb(s.count("nt_bytes")), ".1f", " MB")),
        (
            "graph nodes / edges",
            lambda s: f"{_fmt(s.count('nodes'), ',.0f')} / {_fmt(s.count('edges'), ',.0f')}",
        ),
        (
            "peak RSS: parse → N-Triples (fast path)",
            lambda s: _fmt(s.count("rss_pipeline_mb"), ",.0f", " MiB"),
        ),
        (
            "peak RSS: same process after queries, overview, `sparql.run`",
            lambda s: _fmt(s.rss("pipeline"), ",.0f", " MiB"),
        ),
        ("peak RSS: rdflib path", lambda s: _fmt(s.rss("rdflib"), ",.0f", " MiB")),
        ("peak RSS: anchors", lambda s: _fmt(s.rss("anchors"), ",.0f", " MiB")),
    ]
    for label, cell in extra:
        lines.append(f"| {label} | " + " | ".join(cell(s) for s in results) + " |")
    return lines


def _mb(value: float | None) -> float | None:
    return None if value is None else value / 1e6


def _latency_cell(s: SizeResult) -> str:
    p50, p95 = s.latency(50), s.latency(95)
    if p50 is None or p95 is None:
        return "–"
    return f"{p50:.2f} / {p95:.2f} ms"


@dataclass
class Target:
    """One target of the performance issue, with the measured value and whether it is met."""

    name: str
    target: str
    measured: str
    met: bool | None


def targets(results: Sequence[SizeResult]) -> list[Target]:
    """Evaluate the issue's targets on the largest size (and the 10k → 100k growth)."""
    by = {s.notes: s for s in results}
    big = max(results, key=lambda s: s.notes)
    name = _label_notes(big.notes)
    out: list[Target] = []
    ratio = _ratio(big.median("e2e_fast"), big.median("rdflib_parse_nt"))
    out.append(
        Target(
            f"end to end (fast path) / rdflib parsing the N-Triples, {name}",
            "≤ 1.0",
            _fmt(ratio, ".2f"),
            None if ratio is None else ratio <= 1.0,
        )
    )
    ratio_rdf = _ratio(big.median("e2e_rdflib"), big.median("rdflib_parse_nt"))
    out.append(
        Target(
            f"end to end (rdflib path) / rdflib parsing the N-Triples, {name}",
            "(for comparison)",
            _fmt(ratio_rdf, ".2f"),
            None,
        )
    )
    for small, large in ((10_000, 100_000), (1_000, 10_000)):
        if small in by and large in by:
            for key, what in (("e2e_fast", "fast path"), ("e2e_rdflib", "rdflib path")):
                g = _ratio(by[large].median(key), by[small].median(key))
                out.append(
                    Target(
                        f"growth {what}: time({_label_notes(large)}) / time({_label_notes(small)})",
                        "≤ 11",
                        _fmt(g, ".1f"),
                        None if g is None else g <= 11,
                    )
                )
    rss = big.count("rss_pipeline_mb")
    out.append(
        Target(
            f"peak RSS, parse → N-Triples (fast path), {name}",
            "≤ 1.5 GB",
            _fmt(None if rss is None else rss * 1.048576, ",.0f", " MB"),
            None if rss is None else rss * 1.048576 <= 1500,
        )
    )
    rss_r = big.rss("rdflib")
    out.append(
        Target(
            f"peak RSS, rdflib path, {name}",
            "(for comparison)",
            _fmt(None if rss_r is None else rss_r * 1.048576, ",.0f", " MB"),
            None,
        )
    )
    p50 = big.latency(50)
    out.append(
        Target(
            f"`practices_for` p50, {name}",
            "≤ 2 ms",
            _fmt(p50, ".2f", " ms"),
            None if p50 is None else p50 <= 2.0,
        )
    )
    for key, what in (
        ("sparql_oxigraph", "pyoxigraph"),
        ("sparql_oxrdflib", "rdflib over Oxigraph"),
    ):
        speed = _ratio(big.median("sparql_rdflib"), big.median(key))
        out.append(
            Target(
                f"SPARQL example speed-up on {what} vs rdflib memory store, {name}",
                "≥ 10×",
                _fmt(speed, ".1f", "×"),
                None if speed is None else speed >= 10,
            )
        )
    html = _mb(big.count("overview_bytes"))
    out.append(
        Target(
            f"overview HTML size, {name}",
            "≤ 5 MB",
            _fmt(html, ".2f", " MB"),
            None if html is None else html <= 5,
        )
    )
    return out


def query_table(results: Sequence[SizeResult]) -> list[str]:
    """Every docs/queries.md query at the largest size: rdflib vs pyoxigraph (first repeat)."""
    big = max(results, key=lambda s: s.notes)
    runs = big.runs.get("anchors", [])
    sweep: list[dict[str, Any]] = next((r["queries"] for r in runs if r.get("queries")), [])
    if not sweep:
        return []
    lines = [
        f"### Every query of `docs/queries.md`, {_label_notes(big.notes)} notes (one run each)",
        "",
        "Same N-Triples, default graph; rdflib's memory store vs a bare pyoxigraph store.",
        "",
        "| query | rows | rdflib | pyoxigraph | speed-up |",
        "|---|---:|---:|---:|---:|",
    ]
    for q in sweep:
        a, b = q.get("s_rdflib"), q.get("s_oxigraph")
        rows = q.get("rows_oxigraph", q.get("rows_rdflib", "–"))
        cell_a = _fmt_s(a) if a is not None else f"fails ({q.get('error_rdflib', '?')[:60]})"
        speed = _fmt(_ratio(a, b), ".0f", "×")
        lines.append(f"| {q['title']} | {rows} | {cell_a} | {_fmt_s(b)} | {speed} |")
    return [*lines, ""]


def _mark(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: ""}[met]


def plot(results: Sequence[SizeResult], path: Path) -> bool:
    """Draw a log-log plot of time against notes; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    keys = (
        ("e2e_fast", "end to end, fast path"),
        ("e2e_rdflib", "end to end, rdflib path"),
        ("rdflib_parse_nt", "anchor: rdflib parses N-Triples"),
        ("oxigraph_load_nt", "anchor: pyoxigraph loads N-Triples"),
        ("parse", "parse"),
        ("classify", "classify"),
        ("graph", "build graph"),
        ("fast_nt", "N-Triples (fastrdf)"),
    )
    fig, ax = plt.subplots(figsize=(7.5, 5))
    xs = [s.notes for s in results]
    for key, label in keys:
        pts = [(x, s.median(key)) for x, s in zip(xs, results, strict=True)]
        pts_ok = [(x, y) for x, y in pts if y is not None and y > 0]
        if len(pts_ok) >= 1:
            style = "-o" if key.startswith("e2e") or key == "rdflib_parse_nt" else "--."
            ax.plot([p[0] for p in pts_ok], [p[1] for p in pts_ok], style, label=label)
    if len(xs) > 1:
        lo, hi = min(xs), max(xs)
        base = results[0].median("e2e_fast") or results[0].median("e2e_rdflib")
        if base:
            ax.plot(
                [lo, hi], [base, base * hi / lo], ":", color="grey", label="linear from smallest"
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("notes")
    ax.set_ylabel("seconds (median over repeats)")
    ax.set_title("collab-graph: time against notes (log-log)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def machine() -> str:
    """A one-line description of the machine and the library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = next(
            int(line.split()[1]) / 1024 / 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        mem_s = f", {mem:.0f} GiB RAM"
    except (OSError, StopIteration):
        mem_s = ""
    versions = []
    for dist in ("rdflib", "pyoxigraph", "oxrdflib", "networkx", "rapidfuzz"):
        try:
            from importlib.metadata import version

            versions.append(f"{dist} {version(dist)}")
        except Exception:  # a missing distribution is not an error here
            versions.append(f"{dist} ?")
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} logical cores"
        f"{mem_s}; Python {platform.python_version()}; " + ", ".join(versions)
    )


def code_version(ignore: Sequence[Path] = ()) -> str:
    """The git commit measured, and whether the working tree had other changes.

    Files in ``ignore`` (this runner's own outputs) do not count as changes.
    """
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                *(
                    f":(exclude){p.resolve().relative_to(ROOT.resolve())}"
                    for p in ignore
                    if p.resolve().is_relative_to(ROOT.resolve())
                ),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit `{head}`" + (
        " plus uncommitted changes to tracked files (shared tree)" if dirty else ""
    )


def corpus_line(results: Sequence[SizeResult]) -> str:
    """How varied the synthetic text is (caches keyed on text must not be flattered)."""
    parts = []
    for s in results:
        distinct, chars = s.count("distinct_texts"), s.count("mean_text_chars")
        if distinct is not None and chars is not None:
            parts.append(
                f"{_label_notes(s.notes)}: {distinct / s.notes:.0%} distinct texts, "
                f"{chars:.0f} characters on average"
            )
    if not parts:
        return ""
    return (
        "Synthetic note text ("
        + "; ".join(parts)
        + "). The bundled workshop has 99% distinct texts of 35 characters on average."
    )


def report(
    results: Sequence[SizeResult],
    *,
    command: str,
    repeat: int,
    plot_path: Path | None,
    plotted: bool,
    doc_dir: Path,
    browser: dict[str, Any] | None = None,
    code: str = "",
) -> str:
    """The Markdown report (``code``: :func:`code_version` when the run started)."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        f"Measured {when} on {machine()}.",
        "",
        f"Command: `{command}` (medians over {repeat} repeat(s); each phase of each repeat "
        "runs in a fresh process, so peak RSS is that phase's own).",
        "",
        "The machine has 2 cores shared with other engineers running test suites during the "
        "run, so absolute times are noisy; the ratios compare measurements taken in the same "
        "run, on the same corpus, minutes apart.",
        "",
        "Corpora come from `benchmarks/synth.py` (seed 1): workshops of 200–300 notes in the "
        "bundled layout. *End to end* is parse → classify → build graph → N-Triples; the *fast "
        "path* writes N-Triples straight from the networkx graph (`collab_graph.rdf.fast`), the "
        "*rdflib path* builds an `rdflib.Graph` with `rdf.to_graph` (what `export --format nt` "
        "does) and serialises it. Both give the same triples (`tests/test_fastpath.py`).",
        "",
        f"Code: {code or code_version()} (when the run started).",
        "",
        corpus_line(results),
        "",
        "## Targets",
        "",
        "| target | wanted | measured | |",
        "|---|---|---|---|",
    ]
    for t in targets(results):
        lines.append(f"| {t.name} | {t.target} | {t.measured} | {_mark(t.met)} |")
    if browser:
        lines += [
            "",
            "## App in headless Chromium (`--browser`, harness `tests/app_harness.py`)",
            "",
            *browser_lines(browser),
        ]
    lines += ["", "## Stages (median seconds)", "", *stage_table(results), ""]
    lines += query_table(results)
    notes = []
    for s in results:
        for n in s.notes_seen():
            if n not in notes:
                notes.append(n)
    if notes:
        lines += ["Worker notes: " + "; ".join(notes) + ".", ""]
    if plot_path is not None and plotted:
        rel = os.path.relpath(plot_path, doc_dir)
        lines += ["## Time against notes", "", f"![time against notes, log-log]({rel})", ""]
    elif plot_path is not None:
        lines += ["(No plot: matplotlib is not installed.)", ""]
    return "\n".join(lines)


def print_summary(results: Sequence[SizeResult]) -> None:
    """Print medians and ratios to stdout."""
    for line in stage_table(results):
        print(line)
    print()
    for t in targets(results):
        status = {True: "ok", False: "MISSED", None: ""}[t.met]
        print(f"{t.name}: {t.measured} (target {t.target}) {status}")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="comma-separated numbers of notes (default 1000,10000,100000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="repeats per size (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument(
        "--out", type=Path, default=HERE / "out", help="work folder (default benchmarks/out)"
    )
    parser.add_argument(
        "--doc", type=Path, default=ROOT / "docs" / "benchmarks.md", help="report to write"
    )
    parser.add_argument("--no-doc", action="store_true", help="print only; write no report")
    parser.add_argument("--queries", type=int, default=200, help="practices_for queries")
    parser.add_argument("--sparql", type=int, default=0, help="which docs/queries.md block")
    parser.add_argument("--phases", default=",".join(PHASES), help=f"subset of {','.join(PHASES)}")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per phase run")
    parser.add_argument(
        "--browser",
        action="store_true",
        help="also time the app in headless Chromium (bundled workshop and the largest size)",
    )
    # internal: one phase in this process
    parser.add_argument("--worker", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--all-queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker_main(args)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    phases = [p for p in args.phases.split(",") if p]
    unknown = set(phases) - set(PHASES)
    if unknown or not sizes or args.repeat < 1:
        parser.error(f"bad --phases {sorted(unknown)}" if unknown else "need sizes and repeat ≥ 1")
    # the code measured is the code at the start: workers import it afresh per phase
    code = code_version(ignore=[args.doc, args.doc.with_suffix(".png")])
    results = run_all(
        sizes,
        args.repeat,
        args.out,
        seed=args.seed,
        queries=args.queries,
        sparql=args.sparql,
        phases=phases,
        timeout=args.timeout,
        log=lambda m: print(m, file=sys.stderr, flush=True),
    )
    browser = None
    if args.browser:
        browser = measure_browser([max(sizes)], args.out, args.seed, args.repeat)
    (args.out / "results.json").write_text(
        json.dumps([{"notes": s.notes, "runs": s.runs} for s in results], indent=1),
        encoding="utf-8",
    )
    if browser is not None:
        (args.out / "browser.json").write_text(json.dumps(browser, indent=1), encoding="utf-8")
    print_summary(results)
    if browser is not None:
        print("\n".join(browser_lines(browser)))
    if not args.no_doc:
        plot_path = args.doc.with_suffix(".png")
        plotted = plot(results, plot_path)
        command = "python benchmarks/run.py " + " ".join(
            a for a in (argv if argv is not None else sys.argv[1:])
        )
        text = report(
            results,
            command=command.strip(),
            repeat=args.repeat,
            plot_path=plot_path,
            plotted=plotted,
            doc_dir=args.doc.parent,
            browser=browser,
            code=code,
        )
        args.doc.parent.mkdir(parents=True, exist_ok=True)
        if args.doc.exists():  # keep the hand-written analysis below the marker
            old = args.doc.read_text(encoding="utf-8")
            if ANALYSIS_MARKER in old:
                text += "\n" + old[old.index(ANALYSIS_MARKER) :]
        args.doc.write_text(text, encoding="utf-8")
        print(f"\nwrote {args.doc}" + (f" and {plot_path}" if plotted else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
