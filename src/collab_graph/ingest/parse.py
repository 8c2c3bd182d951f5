"""Turn workshop notes (.txt, .md, .docx, .csv) into :class:`~collab_graph.model.Note` records.

Parsing is pure: it reads a document and returns a
:class:`~collab_graph.model.ParseResult` with the workshop's metadata (title,
question texts, what each prompt letter asks), one :class:`Note` per bullet and
a report giving every non-blank source line its role (note, structure or
unassigned), so that nothing is lost.

Supported layouts
-----------------
* Group markers: ``Group 3``, ``Group Three``, ``Table 2``, ``Breakout 1``,
  ``Breakout room 4``, ``Table: Housing``, ``Red table``; also as Markdown headings.
* Question markers: ``Question 2``, ``Question Two:``, ``Q2``, or a heading
  line ending in ``?``.
* Prompt markers: ``A)``, ``(b)``, ``C.`` alone on a line, or with a topic when
  bullets follow (``A) Spaces`` then ``- ...``).
* Bullets: ``·``, ``•``, ``-``, ``*``, ``o``, ``▪`` and similar, numbered
  (``1.``, ``1)``) and lettered (``a)``, ``(a)``, ``A.``); nesting by indentation
  keeps the parent note.
* Markdown headings (``#`` ... ``######``, and setext underlines) and .docx
  heading styles; other headings become the notes' ``section``.
* Plain paragraphs with no bullets under a heading: each non-empty line is a note.
* CRLF or CR line ends, a BOM, non-breaking spaces and tabs.

Examples
--------
>>> result = parse_text("Workshop\\nGroup 1\\nQuestion 2\\nA)\\n· Day job – no time\\n")
>>> [n.id for n in result.notes], result.notes[0].text
(['G1-Q2-A-1'], 'Day job – no time')
>>> [sl.role.value for sl in result.lines]
['title', 'group', 'question', 'prompt', 'note']
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from slugify import slugify

from collab_graph.bulk import paused_gc
from collab_graph.errors import InputFileError, ParseError
from collab_graph.model import (
    LineRole,
    Note,
    ParseResult,
    Prompt,
    Question,
    SourceLine,
    Workshop,
)
from collab_graph.resources import default_notes

__all__ = [
    "MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "decode",
    "load",
    "parse_csv",
    "parse_docx",
    "parse_file",
    "parse_lines",
    "parse_text",
]

#: Files larger than this are refused (20 MB).
MAX_BYTES = 20 * 1024 * 1024
#: File name suffixes collab-graph can read.
SUPPORTED_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".docx", ".csv")

_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        (
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
        ).split()
    )
}
_NUM = r"(\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_SEP = r"[:.)\-–—]"

_GROUP_RE = re.compile(
    r"^(?P<word>group|table|breakout(?:\s+(?:room|group|session))?|syndicate|workstream)"
    rf"\s*(?:#|no\.?|number)?\s*{_NUM}\b\s*(?:{_SEP}+\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_NAMED_GROUP_RE = re.compile(
    r"^(?:(?:table|group|breakout(?:\s+room)?)\s*[:\-–—]\s*(?P<after>[^\s].{0,40})"
    r"|(?P<before>[A-Z][\w&'’]*(?:\s+[A-Z][\w&'’]*){0,2})\s+table)\s*:?$",
    re.IGNORECASE,
)
_QUESTION_RE = re.compile(
    rf"^(?:question|q)\s*\.?\s*{_NUM}\b\s*(?:{_SEP}+\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_LETTER_RE = re.compile(r"^(?:\((?P<a>[A-Za-z])\)|(?P<b>[A-Za-z])[).])(?:\s+(?P<rest>.*))?$")
_SYMBOL_BULLET_RE = re.compile(r"^(?:[·•▪▫●◦‣⁃∙■□►▸➢➤✓✔❖]\s*|[-*+–—o]\s+)(?P<rest>.*)$")
_NUMBER_BULLET_RE = re.compile(r"^\(?\d{1,3}[.)]\s+(?P<rest>.*)$")
_MD_HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<rest>.*?)\s*#*\s*$")
_SETEXT_RE = re.compile(r"^(=+|-{3,})\s*$")
_EMPHASIS_RE = re.compile(r"^(\*\*|__)(?P<inner>.+)\1:?$")
_SENTENCE_Q_RE = re.compile(r"[^?]+\?+")


@dataclass(slots=True)
class _Line:
    """A physical line (or .docx paragraph), tokenised but not yet interpreted."""

    no: int
    indent: int
    content: str  # stripped text (bullet mark removed for bullets)
    raw: str  # stripped text including any bullet mark
    bullet: bool = False
    letter: str | None = None  # lettered bullet / prompt marker letter
    heading: int = 0  # Markdown/.docx heading level, 0 if none
    list_item: bool = False  # a .docx list paragraph


@dataclass(slots=True)
class _Marker:
    role: LineRole
    number: int | None = None
    letter: str | None = None
    label: str = ""
    rest: str = ""


@dataclass
class _State:
    workshop: str
    group: int | None = None
    group_label: str | None = None
    question: int | None = None
    prompt: str | None = None
    section: str | None = None
    question_text: str | None = None
    block: int = 1
    counters: dict[tuple[int | None, int | None, str | None], int] = field(default_factory=dict)
    letters_seen: dict[tuple[int | None, int | None], dict[str, int]] = field(default_factory=dict)
    stack: list[tuple[int, str]] = field(default_factory=list)
    named_groups: dict[str, int] = field(default_factory=dict)
    questions_by_text: dict[str, int] = field(default_factory=dict)


def _number(token: str) -> int:
    token = token.lower()
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


def _clean(text: str) -> str:
    """Normalise non-breaking spaces for structure detection (never for note text)."""
    return text.replace("\u00a0", " ").replace("\u202f", " ").strip()


def _unemphasise(text: str) -> str:
    m = _EMPHASIS_RE.match(text)
    return m.group("inner").strip() if m else text


def decode(data: bytes, *, path: str = "<text>") -> tuple[str, list[str]]:
    """Decode file bytes: UTF-8 (with or without BOM) first, then cp1252 with a warning.

    Parameters
    ----------
    data : bytes
        The file's contents.
    path : str
        Name used in messages.

    Returns
    -------
    text : str
        The decoded text without a BOM.
    warnings : list of str
        One warning when cp1252 had to be used.

    Raises
    ------
    InputFileError
        When the bytes look binary or decode as neither UTF-8 nor cp1252.

    Examples
    --------
    >>> decode("Caf\\u00e9".encode("cp1252"), path="n.txt")
    ('Café', ['n.txt: not valid UTF-8; decoded as Windows-1252 (cp1252) instead'])
    """
    if b"\x00" in data[:8192]:
        raise InputFileError(
            f"{path}: looks like a binary file, not text notes (it contains NUL bytes)",
            path=path,
        )
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc2:
            raise InputFileError(
                f"{path}: line {line}: cannot decode the file as UTF-8 or Windows-1252; "
                "save it as UTF-8 and try again",
                path=path,
                line=line,
            ) from exc2
        return text, [f"{path}: not valid UTF-8; decoded as Windows-1252 (cp1252) instead"]


def _split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _tokenise(no: int, raw_line: str) -> _Line | None:
    expanded = raw_line.replace("\u00a0", " ").replace("\u202f", " ").expandtabs(4)
    stripped = expanded.strip()
    if not stripped or stripped == "\ufeff":
        return None
    indent = len(expanded) - len(expanded.lstrip())
    original = raw_line.strip().lstrip("\ufeff").strip()
    line = _Line(no=no, indent=indent, content=original, raw=original)
    md = _MD_HEADING_RE.match(stripped)
    if md:
        line.heading = len(md.group("hashes"))
        line.content = md.group("rest").strip()
        lettered = _LETTER_RE.match(_clean(line.content))
        if lettered:  # "### A) Spaces": a prompt heading with its topic
            line.letter = (lettered.group("a") or lettered.group("b")).upper()
            line.content = (lettered.group("rest") or "").strip()
        return line
    letter = _LETTER_RE.match(stripped)
    if letter:
        line.letter = (letter.group("a") or letter.group("b")).upper()
        rest = letter.group("rest")
        line.content = _bullet_text(original) if rest else ""
        line.bullet = bool(rest)
        return line
    for rx in (_SYMBOL_BULLET_RE, _NUMBER_BULLET_RE):
        if rx.match(stripped) and rx.match(original):
            line.bullet = True
            line.content = _bullet_text(original)
            return line
    return line


def _bullet_text(original: str) -> str:
    """Strip the bullet mark (symbol, number or letter) and surrounding white space."""
    for rx in (_LETTER_RE, _SYMBOL_BULLET_RE, _NUMBER_BULLET_RE):
        m = rx.match(original)
        if m and m.group("rest") is not None:
            return m.group("rest").strip()
    return original.strip()


def _marker(line: _Line) -> _Marker | None:
    """Structural meaning of a non-bullet line, if any."""
    text = _unemphasise(_clean(line.content))
    if not text:
        return None
    m = _GROUP_RE.match(text)
    if m:
        return _Marker(LineRole.GROUP, number=_number(m.group(2)), label=_clean(line.content))
    m = _QUESTION_RE.match(text)
    if m:
        return _Marker(LineRole.QUESTION, number=_number(m.group(1)), rest=(m.group("rest") or ""))
    m = _NAMED_GROUP_RE.match(text)
    if m and (line.heading or len(text) <= 40):
        name = (m.group("after") or m.group("before") or "").strip()
        if name and not name.endswith("?"):
            return _Marker(LineRole.GROUP, label=_clean(line.content), rest=name)
    return None


def parse_text(text: str, *, source: str = "notes.txt", workshop: str | None = None) -> ParseResult:
    """Parse notes given as text (.txt or .md layouts).

    Parameters
    ----------
    text : str
        The document. CRLF/CR line ends, a BOM and non-breaking spaces are fine.
    source : str
        File name the text came from; used for the workshop slug and messages.
    workshop : str, optional
        Workshop slug; by default the slug of ``source``'s stem.

    Returns
    -------
    ParseResult

    Raises
    ------
    ParseError
        When the text has no non-blank line.

    Examples
    --------
    >>> r = parse_text("## Table 2\\n### Challenges\\n- No time\\n  - day job\\n", source="t.md")
    >>> [(n.id, n.group, n.section, n.parent) for n in r.notes]
    [('G2-1', 2, 'Challenges', None), ('G2-2', 2, 'Challenges', 'G2-1')]
    """
    lines = [
        tok
        for tok in (_tokenise(no, raw) for no, raw in enumerate(_split_lines(text), start=1))
        if tok is not None
    ]
    return parse_lines(lines, source=source, workshop=workshop)


def parse_lines(
    lines: Sequence[_Line],
    *,
    source: str,
    workshop: str | None = None,
    warnings: Iterable[str] = (),
) -> ParseResult:
    """Interpret tokenised lines; shared by the text and .docx readers."""
    if not lines:
        raise ParseError(f"{source}: has no text to parse (it is empty or blank)", path=source)
    slug = workshop or slugify(Path(source).stem) or "workshop"
    _mark_setext(lines)
    markers = {ln.no: mk for ln in lines if not ln.bullet and (mk := _marker(ln)) is not None}
    has_explicit_questions = any(mk.role is LineRole.QUESTION for mk in markers.values())
    _promote_headings(lines, markers, has_explicit_questions)

    start = _content_start(lines, markers)
    out_lines: list[SourceLine] = []
    questions: dict[int, Question] = {}
    prompts: dict[tuple[int | None, str], Prompt] = {}
    preamble: list[str] = []
    title = ""

    # Preamble: title, question texts, lettered issue lists, description.
    last_q: int | None = None
    for ln in lines[:start]:
        mk = markers.get(ln.no)
        text = _clean(ln.content) if ln.content else ln.raw
        preamble.append(ln.raw)
        if not title and (mk is None or mk.role is not LineRole.QUESTION):
            title = text
            out_lines.append(SourceLine(ln.no, LineRole.TITLE, ln.raw))
        elif mk is not None and mk.role is LineRole.QUESTION and mk.number is not None:
            last_q = mk.number
            qtext = mk.rest.strip() or text
            questions.setdefault(mk.number, Question(mk.number, qtext, ln.no))
            out_lines.append(SourceLine(ln.no, LineRole.QUESTION, ln.raw))
        elif ln.letter is not None and ln.content:
            prompts.setdefault(
                (last_q, ln.letter), Prompt(last_q, ln.letter, _clean(ln.content), ln.no)
            )
            out_lines.append(SourceLine(ln.no, LineRole.PROMPT, ln.raw))
        else:
            out_lines.append(SourceLine(ln.no, LineRole.PREAMBLE, ln.raw))

    body = lines[start:]
    if start == 0 and body and not markers and not any(ln.bullet for ln in body):
        # No structure and no bullets: the first line is the title, the rest are notes.
        first = body[0]
        title = _clean(first.content)
        preamble.append(first.raw)
        out_lines.append(SourceLine(first.no, LineRole.TITLE, first.raw))
        body = body[1:]
    if not title:
        title = Path(source).stem.replace("-", " ").replace("_", " ").strip() or slug

    state = _State(workshop=slug)
    notes: list[Note] = []
    bulleted = _bulleted_segments(body, markers)
    last: tuple[int, int] | None = None  # line and indent of the note line just read
    for i, ln in enumerate(body):
        if last is not None and last[0] != ln.no - 1:
            last = None  # a blank line ends a note
        mk = markers.get(ln.no)
        if mk is not None:
            out_lines.append(_apply_marker(state, mk, ln, questions, prompts))
            continue
        if ln.letter is not None and (ln.heading or not ln.content):
            topic = _clean(ln.content) if ln.heading else ""
            out_lines.append(_enter_prompt(state, ln.letter, topic, ln, prompts))
            continue
        if ln.letter is not None and ln.bullet and _prompt_with_topic(body, i):
            out_lines.append(_enter_prompt(state, ln.letter, _clean(ln.content), ln, prompts))
            continue
        if ln.heading < 0:
            out_lines.append(SourceLine(ln.no, LineRole.HEADING, ln.raw, reason="underline"))
            continue
        if ln.heading:
            state.section = _clean(ln.content) or None
            state.stack.clear()
            out_lines.append(SourceLine(ln.no, LineRole.HEADING, ln.raw))
            continue
        if ln.bullet or ln.list_item or not bulleted[i]:
            note = _make_note(state, ln)
            notes.append(note)
            out_lines.append(SourceLine(ln.no, LineRole.NOTE, ln.raw, note_id=note.id))
            last = (ln.no, ln.indent)
            continue
        if last is not None and _continues(ln, *last):
            # a bullet wrapped onto the next line: one note, first line as provenance
            note = notes[-1]
            notes[-1] = replace(note, text=f"{note.text} {ln.raw.strip()}")
            reason = f"continues the note on line {note.line}"
            out_lines.append(
                SourceLine(ln.no, LineRole.NOTE, ln.raw, note_id=note.id, reason=reason)
            )
            last = (ln.no, last[1])
            continue
        if _next_is_bullet(body, i) and len(ln.content.split()) <= 8:
            state.section = _clean(ln.content).rstrip(":") or None
            state.stack.clear()
            out_lines.append(SourceLine(ln.no, LineRole.HEADING, ln.raw, reason="sub-heading line"))
            continue
        out_lines.append(
            SourceLine(ln.no, LineRole.UNASSIGNED, ln.raw, reason="plain line among bullets")
        )

    _derive_prompts(questions, prompts)
    ws = Workshop(
        slug=slug,
        title=title,
        source=Path(source).name,
        questions=tuple(sorted(questions.values(), key=lambda q: q.number)),
        prompts=tuple(sorted(prompts.values(), key=lambda p: (p.question or 0, p.letter))),
        preamble=tuple(preamble),
    )
    out_lines.sort(key=lambda sl: sl.line)
    return ParseResult(ws, tuple(notes), tuple(out_lines), tuple(warnings))


def _mark_setext(lines: Sequence[_Line]) -> None:
    """Turn ``Title`` + ``=====`` (or ``-----``) pairs into headings."""
    prev: _Line | None = None
    for ln in lines:
        if (
            prev is not None
            and not prev.bullet
            and not prev.heading
            and prev.no == ln.no - 1
            and _SETEXT_RE.match(_clean(ln.raw))
        ):
            prev.heading = 1 if ln.raw.startswith("=") else 2
            ln.heading = -1  # the underline itself
            ln.bullet = False
            ln.content = ""
        prev = ln


def _promote_headings(
    lines: Sequence[_Line], markers: dict[int, _Marker], has_explicit_questions: bool
) -> None:
    """Make headings (or plain lines before bullets) that end in '?' questions.

    When the document numbers its questions explicitly, such a line is a question
    only if it repeats a numbered question's text (another group's "Q1. What
    works?" written without the number); otherwise it is a sub-heading.
    """
    known = {
        _clean(mk.rest).casefold(): mk.number
        for mk in markers.values()
        if mk.role is LineRole.QUESTION and mk.rest and mk.number is not None
    }
    for i, ln in enumerate(lines):
        if ln.no in markers or ln.bullet or ln.heading < 0:
            continue
        text = _clean(ln.content)
        if not text.endswith("?"):
            continue
        if ln.heading > 1 or (ln.heading == 0 and not ln.list_item and _next_is_bullet(lines, i)):
            if not has_explicit_questions:
                markers[ln.no] = _Marker(LineRole.QUESTION, number=None, rest=text)
            elif (number := known.get(text.casefold())) is not None:
                markers[ln.no] = _Marker(LineRole.QUESTION, number=number, rest=text)


def _content_start(lines: Sequence[_Line], markers: dict[int, _Marker]) -> int:
    """Index of the first line after the preamble."""
    first_bullet = next(
        (i for i, ln in enumerate(lines) if (ln.bullet or ln.list_item) and ln.letter is None),
        len(lines),
    )
    first_group = next(
        (
            i
            for i, ln in enumerate(lines)
            if (mk := markers.get(ln.no)) and mk.role is LineRole.GROUP
        ),
        None,
    )
    if first_group is not None and first_group <= first_bullet:
        return first_group
    # No group before the first bullet: the preamble is at most a leading title.
    for i, ln in enumerate(lines[:first_bullet]):
        if ln.no in markers or ln.heading or (ln.letter and not ln.content):
            return 1 if i == 0 and ln.heading == 1 and ln.no not in markers else i
    if first_bullet < len(lines):
        # Plain lines straight before the first bullet: a title, then sub-headings or notes.
        return min(1, first_bullet)
    return 0


def _bulleted_segments(body: Sequence[_Line], markers: dict[int, _Marker]) -> list[bool]:
    """For each line, whether its segment (between structural lines) contains bullets."""
    flags = [False] * len(body)
    seg: list[int] = []
    has = False

    def flush() -> None:
        for j in seg:
            flags[j] = has

    for i, ln in enumerate(body):
        structural = ln.no in markers or ln.heading or (ln.letter is not None and not ln.content)
        if structural:
            flush()
            seg, has = [], False
            continue
        seg.append(i)
        has = has or ln.bullet or ln.list_item
    flush()
    return flags


def _next_is_bullet(lines: Sequence[_Line], i: int) -> bool:
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    return nxt is not None and (nxt.bullet or nxt.list_item)


def _prompt_with_topic(body: Sequence[_Line], i: int) -> bool:
    """A lettered line with text is a prompt when non-lettered bullets follow it."""
    nxt = body[i + 1] if i + 1 < len(body) else None
    return (
        nxt is not None
        and (nxt.bullet or nxt.list_item)
        and nxt.letter is None
        and nxt.indent >= body[i].indent
    )


def _apply_marker(
    state: _State,
    mk: _Marker,
    ln: _Line,
    questions: dict[int, Question],
    prompts: dict[tuple[int | None, str], Prompt],
) -> SourceLine:
    if mk.role is LineRole.GROUP:
        number = mk.number
        if number is None:
            key = mk.rest.casefold()
            number = state.named_groups.get(key)
            if number is None:
                used = [*list(state.named_groups.values()), state.group or 0]
                number = max(used, default=0) + 1
                state.named_groups[key] = number
        state.group, state.group_label = number, mk.label
        state.question = state.prompt = state.section = state.question_text = None
        state.block = 1
        state.stack.clear()
        return SourceLine(ln.no, LineRole.GROUP, ln.raw)
    # A question marker.
    number = mk.number
    text = mk.rest.strip()
    if number is None:
        key = text.casefold()
        number = (
            state.questions_by_text.get(key)
            or max([*state.questions_by_text.values(), *questions.keys(), 0]) + 1
        )
        state.questions_by_text[key] = number
    if text and number not in questions:
        questions[number] = Question(number, text, ln.no)
    own = text and _clean(text).casefold() != _clean(questions[number].text).casefold()
    state.question_text = text if own else None
    state.question, state.prompt, state.section = number, None, None
    state.block = 1
    state.stack.clear()
    return SourceLine(ln.no, LineRole.QUESTION, ln.raw)


def _enter_prompt(
    state: _State,
    letter: str,
    topic: str,
    ln: _Line,
    prompts: dict[tuple[int | None, str], Prompt],
) -> SourceLine:
    seen = state.letters_seen.setdefault((state.group, state.question), {})
    seen[letter] = seen.get(letter, 0) + 1
    state.prompt, state.block, state.section = letter, seen[letter], None
    state.stack.clear()
    if topic:
        prompts.setdefault((state.question, letter), Prompt(state.question, letter, topic, ln.no))
    reason = ""
    if state.block > 1:
        where = " ".join(p for p in (state.group_label or "", f"Question {state.question}") if p)
        reason = (
            f"repeated prompt {letter}) within {where}; numbering continues (block {state.block})"
        )
    return SourceLine(ln.no, LineRole.PROMPT, ln.raw, reason=reason)


def _continues(ln: _Line, prev_no: int, prev_indent: int) -> bool:
    """Whether a plain line carries on the bullet on the line just above it.

    It must follow with no blank line, and either be indented past the bullet
    (hanging text) or start in lower case (a sentence running on).

    Examples
    --------
    >>> _continues(_Line(no=5, indent=2, content="busy with", raw="busy with"), 4, 0)
    True
    >>> _continues(_Line(no=5, indent=0, content="Challenges", raw="Challenges"), 4, 0)
    False
    >>> _continues(_Line(no=6, indent=0, content="and more", raw="and more"), 4, 0)
    False
    """
    if ln.no != prev_no + 1 or ln.heading or ln.letter is not None:
        return False
    text = ln.raw.strip()
    return bool(text) and (ln.indent > prev_indent or text[0].islower())


def _make_note(state: _State, ln: _Line) -> Note:
    key = (state.group, state.question, state.prompt)
    n = state.counters.get(key, 0) + 1
    state.counters[key] = n
    parts = [
        *([f"G{state.group}"] if state.group is not None else []),
        *([f"Q{state.question}"] if state.question is not None else []),
        *([state.prompt] if state.prompt is not None else []),
    ]
    note_id = "-".join([*parts, str(n)]) if parts else f"N-{n}"
    while state.stack and state.stack[-1][0] >= ln.indent:
        state.stack.pop()
    parent = state.stack[-1][1] if state.stack else None
    state.stack.append((ln.indent, note_id))
    text = ln.content.strip() if (ln.bullet or ln.list_item) else ln.raw.strip()
    return Note(
        id=note_id,
        workshop=state.workshop,
        group=state.group,
        question=state.question,
        prompt=state.prompt,
        line=ln.no,
        text=text,
        group_label=state.group_label,
        parent=parent,
        section=state.section,
        block=state.block,
        question_text=state.question_text,
    )


def _derive_prompts(
    questions: dict[int, Question], prompts: dict[tuple[int | None, str], Prompt]
) -> None:
    """Questions with several sub-questions and no lettered list: A, B, ... map to them."""
    for q in questions.values():
        if any(p.question == q.number for p in prompts.values()):
            continue
        parts = [s.strip() for s in _SENTENCE_Q_RE.findall(q.text) if s.strip()]
        if len(parts) >= 2:
            for letter, part in zip("ABCDEFGHIJ", parts, strict=False):
                prompts[(q.number, letter)] = Prompt(q.number, letter, part, q.line)


# ---------------------------------------------------------------- other formats


_CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "group": ("group", "table", "breakout", "syndicate", "team"),
    "question": ("question", "q", "qno", "questionno", "questionnumber"),
    "prompt": ("prompt", "letter", "subquestion", "part", "issue"),
    "text": (
        "text",
        "note",
        "notes",
        "bullet",
        "comment",
        "comments",
        "response",
        "answer",
        "idea",
    ),
}


def _csv_header_map(header: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    norm = [re.sub(r"[^a-z0-9]", "", h.lower()) for h in header]
    for field_name, names in _CSV_COLUMNS.items():
        for i, h in enumerate(norm):
            if i in found.values():
                continue
            if h in names or any(h.startswith(n) for n in names if len(n) > 2):
                found[field_name] = i
                break
    return found


def parse_csv(text: str, *, source: str = "notes.csv", workshop: str | None = None) -> ParseResult:
    """Parse notes typed into a spreadsheet: columns ``group, question, prompt, text``.

    Header names are matched loosely (``Group``, ``Table``, ``Q``, ``Letter``,
    ``Note``, ``Comment`` ...); only a text column is required. ``line`` is the
    physical line where the record starts.

    Examples
    --------
    >>> r = parse_csv("Table,Q,Letter,Note\\nTable 3,2,b,Protected time\\n", source="s.csv")
    >>> r.notes[0].id, r.notes[0].group_label
    ('G3-Q2-B-1', 'Table 3')
    """
    slug = workshop or slugify(Path(source).stem) or "workshop"
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")))
    try:
        header = next(reader)
    except StopIteration:
        raise ParseError(f"{source}: has no text to parse (it is empty)", path=source) from None
    except csv.Error as exc:
        raise ParseError(f"{source}: line 1: {exc}", path=source, line=1) from exc
    cols = _csv_header_map(header)
    if "text" not in cols:
        raise ParseError(
            f"{source}: line 1: no text column in the header {header!r}; expected columns "
            "group,question,prompt,text (only text is required)",
            path=source,
            line=1,
        )
    state = _State(workshop=slug)
    notes: list[Note] = []
    out: list[SourceLine] = [SourceLine(1, LineRole.PREAMBLE, ",".join(header), reason="header")]
    start = reader.line_num + 1
    try:
        for row in reader:
            no, start = start, reader.line_num + 1
            cells = {f: (row[i].strip() if i < len(row) else "") for f, i in cols.items()}
            if not any(c.strip() for c in row):
                continue
            if not cells["text"]:
                out.append(SourceLine(no, LineRole.UNASSIGNED, ",".join(row), reason="no text"))
                continue
            state.group, state.group_label = _csv_group(state, cells.get("group", ""))
            state.question = _csv_number(cells.get("question", ""))
            letter = re.sub(r"[^A-Za-z]", "", cells.get("prompt", ""))[:1].upper()
            state.prompt = letter or None
            state.stack.clear()
            note = _make_note(
                state, _Line(no=no, indent=0, content=cells["text"], raw=cells["text"], bullet=True)
            )
            notes.append(note)
            out.append(SourceLine(no, LineRole.NOTE, ",".join(row), note_id=note.id))
    except csv.Error as exc:
        raise ParseError(f"{source}: line {start}: {exc}", path=source, line=start) from exc
    if not notes:
        raise ParseError(f"{source}: has a header but no notes", path=source, line=1)
    title = Path(source).stem.replace("-", " ").replace("_", " ")
    ws = Workshop(slug=slug, title=title, source=Path(source).name)
    return ParseResult(ws, tuple(notes), tuple(out))


def _csv_number(value: str) -> int | None:
    m = re.search(_NUM, value, re.IGNORECASE)
    return _number(m.group(1)) if m else None


def _csv_group(state: _State, value: str) -> tuple[int | None, str | None]:
    if not value:
        return None, None
    number = _csv_number(value)
    if number is None:
        key = value.casefold()
        if key not in state.named_groups:
            state.named_groups[key] = max(state.named_groups.values(), default=0) + 1
        number = state.named_groups[key]
    return number, value


def _docx_lines(path: Path) -> Iterator[_Line]:
    """Paragraphs of a .docx in body order (table cells included), as tokenised lines."""
    import docx  # python-docx; imported lazily to keep start-up fast
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))

    def paragraphs(parent: object, element: object) -> Iterator[Paragraph]:
        for child in element.iterchildren():  # type: ignore[attr-defined]
            if child.tag == qn("w:p"):
                yield Paragraph(child, parent)  # type: ignore[arg-type]
            elif child.tag == qn("w:tbl"):
                for row in Table(child, parent).rows:  # type: ignore[arg-type]
                    for cell in row.cells:
                        yield from paragraphs(cell, cell._tc)

    for no, para in enumerate(paragraphs(document, document.element.body), start=1):
        text = para.text
        if not text.strip():
            continue
        tok = _tokenise(no, text)
        if tok is None:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        ppr = para._p.pPr
        num_pr = ppr.numPr if ppr is not None else None
        if style.startswith("Heading") or style == "Title":
            level = int(style.split()[-1]) if style.split()[-1].isdigit() else 1
            tok.heading, tok.content, tok.bullet = level, _clean(text), False
        elif num_pr is not None or "List" in style:
            ilvl_el = getattr(num_pr, "ilvl", None)
            named = re.search(r"List \w+ (\d)$", style)
            if ilvl_el is not None and ilvl_el.val is not None:
                ilvl = int(ilvl_el.val)
            else:  # style-based lists ("List Bullet 2") carry the level in the name
                ilvl = int(named.group(1)) - 1 if named else 0
            tok.list_item = True
            tok.bullet = True
            tok.indent = 4 * int(ilvl) + tok.indent
            if not tok.content:
                tok.content = text.strip()
        yield tok


def parse_docx(path: Path, *, workshop: str | None = None) -> ParseResult:
    """Parse a Word document; list paragraphs are bullets, heading styles are headings.

    ``line`` is the paragraph number (table-cell paragraphs counted in body order).
    """
    from docx.opc.exceptions import OpcError

    try:
        lines = list(_docx_lines(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OpcError) as exc:
        raise InputFileError(
            f"{path}: is not a valid .docx file ({exc}); save it again from Word", path=str(path)
        ) from exc
    return parse_lines(lines, source=str(path), workshop=workshop)


def parse_file(path: str | Path, *, workshop: str | None = None) -> ParseResult:
    """Read and parse one notes file (.txt, .md, .docx or .csv).

    Raises
    ------
    InputFileError
        Missing, unreadable, empty, over 20 MB, binary, undecodable, or an
        unsupported extension.
    ParseError
        The file's content cannot be turned into notes.

    Examples
    --------
    >>> from collab_graph.resources import default_notes
    >>> len(parse_file(default_notes()).notes)
    239
    """
    p = Path(path)
    name = str(path)
    suffix = p.suffix.lower()
    if not p.exists():
        raise InputFileError(f"{name}: no such file", path=name)
    if p.is_dir():
        raise InputFileError(f"{name}: is a folder, not a notes file", path=name)
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError(
            f"{name}: unsupported file type {suffix or '(no extension)'!r}; "
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}",
            path=name,
        )
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputFileError(
                f"{name}: is {size / 1e6:.1f} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB",
                path=name,
            )
        if size == 0:
            raise InputFileError(f"{name}: is empty", path=name)
        if suffix == ".docx":
            return parse_docx(p, workshop=workshop)
        data = p.read_bytes()
    except PermissionError as exc:
        raise InputFileError(f"{name}: cannot be read (permission denied)", path=name) from exc
    except OSError as exc:
        if isinstance(exc, InputFileError):
            raise
        raise InputFileError(f"{name}: cannot be read ({exc.strerror or exc})", path=name) from exc
    text, warnings = decode(data, path=name)
    if not text.strip():
        raise InputFileError(f"{name}: is empty (only white space)", path=name)
    if suffix == ".csv":
        result = parse_csv(text, source=name, workshop=workshop)
    else:
        result = parse_text(text, source=name, workshop=workshop)
    if warnings:
        result = ParseResult(
            result.workshop, result.notes, result.lines, (*warnings, *result.warnings)
        )
    return result


def load(
    paths: Sequence[str | Path] = (),
    *,
    progress: Callable[[int, int, Path], None] | None = None,
) -> list[ParseResult]:
    """Parse several notes files into one list; no paths means the bundled workshop.

    Workshop slugs are made unique (``-2``, ``-3`` ...) when two files would share one.

    Parameters
    ----------
    paths : sequence of str or Path
        Notes files; empty means the bundled workshop.
    progress : callable, optional
        Called as ``progress(done, total, path)`` after each file, e.g. to drive
        a progress bar on long runs.

    Examples
    --------
    >>> [r.workshop.slug for r in load()]
    ['collaborative-innovation-workshop']
    """
    chosen = list(paths) or [default_notes()]
    results: list[ParseResult] = []
    used: set[str] = set()
    with paused_gc():
        for path in chosen:
            slug = slugify(Path(path).stem) or "workshop"
            unique, k = slug, 1
            while unique in used:
                k += 1
                unique = f"{slug}-{k}"
            used.add(unique)
            results.append(parse_file(path, workshop=unique))
            if progress is not None:
                progress(len(results), len(chosen), Path(path))
    return results
