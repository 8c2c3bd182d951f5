"""Benchmark: five browser sessions ask at once, with and without a runaway SPARQL query.

One ``collab-graph app`` server on the bundled workshop; headless Debian
Chromium (Playwright, async API) opens five browser contexts, that is five
Streamlit sessions, which load the Ask page for a barrier **at the same time**
(``/ask?ask_barrier=...``), and each is timed from navigation to its ranked
answer on screen (the heading ``Barrier: ...`` and the ranked practices with
their "Supporting quotes"). Each round asks five barriers not asked before on
that server, so no session reads another's cached answer.

Two phases, each on a fresh server warmed the same way (one session has loaded
the Ask page without a barrier, so the graph is built):

* ``quiet``: only the five sessions;
* ``runaway``: a sixth session first starts a cartesian-product SPARQL query on
  the Export page (``COLLAB_GRAPH_SPARQL_TIMEOUT`` raised so it runs through
  the whole phase); the five sessions then ask as before while it runs.

Prints JSON (and writes ``--out/concurrent-ask.json``): every time, the
medians, the ratio runaway/quiet, the load average before and after each
phase, and the reuse of the SPARQL worker (a normal query on a warm worker vs
the first one, which starts the worker and loads the store). Nothing here is a
test: the targets (each answer < 3 s; runaway ≤ 2× quiet) are read from the
numbers in ``docs/benchmarks.md``.

In the quiet phase, one session then asks the remaining barriers alone, one
after another (the baseline of a single user). The CPU seconds used by the
server (with its SPARQL workers) and by Chromium during the rounds are recorded
too: on this 2-core machine they show where the time goes.

With ``--open-sessions`` the five sessions are first opened on the Ask page
(front end loaded, as a person who has the page open), and each is then timed
from choosing its barrier in the box to the ranked answer on screen, all five at
once (written to ``--out/concurrent-ask-open.json``).

usage: python benchmarks/concurrent_ask.py [--rounds 2] [--runaway-timeout 120] [--open-sessions]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

SESSIONS = 5
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def barriers() -> list[str]:
    """Barrier labels of the bundled workshop raised by at least one group and with practices
    to show (a parent theme such as "Inter-organisational relationship barriers" has none of
    its own), most raised first."""
    from collab_graph.graph import query
    from collab_graph.model import NodeKind
    from collab_graph.pipeline import Corpus, graph

    G = graph(Corpus(), cache=None)
    return [
        r["label"]
        for r in query.themes_ranked(G, NodeKind.BARRIER)
        if r["n_groups"] and query.practices_for(G, r["id"])["practices"]  # an answer to show
    ]


def sparql_workers(server_pid: int) -> list[tuple[int, str]]:
    """(pid, state) of the SPARQL workers the server started."""
    out = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (proc / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if int(stat[1]) == server_pid and b"collab_graph.rdf.worker" in cmd:
            out.append((int(proc.name), stat[0]))
    return out


def _procs() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds used) of every process."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        out[int(proc.name)] = (int(stat[1]), (int(stat[11]) + int(stat[12])) / tick)
    return out


def cpu_of_tree(root: int) -> float:
    """CPU seconds used so far by ``root`` and its live descendants."""
    procs = _procs()
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += procs.get(pid, (0, 0.0))[1]
        todo.extend(c for c, (ppid, _) in procs.items() if ppid == pid)
    return total


async def ask(browser: Any, url: str, barrier: str) -> float:
    """Seconds from navigation to the ranked answer, in a fresh context (a new session)."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = await context.new_page()
        t0 = time.perf_counter()
        await page.goto(f"{url}/ask?ask_barrier={quote(barrier)}", wait_until="commit")
        await page.get_by_text(f"Barrier: {barrier}").wait_for(timeout=120_000)
        await page.get_by_text("Supporting quotes").wait_for(timeout=120_000)
        return time.perf_counter() - t0
    finally:
        await context.close()


async def open_session(browser: Any, url: str) -> tuple[Any, Any]:
    """A session already on the Ask page (its front end loaded), as a person who has it open."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    await page.goto(f"{url}/ask", wait_until="commit")
    await page.get_by_text("Which practices address a barrier?").wait_for(timeout=180_000)
    await page.get_by_role("combobox", name="Barrier", exact=True).wait_for(timeout=120_000)
    return context, page


async def ask_open(page: Any, barrier: str) -> float:
    """Seconds from choosing ``barrier`` in an open session to the ranked answer on screen."""
    box = page.get_by_role("combobox", name="Barrier", exact=True)
    t0 = time.perf_counter()
    await box.click()
    await box.fill(barrier)
    await page.get_by_role("option", name=barrier, exact=True).first.click()
    await page.get_by_text(f"Barrier: {barrier}").wait_for(timeout=120_000)
    await page.get_by_text("Supporting quotes").first.wait_for(timeout=120_000)
    return time.perf_counter() - t0


async def start_runaway(browser: Any, url: str) -> Any:
    """A sixth session that runs a cartesian product on the Export page (left running)."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{url}/export", wait_until="domcontentloaded")
    box = page.get_by_label("Query", exact=True)
    await box.wait_for(timeout=120_000)
    await box.fill(CARTESIAN)
    await box.press("Control+Enter")
    await page.get_by_role("button", name="Run query").click()
    return context


async def phase(
    name: str,
    rounds: list[list[str]],
    extra: list[str],
    *,
    runaway_timeout: float,
    open_sessions: bool = False,
) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    from app_harness import CHROMIUM_ARGS, AppServer, chromium_path

    env = {"COLLAB_GRAPH_SPARQL_TIMEOUT": str(runaway_timeout)}
    result: dict[str, Any] = {"phase": name}
    with AppServer(env=env) as server:
        assert server.proc is not None
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
            )
            # warm-up: the graph is built once, as after any first visit
            warm = await browser.new_context()
            page = await warm.new_page()
            await page.goto(f"{server.url}/ask", wait_until="commit")
            await page.get_by_text("Which practices address a barrier?").wait_for(timeout=180_000)
            await warm.close()
            runaway = None
            if name == "runaway":
                runaway = await start_runaway(browser, server.url)
                for _ in range(600):
                    if any(state == "R" for _, state in sparql_workers(server.proc.pid)):
                        break
                    await asyncio.sleep(0.1)
                result["runaway_worker_busy_at_start"] = sparql_workers(server.proc.pid)
            result["loadavg_before"] = [round(x, 2) for x in os.getloadavg()]
            times: list[list[float]] = []
            cpu_server, cpu_all = cpu_of_tree(server.proc.pid), cpu_of_tree(os.getpid())
            wall = time.perf_counter()
            for labels in rounds:
                if open_sessions:
                    sessions = await asyncio.gather(
                        *(open_session(browser, server.url) for _ in labels)
                    )
                    got = await asyncio.gather(
                        *(ask_open(page, b) for (_, page), b in zip(sessions, labels, strict=True))
                    )
                    for context, _ in sessions:
                        await context.close()
                else:
                    got = await asyncio.gather(*(ask(browser, server.url, b) for b in labels))
                times.append([round(t, 3) for t in got])
            wall = time.perf_counter() - wall
            server_cpu = cpu_of_tree(server.proc.pid) - cpu_server
            # CPU of this process, the Playwright driver and Chromium (the server subtracted)
            others = cpu_of_tree(os.getpid()) - cpu_all - server_cpu
            result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
            result["cpu_s"] = {
                "wall": round(wall, 2),
                "server_and_workers": round(server_cpu, 2),
                "chromium_playwright_bench": round(others, 2),
            }
            if name == "quiet":
                alone = [await ask(browser, server.url, b) for b in extra]
                result["one_session_alone_s"] = [round(t, 3) for t in alone]
            if runaway is not None:
                workers = sparql_workers(server.proc.pid)
                result["runaway_still_running_at_end"] = any(s == "R" for _, s in workers)
                await runaway.close()
            await browser.close()
    flat = [t for r in times for t in r]
    result.update(
        times_s=times,
        median_s=round(statistics.median(flat), 3),
        max_s=round(max(flat), 3),
        under_3_s=sum(t < 3.0 for t in flat),
        answers=len(flat),
    )
    return result


def worker_reuse(repeat: int = 20) -> dict[str, float]:
    """A normal SPARQL query, checked and run: in a worker (first, then warm) vs in process."""
    from collab_graph.pipeline import Corpus, graph
    from collab_graph.rdf.fast import nquads
    from collab_graph.rdf.sparql import load_store, run, run_bounded
    from collab_graph.rdf.worker import SparqlPool

    G = graph(Corpus(), cache=None)
    text = "SELECT ?kind (COUNT(?n) AS ?c) WHERE { ?n a cg:Note ; cg:kind ?kind } GROUP BY ?kind"
    data = nquads(G)

    def timed(fn: Any) -> float:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    with SparqlPool(size=1) as pool:
        first = timed(lambda: run_bounded(lambda: data, text, pool=pool, key="g"))
        warm = [
            timed(lambda: run_bounded(lambda: data, text, pool=pool, key="g"))
            for _ in range(repeat)
        ]
    one_shot = [timed(lambda: run_bounded(G, text)) for _ in range(3)]
    store = load_store(G)
    inproc = [timed(lambda: run(store, text)) for _ in range(repeat)]
    return {
        "pool_first_query_s": round(first, 4),
        "pool_warm_worker_median_s": round(statistics.median(warm), 4),
        "cli_style_one_shot_median_s": round(statistics.median(one_shot), 4),
        "in_process_store_median_s": round(statistics.median(inproc), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--runaway-timeout", type=float, default=120.0)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    ap.add_argument(
        "--open-sessions",
        action="store_true",
        help="time the question in five sessions already on the Ask page (choose a barrier → "
        "answer), instead of opening a new session with the barrier in its URL",
    )
    args = ap.parse_args()
    # the harness starts `collab-graph` from PATH: use this interpreter's
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    labels = barriers()
    if len(labels) < SESSIONS * args.rounds:
        raise SystemExit(f"only {len(labels)} barriers: use --rounds {len(labels) // SESSIONS}")
    rounds = [labels[i * SESSIONS : (i + 1) * SESSIONS] for i in range(args.rounds)]
    report: dict[str, Any] = {"cores": os.cpu_count(), "rounds": rounds}
    report["worker_reuse"] = worker_reuse()
    # one session alone, after the rounds, on barriers not asked yet (a baseline)
    extra = labels[SESSIONS * args.rounds :][:SESSIONS]
    opts = {"runaway_timeout": args.runaway_timeout, "open_sessions": args.open_sessions}
    quiet = asyncio.run(phase("quiet", rounds, extra, **opts))
    busy = asyncio.run(phase("runaway", rounds, extra, **opts))
    report.update(
        open_sessions=args.open_sessions,
        quiet=quiet,
        runaway=busy,
        ratio=round(busy["median_s"] / quiet["median_s"], 2),
    )
    args.out.mkdir(parents=True, exist_ok=True)
    name = "concurrent-ask-open.json" if args.open_sessions else "concurrent-ask.json"
    (args.out / name).write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
