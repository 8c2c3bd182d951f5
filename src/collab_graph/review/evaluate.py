"""Agreement of a coding with a reference coding (pure functions, no printing).

The reference is a CSV in the format of ``shared/reference-coding/notes.csv``:
one row per note with at least ``id, kind, themes, orgs``; ``kind2`` (an
alternative kind a reasonable annotator could also give) and ``workshop`` are
optional. Multi-valued cells are ``;``-separated.

Examples
--------
>>> from collab_graph.model import CodedNote, Note, NoteKind
>>> ref = [ReferenceNote("a", "barrier", "practice"), ReferenceNote("b", "benefit")]
>>> coded = [CodedNote(Note("a", "w", None, None, None, 1, "x"), NoteKind.PRACTICE),
...          CodedNote(Note("b", "w", None, None, None, 2, "y"), NoteKind.BENEFIT)]
>>> r = evaluate(coded, ref)
>>> r.kind_accuracy, r.kind_accuracy_exact
(1.0, 0.5)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from collab_graph.coding.orgnames import is_unresolved_id
from collab_graph.csvfiles import read_csv, split_cell
from collab_graph.errors import DataFileError, InputFileError
from collab_graph.model import CodedNote, NoteKind, Organisation

__all__ = [
    "EvalReport",
    "KindScore",
    "Mismatch",
    "ReferenceNote",
    "evaluate",
    "fold_org_name",
    "load_reference",
    "match_reference",
    "org_name_counts",
]

KINDS: tuple[str, ...] = tuple(k.value for k in NoteKind)


@dataclass(frozen=True, slots=True)
class ReferenceNote:
    """One row of a reference coding: a note by id, or (gold format) by line and text."""

    id: str
    kind: str
    kind2: str | None = None
    themes: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    text: str = ""
    workshop: str | None = None
    line: int | None = None

    def accepts(self, kind: str) -> bool:
        """True when ``kind`` is the reference kind or its alternative."""
        return kind == self.kind or (self.kind2 is not None and kind == self.kind2)


@dataclass(frozen=True, slots=True)
class KindScore:
    """Precision, recall and F1 of one kind (exact reference kind)."""

    kind: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A note whose coded kind the reference accepts neither as kind nor kind2."""

    id: str
    text: str
    reference: str
    reference2: str | None
    coded: str
    confidence: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class EvalReport:
    """Everything ``collab-graph eval`` reports.

    Attributes
    ----------
    matched : int
        Reference notes found in the coding (by workshop and id, or id alone).
    kind_accuracy : float
        Share of matched notes whose kind is the reference ``kind`` or ``kind2``.
    kind_accuracy_exact : float
        Share whose kind is exactly the reference ``kind``.
    per_kind : dict
        :class:`KindScore` by kind, against the exact reference kind.
    confusion : dict
        ``confusion[reference][coded]`` counts.
    org_precision, org_recall, org_f1 : float
        Over (note, organisation id) pairs; for a reference by line (the gold
        format, whose ``orgs`` are names as written), over (note, name) pairs
        matched by :func:`org_name_counts`. A reference by id that names no
        ``unresolved:`` id was made with the gazetteer's ids only, so it cannot
        judge a name detected in the notes: those are not scored but counted
        in ``org_unscored``.
    macro_f1 : float
        Mean F1 over the kinds in the reference or the coding (exact kind).
    kappa : float
        Cohen's kappa between the reference kind and the coded kind.
    theme_primary_agreement : float or None
        Share of notes with a reference theme whose first coded theme equals
        the first reference theme, counting only themes whose ids both share.
    theme_precision, theme_recall : float or None
        Over (note, theme id) pairs restricted to shared theme ids.
    """

    reference_size: int
    matched: int
    missing: tuple[str, ...]
    extra: int
    kind_accuracy: float
    kind_accuracy_exact: float
    per_kind: Mapping[str, KindScore]
    confusion: Mapping[str, Mapping[str, int]]
    org_precision: float
    org_recall: float
    org_f1: float
    org_counts: tuple[int, int, int]
    shared_theme_ids: int
    theme_primary_agreement: float | None
    theme_precision: float | None
    theme_recall: float | None
    reviewed: int
    mismatches: tuple[Mismatch, ...] = field(default=())
    macro_f1: float = 0.0
    kappa: float = 0.0
    org_unscored: int = 0

    def summary(self) -> dict[str, object]:
        """The headline figures as a flat, JSON-friendly dict."""
        return {
            "matched": self.matched,
            "reference": self.reference_size,
            "kind_accuracy": round(self.kind_accuracy, 4),
            "kind_accuracy_exact": round(self.kind_accuracy_exact, 4),
            "macro_f1": round(self.macro_f1, 4),
            "kappa": round(self.kappa, 4),
            "org_precision": round(self.org_precision, 4),
            "org_recall": round(self.org_recall, 4),
            "org_f1": round(self.org_f1, 4),
            "org_unscored": self.org_unscored,
            "theme_primary_agreement": _r(self.theme_primary_agreement),
            "theme_precision": _r(self.theme_precision),
            "theme_recall": _r(self.theme_recall),
            "reviewed": self.reviewed,
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split(";") if p.strip())


def load_reference(path: Path | str) -> list[ReferenceNote]:
    """Read a reference coding CSV: by note id (``id, kind, ...``, the format of
    ``shared/reference-coding/notes.csv``) or by line (``line, text, kind, ...``, the
    gold format of ``shared/real-notes``).

    Raises
    ------
    InputFileError
        When the file is missing, unreadable or empty.
    DataFileError
        When a required column is missing or a kind is unknown (naming the line
        and column).
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: reference file not found", path=str(p))
    try:
        if not p.read_text(encoding="utf-8-sig").strip():
            raise InputFileError(f"{p}: reference file is empty", path=str(p))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{p}: cannot read reference file: {exc}", path=str(p)) from exc
    rows = read_csv(p, required=("kind",), what="reference coding")
    columns = set(rows[0].cells) if rows else set()
    if "id" not in columns and "line" not in columns:
        raise DataFileError(
            f"{p}: line 1: missing column(s) id; a reference needs id (or line and text) "
            "and kind (and usually kind2, themes, orgs)",
            path=str(p),
            line=1,
        )
    out: list[ReferenceNote] = []
    for row in rows:
        kind = row.choice("kind", KINDS, "unknown kind")
        kind2 = row.choice("kind2", ("", *KINDS), "unknown kind") or None
        line = int(row["line"]) if row["line"].isdigit() else None
        out.append(
            ReferenceNote(
                id=row["id"],
                kind=kind,
                kind2=kind2,
                themes=split_cell(row.get("themes")),
                orgs=split_cell(row.get("orgs")),
                text=row.get("text"),
                workshop=row.get("workshop") or None,
                line=line,
            )
        )
    return out


_THE = re.compile(r"^the\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_LABEL_PARTS = re.compile(r"\s*/\s*|\s*\(|\)")


def fold_org_name(name: str) -> str:
    """An organisation name folded for matching: lower case, no leading "the", no
    possessive, letters and digits only, no plural ``s``.

    Examples
    --------
    >>> [fold_org_name(n) for n in ("The Carpentries", "Nordic-RSE", "NordicRSE", "RWOTs")]
    ['carpentrie', 'nordicrse', 'nordicrse', 'rwot']
    >>> fold_org_name("UKRI’s") == fold_org_name("ukri")
    True
    """
    n = unicodedata.normalize("NFKC", name).strip().lower().replace("\u2019", "'")
    n = _THE.sub("", n)
    n = n.removesuffix("'s").removesuffix("'")
    n = _NOT_ALNUM.sub("", n)
    return n[:-1] if len(n) > 3 and n.endswith("s") else n


def _gold_forms(name: str) -> set[str]:
    """A reference name and, for "Long Name (LN)", each of its two forms."""
    forms = {fold_org_name(name)}
    m = re.fullmatch(r"(.*?)\s*\(([^()]*)\)\s*", name)
    if m:
        forms |= {fold_org_name(m.group(1)), fold_org_name(m.group(2))}
    return forms - {""}


def _org_forms(org: Organisation) -> set[str]:
    """The names a coded organisation answers to: its label (and for a gazetteer
    entry, its aliases and the parts of a label such as "Miro / Mural / Padlet")."""
    forms = {fold_org_name(org.label)}
    if org.resolved:
        forms |= {fold_org_name(a) for a in org.aliases}
        forms |= {fold_org_name(p) for p in _LABEL_PARTS.split(org.label) if p.strip()}
    return forms - {""}


def org_name_counts(names: Sequence[str], orgs: Sequence[Organisation]) -> tuple[int, int, int]:
    """Agreement of one note's coded organisations with reference names as written.

    A reference name is found when a coded organisation's label (or, for a
    gazetteer entry, an alias) folds (:func:`fold_org_name`) to the same string.

    Parameters
    ----------
    names : sequence of str
        The reference's names for the note ("NHS England", "UKRI").
    orgs : sequence of Organisation
        The coded organisations and tools of the note.

    Returns
    -------
    tuple of int
        (reference names found, coded organisations that match no reference
        name, reference names not found).

    Examples
    --------
    >>> from collab_graph.coding.orgnames import unresolved_org
    >>> org_name_counts(["The Carpentries", "UKRI"], [unresolved_org("Carpentries")])
    (1, 0, 1)
    """
    gold = [_gold_forms(n) for n in names if n.strip()]
    got = [_org_forms(o) for o in orgs]
    found = sum(1 for g in gold if any(g & o for o in got))
    extra = sum(1 for o in got if not any(g & o for g in gold))
    return found, extra, len(gold) - found


def _on_line(found: Sequence[CodedNote], text: str) -> CodedNote | None:
    """The coded note on a line whose text is the reference's (or the only one there)."""
    folded = " ".join(text.split()).casefold()
    for c in found:
        if " ".join(c.note.text.split()).casefold() == folded:
            return c
    return found[0] if found else None


def _agreement(gold: Sequence[str], coded: Sequence[str]) -> tuple[float, float]:
    """Macro-F1 and Cohen's kappa of two kind sequences (scikit-learn)."""
    from sklearn.metrics import cohen_kappa_score, f1_score

    labels = sorted(set(gold) | set(coded))
    if not gold or len(labels) < 2:
        return (1.0 if gold and list(gold) == list(coded) else 0.0), 1.0 if gold else 0.0
    kappa = float(cohen_kappa_score(gold, coded, labels=labels))
    f1 = float(f1_score(gold, coded, labels=labels, average="macro", zero_division=0))
    return f1, (kappa if kappa == kappa else 0.0)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def match_reference(
    coded: Sequence[CodedNote], reference: Sequence[ReferenceNote]
) -> tuple[list[tuple[ReferenceNote, CodedNote]], list[str]]:
    """Pair each reference row with its coded note.

    A row with an id matches the note with that id (in its ``workshop`` when the
    row names one); a row of the gold format matches the note on its line whose
    text is the row's.

    Parameters
    ----------
    coded : sequence of CodedNote
        The coded notes.
    reference : sequence of ReferenceNote
        From :func:`load_reference`.

    Returns
    -------
    pairs : list of (ReferenceNote, CodedNote)
        In reference order.
    missing : list of str
        The ids (or ``line N``) of the rows that match no note.

    Examples
    --------
    >>> from collab_graph.model import CodedNote, Note, NoteKind
    >>> coded = [CodedNote(Note("a", "w", None, None, None, 1, "x"), NoteKind.PRACTICE)]
    >>> pairs, missing = match_reference(coded, [ReferenceNote("a", "barrier"),
    ...                                          ReferenceNote("z", "benefit")])
    >>> [(r.id, c.note.id) for r, c in pairs], missing
    ([('a', 'a')], ['z'])
    """
    by_key: dict[tuple[str | None, str], CodedNote] = {}
    by_id: dict[str, CodedNote] = {}
    by_line: dict[int, list[CodedNote]] = {}
    for c in coded:
        by_key[(c.note.workshop, c.note.id)] = c
        by_id.setdefault(c.note.id, c)
        by_line.setdefault(c.note.line, []).append(c)
    pairs: list[tuple[ReferenceNote, CodedNote]] = []
    missing: list[str] = []
    for ref in reference:
        if ref.id:
            hit = by_key.get((ref.workshop, ref.id)) if ref.workshop else by_id.get(ref.id)
        else:
            hit = _on_line(by_line.get(ref.line or -1, []), ref.text)
        if hit is None:
            missing.append(ref.id or f"line {ref.line}")
        else:
            pairs.append((ref, hit))
    return pairs, missing


def evaluate(
    coded: Sequence[CodedNote],
    reference: Sequence[ReferenceNote],
    *,
    theme_ids: Sequence[str] | None = None,
) -> EvalReport:
    """Compare a coding with a reference coding.

    Parameters
    ----------
    coded : sequence of CodedNote
        The coding to score.
    reference : sequence of ReferenceNote
        From :func:`load_reference`.
    theme_ids : sequence of str, optional
        The taxonomy's theme ids; theme agreement counts only ids both share.
        Defaults to the ids seen in the coding.

    Returns
    -------
    EvalReport
    """
    pairs, missing = match_reference(coded, reference)
    n = len(pairs)

    lenient = sum(ref.accepts(c.kind.value) for ref, c in pairs)
    exact = sum(ref.kind == c.kind.value for ref, c in pairs)
    confusion = {g: dict.fromkeys(KINDS, 0) for g in KINDS}
    for ref, c in pairs:
        confusion.setdefault(ref.kind, dict.fromkeys(KINDS, 0))[c.kind.value] += 1
    per_kind: dict[str, KindScore] = {}
    for k in KINDS:
        tp = confusion[k][k]
        pred = sum(row[k] for row in confusion.values())
        sup = sum(confusion[k].values())
        p, r, f = _prf(tp, pred - tp, sup - tp)
        per_kind[k] = KindScore(k, p, r, f, sup, pred)

    otp = ofp = ofn = unscored = 0
    # a reference by id names gazetteer entries; unless it names detected names too
    # (unresolved:... ids), it cannot say whether a detected name is right
    score_detected = any(is_unresolved_id(o) for ref in reference for o in ref.orgs)
    for ref, c in pairs:
        if not ref.id:  # the gold format names organisations as written
            tp_n, fp_n, fn_n = org_name_counts(ref.orgs, c.orgs)
            otp, ofp, ofn = otp + tp_n, ofp + fp_n, ofn + fn_n
            continue
        got = {o.id for o in c.orgs if o.resolved or score_detected}
        unscored += sum(1 for o in c.orgs if not (o.resolved or score_detected))
        want = set(ref.orgs)
        otp += len(got & want)
        ofp += len(got - want)
        ofn += len(want - got)
    op, orr, of = _prf(otp, ofp, ofn)

    known = set(theme_ids) if theme_ids is not None else {t.id for _, c in pairs for t in c.themes}
    ref_ids = {t for ref, _ in pairs for t in ref.themes}
    shared = known & ref_ids
    prim_n = prim_ok = ttp = tfp = tfn = 0
    for ref, c in pairs:
        want_list = [t for t in ref.themes if t in shared]
        got_list = [t.id for t in c.themes if t.id in shared]
        if want_list:
            prim_n += 1
            prim_ok += bool(got_list) and got_list[0] == want_list[0]
        ttp += len(set(got_list) & set(want_list))
        tfp += len(set(got_list) - set(want_list))
        tfn += len(set(want_list) - set(got_list))
    tp_, tr_, _ = _prf(ttp, tfp, tfn)

    mismatches = tuple(
        Mismatch(
            ref.id,
            c.note.text,
            ref.kind,
            ref.kind2,
            c.kind.value,
            c.confidence,
            c.reasons,
        )
        for ref, c in pairs
        if not ref.accepts(c.kind.value)
    )
    matched_ids = {id(c) for _, c in pairs}
    macro_f1, kappa = _agreement([ref.kind for ref, _ in pairs], [c.kind.value for _, c in pairs])
    return EvalReport(
        reference_size=len(reference),
        matched=n,
        missing=tuple(missing),
        extra=sum(1 for c in coded if id(c) not in matched_ids),
        kind_accuracy=lenient / n if n else 0.0,
        kind_accuracy_exact=exact / n if n else 0.0,
        per_kind=per_kind,
        confusion=confusion,
        org_precision=op,
        org_recall=orr,
        org_f1=of,
        org_counts=(otp, ofp, ofn),
        org_unscored=unscored,
        shared_theme_ids=len(shared),
        theme_primary_agreement=prim_ok / prim_n if prim_n else None,
        theme_precision=tp_ if shared else None,
        theme_recall=tr_ if shared else None,
        reviewed=sum(1 for _, c in pairs if c.reviewed),
        mismatches=mismatches,
        macro_f1=macro_f1,
        kappa=kappa,
    )
