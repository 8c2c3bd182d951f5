"""Physical lines, tokenised: indentation, list mark, heading level and text.

Tokenising looks at one line at a time and decides nothing about structure:
it only says what a line *is written as* (an ATX heading, a bullet, a numbered
or lettered item, an answer arrow, or plain text). :mod:`.text` decides what
the lines mean together.

Examples
--------
>>> ln = tokenise(7, "    - -> one protocol for all")
>>> ln.indent, ln.mark, ln.arrow, ln.content, ln.content_col
(4, '-', True, 'one protocol for all', 9)
>>> tokenise(3, "## What worked well?").heading
2
>>> tokenise(4, "\\tA)").letter
'A'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Line", "bullet_text", "clean", "letter_of", "tokenise"]

_HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})(?:[ \t]+(?P<rest>.*?))?(?:[ \t]+#+)?[ \t]*$")
_SYMBOLS = frozenset("·•▪▫●◦‣⁃∙■□►▸➢➤✓✔❖")
_ARROW_RE = re.compile(r"^(?:-{1,2}>|=>|→|⇒|⟶|➔)\s*(?P<rest>.*)$")
_SYMBOL_RE = re.compile(r"^(?:[·•▪▫●◦‣⁃∙■□►▸➢➤✓✔❖]\s*|[-*+–—o](?:\s+|$))(?P<rest>.*)$")
_NUMBER_RE = re.compile(r"^\(?(?P<n>\d{1,3})[.)](?:\s+(?P<rest>.*)|$)")
_ROMAN_RE = re.compile(r"^\(?(?:[ivx]{2,5}|[IVX]{2,5})[.)]\s+(?P<rest>.*)$")
_LETTER_RE = re.compile(r"^(?:\((?P<a>[A-Za-z])\)|(?P<b>[A-Za-z])[).])(?:\s+(?P<rest>.*))?$")
_TASK_RE = re.compile(r"^\[[ xX]\]\s+")
_LI_RE = re.compile(r"^<li\b[^>]*>\s*", re.IGNORECASE)
_LI_END_RE = re.compile(r"\s*</li>\s*$", re.IGNORECASE)
_QUOTE_RE = re.compile(r"^(?:>[ \t]?)+")
_RULE_RE = re.compile(r"^(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|=+)$")


def clean(text: str) -> str:
    """Text with non-breaking spaces made plain and ends stripped (for detection only).

    Examples
    --------
    >>> clean("\\u00a0Group\\u00a01 ")
    'Group 1'
    """
    return text.replace("\u00a0", " ").replace("\u202f", " ").strip()


@dataclass(slots=True)
class Line:
    """A physical line (or .docx paragraph), tokenised but not yet interpreted.

    Attributes
    ----------
    no : int
        1-based line number.
    indent : int
        Leading white space, tabs counted as 4 columns.
    raw : str
        The line without surrounding white space or a BOM (the report's text).
    content : str
        The text without its list mark (a heading's text without the ``#``).
    mark : str
        The list mark (``-``, ``1.``, ``a)``, ``->``), or ``""`` for none.
    content_col : int
        Column where the text after the mark starts.
    letter : str or None
        Upper-case letter of a lettered mark (``a)``, ``(B)``, ``C.``).
    arrow : bool
        The item answers the one above it (``->``, ``=>``, ``- ->``).
    heading : int
        Markdown or Word heading level; ``-1`` for a setext underline; 0 otherwise.
    list_item : bool
        A Word list paragraph (a bullet with no mark in its text).
    item : bool
        A list item: it has a mark, or is a Word list paragraph.
    rule : bool
        A line of only ``-``, ``*``, ``_`` or ``=`` (a setext underline or a
        thematic break; which one depends on the line above).
    """

    no: int
    indent: int
    raw: str
    content: str
    mark: str = ""
    content_col: int = 0
    letter: str | None = None
    arrow: bool = False
    heading: int = 0
    list_item: bool = False
    rule: bool = False
    item: bool = False


def tokenise(no: int, raw_line: str) -> Line | None:
    """Tokenise one physical line; ``None`` for a blank one.

    Parameters
    ----------
    no : int
        Its 1-based line number.
    raw_line : str
        The line as read, without its line break.

    Returns
    -------
    Line or None

    Examples
    --------
    >>> ln = tokenise(2, "  1. Early supplier engagement")
    >>> ln.mark, ln.content, ln.content_col
    ('1.', 'Early supplier engagement', 5)
    >>> tokenise(5, "+1") .mark
    ''
    >>> tokenise(6, " \\t ") is None
    True
    """
    if not raw_line or raw_line.isspace():
        return None
    odd_spaces = "\u00a0" in raw_line or "\u202f" in raw_line
    expanded = raw_line.replace("\u00a0", " ").replace("\u202f", " ") if odd_spaces else raw_line
    if "\t" in expanded:
        expanded = expanded.expandtabs(4)
    stripped = expanded.lstrip()
    if not stripped.strip() or stripped.strip() == "\ufeff":
        return None
    indent = len(expanded) - len(stripped)
    original = raw_line.strip()
    if original[0] == "\ufeff":
        original = original.lstrip("\ufeff").strip()
    line = Line(no, indent, original, original, "", indent)
    probe = original.replace("\u00a0", " ").replace("\u202f", " ") if odd_spaces else original
    if probe.startswith("#"):
        md = _HEADING_RE.match(probe)
        if md:
            line.heading = len(md.group("hashes"))
            line.content = (md.group("rest") or "").strip()
            return line
    if probe[0] in "-*_=" and _RULE_RE.match(probe):
        line.rule = True
        return line
    if probe[0] == ">":  # a block quote: its text is read as if it were not quoted
        quoted = _QUOTE_RE.match(probe)
        if quoted is not None and quoted.end() < len(probe):
            cut = quoted.end()
            rest = probe[cut:]
            if rest.strip():  # other spacing after the marks (e.g. "> \x1f") is not the text
                cut += len(rest) - len(rest.lstrip())
            original, probe = original[cut:], probe[cut:]
            line.content = original
            line.content_col += cut
            if probe.startswith("#") and (md := _HEADING_RE.match(probe)):
                line.heading = len(md.group("hashes"))
                line.content = (md.group("rest") or "").strip()
                return line
            _read_mark(line, original, probe)
            if line.item:
                line.content_col += cut
            return line
    if probe[:3].lower() == "<li" and (li := _LI_RE.match(probe)):
        # an HTML list item: "<li>text</li>" is a bullet
        body = _LI_END_RE.sub("", original[li.end() :]).strip()
        if body:
            line.mark, line.item, line.content = "<li>", True, body
            line.content_col = line.indent + li.end()
            return line
    _read_mark(line, original, probe)
    return line


def _read_mark(line: Line, original: str, probe: str) -> None:
    """Find the list mark at the start of ``probe`` and set the line's fields."""
    first = probe[0]
    m: re.Match[str] | None = None
    if first in "→⇒⟶➔" or probe[1:2] == ">" or probe[:3] == "-->":
        m = _ARROW_RE.match(probe)
        if m:
            line.arrow = True
    if m is None and (first in _SYMBOLS or (first in "-*+–—o" and probe[1:2] in (" ", "\t"))):
        body = probe[1:].lstrip()  # the common bullet, read without a regex
        if body:
            _set_item(line, original, probe, len(probe) - len(body))
            return
    if m is None and (not first.isalnum() or first == "o"):
        m = _SYMBOL_RE.match(probe)
    if m is None and (first.isdigit() or first == "("):
        m = _NUMBER_RE.match(probe)
    if m is None and (first.isalpha() or first == "("):
        m = _ROMAN_RE.match(probe)
        if m is None:
            m = _LETTER_RE.match(probe)
            if m is not None:
                line.letter = (m.group("a") or m.group("b")).upper()
    if m is None:
        return
    _set_item(line, original, probe, m.start("rest") if m.group("rest") is not None else len(probe))


def _set_item(line: Line, original: str, probe: str, start: int) -> None:
    """Make the line a list item whose mark ends at ``start``."""
    line.mark = probe[:start].strip() or probe.strip()
    line.item = True
    rest = original[start:].strip()
    col = line.indent + start
    if rest and not line.arrow and rest[0] in "-=→⇒⟶➔":
        inner = _ARROW_RE.match(rest.replace("\u00a0", " "))
        if inner:  # "- -> answer": a bullet that answers the item above
            line.arrow = True
            col += inner.start("rest")
            rest = rest[inner.start("rest") :].strip()
    if rest[:1] == "[" and (task := _TASK_RE.match(rest)):
        col += task.end()  # "- [x] done": a task-list box is part of the mark
        rest = rest[task.end() :].strip()
    line.content = rest
    line.content_col = col


def bullet_text(original: str) -> str:
    """The text of a line without its list mark and surrounding white space.

    Examples
    --------
    >>> bullet_text("· Day job – no time")
    'Day job – no time'
    >>> bullet_text("(b) with finance")
    'with finance'
    """
    tok = tokenise(1, original)
    return tok.content if tok is not None else ""


def letter_of(text: str) -> tuple[str, str] | None:
    """The prompt letter and topic of text written as ``A) Topic`` or ``(b)``, or None.

    Examples
    --------
    >>> letter_of("A) Spaces and ways of working"), letter_of("Actions") is None
    (('A', 'Spaces and ways of working'), True)
    """
    m = _LETTER_RE.match(clean(text))
    if m is None:
        return None
    return (m.group("a") or m.group("b")).upper(), (m.group("rest") or "").strip()
