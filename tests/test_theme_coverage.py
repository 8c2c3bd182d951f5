"""Theme coverage on real notes no one here wrote (the development set, copied in tests/data).

The nine documents and their gold kinds are in ``tests/data/real-notes`` (attribution in its
README.md). These are the documents the taxonomy was developed on, so this is a development
figure and a guard against regressions, not a measure of how the taxonomy generalises.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = Path(__file__).parent / "data" / "real-notes"


def _quality():
    spec = importlib.util.spec_from_file_location(
        "theme_quality", ROOT / "benchmarks" / "theme_quality.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_most_practice_barrier_and_benefit_notes_carry_a_theme() -> None:
    quality = _quality()
    notes = quality.tagged_notes(REAL)
    n, share, _ = quality.coverage(notes)
    assert n >= 400  # every gold practice, barrier and benefit note was matched by line
    assert share >= 0.80


def test_the_precision_sample_is_fixed_by_its_seed() -> None:
    quality = _quality()
    notes = quality.tagged_notes(REAL)
    first = quality.sample(notes, 60, 14)
    assert len(first) == 60
    assert all(x.themes for x in first)
    assert quality.sample(notes, 60, 14) == first
    assert quality.sample(notes, 60, 15) != first
