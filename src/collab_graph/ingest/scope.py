"""The chain of headings, groups, questions, prompts and labels above a note, and its id.

:class:`ScopeStack` holds what is open at the current line, outermost first.
A heading closes the headings at its level and below it; a group, question
or prompt marker closes the markers it replaces and what was opened after
them; a label closes a sibling label that already has notes under it, and a
``Label:`` or question label also ends with the paragraph after its notes.

:class:`IdMaker` gives each note an id that stays the same when a line is
inserted elsewhere in the file: ``G{group}-Q{question}-{PROMPT}-{n}`` when the
layout has those parts, otherwise ``{scope}-{n}`` where ``scope`` is a slug of
the nearest heading or label and ``n`` counts the notes under it.

Examples
--------
>>> stack = ScopeStack()
>>> stack.push_heading(1, "Retro", 1)
>>> stack.push_label(3, "Start", indent=0, local=False)
>>> stack.push_label(7, "Keep", indent=0, local=False)  # Start had no notes: Keep nests
>>> [s.text for s in stack.scope()]
['Retro', 'Start', 'Keep']
>>> stack.note_made()
>>> stack.push_label(9, "Stop", indent=0, local=False)  # Keep had notes: Stop replaces it
>>> [s.text for s in stack.scope()], stack.section()
(['Retro', 'Start', 'Stop'], 'Stop')
"""

from __future__ import annotations

from dataclasses import dataclass

from slugify import slugify

from collab_graph.model import Scope

__all__ = ["Entry", "Fields", "IdMaker", "ScopeStack"]

_MARKERS = ("group", "question", "prompt")
_PLAIN_RANK = {"group": 7, "question": 8, "prompt": 9}
_LABEL_RANK = 10


@dataclass(slots=True)
class Entry:
    """One open scope: a title, heading, marker or label.

    Attributes
    ----------
    kind : str
        ``title``, ``heading``, ``group``, ``question``, ``prompt`` or ``label``.
    line : int
        Where it is written.
    text : str
        Its text without markup.
    rank : int
        0 for the title, the heading level for headings (and markers written
        as headings), 7-9 for plain group, question and prompt lines, 10 for labels.
    number : int or None
        A group's or question's number.
    letter : str or None
        A prompt's letter.
    label : str or None
        A group's own words (``Table 3``), or a question's own text.
    block : int
        A prompt's block (2 when its letter repeats within one question).
    local : bool
        A ``Label:`` or question label, which a later paragraph closes.
    indent : int
        Indentation of a label's line.
    notes : int
        Notes made while it was the innermost label.
    inner : int
        Notes made while it was open (under it or under a label inside it).
    record : Scope or None
        The entry as a ``Scope``, once made.
    """

    kind: str
    line: int
    text: str
    rank: int
    number: int | None = None
    letter: str | None = None
    label: str | None = None
    block: int = 1
    local: bool = False
    indent: int = 0
    notes: int = 0
    inner: int = 0
    record: Scope | None = None

    def scope(self) -> Scope:
        """The entry as a :class:`~collab_graph.model.Scope` (made once, shared by its notes)."""
        if self.record is None:
            self.record = Scope(self.line, self.text, self.kind)
        return self.record


@dataclass(frozen=True, slots=True)
class Fields:
    """What the open scopes give a note: its group, question and prompt entries, section, scope."""

    group: Entry | None
    question: Entry | None
    prompt: Entry | None
    section: str | None
    scope: tuple[Scope, ...]


class ScopeStack:
    """The scopes open at the current line (see the module docstring for the rules)."""

    __slots__ = ("_cache", "_fields", "entries")

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._cache: tuple[Scope, ...] | None = None
        self._fields: Fields | None = None

    # ------------------------------------------------------------ changes

    def _changed(self) -> None:
        self._cache = None
        self._fields = None

    def push_title(self, line: int, text: str) -> None:
        """Open the document's title (outermost of every scope)."""
        self.entries = [e for e in self.entries if e.kind != "title"]
        self.entries.insert(0, Entry("title", line, text, 0))
        self._changed()

    def push_heading(self, level: int, text: str, line: int) -> None:
        """Open a heading; it closes labels and the headings at its level and below."""
        self._close_below(level)
        self.entries.append(Entry("heading", line, text, level))
        self._changed()

    def _close_below(self, level: int) -> None:
        self.entries = [
            e
            for e in self.entries
            if e.kind == "title" or (e.kind in _MARKERS and e.rank >= 7) or e.rank < level
        ]

    def push_marker(self, entry: Entry, *, heading_level: int = 0) -> None:
        """Open a group, question or prompt (``entry.kind``), closing what it replaces.

        Parameters
        ----------
        entry : Entry
            The marker; its rank is set here.
        heading_level : int
            The Markdown level when the marker is written as a heading, else 0.
        """
        replaced = _MARKERS[_MARKERS.index(entry.kind) :]
        if heading_level:
            self._close_below(heading_level)
        cut = next((i for i, e in enumerate(self.entries) if e.kind in replaced), None)
        if cut is not None:
            del self.entries[cut:]
        else:
            self.entries = [e for e in self.entries if e.kind != "label"]
        entry.rank = heading_level or _PLAIN_RANK[entry.kind]
        self.entries.append(entry)
        self._changed()

    def push_label(self, line: int, text: str, *, indent: int, local: bool) -> None:
        """Open a label; a sibling label with notes under it (or deeper) closes first."""
        while self.entries and self.entries[-1].kind == "label":
            top = self.entries[-1]
            if top.notes or top.indent > indent:
                self.entries.pop()
            else:
                break
        self.entries.append(Entry("label", line, text, _LABEL_RANK, local=local, indent=indent))
        self._changed()

    def close_local_labels(self, indent: int) -> None:
        """A paragraph after a blank line ends the ``Label:`` and question labels it follows."""
        changed = False
        while self.entries:
            top = self.entries[-1]
            if top.kind == "label" and top.local and top.inner and top.indent >= indent:
                self.entries.pop()
                changed = True
            else:
                break
        if changed:
            self._changed()

    def close_label(self, line: int) -> None:
        """Close the label written on ``line`` and any label opened after it."""
        for k, e in enumerate(self.entries):
            if e.kind == "label" and e.line == line:
                del self.entries[k:]
                self._changed()
                return

    def close_labels_deeper(self, indent: int) -> None:
        """A line further out than a label (a list item written inside a list) ends it."""
        changed = False
        while (
            self.entries and self.entries[-1].kind == "label" and self.entries[-1].indent > indent
        ):
            self.entries.pop()
            changed = True
        if changed:
            self._changed()

    def note_made(self) -> None:
        """Count a note under the open labels (the innermost one's next label is its sibling)."""
        entries = self.entries
        if entries and entries[-1].kind == "label":
            entries[-1].notes += 1
            for e in entries:
                if e.kind == "label":
                    e.inner += 1

    # ------------------------------------------------------------ reading

    def last(self, kind: str) -> Entry | None:
        """The innermost open entry of a kind, or None."""
        for e in reversed(self.entries):
            if e.kind == kind:
                return e
        return None

    def scope(self) -> tuple[Scope, ...]:
        """The open scopes as :class:`~collab_graph.model.Scope` records, outermost first."""
        if self._cache is None:
            self._cache = tuple(e.scope() for e in self.entries)
        return self._cache

    def fields(self) -> Fields:
        """The open group, question and prompt entries, the section and the scope (cached).

        Examples
        --------
        >>> stack = ScopeStack()
        >>> stack.push_marker(Entry("group", 2, "Group 1", 0, number=1))
        >>> f = stack.fields()
        >>> f.group.number, f.question, f.section, [s.kind for s in f.scope]
        (1, None, None, ['group'])
        """
        if self._fields is None:
            self._fields = Fields(
                self.last("group"),
                self.last("question"),
                self.last("prompt"),
                self.section(),
                self.scope(),
            )
        return self._fields

    def section(self) -> str | None:
        """The innermost heading or label after the last group, question or prompt marker."""
        for e in reversed(self.entries):
            if e.kind in ("heading", "label"):
                text = e.text.rstrip(":").strip() if e.kind == "label" else e.text
                return text or None
            if e.kind != "title":
                return None
        return None


class IdMaker:
    """Note ids, unique within a workshop and stable when other parts of the file change.

    Examples
    --------
    >>> ids = IdMaker()
    >>> ids.make(3, 1, "D", ())
    'G3-Q1-D-1'
    >>> what = (Scope(1, "Retro", "title"), Scope(4, "What went well?", "question"))
    >>> ids.make(None, None, None, what), ids.make(None, None, None, what)
    ('what-went-well-1', 'what-went-well-2')
    >>> ids.make(None, None, None, (Scope(9, "What went well", "heading"),))
    'what-went-well-2-1'
    >>> ids.make(None, None, None, ())
    'N-1'
    >>> ids.make(None, None, "N", ())  # a prompt lettered N: its base is taken, so N-2
    'N-2-1'
    """

    __slots__ = ("_bases", "_counters", "_owner")

    def __init__(self) -> None:
        self._bases: dict[object, str] = {}
        self._counters: dict[object, int] = {}
        self._owner: dict[str, tuple[object, ...]] = {}

    def make(
        self,
        group: int | None,
        question: int | None,
        prompt: str | None,
        scope: tuple[Scope, ...],
        *,
        line: int = 0,
    ) -> str:
        """The next id for a note with these parts and this scope.

        Parameters
        ----------
        group, question : int or None
            The note's group and question numbers.
        prompt : str or None
            Its prompt letter.
        scope : tuple of Scope
            Its scope; the innermost entry above its own line (not the title)
            names the id when the note has no group, question or prompt.
        line : int
            The note's line (entries on it, a table row's other cells, are skipped).

        Returns
        -------
        str
        """
        key: tuple[object, ...]
        anchor: Scope | None = None
        if group is not None or question is not None or prompt is not None:
            key = ("marker", group, question, prompt)
        else:
            anchor = next(
                (s for s in reversed(scope) if s.kind != "title" and s.line != line), None
            )
            key = ("none",) if anchor is None else ("anchor", anchor.line, anchor.text)
        base = self._bases.get(key)
        if base is None:
            if key[0] == "marker":
                parts = [
                    *([f"G{group}"] if group is not None else []),
                    *([f"Q{question}"] if question is not None else []),
                    *([prompt] if prompt is not None else []),
                ]
                words = "-".join(parts)
            elif anchor is not None:
                words = slugify(anchor.text, max_length=30, word_boundary=True) or "s"
            else:
                words = "N"
            base = self._claim(key, words)
        n = self._counters.get(key, 0) + 1
        self._counters[key] = n
        # Unique without a check: an id splits at its last "-" into its base and n (n has no
        # "-"), each base is owned by one key (see _claim), and n counts per key.
        return f"{base}-{n}"

    def _claim(self, key: tuple[object, ...], words: str) -> str:
        """Give ``key`` its base: the first key to want ``words`` owns it, later ones add -2, -3 ...

        Every layout's bases go through here (``G3-Q1-D``, a prompt alone such as
        ``N``, a heading's slug, ``N`` for notes above any heading), so no two keys
        share a base whatever the layout: when a prompt lettered N and the notes
        with no scope both want ``N``, the second to ask gets ``N-2``.
        """
        base, k = words, 1
        while self._owner.setdefault(base, key) != key:
            k += 1
            base = f"{words}-{k}"
        self._bases[key] = base
        return base
