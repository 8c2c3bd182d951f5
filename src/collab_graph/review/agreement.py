"""Agreement between two codings of the same notes (pure functions, no printing).

Two coders (an analyst, a colleague, a reference coding, the classifier) code
the same notes. The units compared are the notes both coded, matched by
workshop and note id. For the *kind* of a note (nominal: practice, barrier,
benefit, context, heading) it gives the share of notes coded alike, Cohen's
kappa (scikit-learn) and Krippendorff's alpha (nominal, :func:`krippendorff_alpha`);
for each *theme*, how often the two agree on whether it applies; and the notes
they disagree on.

A coding is read from one of four sources (:func:`detect_source`): a workspace
folder (the classifier's coding with that workspace's reviews applied), a
reviews CSV (``workshop, note_id, text_hash, kind, themes, ..., reason``: the
format of a workspace's ``reviews.csv``), a reference-coding CSV (``id, kind,
themes, ...``: the format of ``shared/reference-coding/notes.csv``), or the word
``classifier``. Which it is comes from the file's header, not its name.

Examples
--------
>>> a = Coding("A", {("w", "n1"): CodedUnit("practice", ("p_x",)),
...                  ("w", "n2"): CodedUnit("barrier")})
>>> b = Coding("B", {("w", "n1"): CodedUnit("practice"),
...                  ("w", "n2"): CodedUnit("benefit")})
>>> r = compare(a, b)
>>> r.compared, r.kind_agreement, [(t.theme, t.only_a) for t in r.themes]
(2, 0.5, [('p_x', 1)])
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from collab_graph.csvfiles import read_text
from collab_graph.errors import AgreementError
from collab_graph.model import CodedNote
from collab_graph.review.evaluate import ReferenceNote, match_reference
from collab_graph.workspace import Workspace

__all__ = [
    "CLASSIFIER",
    "AgreementReport",
    "CodedUnit",
    "Coding",
    "CodingSource",
    "Disagreement",
    "SourceType",
    "ThemeAgreement",
    "coding_of",
    "cohen_kappa",
    "compare",
    "detect_source",
    "krippendorff_alpha",
    "reference_coding",
]

#: The word that names the classifier's own coding on the command line.
CLASSIFIER = "classifier"

#: (workshop, note id): how notes are matched between codings.
NoteKey = tuple[str, str]

# Columns that tell the two CSV formats apart (see detect_source).
_REVIEWS_COLUMNS = ("note_id", "text_hash")
_REFERENCE_COLUMNS = ("id", "kind")
_GOLD_COLUMNS = ("line", "text", "kind")


class SourceType(StrEnum):
    """What an input of ``collab-graph agreement`` is."""

    WORKSPACE = "workspace"
    REVIEWS = "reviews"
    REFERENCE = "reference"
    CLASSIFIER = "classifier"


@dataclass(frozen=True, slots=True)
class CodingSource:
    """Where a coding comes from: its type, its path (except for the classifier) and whether
    it codes themes (a reference coding without a ``themes`` column does not)."""

    type: SourceType
    path: Path | None = None
    themes: bool = True

    @property
    def name(self) -> str:
        """The source as the user named it (a path, or ``classifier``)."""
        return str(self.path) if self.path is not None else CLASSIFIER

    @property
    def workspace(self) -> Workspace | None:
        """The workspace a workspace source names (None for the other types)."""
        if self.type is SourceType.WORKSPACE and self.path is not None:
            return Workspace(self.path)
        return None


def _header(path: Path) -> list[str]:
    """The header cells of a CSV file; errors name the file (and line)."""
    text = read_text(path, "coding file")
    if not text.strip():
        raise AgreementError(
            f"{path}: the file is empty; expected a reviews CSV or a reference-coding CSV",
            path=str(path),
        )
    try:
        first = next(csv.reader(io.StringIO(text)), [])
    except csv.Error as exc:
        raise AgreementError(f"{path}: line 1: {exc}", path=str(path), line=1) from exc
    return [cell.strip() for cell in first]


def detect_source(arg: str | Path) -> CodingSource:
    """What a command-line input names: a workspace, a reviews CSV, a reference CSV or the
    classifier.

    A folder is a workspace (it must hold ``reviews.csv``). A file is told by
    its header: a reviews CSV has ``note_id`` and ``text_hash``; a reference
    coding has ``id`` and ``kind`` (or, in the gold format, ``line``, ``text``
    and ``kind``). The word ``classifier`` is the classifier's own coding (write
    ``./classifier`` for a file of that name).

    Parameters
    ----------
    arg : str or path-like
        As given on the command line.

    Returns
    -------
    CodingSource

    Raises
    ------
    AgreementError
        When the path does not exist, a folder holds no reviews, or a file's
        header fits neither format or both (naming the file and line 1).
    DataFileError
        When a file cannot be read or is not UTF-8 (naming the file and line).

    Examples
    --------
    >>> detect_source("classifier").type.value
    'classifier'
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "theirs.csv"
    >>> _ = p.write_text("id,kind,themes\\nG1-Q1-A-1,practice,\\n", encoding="utf-8")
    >>> detect_source(p).type.value
    'reference'
    """
    if str(arg) == CLASSIFIER:
        return CodingSource(SourceType.CLASSIFIER)
    path = Path(arg).expanduser()
    if path.is_dir():
        if not (path / "reviews.csv").is_file():
            raise AgreementError(
                f"{path}: this workspace folder holds no reviews.csv, so its coding is the "
                "classifier's; save reviews there first (collab-graph review, or the app)",
                path=str(path),
            )
        return CodingSource(SourceType.WORKSPACE, path)
    if not path.exists():
        raise AgreementError(
            f"{path}: no such file or folder; give a workspace folder, a reviews CSV, a "
            f"reference-coding CSV or the word {CLASSIFIER}",
            path=str(path),
        )
    header = set(_header(path))
    reviews = all(c in header for c in _REVIEWS_COLUMNS)
    reference = all(c in header for c in _REFERENCE_COLUMNS) or all(
        c in header for c in _GOLD_COLUMNS
    )
    if reviews and reference:
        raise AgreementError(
            f"{path}: line 1: ambiguous: the header has the columns of a reviews CSV "
            f"({', '.join(_REVIEWS_COLUMNS)}) and of a reference coding "
            f"({', '.join(_REFERENCE_COLUMNS)}); remove the ones it does not need",
            path=str(path),
            line=1,
        )
    if reviews:
        return CodingSource(SourceType.REVIEWS, path)
    if reference:
        return CodingSource(SourceType.REFERENCE, path, themes="themes" in header)
    found = ", ".join(sorted(h for h in header if h)) or "none"
    raise AgreementError(
        f"{path}: line 1: not a coding: a reviews CSV has the columns workshop, note_id, "
        f"text_hash, kind, themes, reason; a reference coding has id, kind, themes "
        f"(found: {found})",
        path=str(path),
        line=1,
    )


@dataclass(frozen=True, slots=True)
class CodedUnit:
    """One coder's coding of one note: its kind and theme ids (``text`` is for display)."""

    kind: str
    themes: tuple[str, ...] = ()
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class Coding:
    """One coder's coding of a set of notes.

    Parameters
    ----------
    name : str
        How to name it in messages (a path, or ``classifier``).
    units : mapping
        :class:`CodedUnit` by (workshop, note id), in note order.
    unmatched : tuple of str
        Rows of the source that match no note (e.g. reference ids that are not
        in the notes files): they are counted as coded by this coder only.
    themes : bool
        False when the coding gives no themes at all (a reference without a
        ``themes`` column): themes are then not compared.
    """

    name: str
    units: Mapping[NoteKey, CodedUnit]
    unmatched: tuple[str, ...] = ()
    themes: bool = True


def _unit(c: CodedNote) -> CodedUnit:
    return CodedUnit(c.kind.value, tuple(t.id for t in c.themes), c.note.text)


def coding_of(name: str, coded: Sequence[CodedNote]) -> Coding:
    """The coding of coded notes (the classifier's, or with reviews applied).

    Examples
    --------
    >>> from collab_graph.model import Note, NoteKind
    >>> c = coding_of("x", [CodedNote(Note("n1", "w", None, None, None, 1, "t"),
    ...                                NoteKind.BENEFIT)])
    >>> c.units[("w", "n1")].kind
    'benefit'
    """
    return Coding(name, {(c.note.workshop, c.note.id): _unit(c) for c in coded})


def reference_coding(
    name: str,
    coded: Sequence[CodedNote],
    reference: Sequence[ReferenceNote],
    *,
    themes: bool = True,
) -> Coding:
    """A reference coding keyed by the notes its rows match (as ``collab-graph eval`` matches
    them, :func:`~collab_graph.review.evaluate.match_reference`).

    The reference's ``kind`` is its coding (``kind2``, an alternative a reader
    could also give, is not: agreement compares one answer per coder).

    Parameters
    ----------
    name : str
        How to name the reference.
    coded : sequence of CodedNote
        The notes (any coding of them): they give each row its key and text.
    reference : sequence of ReferenceNote
        From :func:`~collab_graph.review.evaluate.load_reference`.
    themes : bool
        False when the reference has no ``themes`` column.

    Examples
    --------
    >>> from collab_graph.model import Note, NoteKind
    >>> notes = [CodedNote(Note("n1", "w", None, None, None, 1, "t"), NoteKind.CONTEXT)]
    >>> ref = reference_coding("ref", notes, [ReferenceNote("n1", "barrier", themes=("b_x",)),
    ...                                       ReferenceNote("n9", "practice")])
    >>> ref.units[("w", "n1")], ref.unmatched
    (CodedUnit(kind='barrier', themes=('b_x',), text='t'), ('n9',))
    """
    pairs, missing = match_reference(coded, reference)
    units = {
        (c.note.workshop, c.note.id): CodedUnit(ref.kind, ref.themes, c.note.text)
        for ref, c in pairs
    }
    return Coding(name, units, tuple(missing), themes)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two coders' nominal codes of the same units (scikit-learn).

    Parameters
    ----------
    a, b : sequence
        The codes, one per unit, in the same unit order.

    Returns
    -------
    float or None
        None when it is undefined: both coders give every unit the same code,
        so agreement expected by chance is total.

    Raises
    ------
    ValueError
        When the sequences are empty or of different lengths.

    Examples
    --------
    Cohen's kappa on the grant-proposal example of Wikipedia's "Cohen's kappa"
    (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no):

    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> round(cohen_kappa(a, b), 3)
    0.4
    >>> cohen_kappa(["x", "x"], ["x", "x"]) is None
    True
    """
    if len(a) != len(b) or not a:
        raise ValueError("cohen_kappa needs two non-empty sequences of the same length")
    if len(set(a) | set(b)) < 2:
        return None
    from sklearn.metrics import cohen_kappa_score

    labels = sorted(set(a) | set(b), key=str)
    return float(cohen_kappa_score(list(a), list(b), labels=labels))


def krippendorff_alpha(data: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data, from the coincidence matrix.

    alpha = 1 - D_o / D_e, with (for nominal codes) D_o = sum over c != k of
    o_ck and D_e = sum over c != k of n_c n_k / (n - 1), where o_ck counts the
    pairs of values (c, k) coded in the same unit, each unit's pairs weighted
    1 / (m_u - 1) for its m_u values, n_c are the marginals of o and n their
    sum (Krippendorff 2011, "Computing Krippendorff's alpha-reliability").
    Units with fewer than two values are not pairable and count for nothing.

    Parameters
    ----------
    data : sequence of sequences
        One row per coder, one column per unit; None is a missing value.

    Returns
    -------
    float or None
        None when it is undefined: no unit has two values, or every value is
        the same code (no disagreement is possible by chance).

    Raises
    ------
    ValueError
        When there are no rows or the rows differ in length.

    Examples
    --------
    Krippendorff (2011), example C (4 observers, 12 units, missing values):

    >>> N = None
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    ...         [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]]
    >>> round(krippendorff_alpha(data), 3)
    0.743
    >>> krippendorff_alpha([["a", "a"], ["a", "a"]]) is None
    True
    """
    if not data or len({len(row) for row in data}) != 1:
        raise ValueError("krippendorff_alpha needs one row per coder, all of the same length")
    disagree = 0.0  # the sum of o_ck over c != k
    # n_c = sum over k of o_ck: each pairable value counts once (its unit's weight
    # 1 / (m_u - 1) times its m_u - 1 partners)
    n_c: Counter[Hashable] = Counter()
    for unit in zip(*data, strict=True):
        values = Counter(v for v in unit if v is not None)
        m = sum(values.values())
        if m < 2:
            continue
        # ordered pairs of different values in the unit: m^2 - sum of squared counts
        disagree += (m * m - sum(v * v for v in values.values())) / (m - 1)
        n_c.update(values)
    n = sum(n_c.values())
    expected = (n * n - sum(v * v for v in n_c.values())) / (n - 1) if n > 1 else 0.0
    if expected == 0:
        return None
    return 1.0 - disagree / expected


@dataclass(frozen=True, slots=True)
class ThemeAgreement:
    """How two codings agree on whether one theme applies to each compared note."""

    theme: str
    both: int
    only_a: int
    only_b: int
    neither: int

    @property
    def agreement(self) -> float:
        """Share of compared notes on which both apply the theme or both do not."""
        total = self.both + self.only_a + self.only_b + self.neither
        return (self.both + self.neither) / total

    @property
    def positive_agreement(self) -> float:
        """2·both / (2·both + only A + only B): agreement among the notes either applies
        the theme to, not inflated by the many notes neither does."""
        return 2 * self.both / (2 * self.both + self.only_a + self.only_b)


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A note the two codings code differently (kind, themes or both)."""

    workshop: str
    id: str
    a: CodedUnit
    b: CodedUnit
    themes_compared: bool = True

    @property
    def text(self) -> str:
        """The note's text."""
        return self.a.text or self.b.text

    @property
    def on(self) -> tuple[str, ...]:
        """What they disagree on: ``kind``, ``themes`` or both."""
        out = ("kind",) if self.a.kind != self.b.kind else ()
        differ = self.themes_compared and set(self.a.themes) != set(self.b.themes)
        return (*out, "themes") if differ else out


@dataclass(frozen=True)
class AgreementReport:
    """Everything ``collab-graph agreement`` reports.

    Attributes
    ----------
    a, b : str
        The names of the two codings.
    compared : int
        Notes in both codings (the units).
    only_a, only_b : int
        Notes (or rows matching no note) in one coding only: left out.
    kind_agreement : float
        Share of compared notes given the same kind.
    kappa, alpha : float or None
        Cohen's kappa and Krippendorff's alpha (nominal) of the kinds; None
        when undefined, with the reason in ``undefined``.
    undefined : mapping
        ``{"cohen_kappa" | "krippendorff_alpha": reason}`` for each undefined one.
    confusion : mapping
        ``confusion[kind by A][kind by B]`` counts.
    themes_compared : bool
        False when a coding gives no themes (then ``themes`` is empty).
    themes : tuple of ThemeAgreement
        Each theme either coding applies to a compared note, most disagreed first.
    disagreements : tuple of Disagreement
        Notes coded differently, those differing on kind first, in note order.
    """

    a: str
    b: str
    compared: int
    only_a: int
    only_b: int
    kind_agreement: float
    kappa: float | None
    alpha: float | None
    undefined: Mapping[str, str]
    confusion: Mapping[str, Mapping[str, int]]
    themes_compared: bool
    themes: tuple[ThemeAgreement, ...]
    disagreements: tuple[Disagreement, ...]

    def record(self, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The report as a JSON-friendly dict (figures rounded to 4 places; None = undefined).

        ``labels`` gives theme labels by id (a theme without one shows its id).
        """
        names = labels or {}

        def unit(u: CodedUnit) -> dict[str, Any]:
            return {"kind": u.kind, "themes": list(u.themes)}

        return {
            "a": self.a,
            "b": self.b,
            "notes": {"compared": self.compared, "only_a": self.only_a, "only_b": self.only_b},
            "kind": {
                "agreement": round(self.kind_agreement, 4),
                "cohen_kappa": None if self.kappa is None else round(self.kappa, 4),
                "krippendorff_alpha": None if self.alpha is None else round(self.alpha, 4),
                "undefined": dict(self.undefined),
                "confusion": {k: dict(row) for k, row in self.confusion.items()},
            },
            "themes_compared": self.themes_compared,
            "themes": [
                {
                    "id": t.theme,
                    "label": names.get(t.theme, t.theme),
                    "both": t.both,
                    "only_a": t.only_a,
                    "only_b": t.only_b,
                    "neither": t.neither,
                    "agreement": round(t.agreement, 4),
                    "positive_agreement": round(t.positive_agreement, 4),
                }
                for t in self.themes
            ],
            "disagreements": [
                {
                    "workshop": d.workshop,
                    "id": d.id,
                    "text": d.text,
                    "on": list(d.on),
                    "a": unit(d.a),
                    "b": unit(d.b),
                }
                for d in self.disagreements
            ],
        }


def compare(a: Coding, b: Coding) -> AgreementReport:
    """Compare two codings of the same notes.

    Parameters
    ----------
    a, b : Coding
        The two codings; the units are the notes both hold.

    Returns
    -------
    AgreementReport

    Raises
    ------
    AgreementError
        When the codings have no note in common.

    Examples
    --------
    >>> same = Coding("A", {("w", "n1"): CodedUnit("context"), ("w", "n2"): CodedUnit("context")})
    >>> r = compare(same, Coding("B", dict(same.units)))
    >>> r.kind_agreement, r.kappa, r.undefined["cohen_kappa"][:45]
    (1.0, None, 'both codings give every note the kind context')
    """
    common = [key for key in a.units if key in b.units]
    only_a = len(a.units) - len(common) + len(a.unmatched)
    only_b = len(b.units) - len(common) + len(b.unmatched)
    if not common:
        raise AgreementError(
            f"{a.name} and {b.name} have no note in common ({only_a} notes only in the "
            f"first, {only_b} only in the second); name the notes files they code after "
            "the two codings (without any, the bundled workshop is read)"
        )
    kinds_a = [a.units[k].kind for k in common]
    kinds_b = [b.units[k].kind for k in common]
    kappa = cohen_kappa(kinds_a, kinds_b)
    alpha = krippendorff_alpha([kinds_a, kinds_b])
    undefined: dict[str, str] = {}
    if kappa is None or alpha is None:
        reason = (
            f"both codings give every note the kind {kinds_a[0]}: agreement expected by "
            "chance is total, so this statistic is undefined"
        )
        undefined.update(
            {
                name: reason
                for name, value in (("cohen_kappa", kappa), ("krippendorff_alpha", alpha))
                if value is None
            }
        )
    seen_kinds = sorted(set(kinds_a) | set(kinds_b))
    confusion = {k: dict.fromkeys(seen_kinds, 0) for k in seen_kinds}
    for x, y in zip(kinds_a, kinds_b, strict=True):
        confusion[x][y] += 1

    themes_compared = a.themes and b.themes

    def themes_of(unit: CodedUnit) -> set[str]:
        return set(unit.themes) if themes_compared else set()

    counts: dict[str, list[int]] = {}  # theme -> [both, only a, only b]
    for key in common:
        ta, tb = themes_of(a.units[key]), themes_of(b.units[key])
        for theme in ta | tb:
            row = counts.setdefault(theme, [0, 0, 0])
            row[0 if theme in ta and theme in tb else 1 if theme in ta else 2] += 1
    themes = sorted(
        (
            ThemeAgreement(t, both, oa, ob, len(common) - both - oa - ob)
            for t, (both, oa, ob) in counts.items()
        ),
        key=lambda t: (-(t.only_a + t.only_b), -(t.both + t.only_a + t.only_b), t.theme),
    )
    differing = [
        Disagreement(key[0], key[1], a.units[key], b.units[key], themes_compared)
        for key in common
        if a.units[key].kind != b.units[key].kind
        or themes_of(a.units[key]) != themes_of(b.units[key])
    ]
    differing.sort(key=lambda d: "kind" not in d.on)  # stable: note order within each
    return AgreementReport(
        a=a.name,
        b=b.name,
        compared=len(common),
        only_a=only_a,
        only_b=only_b,
        kind_agreement=sum(x == y for x, y in zip(kinds_a, kinds_b, strict=True)) / len(common),
        kappa=kappa,
        alpha=alpha,
        undefined=undefined,
        confusion=confusion,
        themes_compared=themes_compared,
        themes=tuple(themes),
        disagreements=tuple(differing),
    )
