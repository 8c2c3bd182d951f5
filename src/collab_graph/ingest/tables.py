"""Tables of notes, in Markdown or Word: which cells are notes and what scopes them.

Two shapes are read:

* **A grid of notes**: one column per prompt (or group), and perhaps a first
  column of row labels (``Table 1``, ``Group B``). Every non-empty cell is a
  note, scoped by its row label and its column header.
* **A table of records**: each row is one note (an agenda item, an action, a
  ``Group | Prompt | Note`` row). The note is the column named like a note
  (``Note``, ``Item``, ``Comment``, ``Card``...) or else the wordiest one; the
  other cells of the row are its scope.

A third shape holds no notes: **a roster**, whose header names a column of people
(``Name``, ``Attendee``, ``Member``) and, for every other column, something about
them (``Attendance``, ``Role``, ``Affiliation``, ``Voting seat``, ``Email``). Its
rows are the meeting's metadata, as an ``Attendees:`` line is.

Examples
--------
>>> rows = ["| Group | What works | What gets in the way |", "|---|---|---|",
...         "| Table 1 | Huddles | Two IT systems |"]
>>> table = find_markdown_tables(rows, first_line=7)[0]
>>> reading = read(table)
>>> reading.kind, reading.label_col
('grid', 0)
>>> [c.text for c in table.rows[0]]
['Table 1', 'Huddles', 'Two IT systems']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from collab_graph.ingest.cues import strip_markup

__all__ = ["Cell", "Reading", "Table", "find_markdown_tables", "is_roster", "read", "split_row"]

_RULE_RE = re.compile(r"^\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)*\|?$")
_SPLIT_RE = re.compile(r"(?<!\\)\|")

# Header words of a column that holds the note itself.
_NOTE_NAMES = (
    "note notes text comment comments idea ideas card cards cardname content sticky stickynote "
    "stickynotetext item items agendaitem action actions point points response responses answer "
    "answers feedback suggestion suggestions description discussion summary outcome outcomes "
    "detail details observation observations issue issues"
).split()
# Header words of a first column that labels rows (rather than holding notes).
_ROW_NAMES = frozenset(
    "group groups table tables team teams breakout row theme themes topic topics area areas "
    "section category categories stage session round participant who name".split()
)
# Header words of a roster: a column of people, and what the other columns say about them.
_PEOPLE_NAMES = frozenset(
    """name names fullname attendee attendees participant participants member members person
    people who delegate delegates representative representatives""".split()
)
_ABOUT_PEOPLE = frozenset(
    """attendance attended attending present absent apologies apology regrets role roles title
    position job affiliation affiliations organisation organization organisations organizations
    org orgs institution institute company employer department dept team teams email e-mail
    emails contact phone voting vote votes seat seats y n yes no pronoun pronouns github twitter
    handle handles username country location city timezone time zone mood emoji website orcid
    representing initials""".split()
)


@dataclass(slots=True)
class Cell:
    """One table cell: its text and the source line of each of its paragraphs.

    Attributes
    ----------
    line : int
        Its first line (a Markdown cell: the row's line).
    paras : tuple of (int, str)
        Its non-empty paragraphs with their lines (a Markdown cell has at most one).
    """

    line: int
    paras: tuple[tuple[int, str], ...] = ()

    @property
    def text(self) -> str:
        """The cell's text, paragraphs joined by a space."""
        return " ".join(t for _, t in self.paras)


@dataclass(slots=True)
class Table:
    """A table: its header cells, its body rows and the source lines it covers.

    Attributes
    ----------
    header : list of Cell
        The header row.
    rows : list of list of Cell
        Body rows, each as long as the header.
    row_lines : list of int
        The line each body row starts on.
    header_line : int
        The header row's line.
    rule_line : int or None
        The ``|---|`` line of a Markdown table.
    raw : dict of int to str
        The source text of each Markdown line it covers.
    """

    header: list[Cell]
    rows: list[list[Cell]]
    row_lines: list[int]
    header_line: int
    rule_line: int | None = None
    raw: dict[int, str] = field(default_factory=dict)


@dataclass(slots=True)
class Reading:
    """How a table is read.

    Attributes
    ----------
    kind : str
        ``"grid"`` (every cell a note), ``"records"`` (one note per row) or
        ``"roster"`` (a table of people: metadata, no notes).
    note_col : int
        The note column of a table of records.
    label_col : int or None
        The row-label column of a grid, when it has one.
    group_col : int or None
        A column of group names or numbers (``Group``, ``Table``).
    prompt_col : int or None
        A column of prompt letters or names (``Prompt``, ``Letter``).
    """

    kind: str
    note_col: int = 0
    label_col: int | None = None
    group_col: int | None = None
    prompt_col: int | None = None


def split_row(text: str) -> list[str]:
    """The cells of one Markdown table row, stripped.

    Examples
    --------
    >>> split_row("| a | b \\\\| c | |")
    ['a', 'b \\\\| c', '']
    """
    t = text.strip()
    if t.startswith("|"):
        t = t[1:]
    if t.endswith("|") and not t.endswith("\\|"):
        t = t[:-1]
    return [c.strip() for c in _SPLIT_RE.split(t)]


def find_markdown_tables(raw_lines: Sequence[str], *, first_line: int = 1) -> list[Table]:
    """Find pipe tables (a header row, a ``|---|`` rule, then rows) in consecutive lines.

    Parameters
    ----------
    raw_lines : sequence of str
        Consecutive source lines, the first being line ``first_line``.
    first_line : int
        The line number of ``raw_lines[0]``.

    Returns
    -------
    list of Table
    """
    tables: list[Table] = []
    i, n = 0, len(raw_lines)
    while i + 1 < n:
        head, rule = raw_lines[i].strip(), raw_lines[i + 1].strip()
        if "|" in head and "-" in rule and "|" in rule and _RULE_RE.match(rule):
            names = split_row(head)
            width = len(names)
            if width >= 2 and len(split_row(rule)) == width:
                header_line = first_line + i
                table = Table(
                    header=[Cell(header_line, ((header_line, c),) if c else ()) for c in names],
                    rows=[],
                    row_lines=[],
                    header_line=header_line,
                    rule_line=header_line + 1,
                    raw={header_line: head, header_line + 1: rule},
                )
                j = i + 2
                while j < n and "|" in raw_lines[j] and raw_lines[j].strip():
                    no = first_line + j
                    cells = (split_row(raw_lines[j]) + [""] * width)[:width]
                    table.rows.append([Cell(no, ((no, c),) if c else ()) for c in cells])
                    table.row_lines.append(no)
                    table.raw[no] = raw_lines[j].strip()
                    j += 1
                tables.append(table)
                i = j
                continue
        i += 1
    return tables


def _name(cell: Cell) -> str:
    return re.sub(r"[^a-z0-9]", "", strip_markup(cell.text).lower())


def _words(cell: Cell) -> int:
    return len(cell.text.split())


def _column_is(table: Table, col: int, names: Sequence[str] | frozenset[str]) -> bool:
    name = _name(table.header[col])
    return bool(name) and (name in names or any(name.startswith(n) for n in names if len(n) > 3))


def _header_words(cell: Cell) -> list[str]:
    return re.findall(r"[a-z][a-z-]*", strip_markup(cell.text).lower())


def is_roster(table: Table) -> bool:
    """Whether a table lists people: a column of names, every other column about them.

    Examples
    --------
    >>> rows = ["| Name | Attendance | Role | Voting seat (Y/N) |", "|--|--|--|--|",
    ...         "| Ana Ruiz | Yes | Chair | Y |"]
    >>> is_roster(find_markdown_tables(rows)[0])
    True
    >>> rows = ["| Name | Idea | What gets in the way |", "|--|--|--|", "| Ana | Huddles | Cost |"]
    >>> is_roster(find_markdown_tables(rows)[0])
    False
    """
    people = False
    for cell in table.header:
        words = _header_words(cell)
        if not words:
            continue
        if not people and len(words) <= 2 and words[-1] in _PEOPLE_NAMES:
            people = True
        elif not _ABOUT_PEOPLE.intersection(words):
            return False
    return people


def read(table: Table) -> Reading:
    """Decide how a table is read: a grid of notes or a table of records.

    Parameters
    ----------
    table : Table

    Returns
    -------
    Reading

    Examples
    --------
    >>> rows = ["| Time | Item | Lead |", "|--|--|--|", "| 10:00 | Welcome | Chair |"]
    >>> read(find_markdown_tables(rows)[0])
    Reading(kind='records', note_col=1, label_col=None, group_col=None, prompt_col=None)
    """
    width = len(table.header)
    if is_roster(table):
        return Reading("roster")
    group_col = next(
        (c for c in range(width) if _column_is(table, c, ("group", "table", "team", "breakout"))),
        None,
    )
    prompt_col = next(
        (
            c
            for c in range(width)
            if c != group_col and _column_is(table, c, ("prompt", "letter", "question", "category"))
        ),
        None,
    )

    def note_column(names: Sequence[str]) -> int | None:
        return next(
            (
                c
                for c in range(width)
                if c not in (group_col, prompt_col) and _column_is(table, c, names)
            ),
            None,
        )

    strong = note_column(("note", "notes", "text", "comment", "comments", "card", "cardname"))
    if strong is not None:
        return Reading("records", strong, None, group_col, prompt_col)
    counted = [sum(1 for row in table.rows if row[c].paras) for c in range(width)]
    avg = [sum(_words(row[c]) for row in table.rows) / max(1, counted[c]) for c in range(width)]
    others = [a for c, a in enumerate(avg[1:], start=1) if counted[c]]
    by_name = _column_is(table, 0, _ROW_NAMES)
    by_shape = (
        avg[0] <= 4
        and all(_words(row[0]) <= 6 for row in table.rows)
        and bool(others)
        and min(others) >= max(2.5, 2 * avg[0])
    )
    if width >= 3 and (by_name or by_shape):
        return Reading("grid", 0, 0, group_col if group_col == 0 else None, None)
    named = note_column(_NOTE_NAMES)
    if named is not None:
        return Reading("records", named, None, group_col, prompt_col)
    if width >= 3 and group_col is None and prompt_col is None and min(avg) >= 3:
        return Reading("grid", 0, None, None, None)
    wordiest = max(
        (c for c in range(width) if c not in (group_col, prompt_col)),
        key=lambda c: avg[c],
        default=width - 1,
    )
    return Reading("records", wordiest, None, group_col, prompt_col)
