"""Theme coverage and a fixed-seed precision sample on real notes with gold kinds.

Reads a folder laid out like ``shared/real-notes`` (``docs/*.md`` and ``gold/<stem>.csv``
with ``line`` and ``kind`` columns), codes each document with the default taxonomy and
joins the coded notes to the gold rows by source line::

    python benchmarks/theme_quality.py tests/data/real-notes
    python benchmarks/theme_quality.py tests/data/real-notes --sample 60 --seed 14 --out s.csv

It prints the share of gold practice, barrier and benefit notes that carry a theme (any
theme, and one of the gold kind), and with ``--sample`` writes a CSV of randomly drawn
tagged notes (any gold kind but heading) to judge by hand: is the first theme right?
These documents are the development set, so the figures are development figures.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from collab_graph.coding.classifier import classify_results
from collab_graph.ingest import parse_file

#: The gold kinds whose notes should reach the barrier -> practice graph.
THEMED_KINDS = ("practice", "barrier", "benefit")


@dataclass(frozen=True)
class Tagged:
    """One gold note line with what the coding gave it."""

    doc: str
    line: int
    gold_kind: str
    text: str
    themes: tuple[str, ...]
    theme_kinds: tuple[str, ...]


def tagged_notes(root: Path) -> list[Tagged]:
    """Every gold note line of the documents under ``root`` that the parser made a note of."""
    out: list[Tagged] = []
    for doc in sorted((root / "docs").glob("*.md")):
        with (root / "gold" / f"{doc.stem}.csv").open(encoding="utf-8", newline="") as f:
            gold = {int(r["line"]): r for r in csv.DictReader(f)}
        for c in classify_results([parse_file(doc)]):
            row = gold.get(c.note.line)
            if row is None or row["kind"] == "heading":
                continue
            out.append(
                Tagged(
                    doc.stem,
                    c.note.line,
                    row["kind"],
                    c.note.text,
                    tuple(t.id for t in c.themes),
                    tuple(t.kind.value for t in c.themes),
                )
            )
    return out


def coverage(notes: list[Tagged]) -> tuple[int, float, float]:
    """(gold practice/barrier/benefit notes, share with any theme, share with one of their kind)."""
    themed = [n for n in notes if n.gold_kind in THEMED_KINDS]
    if not themed:
        return 0, 0.0, 0.0
    anyt = sum(bool(n.themes) for n in themed) / len(themed)
    same = sum(n.gold_kind in n.theme_kinds for n in themed) / len(themed)
    return len(themed), anyt, same


def sample(notes: list[Tagged], k: int, seed: int) -> list[Tagged]:
    """``k`` tagged notes drawn with ``random.Random(seed)``, in document order."""
    pool = [n for n in notes if n.themes]
    picked = random.Random(seed).sample(pool, min(k, len(pool)))
    return sorted(picked, key=lambda n: (n.doc, n.line))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", type=Path, help="folder with docs/ and gold/")
    ap.add_argument("--sample", type=int, default=0, help="how many tagged notes to draw")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--out", type=Path, help="CSV for the sample (default: stdout)")
    args = ap.parse_args(argv)
    notes = tagged_notes(args.root)
    n, anyt, same = coverage(notes)
    print(f"gold practice/barrier/benefit notes: {n}")
    print(f"  carry a theme: {anyt:.3f}; carry a theme of their gold kind: {same:.3f}")
    for kind in THEMED_KINDS:
        k_n, k_any, _ = coverage([x for x in notes if x.gold_kind == kind])
        print(f"  {kind}: {k_n} notes, {k_any:.3f} carry a theme")
    if args.sample:
        f = args.out.open("w", encoding="utf-8", newline="") if args.out else sys.stdout
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["doc", "line", "gold_kind", "first_theme", "themes", "text"])
        for x in sample(notes, args.sample, args.seed):
            first = x.themes[0]
            w.writerow([x.doc, x.line, x.gold_kind, first, ";".join(x.themes), x.text])
        if args.out:
            f.close()


if __name__ == "__main__":
    main()
