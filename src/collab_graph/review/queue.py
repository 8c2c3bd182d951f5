"""Which notes to review next: those the classifier is least sure of, first.

A review teaches the kind model most where the model is least sure
(:mod:`collab_graph.coding.retrain`), so the app's *Review next* list puts
first the notes the classifier flagged ``needs_review`` (it found too little to
decide, or its calibrated confidence is below the model's threshold), then the
others from the lowest confidence up. Notes already reviewed are left out, so
saving a review brings up the next note.

Examples
--------
>>> from collab_graph.model import CodedNote, Note, NoteKind
>>> def coded(i, confidence, unsure=False, reviewed=False):
...     note = Note(f"N-{i}", "demo", None, None, None, i, f"note {i}")
...     return CodedNote(note, NoteKind.PRACTICE, confidence=confidence,
...                      needs_review=unsure, reviewed=reviewed)
>>> notes = [coded(1, 0.9), coded(2, 0.55), coded(3, 0.45, unsure=True), coded(4, 0.3),
...          coded(5, 0.2, reviewed=True)]
>>> [c.note.id for c in review_next(notes)]
['N-3', 'N-4', 'N-2', 'N-1']
>>> [c.note.id for c in review_next(notes, reviewed={("demo", "N-4")})]
['N-3', 'N-2', 'N-1']
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from collab_graph.model import CodedNote

__all__ = ["review_next"]


def review_next(
    coded: Iterable[CodedNote], reviewed: Collection[tuple[str, str]] = ()
) -> list[CodedNote]:
    """The notes not reviewed yet, least sure first.

    Parameters
    ----------
    coded : iterable of CodedNote
        The classifier's coding (e.g. :attr:`collab_graph.pipeline.Coded.coded`).
    reviewed : collection of (workshop, note id)
        Notes that a review applies to; a note marked ``reviewed`` is left out too.

    Returns
    -------
    list of CodedNote
        ``needs_review`` notes first, then by confidence, lowest first; notes
        that tie keep their source order.
    """
    waiting = [c for c in coded if not c.reviewed and (c.note.workshop, c.note.id) not in reviewed]
    return sorted(waiting, key=lambda c: (not c.needs_review, c.confidence))
