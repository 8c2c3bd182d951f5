"""Spreadsheets and sticky-note board exports (.csv): one note per row.

Columns are mapped by their header names, loosely: the **note** is a column
named like ``Text``, ``Note``, ``Card``, ``Card Name``, ``Content``,
``Sticky note`` or ``Comment``; the **scope** is a board's ``Column``,
``List``, ``Lane``, ``Section``, ``Category`` or ``Area``; ``Group``,
``Question`` and ``Prompt`` columns (``Table``, ``Q``, ``Letter``) fill those
fields as in the bundled layout. Other columns (votes, labels, dates) are
kept out of the note. :class:`ColumnMap` names the columns when the headers
are unusual (``--columns note=Card,scope=Column``).

A cell that starts with ``'`` before ``=``, ``+``, ``-`` or ``@`` loses that
``'``: it is how this tool's own CSV output (``parse -f csv``) guards against
formula injection, so those files read back as the same notes.

``line`` is the physical line a record starts on; the later lines of a
record whose note runs over several lines are continuations.

Examples
--------
>>> r = parse_csv("Column,Card,Votes\\nWent well,Weekly stand-up,5\\n", source="retro.csv")
>>> n = r.notes[0]
>>> n.id, n.text, n.section, [s.text for s in n.scope]
('went-well-1', 'Weekly stand-up', 'Went well', ['Went well'])
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from slugify import slugify

from collab_graph.csvfiles import csv_unsafe
from collab_graph.errors import ParseError
from collab_graph.ingest.cues import is_empty_point
from collab_graph.ingest.markers import NUM, marker_of, number_of
from collab_graph.ingest.scope import IdMaker
from collab_graph.model import LineRole, Note, ParseResult, Scope, SourceLine, Workshop

__all__ = ["ColumnMap", "parse_csv"]

# Header names (lower case, letters and digits only), in order of preference.
_NAMES: dict[str, tuple[str, ...]] = {
    "note": (
        "text",
        "note",
        "notes",
        "notetext",
        "card",
        "cardname",
        "cardtitle",
        "content",
        "stickynote",
        "stickynotetext",
        "sticky",
        "body",
        "idea",
        "ideas",
        "comment",
        "comments",
        "response",
        "responses",
        "answer",
        "answers",
        "bullet",
        "description",
        "subject",
        "title",
    ),
    "scope": (
        "column",
        "columnname",
        "list",
        "listname",
        "lane",
        "swimlane",
        "section",
        "sectionname",
        "category",
        "area",
        "frame",
        "bucket",
        "stage",
        "theme",
        "topic",
    ),
    "group": ("group", "table", "tableno", "breakout", "syndicate", "team"),
    "question": ("question", "q", "qno", "questionno", "questionnumber"),
    "prompt": ("prompt", "letter", "subquestion", "part", "issue"),
}
_FIELDS = ("note", "scope", "group", "question", "prompt")
_LETTER_RE = re.compile(r"^\(?([A-Za-z])[).]?$")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Which CSV columns hold the note, its scope, group, question and prompt.

    Attributes
    ----------
    note : str or None
        Header of the note column.
    scope : tuple of str
        Headers of the columns that scope the note (a board's column or list).
    group, question, prompt : str or None
        Headers of the group, question and prompt columns.

    Examples
    --------
    >>> ColumnMap.parse("note=Card,scope=Column")
    ColumnMap(note='Card', scope=('Column',), group=None, question=None, prompt=None)
    """

    note: str | None = None
    scope: tuple[str, ...] = ()
    group: str | None = None
    question: str | None = None
    prompt: str | None = None

    @classmethod
    def parse(cls, spec: str) -> ColumnMap:
        """Read ``field=Header,...``; ``field`` is note (or text), scope, group, question or prompt.

        Parameters
        ----------
        spec : str
            E.g. ``"note=Card,scope=List,scope=Labels"``.

        Returns
        -------
        ColumnMap

        Raises
        ------
        ValueError
            For an unknown field or a part without ``=``.

        Examples
        --------
        >>> ColumnMap.parse("text=Idea, scope=Lane").note
        'Idea'
        >>> ColumnMap.parse("colour=Red")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: unknown column field 'colour' in 'colour=Red'; use note, scope, ...
        """
        values: dict[str, list[str]] = {f: [] for f in _FIELDS}
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            field, sep, header = (s.strip() for s in part.partition("="))
            field = "note" if field.lower() == "text" else field.lower()
            if not sep or not header:
                raise ValueError(f"expected field=Header in {part!r}, e.g. note=Card,scope=Column")
            if field not in values:
                raise ValueError(
                    f"unknown column field {field!r} in {part!r}; "
                    "use note, scope, group, question or prompt"
                )
            values[field].append(header)
        one = {f: (v[-1] if v else None) for f, v in values.items()}
        return cls(
            one["note"], tuple(values["scope"]), one["group"], one["question"], one["prompt"]
        )


def _resolve(header: Sequence[str], columns: ColumnMap | None, source: str) -> dict[str, list[int]]:
    """Column indexes of each field."""
    norm = [_norm(h) for h in header]
    found: dict[str, list[int]] = {f: [] for f in _FIELDS}
    if columns is not None:
        for field in _FIELDS:
            wanted = (
                list(columns.scope)
                if field == "scope"
                else [v for v in [getattr(columns, field)] if v is not None]
            )
            for name in wanted:
                hits = [
                    i for i, h in enumerate(header) if h.strip().lower() == name.strip().lower()
                ]
                hits = hits or [i for i, h in enumerate(norm) if h == _norm(name)]
                if not hits:
                    raise ParseError(
                        f"{source}: line 1: no column named {name!r} "
                        f"in the header {list(header)!r}",
                        path=source,
                        line=1,
                    )
                found[field].append(hits[0])
    taken = {i for v in found.values() for i in v}
    for field in _FIELDS:
        if found[field] or (
            columns is not None
            and field in ("note", "scope")
            and (columns.note if field == "note" else columns.scope)
        ):
            continue
        names = _NAMES[field]
        hits = [i for i, h in enumerate(norm) if h in names and i not in taken]
        if not hits:
            hits = [
                i
                for i, h in enumerate(norm)
                if i not in taken
                and not h.endswith(("id", "url", "date", "link"))
                and any(h.startswith(n) for n in names if len(n) > 3)
            ]
        if not hits:
            continue
        if field == "scope":
            found[field] = hits[:1]
        else:
            best = min(hits, key=lambda i: names.index(norm[i]) if norm[i] in names else len(names))
            found[field] = [best]
        taken.update(found[field])
    return found


def parse_csv(
    text: str,
    *,
    source: str = "notes.csv",
    workshop: str | None = None,
    columns: ColumnMap | None = None,
) -> ParseResult:
    """Parse notes typed into a spreadsheet or exported from a sticky-note board.

    Parameters
    ----------
    text : str
        The CSV text; the first record is the header.
    source : str
        File name, for the workshop slug and messages.
    workshop : str, optional
        Workshop slug; by default the slug of ``source``'s stem.
    columns : ColumnMap, optional
        Which columns to read; by default they are found by their headers.

    Returns
    -------
    ParseResult

    Raises
    ------
    ParseError
        Empty text, malformed CSV, or no note column in the header.

    Examples
    --------
    >>> r = parse_csv("Table,Q,Letter,Note\\nTable 3,2,b,Protected time\\n", source="s.csv")
    >>> r.notes[0].id, r.notes[0].group_label
    ('G3-Q2-B-1', 'Table 3')
    >>> r = parse_csv("List,Card,Labels\\nDoing,Prototype the form,Design\\n", source="t.csv")
    >>> r.notes[0].id, r.notes[0].section
    ('doing-1', 'Doing')
    """
    slug = workshop or slugify(Path(source).stem) or "workshop"
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    physical = normalised.split("\n")
    reader = csv.reader(io.StringIO(normalised))
    try:
        header = next(reader)
    except StopIteration:
        raise ParseError(f"{source}: has no text to parse (it is empty)", path=source) from None
    except csv.Error as exc:
        raise ParseError(f"{source}: line 1: {exc}", path=source, line=1) from exc
    cols = _resolve(header, columns, source)
    if not cols["note"]:
        raise ParseError(
            f"{source}: line 1: no note column in the header {header!r}; expected a column "
            "such as Text, Note or Card (e.g. group,question,prompt,text or Column,Card), "
            "or name it with --columns note=NAME",
            path=source,
            line=1,
        )
    out: list[SourceLine] = [SourceLine(1, LineRole.HEADING, physical[0].strip(), reason="header")]
    for extra in range(2, reader.line_num + 1):  # a header over several lines
        if physical[extra - 1].strip():
            out.append(
                SourceLine(
                    extra,
                    LineRole.CONTINUATION,
                    physical[extra - 1].strip(),
                    reason="continues the header",
                )
            )
    ids = IdMaker()
    named_groups: dict[str, int] = {}
    notes: list[Note] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            no, start = start, reader.line_num + 1
            cells = {  # a cell this tool neutralised against formula injection reads as written
                f: [csv_unsafe(row[i].strip()) if i < len(row) else "" for i in idx]
                for f, idx in cols.items()
            }
            raw = physical[no - 1].strip() if no - 1 < len(physical) else ""
            tail = [k for k in range(no + 1, start) if physical[k - 1].strip()]
            text = cells["note"][0]
            if not any(c.strip() for c in row) or is_empty_point(text):
                if raw or tail:
                    why = "empty row" if not any(c.strip() for c in row) else "no text"
                    why = "empty bullet" if text and why == "no text" else why
                    out.append(SourceLine(no, LineRole.RESIDUE, raw, reason=why))
                    out.extend(
                        SourceLine(k, LineRole.RESIDUE, physical[k - 1].strip(), reason=why)
                        for k in tail
                    )
                continue
            group, group_label = _group(cells["group"][0] if cells["group"] else "", named_groups)
            question = _number(cells["question"][0]) if cells["question"] else None
            prompt_cell = cells["prompt"][0] if cells["prompt"] else ""
            letter = _LETTER_RE.match(prompt_cell)
            prompt = letter.group(1).upper() if letter else None
            scope = tuple(
                Scope(1, value, kind)
                for kind, value in (
                    ("group", group_label or ""),
                    ("question", cells["question"][0] if cells["question"] else ""),
                    ("prompt", prompt_cell),
                    *(("column", v) for v in cells["scope"]),
                )
                if value
            )
            columns_scope = [s.text for s in scope if s.kind == "column"]
            note = Note(
                id=ids.make(group, question, prompt, scope),
                workshop=slug,
                group=group,
                question=question,
                prompt=prompt,
                line=no,
                text=text,
                group_label=group_label,
                section=columns_scope[-1] if columns_scope else None,
                scope=scope,
            )
            notes.append(note)
            out.append(SourceLine(no, LineRole.NOTE, raw, note_id=note.id))
            out.extend(
                SourceLine(
                    k,
                    LineRole.CONTINUATION,
                    physical[k - 1].strip(),
                    note_id=note.id,
                    reason=f"continues the record on line {no}",
                )
                for k in tail
            )
    except csv.Error as exc:
        raise ParseError(f"{source}: line {start}: {exc}", path=source, line=start) from exc
    if not notes:
        raise ParseError(f"{source}: has a header but no notes", path=source, line=1)
    title = Path(source).stem.replace("-", " ").replace("_", " ")
    ws = Workshop(slug=slug, title=title, source=Path(source).name)
    return ParseResult(ws, tuple(notes), tuple(out))


def _number(value: str) -> int | None:
    m = re.search(rf"\b{NUM}\b", value, re.IGNORECASE)
    return number_of(m.group(1)) if m else None


def _group(value: str, named: dict[str, int]) -> tuple[int | None, str | None]:
    if not value:
        return None, None
    mk = marker_of(value)
    number = mk.number if mk is not None else None
    if number is None:
        number = _number(value)
    if number is None:
        key = value.casefold()
        if key not in named:
            named[key] = max(named.values(), default=0) + 1
        number = named[key]
    return number, value
