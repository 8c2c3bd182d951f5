"""The kind model: a multinomial logistic regression over named note features, stored as JSON.

The model says how much each feature of :mod:`collab_graph.coding.features`
counts for each kind (practice, barrier, benefit, context). It is learned by
:mod:`collab_graph.coding.train` (scikit-learn) from labelled notes and the
analyst's reviews, and stored as plain JSON: the classes, a weight per class
for every feature, the intercepts and a calibration temperature. JSON cannot
run code, diffs well and is read here without scikit-learn: scoring a note is
a sum over its few active features.

``data/kind-model.json`` ships with the package; a model retrained on the
analyst's reviews goes to the workspace (``kind-model.json`` there) and is used
instead.

Examples
--------
>>> model = load_model()
>>> probs = model.probabilities({"intent=barrier": 1.0, "form=deficit": 1.0})
>>> max(probs, key=probs.__getitem__).value
'barrier'
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from collab_graph.csvfiles import read_text
from collab_graph.errors import DataFileError
from collab_graph.model import NoteKind
from collab_graph.resources import data_path

__all__ = ["MODEL_FILE", "MODEL_FORMAT", "KindModel", "Scored", "load_model"]

MODEL_FILE = "kind-model.json"
MODEL_FORMAT = "collab-graph kind model 1"
#: Decimals kept of every weight: enough for the scores, few enough that the same training
#: data give the same file on another machine (floating-point noise stays far below them).
DIGITS = 4


#: The weighted sum of some features: per-class sums, and (name, value, margins) rows.
Partial = tuple[tuple[float, ...], tuple[tuple[str, float, tuple[float, ...]], ...]]


@dataclass(frozen=True, slots=True)
class Scored:
    """A note scored by a :class:`KindModel`: its probabilities and its known features."""

    classes: tuple[NoteKind, ...]
    probabilities: dict[NoteKind, float]
    rows: list[tuple[str, float, tuple[float, ...]]]  # name, value, margins per class

    def explain(
        self, kinds: Sequence[NoteKind], top: int | None = None
    ) -> dict[NoteKind, list[tuple[str, float]]]:
        """For each of ``kinds``, how much each feature pushed towards it over the other
        kinds (its weight minus the mean of the others', times its value), largest first;
        only the ``top`` largest when given."""
        out: dict[NoteKind, list[tuple[str, float]]] = {}
        for k in kinds:
            i = self.classes.index(k)
            pushes = [(name, value * margins[i]) for name, value, margins in self.rows]
            pushes.sort(key=_second, reverse=True)
            out[k] = pushes if top is None else pushes[:top]
        return out


def _second(pair: tuple[str, float]) -> float:
    return pair[1]


@dataclass(frozen=True)
class KindModel:
    """Per-class weights of named features, intercepts and a softmax temperature.

    Attributes
    ----------
    classes : tuple of NoteKind
        The kinds, in the order of every weight vector.
    weights : mapping of str to tuple of float
        Feature name → one weight per class.
    intercept : tuple of float
    temperature : float
        Logits are divided by it before the softmax.
    abstain : float
        Below this confidence a note is flagged ``needs_review``.
    calibration : (float, float)
        Platt scaling ``(a, b)`` of the top probability ``p``: the confidence
        that the coded kind is right is ``sigmoid(a * logit(p) + b)``, fitted on
        documents the model was not trained on (see :meth:`confidence`).
    meta : mapping
        How the model was made (training files, examples, settings, figures).
    """

    classes: tuple[NoteKind, ...]
    weights: Mapping[str, tuple[float, ...]]
    intercept: tuple[float, ...]
    temperature: float = 1.0
    abstain: float = 0.5
    calibration: tuple[float, float] = (1.0, 0.0)
    meta: Mapping[str, Any] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def logits(self, features: Mapping[str, float]) -> list[float]:
        """Intercept plus the weighted sum of the known features, per class."""
        out = list(self.intercept)
        for name, value in features.items():
            w = self.weights.get(name)
            if w is not None:
                for i, x in enumerate(w):
                    out[i] += x * value
        return out

    def score(self, features: Mapping[str, float]) -> Scored:
        """The calibrated probabilities of one note, keeping what :meth:`Scored.explain` needs."""
        return self.combine(self.partial(features))

    def partial(self, features: Mapping[str, float]) -> Partial:
        """The weighted sum of some of a note's features (no intercept), to :meth:`combine`.

        A note's own words are the same wherever it stands, so their part can be
        computed once per text and combined with the part of its context.
        """
        table = self._table()
        rows = []
        if len(self.classes) == 4:
            # the usual four kinds, unrolled: the same sums, added in the same order
            z0 = z1 = z2 = z3 = 0.0
            for name, value in features.items():
                entry = table.get(name)
                if entry is not None:
                    w, margins = entry
                    rows.append((name, value, margins))
                    w0, w1, w2, w3 = w
                    z0 += w0 * value
                    z1 += w1 * value
                    z2 += w2 * value
                    z3 += w3 * value
            return (z0, z1, z2, z3), tuple(rows)
        z = [0.0] * len(self.classes)
        for name, value in features.items():
            entry = table.get(name)
            if entry is not None:
                w, margins = entry
                rows.append((name, value, margins))
                for i, x in enumerate(w):
                    z[i] += x * value
        return tuple(z), tuple(rows)

    def combine(self, *parts: Partial) -> Scored:
        """The probabilities of a note from the :meth:`partial` sums of its features."""
        z = list(self.intercept)
        rows: list[tuple[str, float, tuple[float, ...]]] = []
        for dz, r in parts:
            for i, x in enumerate(dz):
                z[i] += x
            rows.extend(r)
        top = max(z)
        e = [math.exp((x - top) / self.temperature) for x in z]
        total = sum(e)
        probs = {k: v / total for k, v in zip(self.classes, e, strict=True)}
        return Scored(self.classes, probs, rows)

    def _table(self) -> dict[str, tuple[tuple[float, ...], tuple[float, ...]]]:
        """Each feature's weights and margins (weight minus the mean of the others'), made once."""
        table = self._cache.get("table")
        if table is None:
            n = max(1, len(self.classes) - 1)
            table = {}
            for name, w in self.weights.items():
                total = sum(w)
                table[name] = (w, tuple(x - (total - x) / n for x in w))
            self._cache["table"] = table
        return table

    def confidence(self, top: float) -> float:
        """How likely the coded kind is right, from the top probability (Platt-calibrated).

        Examples
        --------
        >>> KindModel.empty().confidence(0.7)
        0.7
        """
        p = min(max(top, 1e-6), 1 - 1e-6)
        a, b = self.calibration
        return round(1.0 / (1.0 + math.exp(-(a * math.log(p / (1 - p)) + b))), 6)

    def probabilities(self, features: Mapping[str, float]) -> dict[NoteKind, float]:
        """The calibrated probability of each kind."""
        z = [x / self.temperature for x in self.logits(features)]
        top = max(z)
        e = [math.exp(x - top) for x in z]
        total = sum(e)
        return {k: v / total for k, v in zip(self.classes, e, strict=True)}

    def contributions(
        self, features: Mapping[str, float], kind: NoteKind
    ) -> list[tuple[str, float]]:
        """How much each known feature pushes towards ``kind`` over the others, largest first."""
        i = self.classes.index(kind)
        out = []
        for name, value in features.items():
            w = self.weights.get(name)
            if w is None:
                continue
            others = (sum(w) - w[i]) / max(1, len(w) - 1)
            out.append((name, (w[i] - others) * value))
        return sorted(out, key=lambda kv: -kv[1])

    def known(self, features: Mapping[str, float]) -> int:
        """How many of the features the model has weights for."""
        return sum(1 for name in features if name in self.weights)

    @classmethod
    def empty(cls) -> KindModel:
        """A model with no weights (every kind equally likely): a starting point for training."""
        classes = (NoteKind.PRACTICE, NoteKind.BARRIER, NoteKind.BENEFIT, NoteKind.CONTEXT)
        return cls(classes=classes, weights={}, intercept=(0.0,) * len(classes))

    # -- storage -------------------------------------------------------------------

    def to_json(self) -> str:
        """The model as deterministic JSON (sorted features, rounded weights)."""
        data = {
            "format": MODEL_FORMAT,
            "classes": [k.value for k in self.classes],
            "intercept": [round(x, DIGITS) for x in self.intercept],
            "temperature": round(self.temperature, 6),
            "abstain": round(self.abstain, 6),
            "calibration": [round(x, DIGITS) for x in self.calibration],
            "meta": self.meta,
            "weights": {
                name: [round(x, DIGITS) for x in w]
                for name, w in sorted(self.weights.items())
                if any(round(x, DIGITS) for x in w)
            },
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str, *, path: str = "<model>") -> KindModel:
        """Read a model written by :meth:`to_json`.

        Raises
        ------
        DataFileError
            When the text is not such a model.
        """
        try:
            data = json.loads(text)
            if data.get("format") != MODEL_FORMAT:
                raise ValueError(f"format {data.get('format')!r}, expected {MODEL_FORMAT!r}")
            classes = tuple(NoteKind(k) for k in data["classes"])
            n = len(classes)
            weights = {str(k): tuple(float(x) for x in v) for k, v in data["weights"].items()}
            if any(len(w) != n for w in weights.values()) or len(data["intercept"]) != n:
                raise ValueError("a weight vector does not have one value per class")
            return cls(
                classes=classes,
                weights=weights,
                intercept=tuple(float(x) for x in data["intercept"]),
                temperature=float(data.get("temperature", 1.0)),
                abstain=float(data.get("abstain", 0.5)),
                calibration=tuple(float(x) for x in data.get("calibration", (1.0, 0.0))),  # type: ignore[arg-type]
                meta=data.get("meta", {}),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DataFileError(
                f"{path}: not a collab-graph kind model ({exc}); retrain it with "
                "`collab-graph train`",
                path=path,
            ) from exc


@lru_cache(maxsize=4)
def _model_from(path: str, text: str) -> KindModel:
    return KindModel.from_json(text, path=path)


def load_model(paths: Path | str | Sequence[Path | str] | None = None) -> KindModel:
    """The kind model: the last of ``paths`` that exists (the workspace's over the bundled one).

    Examples
    --------
    >>> load_model().classes[0].value
    'practice'
    """
    if paths is None:
        chosen = [data_path(MODEL_FILE)]
    elif isinstance(paths, (str, Path)):
        chosen = [Path(paths)]
    else:
        chosen = [Path(p) for p in paths]
    existing = [p for p in chosen if p.is_file()] or chosen[:1]
    p = existing[-1]
    return _model_from(str(p), read_text(p, "kind model"))
