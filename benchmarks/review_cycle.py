"""Benchmark: what an analyst's review costs on a large corpus, on the command line and in the app.

Measures, on a synthetic corpus (``benchmarks/synth.py``, default 20,000 notes):

* ``cold``: ``collab-graph practices`` with an empty cache (parse, code, review,
  graph, answer), in a fresh process;
* ``hit``: the same command again (graph read from the cache);
* ``after_review``: ``collab-graph review NOTE`` then ``collab-graph practices``
  (only the review and graph stages run: the coded notes come from the cache);
* with ``--browser``: in the app in headless Chromium, from clicking *Save
  review* on the Notes page to the page showing the saved review (the graph
  rebuilt with it).

Each CLI figure is the median of ``--repeat`` runs, each with its own empty
cache and workspace. Results are printed as JSON (and written to
``--out/review-cycle.json``). Nothing here is a test: targets are checked by
reading the numbers (``docs/benchmarks.md``).

usage: python benchmarks/review_cycle.py [--notes 20000] [--repeat 3] [--browser]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

BARRIER = "day job no time"


def _cli() -> list[str]:
    exe = shutil.which("collab-graph")
    return [exe] if exe else [sys.executable, "-m", "collab_graph"]


def _settle(cache: Path, timeout: float = 30.0) -> None:
    """Wait until the cache writes a command left to its child process are done.

    A command answers first and writes the cache afterwards; a person does not
    type the next command within that second, so neither does the benchmark.
    """
    deadline = time.perf_counter() + timeout
    last: list[tuple[str, int]] = []
    while time.perf_counter() < deadline:
        now = sorted((p.name, p.stat().st_size) for p in cache.glob("*")) if cache.is_dir() else []
        if now == last and not any(name.startswith(".tmp-") for name, _ in now):
            return
        last = now
        time.sleep(0.25)


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])}... failed: {proc.stderr[-2000:]}")
    _settle(Path(env["COLLAB_GRAPH_CACHE"]))
    return took


def corpus(notes: int, out: Path) -> list[Path]:
    """The synthetic corpus of ``notes`` notes (made once, then reused)."""
    folder = out / f"corpus-{notes}"
    files = sorted(folder.glob("*.txt"))
    if not files:
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "synth.py"),
                "--notes",
                str(notes),
                "--seed",
                "1",
                "--out",
                str(folder),
            ],
            check=True,
        )
        files = sorted(folder.glob("*.txt"))
    return files


def note_ids(files: list[Path], count: int) -> list[str]:
    """Ids of ``count`` notes of the first workshop file, to review one by one."""
    from collab_graph.ingest import parse_file

    notes = parse_file(files[0]).notes
    return [n.id for n in notes[:: max(1, len(notes) // count)][:count]]


def measure_cli(files: list[Path], repeat: int) -> dict[str, Any]:
    cold, hit, after = [], [], []
    ids = note_ids(files, repeat)
    paths = [str(f) for f in files]
    for i in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "COLLAB_GRAPH_CACHE": str(Path(tmp) / "cache"),
                "COLLAB_GRAPH_WORKSPACE": str(Path(tmp) / "ws"),
            }
            practices = [*_cli(), "practices", BARRIER, *paths, "--format", "json"]
            cold.append(_timed(practices, env))
            hit.append(_timed(practices, env))
            review = [
                *_cli(),
                "review",
                ids[i],
                *paths,
                "--workshop",
                files[0].stem,
                "--kind",
                "context",
                "--reason",
                f"benchmark review {i}",
            ]
            _timed(review, env)
            after.append(_timed(practices, env))
    med = {
        name: statistics.median(v)
        for name, v in (("cold", cold), ("hit", hit), ("after_review", after))
    }
    return {
        "runs": {"cold": cold, "hit": hit, "after_review": after},
        "median_s": {k: round(v, 3) for k, v in med.items()},
        "after_review_over_cold": round(med["after_review"] / med["cold"], 3),
    }


def measure_app(files: list[Path], repeat: int) -> dict[str, Any]:
    import app_harness as h

    ids = note_ids(files, repeat)

    saves: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "COLLAB_GRAPH_CACHE": str(Path(tmp) / "cache"),
            "COLLAB_GRAPH_WORKSPACE": str(Path(tmp) / "ws"),
        }
        with h.browser() as b:
            page = b.new_page(viewport={"width": 1440, "height": 900})
            with h.AppServer(paths=files, env=env) as server:
                page.goto(f"{server.url}/notes", wait_until="domcontentloaded")
                page.get_by_text("Review a note").wait_for(timeout=600_000)
                for i in range(repeat):
                    # a different note each time: type its id into the note picker
                    picker = page.get_by_role("combobox", name="Note")
                    picker.click()
                    page.keyboard.type(f"{ids[i]}: ")
                    page.keyboard.press("Enter")
                    page.get_by_label("Reason (required)").wait_for(timeout=60_000)
                    page.wait_for_timeout(1000)
                    page.get_by_label("Reason (required)").fill(f"benchmark review {i}")
                    button = page.get_by_role("button", name="Save review")
                    t0 = time.perf_counter()
                    button.click()
                    done = f"({i + 1} review{'s' * (i != 0)} in your workspace)"
                    page.get_by_text(done).wait_for(timeout=120_000)
                    saves.append(time.perf_counter() - t0)
                    page.wait_for_timeout(2000)  # an analyst reads the page before the next review
    return {"runs": saves, "median_s": round(statistics.median(saves), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--browser", action="store_true", help="also time a review saved in the app")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    files = corpus(a.notes, a.out)
    result: dict[str, Any] = {"notes": a.notes, "files": len(files), "repeat": a.repeat}
    result["cli"] = measure_cli(files, a.repeat)
    if a.browser:
        result["app_save_review"] = measure_app(files, a.repeat)
    (a.out / "review-cycle.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
