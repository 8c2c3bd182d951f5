"""Closed vocabularies and the plain records that flow through the pipeline.

The pipeline is one-way: ``parse`` makes :class:`Note` records (inside a
:class:`ParseResult`), ``classify`` turns them into :class:`CodedNote` records,
and ``graph`` builds a networkx graph whose node and edge kinds are the
:class:`NodeKind` and :class:`EdgeKind` enums below.

Three kind enums overlap on purpose, and the overlap is the three theme kinds:
:class:`ThemeKind` (``practice``, ``barrier``, ``benefit``) is what a taxonomy
theme is; :class:`NoteKind` adds ``context`` and ``heading`` for notes that
raise no theme; :class:`NodeKind` adds the structure of the graph (workshop,
question, prompt, group, note, organisation). Every :class:`ThemeKind` value
is also a :class:`NoteKind` and a :class:`NodeKind` value with the same
spelling, so a barrier note is about barrier themes, which are ``barrier``
nodes. :func:`theme_kind`, :func:`theme_note_kind` and :func:`theme_node_kind`
are the only ways to move between them.

Examples
--------
>>> from collab_graph.model import Note, NoteKind
>>> n = Note(id="G3-Q1-D-6", workshop="demo", group=3, question=1, prompt="D",
...          line=149, text="Day job – no time")
>>> n.record()["id"], NoteKind("barrier") is NoteKind.BARRIER
('G3-Q1-D-6', True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "CodedNote",
    "EdgeKind",
    "LineRole",
    "NodeKind",
    "Note",
    "NoteKind",
    "OrgCategory",
    "OrgType",
    "Organisation",
    "ParseResult",
    "Prompt",
    "Question",
    "Scope",
    "SourceLine",
    "Theme",
    "ThemeKind",
    "Workshop",
    "org_category",
    "theme_kind",
    "theme_node_kind",
    "theme_note_kind",
]


class NoteKind(StrEnum):
    """What a note is, as coded by the classifier or an analyst."""

    PRACTICE = "practice"
    BARRIER = "barrier"
    BENEFIT = "benefit"
    CONTEXT = "context"
    HEADING = "heading"


class ThemeKind(StrEnum):
    """The three kinds of theme in the taxonomy.

    The values are a subset of :class:`NoteKind`'s and of :class:`NodeKind`'s
    (see the module docstring and :func:`theme_kind`).
    """

    PRACTICE = "practice"
    BARRIER = "barrier"
    BENEFIT = "benefit"


class OrgType(StrEnum):
    """Types of entity in the organisation gazetteer.

    ``TOOL`` and ``FUNCTION`` entries are not organisations in the strict sense;
    they are kept so that they can be filtered out. ``OTHER`` is an
    organisation of no known type: every name found by pattern rather than in
    the gazetteer (see :mod:`collab_graph.coding.orgnames`) has it. What a
    ``classify`` record says about an entry is its :class:`OrgCategory`
    (:func:`org_category`).
    """

    COUNCIL = "council"
    HEALTH = "health"
    PARTNERSHIP = "partnership"
    NATIONAL_AGENCY = "national agency"
    NATIONAL_GOVERNMENT = "national government"
    PUBLIC_BODY = "public body"
    SUPPLIER = "supplier/private"
    THIRD_SECTOR = "third sector"
    TOOL = "tool"
    FUNCTION = "function"
    OTHER = "other"


class OrgCategory(StrEnum):
    """The ``type`` of an organisation mention in a ``classify`` record: organisation or tool.

    Every gazetteer type but ``tool`` is an organisation. A ``function``
    (procurement, finance, HR, social care) is an organisational unit rather
    than a tool, so it counts as an organisation; its gazetteer type stays on
    the graph node (``org_type``) for filtering.
    """

    ORGANISATION = "organisation"
    TOOL = "tool"


def org_category(org_type: OrgType | str) -> OrgCategory:
    """The record ``type`` of an entry of gazetteer type ``org_type``.

    Examples
    --------
    >>> [org_category(t).value for t in (OrgType.TOOL, "function", OrgType.OTHER)]
    ['tool', 'organisation', 'organisation']
    """
    return OrgCategory.TOOL if str(org_type) == OrgType.TOOL else OrgCategory.ORGANISATION


class NodeKind(StrEnum):
    """Node kinds of the knowledge graph (attribute ``kind`` on every node)."""

    WORKSHOP = "workshop"
    QUESTION = "question"
    PROMPT = "prompt"
    GROUP = "group"
    NOTE = "note"
    PRACTICE = "practice"
    BARRIER = "barrier"
    BENEFIT = "benefit"
    ORGANISATION = "organisation"
    TOOL = "tool"


def theme_kind(kind: str) -> ThemeKind | None:
    """The theme kind a note kind or node kind stands for, or None when it is no theme kind.

    Parameters
    ----------
    kind : str
        A :class:`NoteKind`, :class:`NodeKind` or :class:`ThemeKind` value.

    Returns
    -------
    ThemeKind or None

    Examples
    --------
    >>> theme_kind(NoteKind.BARRIER), theme_kind(NodeKind.PRACTICE)
    (<ThemeKind.BARRIER: 'barrier'>, <ThemeKind.PRACTICE: 'practice'>)
    >>> theme_kind(NoteKind.CONTEXT) is None, theme_kind(NodeKind.ORGANISATION) is None
    (True, True)
    """
    try:
        return ThemeKind(str(kind))
    except ValueError:
        return None


def theme_note_kind(kind: ThemeKind) -> NoteKind:
    """The kind of the notes that raise themes of ``kind``.

    Examples
    --------
    >>> theme_note_kind(ThemeKind.BENEFIT)
    <NoteKind.BENEFIT: 'benefit'>
    """
    return NoteKind(kind.value)


def theme_node_kind(kind: ThemeKind) -> NodeKind:
    """The node kind of themes of ``kind`` in the knowledge graph.

    Examples
    --------
    >>> theme_node_kind(ThemeKind.PRACTICE)
    <NodeKind.PRACTICE: 'practice'>
    """
    return NodeKind(kind.value)


class EdgeKind(StrEnum):
    """Edge kinds of the knowledge graph (the edge key and attribute ``kind``)."""

    PART_OF = "part_of"  # group/question -> workshop, prompt -> question
    RAISED = "raised"  # group -> note
    IN = "in"  # note -> question or prompt
    CHILD_OF = "child_of"  # nested note -> parent note
    ABOUT = "about"  # note -> theme
    MENTIONS = "mentions"  # note -> organisation or tool
    ADDRESSES = "addresses"  # practice theme -> barrier theme


class LineRole(StrEnum):
    """What one non-blank source line became. Every non-blank line gets exactly one role.

    ``NOTE`` starts a note and ``CONTINUATION`` carries one on (a wrapped line);
    ``UNASSIGNED`` is the rare line that is neither a note nor recognised
    structure. Every other role is structure: it makes no note, and
    :attr:`SourceLine.reason` says why.
    """

    NOTE = "note"
    CONTINUATION = "continuation"
    TITLE = "title"
    PREAMBLE = "preamble"
    GROUP = "group"
    QUESTION = "question"
    PROMPT = "prompt"
    HEADING = "heading"
    FRONT_MATTER = "front-matter"
    METADATA = "metadata"
    LINK = "link"
    RESIDUE = "residue"
    TABLE_RULE = "table-rule"
    UNASSIGNED = "unassigned"


@dataclass(frozen=True, slots=True)
class Scope:
    """One heading, prompt, question or label above a note (an entry of :attr:`Note.scope`).

    Attributes
    ----------
    line : int
        The source line the entry is written on.
    text : str
        Its text without markup (``## Challenges:`` gives ``Challenges:``).
    kind : str
        What it is: ``title``, ``heading``, ``group``, ``question``, ``prompt``,
        ``label``, ``note`` (a note that introduces the list under it),
        ``column`` or ``row`` (a table or board column, a table row label).

    Examples
    --------
    >>> Scope(3, "What worked well?", "question").record()
    {'line': 3, 'text': 'What worked well?', 'kind': 'question'}
    """

    line: int
    text: str
    kind: str = "heading"

    def record(self) -> dict[str, Any]:
        """The JSON form, ``{"line", "text", "kind"}``."""
        return {"line": self.line, "text": self.text, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class Note:
    """One bullet (or plain line) of a workshop, with its provenance.

    The first seven fields are the record of ``collab-graph parse`` in
    ``shared/CONTRACT.md``; the rest are additions the contract allows.

    Attributes
    ----------
    id : str
        ``G{group}-Q{question}-{PROMPT}-{n}`` built from the parts the source has.
    workshop : str
        Slug of the workshop the note comes from.
    group, question : int or None
        Group and question numbers, when the source has them.
    prompt : str or None
        Upper-case prompt letter, when the source has one.
    line : int
        1-based source line (.docx: paragraph number; .csv: physical line of the record).
    text : str
        The bullet text without its mark and surrounding white space.
    group_label : str or None
        The source's own words for the group, e.g. ``"Group One"`` or ``"Table 3"``.
    parent : str or None
        Id of the parent note when bullets are nested by indentation.
    section : str or None
        The nearest enclosing heading that is not a group, question or prompt
        marker (e.g. a Markdown ``### Challenges``), used as classification context.
    block : int
        1 normally; 2, 3, ... when the same prompt letter appears again in one
        group and question (the bundled workshop's duplicate ``C)``).
    question_text : str or None
        The question as this note's group wrote it, when that differs from the
        workshop's text for the same number (e.g. one table's "Q3: What
        difference would it make?" where the others asked "Q3: What would help?").
    scope : tuple of Scope
        The title, headings, groups, questions, prompts and labels above the
        note, outermost first (a table cell's column header and row label are
        its innermost entries). A parent bullet is :attr:`parent`, and is in
        the scope only when it asks a question or labels what follows.
    """

    id: str
    workshop: str
    group: int | None
    question: int | None
    prompt: str | None
    line: int
    text: str
    group_label: str | None = None
    parent: str | None = None
    section: str | None = None
    block: int = 1
    question_text: str | None = None
    scope: tuple[Scope, ...] = ()

    def record(self) -> dict[str, Any]:
        """The contract record, in contract field order, plus the extra fields."""
        return {
            "id": self.id,
            "workshop": self.workshop,
            "group": self.group,
            "question": self.question,
            "prompt": self.prompt,
            "line": self.line,
            "text": self.text,
            "group_label": self.group_label,
            "parent": self.parent,
            "section": self.section,
            "scope": [s.record() for s in self.scope],
        }


@dataclass(frozen=True, slots=True)
class Question:
    """A workshop question with its full text (from the preamble or its heading)."""

    number: int
    text: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Prompt:
    """What a prompt letter means within a question (its topic)."""

    question: int | None
    letter: str
    topic: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One non-blank source line and the role it was given.

    Attributes
    ----------
    line : int
        1-based line (.docx: paragraph; .csv: physical line).
    role : LineRole
        What the line became.
    text : str
        The line without surrounding white space.
    note_id : str or None
        The note the line starts (``NOTE``) or continues (``CONTINUATION``).
    reason : str
        Why the line got its role, e.g. ``"vote mark"``; empty for plain notes.
    more_note_ids : tuple of str
        Further notes starting on the same line (the cells of a table row).
    """

    line: int
    role: LineRole
    text: str
    note_id: str | None = None
    reason: str = ""
    more_note_ids: tuple[str, ...] = ()

    @property
    def note_ids(self) -> tuple[str, ...]:
        """Every note the line starts or continues, in order.

        Examples
        --------
        >>> SourceLine(4, LineRole.NOTE, "| a | b |", "T-1", more_note_ids=("T-2",)).note_ids
        ('T-1', 'T-2')
        """
        return (self.note_id, *self.more_note_ids) if self.note_id else self.more_note_ids


@dataclass(frozen=True, slots=True)
class Workshop:
    """Workshop metadata: title, source and what its questions and prompts ask."""

    slug: str
    title: str
    source: str
    questions: tuple[Question, ...] = ()
    prompts: tuple[Prompt, ...] = ()
    preamble: tuple[str, ...] = ()

    def question_text(self, number: int | None) -> str | None:
        """Full text of question ``number``, or None when unknown."""
        for q in self.questions:
            if q.number == number:
                return q.text
        return None

    def prompt_topic(self, question: int | None, letter: str | None) -> str | None:
        """What prompt ``letter`` asks within ``question``, or None when unknown."""
        if letter is None:
            return None
        for p in self.prompts:
            if p.letter == letter and p.question == question:
                return p.topic
        return None


@dataclass(frozen=True, slots=True)
class ParseResult:
    """Everything parsing one source produced: the workshop, its notes and a line report."""

    workshop: Workshop
    notes: tuple[Note, ...]
    lines: tuple[SourceLine, ...]
    warnings: tuple[str, ...] = ()

    @property
    def unassigned(self) -> tuple[SourceLine, ...]:
        """Non-blank lines that became neither a note nor structure."""
        return tuple(sl for sl in self.lines if sl.role is LineRole.UNASSIGNED)


@dataclass(frozen=True, slots=True)
class Theme:
    """A taxonomy concept: a practice, barrier or benefit theme.

    ``source`` names the frameworks the theme comes from, one citation each
    (``"Auschra 2018: funding"``), or says it is the project's own
    (``"collab-graph"``); an analyst's own theme may have none.
    """

    id: str
    kind: ThemeKind
    label: str
    definition: str = ""
    cues: tuple[str, ...] = ()
    alt_labels: tuple[str, ...] = ()
    broader: str | None = None
    source: tuple[str, ...] = ()

    def ref(self) -> dict[str, str]:
        """The ``{"id", "label", "kind"}`` form used in ``classify`` records."""
        return {"id": self.id, "label": self.label, "kind": str(self.kind)}


@dataclass(frozen=True, slots=True)
class Organisation:
    """A gazetteer entry (an organisation, partnership, function or tool) or a detected name.

    ``resolved`` is False for a name found by pattern that no gazetteer entry
    holds yet; its id is ``unresolved:{slug}`` and its type ``other``.

    Examples
    --------
    >>> Organisation("github", "GitHub", OrgType.TOOL).ref()
    {'id': 'github', 'label': 'GitHub', 'type': 'tool', 'resolved': True}
    >>> Organisation("unresolved:ukri", "UKRI", OrgType.OTHER, resolved=False).ref()
    {'id': 'unresolved:ukri', 'label': 'UKRI', 'type': 'organisation', 'resolved': False}
    """

    id: str
    label: str
    type: OrgType
    aliases: tuple[str, ...] = ()
    note: str = ""
    resolved: bool = True

    @property
    def category(self) -> OrgCategory:
        """Organisation or tool (:func:`org_category` of :attr:`type`)."""
        return org_category(self.type)

    def ref(self) -> dict[str, Any]:
        """The ``{"id", "label", "type", "resolved"}`` form used in ``classify`` records."""
        return {
            "id": self.id,
            "label": self.label,
            "type": str(self.category),
            "resolved": self.resolved,
        }


@dataclass(frozen=True, slots=True)
class CodedNote:
    """A note with its coding: kind, themes, organisations, confidence and reasons.

    ``themes`` is ordered: the first theme is the primary one. ``reviewed`` is
    True when an analyst review overrode the classifier; ``classifier_kind``
    keeps what the classifier alone said. ``needs_review`` is True when the
    classifier found too little to decide (such a note is ``context`` with a
    low confidence) or was unsure between kinds.
    """

    note: Note
    kind: NoteKind
    themes: tuple[Theme, ...] = ()
    orgs: tuple[Organisation, ...] = ()
    confidence: float = 0.5
    reasons: tuple[str, ...] = ()
    reviewed: bool = False
    classifier_kind: NoteKind | None = None
    needs_review: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def record(self) -> dict[str, Any]:
        """The ``classify`` contract record: the parse record plus the coding."""
        rec = self.note.record()
        rec.update(
            kind=str(self.kind),
            themes=[t.ref() for t in self.themes],
            orgs=[o.ref() for o in self.orgs],
            confidence=round(self.confidence, 3),
            reasons=list(self.reasons),
            reviewed=self.reviewed,
            needs_review=self.needs_review and not self.reviewed,
        )
        return rec
