"""Benchmark: retraining the kind model on an analyst's reviews, as the app's Notes page does.

Makes a workspace whose ``reviews.csv`` holds ``--reviews`` synthetic reviews:
notes of a synthetic corpus (``benchmarks/synth.py``), each labelled with the
kind of the phrase bank its text was drawn from and stored with its context, as
the app stores a review. Together with the bundled labelled sets (about 2,900
examples) that makes about 5,000 labelled notes with the default 2,200.

Then, ``--repeat`` times, each in a fresh Python process (nothing cached,
imports included in the process but not in the figure), it times what the
*Retrain* button runs: read the reviews, compare before and after with
``K``-fold cross-validation (:func:`collab_graph.coding.retrain.compare`), and
fit and calibrate the final model (:func:`collab_graph.coding.retrain.fit_final`).
It prints JSON with every run and the medians and, with ``--doc``, rewrites its
own section of ``docs/benchmarks.md`` (between the ``retrain-benchmark``
markers; the rest of the file is left alone).

Nothing here is a test: the target (under 30 s for 5,000 labelled notes) is
checked by reading the numbers.

usage: python benchmarks/retrain.py [--reviews 2200] [--repeat 3] [--doc docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

BEGIN = "<!-- retrain-benchmark: begin (written by benchmarks/retrain.py) -->"
END = "<!-- retrain-benchmark: end -->"


def labelled_corpus(notes: int, seed: int) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """A synthetic corpus and the kind of each bullet text (the bank it was drawn from)."""
    import synth

    kinds: dict[str, str] = {}
    plain = synth._sentence

    def recording(rng: Any, kind: str) -> str:
        text = plain(rng, kind)
        kinds[" ".join(text.split())] = kind
        return text

    synth._sentence = recording  # type: ignore[assignment]  # draws nothing from rng
    try:
        files = synth.generate(notes, seed=seed)
    finally:
        synth._sentence = plain  # type: ignore[assignment]
    return files, kinds


def make_workspace(folder: Path, reviews: int, seed: int) -> dict[str, Any]:
    """Write the synthetic corpus and a workspace whose reviews label its notes."""
    from collab_graph.coding.classifier import Classifier
    from collab_graph.coding.features import NoteContext
    from collab_graph.ingest import parse_file
    from collab_graph.review.reviews import REVIEW_FIELDS, Review
    from collab_graph.workspace import Workspace

    files, kinds = labelled_corpus(reviews, seed)
    notes_dir = folder / "notes"
    notes_dir.mkdir(parents=True, exist_ok=True)
    clf = Classifier()
    rows = []
    for name, text in files:
        path = notes_dir / name
        path.write_text(text, encoding="utf-8")
        result = parse_file(path)
        for note, ctx in clf.contexts(result.notes, result.workshop):
            kind = kinds.get(" ".join(note.text.split()))
            if kind is None or not isinstance(ctx, NoteContext):
                continue  # a sub-heading bullet
            review = Review.of(
                note,
                kind=kind,
                reason="benchmark: the kind of the synthetic phrase",
                reviewer="benchmarks/retrain.py",
                date="2026-01-01T00:00:00+00:00",
                context=ctx.to_json(),
            )
            rows.append(review.row())
    ws = Workspace(folder / "workspace")
    ws.update("reviews.csv", lambda _: rows, header=REVIEW_FIELDS)
    return {"workspace": str(ws.root), "files": len(files), "reviews": len(rows)}


def child(workspace: str, folds: int) -> dict[str, Any]:
    """One timed retrain in this (fresh) process; imports are done before the clock starts."""
    from collab_graph import pipeline
    from collab_graph.coding import retrain
    from collab_graph.workspace import Workspace

    with retrain.one_thread():  # imports scikit-learn, as the app has by then
        pass
    start = time.perf_counter()
    examples = pipeline.review_examples(Workspace(workspace))
    read = time.perf_counter() - start
    result = retrain.retrain(examples, folds=folds)
    total = time.perf_counter() - start
    c = result.comparison
    return {
        "seconds": round(total, 2),
        "read_reviews_s": round(read, 2),
        "compare_s": c.seconds,
        "final_model_s": round(total - read - c.seconds, 2),
        "reviews": len(examples),
        "labelled_examples": result.model.meta["examples"],
        "before": round(c.before, 4),
        "after": round(c.after, 4),
        "folds": c.folds,
        "by": c.by,
        "gained": len(c.gained),
        "lost": len(c.lost),
    }


def section(report: dict[str, Any]) -> str:
    """The Markdown section of ``docs/benchmarks.md``."""
    runs = report["runs"]
    m = report["median"]
    lines = [
        BEGIN,
        "## Retraining from reviews (`benchmarks/retrain.py`)",
        "",
        "What the Notes page's *Retrain* button runs (and `collab-graph train --reviews`): "
        "read the workspace's reviews, compare accuracy on the reviewed notes before and "
        f"after with {m['folds']}-fold cross-validation (folds by {m['by']}), then fit and "
        "calibrate the final model (`train.train`: once per left-out workshop, then on "
        "everything). Reviews: notes of a synthetic corpus (`benchmarks/synth.py`) "
        "labelled with the kind of the phrase bank they were drawn from, stored with "
        "their context as the app stores them.",
        "",
        f"- labelled notes: **{m['labelled_examples']:,}** "
        f"({m['reviews']:,} reviews + the bundled labelled sets)",
        f"- machine: {report['machine']}; {report['repeat']} runs, each in a fresh process "
        "(imports not timed)",
        "",
        "| | median s | runs (s) |",
        "|---|---:|---|",
    ]
    for key, label in (
        ("seconds", "**retrain, all of it**"),
        ("read_reviews_s", "read the reviews (features from their context)"),
        ("compare_s", f"before/after, {m['folds']} folds"),
        ("final_model_s", "final model, calibrated"),
    ):
        lines.append(f"| {label} | {m[key]:.1f} | {', '.join(f'{r[key]:.1f}' for r in runs)} |")
    lines += [
        "",
        f"Target: under 30 s. Before/after on these synthetic reviews: {m['before']:.1%} → "
        f"{m['after']:.1%} ({m['gained']} notes gained, {m['lost']} lost); synthetic notes are "
        "far more regular than real ones, so this says little about real gains "
        "(see docs/coding.md, *Retraining from reviews*).",
        "",
        "Training runs on one BLAS thread (`retrain.one_thread`): with scikit-learn's default "
        "threads, one fit of the bundled 2,900 examples took 14.5 s here, and 1.0 s on one "
        "thread, with the same weights.",
        END,
    ]
    return "\n".join(lines)


def write_section(doc: Path, text: str) -> None:
    """Replace this benchmark's section of ``doc`` (or append it), leaving the rest alone."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if BEGIN in old and END in old:
        head, _, rest = old.partition(BEGIN)
        _, _, tail = rest.partition(END)
        new = head + text + tail
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    doc.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=2200, help="synthetic notes to review")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--doc", type=Path, help="rewrite this file's retrain section")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.folds)))
        return 0
    with tempfile.TemporaryDirectory(prefix="collab-graph-retrain-") as tmp:
        made = make_workspace(Path(tmp), args.reviews, args.seed)
        print(f"workspace: {made}", file=sys.stderr)
        runs = []
        for i in range(args.repeat):
            env = {**os.environ, "COLLAB_GRAPH_CACHE": str(Path(tmp) / f"cache{i}")}
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    made["workspace"],
                    "--folds",
                    str(args.folds),
                ],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"run {i + 1}: {runs[-1]}", file=sys.stderr)
    median = dict(runs[0])
    for key in ("seconds", "read_reviews_s", "compare_s", "final_model_s"):
        median[key] = round(statistics.median(r[key] for r in runs), 2)
    load = os.getloadavg()[0]
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average {load:.1f} at the end (other work on the "
        "machine slows every figure)",
        "repeat": args.repeat,
        "runs": runs,
        "median": median,
    }
    print(json.dumps(report, indent=2))
    if args.doc:
        write_section(args.doc, section(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
