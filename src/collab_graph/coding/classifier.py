"""Code notes: kind, themes and organisations, with a confidence and reasons.

The classifier is lexical and deterministic. It adds up weighted evidence for
each kind (``practice``, ``barrier``, ``benefit``, ``context``) from:

* cue phrases in the note (``data/kind-cues.csv``), including negation and
  deficit cues (``lack of``, ``no time``, ``?``) and imperatives at the start
  (``Be realistic``);
* theme cues (``data/themes.csv``): a note that speaks to a barrier theme leans
  towards barrier;
* an inline label at the start (``Blockers – …``, ``Benefits – …``);
* the sub-heading bullet it sits under (``Challenges``, ``What has worked``),
  up to the next sub-heading or the end of its block, or the enclosing
  document section (:attr:`Note.section`) or nested parent;
* what its question or prompt asks for, read from the workshop's own
  preamble (a prompt about "benefits" makes benefit likelier);
* for bare one-to-three-word notes with no cue of their own, the kinds of
  their neighbours in the same list.

Sub-heading bullets themselves are coded ``heading``. Nothing here is keyed on
a particular workshop: all words live in the data files.

Examples
--------
>>> from collab_graph.model import Note
>>> notes = [Note("G1-Q1-A-1", "demo", 1, 1, "A", 1, "Challenges"),
...          Note("G1-Q1-A-2", "demo", 1, 1, "A", 2, "Day job – no time")]
>>> [(c.kind.value, c.reasons[0]) for c in classify_notes(notes)]
[('heading', 'sub-heading "Challenges" (scopes the bullets after it as barrier)'), \
('barrier', 'under heading "Challenges"')]
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from collab_graph.bulk import paused_gc
from collab_graph.coding.gazetteer import Gazetteer, load_gazetteer
from collab_graph.coding.lexicon import normalise
from collab_graph.coding.taxonomy import KindCue, Taxonomy, load_taxonomy
from collab_graph.model import (
    CodedNote,
    Note,
    NoteKind,
    Organisation,
    OrgType,
    ParseResult,
    Theme,
    Workshop,
)

__all__ = [
    "CONTENT_KINDS",
    "Classifier",
    "classify_notes",
    "classify_results",
    "classify_text",
]

#: The kinds a content note can get (``heading`` is decided separately).
CONTENT_KINDS: tuple[NoteKind, ...] = (
    NoteKind.PRACTICE,
    NoteKind.BARRIER,
    NoteKind.BENEFIT,
    NoteKind.CONTEXT,
)

# How much each kind of evidence counts. Cue weights come from the data files;
# these scale whole sources of evidence against each other.
THEME_WEIGHT = {"practice": 0.5, "barrier": 0.45, "benefit": 0.6}
THEME_CAP = 1.0
CUE_CAP = 4.0
TOPIC_CAP = 1.2
QUESTION_FACTOR = 0.6  # the whole question counts less than its prompt
NEIGHBOUR_WEIGHT = 0.5
PARENT_WEIGHT = 0.6
ORG_ONLY_WEIGHT = 2.0
BOUNDARY_WEIGHT = 1.5
DEFAULT_KIND = NoteKind.PRACTICE  # the commonest kind when nothing else speaks
MAX_THEMES = 4
NEGATION_REACH = 20  # characters between a negation and the cue it cancels
WEAK_CUE = 1.0  # own cues below this leave a short note open to its neighbours

_STOP = frozenset(
    "a an and are as at be by etc for from in into is it its of on or our so some "
    "than that the their them then there these they this those to was we were with "
    "within other others more most very also e.g i.e eg ie x2 both all".split()
)
_BOUNDARY = frozenset(
    "across between cross internal internally external externally within teams team "
    "service services department departments directorate directorates division "
    "divisions office offices sector sectors organisation organisations organization "
    "organizations partners boundaries boundary levels level areas area agencies "
    "agency bodies body professions disciplines functions business businesses "
    "companies company suppliers supply chain local national regional island "
    "islands collaborate".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'&.]*")
_DASH_SPLIT = re.compile(r"\s+[-:]\s+|\s*:\s*$")
_LABEL_TAIL = re.compile(r"\s*[-:]\s*")


@dataclass
class _Score:
    """Evidence for each kind, with the reasons behind it."""

    points: dict[NoteKind, float] = field(default_factory=lambda: dict.fromkeys(CONTENT_KINDS, 0.0))
    reasons: dict[NoteKind, list[tuple[float, str]]] = field(
        default_factory=lambda: {k: [] for k in CONTENT_KINDS}
    )
    explicit: bool = False  # some cue of the note's own (not only themes or context)
    strongest: float = 0.0  # the weight of its strongest own cue

    def add(self, kind: NoteKind, weight: float, reason: str) -> None:
        if kind not in self.points or weight == 0:
            return
        self.points[kind] += weight
        self.reasons[kind].append((weight, reason))

    def best(self) -> tuple[NoteKind, float, float]:
        ranked = sorted(CONTENT_KINDS, key=lambda k: (-self.points[k], CONTENT_KINDS.index(k)))
        return ranked[0], self.points[ranked[0]], self.points[ranked[1]]


@dataclass(frozen=True, slots=True)
class _Heading:
    note: Note
    kind: NoteKind | None  # the kind it gives the bullets it scopes
    weight: float
    reason: str


def _words(text: str) -> list[str]:
    return [w.strip(".'").lower() for w in _WORD.findall(normalise(text)) if w.strip(".'")]


def _stem(word: str) -> str:
    return word[:5]


def _content_words(text: str) -> list[str]:
    return [w for w in _words(text) if w not in _STOP and len(w) > 1]


@dataclass
class Classifier:
    """A reusable classifier bound to one taxonomy and gazetteer.

    Parameters
    ----------
    taxonomy : Taxonomy, optional
        Defaults to :func:`~collab_graph.coding.taxonomy.load_taxonomy`.
    gazetteer : Gazetteer, optional
        Defaults to :func:`~collab_graph.coding.taxonomy.load_gazetteer`.
    """

    taxonomy: Taxonomy = field(default_factory=load_taxonomy)
    gazetteer: Gazetteer = field(default_factory=load_gazetteer)
    _topic_cache: dict[str, tuple[dict[NoteKind, float], str]] = field(
        default_factory=dict, repr=False
    )

    # -- context -----------------------------------------------------------

    def topic_prior(self, text: str | None) -> tuple[dict[NoteKind, float], str]:
        """What kinds a question, prompt or heading text asks for, and a short reason.

        Examples
        --------
        >>> prior, _ = Classifier().topic_prior("What are the potential benefits?")
        >>> max(prior, key=prior.__getitem__).value
        'benefit'
        """
        if not text:
            return {}, ""
        if text in self._topic_cache:
            return self._topic_cache[text]
        prior: dict[NoteKind, float] = {}
        for cue, _, _ in self.taxonomy.match_cues(text, "topic"):
            prior[cue.kind] = min(TOPIC_CAP, prior.get(cue.kind, 0.0) + cue.weight)
        out = (prior, _short(text))
        self._topic_cache[text] = out
        return out

    def heading_of(self, note: Note, workshop: Workshop | None = None) -> _Heading | None:
        """Return how ``note`` works as a sub-heading, or None if it is content."""
        text = normalise(note.text).strip()
        core = text.strip(" \t?:;.!-*#").strip()
        if not core:
            return None
        whole = self._full_heading(core)
        if whole is not None:
            return _Heading(note, whole.kind, whole.weight, f'sub-heading "{note.text.strip()}"')
        words = _words(core)
        parts = [p.strip() for p in _DASH_SPLIT.split(core) if p.strip()]
        if len(parts) == 2:
            head = self._full_heading(parts[1])
            if head is not None and len(_words(parts[0])) <= 3 and not self._has_cues(parts[0]):
                return _Heading(note, head.kind, head.weight, f'sub-heading "{note.text.strip()}"')
        if len(words) <= 4:
            for cue, start, end in self.taxonomy.match_cues(core, "heading"):
                rest = (core[:start] + " " + core[end:]).strip()
                if len(cue.phrase.split()) >= 2 and not self._has_cues(rest):
                    return _Heading(
                        note, cue.kind, cue.weight * 0.8, f'sub-heading "{note.text.strip()}"'
                    )
        if workshop is not None and len(parts) == 2 and not self._has_cues(core):
            content = [w for w in _content_words(core) if len(w) > 2]
            vocab = self._workshop_stems(workshop)
            if len(content) >= 3 and all(_stem(w) in vocab for w in content):
                prior, _ = self.topic_prior(core)
                kind = max(prior, key=prior.__getitem__) if prior else None
                return _Heading(
                    note, kind, 1.5, f'sub-heading "{note.text.strip()}" (restates a prompt)'
                )
        return None

    def _full_heading(self, text: str) -> KindCue | None:
        for cue, start, end in self.taxonomy.match_cues(text, "heading"):
            if start <= 1 and end >= len(text.rstrip(" ?:.")) - 1:
                return cue
        return None

    def _has_cues(self, text: str) -> bool:
        return bool(
            self.taxonomy.match_cues(text, "anywhere") or self.taxonomy.match_cues(text, "start")
        )

    def _workshop_stems(self, workshop: Workshop) -> frozenset[str]:
        key = f"\0stems:{workshop.slug}"
        cached = self._topic_cache.get(key)
        if cached is not None:
            return frozenset(cached[1].split())
        texts = [q.text for q in workshop.questions] + [p.topic for p in workshop.prompts]
        stems = {_stem(w) for t in texts for w in _content_words(t)}
        self._topic_cache[key] = ({}, " ".join(sorted(stems)))
        return frozenset(stems)

    # -- content -----------------------------------------------------------

    def content_score(self, text: str, orgs: Sequence[Organisation] = ()) -> _Score:
        """Evidence for each kind from the note's own words (no context)."""
        score = _Score()
        norm = normalise(text).strip()
        body = norm
        for cue, start, end in self.taxonomy.match_cues(norm, "label"):
            if start <= 2 and _LABEL_TAIL.match(norm, end) and end < len(norm.rstrip()):
                score.add(cue.kind, cue.weight, f'inline label "{norm[start:end]}"')
                score.explicit = True
                body = norm[end:]
                break
        for cue, start, end in self.taxonomy.match_cues(body, "start"):
            score.add(cue.kind, cue.weight, f'starts "{body[start:end]}"')
            score.explicit = True
            score.strongest = max(score.strongest, cue.weight)
        per_kind: dict[NoteKind, float] = {}
        negations = [e for c, _, e in self.taxonomy.match_cues(body, "anywhere") if _negates(c)]
        for cue, start, end in self.taxonomy.match_cues(body, "anywhere"):
            if cue.kind in {NoteKind.BENEFIT, NoteKind.PRACTICE} and any(
                0 <= start - e <= NEGATION_REACH for e in negations
            ):
                score.add(NoteKind.BARRIER, 0.3, f'negated "{body[start:end]}"')
                continue
            w = min(cue.weight, CUE_CAP - per_kind.get(cue.kind, 0.0))
            if w <= 0:
                continue
            per_kind[cue.kind] = per_kind.get(cue.kind, 0.0) + w
            score.add(cue.kind, w, f'cue "{body[start:end]}"')
            score.explicit = True
            score.strongest = max(score.strongest, w)
        theme_pts: dict[str, float] = {}
        for theme, cues in self.taxonomy.match_themes(body):
            k = theme.kind.value
            w = min(THEME_WEIGHT[k], THEME_CAP - theme_pts.get(k, 0.0))
            if w <= 0:
                continue
            theme_pts[k] = theme_pts.get(k, 0.0) + w
            score.add(NoteKind(k), w, f'{k} theme "{theme.label}" (cue "{cues[0]}")')
        self._org_rules(text, orgs, score)
        return score

    def _org_rules(self, text: str, orgs: Sequence[Organisation], score: _Score) -> None:
        # the same text as ``gazetteer.find`` searched, so its mentions are remembered
        rest = normalise(text)  # same length as ``text``: mention offsets hold
        for m in reversed(self.gazetteer.mentions(text)):
            rest = rest[: m.start] + " " + rest[m.end :]
        content = _content_words(rest)
        if orgs and not content:
            if any(o.type in {OrgType.PARTNERSHIP, OrgType.TOOL} for o in orgs):
                score.add(NoteKind.PRACTICE, ORG_ONLY_WEIGHT, "names only a partnership or tool")
            else:
                score.add(NoteKind.CONTEXT, ORG_ONLY_WEIGHT, "names only an organisation or place")
            score.explicit = True
            return
        if (
            content
            and all(w in _BOUNDARY for w in content)
            and (
                orgs
                or any(w in {"across", "cross", "internal", "external", "between"} for w in content)
            )
        ):
            score.add(NoteKind.CONTEXT, BOUNDARY_WEIGHT, "only names a boundary or partners")
            score.explicit = True

    # -- the whole pass ------------------------------------------------------

    def classify(self, notes: Sequence[Note], workshop: Workshop | None = None) -> list[CodedNote]:
        """Code a sequence of notes from one workshop, in document order.

        Parameters
        ----------
        notes : sequence of Note
            The notes of one workshop (a :class:`ParseResult`'s ``notes``).
        workshop : Workshop, optional
            Its questions and prompts give each note's topic prior.

        Returns
        -------
        list of CodedNote
            One per note, in the same order, with ``classifier_kind`` set.
        """
        by_id = {n.id: n for n in notes}
        headings: dict[str, _Heading] = {}
        scope_of: dict[str, _Heading | None] = {}
        current: _Heading | None = None
        last_key: tuple[object, ...] | None = None
        for note in notes:
            key = _scope_key(note)
            if key != last_key:
                current, last_key = None, key
            head = self.heading_of(note, workshop)
            parent = by_id.get(note.parent) if note.parent else None
            if head is not None:
                headings[note.id] = head
                current = head
                scope_of[note.id] = None
                continue
            if parent is not None and parent.id in headings:
                scope_of[note.id] = headings[parent.id]
            else:
                scope_of[note.id] = current

        scores: dict[str, _Score] = {}
        orgs_of: dict[str, tuple[Organisation, ...]] = {}
        for note in notes:
            orgs_of[note.id] = self.gazetteer.find(note.text)
            if note.id in headings:
                continue
            score = self.content_score(note.text, orgs_of[note.id])
            self._context(note, workshop, scope_of[note.id], score)
            scores[note.id] = score

        # neighbours: a bare note in a list leans towards the kinds around it
        first: dict[str, NoteKind] = {nid: s.best()[0] for nid, s in scores.items()}
        groups: dict[tuple[object, ...], list[Note]] = {}
        for note in notes:
            if note.id in scores:
                sc = scope_of[note.id]
                groups.setdefault((*_scope_key(note), sc.note.id if sc else None), []).append(note)
        for members in groups.values():
            weak = [_weak(scores[n.id], n.text) for n in members]
            solid = [i for i, n in enumerate(members) if not weak[i] and scores[n.id].explicit]
            for i, note in enumerate(members):
                if not weak[i]:
                    continue
                before = [j for j in solid if j < i]
                after = [j for j in solid if j > i]
                for j in before[-1:] + after[:1]:
                    k = first[members[j].id]
                    scores[note.id].add(k, NEIGHBOUR_WEIGHT, f"next to {k.value} notes in its list")

        coded: list[CodedNote] = []
        done: dict[str, NoteKind] = {}
        for note in notes:
            orgs = orgs_of[note.id]
            if note.id in headings:
                head = headings[note.id]
                scope = f" (scopes the bullets after it as {head.kind.value})" if head.kind else ""
                conf = 0.9 if head.weight >= 2.5 else 0.6
                coded.append(
                    CodedNote(
                        note=note,
                        kind=NoteKind.HEADING,
                        themes=(),
                        orgs=orgs,
                        confidence=conf,
                        reasons=(head.reason + scope,),
                        classifier_kind=NoteKind.HEADING,
                    )
                )
                done[note.id] = NoteKind.HEADING
                continue
            score = scores[note.id]
            parent = by_id.get(note.parent) if note.parent else None
            if parent is not None and parent.id in done and parent.id not in headings:
                pk = done[parent.id]
                score.add(pk, PARENT_WEIGHT, f"nested under a {pk.value} note")
            kind, top, second = score.best()
            reasons: list[str]
            if top <= 0:
                kind = DEFAULT_KIND
                reasons = [f"no cue found; default {kind.value}"]
                conf = 0.3
            else:
                ranked = sorted(score.reasons[kind], key=lambda r: -r[0])
                reasons = [r for _, r in ranked[:4]]
                margin = top - second
                conf = 0.3 + 0.35 * math.tanh(margin) + 0.3 * math.tanh(top / 3)
                rivals = [k for k in CONTENT_KINDS if k is not kind and score.points[k] > 0]
                if rivals:
                    rival = max(rivals, key=lambda k: score.points[k])
                    why = sorted(score.reasons[rival], key=lambda r: -r[0])[0][1]
                    reasons.append(f"against: {rival.value} ({why})")
            done[note.id] = kind
            coded.append(
                CodedNote(
                    note=note,
                    kind=kind,
                    themes=self._themes(note.text, kind),
                    orgs=orgs,
                    confidence=round(min(0.95, max(0.05, conf)), 3),
                    reasons=tuple(reasons),
                    classifier_kind=kind,
                )
            )
        return coded

    def _context(
        self, note: Note, workshop: Workshop | None, head: _Heading | None, score: _Score
    ) -> None:
        if head is not None and head.kind is not None:
            score.add(head.kind, head.weight, f'under heading "{head.note.text.strip()}"')
        if note.section:
            sec = self._full_heading(normalise(note.section).strip(" \t?:;.!-*#"))
            if sec is not None:
                score.add(sec.kind, sec.weight, f'in section "{note.section}"')
            else:
                prior, _ = self.topic_prior(note.section)
                for k, w in prior.items():
                    score.add(k, w, f'section "{_short(note.section)}" asks for {k.value}')
        if workshop is None:
            return
        topic = workshop.prompt_topic(note.question, note.prompt)
        prior, short = self.topic_prior(topic)
        factor = 1.0
        if not prior:
            asked = note.question_text or workshop.question_text(note.question)
            prior, short = self.topic_prior(asked)
            # a question speaks for its notes fully unless a prompt letter narrows it
            factor = QUESTION_FACTOR if note.prompt else 1.0
        for k, w in prior.items():
            score.add(k, w * factor, f'prompt asks "{short}"')

    def _themes(self, text: str, kind: NoteKind) -> tuple[Theme, ...]:
        matched = [t for t, _ in self.taxonomy.match_themes(text)]
        first = [t for t in matched if t.kind.value == kind.value]
        rest = [t for t in matched if t.kind.value != kind.value]
        return tuple((first + rest)[:MAX_THEMES])


def _negates(cue: KindCue) -> bool:
    return cue.kind is NoteKind.BARRIER and cue.phrase.lower() in _NEGATORS_PHRASES


_NEGATORS_PHRASES = frozenset(
    {
        "no",
        "not",
        "never",
        "without",
        "lack of",
        "lacks",
        "lacking",
        "hard to",
        "difficult",
        "can't",
        "cannot",
        "don't",
        "doesn't",
        "isn't",
        "aren't",
        "won't",
        "nobody",
        "no one",
    }
)


def _scope_key(note: Note) -> tuple[object, ...]:
    return (note.workshop, note.group, note.question, note.prompt, note.block, note.section)


def _weak(score: _Score, text: str) -> bool:
    """A short note with no strong cue of its own: its list decides more."""
    return len(_content_words(text)) <= 3 and score.strongest < WEAK_CUE


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def classify_notes(
    notes: Sequence[Note],
    workshop: Workshop | None = None,
    *,
    taxonomy: Taxonomy | None = None,
    gazetteer: Gazetteer | None = None,
) -> list[CodedNote]:
    """Code the notes of one workshop with the classifier alone (no reviews).

    Parameters
    ----------
    notes : sequence of Note
        In document order.
    workshop : Workshop, optional
        Gives what each question and prompt asks for.
    taxonomy, gazetteer : optional
        Default to the bundled data files.

    Returns
    -------
    list of CodedNote
    """
    clf = Classifier(taxonomy or load_taxonomy(), gazetteer or load_gazetteer())
    return clf.classify(notes, workshop)


def classify_results(
    results: Sequence[ParseResult],
    *,
    taxonomy: Taxonomy | None = None,
    gazetteer: Gazetteer | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[CodedNote]:
    """Code every note of several parsed workshops with the classifier alone.

    Analyst reviews are a later stage (:func:`collab_graph.review.apply_reviews`).

    Parameters
    ----------
    results : sequence of ParseResult
        From :func:`collab_graph.ingest.load`.
    taxonomy, gazetteer : optional
        Default to the bundled data files.
    progress : callable, optional
        Called as ``progress(notes_done, notes_total)`` after each workshop, e.g.
        to drive a progress bar: coding is the slow stage on large corpora.

    Returns
    -------
    list of CodedNote
        In input order, primary theme first, ``classifier_kind`` set.

    Examples
    --------
    >>> from collab_graph.ingest import load, parse_text
    >>> res = parse_text("Challenges\\n- Lack of buy-in\\n", source="demo.md")
    >>> [c.kind.value for c in classify_results([res])][-1]
    'barrier'
    >>> seen = []
    >>> _ = classify_results(load(), progress=lambda done, total: seen.append((done, total)))
    >>> seen
    [(239, 239)]
    """
    clf = Classifier(taxonomy or load_taxonomy(), gazetteer or load_gazetteer())
    coded: list[CodedNote] = []
    total = sum(len(r.notes) for r in results)
    with paused_gc():
        for result in results:
            coded.extend(clf.classify(result.notes, result.workshop))
            if progress is not None:
                progress(len(coded), total)
    return coded


def classify_text(
    text: str,
    *,
    heading: str | None = None,
    topic: str | None = None,
    taxonomy: Taxonomy | None = None,
    gazetteer: Gazetteer | None = None,
) -> CodedNote:
    """Code one sentence, optionally as if under a sub-heading or answering a prompt.

    Examples
    --------
    >>> classify_text("Shared budgets", heading="Challenges").kind.value
    'barrier'
    >>> classify_text("Shared budgets", heading="What has worked").kind.value
    'practice'
    """
    notes: list[Note] = []
    if heading:
        notes.append(Note("H-1", "text", None, None, "A" if topic else None, 1, heading))
    notes.append(Note("N-1", "text", None, None, "A" if topic else None, 2, text))
    workshop = None
    if topic:
        from collab_graph.model import Prompt

        workshop = Workshop("text", "text", "text", prompts=(Prompt(None, "A", topic),))
    return classify_notes(notes, workshop, taxonomy=taxonomy, gazetteer=gazetteer)[-1]


def kinds_of(coded: Iterable[CodedNote]) -> Mapping[str, NoteKind]:
    """Map note id to kind (handy in tests and notebooks)."""
    return {c.note.id: c.kind for c in coded}
