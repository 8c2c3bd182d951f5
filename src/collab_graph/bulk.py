"""Bulk work without the cyclic garbage collector scanning the heap over and over.

Building 100,000 notes creates millions of small, acyclic records (notes,
codes, attribute dicts). Python's cyclic collector runs every few hundred
allocations and, once older generations fill up, rescans everything that was
built so far, which makes bulk work grow faster than linearly
(``benchmarks/probe_gc.py``; ``docs/benchmarks.md``). :func:`paused_gc` switches
the collector off for the length of one bulk stage. Reference counting still
frees memory as usual; any cycles made meanwhile are collected as soon as the
collector is back on. The stage functions that build whole corpora
(:func:`collab_graph.ingest.parse.load`, :func:`collab_graph.coding.classifier.classify_results`,
:func:`collab_graph.graph.build.build_graph`, :func:`collab_graph.rdf.convert.to_rdf` and
:func:`~collab_graph.rdf.convert.to_graph`, the :mod:`collab_graph.rdf.fast` writers and the
graph cache's reader) run under it.

Examples
--------
>>> import gc
>>> was = gc.isenabled()
>>> with paused_gc():
...     records, during = [{"i": i} for i in range(3)], gc.isenabled()
>>> records, during, gc.isenabled() == was
([{'i': 0}, {'i': 1}, {'i': 2}], False, True)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Switch the cyclic garbage collector off inside the block (nesting is safe).

    The collector is switched back on afterwards only if it was on before, so
    nested stages and callers who disabled it themselves are left as they were.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
