"""Code notes: kind, themes and organisations, with a calibrated confidence and reasons.

For each workshop, in document order:

1. **Sub-headings.** A note that only labels the notes after it ("Challenges",
   "What has worked:", "Teams resourced – what worked") is coded ``heading``.
   It is found from the intent lexicon (``data/intent.csv``): the label must be
   (nearly) all intent words, or a short line ending in ``:``. It scopes the
   notes after it in its list, up to the next sub-heading.
2. **Context.** Each other note gets a :class:`~collab_graph.coding.features.NoteContext`:
   the headings, prompts and questions above it (``Note.scope``, the
   parser's section, question and prompt), the sub-heading that scopes it, its
   parent bullet and what the workshop's own prompt asks.
3. **Kind.** Its features (prompt intent, sentence form, kind cues, themes,
   words) go through the learned kind model (``data/kind-model.json``, or the
   analyst's retrained model). The model's probabilities are calibrated on
   documents it was not trained on.
4. **Abstaining.** When nothing supports a kind (no intent above it, no
   telling form, no word the model knows), the note is ``context`` with a low
   confidence and ``needs_review``; it is never guessed to be a practice. A note
   whose top probability is below the model's threshold is also flagged.
5. **Reasons** name the features that decided: ``under "Deltas" (barrier)``,
   ``deficit form``, ``word "lack"``, and the strongest rival.

Nothing here is keyed on a particular workshop: the words live in the data
files and the weights in the model.

Examples
--------
>>> from collab_graph.model import Note
>>> notes = [Note("G1-Q1-A-1", "demo", 1, 1, "A", 1, "Challenges"),
...          Note("G1-Q1-A-2", "demo", 1, 1, "A", 2, "Day job – no time")]
>>> [(c.kind.value, c.reasons[0]) for c in classify_notes(notes)]
[('heading', 'sub-heading "Challenges" (scopes the notes after it as barrier)'), \
('barrier', 'under "Challenges" (barrier)')]
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from collab_graph.bulk import paused_gc
from collab_graph.coding.features import (
    LIST_FORMS,
    FeatureVocabulary,
    NoteContext,
    context_features,
    feature_reason,
    stem,
)
from collab_graph.coding.form import load_lexicon
from collab_graph.coding.gazetteer import Gazetteer, load_gazetteer
from collab_graph.coding.intent import core_text, load_intents
from collab_graph.coding.lexicon import tokens
from collab_graph.coding.model import KindModel, Partial, load_model
from collab_graph.coding.taxonomy import Taxonomy, load_taxonomy
from collab_graph.model import CodedNote, Note, NoteKind, ParseResult, Prompt, Theme, Workshop

__all__ = [
    "CONTENT_KINDS",
    "Classifier",
    "classify_notes",
    "classify_results",
    "classify_text",
    "kinds_of",
]

#: The kinds a content note can get (``heading`` is decided separately).
CONTENT_KINDS: tuple[NoteKind, ...] = (
    NoteKind.PRACTICE,
    NoteKind.BARRIER,
    NoteKind.BENEFIT,
    NoteKind.CONTEXT,
)
MAX_THEMES = 4
#: The kinds of note that take a theme from the bullet or heading above when they name none.
_THEMED = frozenset({NoteKind.PRACTICE, NoteKind.BARRIER, NoteKind.BENEFIT})
#: A heading of at most this many words is a label that says what the notes under it are about.
_LABEL_WORDS = 6
#: A bullet of at most this many words is a point its sub-bullets elaborate, not an instruction.
_PARENT_WORDS = 12
#: Confidence given to a note the classifier abstains on.
ABSTAIN_CONFIDENCE = 0.2
# Features that carry evidence about a kind (word features only count if known).
_EVIDENCE_PREFIXES = ("intent", "prompt_intent", "form=", "cue=", "theme=", "orgs_only")
_DASH_SPLIT = re.compile(r"\s+[-–—:]\s+")
_SHORTCODE = re.compile(r":[a-z0-9_+-]+:", re.IGNORECASE)
_LABEL_WORDS = 6  # a "Label:" line is a sub-heading when it is at most this long


@dataclass(frozen=True, slots=True)
class _TextPart:
    """A note's own words, read for the decision: their model sum, evidence, metadata."""

    partial: Partial
    evidence: bool
    metadata: str


@dataclass(frozen=True, slots=True)
class _Heading:
    note: Note
    kind: NoteKind | None  # the kind it gives the notes it scopes
    reason: str


@dataclass
class Classifier:
    """A reusable classifier bound to one vocabulary and kind model.

    Parameters
    ----------
    taxonomy, gazetteer : optional
        Default to the bundled data files.
    model : KindModel, optional
        Defaults to the bundled ``data/kind-model.json``.
    """

    taxonomy: Taxonomy = field(default_factory=load_taxonomy)
    gazetteer: Gazetteer = field(default_factory=load_gazetteer)
    model: KindModel = field(default_factory=load_model)
    vocab: FeatureVocabulary = field(init=False, repr=False)
    _texts: dict[str, _TextPart] = field(init=False, repr=False, default_factory=dict)
    _places: dict[tuple[tuple[str, float], ...], Partial] = field(
        init=False, repr=False, default_factory=dict
    )
    _reasons: dict[tuple[object, ...], str] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.vocab = FeatureVocabulary(
            load_intents(), load_lexicon(), self.taxonomy, self.gazetteer
        )

    # -- sub-headings ----------------------------------------------------------------

    def heading_of(self, note: Note, workshop: Workshop | None = None) -> _Heading | None:
        """How ``note`` works as a sub-heading, or None when it is content.

        Examples
        --------
        >>> from collab_graph.model import Note
        >>> clf = Classifier()
        >>> clf.heading_of(Note("N-1", "w", None, None, None, 1, "What has worked:")).kind.value
        'practice'
        >>> clf.heading_of(Note("N-2", "w", None, None, None, 2, "No time to meet")) is None
        True
        """
        text = _SHORTCODE.sub("", note.text).strip()  # ":coffee:" is an emoji, not a colon
        core = core_text(text)
        if not core or len(core) > 80:
            return None
        why = f'sub-heading "{text}"'
        intent = self.vocab.intents.intent_of(core)
        if intent is not None and intent.whole:
            return _Heading(note, intent.kind, why)
        parts = [p.strip() for p in _DASH_SPLIT.split(core) if p.strip()]
        if len(parts) == 2:
            tail = self.vocab.intents.intent_of(parts[1])
            if tail is not None and tail.whole and len(parts[0].split()) <= 3:
                return _Heading(note, tail.kind, why)
            if workshop is not None and self._restates_prompt(core, workshop):
                head = self.vocab.intents.intent_of(core)
                return _Heading(note, head.kind if head else None, why + " (restates a prompt)")
        words = core.split()
        label = text.rstrip("*_ ").endswith(":") and len(words) <= _LABEL_WORDS
        if label and not self._content_form(core):
            return _Heading(note, intent.kind if intent else None, why)
        return None

    def _content_form(self, text: str) -> bool:
        forms = self.vocab.forms.forms(text)
        return any(f in forms for f in ("deficit", "negation", "proposal", "outcome", "names"))

    def _restates_prompt(self, core: str, workshop: Workshop) -> bool:
        """A label whose content words all come from the workshop's own questions and prompts."""
        texts = tuple(q.text for q in workshop.questions) + tuple(p.topic for p in workshop.prompts)
        vocab = _stems_of(texts)
        content = [t.lower() for t, _, _ in tokens(core) if len(t) > 2]
        return len(content) >= 3 and all(stem(w) in vocab for w in content)

    # -- the whole pass ----------------------------------------------------------------

    def contexts(
        self, notes: Sequence[Note], workshop: Workshop | None = None
    ) -> list[tuple[Note, _Heading | NoteContext]]:
        """Each note with either its sub-heading role or the context it is read in."""
        by_id = {n.id: n for n in notes}

        headings: dict[str, _Heading] = {}
        current: _Heading | None = None
        last_key: tuple[object, ...] | None = None
        out: list[tuple[Note, _Heading | NoteContext]] = []
        # a sub-heading labels what follows it: a note with nothing after it in its list
        # and no notes nested under it ("Wrap up" at the end of an agenda) is content
        leads: set[str] = {n.parent for n in notes if n.parent}
        for a_note, b_note in itertools.pairwise(notes):
            if (*_list_key(a_note), a_note.parent) == (*_list_key(b_note), b_note.parent):
                leads.add(a_note.id)
        heads = {
            n.id: h
            for n in notes
            if n.id in leads and (h := self.heading_of(n, workshop)) is not None
        }
        lists: dict[tuple[object, ...], list[Note]] = {}
        for n in notes:
            if n.id not in heads:  # a list's sub-headings are not among its notes
                lists.setdefault((*_list_key(n), n.parent), []).append(n)
        list_forms = self._list_forms(lists.values())
        for note in notes:
            key = _list_key(note)
            if key != last_key:
                current, last_key = None, key
            head = heads.get(note.id)
            if head is not None:
                headings[note.id] = head
                if note.parent is None or note.parent not in headings:
                    current = head
                out.append((note, head))
                continue
            parent = by_id.get(note.parent) if note.parent else None
            scoping = headings.get(parent.id) if parent is not None else None
            scoping = scoping or current
            out.append(
                (
                    note,
                    NoteContext(
                        text=note.text,
                        scope=_scope_texts(note, workshop),
                        heading=scoping.note.text if scoping else None,
                        parent=parent.text
                        if parent is not None and parent.id not in headings
                        else None,
                        prompt=_prompt_text(note, workshop),
                        list_forms=list_forms.get(note.id, ()),
                    ),
                )
            )
        return out

    def _list_forms(
        self, lists: Iterable[Sequence[Note]]
    ) -> dict[str, tuple[tuple[str, float], ...]]:
        """For each note, the share of the other notes of its list written in each form.

        Notes in one list tend to be of one kind (a list of obstacles, of ideas), so
        a bare "Funding" among "Lack of time" and "No budget" reads as a barrier.
        """
        out: dict[str, tuple[tuple[str, float], ...]] = {}
        for members in lists:
            if len(members) < 2:
                continue
            own = [{f for f in self.vocab.forms.forms(n.text) if f in LIST_FORMS} for n in members]
            total: dict[str, int] = {}
            for forms in own:
                for f in forms:
                    total[f] = total.get(f, 0) + 1
            others = len(members) - 1
            for n, forms in zip(members, own, strict=True):
                shares = []
                for f in LIST_FORMS:
                    c = total.get(f, 0) - (1 if f in forms else 0)
                    if c:
                        shares.append((f, round(c / others, 3)))
                out[n.id] = tuple(shares)
        return out

    def _text_part(self, text: str) -> _TextPart:
        """What a note's own words give the decision, worked out once per text."""
        hit = self._texts.get(text)
        if hit is not None:
            return hit
        features = self.vocab.text_features(text)
        weights = self.model.weights
        evidence = False
        for name in features:
            if name.startswith(_EVIDENCE_PREFIXES) or (
                name.startswith(("w=", "b=")) and name in weights
            ):
                evidence = True
                break
        part = _TextPart(self.model.partial(features), evidence, _metadata_only(features))
        if len(self._texts) > 200_000:
            self._texts.clear()
        self._texts[text] = part
        return part

    def _reason(self, name: str, ctx: NoteContext) -> str:
        """:func:`feature_reason`, remembered: it depends on the note's words only for word
        features, and on its scope only for intent features."""
        if name.startswith(("w=", "first=")):
            key: tuple[object, ...] = (name, ctx.text)
        elif name.startswith(("intent", "prompt_intent")):
            key = (name, ctx.heading, ctx.prompt, ctx.scope)
        else:
            key = (name,)
        hit = self._reasons.get(key)
        if hit is None:
            hit = feature_reason(name, ctx, self.vocab)
            if len(self._reasons) > 200_000:
                self._reasons.clear()
            self._reasons[key] = hit
        return hit

    def decide(self, ctx: NoteContext) -> tuple[NoteKind, float, tuple[str, ...], bool]:
        """A note's kind in context, its confidence, the reasons, and whether it needs review."""
        own = self._text_part(ctx.text)
        around = context_features(ctx, self.vocab)
        key = tuple(around.items())
        place = self._places.get(key)
        if place is None:
            place = self.model.partial(around)
            if len(self._places) > 200_000:
                self._places.clear()
            self._places[key] = place
        scored = self.model.combine(own.partial, place)
        probs = scored.probabilities
        evidence = own.evidence or any(name.startswith(_EVIDENCE_PREFIXES) for name in around)
        ranked = sorted(probs, key=probs.__getitem__, reverse=True)
        kind, top = ranked[0], self.model.confidence(probs[ranked[0]])
        if not evidence:
            return (
                NoteKind.CONTEXT,
                ABSTAIN_CONFIDENCE,
                ("nothing in the note or above it says what it is: left as context for review",),
                True,
            )
        if own.metadata:
            return NoteKind.CONTEXT, METADATA_CONFIDENCE, (own.metadata,), False
        rival = ranked[1]
        explained = scored.explain((kind, rival), top=3)
        pushes = [(name, value) for name, value in explained[kind][:3] if value > 0.05]
        reasons = [self._reason(name, ctx) for name, _ in pushes]
        reasons = list(dict.fromkeys(reasons)) or [f"the model's best guess ({kind.value})"]
        if probs[rival] >= 0.15:
            against = explained[rival]
            if against and against[0][1] > 0.05:
                why = self._reason(against[0][0], ctx)
                reasons.append(f"against: {rival.value} ({why})")
        return kind, top, tuple(reasons), top < self.model.abstain

    def _scope_themes(self, ctx: NoteContext) -> tuple[Theme, ...]:
        """The themes of the nearest bullet or heading above a note that has any.

        A note whose own words name no theme ("Some central funding" under
        "Funding models") speaks to what the bullet it hangs from, or its
        sub-heading, or the nearest heading is about, when that is a short
        label: a sentence (an instruction, a question asked of the whole
        workshop) or a heading further up (a document's title) says too little.
        """
        labels = (ctx.heading, ctx.scope[-1] if ctx.scope else None)
        above = [(ctx.parent, _PARENT_WORDS), *((t, _LABEL_WORDS) for t in labels)]
        for text, most in above:
            if text and len(text.split()) <= most:
                themes = self.vocab.read(text).themes
                if themes:
                    return themes
        return ()

    def classify(self, notes: Sequence[Note], workshop: Workshop | None = None) -> list[CodedNote]:
        """Code the notes of one workshop, in document order.

        Parameters
        ----------
        notes : sequence of Note
            The notes of one workshop (a :class:`ParseResult`'s ``notes``).
        workshop : Workshop, optional
            Its questions and prompts say what each prompt letter asks.

        Returns
        -------
        list of CodedNote
            One per note, in the same order, with ``classifier_kind`` set.
        """
        coded: list[CodedNote] = []
        # a one-word name found in one note is a name in the workshop's other notes too
        known: frozenset[str] = frozenset().union(*(self.vocab.read(n.text).names for n in notes))
        for note, ctx in self.contexts(notes, workshop):
            reading = self.vocab.read(note.text)
            orgs = self.vocab.orgs_in_workshop(note.text, known) if known else reading.orgs
            if isinstance(ctx, _Heading):
                scope = f" (scopes the notes after it as {ctx.kind.value})" if ctx.kind else ""
                coded.append(
                    CodedNote(
                        note=note,
                        kind=NoteKind.HEADING,
                        orgs=orgs,
                        confidence=0.9 if ctx.kind else 0.6,
                        reasons=(ctx.reason + scope,),
                        classifier_kind=NoteKind.HEADING,
                    )
                )
                continue
            kind, conf, reasons, unsure = self.decide(ctx)
            themes = reading.themes
            if not themes and kind in _THEMED:
                themes = self._scope_themes(ctx)
            coded.append(
                CodedNote(
                    note=note,
                    kind=kind,
                    themes=_by_kind(themes, kind),
                    orgs=orgs,
                    confidence=round(conf, 3),
                    reasons=reasons,
                    classifier_kind=kind,
                    needs_review=unsure,
                )
            )
        return coded


@lru_cache(maxsize=64)
def _stems_of(texts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(stem(t.lower()) for text in texts for t, _, _ in tokens(text) if len(t) > 2)


#: Confidence that a note that only names people, a date or a link is context.
METADATA_CONFIDENCE = 0.9
_SAYS = (
    "form=deficit",
    "form=negation",
    "form=proposal",
    "form=imperative",
    "form=outcome",
    "form=question",
    "form=worry",
    "form=positive",
    "cue=",
    "theme=",
)


def _metadata_only(features: Mapping[str, float]) -> str:
    """Why a note is only metadata that slipped through (names, a date, a link), or ``""``.

    A note that names people and nothing else, or is a short date or link line
    with no claim of its own, is context whatever the heading above it asks for.
    """
    if any(name.startswith(_SAYS) for name in features):
        return ""
    short = "len=1" in features or "len=2-3" in features or "len=4-8" in features
    if "form=names" in features:
        return "names only people: metadata, context"
    if short and "form=date" in features:
        return "a date and little else: metadata, context"
    if short and "form=link" in features:
        return "a link and little else: context"
    return ""


def _by_kind(themes: Sequence[Theme], kind: NoteKind) -> tuple[Theme, ...]:
    """The themes a note speaks to, those of its own kind first, at most :data:`MAX_THEMES`."""
    first = [t for t in themes if t.kind.value == kind.value]
    rest = [t for t in themes if t.kind.value != kind.value]
    return tuple((first + rest)[:MAX_THEMES])


def _list_key(note: Note) -> tuple[object, ...]:
    """Notes with the same key are one list, which a sub-heading scopes."""
    scope = tuple(getattr(note, "scope", ()) or ())
    return (note.workshop, note.group, note.question, note.prompt, note.block, note.section, scope)


def _scope_texts(note: Note, workshop: Workshop | None = None) -> tuple[str, ...]:
    """The headings, prompts and questions above a note, outermost first.

    A question that the scope names only by its label ("Question Two") is read
    in full from the workshop's preamble, since its words say what the answers
    are; a bare prompt letter ("C)") is left out, as its topic is the note's
    prompt.
    """
    scope = getattr(note, "scope", None)
    if not scope:
        return tuple(t for t in (note.question_text, note.section) if t)
    full = note.question_text or (workshop.question_text(note.question) if workshop else None)
    out: list[str] = []
    for s in scope:
        try:
            text = s.text  # not getattr(s, "text", str(s)): that formats every entry
        except AttributeError:
            text = str(s)
        kind = getattr(s, "kind", "")
        if kind == "question" and full and len(full) > len(text):
            text = full
        elif kind == "prompt" and len(text) <= 3:
            continue
        out.append(text)
    return tuple(out)


def _prompt_text(note: Note, workshop: Workshop | None) -> str | None:
    """What the workshop's own prompt letter (or else question) asks this note."""
    if workshop is None:
        return None
    topic = workshop.prompt_topic(note.question, note.prompt)
    if topic:
        return topic
    return note.question_text or workshop.question_text(note.question)


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def classify_notes(
    notes: Sequence[Note],
    workshop: Workshop | None = None,
    *,
    taxonomy: Taxonomy | None = None,
    gazetteer: Gazetteer | None = None,
    model: KindModel | None = None,
) -> list[CodedNote]:
    """Code the notes of one workshop with the classifier alone (no reviews).

    Parameters
    ----------
    notes : sequence of Note
        In document order.
    workshop : Workshop, optional
        Gives what each question and prompt asks for.
    taxonomy, gazetteer, model : optional
        Default to the bundled data files.

    Returns
    -------
    list of CodedNote
    """
    clf = Classifier(
        taxonomy or load_taxonomy(), gazetteer or load_gazetteer(), model or load_model()
    )
    return clf.classify(notes, workshop)


def classify_results(
    results: Sequence[ParseResult],
    *,
    taxonomy: Taxonomy | None = None,
    gazetteer: Gazetteer | None = None,
    model: KindModel | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[CodedNote]:
    """Code every note of several parsed workshops with the classifier alone.

    Analyst reviews are a later stage (:func:`collab_graph.review.reviews.apply_reviews`).

    Parameters
    ----------
    results : sequence of ParseResult
        From :func:`collab_graph.ingest.load`.
    taxonomy, gazetteer, model : optional
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
    clf = Classifier(
        taxonomy or load_taxonomy(), gazetteer or load_gazetteer(), model or load_model()
    )
    coded: list[CodedNote] = []
    total = sum(len(r.notes) for r in results)
    with paused_gc():
        for result in results:
            coded.extend(clf.classify(result.notes, result.workshop))
            if progress is not None:
                progress(len(coded), total)
        # free the classifier's memories while the collector is off, so that it does
        # not scan them (hundreds of thousands of objects) when it is switched back on
        del clf
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
        workshop = Workshop("text", "text", "text", prompts=(Prompt(None, "A", topic),))
    return classify_notes(notes, workshop, taxonomy=taxonomy, gazetteer=gazetteer)[-1]


def kinds_of(coded: Iterable[CodedNote]) -> Mapping[str, NoteKind]:
    """Map note id to kind (handy in tests and notebooks)."""
    return {c.note.id: c.kind for c in coded}
