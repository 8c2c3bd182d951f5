"""The features of a note that the kind model weighs: its scope's intent, its form, its words.

:class:`NoteContext` is everything the classifier knows about one note: its
text, the headings, prompts and questions above it (outermost first), a
sub-heading bullet that scopes it, its parent bullet and what the workshop's
prompt asks. :func:`note_features` turns it into named features:

``intent=K`` / ``intent_outer=K``
    the kinds the innermost scope entry with an intent asks for, and those of
    entries further out (``data/intent.csv``), scaled to 0–1;
``prompt_intent=K``
    what the workshop's own question or prompt letter asks for;
``form=F``
    the sentence form (``data/lexicon.csv``: deficit, proposal, imperative,
    outcome, question_worried, names, date, link, …);
``cue=K``
    the kind cues of ``data/kind-cues.csv`` that remain (phrases found in
    several workshops' notes);
``theme=K``
    the note speaks to a theme of kind K;
``w=STEM``, ``b=STEM_STEM``, ``first=STEM``
    its words (Snowball stems), word pairs and first word;
``len=…``, ``orgs_only``, ``nested``, ``scope_question``, ``parent_form=F``
    its shape and place.

Feature names are plain strings, so the model file (JSON) can list them and
every reason the classifier gives names one.

Examples
--------
>>> ctx = NoteContext("Lack of buy-in from managers", scope=("Challenges",))
>>> feats = note_features(ctx, FeatureVocabulary.default())
>>> feats["intent=barrier"], feats["form=deficit"], "w=lack" in feats
(3.0, 1.0, True)
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from collab_graph.coding.form import FormLexicon, load_lexicon
from collab_graph.coding.gazetteer import Gazetteer, load_gazetteer
from collab_graph.coding.intent import IntentLexicon, load_intents
from collab_graph.coding.lexicon import normalise, stem, tokens
from collab_graph.coding.orgnames import (
    NameRules,
    detect_names,
    find_orgs,
    load_name_rules,
    read_orgs,
)
from collab_graph.coding.taxonomy import Taxonomy, load_taxonomy
from collab_graph.model import Organisation, Theme

__all__ = [
    "FeatureVocabulary",
    "NoteContext",
    "TextReading",
    "context_features",
    "note_features",
    "stem",
]

#: Scope entries further out than this are not read.
MAX_SCOPE = 4
#: The strongest intent feature's value. Larger than the 0/1 of a word, so the L2 penalty
#: shrinks its weight less: what the heading asks for should count for more than one word.
INTENT_SCALE = 3.0

_STOP = frozenset(
    "a an and are as at be by for from in into is it its of on or so than that the their them "
    "then there these they this those to was we were with our your you i he she his her".split()
)


@dataclass(frozen=True, slots=True)
class NoteContext:
    """What the classifier knows about one note besides the note itself.

    Attributes
    ----------
    text : str
        The note's text.
    scope : tuple of str
        Headings, prompts and questions above it, outermost first.
    heading : str, optional
        A sub-heading bullet ("Challenges") that scopes this note as a sibling.
    parent : str, optional
        The text of the bullet it is nested under.
    prompt : str, optional
        What the workshop's question or prompt letter asks (from its preamble).
    list_forms : tuple of (str, float)
        How the other notes of its list (same scope and parent) are written: the
        share of them in each form of :data:`LIST_FORMS`.
    """

    text: str
    scope: tuple[str, ...] = ()
    heading: str | None = None
    parent: str | None = None
    prompt: str | None = None
    list_forms: tuple[tuple[str, float], ...] = ()

    def to_json(self) -> str:
        """The context as compact JSON (stored with a review, so the review can teach).

        Examples
        --------
        >>> ctx = NoteContext("Funding", scope=("Challenges",), list_forms=(("deficit", 0.5),))
        >>> NoteContext.from_json(ctx.to_json()) == ctx
        True
        """
        data = {
            "text": self.text,
            "scope": list(self.scope),
            "heading": self.heading,
            "parent": self.parent,
            "prompt": self.prompt,
            "list_forms": [[f, s] for f, s in self.list_forms],
        }
        return json.dumps({k: v for k, v in data.items() if v}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> NoteContext:
        """The context written by :meth:`to_json` (``ValueError`` if it is not one)."""
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise ValueError("not a note context")
        return cls(
            text=data["text"],
            scope=tuple(str(s) for s in data.get("scope", [])),
            heading=data.get("heading"),
            parent=data.get("parent"),
            prompt=data.get("prompt"),
            list_forms=tuple((str(f), float(s)) for f, s in data.get("list_forms", [])),
        )

    def scope_entries(self) -> list[str]:
        """Scope texts from the innermost out: the scoping sub-heading, what the workshop's
        prompt asks, then the headings, prompts and questions above the note."""
        inner = [t for t in (self.heading, self.prompt) if t]
        return [*inner, *reversed(self.scope)][:MAX_SCOPE]


@dataclass(frozen=True, slots=True)
class TextReading:
    """What a note's own words give: features, matched themes (strongest first), organisations.

    ``orgs`` holds gazetteer entries and detected names (``resolved=False``);
    the ``has_org``/``orgs_only`` features read the gazetteer's mentions only,
    so the kind model means what it was trained to mean. ``names`` are the
    one-word names detected in the text, lower-cased (see
    :func:`~collab_graph.coding.orgnames.one_word_names`).
    """

    features: dict[str, float]
    themes: tuple[Theme, ...]
    orgs: tuple[Organisation, ...]
    names: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FeatureVocabulary:
    """What the features read: intents, the form lexicon, kind cues, themes, organisations
    (the gazetteer, and the word lists that find names it does not hold)."""

    intents: IntentLexicon
    forms: FormLexicon
    taxonomy: Taxonomy
    gazetteer: Gazetteer
    names: NameRules = field(default_factory=load_name_rules)
    _memo: dict[str, TextReading] = field(default_factory=dict, repr=False, compare=False)
    _workshop_memo: dict[tuple[str, frozenset[str]], tuple[Organisation, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _scopes: dict[tuple[object, ...], dict[str, float]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def default(cls) -> FeatureVocabulary:
        """The bundled data files."""
        return cls(load_intents(), load_lexicon(), load_taxonomy(), load_gazetteer())

    def read(self, text: str) -> TextReading:
        """A note's own text read once: its features, themes and organisations (memoised)."""
        hit = self._memo.get(text)
        if hit is not None:
            return hit
        out = _read(self, text)
        if len(self._memo) > 200_000:
            self._memo.clear()
        self._memo[text] = out
        return out

    def orgs_in_workshop(self, text: str, known: frozenset[str]) -> tuple[Organisation, ...]:
        """A note's organisations when its workshop names ``known`` one-word names elsewhere.

        Memoised by the text and the known names it holds. Cheap when it holds none.
        """
        reading = self.read(text)
        if not known:
            return reading.orgs
        folded = text.lower()
        for k in known:
            if k in folded:
                break
        else:
            return reading.orgs
        present = frozenset(k for k in known if k in folded)
        hit = self._workshop_memo.get((text, present))
        if hit is None:
            names = detect_names(text, self.names, present)
            hit = find_orgs(text, self.gazetteer.mentions(text), self.names, names)
            if len(self._workshop_memo) > 50_000:
                self._workshop_memo.clear()
            self._workshop_memo[text, present] = hit
        return hit

    def text_features(self, text: str) -> dict[str, float]:
        """Features of a note's own text (see :meth:`read`)."""
        return self.read(text).features


def _length(n: int) -> str:
    if n <= 1:
        return "len=1"
    if n <= 3:
        return "len=2-3"
    if n <= 8:
        return "len=4-8"
    if n <= 20:
        return "len=9-20"
    return "len=21+"


def _read(vocab: FeatureVocabulary, text: str) -> TextReading:
    out: dict[str, float] = {}
    norm = normalise(text)
    words = [t.lower() for t, _, _ in tokens(norm) if t[0].isalnum()]
    stems = [stem(w) for w in words]
    content = [s for w, s in zip(words, stems, strict=True) if w not in _STOP]
    for s in content:
        out[f"w={s}"] = 1.0
    for a, b in itertools.pairwise(content):
        out[f"b={a}_{b}"] = 1.0
    if stems:
        out[f"first={stems[0]}"] = 1.0
    out[_length(len(words))] = 1.0
    for form, count in vocab.forms.forms(text).items():
        out[f"form={form}"] = min(count, 2.0)
    for cue, _, _ in vocab.taxonomy.match_cues(norm, "anywhere"):
        key = f"cue={cue.kind}"
        out[key] = min(out.get(key, 0.0) + cue.weight / 2, 2.0)
    for cue, _, _ in vocab.taxonomy.match_cues(norm, "start"):
        key = f"cue={cue.kind}"
        out[key] = min(out.get(key, 0.0) + cue.weight / 2, 2.0)
    matched = vocab.taxonomy.match_themes(norm)
    themes = tuple(theme for theme, _ in matched)
    for theme, cues in matched[:3]:
        # only a cue of one kind of theme says what kind of note this is
        if any(len(vocab.taxonomy.cue_kinds(cue)) == 1 for cue in cues):
            out[f"theme={theme.kind}"] = 1.0
    mentions = vocab.gazetteer.mentions(text)
    if mentions:
        rest = norm
        for m in reversed(mentions):
            rest = rest[: m.start] + " " + rest[m.end :]
        left = [t for t, _, _ in tokens(rest) if t[0].isalnum() and t.lower() not in _STOP]
        out["orgs_only" if not left else "has_org"] = 1.0
    orgs, names = read_orgs(text, mentions, vocab.names)
    return TextReading(out, themes, orgs, names)


def _headingness(entry: str, whole: bool) -> float:
    """How much a scope entry's words say about the notes under it (1 for a short label).

    "Challenges" or "What went well?" label what follows; a long sentence that
    merely contains "suggestions" ("There are an additional twenty suggestions,
    which ...") says much less.

    Examples
    --------
    >>> _headingness("Challenges", True), _headingness("Barriers to open science", False)
    (1.0, 1.0)
    >>> round(_headingness("There are an additional twenty-three suggestions we list", False), 2)
    0.62
    """
    if whole:
        return 1.0
    words = len(entry.split())
    return max(0.25, min(1.0, 5.0 / words))


def _intent_features(vocab: FeatureVocabulary, ctx: NoteContext) -> dict[str, float]:
    out: dict[str, float] = {}
    inner_found = False
    for i, entry in enumerate(ctx.scope_entries()):
        intent = vocab.intents.intent_of(entry)
        if intent is None:
            if i == 0 and entry.rstrip(" *_:").endswith("?"):
                out["scope_question"] = 1.0
            continue
        prefix = "intent" if not inner_found else "intent_outer"
        strength = INTENT_SCALE * _headingness(entry, intent.whole) / 3.0
        for kind, weight in intent.weights().items():
            key = f"{prefix}={kind.value}"
            out[key] = max(out.get(key, 0.0), strength * weight)
        inner_found = inner_found or strength >= INTENT_SCALE / 3.0 * 0.5
    if ctx.parent:
        out["nested"] = 1.0
        for form in vocab.forms.forms(ctx.parent):
            if form in ("question", "imperative", "deficit", "outcome", "label"):
                out[f"parent_form={form}"] = 1.0
    return out


#: The forms whose share among a note's siblings is a feature (``list=F``).
LIST_FORMS = ("deficit", "negation", "proposal", "imperative", "outcome", "question", "positive")


def _list_features(ctx: NoteContext) -> dict[str, float]:
    """How the rest of the note's list is written (``list=F``: the share of siblings in form F).

    Notes in one list tend to be of one kind (a list of obstacles, of ideas), so
    a bare "Funding" among "Lack of time" and "No budget" reads as a barrier.
    """
    return {f"list={form}": share for form, share in ctx.list_forms}


def note_features(ctx: NoteContext, vocab: FeatureVocabulary) -> dict[str, float]:
    """All features of one note in its context (see the module docstring for the names)."""
    out = dict(vocab.text_features(ctx.text))
    out.update(context_features(ctx, vocab))
    return out


def context_features(ctx: NoteContext, vocab: FeatureVocabulary) -> dict[str, float]:
    """The features of where a note stands (its scope's intent, parent and list), not of
    its words; their names never clash with those of :meth:`FeatureVocabulary.read`."""
    key = (ctx.heading, ctx.prompt, ctx.scope, ctx.parent)
    intents = vocab._scopes.get(key)
    if intents is None:
        intents = _intent_features(vocab, ctx)
        if len(vocab._scopes) > 50_000:
            vocab._scopes.clear()
        vocab._scopes[key] = intents
    if not ctx.list_forms:
        return intents
    out = dict(intents)
    out.update(_list_features(ctx))
    return out


def feature_reason(name: str, ctx: NoteContext, vocab: FeatureVocabulary) -> str:
    """A short, human reason for one feature of a note.

    Examples
    --------
    >>> ctx = NoteContext("Lack of time", scope=("## Deltas",))
    >>> feature_reason("intent=barrier", ctx, FeatureVocabulary.default())
    'under "## Deltas" (barrier)'
    >>> feature_reason("w=lack", ctx, FeatureVocabulary.default())
    'word "lack"'
    """
    kind, _, value = name.partition("=")
    if kind in ("intent", "intent_outer"):
        for entry in ctx.scope_entries():
            intent = vocab.intents.intent_of(entry)
            if intent is not None and value in {k.value for k in intent.weights()}:
                return f'under "{_short(entry)}" ({value})'
        return f"under a {value} heading"
    if kind == "prompt_intent":
        return f'prompt asks "{_short(ctx.prompt or "")}" ({value})'
    if kind == "form":
        return f"{value.replace('_', ' ')} form"
    if kind in ("w", "first"):
        for word in (t for t, _, _ in tokens(normalise(ctx.text))):
            if stem(word.lower()) == value:
                return f'word "{word.lower()}"' if kind == "w" else f'starts "{word}"'
        return f'word "{value}"'
    if kind == "b":
        return f'words "{value.replace("_", " ")}"'
    if kind == "cue":
        return f"{value} cue phrase"
    if kind == "theme":
        return f"speaks to a {value} theme"
    if kind == "len":
        return "1 word" if value == "1" else f"{value} words"
    if kind == "parent_form":
        return f"nested under a {value} line"
    if kind == "list":
        return f"in a list of {value.replace('_', ' ')} notes"
    names = {
        "orgs_only": "names only organisations",
        "has_org": "names an organisation",
        "nested": "nested under another note",
        "scope_question": "answers a question",
        "prompt_question": "answers the workshop's question",
    }
    return names.get(name, name)


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def merge(features: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Several feature dicts as one (later values win)."""
    out: dict[str, float] = {}
    for f in features:
        out.update(f)
    return out
