"""Choose and check the free-text matcher's threshold on labelled questions.

A labelled question is an everyday sentence with the barrier ids that would be
a right answer, or none when no barrier should match (off-topic or too vague).
The questions are split in two halves by a fixed seed, class by class; the
threshold is chosen on one half (:func:`choose_threshold`) and judged on the
other (:func:`precision_recall`), so the figures reported for it are not the
figures it was fitted to.

Examples
--------
>>> qs = [
...     Judged("no cash", frozenset({"b_money"}), "b_money", 0.4),
...     Judged("my cat", frozenset(), "b_money", 0.05),
...     Judged("no time", frozenset({"b_time"}), "b_time", 0.2),
... ]
>>> choose_threshold(qs)
0.125
>>> precision_recall(qs, 0.125)
(1.0, 1.0)
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

from collab_graph.errors import DataFileError

__all__ = [
    "SPLIT_SEED",
    "Judged",
    "Question",
    "choose_threshold",
    "precision_recall",
    "read_questions",
    "split_halves",
]

_T = TypeVar("_T", "Question", "Judged")

SPLIT_SEED = 15
"""Seed of the split of the labelled questions into a tuning and a held-back half."""


@dataclass(frozen=True, slots=True)
class Question:
    """A labelled question: its text and the acceptable barrier ids (empty: none should match)."""

    text: str
    acceptable: frozenset[str]


@dataclass(frozen=True, slots=True)
class Judged:
    """A labelled question with the matcher's closest barrier and its similarity (0-1)."""

    text: str
    acceptable: frozenset[str]
    best: str | None
    similarity: float


def read_questions(path: Path) -> list[Question]:
    """Read ``question, should_match, acceptable, note`` rows (``acceptable``: ids split by ``;``).

    Raises
    ------
    DataFileError
        When a column is missing, or ``should_match`` disagrees with ``acceptable``.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"question", "should_match", "acceptable"} - set(reader.fieldnames or [])
        if missing:
            raise DataFileError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        out = []
        for line, row in enumerate(reader, start=2):
            ids = frozenset(t.strip() for t in row["acceptable"].split(";") if t.strip())
            if (row["should_match"].strip() == "yes") != bool(ids):
                raise DataFileError(
                    f"{path}, line {line}: should_match is {row['should_match']!r} but "
                    f"acceptable is {row['acceptable']!r}; list ids exactly when it is 'yes'"
                )
            out.append(Question(row["question"].strip(), ids))
    return out


def split_halves(items: Sequence[_T], seed: int = SPLIT_SEED) -> tuple[list[_T], list[_T]]:
    """Split into a tuning half and a held-back half, shuffling each class by ``seed``.

    Questions that should match and questions that should not are halved
    separately, so both halves hold as many of each (give or take one).

    Examples
    --------
    >>> qs = [Question(str(i), frozenset({"b"} if i % 2 else set())) for i in range(8)]
    >>> tune, test = split_halves(qs)
    >>> len(tune), len(test), sorted(q.text for q in tune + test) == sorted(q.text for q in qs)
    (4, 4, True)
    """
    rng = random.Random(seed)
    tune: list[_T] = []
    test: list[_T] = []
    for cls in (True, False):
        members = [q for q in items if bool(q.acceptable) is cls]
        rng.shuffle(members)
        half = (len(members) + 1) // 2
        tune += members[:half]
        test += members[half:]
    return tune, test


def precision_recall(judged: Sequence[Judged], threshold: float) -> tuple[float, float]:
    """Precision and recall of answering with the closest barrier when it reaches ``threshold``.

    An answer is right when its barrier is acceptable; any answer to a question
    that should match nothing is wrong. Precision is right answers over answers
    (1.0 when nothing is answered), recall is right answers over questions that
    should match (1.0 when there are none).
    """
    answered = [j for j in judged if j.best is not None and j.similarity >= threshold]
    right = sum(j.best in j.acceptable for j in answered)
    should = sum(bool(j.acceptable) for j in judged)
    precision = right / len(answered) if answered else 1.0
    recall = right / should if should else 1.0
    return precision, recall


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def choose_threshold(judged: Sequence[Judged]) -> float:
    """The threshold with the best F1 on ``judged``, halfway between two observed similarities.

    Candidates lie halfway between consecutive distinct similarities. Ties go to
    the higher threshold: a wrong barrier misleads more than an honest "no
    match" with the closest barriers to pick from. The result is rounded to
    three decimals.
    """
    sims = sorted({round(j.similarity, 6) for j in judged})
    candidates = [(a + b) / 2 for a, b in pairwise(sims)] or [0.0]
    best = max(candidates, key=lambda t: (round(_f1(*precision_recall(judged, t)), 9), t))
    return round(best, 3)
