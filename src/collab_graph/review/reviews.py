"""Analyst reviews: decisions about single notes, applied on top of the classifier's coding.

A review is keyed by workshop slug, note id and a hash of the note's text. It
can override the kind, the themes and the organisations of one note, and it
always carries the reviewer's reason. When the note's text has changed since
the review was written, the review is *stale*: it is reported and not applied.

Reviews come from two places, applied in this order so that the analyst's win:

1. the bundled reference reviews (``data/reviews.csv``, read-only, part of the
   package), and
2. the analyst's workspace (``reviews.csv`` in
   :class:`~collab_graph.workspace.Workspace`), written by the app's Notes page
   and by ``collab-graph review``.

File format (UTF-8 CSV, one row per reviewed note)::

    workshop,note_id,text_hash,kind,themes,orgs,reason,reviewer,date

``themes`` and ``orgs`` are ``;``-separated ids. An empty cell keeps what the
classifier said; ``-`` clears it. ``kind`` may be empty to keep the kind.

A bad row (no key or reason, an unknown kind, theme or organisation) never
stops the pipeline: it is reported as a problem naming its file and line, and
the other reviews still apply. A second review of the same note in one file
is reported too; the later row wins, as it does across files.

Examples
--------
>>> from collab_graph.model import CodedNote, Note, NoteKind
>>> note = Note("G1-Q1-A-1", "demo", 1, 1, "A", 3, "Funding")
>>> coded = [CodedNote(note, NoteKind.PRACTICE, classifier_kind=NoteKind.PRACTICE)]
>>> review = Review.of(note, kind="barrier", reason="bare noun in a list of obstacles")
>>> out = apply_reviews(coded, [review])
>>> out.coded[0].kind.value, out.coded[0].reviewed, out.coded[0].classifier_kind.value
('barrier', True, 'practice')
>>> from dataclasses import replace
>>> changed = [CodedNote(replace(note, text="Funding gaps"), NoteKind.BARRIER)]
>>> [s.review.note_id for s in apply_reviews(changed, [review]).stale]
['G1-Q1-A-1']
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from collab_graph.coding.orgnames import UNRESOLVED_PREFIX, is_unresolved_id, unresolved_org
from collab_graph.csvfiles import Row, read_csv
from collab_graph.errors import DataFileError, ReviewError
from collab_graph.model import CodedNote, Note, NoteKind, Organisation, Theme
from collab_graph.resources import data_path
from collab_graph.workspace import Workspace

__all__ = [
    "CLEAR",
    "REVIEW_FIELDS",
    "Review",
    "ReviewOutcome",
    "StaleReview",
    "apply_reviews",
    "bundled_reviews_path",
    "delete_review",
    "load_reviews",
    "review_files",
    "save_review",
    "text_hash",
]

T = TypeVar("T", Theme, Organisation)

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
    "text",
    "context",
)
_KEY_FIELDS = ("workshop", "note_id", "text_hash", "reason")
CLEAR = "-"


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
    means "none". ``text`` is the note as reviewed and ``context`` the headings,
    prompts and neighbours it was read in (JSON, see
    :meth:`collab_graph.coding.features.NoteContext.to_json`), so that a review
    can teach the kind model without the notes file. ``source`` and ``line`` say
    where the review was read from.
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
    text: str = field(default="", compare=False)
    context: str = field(default="", compare=False)
    source: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)

    @classmethod
    def of(
        cls,
        note: Note,
        *,
        reason: str,
        kind: NoteKind | str | None = None,
        themes: Sequence[str] | None = None,
        orgs: Sequence[str] | None = None,
        reviewer: str = "",
        date: str | None = None,
        context: str = "",
    ) -> Review:
        """A review of ``note`` as it reads now (its text is hashed; ``context`` as stored).

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
        return cls(
            workshop=note.workshop,
            note_id=note.id,
            text_hash=text_hash(note.text),
            reason=" ".join(reason.split()),
            kind=k,
            themes=tuple(themes) if themes is not None else None,
            orgs=tuple(orgs) if orgs is not None else None,
            reviewer=" ".join(reviewer.split()),
            date=date if date is not None else _dt.datetime.now(_dt.UTC).isoformat("T", "seconds"),
            text=note.text,
            context=context,
        )

    @property
    def key(self) -> tuple[str, str]:
        """(workshop, note id): at most one review per note applies."""
        return (self.workshop, self.note_id)

    @property
    def where(self) -> str:
        """``file: line N`` where the review was read, or ``""``."""
        return f"{self.source}: line {self.line}" if self.source else ""

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
            "text": self.text,
            "context": self.context,
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
    """What applying reviews did: the new coding, which reviews applied, and the problems.

    ``problems`` are one-line messages (a bad row, a review naming an unknown
    theme) for reviews that were skipped; the rest applied.
    """

    coded: list[CodedNote]
    applied: tuple[Review, ...] = ()
    stale: tuple[StaleReview, ...] = ()
    unmatched: tuple[Review, ...] = ()
    problems: tuple[str, ...] = ()

    def warnings(self) -> list[str]:
        """Every stale review and problem, one line each, for stderr or the app."""
        return [s.message() for s in self.stale] + list(self.problems)


def bundled_reviews_path() -> Path:
    """The reference reviews that ship with collab-graph (``data/reviews.csv``, read-only)."""
    return data_path(REVIEWS_FILE)


def review_files(workspace: Workspace | None) -> list[Path]:
    """The reviews files that apply, lowest precedence first: bundled, then the workspace's."""
    files = [bundled_reviews_path()]
    if workspace is not None:
        files.append(workspace.reviews)
    return [p for p in files if p.is_file()]


def _ids(cell: str) -> tuple[str, ...] | None:
    cell = cell.strip()
    if not cell:
        return None
    if cell == CLEAR:
        return ()
    return tuple(p.strip() for p in cell.split(";") if p.strip())


def _review(row: Row) -> Review:
    """The review of one row; raises ``row.error`` when it is not valid."""
    for col in ("workshop", "note_id", "text_hash"):
        if not row[col]:
            raise row.error(col, "a review needs workshop, note_id and text_hash")
    if not row["reason"]:
        raise row.error("reason", f"review of {row['note_id']} has no reason; say why")
    kind: NoteKind | None = None
    if row["kind"]:
        kind = NoteKind(row.choice("kind", NoteKind, "unknown kind"))
    return Review(
        workshop=row["workshop"],
        note_id=row["note_id"],
        text_hash=row["text_hash"],
        reason=row["reason"],
        kind=kind,
        themes=_ids(row["themes"]),
        orgs=_ids(row["orgs"]),
        reviewer=row["reviewer"],
        date=row["date"],
        text=row["text"],
        context=row["context"],
        source=str(row.path),
        line=row.line,
    )


def load_reviews(
    paths: Path | str | Sequence[Path | str],
    *,
    on_problem: Callable[[str], None] | None = None,
) -> list[Review]:
    """Read reviews files, lowest precedence first; later reviews of a note replace earlier ones.

    Parameters
    ----------
    paths : path-like or sequence of path-like
        Reviews files (e.g. :func:`review_files`). A file named here must exist.
    on_problem : callable, optional
        Called with a one-line message for each bad row (which is skipped) and
        each repeated review of a note within one file (the later row wins).
        Without it, the first bad row raises.

    Returns
    -------
    list of Review
        One per note, in the order first seen.

    Raises
    ------
    ReviewError
        A file is missing, unreadable or lacks a key column (always), or a row
        is bad and ``on_problem`` is not given.

    Examples
    --------
    >>> reviews = load_reviews(bundled_reviews_path())
    >>> all(r.reason for r in reviews)
    True
    """
    chosen = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]

    def report(err: DataFileError) -> None:
        if on_problem is None:
            raise ReviewError(str(err), path=err.path, line=err.line)
        on_problem(str(err))

    by_key: dict[tuple[str, str], Review] = {}
    for p in chosen:
        if not p.exists():
            raise ReviewError(f"{p}: reviews file not found", path=str(p))
        try:
            rows = read_csv(p, required=_KEY_FIELDS, what="reviews file", on_error=report)
        except ReviewError:
            raise
        except DataFileError as exc:
            raise ReviewError(str(exc), path=exc.path, line=exc.line) from exc
        seen: dict[tuple[str, str], int] = {}
        for row in rows:
            try:
                review = _review(row)
            except DataFileError as err:
                report(err)
                continue
            if review.key in seen:
                report(
                    row.error(
                        "note_id",
                        f"a second review of {review.note_id} (the first is on line "
                        f"{seen[review.key]}); this later one applies",
                    )
                )
            seen[review.key] = row.line
            by_key.pop(review.key, None)
            by_key[review.key] = review
    return list(by_key.values())


def _resolve(
    ids: Iterable[str], table: Mapping[str, T], what: str, review: Review
) -> tuple[T, ...]:
    """The themes or organisations a review names; an unknown id is an error."""
    ids = list(ids)
    missing = [i for i in ids if i not in table]
    if missing:
        where = f"{review.where}: " if review.where else ""
        raise ReviewError(
            f"{where}review of {review.workshop} {review.note_id} names unknown {what} "
            f"{missing[0]!r}",
            path=review.source or None,
            line=review.line or None,
        )
    return tuple(table[i] for i in ids)


def _resolve_orgs(
    ids: Iterable[str],
    table: Mapping[str, Organisation],
    review: Review,
    current: Sequence[Organisation] = (),
) -> tuple[Organisation, ...]:
    """The organisations a review names: gazetteer ids, or the ``unresolved:`` id of a
    name detected in the notes (the analyst confirms it), whose label comes from the
    note's coding when it is there and from the id otherwise."""
    ids = list(ids)
    detected = {o.id: o for o in current if not o.resolved}
    known = [i for i in ids if not is_unresolved_id(i) or i in table]
    found = dict(zip(known, _resolve(known, table, "organisation", review), strict=True))
    out: list[Organisation] = []
    for i in ids:
        if i in found:
            out.append(found[i])
        elif i in detected:
            out.append(detected[i])
        else:
            label = i.removeprefix(UNRESOLVED_PREFIX).replace("-", " ")
            out.append(unresolved_org(label, i))
    return tuple(out)


def apply_reviews(
    coded: Sequence[CodedNote],
    reviews: Sequence[Review],
    *,
    themes: Mapping[str, Theme] | None = None,
    organisations: Mapping[str, Organisation] | None = None,
) -> ReviewOutcome:
    """Apply reviews to a coding; stale ones are reported, invalid ones skipped and reported.

    Parameters
    ----------
    coded : sequence of CodedNote
        The classifier's coding (or any coding).
    reviews : sequence of Review
        From :func:`load_reviews`.
    themes, organisations : mapping, optional
        Theme and organisation ids a review may name (the taxonomy's and the
        gazetteer's); needed only when a review names some. A review may also
        name the ``unresolved:`` id of an organisation detected in the notes
        (:func:`~collab_graph.coding.orgnames.unresolved_id`): that confirms it.

    Returns
    -------
    ReviewOutcome
        The reviewed coding (``reviewed=True``, ``classifier_kind`` kept), and
        the applied, stale and unmatched reviews. A stale review adds a reason
        to its note so that it shows in the output. A review naming an unknown
        theme or organisation is not applied and is listed in ``problems``.
    """
    if not reviews:
        return ReviewOutcome(list(coded))
    by_key = {r.key: r for r in reviews}
    used: set[tuple[str, str]] = set()
    applied: list[Review] = []
    stale: list[StaleReview] = []
    problems: list[str] = []
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
        try:
            new_themes = (
                c.themes
                if review.themes is None
                else _resolve(review.themes, themes or {}, "theme", review)
            )
            new_orgs = (
                c.orgs
                if review.orgs is None
                else _resolve_orgs(review.orgs, organisations or {}, review, c.orgs)
            )
        except ReviewError as exc:
            problems.append(f"{exc}; not applied")
            out.append(c)
            continue
        kind = review.kind or c.kind
        if kind is NoteKind.HEADING:
            new_themes = ()
        out.append(
            replace(
                c,
                kind=kind,
                themes=new_themes,
                orgs=new_orgs,
                confidence=1.0,
                reasons=(f"analyst review: {review.reason}", *c.reasons),
                reviewed=True,
                classifier_kind=c.classifier_kind or c.kind,
                extra={**c.extra, "review": review.row()},
            )
        )
        applied.append(review)
    unmatched = tuple(r for r in reviews if r.key not in used)
    return ReviewOutcome(out, tuple(applied), tuple(stale), unmatched, tuple(problems))


def save_review(
    workspace: Workspace,
    review: Review,
    *,
    themes: Mapping[str, Theme] | None = None,
    organisations: Mapping[str, Organisation] | None = None,
) -> Review:
    """Save an analyst's review in the workspace: it replaces any earlier review of the note.

    The write is atomic and serialised with every other writer (see
    :class:`~collab_graph.workspace.Workspace`), and the review is also added
    to the workspace's history, so an earlier review of the note is never lost.

    Parameters
    ----------
    workspace : Workspace
        Where to save.
    review : Review
        From :meth:`Review.of`.
    themes, organisations : mapping, optional
        Valid theme and organisation ids; a review naming another id is refused,
        except the ``unresolved:`` id of a detected organisation.

    Returns
    -------
    Review

    Raises
    ------
    ReviewError
        When the review names an unknown theme or organisation.
    DataFileError
        When the workspace cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> ws = Workspace(tempfile.mkdtemp())
    >>> note = Note("N-1", "demo", None, None, None, 1, "Funding")
    >>> _ = save_review(ws, Review.of(note, kind="barrier", reason="an obstacle"))
    >>> _ = save_review(ws, Review.of(note, kind="context", reason="second thoughts"))
    >>> [r.kind.value for r in load_reviews(ws.reviews)]
    ['context']
    >>> [r["kind"] for r in read_csv(ws.review_history)]
    ['barrier', 'context']
    """
    if review.themes:
        _resolve(review.themes, themes or {}, "theme", review)
    if review.orgs:
        _resolve_orgs(review.orgs, organisations or {}, review)
    row = review.row()

    def change(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        key = (review.workshop, review.note_id)
        out = [r for r in rows if (r.get("workshop"), r.get("note_id")) != key]
        idx = next(
            (i for i, r in enumerate(rows) if (r.get("workshop"), r.get("note_id")) == key),
            len(out),
        )
        out.insert(idx, row)
        return out

    workspace.update(
        REVIEWS_FILE,
        change,
        header=REVIEW_FIELDS,
        append_to="history/reviews.csv",
        appended=[row],
    )
    return review


def delete_review(workspace: Workspace, workshop: str, note_id: str) -> bool:
    """Remove the workspace's review of one note (its history is kept); True if there was one."""
    found: list[bool] = []

    def change(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        kept = [r for r in rows if (r.get("workshop"), r.get("note_id")) != (workshop, note_id)]
        found.append(len(kept) != len(rows))
        return kept

    if not workspace.reviews.exists():
        return False
    workspace.update(REVIEWS_FILE, change, header=REVIEW_FIELDS)
    return found[0]
