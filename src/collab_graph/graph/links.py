"""Practice → barrier ``addresses`` links: curated knowledge plus workshop evidence.

A link says that a practice theme helps with a barrier theme. It has two
sources, and both stay visible on every link:

1. **Curated.** Theme-level links in ``data/addresses.csv``, each with a
   strength (``strong`` or ``moderate``) and a rationale. They encode an
   analyst's judgement of the *mechanism*; they carry no evidence of their own.
2. **Evidence.** Computed from the coded notes for every practice and
   barrier theme of the taxonomy, curated or not, in the spirit of the
   CFIR-ERIC matching tool (Waltz et al. 2019). The unit is the *group* (a
   workshop's breakout group), as CFIR-ERIC's unit is the respondent. Most
   write-ups have no groups; there the unit is the note's *section* (its
   innermost heading, question, prompt or board column), or else the whole
   workshop (:func:`evidence_unit`). "Group" below means that unit:

   * ``endorsement`` = the share of the groups raising the barrier that also
     report the practice anywhere in their notes. It sets the **level**:
     Level 1 at 50 % or more, Level 2 at 20-49 %, Level 3 below 20 %.
   * Groups differ in how closely they tie the two together. Each group that
     raises the barrier contributes its strongest signal: ``1.0`` for an
     **explicit pairing** (one note carries both themes, or a nested note and
     its parent carry one each), ``0.5`` for **same block** (both in the same
     group, question and prompt block), ``0.25`` for **same group** only.
     ``evidence_score`` is the mean of these over the groups raising the barrier.

The combined ``score`` is ``0.5 * curated_score + 0.5 * evidence_score`` with
``curated_score`` 1.0 for a strong, 0.6 for a moderate and 0 for no curated
link, so a score lies in [0, 1]. A pair becomes a link when it is curated or when
at least one group shows it *locally* (an explicit pairing or the same block):
co-occurrence somewhere in a large group is counted in the score but is too
weak on its own to assert that the practice addresses the barrier.

A note *reports* a practice when it carries the practice theme and is not
itself a barrier note: "no protected time" names the practice only to say it
is missing. A note *raises* a barrier when it carries the barrier theme (a
practice note such as "protected time to address the day job" raises it too,
and is the explicit pairing).

The computation is linear in the number of notes: it groups notes once and
only pairs themes within a group (at most practice × barrier themes per group).

Examples
--------
>>> from collab_graph.graph.examples import example_coded_notes
>>> ev = compute_evidence(example_coded_notes())
>>> e = ev["p_protected_time", "b_time_capacity"]
>>> e.groups_barrier, e.groups_both, e.explicit_groups, e.endorsement, e.level
(3, 2, 1, 0.6667, 1)
>>> score(1.0, e.evidence_score)
0.75
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from collab_graph.csvfiles import read_csv
from collab_graph.errors import DataFileError
from collab_graph.model import CodedNote, Note, NoteKind, ThemeKind
from collab_graph.resources import data_path

__all__ = [
    "ADDRESSES_FILE",
    "CURATED_WEIGHT",
    "EVIDENCE_WEIGHT",
    "LEVEL_MEANINGS",
    "SECTION_SCOPES",
    "SIGNAL_WEIGHTS",
    "STRENGTH_SCORES",
    "AddressesLink",
    "CuratedLink",
    "EvidenceUnit",
    "LinkEvidence",
    "LinkOrigin",
    "combine_links",
    "compute_evidence",
    "evidence_unit",
    "group_key",
    "level_for",
    "link_origin",
    "load_curated",
    "reports_practice",
    "score",
]

ADDRESSES_FILE = "addresses.csv"
#: The strength that, in the analyst's links file, takes a curated link out.
REMOVED = "removed"
"""Name of the curated links file in the data folder."""

STRENGTH_SCORES: Mapping[str, float] = {"strong": 1.0, "moderate": 0.6}
"""Curated score of each strength."""

SIGNAL_WEIGHTS: Mapping[str, float] = {"explicit": 1.0, "block": 0.5, "group": 0.25}
"""What one group raising the barrier contributes to the evidence score."""

CURATED_WEIGHT = 0.5
EVIDENCE_WEIGHT = 0.5

_REQUIRED_COLUMNS = ("practice_theme", "barrier_theme", "strength", "rationale")

SECTION_SCOPES = frozenset({"heading", "question", "prompt", "column"})
"""Scope kinds (:class:`collab_graph.model.Scope`) that open a section of evidence."""


class EvidenceUnit(NamedTuple):
    """Who reports a theme: a group, else a section, else the whole workshop.

    Attributes
    ----------
    workshop : str
        Slug of the workshop.
    group : int or None
        The group number; None when the notes have no groups.
    section : str or None
        For a note with no group: the text of its innermost heading, question,
        prompt or board column; None for a group or the whole workshop.
    line : int
        The line of that section's heading, which keeps two sections of the
        same name apart; 0 for a group or the whole workshop.
    """

    workshop: str
    group: int | None
    section: str | None
    line: int

    def source(self) -> dict[str, Any]:
        """The contract's ``{"workshop", "group", "section"}`` record of this unit.

        Examples
        --------
        >>> EvidenceUnit("w", None, "Challenges", 12).source()
        {'workshop': 'w', 'group': None, 'section': 'Challenges'}
        """
        return {"workshop": self.workshop, "group": self.group, "section": self.section}


def evidence_unit(note: Note) -> EvidenceUnit:
    """The unit of evidence a note belongs to: its group, else its section, else its workshop.

    A note with a group number belongs to that group. A note without one
    belongs to the innermost heading, question, prompt or board column above
    it (:data:`SECTION_SCOPES`; a label or parent bullet under a heading stays
    inside that heading's section), else to its ``section``, else to the
    workshop as a whole.

    Examples
    --------
    >>> from collab_graph.model import Note, Scope
    >>> def note(group=None, scope=()):
    ...     return Note("n", "w", group, None, None, 9, "t", scope=scope)
    >>> evidence_unit(note(group=3))
    EvidenceUnit(workshop='w', group=3, section=None, line=0)
    >>> s = (Scope(1, "Notes", "title"), Scope(4, "Challenges", "heading"),
    ...      Scope(6, "Staff:", "label"))
    >>> evidence_unit(note(scope=s)).source()
    {'workshop': 'w', 'group': None, 'section': 'Challenges'}
    >>> evidence_unit(note(scope=s[:1])).source()
    {'workshop': 'w', 'group': None, 'section': None}
    """
    if note.group is not None:
        return EvidenceUnit(note.workshop, note.group, None, 0)
    for s in reversed(note.scope):
        if s.kind in SECTION_SCOPES:
            return EvidenceUnit(note.workshop, None, s.text, s.line)
    if note.section:
        return EvidenceUnit(note.workshop, None, note.section, 0)
    return EvidenceUnit(note.workshop, None, None, 0)


def _block_key(note: Note, unit: EvidenceUnit) -> tuple[object, ...]:
    """The block of a note within its unit: question, prompt, repeat and sub-label.

    In a section (no groups), a label or parent question under the section
    heading makes a block of its own; notes right under the heading share one.
    """
    sub = 0
    if unit.group is None and note.scope:
        innermost = note.scope[-1]
        if innermost.kind not in SECTION_SCOPES and innermost.line > unit.line:
            sub = innermost.line
    return (note.question, note.prompt, note.block, sub)


def group_key(cn: CodedNote) -> EvidenceUnit:
    """The unit of evidence of a coded note, across workshops (see :func:`evidence_unit`).

    Examples
    --------
    >>> from collab_graph.graph.examples import example_coded_notes
    >>> group_key(example_coded_notes()[0])
    EvidenceUnit(workshop='alpha', group=1, section=None, line=0)
    """
    return evidence_unit(cn.note)


def reports_practice(kind: NoteKind | str) -> bool:
    """Whether a note of this kind, carrying a practice theme, reports that practice.

    A barrier note names a practice only to say it is missing ("no protected
    time"), and a heading reports nothing.

    Examples
    --------
    >>> [reports_practice(k) for k in ("practice", "benefit", "context", "barrier", "heading")]
    [True, True, True, False, False]
    """
    return kind not in (NoteKind.BARRIER, NoteKind.HEADING)


class LinkOrigin(StrEnum):
    """Where an ``addresses`` link comes from: the analyst, the notes, or both."""

    CURATED = "curated"
    EVIDENCE = "evidence"
    BOTH = "both"


def link_origin(curated: bool, local_evidence: bool) -> LinkOrigin:
    """The origin of a link: curated only, evidence only, or both.

    ``local_evidence`` is what makes a link from the notes alone (an explicit
    pairing or the same block in some unit, :attr:`LinkEvidence.local`);
    co-occurrence in a unit only adds to the score of a curated link.

    Examples
    --------
    >>> [str(link_origin(c, e)) for c, e in ((True, False), (False, True), (True, True))]
    ['curated', 'evidence', 'both']
    """
    if curated:
        return LinkOrigin.BOTH if local_evidence else LinkOrigin.CURATED
    if not local_evidence:
        raise ValueError("a link is curated, shown by the notes, or both")
    return LinkOrigin.EVIDENCE


@dataclass(frozen=True, slots=True)
class CuratedLink:
    """A theme-level link from the curated links file.

    Attributes
    ----------
    practice, barrier : str
        Theme ids.
    strength : str
        ``strong`` or ``moderate``.
    rationale : str
        Why the practice addresses the barrier.
    line : int
        Line of the record in the file (for error messages), 0 when built in code.
    """

    practice: str
    barrier: str
    strength: str
    rationale: str
    line: int = 0

    @property
    def curated_score(self) -> float:
        """The curated part of the score (see :data:`STRENGTH_SCORES`)."""
        return STRENGTH_SCORES[self.strength]


@dataclass(frozen=True, slots=True)
class LinkEvidence:
    """What the workshops show about one practice-barrier pair.

    Attributes
    ----------
    practice, barrier : str
        Theme ids.
    groups_barrier, groups_practice, groups_both : int
        Groups raising the barrier, reporting the practice, and doing both.
    explicit_groups, block_groups : int
        Groups (raising the barrier) whose strongest signal is an explicit
        pairing or the same block; ``block_groups`` counts groups with at least a
        same-block co-occurrence, explicit ones included.
    explicit_notes : tuple of (str, str)
        ``(workshop, note id)`` of the notes that pair the two explicitly.
    endorsement : float
        ``groups_both / groups_barrier`` (rounded to 4 places).
    evidence_score : float
        Mean signal weight over the groups raising the barrier (4 places).
    level : int
        1 (endorsement ≥ 0.5), 2 (≥ 0.2) or 3.
    """

    practice: str
    barrier: str
    groups_barrier: int
    groups_practice: int
    groups_both: int
    explicit_groups: int
    block_groups: int
    explicit_notes: tuple[tuple[str, str], ...]
    endorsement: float
    evidence_score: float
    level: int

    @property
    def local(self) -> bool:
        """True when some group shows the pair locally (explicit or same block)."""
        return self.explicit_groups > 0 or self.block_groups > 0


@dataclass(frozen=True, slots=True)
class AddressesLink:
    """A practice → barrier link with both of its parts and the combined score."""

    practice: str
    barrier: str
    curated: CuratedLink | None
    evidence: LinkEvidence | None
    score: float
    level: int

    @property
    def curated_score(self) -> float:
        """The curated part (0 when not curated)."""
        return self.curated.curated_score if self.curated else 0.0

    @property
    def evidence_score(self) -> float:
        """The evidence part (0 when the workshops show nothing)."""
        return self.evidence.evidence_score if self.evidence else 0.0

    @property
    def origin(self) -> LinkOrigin:
        """Curated, evidence or both (:func:`link_origin`)."""
        return link_origin(
            self.curated is not None, self.evidence is not None and self.evidence.local
        )


LEVEL_MEANINGS: dict[int, str] = {
    1: "Level 1: at least half of the groups raising the barrier also report the practice",
    2: "Level 2: 20–49 % of the groups raising the barrier also report the practice",
    3: "Level 3: fewer than 20 % of them do, or none (a curated link nobody reported yet)",
}
"""What each level of :func:`level_for` means, in words the app and the CLI show."""


def level_for(endorsement: float) -> int:
    """The CFIR-ERIC style level of an endorsement share.

    Examples
    --------
    >>> [level_for(x) for x in (0.5, 0.49, 0.2, 0.19, 0.0)]
    [1, 2, 2, 3, 3]
    """
    if endorsement >= 0.5:
        return 1
    if endorsement >= 0.2:
        return 2
    return 3


def score(curated_score: float, evidence_score: float) -> float:
    """Combine the curated and the evidence part into one score in [0, 1].

    Examples
    --------
    >>> score(1.0, 0.0), score(0.6, 0.5), score(0.0, 1.0)
    (0.5, 0.55, 0.5)
    """
    return round(CURATED_WEIGHT * curated_score + EVIDENCE_WEIGHT * evidence_score, 4)


def load_curated(
    paths: Path | Sequence[Path] | None = None,
    *,
    on_problem: Callable[[str], None] | None = None,
) -> tuple[CuratedLink, ...]:
    """Read the curated links: the bundled file, then any the analyst added or removed.

    Parameters
    ----------
    paths : pathlib.Path or sequence of pathlib.Path, optional
        CSV files with columns ``practice_theme, barrier_theme, strength,
        rationale`` (others are ignored); defaults to ``data/addresses.csv``.
        In a later file (the analyst's workspace) a row replaces the link of the
        same pair, and strength ``removed`` takes the link out. A later file
        that does not exist is skipped.
    on_problem : callable, optional
        Called with a one-line message (file, line, why) for each bad row of a
        later file (the analyst's), which is then skipped while the other rows
        apply. Without it the first bad row raises. The first (bundled) file is
        always read strictly.

    Returns
    -------
    tuple of CuratedLink
        In file order.

    Raises
    ------
    DataFileError
        When the first file is missing or unreadable, a column is missing, a
        strength is unknown, a field is empty or a pair repeats within a file.
        The message names the file, line and column.

    Examples
    --------
    >>> links = load_curated()
    >>> all(link.strength in ("strong", "moderate") for link in links)
    True
    """
    if paths is None:
        chosen = [data_path(ADDRESSES_FILE)]
    elif isinstance(paths, Path):
        chosen = [paths]
    else:
        chosen = list(paths)
    found: dict[tuple[str, str], CuratedLink] = {}
    for i, path in enumerate(chosen):
        if i > 0 and not path.exists():
            continue
        seen: set[tuple[str, str]] = set()
        allowed = (*STRENGTH_SCORES, REMOVED) if i > 0 else tuple(STRENGTH_SCORES)
        lenient = _skipper(on_problem) if i > 0 and on_problem is not None else None
        rows = read_csv(
            path, required=_REQUIRED_COLUMNS, what="curated links file", on_error=lenient
        )
        for row in rows:
            p, b = row["practice_theme"], row["barrier_theme"]
            strength = row["strength"].lower()
            try:
                for col in ("practice_theme", "barrier_theme", "rationale"):
                    if not row[col]:
                        raise row.error(
                            col, "practice_theme, barrier_theme and rationale must not be empty"
                        )
                if strength not in allowed:
                    raise row.error(
                        "strength",
                        f"unknown strength {strength!r}; use one of {', '.join(allowed)}",
                    )
                if (p, b) in seen:
                    if lenient is None or on_problem is None:
                        raise row.error("barrier_theme", f"duplicate link {p} -> {b}")
                    on_problem(
                        str(
                            row.error(
                                "barrier_theme",
                                f"a second row for the link {p} -> {b}; this later one applies",
                            )
                        )
                    )
            except DataFileError as err:
                if lenient is None:
                    raise
                lenient(err)
                continue
            seen.add((p, b))
            found.pop((p, b), None)
            if strength != REMOVED:
                found[(p, b)] = CuratedLink(p, b, strength, row["rationale"], row.line)
    return tuple(found.values())


def _skipper(on_problem: Callable[[str], None]) -> Callable[[DataFileError], None]:
    """Report a bad row as skipped."""
    return lambda err: on_problem(f"{err}; row skipped")


def _themes_by_kind(cn: CodedNote) -> tuple[list[str], list[str]]:
    """The practices a note reports and the barriers it raises."""
    if cn.kind is NoteKind.HEADING:
        return [], []
    practices = (
        [t.id for t in cn.themes if t.kind is ThemeKind.PRACTICE]
        if reports_practice(cn.kind)
        else []
    )
    barriers = [t.id for t in cn.themes if t.kind is ThemeKind.BARRIER]
    return practices, barriers


def compute_evidence(coded: Iterable[CodedNote]) -> dict[tuple[str, str], LinkEvidence]:
    """Evidence for every practice-barrier pair that some group raises together.

    Every theme counts, curated or not. The unit is the group, or where notes
    have no group their section, or else their workshop (:func:`evidence_unit`).

    Parameters
    ----------
    coded : iterable of CodedNote
        Notes of one or more workshops. Heading notes are ignored, and barrier
        notes report no practice (:func:`reports_practice`).

    Returns
    -------
    dict
        ``(practice id, barrier id) -> LinkEvidence`` for every pair that occurs
        together in at least one group.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_coded_notes
    >>> ev = compute_evidence(example_coded_notes())
    >>> sorted(ev)[:2]
    [('p_dedicated_team', 'b_time_capacity'), ('p_protected_time', 'b_funding_budgets')]
    >>> ev["p_dedicated_team", "b_time_capacity"].block_groups
    1
    """
    # unit (a small int, see _unit_id) -> theme -> set of block keys; explicit pairs per unit.
    g_practice: dict[int, dict[str, set[tuple[object, ...]]]] = defaultdict(dict)
    g_barrier: dict[int, dict[str, set[tuple[object, ...]]]] = defaultdict(dict)
    explicit: dict[tuple[str, str], dict[int, set[tuple[str, str]]]] = defaultdict(dict)
    practice_groups: dict[str, set[int]] = defaultdict(set)
    barrier_groups: dict[str, set[int]] = defaultdict(set)
    notes_by_id: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    units: dict[tuple[object, ...], int] = {}
    coded = list(coded)
    for cn in coded:
        notes_by_id[cn.note.workshop, cn.note.id] = _themes_by_kind(cn)
    for cn in coded:
        n = cn.note
        ps, bs = notes_by_id[n.workshop, n.id]
        if not ps and not bs:
            continue
        if n.group is not None:  # the common case, kept cheap: 100k notes pass here
            gk = units.setdefault((n.workshop, n.group), len(units))
            block: tuple[object, ...] = (n.question, n.prompt, n.block)
        else:
            unit = evidence_unit(n)
            gk = units.setdefault(unit, len(units))
            block = _block_key(n, unit)
        for p in ps:
            g_practice[gk].setdefault(p, set()).add(block)
            practice_groups[p].add(gk)
        for b in bs:
            g_barrier[gk].setdefault(b, set()).add(block)
            barrier_groups[b].add(gk)
        pairs: list[tuple[str, str, tuple[str, str]]] = [
            (p, b, (n.workshop, n.id)) for p in ps for b in bs
        ]
        if n.parent is not None and (n.workshop, n.parent) in notes_by_id:
            pps, pbs = notes_by_id[n.workshop, n.parent]
            pairs += [(p, b, (n.workshop, n.id)) for p in ps for b in pbs]
            pairs += [(p, b, (n.workshop, n.id)) for p in pps for b in bs]
        for p, b, nid in pairs:
            explicit[p, b].setdefault(gk, set()).add(nid)

    # (practice, barrier) -> [groups with both, explicit groups, same-block groups, weight]
    signals: dict[tuple[str, str], list[float]] = {}
    w_explicit, w_block, w_group = (
        SIGNAL_WEIGHTS["explicit"],
        SIGNAL_WEIGHTS["block"],
        SIGNAL_WEIGHTS["group"],
    )
    for gk, barriers in g_barrier.items():
        practices = g_practice.get(gk)
        if not practices:
            continue
        for b, b_blocks in barriers.items():
            for p, p_blocks in practices.items():
                pair = (p, b)
                acc = signals.get(pair)
                if acc is None:
                    acc = signals[pair] = [0, 0, 0, 0.0]
                acc[0] += 1
                ex = explicit.get(pair)
                if ex is not None and gk in ex:
                    acc[1] += 1
                    acc[2] += 1
                    acc[3] += w_explicit
                elif not b_blocks.isdisjoint(p_blocks):
                    acc[2] += 1
                    acc[3] += w_block
                else:
                    acc[3] += w_group

    out: dict[tuple[str, str], LinkEvidence] = {}
    for (p, b), (both, n_explicit, n_block, weight) in sorted(signals.items()):
        n_b = len(barrier_groups[b])
        endorsement = round(both / n_b, 4)
        notes = sorted(nid for ids in explicit.get((p, b), {}).values() for nid in ids)
        out[p, b] = LinkEvidence(
            practice=p,
            barrier=b,
            groups_barrier=n_b,
            groups_practice=len(practice_groups[p]),
            groups_both=int(both),
            explicit_groups=int(n_explicit),
            block_groups=int(n_block),
            explicit_notes=tuple(notes),
            endorsement=endorsement,
            evidence_score=round(weight / n_b, 4),
            level=level_for(endorsement),
        )
    return out


def combine_links(
    curated: Sequence[CuratedLink],
    evidence: Mapping[tuple[str, str], LinkEvidence],
) -> list[AddressesLink]:
    """Merge curated links and evidence into scored ``addresses`` links.

    A pair is kept when it is curated or shows local evidence (see module doc).

    Parameters
    ----------
    curated : sequence of CuratedLink
        Curated theme-level links.
    evidence : mapping
        The result of :func:`compute_evidence`.

    Returns
    -------
    list of AddressesLink
        Sorted by practice id, then barrier id.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_coded_notes
    >>> cur = [CuratedLink("p_protected_time", "b_time_capacity", "strong", "frees time")]
    >>> links = combine_links(cur, compute_evidence(example_coded_notes()))
    >>> for k in links:
    ...     if k.barrier == "b_time_capacity":
    ...         print(k.practice, k.score, k.curated is not None, k.level)
    p_dedicated_team 0.0833 False 2
    p_protected_time 0.75 True 1
    p_shared_services 0.1666 False 1
    """
    by_pair = {(c.practice, c.barrier): c for c in curated}
    pairs = set(by_pair) | {pair for pair, ev in evidence.items() if ev.local}
    out = []
    for p, b in sorted(pairs):
        cur = by_pair.get((p, b))
        ev = evidence.get((p, b))
        cs = cur.curated_score if cur else 0.0
        es = ev.evidence_score if ev else 0.0
        out.append(
            AddressesLink(
                practice=p,
                barrier=b,
                curated=cur,
                evidence=ev,
                score=score(cs, es),
                level=ev.level if ev else 3,
            )
        )
    return out
