"""Learn the kind model from labelled notes and the analyst's reviews, and measure it honestly.

Training data are *labelled sets*: a notes document and a CSV that gives the
kind of its notes, matched by note id (the format of the reference coding)
or by line and text (the gold format of ``shared/real-notes``). The sets that
ship with collab-graph are listed in ``data/training/manifest.csv`` (with
their sources and licences in ``data/training/README.md``); the analyst's
reviews are a further set, each review carrying the note's text and context.

* :func:`fit` trains a multinomial logistic regression (scikit-learn) on the
  notes' features (:mod:`collab_graph.coding.features`).
* :func:`leave_one_out` trains once per *evaluation* set with that set (and
  reviews of its notes) left out, and codes the left-out set with the whole
  classifier (sub-heading rule, model, abstaining): this is the figure to
  quote. Scoring a set the model was trained on is training accuracy.
* :func:`train` fits the final model on everything, calibrates its
  confidences with a temperature fitted on the left-out predictions, and
  records the training files (with their SHA-256) and the left-out figures in
  the model's ``meta``, so ``collab-graph train`` rebuilds the shipped model
  byte for byte.

Examples
--------
>>> sets = manifest()
>>> sum(1 for s in sets if s.role == "eval")
10
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slugify import slugify

from collab_graph.coding.classifier import Classifier, _Heading
from collab_graph.coding.features import NoteContext, note_features
from collab_graph.coding.gazetteer import load_gazetteer
from collab_graph.coding.lexicon import normalise
from collab_graph.coding.model import KindModel
from collab_graph.coding.taxonomy import load_taxonomy
from collab_graph.csvfiles import read_csv
from collab_graph.errors import DataFileError
from collab_graph.ingest import parse_file
from collab_graph.model import CodedNote, NoteKind
from collab_graph.resources import data_path

__all__ = [
    "CONTENT_CLASSES",
    "CueSupport",
    "Example",
    "LabelledSet",
    "Prediction",
    "cue_support",
    "examples_of",
    "fit",
    "labelled_sets",
    "leave_one_out",
    "manifest",
    "one_thread",
    "review_examples",
    "superseded",
    "train",
]

#: The kinds the model chooses between (``heading`` is a rule, not a class).
CONTENT_CLASSES = (NoteKind.PRACTICE, NoteKind.BARRIER, NoteKind.BENEFIT, NoteKind.CONTEXT)
#: Regularisation strength (scikit-learn's ``C``): chosen a priori, not tuned on the test sets.
C = 0.1
#: Below this confidence (the calibrated chance that the kind is right) a note needs review.
ABSTAIN = 0.5
#: Class weights (scikit-learn's ``class_weight``): None, or "balanced".
CLASS_WEIGHT: str | None = None
#: A word feature is kept only when notes of at least this many workshops have it.
MIN_GROUPS = 3
#: How far each workshop's examples are weighted towards equal say (0: by size, 1: equal).
SET_BALANCE = 0.0
_WORD_FEATURES = ("w=", "b=", "first=")
#: Weight of an example's second kind (``kind2``), added as a second, lighter example.
KIND2_WEIGHT = 0.3
MANIFEST = "training/manifest.csv"


@dataclass(frozen=True)
class LabelledSet:
    """A notes document and the CSV of its notes' kinds; ``role`` is ``eval`` or ``train``.

    Sets with the same ``fold`` (e.g. write-ups from one repository) are left
    out together, so no left-out workshop is scored by a model trained on its
    siblings.
    """

    labels: Path
    source: Path
    role: str = "train"
    fold: str = ""

    @property
    def name(self) -> str:
        """The set's name: the workshop slug of its notes document (as reviews name it)."""
        return slugify(self.source.stem) or "workshop"

    @property
    def fold_name(self) -> str:
        """The fold it is left out with: its ``fold``, else its own name."""
        return self.fold or self.name


@dataclass(frozen=True)
class Example:
    """One labelled note: its features, its kind (and second kind), and where it is from."""

    features: Mapping[str, float]
    kind: NoteKind
    kind2: NoteKind | None
    group: str
    note_id: str
    text: str
    context: NoteContext | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Prediction:
    """What the whole classifier said of a labelled note when its set was left out."""

    group: str
    note_id: str
    text: str
    gold: NoteKind
    gold2: NoteKind | None
    kind: NoteKind
    confidence: float
    needs_review: bool

    @property
    def right(self) -> bool:
        """Right when the kind is the gold kind or its second kind."""
        return self.kind in (self.gold, self.gold2)


def manifest(path: Path | None = None) -> list[LabelledSet]:
    """The labelled sets that ship with collab-graph (``data/training/manifest.csv``)."""
    p = path or data_path(MANIFEST)
    rows = read_csv(p, required=("labels", "source"), what="training manifest")
    return [
        LabelledSet(
            p.parent / r["labels"],
            p.parent / r["source"],
            r.get("role") or "train",
            r.get("fold"),
        )
        for r in rows
    ]


NOTES_SUFFIXES = (".md", ".markdown", ".txt", ".text", ".docx", ".csv")


def labelled_sets(paths: Sequence[Path | str]) -> list[LabelledSet]:
    """The labelled sets named on the command line (``collab-graph train LABELLED.csv ...``).

    Each path is either a manifest (columns ``labels, source[, role]``, like
    ``data/training/manifest.csv``) or a labels CSV whose notes document is named
    in a ``source`` column (relative to the CSV) or found beside it by its stem
    (``X.csv`` → ``X.md``, or ``../docs/X.md`` as in ``shared/real-notes``).
    Sets named this way are evaluation sets (left out in turn).

    Raises
    ------
    DataFileError
        When a file is missing or no notes document is found for a labels file.
    """
    out: list[LabelledSet] = []
    for raw in paths:
        path = Path(raw)
        rows = read_csv(path, what="labelled notes file")
        columns = set(rows[0].cells) if rows else set()
        if {"labels", "source"} <= columns:
            out.extend(manifest(path))
            continue
        if "source" in columns and rows[0]["source"]:
            out.append(LabelledSet(path, path.parent / rows[0]["source"], "eval"))
            continue
        found = [
            c
            for folder in (path.parent, path.parent.parent / "docs")
            for c in sorted(folder.glob(f"{path.stem}.*"))
            if c.suffix.lower() in NOTES_SUFFIXES and c != path
        ]
        if not found:
            raise DataFileError(
                f"{path}: no notes document for it: give it a 'source' column, or put "
                f"{path.stem}.md (or .txt, .docx) beside it or in ../docs/",
                path=str(path),
            )
        out.append(LabelledSet(path, found[0], "eval"))
    return out


def review_examples(reviews: Iterable[Any], vocab: Any = None) -> list[Example]:
    """Examples from the analyst's reviews (:class:`~collab_graph.review.reviews.Review`).

    A review teaches when it sets a content kind and carries the note's context;
    its group is its workshop, so leaving a workshop out leaves its reviews out too.
    """
    from collab_graph.coding.features import FeatureVocabulary

    fv = vocab or FeatureVocabulary.default()
    out = []
    for r in reviews:
        if r.kind is None or r.kind not in CONTENT_CLASSES or not r.context:
            continue
        try:
            ctx = NoteContext.from_json(r.context)
        except ValueError:
            continue
        out.append(
            Example(note_features(ctx, fv), r.kind, None, r.workshop, r.note_id, ctx.text, ctx)
        )
    return out


def superseded(labelled: Iterable[Example], reviews: Iterable[Example]) -> list[Example]:
    """The labelled examples that no review relabels: a review replaces its note's label.

    A note is the same note when its id and its text (white space and case
    folded) are; so a model trained on both never learns a reviewed note twice,
    and one that leaves the reviews out has not seen their notes either.

    Examples
    --------
    >>> from collab_graph.model import NoteKind as K
    >>> a = Example({}, K.PRACTICE, None, "w", "G1-Q1-A-1", "Shared budgets")
    >>> b = Example({}, K.BARRIER, None, "w", "G1-Q1-A-2", "No time")
    >>> review = Example({}, K.BARRIER, None, "w", "G1-Q1-A-1", "shared  budgets")
    >>> [ex.note_id for ex in superseded([a, b], [review])]
    ['G1-Q1-A-2']
    """
    seen = {_note_key(ex) for ex in reviews}
    return [ex for ex in labelled if _note_key(ex) not in seen]


def _note_key(ex: Example) -> tuple[str, str]:
    return (ex.note_id, " ".join(ex.text.split()).casefold())


def _labels(path: Path) -> list[dict[str, str]]:
    rows = read_csv(path, required=("kind",), what="labelled notes file")
    out = []
    for row in rows:
        kind = row["kind"]
        if kind not in {k.value for k in NoteKind}:
            raise row.error("kind", f"unknown kind {kind!r}")
        out.append(dict(row.cells))
    return out


def examples_of(
    lset: LabelledSet, classifier: Classifier | None = None
) -> tuple[list[Example], list[dict[str, str]]]:
    """The examples of one labelled set, and its label rows (for scoring).

    Notes are matched to labels by id when the labels have ids, else by line
    and text. A note that the sub-heading rule takes as a heading gives no
    example, and neither does a label whose kind is ``heading``.
    """
    clf = classifier or Classifier()
    result = parse_file(lset.source)
    labels = _labels(lset.labels)
    by_id = {r["id"]: r for r in labels if r.get("id")}
    by_line: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in labels:
        if r.get("line"):
            by_line[r["line"]].append(r)
    examples: list[Example] = []
    for note, ctx in clf.contexts(result.notes, result.workshop):
        row = by_id.get(note.id) if by_id else _by_line(by_line, note.line, note.text)
        if row is None or row["kind"] == "heading" or isinstance(ctx, _Heading):
            continue
        kind2 = row.get("kind2") or None
        examples.append(
            Example(
                features=note_features(ctx, clf.vocab),
                kind=NoteKind(row["kind"]),
                kind2=NoteKind(kind2) if kind2 and kind2 != "heading" else None,
                group=lset.name,
                note_id=note.id,
                text=note.text,
                context=ctx,
            )
        )
    return examples, labels


def _by_line(
    by_line: Mapping[str, list[dict[str, str]]], line: int, text: str
) -> dict[str, str] | None:
    rows = by_line.get(str(line), [])
    if len(rows) <= 1:
        return rows[0] if rows else None
    folded = " ".join(text.split()).casefold()
    for r in rows:
        if " ".join(r.get("text", "").split()).casefold() == folded:
            return r
    return rows[0]


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run the BLAS and OpenMP libraries that scikit-learn uses on one thread, for the block.

    L-BFGS on a few thousand sparse rows gains nothing from threads, and on a
    small machine their start-up dominates (a fit of the shipped sets: 14.5 s
    with the default threads, 1.0 s on one, with the same weights). The
    libraries must be loaded before their thread pools can be limited, so
    scikit-learn's estimators are imported first.
    """
    import sklearn.feature_extraction
    import sklearn.linear_model  # noqa: F401  (loads SciPy's BLAS before it is limited)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


def fit(examples: Sequence[Example], *, c: float | None = None) -> KindModel:
    """A logistic regression over the examples' features (no calibration: temperature 1).

    Raises
    ------
    DataFileError
        When the examples do not cover at least two kinds.
    """
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    # Words, word pairs and first words seen in fewer than MIN_GROUPS workshops name a
    # topic, not a kind: leave them out, so the model learns how notes are written.
    seen_in: dict[str, set[str]] = defaultdict(set)
    for ex in examples:
        for name in ex.features:
            if name.startswith(_WORD_FEATURES):
                seen_in[name].add(ex.group)
    rare = {name for name, groups in seen_in.items() if len(groups) < MIN_GROUPS}
    # Each workshop counts the same whatever its length: a long write-up's style
    # should not outvote twenty short ones (weights n**-SET_BALANCE, mean 1).
    sizes = Counter(ex.group for ex in examples)
    raw = {g: n**-SET_BALANCE for g, n in sizes.items()}
    norm = len(examples) / sum(raw[g] * n for g, n in sizes.items())
    rows: list[Mapping[str, float]] = []
    ys: list[str] = []
    weights: list[float] = []
    for ex in examples:
        rows.append({k: v for k, v in ex.features.items() if k not in rare})
        ys.append(ex.kind.value)
        w = raw[ex.group] * norm
        weights.append(w)
        if ex.kind2 is not None and ex.kind2 is not ex.kind and ex.kind2 in CONTENT_CLASSES:
            rows.append(ex.features)
            ys.append(ex.kind2.value)
            weights.append(KIND2_WEIGHT * w)
    if len(set(ys)) < 2:
        raise DataFileError("training needs notes of at least two kinds")
    vec = DictVectorizer(sort=True)
    X = vec.fit_transform(rows)
    lr = LogisticRegression(
        C=C if c is None else c, max_iter=5000, tol=1e-6, class_weight=CLASS_WEIGHT
    )
    with one_thread():
        lr.fit(X, ys, sample_weight=weights)
    names = list(vec.get_feature_names_out())
    classes = [NoteKind(k) for k in lr.classes_]
    order = [classes.index(k) for k in CONTENT_CLASSES if k in classes]
    coef = lr.coef_
    if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row
        coef = [[-x for x in coef[0]], list(coef[0])]
        intercept = [-lr.intercept_[0], lr.intercept_[0]]
    else:
        intercept = list(lr.intercept_)
    weights_by_name = {
        name: tuple(float(coef[i][j]) for i in order) for j, name in enumerate(names)
    }
    return KindModel(
        classes=tuple(classes[i] for i in order),
        weights=weights_by_name,
        intercept=tuple(float(intercept[i]) for i in order),
    )


def _predict(
    clf: Classifier, lset: LabelledSet, labels: Sequence[Mapping[str, str]]
) -> list[Prediction]:
    """Code a whole labelled set with ``clf`` and pair each labelled note with its coding."""
    result = parse_file(lset.source)
    coded = {c.note.id: c for c in clf.classify(result.notes, result.workshop)}
    by_line: dict[str, list[CodedNote]] = defaultdict(list)
    for one in coded.values():
        by_line[str(one.note.line)].append(one)
    out: list[Prediction] = []
    for row in labels:
        if row["kind"] == "heading":
            continue
        c: CodedNote | None
        if row.get("id"):
            c = coded.get(row["id"])
        else:
            found = by_line.get(row.get("line", ""), [])
            folded = " ".join(row.get("text", "").split()).casefold()
            c = next(
                (x for x in found if " ".join(x.note.text.split()).casefold() == folded),
                found[0] if found else None,
            )
        if c is None:
            continue  # the parser did not find this note: a parsing figure, not a coding one
        kind2 = row.get("kind2") or None
        out.append(
            Prediction(
                group=lset.name,
                note_id=c.note.id,
                text=c.note.text,
                gold=NoteKind(row["kind"]),
                gold2=NoteKind(kind2) if kind2 else None,
                kind=c.kind,
                confidence=c.confidence,
                needs_review=c.needs_review,
            )
        )
    return out


def leave_one_out(
    sets: Sequence[LabelledSet],
    *,
    extra: Sequence[Example] = (),
    progress: Callable[[str], None] | None = None,
) -> tuple[list[Prediction], list[HeldOut]]:
    """Leave-one-workshop-out: each evaluation set coded by a model trained without it.

    Parameters
    ----------
    sets : sequence of LabelledSet
        Sets with ``role == "eval"`` are left out in turn; the others (``train``)
        are always in the training data.
    extra : sequence of Example
        More examples (e.g. the analyst's reviews); those whose ``group`` is the
        left-out set's name are left out with it.

    Returns
    -------
    (predictions, held_out)
        Every left-out labelled note with the classifier's coding, and the
        model's uncalibrated logits of each left-out example (for calibration).
    """
    base = Classifier(load_taxonomy(), load_gazetteer(), KindModel.empty())
    loaded = {s: examples_of(s, base) for s in sets if _readable(s)}
    sets = [s for s in sets if s in loaded]
    labelled = [ex for exs, _ in loaded.values() for ex in exs]
    all_examples = superseded(labelled, extra) + list(extra)
    predictions: list[Prediction] = []
    logits: list[HeldOut] = []
    folds: dict[str, list[LabelledSet]] = defaultdict(list)
    for s in sets:
        folds[s.fold_name].append(s)
    for members in folds.values():
        left_out = [s for s in members if s.role == "eval"]
        if not left_out:
            continue
        if progress is not None:
            for s in left_out:  # one step per left-out workshop, however they are grouped
                progress(s.name)
        names = {s.name for s in members}
        train_on = [ex for ex in all_examples if ex.group not in names]
        model = fit(train_on)
        clf = Classifier(base.taxonomy, base.gazetteer, model)
        for s in left_out:
            predictions.extend(_predict(clf, s, loaded[s][1]))
            for ex in loaded[s][0]:
                logits.append(HeldOut(s.name, tuple(model.logits(ex.features)), ex.kind, ex.kind2))
    return predictions, logits


@dataclass(frozen=True, slots=True)
class HeldOut:
    """A left-out example's uncalibrated logits (model classes order) and its gold kinds."""

    group: str
    logits: tuple[float, ...]
    kind: NoteKind
    kind2: NoteKind | None


def _top(h: HeldOut, classes: Sequence[NoteKind]) -> tuple[NoteKind, float]:
    top = max(h.logits)
    e = [math.exp(x - top) for x in h.logits]
    i = max(range(len(e)), key=e.__getitem__)
    return classes[i], e[i] / sum(e)


def fit_calibration(held: Sequence[HeldOut], classes: Sequence[NoteKind]) -> tuple[float, float]:
    """Platt scaling ``(a, b)`` of the top probability, so that confidence = P(right).

    Fitted (scikit-learn logistic regression on ``logit(p)``) on left-out notes,
    where right means the top kind is the gold kind or its second kind.
    """
    from sklearn.linear_model import LogisticRegression

    xs, ys = [], []
    for h in held:
        kind, p = _top(h, classes)
        p = min(max(p, 1e-6), 1 - 1e-6)
        xs.append([math.log(p / (1 - p))])
        ys.append(int(kind in (h.kind, h.kind2)))
    if len(set(ys)) < 2:
        return (1.0, 0.0)
    lr = LogisticRegression(C=1e6).fit(xs, ys)
    return (round(float(lr.coef_[0][0]), 6), round(float(lr.intercept_[0]), 6))


def calibration_cv(held: Sequence[HeldOut], classes: Sequence[NoteKind]) -> dict[str, Any]:
    """Calibration on left-out documents, with the calibration itself fitted without them.

    For each document, the Platt scaling is fitted on the other documents'
    left-out notes and applied to this one's; the expected calibration error and
    the reliability table are then computed over all of them.
    """
    preds: list[Prediction] = []
    for g in sorted({h.group for h in held}):
        scaler = KindModel(
            classes=tuple(classes),
            weights={},
            intercept=(0.0,) * len(classes),
            calibration=fit_calibration([h for h in held if h.group != g], classes),
        )
        for h in held:
            if h.group == g:
                kind, p = _top(h, classes)
                conf = scaler.confidence(p)
                preds.append(Prediction(h.group, "", "", h.kind, h.kind2, kind, conf, False))
    return calibration(preds)


def fit_temperature(
    logits: Sequence[tuple[Sequence[float], NoteKind]], classes: Sequence[NoteKind]
) -> float:
    """The softmax temperature that minimises the negative log-likelihood of held-out notes.

    Examples
    --------
    >>> from collab_graph.model import NoteKind as K
    >>> held = [([4.0, 0.0], K.PRACTICE), ([4.0, 0.0], K.BARRIER)] * 5
    >>> fit_temperature(held, [K.PRACTICE, K.BARRIER]) > 1.0
    True
    """
    index = {k: i for i, k in enumerate(classes)}
    usable = [(z, index[k]) for z, k in logits if k in index]

    def nll(t: float) -> float:
        total = 0.0
        for z, i in usable:
            s = [x / t for x in z]
            top = max(s)
            total -= s[i] - top - math.log(sum(math.exp(x - top) for x in s))
        return total

    grid = [round(0.25 + 0.05 * i, 2) for i in range(76)]  # 0.25 .. 4.0
    return min(grid, key=nll) if usable else 1.0


def scores(predictions: Sequence[Prediction]) -> dict[str, float]:
    """Accuracy (kind or kind2), exact accuracy, macro-F1 and Cohen's kappa of some predictions.

    Macro-F1 and kappa compare the coded kind with the exact gold kind, over the
    kinds that occur in the gold or the coding (scikit-learn's ``f1_score`` and
    ``cohen_kappa_score``).

    Examples
    --------
    >>> from collab_graph.model import NoteKind as K
    >>> ps = [Prediction("w", str(i), "t", g, None, k, 0.9, False)
    ...       for i, (g, k) in enumerate([(K.BARRIER, K.BARRIER), (K.PRACTICE, K.PRACTICE),
    ...                                    (K.PRACTICE, K.BARRIER), (K.CONTEXT, K.CONTEXT)])]
    >>> s = scores(ps)
    >>> s["accuracy"], s["macro_f1"], round(s["kappa"], 3)
    (0.75, 0.7778, 0.636)
    """
    from sklearn.metrics import cohen_kappa_score, f1_score

    if not predictions:
        return {"notes": 0, "accuracy": 0.0, "exact": 0.0, "macro_f1": 0.0, "kappa": 0.0}
    gold = [p.gold.value for p in predictions]
    got = [p.kind.value for p in predictions]
    labels = sorted(set(gold) | set(got))
    kappa = float(cohen_kappa_score(gold, got, labels=labels)) if len(labels) > 1 else 1.0
    return {
        "notes": len(predictions),
        "accuracy": round(sum(p.right for p in predictions) / len(predictions), 4),
        "exact": round(sum(p.kind is p.gold for p in predictions) / len(predictions), 4),
        "macro_f1": round(float(f1_score(gold, got, labels=labels, average="macro")), 4),
        "kappa": round(kappa if kappa == kappa else 0.0, 4),  # NaN when one class only
    }


def calibration(predictions: Sequence[Prediction], bins: int = 10) -> dict[str, Any]:
    """Expected calibration error over ``bins`` equal-width bins of confidence, and the
    reliability-diagram data (per bin: notes, mean confidence, share right).

    "Right" is the lenient rule (kind or kind2), as the confidence promises.

    Examples
    --------
    >>> from collab_graph.model import NoteKind as K
    >>> right = Prediction("w", "1", "t", K.BARRIER, None, K.BARRIER, 0.95, False)
    >>> ps = [right] * 9
    >>> ps.append(Prediction("w", "x", "t", K.BARRIER, None, K.PRACTICE, 0.95, False))
    >>> calibration(ps)["ece"]
    0.05
    """
    table = []
    ece = 0.0
    n = len(predictions)
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [
            p
            for p in predictions
            if lo <= p.confidence < hi or (b == bins - 1 and p.confidence == 1.0)
        ]
        if not inside:
            continue
        conf = sum(p.confidence for p in inside) / len(inside)
        acc = sum(p.right for p in inside) / len(inside)
        ece += len(inside) / n * abs(conf - acc)
        table.append(
            {
                "bin": f"{lo:.1f}-{hi:.1f}",
                "notes": len(inside),
                "confidence": round(conf, 3),
                "right": round(acc, 3),
            }
        )
    return {"ece": round(ece, 4), "bins": table}


def summary(predictions: Sequence[Prediction]) -> dict[str, Any]:
    """Scores per left-out set and averaged over the sets, as stored in the model's ``meta``."""
    by: dict[str, list[Prediction]] = defaultdict(list)
    for p in predictions:
        by[p.group].append(p)
    per = {g: scores(ps) for g, ps in sorted(by.items()) if ps}
    mean = {
        key: round(sum(v[key] for v in per.values()) / max(1, len(per)), 4)
        for key in ("accuracy", "exact", "macro_f1", "kappa")
    }
    return {
        "per_set": per,
        "mean_accuracy": mean["accuracy"],
        "mean": mean,
        "pooled": scores(predictions),
        "calibration": calibration(predictions),
    }


@dataclass(frozen=True, slots=True)
class CueSupport:
    """How a kind cue of ``kind-cues.csv`` fares on labelled notes.

    ``workshops`` are the sets in which it matched a note of its kind (first or
    second kind), ``matched_in`` those in which it matched any note; ``matched``
    counts every note it matched and ``right`` those of its kind.
    """

    workshops: frozenset[str]
    matched_in: frozenset[str]
    matched: int
    right: int

    @property
    def precision(self) -> float:
        """The share of the notes it matched that are of its kind."""
        return self.right / self.matched if self.matched else 0.0


def cue_support(
    sets: Sequence[LabelledSet] | None = None, classifier: Classifier | None = None
) -> dict[tuple[str, str, str], CueSupport]:
    """The support of each kind cue (``(kind, where, phrase)``) in labelled notes.

    A cue earns its place in ``kind-cues.csv`` by matching notes of its kind in
    at least :data:`MIN_GROUPS` workshops: a cue only one workshop's wording
    supports is a fit to that workshop, not a pattern.
    """
    clf = classifier or Classifier(load_taxonomy(), load_gazetteer(), KindModel.empty())
    tax = clf.vocab.taxonomy
    where_of = {"anywhere": "anywhere", "start": "start"}
    seen: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    anywhere: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    matched: Counter[tuple[str, str, str]] = Counter()
    right: Counter[tuple[str, str, str]] = Counter()
    for lset in sets if sets is not None else manifest():
        if not _readable(lset):
            continue
        for ex in examples_of(lset, clf)[0]:
            norm = normalise(ex.text)
            found = {
                (cue.kind.value, cue.where, cue.phrase.lower())
                for where in where_of
                for cue, _, _ in tax.match_cues(norm, where)
            }
            for key in found:
                matched[key] += 1
                anywhere[key].add(lset.name)
                if key[0] in (ex.kind.value, ex.kind2.value if ex.kind2 else None):
                    right[key] += 1
                    seen[key].add(lset.name)
    out: dict[tuple[str, str, str], CueSupport] = {}
    for c in tax.kind_cues:
        key = (c.kind.value, c.where, c.phrase.lower())
        out[key] = CueSupport(
            frozenset(seen[key]), frozenset(anywhere[key]), matched[key], right[key]
        )
    return out


def _readable(lset: LabelledSet) -> bool:
    """Whether the set's notes document parses (a set this version cannot read is skipped)."""
    from collab_graph.errors import CollabGraphError

    try:
        parse_file(lset.source)
    except CollabGraphError:
        return False
    return True


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train(
    sets: Sequence[LabelledSet] | None = None,
    *,
    extra: Sequence[Example] = (),
    extra_label: str = "",
    progress: Callable[[str], None] | None = None,
) -> tuple[KindModel, list[Prediction]]:
    """Train the kind model on every set (and ``extra`` examples), calibrated on left-out sets.

    Returns
    -------
    (KindModel, predictions)
        The model, and the leave-one-workshop-out predictions behind its
        calibration and the figures in its ``meta``.
    """
    chosen = list(sets) if sets is not None else manifest()
    predictions, held = leave_one_out(chosen, extra=extra, progress=progress)
    base = Classifier(load_taxonomy(), load_gazetteer(), KindModel.empty())
    chosen = [s for s in chosen if _readable(s)]
    labelled = [ex for s in chosen for ex in examples_of(s, base)[0]]
    examples = superseded(labelled, extra) + list(extra)
    model = fit(examples)
    platt = fit_calibration(held, model.classes)
    lowo = summary(predictions)
    lowo["calibration"] = calibration_cv(held, model.classes)
    root = data_path(MANIFEST).parent
    files = []
    for s in chosen:
        for p in (s.labels, s.source):
            try:
                shown = str(p.resolve().relative_to(root.resolve().parent))
            except ValueError:
                shown = p.name
            files.append({"file": shown, "sha256": _sha(p)})
    counts = Counter(ex.kind.value for ex in examples)
    meta = {
        "trained_on": files,
        "extra_examples": {"label": extra_label, "count": len(extra)} if extra else None,
        "examples": len(examples),
        "examples_per_kind": dict(sorted(counts.items())),
        "settings": {
            "C": C,
            "kind2_weight": KIND2_WEIGHT,
            "learner": "scikit-learn LogisticRegression (lbfgs, multinomial)",
        },
        "leave_one_workshop_out": lowo,
        "command": "collab-graph train" + (" --reviews" if extra else ""),
    }
    final = KindModel(
        classes=model.classes,
        weights=model.weights,
        intercept=model.intercept,
        temperature=1.0,
        abstain=ABSTAIN,
        calibration=platt,
        meta={k: v for k, v in meta.items() if v is not None},
    )
    return final, predictions
