"""Probe: where ``query.practices_for`` spends its time on one corpus.

Usage: ``python benchmarks/probe_practices.py CORPUS_DIR``. Prints the cost of
``G.number_of_edges()`` (the query index's old fingerprint), ``resolve_barrier``
alone, ``practices_for`` by free text (all quotes, and ``max_quotes=20`` as the
app asks) and by barrier id, and the size of one answer. Used for the
practices_for paragraphs of docs/benchmarks.md.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contextlib

import synth

from collab_graph import pipeline
from collab_graph.graph import query


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[round(p / 100 * (len(values) - 1))]


def main() -> None:
    """Build the graph once, then time the parts of practices_for."""
    G = pipeline.graph(
        pipeline.Corpus(sorted(Path(sys.argv[1]).glob("workshop-*.txt"))), cache=None
    )
    qs = synth.barrier_queries(200)
    t = time.perf_counter()
    G.number_of_edges()
    print("G.number_of_edges() ms", round((time.perf_counter() - t) * 1000, 1))
    total, resolve, ids = [], [], []
    for q in qs:
        t = time.perf_counter()
        with contextlib.suppress(LookupError):
            query.practices_for(G, q)
        total.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        with contextlib.suppress(LookupError):
            ids.append(query.resolve_barrier(G, q).id)
        resolve.append((time.perf_counter() - t) * 1000)
    print("practices_for p50/p95 ms", round(_pct(total, 50), 1), round(_pct(total, 95), 1))
    capped = []
    for q in qs:
        t = time.perf_counter()
        with contextlib.suppress(LookupError):
            query.practices_for(G, q, max_quotes=20)
        capped.append((time.perf_counter() - t) * 1000)
    print(
        "practices_for max_quotes=20 p50/p95 ms",
        round(_pct(capped, 50), 2),
        round(_pct(capped, 95), 2),
    )
    print("resolve_barrier p50/p95 ms", round(_pct(resolve, 50), 1), round(_pct(resolve, 95), 1))
    by_id = []
    for b in sorted(set(ids)):
        t = time.perf_counter()
        query.practices_for(G, b)
        by_id.append((time.perf_counter() - t) * 1000)
    print("practices_for by id p50 ms", round(_pct(by_id, 50), 1))
    answer = query.practices_for(G, ids[0])
    quotes = len(answer["barrier"]["evidence"]) + sum(
        len(p["evidence"]) for p in answer["practices"]
    )
    print("quotes in one answer", quotes, "JSON bytes", len(json.dumps(answer)))


if __name__ == "__main__":
    main()
