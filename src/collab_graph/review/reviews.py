"""Analyst reviews: corrections to the classifier that persist in ``data/reviews.csv``.

A review is keyed by workshop slug, note id and a hash of the note's text. It
can override the kind, the themes and the organisations of one note, and it
always carries the reviewer's reason. When the note's text has changed since
the review was written, the review is *stale*: it is reported and not applied.

File format (UTF-8 CSV, one row per reviewed note)::

    workshop,note_id,text_hash,kind,themes,orgs,reason,reviewer,date

``themes`` and ``orgs`` are ``;``-separated ids. An empty cell keeps what the
classifier said; ``-`` clears it. ``kind`` may be empty to keep the kind.

Examples
--------
>>> from collab_graph.model import CodedNote, Note, NoteKind
>>> note = Note("G1-Q1-A-1", "demo", 1, 1, "A", 3, "Funding")
>>> coded = [CodedNote(note, NoteKind.PRACTICE, classifier_kind=NoteKind.PRACTICE)]
>>> review = make_review(note, kind="barrier", reason="bare noun in a list of obstacles")
>>> out = apply_reviews(coded, [review])
>>> out.coded[0].kind.value, out.coded[0].reviewed, out.coded[0].classifier_kind.value
('barrier', True, 'practice')
>>> changed = [CodedNote(note.__class__(**{**_fields(note), "text": "Funding gaps"}),
...            NoteKind.BARRIER)]
>>> [s.review.note_id for s in apply_reviews(changed, [review]).stale]
['G1-Q1-A-1']
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from collab_graph.coding.taxonomy import Gazetteer, Taxonomy, load_gazetteer, load_taxonomy
from collab_graph.errors import ReviewError
from collab_graph.model import CodedNote, Note, NoteKind, Organisation, Theme
from collab_graph.resources import data_path

T = TypeVar("T", Theme, Organisation)

__all__ = [
    "REVIEW_FIELDS",
    "Review",
    "ReviewOutcome",
    "StaleReview",
    "apply_reviews",
    "delete_review",
    "load_reviews",
    "make_review",
    "reviews_path",
    "save_review",
    "text_hash",
    "upsert",
    "write_reviews",
]

REVIEWS_FILE = "reviews.csv"
REVIEW_FIELDS = (
    "workshop",
    "note_id",
    "text_hash",
    "kind",
    "themes",
    "orgs",
    "reason",
    "reviewer",
    "date",
)
CLEAR = "-"


def _fields(note: Note) -> dict[str, Any]:
    return {f.name: getattr(note, f.name) for f in fields(note)}


def text_hash(text: str) -> str:
    """A short, stable hash of a note's text (NFC, surrounding space ignored).

    Examples
    --------
    >>> text_hash("Day job – no time") == text_hash("  Day job – no time ")
    True
    >>> len(text_hash("x"))
    12
    """
    norm = unicodedata.normalize("NFC", text.strip())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Review:
    """One analyst decision about one note.

    ``themes``/``orgs`` None means "keep the classifier's"; an empty tuple
    means "none".
    """

    workshop: str
    note_id: str
    text_hash: str
    reason: str
    kind: NoteKind | None = None
    themes: tuple[str, ...] | None = None
    orgs: tuple[str, ...] | None = None
    reviewer: str = ""
    date: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """(workshop, note id): at most one review per note."""
        return (self.workshop, self.note_id)

    def row(self) -> dict[str, str]:
        """The CSV row of this review."""

        def cell(ids: tuple[str, ...] | None) -> str:
            if ids is None:
                return ""
            return ";".join(ids) if ids else CLEAR

        return {
            "workshop": self.workshop,
            "note_id": self.note_id,
            "text_hash": self.text_hash,
            "kind": self.kind.value if self.kind else "",
            "themes": cell(self.themes),
            "orgs": cell(self.orgs),
            "reason": self.reason,
            "reviewer": self.reviewer,
            "date": self.date,
        }


@dataclass(frozen=True, slots=True)
class StaleReview:
    """A review whose note's text has changed since it was written."""

    review: Review
    current_hash: str
    text: str

    def message(self) -> str:
        """One line for a log or stderr."""
        return (
            f"stale review for {self.review.workshop} {self.review.note_id}: the note text "
            f"changed (hash {self.review.text_hash} -> {self.current_hash}); not applied — "
            "re-review the note"
        )


@dataclass(frozen=True)
class ReviewOutcome:
    """What applying reviews did: the new coding, and which reviews applied or not."""

    coded: list[CodedNote]
    applied: tuple[Review, ...] = ()
    stale: tuple[StaleReview, ...] = ()
    unmatched: tuple[Review, ...] = ()


def reviews_path() -> Path:
    """The default reviews file, ``data/reviews.csv``."""
    return data_path(REVIEWS_FILE)


def _ids(cell: str) -> tuple[str, ...] | None:
    cell = cell.strip()
    if not cell:
        return None
    if cell == CLEAR:
        return ()
    return tuple(p.strip() for p in cell.split(";") if p.strip())


def load_reviews(path: Path | str | None = None) -> list[Review]:
    """Read a reviews file; a missing default file means no reviews.

    Raises
    ------
    ReviewError
        When a row lacks its key or reason, has an unknown kind, or the file
        named explicitly does not exist.
    """
    p = Path(path) if path is not None else reviews_path()
    if not p.exists():
        if path is not None:
            raise ReviewError(f"{p}: reviews file not found", path=str(p))
        return []
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewError(f"{p}: cannot read reviews file: {exc}", path=str(p)) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [
        c
        for c in ("workshop", "note_id", "text_hash", "reason")
        if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise ReviewError(
            f"{p}: line 1: missing column(s) {', '.join(missing)}; expected "
            f"{','.join(REVIEW_FIELDS)}",
            path=str(p),
            line=1,
        )
    out: list[Review] = []
    for raw in reader:
        line = reader.line_num
        row = {k: (v or "").strip() for k, v in raw.items() if isinstance(k, str)}
        if not any(row.values()):
            continue
        if not (row.get("workshop", "") and row.get("note_id", "") and row.get("text_hash", "")):
            raise ReviewError(
                f"{p}: line {line}: a review needs workshop, note_id and text_hash",
                path=str(p),
                line=line,
            )
        if not row.get("reason", ""):
            raise ReviewError(
                f"{p}: line {line}: review of {row.get('note_id', '')} has no reason; say why",
                path=str(p),
                line=line,
            )
        kind: NoteKind | None = None
        if row.get("kind", ""):
            try:
                kind = NoteKind(row.get("kind", ""))
            except ValueError:
                raise ReviewError(
                    f"{p}: line {line}: unknown kind {row.get('kind', '')!r}; use one of "
                    f"{', '.join(k.value for k in NoteKind)}",
                    path=str(p),
                    line=line,
                ) from None
        out.append(
            Review(
                workshop=row.get("workshop", ""),
                note_id=row.get("note_id", ""),
                text_hash=row.get("text_hash", ""),
                reason=row.get("reason", ""),
                kind=kind,
                themes=_ids(row.get("themes", "")),
                orgs=_ids(row.get("orgs", "")),
                reviewer=row.get("reviewer", ""),
                date=row.get("date", ""),
            )
        )
    return out


def _resolve(
    ids: Iterable[str], table: Mapping[str, T], what: str, review: Review
) -> tuple[T, ...]:
    """Look up the theme or organisation ids a review names; an unknown id is an error."""
    missing = [i for i in ids if i not in table]
    if missing:
        raise ReviewError(
            f"review of {review.workshop} {review.note_id}: unknown {what} {missing[0]!r}",
        )
    return tuple(table[i] for i in ids)


def apply_reviews(
    coded: Sequence[CodedNote],
    reviews: Sequence[Review],
    *,
    taxonomy: Taxonomy | None = None,
    gazetteer: Gazetteer | None = None,
) -> ReviewOutcome:
    """Apply reviews to a coding; stale ones are reported, not applied.

    Parameters
    ----------
    coded : sequence of CodedNote
        The classifier's coding.
    reviews : sequence of Review
        From :func:`load_reviews`.
    taxonomy, gazetteer : optional
        Resolve theme and organisation ids (default: the bundled data).

    Returns
    -------
    ReviewOutcome
        The reviewed coding (``reviewed=True``, ``classifier_kind`` kept) and
        the applied, stale and unmatched reviews. A stale review also adds a
        reason to its note so that it is visible in the output.

    Raises
    ------
    ReviewError
        When a review names an unknown theme or organisation.
    """
    if not reviews:
        return ReviewOutcome(list(coded))
    tax = taxonomy or load_taxonomy()
    gaz = gazetteer or load_gazetteer()
    by_key = {r.key: r for r in reviews}
    used: set[tuple[str, str]] = set()
    applied: list[Review] = []
    stale: list[StaleReview] = []
    out: list[CodedNote] = []
    for c in coded:
        review = by_key.get((c.note.workshop, c.note.id))
        if review is None:
            out.append(c)
            continue
        used.add(review.key)
        current = text_hash(c.note.text)
        if current != review.text_hash:
            stale.append(StaleReview(review, current, c.note.text))
            out.append(
                replace(
                    c,
                    reasons=(
                        *c.reasons,
                        "analyst review is stale (note text changed): not applied",
                    ),
                    extra={**c.extra, "stale_review": review.row()},
                )
            )
            continue
        themes = (
            c.themes
            if review.themes is None
            else _resolve(review.themes, tax.themes, "theme", review)
        )
        orgs = (
            c.orgs
            if review.orgs is None
            else _resolve(review.orgs, gaz.organisations, "organisation", review)
        )
        kind = review.kind or c.kind
        if kind is NoteKind.HEADING:
            themes = ()
        out.append(
            replace(
                c,
                kind=kind,
                themes=themes,
                orgs=orgs,
                confidence=1.0,
                reasons=(f"analyst review: {review.reason}", *c.reasons),
                reviewed=True,
                classifier_kind=c.classifier_kind or c.kind,
                extra={**c.extra, "review": review.row()},
            )
        )
        applied.append(review)
    unmatched = tuple(r for r in reviews if r.key not in used)
    return ReviewOutcome(out, tuple(applied), tuple(stale), unmatched)


def make_review(
    note: Note,
    *,
    reason: str,
    kind: NoteKind | str | None = None,
    themes: Sequence[str] | None = None,
    orgs: Sequence[str] | None = None,
    reviewer: str = "",
    date: str | None = None,
) -> Review:
    """Build a review of ``note`` (hashing its current text).

    Raises
    ------
    ReviewError
        When the reason is empty or the kind is unknown.
    """
    if not reason.strip():
        raise ReviewError(f"review of {note.id}: give a reason for the change")
    try:
        k = NoteKind(kind) if kind else None
    except ValueError:
        raise ReviewError(
            f"review of {note.id}: unknown kind {kind!r}; use one of "
            f"{', '.join(x.value for x in NoteKind)}"
        ) from None
    return Review(
        workshop=note.workshop,
        note_id=note.id,
        text_hash=text_hash(note.text),
        reason=" ".join(reason.split()),
        kind=k,
        themes=tuple(themes) if themes is not None else None,
        orgs=tuple(orgs) if orgs is not None else None,
        reviewer=reviewer,
        date=date if date is not None else _dt.date.today().isoformat(),
    )


def upsert(reviews: Sequence[Review], review: Review) -> list[Review]:
    """Replace the review with the same (workshop, note id), or append it."""
    out = [r for r in reviews if r.key != review.key]
    idx = next((i for i, r in enumerate(reviews) if r.key == review.key), len(out))
    out.insert(idx, review)
    return out


def write_reviews(reviews: Sequence[Review], path: Path | str | None = None) -> Path:
    """Write reviews atomically (a temporary file, then rename)."""
    p = Path(path) if path is not None else reviews_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=REVIEW_FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in reviews:
        writer.writerow(r.row())
    fd, tmp = tempfile.mkstemp(prefix=".reviews-", suffix=".csv", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(buf.getvalue())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def save_review(
    note: Note,
    *,
    reason: str,
    kind: NoteKind | str | None = None,
    themes: Sequence[str] | None = None,
    orgs: Sequence[str] | None = None,
    reviewer: str = "",
    path: Path | str | None = None,
    taxonomy: Taxonomy | None = None,
    gazetteer: Gazetteer | None = None,
) -> Review:
    """Persist an analyst's decision about ``note`` (insert or replace), with a reason.

    This is what an app calls when an analyst edits a note.

    Parameters
    ----------
    note : Note
        The note reviewed (its current text is hashed).
    reason : str
        Why; required.
    kind, themes, orgs : optional
        What to override; None keeps the classifier's, an empty list clears.
    reviewer : str
        Who.
    path : path-like, optional
        The reviews file (default ``data/reviews.csv``).

    Returns
    -------
    Review

    Raises
    ------
    ReviewError
        On an empty reason or an unknown kind, theme or organisation.
    """
    review = make_review(
        note, reason=reason, kind=kind, themes=themes, orgs=orgs, reviewer=reviewer
    )
    if review.themes:
        _resolve(review.themes, (taxonomy or load_taxonomy()).themes, "theme", review)
    if review.orgs:
        _resolve(review.orgs, (gazetteer or load_gazetteer()).organisations, "organisation", review)
    p = Path(path) if path is not None else reviews_path()
    current = load_reviews(p) if p.exists() else []
    write_reviews(upsert(current, review), p)
    return review


def delete_review(workshop: str, note_id: str, path: Path | str | None = None) -> bool:
    """Remove the review of one note; True if there was one."""
    p = Path(path) if path is not None else reviews_path()
    if not p.exists():
        return False
    current = load_reviews(p)
    kept = [r for r in current if r.key != (workshop, note_id)]
    if len(kept) == len(current):
        return False
    write_reviews(kept, p)
    return True
