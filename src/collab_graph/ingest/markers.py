"""Group and question markers: ``Group 3``, ``Table: Housing``, ``Question Two:``, ``Q2``.

These lines give a note its ``group`` and ``question`` numbers (the bundled
workshop's layout and its relatives). Prompt letters (``A)``) are read from the
list mark by :mod:`.lines`.

Examples
--------
>>> marker_of("Group Three").number, marker_of("Q4 - What next?").rest
(3, 'What next?')
>>> marker_of("Red table").rest, marker_of("Reading list") is None
('Red', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from collab_graph.ingest.cues import strip_markup
from collab_graph.model import LineRole

__all__ = ["NUM", "Marker", "marker_of", "number_of"]

_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        (
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
        ).split()
    )
}
#: A number written in digits or as a word (``3``, ``Three``).
NUM = r"(\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_SEP = r"[:.)\-–—]"

_GROUP_RE = re.compile(
    r"^(?P<word>group|table|breakout(?:\s+(?:room|group|session))?|syndicate|workstream)"
    rf"\s*(?:#|no\.?|number)?\s*{NUM}\b\s*(?:{_SEP}+\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_NAMED_GROUP_RE = re.compile(
    r"^(?:(?:table|group|breakout(?:\s+room)?)\s*[:\-–—]\s*(?P<after>[^\s].{0,40})"
    r"|(?P<before>[A-Z][\w&'’]*(?:\s+[A-Z][\w&'’]*){0,2})\s+table)\s*:?$",
    re.IGNORECASE,
)
_QUESTION_RE = re.compile(
    rf"^(?:question|q)\s*\.?\s*{NUM}\b\s*(?:{_SEP}+\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Marker:
    """A group or question marker line.

    Attributes
    ----------
    role : LineRole
        ``GROUP`` or ``QUESTION``.
    number : int or None
        Its number, or None for a named group or an unnumbered question.
    label : str
        The line as written (a group's ``group_label``).
    rest : str
        Text after the number (a question's text) or a named group's name.
    """

    role: LineRole
    number: int | None = None
    label: str = ""
    rest: str = ""


def number_of(token: str) -> int:
    """The value of a number written in digits or as a word.

    Examples
    --------
    >>> number_of("Twelve"), number_of("7")
    (12, 7)
    """
    token = token.lower()
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


def marker_of(text: str, *, heading: bool = False) -> Marker | None:
    """The group or question marker a line's text is, or None.

    Parameters
    ----------
    text : str
        The line's text (a heading's text without ``#``).
    heading : bool
        Whether the line is a heading, which lets a longer named group through.

    Returns
    -------
    Marker or None

    Examples
    --------
    >>> m = marker_of("**Group 2**")
    >>> m.role.value, m.number, m.label
    ('group', 2, '**Group 2**')
    """
    plain = strip_markup(text.replace("\u00a0", " ").replace("\u202f", " ")).strip()
    if not plain:
        return None
    label = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    m = _GROUP_RE.match(plain)
    if m:
        return Marker(LineRole.GROUP, number=number_of(m.group(2)), label=label)
    m = _QUESTION_RE.match(plain)
    if m:
        return Marker(LineRole.QUESTION, number=number_of(m.group(1)), rest=(m.group("rest") or ""))
    m = _NAMED_GROUP_RE.match(plain)
    if m and (heading or len(plain) <= 40):
        name = (m.group("after") or m.group("before") or "").strip()
        if name and not name.endswith("?"):
            return Marker(LineRole.GROUP, label=label, rest=name)
    return None
