"""Benchmark: what one Ask answer costs, in an open session, server and browser apart.

One ``collab-graph app`` server on the bundled workshop and headless Debian
Chromium (Playwright). For each of ``--sessions`` new browser contexts: open the
Ask page (front end loaded), wait until idle, then ask two barriers one after the
other by choosing them in the box (the first answer of a session also loads the
front end's table and markdown code; the second does not). For each answer:

* ``answer_s``: seconds from choosing the barrier to the ranked answer on screen
  (the ``Barrier: ...`` heading and "Supporting quotes", as in
  ``benchmarks/concurrent_ask.py``);
* ``server_cpu_s``: CPU seconds of the server process over the answer (and 1.2 s
  after, so that the answer is drawn in full);
* ``browser_cpu_s``: CPU seconds of every Chromium process and the Playwright
  driver over the same span;
* ``renderer_task_s`` / ``renderer_script_s``: the page's main-thread task and
  JavaScript time (Chrome DevTools Protocol ``Performance.getMetrics``);
* ``websocket_bytes``: bytes the page received from the server.

Prints JSON (and writes ``--out/ask-answer-cost.json``) with every answer and the
medians of first and second answers. One session at a time, so the numbers are
costs, not contention; ``benchmarks/concurrent_ask.py`` measures five at once.

usage: python benchmarks/ask_answer_cost.py [--sessions 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

METRICS = {"renderer_task_s": "TaskDuration", "renderer_script_s": "ScriptDuration"}


def metrics(cdp: Any) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def answer(
    page: Any, cdp: Any, barrier: str, server_pid: int, received: list[int]
) -> dict[str, Any]:
    """Choose ``barrier`` in the open page; the answer's time and costs (``received``: the
    sizes of the websocket frames the page has received so far, appended to as they come)."""
    from concurrent_ask import cpu_of_tree

    before = len(received)
    m0, server0, all0 = metrics(cdp), cpu_of_tree(server_pid), cpu_of_tree(os.getpid())
    box = page.get_by_role("combobox", name="Barrier", exact=True)
    t0 = time.perf_counter()
    box.click()
    box.fill(barrier)
    page.get_by_role("option", name=barrier, exact=True).first.click()
    page.get_by_text(f"Barrier: {barrier}").wait_for(timeout=120_000)
    page.get_by_text("Supporting quotes").first.wait_for(timeout=120_000)
    took = time.perf_counter() - t0
    time.sleep(1.2)  # the rest of the answer (graph, tables) is drawn
    m1 = metrics(cdp)
    server = cpu_of_tree(server_pid) - server0
    browser = cpu_of_tree(os.getpid()) - all0 - server
    return {
        "barrier": barrier,
        "answer_s": round(took, 3),
        "server_cpu_s": round(server, 3),
        "browser_cpu_s": round(browser, 3),
        **{k: round(m1.get(v, 0.0) - m0.get(v, 0.0), 3) for k, v in METRICS.items()},
        "websocket_bytes": sum(received[before:]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=4)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = ap.parse_args()
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    from concurrent_ask import barriers
    from playwright.sync_api import sync_playwright

    from app_harness import CHROMIUM_ARGS, AppServer, chromium_path

    labels = barriers()
    if len(labels) < 2 * args.sessions:
        raise SystemExit(f"only {len(labels)} barriers: use --sessions {len(labels) // 2}")
    runs: list[list[dict[str, Any]]] = []
    report: dict[str, Any] = {"cores": os.cpu_count(), "loadavg_before": os.getloadavg()}
    with AppServer() as server, sync_playwright() as pw:
        assert server.proc is not None
        browser = pw.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        warm = browser.new_page()  # the graph is built once, as after any first visit
        warm.goto(f"{server.url}/ask")
        warm.get_by_text("Which practices address a barrier?").wait_for(timeout=180_000)
        warm.close()
        for i in range(args.sessions):
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            received: list[int] = []
            page.on(
                "websocket",
                lambda ws, r=received: ws.on("framereceived", lambda f: r.append(len(f))),
            )
            page.goto(f"{server.url}/ask")
            page.get_by_role("combobox", name="Barrier", exact=True).wait_for(timeout=120_000)
            time.sleep(1.5)  # idle: the page is open
            pair = (labels[i], labels[args.sessions + i])
            runs.append([answer(page, cdp, b, server.proc.pid, received) for b in pair])
            context.close()
        browser.close()
    report["loadavg_after"] = os.getloadavg()
    report["answers"] = runs
    for n, which in ((0, "first_answer"), (1, "second_answer")):
        report[which + "_median"] = {
            k: round(statistics.median(r[n][k] for r in runs), 3)
            for k in ("answer_s", "server_cpu_s", "browser_cpu_s", *METRICS, "websocket_bytes")
        }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ask-answer-cost.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
