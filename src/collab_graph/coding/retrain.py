"""Retrain the kind model on the analyst's reviews, and say honestly what it gains.

An analyst's review of a note (its kind, with the note's text and context, see
:func:`collab_graph.coding.train.review_examples`) is a labelled example like
those of the bundled training sets. Before a retrained model replaces the one
in use, :func:`compare` measures it on the reviewed notes themselves, so that
**no note is scored by a model trained on it**:

* **before**: a model trained on the bundled labelled sets alone (never on a
  review, and without the bundled labels of the reviewed notes, see
  :func:`~collab_graph.coding.train.superseded`) codes every reviewed note;
* **after**: the reviews are split into ``K`` folds (:func:`plan_folds`): by
  workshop when the reviews span at least ``K`` workshops, so that a workshop's
  notes are never scored by a model that saw its other notes, else over notes
  (stratified by kind). Each fold's notes are coded by a model trained on the
  bundled sets plus the *other* folds' reviews.

Both codings use the whole classifier (abstaining, metadata rule), as the app
does; a note is right when the coded kind is the reviewed one. :func:`retrain`
then fits the final model on everything with
:func:`collab_graph.coding.train.train` (the same training, calibration and
``meta`` as ``collab-graph train --reviews``), and :func:`save_model` writes it
to the workspace, where the pipeline picks it up (the model is part of the
coding cache key, so every note is coded again with it). :func:`revert` goes
back to the bundled model.

Training runs single-threaded (:func:`~collab_graph.coding.train.one_thread`):
scikit-learn's L-BFGS on a few thousand sparse rows spends most of its time
synchronising BLAS threads, and on a busy two-core machine one thread was about
15 times faster, with the same weights.

Examples
--------
>>> from collab_graph.model import NoteKind as K
>>> reviews = [Example({}, k, None, w, f"N-{i}", f"note {i}")
...            for i, (k, w) in enumerate([(K.BARRIER, "a"), (K.PRACTICE, "a"),
...                                        (K.BARRIER, "b"), (K.CONTEXT, "b")])]
>>> plan = plan_folds(reviews, folds=5)
>>> plan.by, len(plan.folds), sorted(i for fold in plan.folds for i in fold)
('note', 4, [0, 1, 2, 3])
"""

from __future__ import annotations

import datetime as _dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from filelock import Timeout

from collab_graph.coding import train as _train
from collab_graph.coding.classifier import Classifier
from collab_graph.coding.gazetteer import load_gazetteer
from collab_graph.coding.model import MODEL_FILE, KindModel
from collab_graph.coding.taxonomy import load_taxonomy
from collab_graph.coding.train import CONTENT_CLASSES, Example, LabelledSet, one_thread
from collab_graph.errors import DataFileError, TrainingError
from collab_graph.model import NoteKind
from collab_graph.workspace import Workspace

__all__ = [
    "FOLDS",
    "SEED",
    "Comparison",
    "FoldPlan",
    "KindTally",
    "Progress",
    "Retrained",
    "ScoredReview",
    "check_reviews",
    "compare",
    "fit_final",
    "kinds_of",
    "labelled_examples",
    "lowo_accuracy",
    "one_thread",
    "plan_folds",
    "retrain",
    "revert",
    "save_model",
]

#: Folds of the cross-validation over the reviewed notes.
FOLDS = 5
#: Seed of the folds' shuffle: the same reviews always give the same folds and figures.
SEED = 0

#: ``progress(what, fraction_done)`` while retraining.
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class FoldPlan:
    """How the reviewed notes are split: ``by`` ``"workshop"`` or ``"note"``, and each fold's
    notes (indexes into the reviews), every note in exactly one fold."""

    by: str
    folds: tuple[tuple[int, ...], ...]


def plan_folds(reviews: Sequence[Example], folds: int = FOLDS, seed: int = SEED) -> FoldPlan:
    """Split reviewed notes into at most ``folds`` folds, deterministically.

    With reviews from at least ``folds`` workshops, each workshop's notes stay
    in one fold (workshops shuffled with ``seed``, then the largest first into
    the smallest fold). Otherwise the notes of each kind are shuffled and dealt
    round the folds, so every fold has a share of every kind; then there are at
    most as many folds as notes.

    Examples
    --------
    >>> from collab_graph.model import NoteKind as K
    >>> reviews = [Example({}, K.BARRIER, None, f"w{i % 6}", f"N-{i}", "t") for i in range(12)]
    >>> plan = plan_folds(reviews, folds=3)
    >>> plan.by, [len(f) for f in plan.folds]
    ('workshop', [4, 4, 4])
    >>> [len({reviews[i].group for i in f}) for f in plan.folds]  # two whole workshops each
    [2, 2, 2]
    """
    if folds < 2:
        raise TrainingError(f"cross-validation needs at least 2 folds, not {folds}")
    rng = random.Random(seed)
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, ex in enumerate(reviews):
        by_group[ex.group].append(i)
    if len(by_group) >= folds:
        groups = sorted(by_group)
        rng.shuffle(groups)
        groups.sort(key=lambda g: -len(by_group[g]))  # stable: ties keep the shuffled order
        members: list[list[int]] = [[] for _ in range(folds)]
        for g in groups:
            smallest = min(range(folds), key=lambda f: (len(members[f]), f))
            members[smallest].extend(by_group[g])
        return FoldPlan("workshop", tuple(tuple(sorted(m)) for m in members))
    k = min(folds, len(reviews))
    dealt: list[list[int]] = [[] for _ in range(k)]
    turn = 0
    by_kind: dict[NoteKind, list[int]] = defaultdict(list)
    for i, ex in enumerate(reviews):
        by_kind[ex.kind].append(i)
    for kind in sorted(by_kind, key=lambda x: x.value):
        idx = by_kind[kind]
        rng.shuffle(idx)
        for i in idx:
            dealt[turn % k].append(i)
            turn += 1
    return FoldPlan("note", tuple(tuple(sorted(d)) for d in dealt))


@dataclass(frozen=True, slots=True)
class ScoredReview:
    """One reviewed note: the analyst's kind, what the model without the reviews said
    (``before``) and what the fold's model said (``after``), and the fold that scored it."""

    workshop: str
    note_id: str
    text: str
    gold: NoteKind
    before: NoteKind
    after: NoteKind
    fold: int


@dataclass(frozen=True, slots=True)
class KindTally:
    """Reviewed notes of one kind, and how many of them each model got right."""

    notes: int
    before: int
    after: int


@dataclass(frozen=True)
class Comparison:
    """Accuracy on the reviewed notes before and after learning from the reviews.

    Attributes
    ----------
    notes : int
        Reviewed notes scored.
    before, after : float
        Share coded with the reviewed kind: by the model without the reviews,
        and cross-validated by models trained on the other folds' reviews.
    folds : int
    by : str
        ``"workshop"`` (folds keep each workshop's notes together) or ``"note"``.
    seconds : float
        Time taken.
    kinds : mapping of str to KindTally
        Per reviewed kind.
    scored : tuple of ScoredReview
        Every reviewed note, in the order of the reviews.
    """

    notes: int
    before: float
    after: float
    folds: int
    by: str
    seconds: float
    kinds: dict[str, KindTally]
    scored: tuple[ScoredReview, ...]

    @property
    def gained(self) -> list[ScoredReview]:
        """Notes the retrained models code as reviewed and the old one did not."""
        return [s for s in self.scored if s.after is s.gold and s.before is not s.gold]

    @property
    def lost(self) -> list[ScoredReview]:
        """Notes the old model coded as reviewed and the retrained ones do not."""
        return [s for s in self.scored if s.before is s.gold and s.after is not s.gold]

    def kind_rows(self) -> list[dict[str, object]]:
        """Per reviewed kind: the notes and the share each model coded as reviewed.

        Examples
        --------
        >>> c = Comparison(4, 0.5, 0.75, 2, "note", 1.0, {"barrier": KindTally(4, 2, 3)}, ())
        >>> c.kind_rows()
        [{'reviewed kind': 'barrier', 'notes': 4, 'before': '50%', 'after': '75%'}]
        """
        return [
            {
                "reviewed kind": kind,
                "notes": t.notes,
                "before": f"{t.before / t.notes:.0%}",
                "after": f"{t.after / t.notes:.0%}",
            }
            for kind, t in self.kinds.items()
        ]

    def summary(self) -> str:
        """One line for people: ``before 61% → after 78% (cross-validated, 5 folds by workshop)``.

        Examples
        --------
        >>> c = Comparison(40, 0.6125, 0.775, 5, "workshop", 12.0, {}, ())
        >>> print(c.summary())  # doctest: +NORMALIZE_WHITESPACE
        accuracy on your 40 reviewed notes: before 61% → after 78% (cross-validated, 5 folds by
        workshop)
        """
        return (
            f"accuracy on your {self.notes} reviewed notes: before {self.before:.0%} → "
            f"after {self.after:.0%} (cross-validated, {self.folds} folds by {self.by})"
        )


def check_reviews(reviews: Sequence[Example]) -> None:
    """Raise :class:`~collab_graph.errors.TrainingError` unless the reviews can be compared:
    at least two reviewed notes, of at least two kinds.

    Examples
    --------
    >>> check_reviews([])
    Traceback (most recent call last):
    ...
    collab_graph.errors.TrainingError: no review can teach the classifier yet: ...
    """
    if not reviews:
        raise TrainingError(
            "no review can teach the classifier yet: review some notes (a kind other than "
            "heading; the review keeps the note's context), then retrain"
        )
    kinds = sorted({ex.kind.value for ex in reviews})
    if len(kinds) < 2:
        raise TrainingError(
            f"all {len(reviews)} review(s) set the kind {kinds[0]}: review notes of at least "
            "two kinds, so that what the reviews teach can be measured"
        )


def labelled_examples(sets: Sequence[LabelledSet] | None = None) -> list[Example]:
    """The examples of the labelled sets (default: the bundled ones); unreadable sets are skipped.

    Raises
    ------
    DataFileError
        When a labels file is malformed.
    """
    chosen = list(sets) if sets is not None else _train.manifest()
    base = Classifier(load_taxonomy(), load_gazetteer(), KindModel.empty())
    return [ex for s in chosen if _train._readable(s) for ex in _train.examples_of(s, base)[0]]


def _kind(clf: Classifier, model: KindModel, ex: Example) -> NoteKind:
    """What the whole classifier codes an example's note as, with ``model``."""
    if ex.context is None:  # examples from reviews always carry their context
        raise TrainingError(f"{ex.group} {ex.note_id}: the review has no context to code")
    clf.model = model
    return clf.decide(ex.context)[0]


def compare(
    reviews: Sequence[Example],
    *,
    labelled: Sequence[Example] | None = None,
    folds: int = FOLDS,
    seed: int = SEED,
    progress: Progress | None = None,
) -> Comparison:
    """Accuracy on the reviewed notes before and after retraining, cross-validated.

    Parameters
    ----------
    reviews : sequence of Example
        The analyst's reviews (:func:`collab_graph.coding.train.review_examples`).
    labelled : sequence of Example, optional
        The labelled sets' examples (default: :func:`labelled_examples`).
    folds : int
        ``K``, the folds of the cross-validation (:func:`plan_folds`).
    seed : int
        Seeds the folds: the same reviews give the same figures.
    progress : callable, optional
        ``progress(what, fraction_done)`` after each model.

    Returns
    -------
    Comparison

    Raises
    ------
    TrainingError
        With no review, or reviews of one kind only (:func:`check_reviews`).
    """
    check_reviews(reviews)
    start = time.perf_counter()
    plan = plan_folds(reviews, folds, seed)
    steps = len(plan.folds) + 2
    say = progress or (lambda what, done: None)
    say("reading the labelled notes", 0.0)
    if labelled is None:
        labelled = labelled_examples()
    base = _train.superseded(labelled, reviews)
    clf = Classifier(load_taxonomy(), load_gazetteer(), KindModel.empty())
    after: list[tuple[NoteKind, int] | None] = [None] * len(reviews)
    with one_thread():
        say("training without the reviews", 1 / steps)
        model = _train.fit(base)
        before = [_kind(clf, model, ex) for ex in reviews]
        for f, scored in enumerate(plan.folds):
            say(f"fold {f + 1} of {len(plan.folds)}: training without its reviews", (f + 2) / steps)
            held = set(scored)
            rest = [ex for i, ex in enumerate(reviews) if i not in held]
            model = _train.fit([*base, *rest])
            for i in scored:
                after[i] = (_kind(clf, model, reviews[i]), f)
    say("compared", 1.0)
    rows = []
    for ex, b, a in zip(reviews, before, after, strict=True):
        assert a is not None  # every note is in one fold
        rows.append(ScoredReview(ex.group, ex.note_id, ex.text, ex.kind, b, a[0], a[1]))
    tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for s in rows:
        t = tallies[s.gold.value]
        t[0] += 1
        t[1] += s.before is s.gold
        t[2] += s.after is s.gold
    n = len(rows)
    return Comparison(
        notes=n,
        before=sum(s.before is s.gold for s in rows) / n,
        after=sum(s.after is s.gold for s in rows) / n,
        folds=len(plan.folds),
        by=plan.by,
        seconds=round(time.perf_counter() - start, 2),
        kinds={k: KindTally(*tallies[k]) for k in sorted(tallies)},
        scored=tuple(rows),
    )


def fit_final(
    sets: Sequence[LabelledSet] | None = None,
    *,
    extra: Sequence[Example] = (),
    extra_label: str = "",
    progress: Callable[[str], None] | None = None,
) -> KindModel:
    """The calibrated kind model on the labelled sets and ``extra`` (the reviews), one-threaded.

    This is :func:`collab_graph.coding.train.train` (``collab-graph train``);
    with no ``extra`` it rebuilds the shipped model.
    """
    with one_thread():
        model, _ = _train.train(sets, extra=extra, extra_label=extra_label, progress=progress)
    return model


@dataclass(frozen=True)
class Retrained:
    """A model retrained on the reviews (not saved yet) and what it gains on them."""

    model: KindModel
    comparison: Comparison
    seconds: float

    @property
    def reviews(self) -> int:
        """The reviews it learned from."""
        return self.comparison.notes


def retrain(
    reviews: Sequence[Example],
    *,
    sets: Sequence[LabelledSet] | None = None,
    folds: int = FOLDS,
    seed: int = SEED,
    label: str = "",
    progress: Progress | None = None,
) -> Retrained:
    """Compare before and after (:func:`compare`), then fit the final model (:func:`fit_final`).

    Parameters
    ----------
    reviews : sequence of Example
        The analyst's reviews.
    sets : sequence of LabelledSet, optional
        The labelled sets (default: the bundled ones).
    label : str
        Says where the reviews came from, in the model's ``meta``.
    progress : callable, optional
        ``progress(what, fraction_done)``: the comparison is about the first
        half of the work, the final model (trained once per left-out workshop
        for its calibration, then on everything) the second.

    Raises
    ------
    TrainingError
        As :func:`compare`.
    """
    start = time.perf_counter()
    say = progress or (lambda what, done: None)
    chosen = list(sets) if sets is not None else _train.manifest()
    comparison = compare(
        reviews,
        labelled=labelled_examples(chosen),
        folds=folds,
        seed=seed,
        progress=lambda what, done: say(what, 0.5 * done),
    )
    left_out = len({s.fold_name for s in chosen if s.role == "eval"})
    done = [0]

    def step(name: str) -> None:
        done[0] += 1
        say(f"final model: calibrating without {name}", 0.5 + 0.5 * done[0] / (left_out + 1))

    say("final model: calibrating", 0.5)
    model = fit_final(
        chosen,
        extra=reviews,
        extra_label=label or f"{len(reviews)} reviews",
        progress=step,
    )
    say("retrained", 1.0)
    return Retrained(model, comparison, round(time.perf_counter() - start, 2))


def save_model(workspace: Workspace, model: KindModel) -> Path:
    """Write ``model`` to the workspace (``kind-model.json``), atomically; the pipeline then
    codes every note with it instead of the bundled model.

    Raises
    ------
    DataFileError
        When the workspace cannot be written.
    """
    return workspace.write_text(MODEL_FILE, model.to_json())


def revert(workspace: Workspace) -> Path | None:
    """Go back to the bundled model: the workspace's model moves to ``history/`` (nothing is
    lost), and the pipeline codes with the bundled one again.

    Returns
    -------
    pathlib.Path or None
        Where the retired model now is; None when the workspace had none.

    Raises
    ------
    DataFileError
        When the workspace cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> ws = Workspace(tempfile.mkdtemp())
    >>> revert(ws) is None
    True
    >>> _ = save_model(ws, KindModel.empty())
    >>> revert(ws).parent.name, ws.model.exists()
    ('history', False)
    """
    current = workspace.model
    try:
        with workspace.lock(MODEL_FILE):
            if not current.is_file():
                return None
            stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            kept = workspace.path(f"history/kind-model-{stamp}.json")
            kept.parent.mkdir(parents=True, exist_ok=True)
            current.replace(kept)
    except Timeout as exc:
        raise DataFileError(
            f"{current}: another collab-graph process is writing it; try again", path=str(current)
        ) from exc
    except OSError as exc:
        raise DataFileError(
            f"{current}: cannot move the retrained model aside: {exc.strerror or exc}",
            path=str(current),
        ) from exc
    return kept


def lowo_accuracy(model: KindModel) -> float | None:
    """The mean leave-one-workshop-out accuracy (kind or kind2) recorded in a model's ``meta``:
    how it does on the labelled workshops, each coded by a model trained without it.

    Examples
    --------
    >>> from collab_graph.coding.model import load_model
    >>> 0.5 < lowo_accuracy(load_model()) <= 1.0
    True
    >>> lowo_accuracy(KindModel.empty()) is None
    True
    """
    figures = model.meta.get("leave_one_workshop_out") or {}
    value = figures.get("mean_accuracy")
    return float(value) if isinstance(value, (int, float)) else None


def kinds_of(reviews: Sequence[Example]) -> dict[str, int]:
    """How many reviews set each kind, in the order of the content kinds.

    Examples
    --------
    >>> from collab_graph.model import NoteKind as K
    >>> kinds_of([Example({}, K.BARRIER, None, "w", "a", "t")] * 2)
    {'barrier': 2}
    """
    counts = Counter(ex.kind for ex in reviews)
    return {k.value: counts[k] for k in CONTENT_CLASSES if counts[k]}
