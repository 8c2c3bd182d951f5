"""Theme discovery on real notes: how much of what no theme covers do the suggestions cover?

usage: python benchmarks/themes_suggest.py [FOLDER] [--show N]

FOLDER holds ``docs/`` and ``gold/`` as ``../shared/real-notes/`` does (the default). Every
document is coded by the classifier (no reviews); each note then takes its gold kind (matched
by line; a note on a line with no gold row is left out). The practice, barrier and benefit
notes are the ones measured. The script prints:

* how many of them carry a theme of the default taxonomy;
* the suggestions for the others (count, sizes, labels);
* the same after every suggestion is accepted as it stands in a fresh workspace
  (:func:`collab_graph.review.curation.accept_suggestion`) and the documents are coded again:
  how many notes are still uncovered, as a share of the measured notes.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

from collab_graph import pipeline
from collab_graph.coding.discover import Suggestions, suggest_themes
from collab_graph.model import CodedNote, NoteKind
from collab_graph.review.curation import accept_suggestion
from collab_graph.workspace import Workspace

THEME_KINDS = {"practice", "barrier", "benefit"}


def gold_kinds(folder: Path) -> dict[tuple[str, int], str]:
    """(document stem, line) -> gold kind."""
    out = {}
    for path in sorted((folder / "gold").glob("*.csv")):
        if path.name.endswith(".structure.csv"):
            continue
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                out[path.stem, int(row["line"])] = row["kind"]
    return out


def coded_with_gold(
    docs: list[Path], ws: Workspace, gold: dict[tuple[str, int], str]
) -> list[CodedNote]:
    """The documents' practice, barrier and benefit notes (by gold kind), coded.

    The classifier gives a note it reads as a heading no theme; with its gold kind, such a
    note is read as content, so its themes are the taxonomy's matches for its text.
    """
    out = []
    tax = pipeline.vocabulary(ws).taxonomy
    for doc in docs:
        corpus = pipeline.Corpus([doc], workspace=ws, reviews=False)
        for cn in pipeline.code(corpus, cache=None).coded:
            kind = gold.get((doc.stem, cn.note.line))
            if kind not in THEME_KINDS:
                continue
            themes = cn.themes
            if cn.kind is NoteKind.HEADING:
                themes = tuple(t for t, _ in tax.match_themes(cn.note.text))[:3]
            out.append(replace(cn, kind=NoteKind(kind), themes=themes))
    return out


def report(title: str, coded: list[CodedNote], found: Suggestions, show: int) -> None:
    n = len(coded)
    themed = sum(1 for c in coded if c.themes)
    print(f"== {title}")
    print(f"practice/barrier/benefit notes: {n}; with a theme: {themed} ({themed / max(n, 1):.1%})")
    sizes = Counter(len(s.notes) for s in found.suggestions)
    print(
        f"suggestions: {len(found.suggestions)}; notes in them: "
        f"{sum(len(s.notes) for s in found.suggestions)}; sizes: {dict(sorted(sizes.items()))}"
    )
    by_kind = Counter(s.kind.value for s in found.suggestions)
    print(f"by kind: {dict(sorted(by_kind.items()))}")
    print(
        f"uncovered (no theme, no suggestion): {len(found.uncovered)} "
        f"({len(found.uncovered) / max(n, 1):.1%})"
    )
    for s in found.suggestions[:show]:
        closest = f"{s.closest.id} {s.closest.similarity:.2f}" if s.closest else "-"
        print(
            f"  [{s.kind.value}] {s.label!r} n={len(s.notes)} "
            f"kw={list(s.keywords)[:6]} closest={closest}"
        )
        for text in s.texts[:3]:
            print(f"      - {text[:100]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", default="../shared/real-notes")
    ap.add_argument("--show", type=int, default=8)
    args = ap.parse_args()
    folder = Path(args.folder)
    docs = sorted((folder / "docs").iterdir())
    gold = gold_kinds(folder)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "ws")
        coded = coded_with_gold(docs, ws, gold)
        found = suggest_themes(coded, pipeline.vocabulary(ws).taxonomy)
        report("default taxonomy", coded, found, args.show)
        for s in found.suggestions:
            accept_suggestion(ws, s, label=s.label, kind=s.kind, who="benchmark")
        after = coded_with_gold(docs, ws, gold)
        again = suggest_themes(after, pipeline.vocabulary(ws).taxonomy)
        report("after accepting every suggestion as it stands", after, again, args.show)
        left = [c for c in after if not c.themes]
        print("still without a theme:")
        for c in left:
            print(f"  {c.note.workshop} line {c.note.line} [{c.kind.value}]: {c.note.text[:110]}")


if __name__ == "__main__":
    main()
