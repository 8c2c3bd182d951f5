"""Read a notes document (.txt, .md, or a Word file's paragraphs) as a person would.

The reading goes down the document once, keeping the scopes that are open
(:class:`~collab_graph.ingest.scope.ScopeStack`) and the list items and
paragraphs that later lines may nest under:

* **Structure** makes no note: front matter, titles and headings, label lines
  (``Challenges:``, ``**Pluses**``, ``Start``, ``Q: ...``), metadata (dates,
  attendees, speakers, introductions under an ``Intros`` heading, how to join the
  call), links, images and their captions, HTML and code, table rules and residue
  such as a bare ``+1``, an emoji or an unfilled template line
  (``[name=Your Name] [Question]``). Labels, headings, questions and prompts become
  the scope of the notes under them.
* **Notes** are list items of any mark and depth, answer lines (``->``), table
  cells or rows, and paragraphs. A list directly after a paragraph nests under
  it. A hard-wrapped paragraph or item is one note on its first line; the
  lines after are continuations. A paragraph written one point per line gives
  one note per line.

Examples
--------
>>> text = '''# Retro
...
... Start
... - Joint walkabouts with the police
...   - +1
... - A plain-English summary of each plan
...
... Stop
... - 40-page plans that nobody outside
...   the partnership reads
... '''
>>> result = parse_text(text, source="retro.md")
>>> [(n.id, n.line, n.text) for n in result.notes]  # doctest: +NORMALIZE_WHITESPACE
[('start-1', 4, 'Joint walkabouts with the police'),
 ('start-2', 6, 'A plain-English summary of each plan'),
 ('stop-1', 9, '40-page plans that nobody outside the partnership reads')]
>>> [s.text for s in result.notes[2].scope]
['Retro', 'Stop']
>>> [(sl.line, sl.role.value, sl.reason) for sl in result.lines if sl.role.value != "note"]
... # doctest: +NORMALIZE_WHITESPACE
[(1, 'title', 'title'), (3, 'heading', 'label'), (5, 'residue', 'vote mark'),
 (8, 'heading', 'label'), (10, 'continuation', 'continues the note on line 9')]
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from slugify import slugify

from collab_graph.errors import ParseError
from collab_graph.ingest import cues
from collab_graph.ingest.decode import split_lines
from collab_graph.ingest.lines import Line, clean, letter_of, tokenise
from collab_graph.ingest.markers import Marker, marker_of
from collab_graph.ingest.paragraphs import continues_item, split_units, wrap_width
from collab_graph.ingest.scope import Entry, IdMaker, ScopeStack
from collab_graph.ingest.tables import Cell, Reading, Table, find_markdown_tables, read
from collab_graph.model import (
    LineRole,
    Note,
    ParseResult,
    Prompt,
    Question,
    Scope,
    SourceLine,
    Workshop,
)

__all__ = ["parse_lines", "parse_text"]

_SENTENCE_Q_RE = re.compile(r"[^?]+\?+")
_FM_KEY_RE = re.compile(r"^(?:[\w\"'.-]+\s*[:=]|\[[\w.\"' -]+\]$|-\s)")
_FM_TITLE_RE = re.compile(r"^title\s*[:=]\s*(?P<v>.+?)\s*$", re.IGNORECASE)
_FENCE_RE = re.compile(r"^(?P<marks>`{3,}|~{3,}|:{3,})(?P<info>[^`]*)$")
# MyST directives whose body is code or markup, not notes
_CODE_DIRECTIVES = frozenset(
    """toctree code code-block code-cell sourcecode literalinclude include math raw eval-rst
    mermaid figure image bibliography csv-table list-table table glue""".split()
)
_INFO_BOXES = ("info", "warning", "success", "danger", "alert", "tip", "note")
_ASKS_END = frozenset("?:>*_` ")
# Kinds of line that are structure on their own, and their roles.
_STRUCTURE = {
    "residue": LineRole.RESIDUE,
    "link": LineRole.LINK,
    "metadata": LineRole.METADATA,
    "underline": LineRole.HEADING,
}
_JOINING = "metadata: how to join the call"
_INTRODUCTION = "metadata: introduction"
_ROMAN_MARK_RE = re.compile(r"^\(?(?:[ivx]{2,5}|[IVX]{2,5})[.)]$")


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
    raw = split_lines(text)
    lines = [tok for no, r in enumerate(raw, start=1) if (tok := tokenise(no, r)) is not None]
    tables = find_markdown_tables(raw) if "|" in text else []
    return parse_lines(lines, source=source, workshop=workshop, tables=tables)


def parse_lines(
    lines: Sequence[Line],
    *,
    source: str,
    workshop: str | None = None,
    warnings: Iterable[str] = (),
    tables: Sequence[Table] = (),
) -> ParseResult:
    """Interpret tokenised lines and tables; shared by the text and Word readers.

    Parameters
    ----------
    lines : sequence of Line
        The document's non-blank lines in order (a Word file: its paragraphs).
    source : str
        File name, for the workshop slug and messages.
    workshop : str, optional
        Workshop slug; by default the slug of ``source``'s stem.
    warnings : iterable of str
        Warnings to pass on (e.g. from decoding).
    tables : sequence of Table
        Tables in the document; a Markdown table's lines are among ``lines``
        too and are read as the table.

    Returns
    -------
    ParseResult

    Raises
    ------
    ParseError
        When there is no line and no table.
    """
    if not lines and not tables:
        raise ParseError(f"{source}: has no text to parse (it is empty or blank)", path=source)
    slug = workshop or slugify(Path(source).stem) or "workshop"
    return _Reader(lines, tables, source, slug).run(tuple(warnings))


@dataclass(slots=True)
class _Open:
    """A list item or paragraph that later lines may nest under."""

    kind: str  # "item", "para" or "meta"
    indent: int
    child_min: int  # the least indentation of a line nested under it
    note_id: str | None = None
    arrow: bool = False
    scope: Scope | None = None  # set when it asks a question or labels what follows
    label: str | None = None  # a metadata item's label word ("attendees"): what is listed under it


def _asks(text: str, line: int) -> Scope | None:
    """The scope a note gives the lines nested under it, when it asks or labels (``?``, ``:``)."""
    end = text.rstrip(" *_`>")
    if not end or end[-1] not in "?:>":
        return None
    t = cues.strip_markup(text).rstrip()
    if t.endswith("?"):
        return Scope(line, t, "question")
    if t.endswith(":"):
        return Scope(line, t, "label")
    return None


class _Reader:
    """One pass over a document's lines (see the module docstring)."""

    def __init__(self, lines: Sequence[Line], tables: Sequence[Table], source: str, slug: str):
        self.source = source
        self.slug = slug
        self.events: list[Line | Table] = []
        self.stack = ScopeStack()
        self.ids = IdMaker()
        self.open: list[_Open] = []
        self.notes: list[Note] = []
        self.out: list[SourceLine] = []
        self.done: set[int] = set()  # lines already given a role
        self.questions: dict[int, Question] = {}
        self.prompts: dict[tuple[int | None, str], Prompt] = {}
        self.questions_by_text: dict[str, int] = {}
        self.named_groups: dict[str, int] = {}
        self.letters_seen: dict[tuple[int | None, int | None], dict[str, int]] = {}
        self.preamble: list[str] = []
        self.title = ""
        self.fm_title: str | None = None
        self.seen_content = False  # a note or a heading below the title was read
        self.meta_lead: int | None = None  # indentation of a "Present"/"Attendees:" line
        self.meta_word: str | None = None  # and its label word ("present", "attendees")
        # under a heading or label about joining the call: "open" until a list is read, then
        # "list"; what is read there is logistics (a paragraph after the list ends it)
        self.joining = ""
        self.people: int | None = None  # level of an "Intros"/"Participants" heading we are under
        self._rosters: dict[tuple[int, int], bool] = {}  # a list's (indent, first event)
        self.last_item_end = -1  # line of the last line of the last list item
        self.last_unit = ""  # what the reading last made: "item", "para", "run" or "label"
        self._asks_next = False  # the next line of the run being read is a question
        self._kinds: list[tuple[str, str] | None] = []
        self._merge(lines, tables)
        self.marks: dict[int, Marker] = {}
        self.wrap: int | None = None  # the column the document is hard-wrapped at

    # ------------------------------------------------------------ set-up

    def _merge(self, lines: Sequence[Line], tables: Sequence[Table]) -> None:
        """Order lines and tables; a Markdown table's own lines are left to the table."""
        covered: set[int] = set()
        starts: dict[int, Table] = {}
        for t in tables:
            if t.raw:
                covered.update(t.raw)
            starts[t.header_line] = t
        for ln in lines:
            if ln.no in starts:
                self.events.append(starts.pop(ln.no))
            if ln.no not in covered:
                self.events.append(ln)
        # Word tables (and any left over) go where their first line falls
        for t in sorted(starts.values(), key=lambda t: t.header_line):
            at = next(
                (i for i, e in enumerate(self.events) if _first_line(e) > t.header_line),
                len(self.events),
            )
            self.events.insert(at, t)
        self._kinds = [None] * len(self.events)

    def _emit(self, ln: Line, role: LineRole, reason: str = "", note_id: str | None = None) -> None:
        """Give a line its role as the reading reaches it."""
        self.out.append(SourceLine(ln.no, role, ln.raw, note_id, reason))

    def _claim(self, ln: Line, role: LineRole, reason: str = "") -> None:
        """Give a line its role ahead of the reading, which then passes over it."""
        self.out.append(SourceLine(ln.no, role, ln.raw, None, reason))
        self.done.add(ln.no)

    def _line(self, i: int) -> Line | None:
        e = self.events[i] if 0 <= i < len(self.events) else None
        return e if isinstance(e, Line) else None

    # ------------------------------------------------------------ pre-pass

    def _front_matter(self) -> None:
        first = self._line(0)
        if first is None or first.raw not in ("---", "+++") or first.indent:
            return
        fence = first.raw
        end = None
        for i in range(1, min(len(self.events), 200)):
            ln = self._line(i)
            if ln is None:
                return
            if ln.raw == fence and ln.indent == 0:
                end = i
                break
        if end is None:
            return
        head = self._line(1)
        if end > 1 and (head is None or not _FM_KEY_RE.match(head.raw)):
            return
        for i in range(end + 1):
            ln = self._line(i)
            assert ln is not None
            m = _FM_TITLE_RE.match(ln.raw) if ln.indent == 0 else None
            if m and self.fm_title is None:
                self.fm_title = m.group("v").strip().strip("\"'").strip() or None
            self._claim(ln, LineRole.FRONT_MATTER, "front matter")

    def _fences_and_comments(self) -> None:
        """Claim code blocks, HackMD info boxes and HTML comments; open MyST directive boxes.

        A fenced block is code (residue) unless it is a MyST directive that holds text
        (```` ```{admonition} Vision ````, ```` ```{note} ````) or a ``:::`` container: then
        only its fences are structure, its title labels what is inside, and what is inside
        is read as usual (a HackMD ``:::info`` box holds metadata).
        """
        n = len(self.events)
        i = 0
        while i < n:
            ln = self._line(i)
            if ln is None or ln.no in self.done or ln.raw[0] not in "`~:<" or self._kinds[i]:
                i += 1  # (a box's closing fence is already known)
                continue
            raw = ln.raw
            fence = _FENCE_RE.match(raw)
            if fence is not None:
                i = self._fence(i, fence.group("marks"), fence.group("info").strip())
                continue
            if raw.startswith("<!--"):
                j = i
                while (c := self._line(j)) is not None and "-->" not in c.raw and j + 1 < n:
                    j += 1
                if (c := self._line(j)) is None or "-->" not in c.raw:
                    j = i  # unclosed: only this line
                for k in range(i, j + 1):
                    if (c := self._line(k)) is not None:
                        self._claim(c, LineRole.RESIDUE, "html comment")
                i = j + 1
                continue
            i += 1

    def _fence(self, i: int, marks: str, info: str) -> int:
        """Claim the fenced block opening at event ``i``; the event to look at next."""
        ln = self._line(i)
        assert ln is not None
        closing = re.compile(rf"^{re.escape(marks[0])}{{{len(marks)},}}\s*$")
        close = next(
            (
                j
                for j in range(i + 1, len(self.events))
                if (c := self._line(j)) is not None
                and c.no not in self.done
                and closing.match(c.raw)
            ),
            None,
        )
        if close is not None and self._kinds[close] is not None:
            close = None  # that fence already closes an outer box
        colon = marks[0] == ":"
        if close is None:
            if colon:
                self._claim(ln, LineRole.RESIDUE, "container fence")
            return i + 1
        end = self._line(close)
        assert end is not None
        directive = (
            info[1 : info.index("}")].strip().lower()
            if info.startswith("{") and "}" in info
            else ""
        )
        box = (directive or info.split(" ")[0]).lower()
        holds_text = colon or (bool(directive) and directive not in _CODE_DIRECTIVES)
        if not holds_text:
            self._claim(ln, LineRole.RESIDUE, "code fence")
            for j in range(i + 1, close):
                if (inner := self._line(j)) is not None:
                    self._claim(inner, LineRole.RESIDUE, "code block")
            self._claim(end, LineRole.RESIDUE, "code fence")
            return close + 1
        if colon and not directive and box in _INFO_BOXES:  # HackMD ":::info": about the pad
            self._claim(ln, LineRole.RESIDUE, "box fence")
            for j in range(i + 1, close):
                if (inner := self._line(j)) is not None and not inner.item:
                    self._claim(inner, LineRole.METADATA, f"metadata: {box} box")
            self._claim(end, LineRole.RESIDUE, "box fence")
            return close + 1
        # a box of text: its title labels what is inside, which is read as usual
        title = info[info.index("}") + 1 :].strip() if directive else info[len(box) :].strip()
        title = title or (box.capitalize() if directive and directive != "admonition" else "")
        self._kinds[i] = ("boxopen", title) if title else ("residue", "box fence")
        self._kinds[close] = ("boxclose", str(ln.no)) if title else ("residue", "box fence")
        return i + 1

    def _setext(self) -> None:
        prev: Line | None = None
        for e in self.events:
            if not isinstance(e, Line):
                prev = None
                continue
            if (
                e.rule
                and e.no not in self.done
                and prev is not None
                and prev.no == e.no - 1
                and prev.no not in self.done
                and not prev.item
                and not prev.heading
                and not prev.rule
                and e.raw[0] in "=-"
            ):
                prev.heading = 1 if e.raw[0] == "=" else 2
                prev.content = prev.raw
                e.heading = -1
            prev = e

    def _find_markers(self) -> None:
        for e in self.events:
            if isinstance(e, Table) or e.item or e.rule or e.heading < 0 or e.no in self.done:
                continue
            text = e.content
            if text:
                mk = marker_of(text, heading=e.heading > 0)
                if mk is not None:
                    self.marks[e.no] = mk
        has_groups = any(mk.role is LineRole.GROUP for mk in self.marks.values())
        explicit = any(mk.role is LineRole.QUESTION for mk in self.marks.values())
        known = {
            clean(mk.rest).casefold(): mk.number
            for mk in self.marks.values()
            if mk.role is LineRole.QUESTION and mk.rest and mk.number is not None
        }
        for i, e in enumerate(self.events):
            if not isinstance(e, Line) or e.item or e.heading < 0 or e.rule:
                continue
            if not e.content.rstrip().endswith("?") or e.no in self.done or e.no in self.marks:
                continue
            text = clean(e.content)
            nxt = self._line(i + 1)
            before_list = nxt is not None and nxt.item and bool(nxt.content)
            if e.heading > 1 or (e.heading == 0 and has_groups and before_list):
                if not explicit:
                    self.marks[e.no] = Marker(LineRole.QUESTION, None, rest=text)
                elif (number := known.get(text.casefold())) is not None:
                    self.marks[e.no] = Marker(LineRole.QUESTION, number, rest=text)

    # ------------------------------------------------------------ classification

    def _kind(self, i: int) -> tuple[str, str]:
        """What line ``i`` is on its own: (kind, reason)."""
        cached = self._kinds[i]
        if cached is not None:
            return cached
        ln = self.events[i]
        assert isinstance(ln, Line)
        kind = self._classify(ln)
        self._kinds[i] = kind
        return kind

    def _classify(self, ln: Line) -> tuple[str, str]:
        if ln.heading < 0:
            return "underline", "setext underline"
        if ln.rule:
            return "residue", "thematic break"
        if ln.heading > 0:
            return "heading", ""
        if ln.item:
            c = ln.content
            if not c:
                if ln.letter is not None:
                    return "prompt", ""
                if ln.mark[:1].isdigit() or ln.mark[:1] == "(":
                    return "numlabel", ""
                return "residue", "empty bullet"
            plain = ":" not in c and "<" not in c and "](" not in c and "www." not in c
            # words, with no label, tag, link or address: a note (the common case, decided at
            # once) unless it may ask the reader to add to the pad or approve the minutes
            plain = plain and "@" not in c and " your" not in c and "inutes" not in c
            if plain and c[:3].isalpha() and " " in c:
                return "item", ""
            if r := cues.residue_reason(c):
                return "residue", r
            if r := cues.link_reason(c):
                return "link", r
            if r := cues.metadata_reason(c, item=True):
                return "metadata", r
            return "item", ""
        c = ln.content
        if c[0] == "<":
            summary = re.match(r"^<summary>(.*)</summary>$", c, re.IGNORECASE)
            if summary and summary.group(1).strip():
                return "summary", cues.strip_markup(summary.group(1))
        if ln.no in self.marks:
            return "marker", ""
        if c[0] == ":" and (r := cues.metadata_reason(c)):
            return "metadata", r  # a field list, ":Date: ..."
        if r := cues.residue_reason(c):
            return "residue", r
        if r := cues.link_reason(c):
            return "link", r
        if r := cues.metadata_reason(c):
            return "metadata", r
        return "text", ""

    # ------------------------------------------------------------ the run

    def run(self, warnings: tuple[str, ...]) -> ParseResult:
        """Read the document: claim what is known ahead (front matter, code, title), then go on."""
        self._front_matter()
        self._fences_and_comments()
        self._setext()
        self._find_markers()
        self.wrap = wrap_width(
            [
                e
                for e in self.events
                if isinstance(e, Line) and not (e.item or e.heading or e.rule or e.no in self.done)
            ]
        )
        start = self._preamble()
        if start is None:
            start = 0
            self._title()
        i = start
        n = len(self.events)
        while i < n:
            e = self.events[i]
            if isinstance(e, Table):
                self._table(e)
                i += 1
                continue
            if e.no in self.done:
                i += 1
                continue
            i = self._step(i)
        _derive_prompts(self.questions, self.prompts)
        title = self.title or self.fm_title
        if not title:
            title = Path(self.source).stem.replace("-", " ").replace("_", " ").strip() or self.slug
        ws = Workshop(
            slug=self.slug,
            title=title,
            source=Path(self.source).name,
            questions=tuple(sorted(self.questions.values(), key=lambda q: q.number)),
            prompts=tuple(sorted(self.prompts.values(), key=lambda p: (p.question or 0, p.letter))),
            preamble=tuple(self.preamble),
        )
        self.out.sort(key=lambda sl: sl.line)
        return ParseResult(ws, tuple(self.notes), tuple(self.out), warnings)

    def _step(self, i: int) -> int:
        """Read the line at event ``i`` (and any lines that go with it); the next event's index."""
        ln = self.events[i]
        assert isinstance(ln, Line)
        kind, why = self._kinds[i] or self._kind(i)
        if kind == "item":
            if ln.letter is not None and self._prompt_item(i):
                self._prompt(ln, ln.letter, cues.strip_markup(ln.content), heading_level=0)
                return i + 1
            return self._item(i)
        role = _STRUCTURE.get(kind)
        if role is not None:
            self._emit(ln, role, why)
            if kind == "metadata":
                word = cues.lead_word(why)
                if ln.item:
                    self._pop_for_item(ln)
                    self.open.append(_Open("meta", ln.indent, _child_min(ln), label=word))
                else:
                    self.joining = ""
                    if word is not None and (
                        ln.raw.rstrip(" *_").endswith(":") or ":" not in ln.raw
                    ):
                        # "Attendees:", "Present", "Other Attendees": names listed under it
                        self.meta_lead, self.meta_word = ln.indent, word
                        self.open.clear()
            return i + 1
        if kind == "text":
            if self._caption(i, ln):
                self._emit(ln, LineRole.LINK, "caption")
                return i + 1
            return self._block(i)
        self.meta_lead = None
        self.joining = ""
        self.open.clear()
        self.last_unit = ""
        if kind == "heading":
            self._heading(ln)
        elif kind == "summary":
            self.seen_content = True
            self.stack.push_heading(6, why, ln.no)
            self._emit(ln, LineRole.HEADING, "heading")
        elif kind == "marker":
            self._marker(self.marks[ln.no], ln, heading_level=0)
        elif kind == "prompt":
            self._prompt(ln, ln.letter or "", "", heading_level=0)
        elif kind == "numlabel":
            self.stack.push_label(ln.no, ln.raw, indent=ln.indent, local=False)
            self._emit(ln, LineRole.HEADING, "numbered label")
        elif kind == "boxopen":
            self.stack.push_label(ln.no, why, indent=ln.indent, local=False)
            self._emit(ln, LineRole.HEADING, "box title")
        elif kind == "boxclose":
            self.stack.close_label(int(why))
            self._emit(ln, LineRole.RESIDUE, "box fence")
        return i + 1

    # ------------------------------------------------------------ preamble and title

    def _preamble(self) -> int | None:
        """The bundled layout: lines before the first group, when it comes before any bullet."""
        first_item = next(
            (
                i
                for i, e in enumerate(self.events)
                if isinstance(e, Line) and e.item and e.letter is None and e.no not in self.done
            ),
            len(self.events),
        )
        first_group = next(
            (
                i
                for i, e in enumerate(self.events)
                if isinstance(e, Line)
                and (mk := self.marks.get(e.no)) is not None
                and mk.role is LineRole.GROUP
            ),
            None,
        )
        if first_group is None or first_group > first_item or first_group == 0:
            return None
        last_q: int | None = None
        for e in self.events[:first_group]:
            if not isinstance(e, Line):
                return None
            if e.no in self.done:
                continue
            mk = self.marks.get(e.no)
            text = clean(e.content) if e.content else e.raw
            self.preamble.append(e.raw)
            if not self.title and (mk is None or mk.role is not LineRole.QUESTION):
                self.title = cues.strip_markup(text) or text
                self.stack.push_title(e.no, self.title)
                self._claim(e, LineRole.TITLE, "title")
            elif mk is not None and mk.role is LineRole.QUESTION and mk.number is not None:
                last_q = mk.number
                qtext = mk.rest.strip() or text
                self.questions.setdefault(mk.number, Question(mk.number, qtext, e.no))
                self._claim(e, LineRole.QUESTION, "question in the preamble")
            elif e.letter is not None and e.content:
                self.prompts.setdefault(
                    (last_q, e.letter), Prompt(last_q, e.letter, clean(e.content), e.no)
                )
                self._claim(e, LineRole.PROMPT, "prompt in the preamble")
            elif r := cues.metadata_reason(e.raw):
                self._claim(e, LineRole.METADATA, r)
            else:
                self._claim(e, LineRole.PREAMBLE, "preamble")
        return first_group

    def _title(self) -> None:
        """The document's title: a first H1, or a short plain first line."""
        for i, e in enumerate(self.events):
            if isinstance(e, Table):
                return
            if e.no in self.done:
                continue
            kind, _ = self._kind(i)
            if kind in ("residue", "link", "metadata", "underline"):
                continue
            if kind == "heading" and e.heading == 1 and e.no not in self.marks:
                self.title = cues.strip_markup(e.content) or e.content
                self.stack.push_title(e.no, self.title)
                self._claim(e, LineRole.TITLE, "title")
                under = self._line(i + 1)
                if under is not None and under.heading < 0:
                    self._claim(under, LineRole.TITLE, "title underline")
            elif kind == "text" and self.fm_title is None and e.indent == 0:
                t = cues.strip_markup(e.raw)
                words = t.split()
                if 1 <= len(words) <= 10 and t[-1] not in ".!?:;,":
                    self.title = t
                    self.stack.push_title(e.no, t)
                    self._claim(e, LineRole.TITLE, "title")
            return

    # ------------------------------------------------------------ headings and markers

    def _heading(self, ln: Line) -> None:
        text = cues.strip_markup(ln.content)
        if not text:
            self._emit(ln, LineRole.RESIDUE, "empty heading")
            return
        level = max(ln.heading, 1)
        if self.people is not None and level <= self.people:
            self.people = None
        if self.people is None and cues.introduces_people(text):
            self.people = level  # "## Intros": who is there, until the next heading as high
        if r := cues.metadata_reason(ln.content):
            bare = html.unescape(text).strip()  # "## Attendees:&#x20;" ends in ":" too
            if not (bare.endswith(":") or ":" not in bare):
                self._emit(ln, LineRole.METADATA, r)  # "###### tags: x", "## Date: 3 May"
                return
            # "## Participants": a heading (the section of what follows) over metadata
            self.stack.push_heading(level, text, ln.no)
            self._emit(ln, LineRole.HEADING, f"heading ({r})")
            if cues.lists_attendance(word := cues.lead_word(r)):
                self.meta_lead, self.meta_word = ln.indent, word  # names listed under it
            return
        mk = self.marks.get(ln.no)
        if mk is not None:
            self._marker(mk, ln, heading_level=level)
            return
        lettered = letter_of(text)
        if lettered is not None:
            self._prompt(ln, lettered[0], lettered[1], heading_level=level)
            return
        self.seen_content = True
        self.stack.push_heading(level, text, ln.no)
        self._emit(ln, LineRole.HEADING, "heading")
        if cues.joins_call(text):
            self.joining = "open"

    def _marker(self, mk: Marker, ln: Line, *, heading_level: int) -> None:
        text = cues.strip_markup(ln.content if ln.heading > 0 else ln.raw) or ln.raw
        if mk.role is LineRole.GROUP:
            number = mk.number
            if number is None:
                number = self._group_number(mk.rest)
            entry = Entry("group", ln.no, text, 0, number=number, label=mk.label)
            self.stack.push_marker(entry, heading_level=heading_level)
            self._emit(ln, LineRole.GROUP, "group")
            return
        number = mk.number
        qtext = mk.rest.strip()
        if number is None:
            key = qtext.casefold()
            number = (
                self.questions_by_text.get(key)
                or max([*self.questions_by_text.values(), *self.questions.keys(), 0]) + 1
            )
            self.questions_by_text[key] = number
        if qtext and number not in self.questions:
            self.questions[number] = Question(number, qtext, ln.no)
        own = (
            bool(qtext) and clean(qtext).casefold() != clean(self.questions[number].text).casefold()
        )
        entry = Entry("question", ln.no, text, 0, number=number, label=qtext if own else None)
        self.stack.push_marker(entry, heading_level=heading_level)
        self._emit(ln, LineRole.QUESTION, "question")

    def _group_number(self, name: str) -> int:
        key = name.casefold()
        number = self.named_groups.get(key)
        if number is None:
            current = self.stack.last("group")
            used = [*self.named_groups.values(), (current.number or 0) if current else 0]
            number = max(used, default=0) + 1
            self.named_groups[key] = number
        return number

    def _prompt(self, ln: Line, letter: str, topic: str, *, heading_level: int) -> None:
        group, question = self.stack.last("group"), self.stack.last("question")
        g = group.number if group else None
        q = question.number if question else None
        seen = self.letters_seen.setdefault((g, q), {})
        seen[letter] = seen.get(letter, 0) + 1
        block = seen[letter]
        if topic:
            self.prompts.setdefault((q, letter), Prompt(q, letter, topic, ln.no))
        text = cues.strip_markup(ln.content if ln.heading > 0 else ln.raw) or ln.raw
        entry = Entry("prompt", ln.no, text, 0, letter=letter, block=block)
        self.stack.push_marker(entry, heading_level=heading_level)
        self.open.clear()
        reason = "prompt"
        if block > 1:
            where = " ".join(
                p for p in ((group.label or "") if group else "", f"Question {q}") if p
            )
            reason = (
                f"repeated prompt {letter}) within {where}; numbering continues (block {block})"
            )
        self._emit(ln, LineRole.PROMPT, reason)

    def _prompt_item(self, i: int) -> bool:
        """A lettered item is a prompt when plain items follow under it, or it asks a question."""
        ln = self._line(i)
        assert ln is not None
        nxt = self._line(i + 1)
        if nxt is not None and _ROMAN_MARK_RE.match(nxt.mark):
            return False  # "i." then "ii.": roman numerals, not a prompt letter
        if nxt is not None and nxt.item and nxt.letter is None and nxt.indent >= ln.indent:
            return nxt.no not in self.done and bool(nxt.content)
        if not cues.strip_markup(ln.content).endswith("?"):
            return False
        return nxt is None or not (nxt.letter is not None and nxt.indent == ln.indent)

    # ------------------------------------------------------------ notes

    def _make(
        self,
        line: int,
        text: str,
        *,
        parent: str | None,
        extra: tuple[Scope, ...] = (),
        group: tuple[int, str] | None = None,
        prompt: str | None = None,
    ) -> Note:
        st = self.stack
        f = st.fields()
        g, q, p = f.group, f.question, f.prompt
        number, label = (g.number, g.label) if g else (None, None)
        if group is not None:
            number, label = group
        scope = f.scope
        if extra:
            scope = (*scope, *extra)
        letter = p.letter if p else None
        if prompt is not None:
            letter = prompt
        question = q.number if q else None
        note = Note(  # positional, in field order: this runs once per note
            self.ids.make(number, question, letter, scope, line=line),
            self.slug,
            number,
            question,
            letter,
            line,
            text,
            label,
            parent,
            f.section,
            p.block if p else 1,
            q.label if q else None,
            scope,
        )
        self.notes.append(note)
        st.note_made()
        self.seen_content = True
        return note

    def _open_scope(self) -> tuple[tuple[Scope, ...], str | None]:
        """Scopes asked by open items (questions, labels) and the nearest open note."""
        if not self.open:
            return (), None
        extra = tuple(o.scope for o in self.open if o.scope is not None)
        parent = next((o.note_id for o in reversed(self.open) if o.note_id), None)
        return extra, parent

    def _pop_for_item(self, ln: Line) -> None:
        x = ln.indent
        if ln.arrow:
            while self.open:
                top = self.open[-1]
                if top.indent > x or (top.indent == x and (top.arrow or top.kind != "item")):
                    self.open.pop()
                else:
                    break
        else:
            while self.open and x < self.open[-1].child_min:
                self.open.pop()

    def _item(self, i: int) -> int:
        ln = self.events[i]
        assert isinstance(ln, Line)
        if self.last_unit == "run":
            prev = self.events[i - 1] if i else None
            if not isinstance(prev, Line) or prev.no != ln.no - 1:
                # a list after a blank line that follows a run of points (Q:/A: lines)
                self.stack.close_local_labels(ln.indent)
        self.last_unit = "item"
        entries = self.stack.entries
        if entries and entries[-1].kind == "label" and entries[-1].indent > ln.indent:
            self.stack.close_labels_deeper(ln.indent)
        if ln.arrow:
            self._pop_for_item(ln)
        else:
            x, stack = ln.indent, self.open
            while stack and x < stack[-1].child_min:
                stack.pop()
        if self.joining:
            return self._joining_item(i)
        c = ln.content
        gap = c.find(" ") + 1  # a name's next word is capitalised too (a cheap first look)
        why = None
        if self.people is not None and cues.reads_as_affiliation(c):
            why = _INTRODUCTION  # under "Intros": "Ana Ruiz, Head of Housing, Fife Council"
        elif (
            c[0].isupper()
            and (not gap or c[gap : gap + 1].isupper() or c[gap : gap + 1] == "(")
            and cues.name_alone(c)
            and self._among_people(i)
        ):
            why = "metadata: a name alone in a list of people"
        if why is not None:
            self._emit(ln, LineRole.METADATA, why)
            self.open.append(_Open("meta", ln.indent, _child_min(ln)))
            return i + 1
        top = self.open[-1] if self.open else None
        under_meta = (
            (top.kind == "meta")
            if top is not None
            else (self.meta_lead is not None and ln.indent >= self.meta_lead)
        )
        if under_meta:
            word = top.label if top is not None else self.meta_word
            if cues.listed_under(word, ln.content):
                self._emit(ln, LineRole.METADATA, "metadata: listed under a metadata line")
                self.open.append(_Open("meta", ln.indent, _child_min(ln), label=word))
                return i + 1
        self.meta_lead = None
        extra, parent = self._open_scope()
        note = self._make(ln.no, ln.content, parent=parent, extra=extra)
        self.out.append(SourceLine(ln.no, LineRole.NOTE, ln.raw, note.id))
        asks = _asks(ln.content, ln.no) if ln.content[-1] in _ASKS_END else None
        x = ln.indent
        child_min = max(x + 1, min(ln.content_col, x + 2))  # as _child_min(ln)
        self.open.append(_Open("item", x, child_min, note.id, ln.arrow, asks))
        unit = [ln]
        j = i + 1
        events = self.events
        while j < len(events) and isinstance(nxt := events[j], Line) and nxt.no == unit[-1].no + 1:
            # a wrapped item may carry a link onto the next line: "... see [the\n  guide](url)"
            if nxt.no in self.done or (self._kinds[j] or self._kind(j))[0] not in ("text", "link"):
                break
            if not continues_item(unit, ln, nxt, self.wrap):
                break
            unit.append(nxt)
            self._emit(nxt, LineRole.CONTINUATION, f"continues the note on line {ln.no}", note.id)
            j += 1
        if len(unit) > 1:
            joined = " ".join([ln.content, *(u.content for u in unit[1:])])
            self.notes[-1] = replace(note, text=joined)
        self.last_item_end = unit[-1].no
        return j

    def _among_people(self, i: int) -> bool:
        """Whether the list item at event ``i`` is in a list of people's lines.

        Most of its siblings, and at least two, start with who wrote them (``[name=Ana]``,
        ``Ana (Fife Council) - ...``, ``Ana Ruiz: ...``), and the list says whose lines
        they are: by HackMD name marks, or by the line over it asking for names or
        attendance (``Name / Organisation / ...``). An item there that is only a name is an
        attendee who added nothing.
        """
        ln = self._line(i)
        assert ln is not None
        x, k = ln.indent, i
        while (p := self._line(k - 1)) is not None and p.item and p.indent >= x:
            k -= 1
        key = (x, k)
        known = self._rosters.get(key)
        if known is not None:
            return known
        siblings = []
        while (p := self._line(k)) is not None and p.item and p.indent >= x:
            if p.indent == x:
                siblings.append(p)
            k += 1
        verdict = any(p.content[:6].lower() == "[name=" for p in siblings)
        if not verdict:
            lead = self._line(key[1] - 1)
            verdict = lead is not None and not lead.item and cues.asks_for_names(lead.raw)
        if verdict:
            named = sum(1 for p in siblings if p.content and cues.name_first(p.content))
            verdict = named >= 2 and 2 * named >= len(siblings)
        self._rosters[key] = verdict
        return verdict

    def _joining_item(self, i: int) -> int:
        """An item under a heading or label about joining the call, with its wrapped lines."""
        ln = self.events[i]
        assert isinstance(ln, Line)
        self._emit(ln, LineRole.METADATA, _JOINING)
        self.joining = "list"
        unit = [ln]
        j = i + 1
        while (nxt := self._line(j)) is not None and nxt.no == unit[-1].no + 1:
            if nxt.no in self.done or self._kind(j)[0] not in ("text", "link"):
                break
            if not continues_item(unit, ln, nxt, self.wrap):
                break
            unit.append(nxt)
            self._emit(nxt, LineRole.METADATA, _JOINING)
            j += 1
        self.last_item_end = unit[-1].no
        return j

    # ------------------------------------------------------------ paragraphs

    def _block(self, i: int) -> int:
        """A run of plain lines with no blank line: one or more notes and labels."""
        first = self._line(i)
        assert first is not None
        block = [first]
        j = i + 1
        while (nxt := self._line(j)) is not None and nxt.no == block[-1].no + 1:
            if nxt.no in self.done or self._kind(j)[0] != "text":
                break
            block.append(nxt)
            j += 1
        prev = self._line(i - 1)
        blank_before = prev is None or prev.no != first.no - 1 or i == 0
        after_item = not blank_before and self.last_item_end == first.no - 1
        units = split_units(block, self.wrap)
        self.meta_lead = None
        alone = True  # no point made yet in this run (labels only)
        for k, unit in enumerate(units):
            # questions in a row are parallel points, not a question over its answers
            following = units[k + 1][0].content if k + 1 < len(units) else ""
            self._asks_next = cues.strip_markup(following).endswith("?")
            self._unit(
                unit,
                k,
                len(units),
                j,
                blank_before=blank_before and k == 0,
                after_item=after_item and k == 0,
                alone=alone,
            )
            alone = alone and self.last_unit == "label"
        return j

    def _unit(
        self,
        unit: list[Line],
        k: int,
        count: int,
        after: int,
        *,
        blank_before: bool,
        after_item: bool,
        alone: bool = True,
    ) -> None:
        ln = unit[0]
        t = ln.content
        single = len(unit) == 1
        last = k == count - 1
        if self.people is not None and cues.reads_as_affiliation(" ".join(u.content for u in unit)):
            # under "Intros" or "Participants": a name, or a name with a role and affiliation
            for u in unit:
                self._emit(u, LineRole.METADATA, _INTRODUCTION)
            return
        if last and cues.introduces_media(t) and self._is_image(after):
            # "Here's a video of the groups reporting back:" over the embedded video
            for u in unit:
                self._emit(u, LineRole.LINK, "introduces the media below")
            return
        if single and last and (word := cues.people_label(t)) and self._lists(after, word):
            # "Attendees: Name / Organisation / handle" over a list of who came, in that form
            self._emit(ln, LineRole.METADATA, f"metadata: {word} (listed below)")
            self.meta_lead, self.meta_word = ln.indent, word
            self.last_unit = "label"
            self.joining = ""
            return
        label: str | None = None  # "local" or "persistent"
        if cues.qa_prefix(t) == "q":
            label = "local"
        elif single:
            lk = cues.label_kind(t)
            if lk == "colon":
                label = "local"
            elif lk == "emphasis" and len(t.split()) <= 12:
                label = "local" if cues.strip_markup(t).endswith((":", "?")) else "persistent"
            elif lk in ("question", "title"):
                # a short title or question heads the lines after it in its run, a run
                # of points after it, or (locally, like "Label:") the list under it
                heads_run = (
                    k == 0 and count >= 2 and not (lk == "question" and self._asks_next)
                ) or (lk == "title" and 0 < k < count - 1 and len(t.split()) <= 3)
                if heads_run or (last and self._units_follow(after)):
                    label = "local" if lk == "question" else "persistent"
                elif last and self._list_follows(after, ln.indent):
                    label = "local"
        if label is not None and cues.joins_call(t):
            # "Once you've joined the call:" labels logistics, which are not notes to scope
            self._emit(ln, LineRole.METADATA, _JOINING)
            self.joining = "open"
            self.last_unit = "label"
            return
        if label is not None:
            self.stack.push_label(
                ln.no, cues.strip_markup(t) or t, indent=ln.indent, local=label == "local"
            )
            self.open.clear()
            asks = cues.strip_markup(t).endswith("?") or cues.qa_prefix(t)
            self._emit(ln, LineRole.HEADING, "question label" if asks else "label")
            self.last_unit = "label"
            self.joining = ""
            return
        if self.joining == "open":  # "Click the link below to join": logistics, not a point
            for u in unit:
                self._emit(u, LineRole.METADATA, _JOINING)
            return
        self.joining = ""
        names = cues.person_name(t) if single and count == 1 else None
        if names is not None and self._mentioned_next(after, names):
            self._emit(ln, LineRole.METADATA, "metadata: speaker")
            return
        if not self.seen_content and len(t.split()) <= 25 and _dateline(t):
            self._emit(ln, LineRole.METADATA, "metadata: date line")
            return
        if blank_before:
            self.stack.close_local_labels(ln.indent)
        self.stack.close_labels_deeper(ln.indent)
        if after_item and self.open and self.open[-1].kind == "item":
            self.open.pop()  # a line straight after an item, not wrapped: its sibling
        x = ln.indent
        while self.open:
            top = self.open[-1]
            # a paragraph nests under a paragraph only when clearly indented under it
            limit = top.indent + 2 if top.kind == "para" else top.child_min
            if x < limit:
                self.open.pop()
            else:
                break
        extra, parent = self._open_scope()
        text = " ".join(u.content for u in unit)
        note = self._make(ln.no, text, parent=parent, extra=extra)
        self._emit(ln, LineRole.NOTE, note_id=note.id)
        for u in unit[1:]:
            self._emit(u, LineRole.CONTINUATION, f"continues the note on line {ln.no}", note.id)
        # a list straight after a lone paragraph nests under it (the paragraph introduces it);
        # after a run of one-point lines, only a list indented under the last one does
        lead_in = alone and k == count - 1
        self.open.append(
            _Open("para", x, x if lead_in else x + 1, note.id, scope=_asks(text, ln.no))
        )
        self.last_unit = "para" if lead_in else "run"

    def _list_follows(self, j: int, indent: int) -> bool:
        """Whether a list item (at ``indent`` or deeper) is the next thing from event ``j``."""
        for k in range(j, min(j + 6, len(self.events))):
            ln = self._line(k)
            if ln is None:
                return False
            if ln.no in self.done:
                continue
            kind, _ = self._kind(k)
            if kind in ("residue", "link"):
                continue
            return kind == "item" and ln.indent >= indent
        return False

    def _caption(self, i: int, ln: Line) -> bool:
        """Whether a line is an image's caption: ``<figcaption>``, or text in tags after it."""
        c = ln.content
        if c[0] != "<" or not cues.caption_like(c):
            return False
        return "<figcaption" in c.lower() or self._is_image(i - 1)

    def _is_image(self, j: int) -> bool:
        """Whether event ``j`` is a line that is an image or embedded media alone."""
        return self._line(j) is not None and self._kind(j) == ("link", "image")

    def _lists(self, j: int, word: str) -> bool:
        """Whether the list item at event ``j`` is a value of the metadata label ``word``."""
        ln = self._line(j)
        return (
            ln is not None
            and ln.item
            and ln.no not in self.done
            and bool(ln.content)
            and cues.listed_under(word, ln.content)
        )

    def _units_follow(self, j: int) -> bool:
        """Whether the next thing from event ``j`` is a run of lines read as several notes."""
        first = self._line(j)
        if first is None or first.no in self.done or self._kind(j)[0] != "text":
            return False
        block = [first]
        k = j + 1
        while (nxt := self._line(k)) is not None and nxt.no == block[-1].no + 1 and k < j + 40:
            if nxt.no in self.done or self._kind(k)[0] != "text":
                break
            block.append(nxt)
            k += 1
        return len(split_units(block, self.wrap)) >= 2

    def _mentioned_next(self, j: int, names: tuple[str, ...]) -> bool:
        """Whether the paragraph after a name-only line names the same person (a speaker line)."""
        nxt = self._line(j)
        if nxt is None or nxt.no in self.done:
            return False
        surname = names[-1]
        return re.search(rf"\b{re.escape(surname)}\b", nxt.content) is not None

    # ------------------------------------------------------------ tables

    def _table(self, table: Table) -> None:
        reading = read(table)
        self.open.clear()
        self.meta_lead = None
        self.joining = ""
        self.stack.close_local_labels(0)
        markdown = bool(table.raw)
        header_text = [cues.strip_markup(c.text) for c in table.header]
        head_role, head_why = LineRole.HEADING, "table header"
        if reading.kind == "roster":
            head_role, head_why = LineRole.METADATA, "metadata: attendance table"
        if markdown:
            head = table.raw[table.header_line]
            self.out.append(SourceLine(table.header_line, head_role, head, reason=head_why))
            if table.rule_line is not None:
                rule = table.raw[table.rule_line]
                self.out.append(
                    SourceLine(table.rule_line, LineRole.TABLE_RULE, rule, reason="table rule")
                )
        else:
            for cell in table.header:
                for no, text in cell.paras:
                    self.out.append(SourceLine(no, head_role, text, reason=head_why))
        for row, row_line in zip(table.rows, table.row_lines, strict=True):
            meta: str | None = None
            if reading.kind == "roster":  # "| Name | Attendance | Role |": who was there
                meta = "metadata: attendance table"
            elif reading.kind == "records":
                meta = _metadata_row(row)
            if meta is not None:  # "| Date | 3 May 2024 |": a table of facts about the meeting
                if markdown:
                    self.out.append(
                        SourceLine(row_line, LineRole.METADATA, table.raw[row_line], reason=meta)
                    )
                else:
                    for cell in row:
                        for no, text in cell.paras:
                            self.out.append(SourceLine(no, LineRole.METADATA, text, reason=meta))
                continue
            if reading.kind == "grid":
                made = self._grid_row(table, reading, row, header_text, markdown)
            else:
                made = self._record_row(table, reading, row, header_text, markdown)
            if markdown:
                raw = table.raw[row_line]
                if made:
                    self.out.append(
                        SourceLine(
                            row_line, LineRole.NOTE, raw, made[0], more_note_ids=tuple(made[1:])
                        )
                    )
                else:
                    self.out.append(SourceLine(row_line, LineRole.RESIDUE, raw, reason="empty row"))
        self.done.update(table.raw)

    def _cell_group(self, text: str) -> tuple[int, str] | None:
        if not text:
            return None
        mk = marker_of(text)
        if mk is not None and mk.role is LineRole.GROUP:
            return (mk.number if mk.number is not None else self._group_number(mk.rest), text)
        m = re.fullmatch(r"\s*(\d{1,3})\s*", text)
        if m:
            return int(m.group(1)), text
        return self._group_number(text), text

    def _grid_row(
        self, table: Table, reading: Reading, row: list[Cell], header: list[str], markdown: bool
    ) -> list[str]:
        made: list[str] = []
        label_cell = row[reading.label_col] if reading.label_col is not None else None
        label = cues.strip_markup(label_cell.text) if label_cell is not None else ""
        group = None
        if label_cell is not None and label and reading.group_col == reading.label_col:
            group = self._cell_group(label)
        elif label:
            mk = marker_of(label)
            if mk is not None and mk.role is LineRole.GROUP:
                group = self._cell_group(label)
        row_scope = (
            (Scope(label_cell.line, label, "row"),) if label_cell is not None and label else ()
        )
        if label_cell is not None and not markdown:
            for no, text in label_cell.paras:
                self.out.append(SourceLine(no, LineRole.HEADING, text, reason="row label"))
        for c, cell in enumerate(row):
            if c == reading.label_col:
                continue
            col_scope = (Scope(table.header[c].line, header[c], "column"),) if header[c] else ()
            for no, text in cell.paras:
                if cues.is_empty_point(text):  # "-", "•": an empty bullet is structure
                    if not markdown:
                        self.out.append(
                            SourceLine(no, LineRole.RESIDUE, text, reason="empty bullet")
                        )
                    continue
                note = self._make(no, text, parent=None, extra=row_scope + col_scope, group=group)
                made.append(note.id)
                if not markdown:
                    self.out.append(SourceLine(no, LineRole.NOTE, text, note.id))
        return made

    def _record_row(
        self, table: Table, reading: Reading, row: list[Cell], header: list[str], markdown: bool
    ) -> list[str]:
        cell = row[reading.note_col]
        others = [c for c in range(len(row)) if c != reading.note_col and row[c].paras]
        paras = tuple(p for p in cell.paras if not cues.is_empty_point(p[1]))
        if not markdown:  # "-", "•": an empty bullet is structure
            for no, text in cell.paras:
                if cues.is_empty_point(text):
                    self.out.append(SourceLine(no, LineRole.RESIDUE, text, reason="empty bullet"))
        if not paras:
            if not markdown:
                for c in others:
                    for no, text in row[c].paras:
                        self.out.append(
                            SourceLine(no, LineRole.RESIDUE, text, reason="no note in this row")
                        )
            return []
        group = None
        if reading.group_col is not None and row[reading.group_col].paras:
            group = self._cell_group(cues.strip_markup(row[reading.group_col].text))
        prompt = None
        if reading.prompt_col is not None:
            p = cues.strip_markup(row[reading.prompt_col].text)
            lettered = letter_of(p) if len(p) > 1 else ((p.upper(), "") if p.isalpha() else None)
            if lettered is not None and not lettered[1]:
                prompt = lettered[0]
        extra = tuple(
            Scope(
                row[c].line,
                f"{header[c]}: {cues.strip_markup(row[c].text)}"
                if header[c]
                else cues.strip_markup(row[c].text),
                "column",
            )
            for c in others
        )
        first_line, first_text = paras[0]
        text = " ".join(t for _, t in paras)
        note = self._make(first_line, text, parent=None, extra=extra, group=group, prompt=prompt)
        if not markdown:
            self.out.append(SourceLine(first_line, LineRole.NOTE, first_text, note.id))
            for no, more in paras[1:]:
                self.out.append(
                    SourceLine(
                        no,
                        LineRole.CONTINUATION,
                        more,
                        note.id,
                        reason=f"continues the note on line {first_line}",
                    )
                )
            for c in others:
                for no, t in row[c].paras:
                    self.out.append(SourceLine(no, LineRole.HEADING, t, reason="table column"))
        return [note.id]


def _dateline(text: str) -> bool:
    """Whether a line starts or ends with a full date (``Retro with the team, 12 March 2024.``).

    Examples
    --------
    >>> _dateline("Retro with the council digital team, 12 March 2024."), _dateline(
    ...     "On 3 May 2024 the partners agreed to pool their budgets.")
    (True, False)
    """
    t = text.strip().rstrip(".)*_ ").lstrip("(*_ ")
    return any(m.start() == 0 or m.end() == len(t) for m in cues.DATE_RE.finditer(t))


def _metadata_row(row: list[Cell]) -> str | None:
    """Why a two-cell table row is metadata (``| Venue | Town hall |``), or None."""
    if len(row) != 2 or not (row[0].paras and row[1].paras):
        return None
    return cues.metadata_reason(f"{cues.strip_markup(row[0].text)}: {row[1].text}")


def _first_line(e: Line | Table) -> int:
    return e.no if isinstance(e, Line) else e.header_line


def _child_min(ln: Line) -> int:
    """The least indentation of a line nested under a list item (Markdown's rule, eased)."""
    x = ln.indent
    return max(x + 1, min(ln.content_col, x + 2))


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
