"""Probe: parse → classify → graph → N-Triples with Python's cyclic GC on or off.

Usage: ``python benchmarks/probe_gc.py CORPUS_DIR on|off`` (one process per run).
Used for the GC paragraph of docs/benchmarks.md; not part of the benchmark.
"""

from __future__ import annotations

import gc
import io
import sys
import time
from pathlib import Path

from collab_graph import ingest
from collab_graph.coding import classifier as classify
from collab_graph.coding import taxonomy
from collab_graph.graph import build as graph
from collab_graph.graph import links
from collab_graph.rdf import fast as fastrdf


def main() -> None:
    """Time the four stages once and print them."""
    corpus, mode = Path(sys.argv[1]), sys.argv[2]
    paths = sorted(corpus.glob("workshop-*.txt"))
    if mode == "off":
        gc.disable()
    times: dict[str, float] = {}
    t = time.perf_counter()
    res = ingest.load(paths)
    times["parse"] = time.perf_counter() - t
    t = time.perf_counter()
    tax = taxonomy.load_taxonomy()
    coded = classify.classify_results(res, taxonomy=tax)
    times["classify"] = time.perf_counter() - t
    t = time.perf_counter()
    G = graph.build_graph(
        coded, [r.workshop for r in res], themes=tax.themes.values(), curated=links.load_curated()
    )
    times["graph"] = time.perf_counter() - t
    t = time.perf_counter()
    fastrdf.write_ntriples(G, io.StringIO())
    times["nt"] = time.perf_counter() - t
    rounded = {k: round(v, 2) for k, v in times.items()}
    print(len(paths), "files", mode, rounded, "total", round(sum(times.values()), 2))


if __name__ == "__main__":
    main()
