"""Measure the practice → barrier links: how many barriers get one, and what it costs.

Two measurements, each printed as JSON; neither asserts anything:

``coverage [PATHS...]``
    On the given notes (default: the nine real documents in
    ``../shared/real-notes/docs``), the barrier themes raised by some note and
    how many of them get at least one practice linked *by evidence* (an
    ``addresses`` link with an explicit pairing or a same-block co-occurrence
    in some unit), plus the number of such links and of curated links.
    It reads only the graph's ``addresses`` edge attributes, so the same script
    measures older code too (run it with that code's Python).

``speed [--notes N] [--repeat R] [--queries Q]``
    On the synthetic corpus of ``benchmarks/synth.py`` (coded once), the time
    to build the graph (median of ``R`` builds) and the ``practices_for``
    latency (p50, p95 over ``Q`` free-text queries), for the corpus as it is
    (grouped) and for the same notes with their groups turned into sections
    (``group`` None, a heading per group in ``scope``), which exercises the
    section units of notes without groups.

usage: python benchmarks/theme_links.py coverage [PATHS...]
       python benchmarks/theme_links.py speed [--notes 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

REAL_DOCS = ROOT.parent.parent / "shared" / "real-notes" / "docs"
"""The nine real documents (``/work/shared/real-notes/docs`` next to the worktrees)."""


def coverage(paths: Sequence[Path]) -> dict[str, Any]:
    """Barrier themes raised, and those with at least one evidence-linked practice."""
    from collab_graph import pipeline

    G = pipeline.graph(pipeline.Corpus(list(paths)), cache=None)
    raised, linked = set(), set()
    evidence_links = curated_links = both = 0
    for n, d in G.nodes(data=True):
        if d.get("kind") == "barrier" and any("about" in keyed for keyed in G.pred[n].values()):
            raised.add(n)
    for _, v, k, d in G.edges(keys=True, data=True):
        if k != "addresses":
            continue
        local = bool(d.get("explicit_groups") or d.get("block_groups"))
        curated_links += bool(d.get("curated"))
        if local:
            evidence_links += 1
            both += bool(d.get("curated"))
            linked.add(v)
    return {
        "documents": len(paths),
        "notes": sum(1 for _, d in G.nodes(data=True) if d.get("kind") == "note"),
        "barrier_themes": sum(1 for _, d in G.nodes(data=True) if d.get("kind") == "barrier"),
        "barrier_themes_raised": len(raised),
        "raised_with_an_evidence_link": len(raised & linked),
        "evidence_links": evidence_links,
        "evidence_links_also_curated": both,
        "curated_links": curated_links,
    }


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[round(p / 100 * (len(values) - 1))]


def _sectioned(coded: Sequence[Any]) -> list[Any]:
    """The same notes with each group turned into a section heading (no group numbers)."""
    from collab_graph.model import Scope

    out = []
    for cn in coded:
        n = cn.note
        if n.group is None:
            out.append(cn)
            continue
        heading = Scope(n.group, f"Table {n.group}", "heading")
        note = replace(n, group=None, scope=(*n.scope, heading))
        out.append(replace(cn, note=note))
    return out


def speed(notes: int, repeat: int, queries: int) -> dict[str, Any]:
    """Graph build time and practices_for latency on a synthetic corpus."""
    import run
    import synth

    from collab_graph import pipeline
    from collab_graph.graph import query
    from collab_graph.graph.build import build_graph
    from collab_graph.graph.links import load_curated

    corpus_dir = run.ensure_corpus(HERE / "out", notes, 1)
    corpus = pipeline.Corpus(run.corpus_paths(corpus_dir))
    coded = pipeline.code(corpus, cache=None)
    vocab = pipeline.vocabulary(None)
    curated = load_curated()
    workshops = [r.workshop for r in coded.results]
    qs = synth.barrier_queries(queries)
    out: dict[str, Any] = {"notes": len(coded.coded)}
    for name, notes_in in (("grouped", list(coded.coded)), ("sections", None)):
        if notes_in is None:
            notes_in = _sectioned(coded.coded)
        builds = []
        G = None
        for _ in range(repeat):
            G = None
            t = time.perf_counter()
            G = build_graph(
                notes_in, workshops, themes=vocab.taxonomy.themes.values(), curated=curated
            )
            builds.append(time.perf_counter() - t)
        assert G is not None
        lat = []
        for q in qs:
            t = time.perf_counter()
            with contextlib.suppress(LookupError):
                query.practices_for(G, q)
            lat.append((time.perf_counter() - t) * 1000)
        out[name] = {
            "build_s": [round(b, 3) for b in builds],
            "build_median_s": round(statistics.median(builds), 3),
            "practices_for_p50_ms": round(_pct(lat, 50), 3),
            "practices_for_p95_ms": round(_pct(lat, 95), 3),
        }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run one measurement and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    cov = sub.add_parser("coverage", help="barriers with an evidence-linked practice")
    cov.add_argument("paths", nargs="*", type=Path)
    spd = sub.add_parser("speed", help="graph build time and practices_for latency")
    spd.add_argument("--notes", type=int, default=100_000)
    spd.add_argument("--repeat", type=int, default=3)
    spd.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    if args.what == "coverage":
        paths = args.paths or sorted(REAL_DOCS.glob("*.md"))
        result = coverage(paths)
    else:
        result = speed(args.notes, args.repeat, args.queries)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
