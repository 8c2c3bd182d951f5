"""Where each note is in its source: the source's plain text and every note's span in it.

A note keeps the line it starts on (:attr:`~collab_graph.model.Note.line`), and
the parse report (:attr:`~collab_graph.model.ParseResult.lines`) names every
line a note starts or continues (a wrapped note's continuation lines). From
these, :func:`note_spans` finds the characters of each note in the source text:
a half-open range ``[start, end)`` of Unicode code points (Python ``str``
indices) from the first character of the note's text to the last, wrapped
lines included, so ``text[start:end]`` is what the note was written as.

:func:`source_text` is the text those positions refer to: a text, Markdown or
CSV file's decoded content as it is (line breaks kept, a BOM dropped, lines
in Windows-1252 decoded as such), and a .docx file's paragraphs and table cells,
one per line, in the order the parser numbered them.

Examples
--------
>>> from collab_graph.ingest.text import parse_text
>>> text = "Group 1\\n- Day job, no\\n  time at all\\n- Funding 🎉\\n"
>>> result = parse_text(text, source="n.txt")
>>> spans = note_spans(text, result)
>>> [text[s.start:s.end] for s in spans.values()]
['Day job, no\\n  time at all', 'Funding 🎉']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from collab_graph.errors import InputFileError
from collab_graph.ingest.decode import decode
from collab_graph.model import Note, ParseResult

__all__ = ["Span", "line_starts", "note_spans", "source_text"]

_BREAK = re.compile(r"\r\n|\r|\n")
# What may stand between two words of a note in its source: white space (a wrapped
# line), possibly with a list mark where the parser joined a line that has one.
_GAP = r"\s+(?:(?:[-*+·•▪–—>]|\d{1,3}[.)])\s+)?"


@dataclass(frozen=True, slots=True)
class Span:
    """A note's characters in its source: ``text[start:end]`` (code points, end exclusive).

    ``exact`` is False when the note's words could not be found in its lines as
    written (e.g. markup the reader removed): the span then covers its lines'
    text from the first non-blank character to the last.
    """

    start: int
    end: int
    exact: bool = True


def source_text(path: str | Path, result: ParseResult) -> str:
    """The plain text the notes of ``result`` (parsed from ``path``) are positioned in.

    Parameters
    ----------
    path : str or Path
        The notes file ``result`` was parsed from.
    result : ParseResult
        Its full parse result (with the line report, as :func:`~collab_graph.ingest.load`
        returns it).

    Returns
    -------
    str
        For .docx: the paragraphs and table cells as the parser numbered them,
        one per line (a blank one for an empty paragraph). Otherwise the file's
        decoded text, line breaks as they are.

    Raises
    ------
    InputFileError
        When the file cannot be read.

    Examples
    --------
    >>> from collab_graph.ingest import parse_file
    >>> from collab_graph.resources import default_notes
    >>> text = source_text(default_notes(), parse_file(default_notes()))
    >>> text.count("\\n") > 300
    True
    """
    p = Path(path)
    if p.suffix.lower() == ".docx":
        by_line = {sl.line: sl.text for sl in result.lines}
        last = max(by_line, default=0)
        return "\n".join(by_line.get(n, "") for n in range(1, last + 1))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{p}: cannot be read ({exc.strerror or exc})", path=str(p)) from exc
    return decode(data, path=str(p))[0]


def line_starts(text: str) -> list[int]:
    """Offset of the start of each line (index 0 is line 1), breaking at LF, CRLF and CR only.

    Examples
    --------
    >>> line_starts("a\\r\\nbc\\rd\\u2028e\\n")
    [0, 3, 6, 10]
    """
    return [0, *(m.end() for m in _BREAK.finditer(text))]


def _line_end(text: str, starts: list[int], line: int) -> int:
    """Offset just past the last character of ``line`` (before its line break)."""
    if line >= len(starts):
        return len(text)
    m = _BREAK.search(text, starts[line - 1])
    return m.start() if m else len(text)


def _pattern(note_text: str) -> re.Pattern[str] | None:
    words = note_text.split()
    if not words:
        return None
    # a CSV cell writes a quote as two
    return re.compile(_GAP.join(re.escape(w).replace('"', '"{1,2}') for w in words))


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def note_spans(text: str, result: ParseResult) -> dict[str, Span]:
    """Each note's span in ``text`` (its :func:`source_text`), by note id.

    A note's text is looked for from the start of its first line (after any
    earlier note on the same line, for the cells of a table row); its words
    may be separated by any white space, a line break and a list mark
    included, and the match must start on that line. A note that is not found
    so gets its lines' span, marked not ``exact``.

    Parameters
    ----------
    text : str
        The source text.
    result : ParseResult
        The parse result of that source, with its line report.

    Returns
    -------
    dict
        Note id to :class:`Span`, for every note of ``result``.

    Examples
    --------
    >>> from collab_graph.ingest.text import parse_text
    >>> text = "Q1 What helps?\\r\\n- tea\\r\\n- tea, and   cake\\r\\n"
    >>> spans = note_spans(text, parse_text(text, source="t.txt"))
    >>> [(s.start, s.end, text[s.start:s.end]) for s in spans.values()]
    [(18, 21, 'tea'), (25, 40, 'tea, and   cake')]
    """
    starts = line_starts(text)
    lines_of: dict[str, list[int]] = {}
    order: dict[str, tuple[int, int]] = {}
    for sl in result.lines:
        for k, nid in enumerate(sl.note_ids):
            lines_of.setdefault(nid, []).append(sl.line)
            order.setdefault(nid, (sl.line, k))
    notes: Mapping[str, Note] = {n.id: n for n in result.notes}
    ordered = sorted(notes.values(), key=lambda n: order.get(n.id, (n.line, 0)))
    cursor: dict[int, int] = {}
    spans: dict[str, Span] = {}
    for note in ordered:
        first = min(lines_of.get(note.id, [note.line]))
        last = max(lines_of.get(note.id, [note.line]))
        first = min(max(first, 1), len(starts))
        line_start = starts[first - 1]
        first_end = _line_end(text, starts, first)
        span = None
        exact = text.find(note.text, cursor.get(first, line_start), first_end)
        if note.text and exact != -1:
            span = Span(exact, exact + len(note.text))
        pattern = _pattern(note.text)
        if span is None and pattern is not None:
            for begin in dict.fromkeys((cursor.get(first, line_start), line_start)):
                m = pattern.search(text, begin)
                if m is not None and m.start() < first_end:
                    span = Span(m.start(), m.end())
                    break
        if span is None:
            s, e = _stripped(text, line_start, _line_end(text, starts, max(last, first)))
            span = Span(s, e, exact=False)
        cursor[first] = max(cursor.get(first, line_start), span.end)
        spans[note.id] = span
    return spans
