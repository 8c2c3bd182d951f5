"""Load time of a graph cache entry: the old unsigned pickle, the signed entry, JSON node-link.

Builds the graph of a synthetic corpus (``benchmarks/synth.py``) once, then times
(best of ``--repeat``) reading it back three ways:

* ``pickle``: ``pickle.loads`` of the entry's bytes (the cache before entries were signed);
* ``signed``: :meth:`collab_graph.cache.DiskCache.get` (read, check the HMAC, unpickle);
* ``json``: ``json.loads`` + ``networkx.node_link_graph``, a format that cannot run code.

Usage::

    python benchmarks/cache_format.py --notes 10000
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from collab_graph import pipeline
from collab_graph.bulk import paused_gc
from collab_graph.cache import DiskCache

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import write_corpus


def best(fn: Callable[[], object], repeat: int) -> float:
    out = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    paths = write_corpus(args.notes, tmp / "notes", seed=1)
    corpus = pipeline.Corpus(paths)
    G = pipeline.graph(corpus, cache=None)
    store = DiskCache(tmp / "cache")
    key = pipeline.keys(corpus).graph
    store.put("graph", key, (G, []))
    raw = pickle.dumps((4, "graph", key, (G, [])), protocol=pickle.HIGHEST_PROTOCOL)
    text = json.dumps(nx.node_link_data(G, edges="links"), default=str)

    def read_pickle() -> object:
        with paused_gc():
            return pickle.loads(raw)

    def read_json() -> object:
        with paused_gc():
            return nx.node_link_graph(
                json.loads(text), directed=True, multigraph=True, edges="links"
            )

    assert store.get("graph", key) is not None
    row = {
        "notes": args.notes,
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "entry_mb": round(store.entry("graph", key).stat().st_size / 1e6, 1),
        "json_mb": round(len(text) / 1e6, 1),
        "pickle_s": round(best(read_pickle, args.repeat), 4),
        "signed_s": round(best(lambda: store.get("graph", key), args.repeat), 4),
        "json_s": round(best(read_json, args.repeat), 4),
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(row))


if __name__ == "__main__":
    main()
