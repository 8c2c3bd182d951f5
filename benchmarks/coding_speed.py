"""Coding 100k notes (kinds, themes, organisations): this checkout against a baseline.

Issue 12 asks that coding 100k notes, themes included, take a median of three runs no
more than 1.1x the previous classifier's. The baseline is another checkout installed in
its own virtual environment, e.g. the commit before the learned model::

    git worktree add /tmp/cg-base 38681cf
    python -m venv /tmp/cg-base/.venv && /tmp/cg-base/.venv/bin/pip install -e /tmp/cg-base
    python benchmarks/synth.py --notes 100000 --seed 1 --out /tmp/c100k
    python benchmarks/coding_speed.py /tmp/c100k --baseline /tmp/cg-base/.venv/bin/python

Each run is a fresh process that parses the corpus, then times ``classify_results``
alone (wall clock and CPU time). Runs alternate baseline / this checkout, so a busy
machine slows both alike; the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

_RUN = """
import glob, json, sys, time
from collab_graph.ingest import load
from collab_graph.coding.classifier import classify_results
results = load(sorted(glob.glob(sys.argv[1] + "/*.txt")))
notes = sum(len(r.notes) for r in results)
wall, cpu = time.perf_counter(), time.process_time()
coded = classify_results(results)
print(json.dumps({"notes": notes, "coded": len(coded),
                  "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}))
"""


def _once(python: str, corpus: Path) -> dict[str, float]:
    out = subprocess.run(
        [python, "-c", _RUN, str(corpus)], check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, help="folder of .txt workshops (benchmarks/synth.py)")
    ap.add_argument("--baseline", required=True, help="python of the baseline checkout's venv")
    ap.add_argument("--python", default=sys.executable, help="python of this checkout")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"baseline": [], "this": []}
    for i in range(args.repeat):
        for name, python in (("baseline", args.baseline), ("this", args.python)):
            r = _once(python, args.corpus)
            runs[name].append(r)
            print(
                f"run {i + 1} {name:8s} notes {int(r['notes'])} wall {r['wall']:.2f} s "
                f"cpu {r['cpu']:.2f} s (load {os.getloadavg()[0]:.2f})",
                flush=True,
            )
    med = {
        name: {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu")}
        for name, rs in runs.items()
    }
    for k in ("wall", "cpu"):
        ratio = med["this"][k] / med["baseline"][k]
        print(
            f"median {k}: baseline {med['baseline'][k]:.2f} s, this {med['this'][k]:.2f} s, "
            f"ratio {ratio:.2f}"
        )


if __name__ == "__main__":
    main()
