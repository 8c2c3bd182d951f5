"""Theme discovery: candidate themes for the practice, barrier and benefit notes no theme covers.

A taxonomy never foresees everything a new team writes about. This module
groups the notes of a theme kind that carry no theme, and suggests for each
group a candidate theme the analyst can accept, merge into an existing theme
or reject (:mod:`collab_graph.review.curation`).

How, in three steps, for each kind on its own:

1. **Terms.** Each note becomes a bag of word stems (Snowball, as the kind
   model's features) and of pairs of adjacent content words, after links,
   URLs, emoji short codes and markdown are taken out and stop words dropped.
   A term that only one note of the kind uses cannot group anything and is
   left out; a note left with no term is a *one-off* and stays ``uncovered``.
2. **Groups.** scikit-learn's ``TfidfVectorizer`` weighs the terms and
   ``AgglomerativeClustering`` (average linkage on cosine distance, cut at
   :data:`DISTANCE` instead of a fixed number of groups) groups the notes.
   Notes left in groups smaller than ``min_notes`` are then gathered by the
   term most of them share, and a note that still has no group joins the group
   it is most similar to when it shares a term with that group ("use", "help",
   "work" and "time" alone are too little for either). Large sets
   (more than :data:`DENSE_LIMIT` notes of one kind) are first split by
   ``MiniBatchKMeans`` in a reduced space (``TruncatedSVD``, :data:`SVD_COMPONENTS`
   dimensions) into parts that are clustered so, which bounds the memory.
3. **Candidates.** A group's label is made from its key phrases (the terms
   most of its notes share, as the notes spell them); its keywords are those
   phrases plus, for each note none of them matches, the note's own best term,
   each checked with the taxonomy's own matcher, so that accepting the
   suggestion as it stands covers every member note (a note no cue can match
   is left out, and a group left with fewer than ``min_notes`` is dropped).
   The closest existing theme of the same kind is the one whose label,
   definition and cues are most similar (TF-IDF cosine) to the group's notes.

Everything is deterministic: notes are taken in a fixed order, and ties are
broken by the terms' spelling.

A suggestion's :attr:`Suggestion.key` is a hash of its member notes, so a
decision about it (:func:`collab_graph.review.curation.reject_suggestion`) can
be remembered and passed back as ``decided``.

Examples
--------
>>> from collab_graph.coding.taxonomy import load_taxonomy
>>> from collab_graph.model import CodedNote, Note, NoteKind
>>> texts = ["Public trust in data sharing", "Building public trust takes years",
...          "Loss of public trust after breaches", "Parking at the venue"]
>>> coded = [CodedNote(Note(f"N-{i}", "demo", None, None, None, i, t), NoteKind.BARRIER)
...          for i, t in enumerate(texts, 1)]
>>> found = suggest_themes(coded, load_taxonomy())
>>> [(s.label, s.kind.value, s.notes) for s in found.suggestions]
[('Public trust', 'barrier', ('N-1', 'N-2', 'N-3'))]
>>> found.suggestions[0].keywords
('public trust',)
>>> found.uncovered
('N-4',)
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from collab_graph.coding.features import stem
from collab_graph.coding.lexicon import tokens
from collab_graph.coding.taxonomy import Taxonomy
from collab_graph.model import CodedNote, Theme, ThemeKind, theme_kind

__all__ = [
    "DENSE_LIMIT",
    "DISTANCE",
    "ClosestTheme",
    "NoteRef",
    "Suggestion",
    "Suggestions",
    "note_terms",
    "suggest_themes",
]

#: A note across workshops: ``(workshop slug, note id)``.
NoteRef = tuple[str, str]

#: Where the cluster tree is cut: average cosine distance between two groups' notes.
DISTANCE = 0.8
#: Above this many notes of one kind, cluster a reduced space along a neighbour graph.
DENSE_LIMIT = 2000
#: Dimensions of the reduced space for large sets.
SVD_COMPONENTS = 100
#: At most this many keywords describe a group before the ones added to cover its notes.
TOP_KEYWORDS = 4

# Words that say nothing about what a note is about (on top of scikit-learn's English list).
_GENERIC = frozenset(
    """
    able across actual actually also always amazing any anyone anything around awesome back bit can
    cannot could current currently did different does doing done don especially etc even ever
    every fine get gets getting give given go going good got great happen happens having just
    keep know large less let like likely lot lots lovely make makes making many may maybe
    might more most much must need needed needs nice now often one ones particular perhaps
    possible quite really right same say see seem seems should simply so some something super
    sometimes specific still sure take thing things think try trying two very want way ways
    well will within without would yes yet
    """.split()
)
# Words that may group notes but make a poor label: a key phrase without them comes first.
_WEAK = frozenset(stem(w) for w in "use help work time".split())
_URL = re.compile(r"https?://\S+|www\.\S+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SHORTCODE = re.compile(r":[a-z0-9_+\-]+:")
# Who said it ("Luke: ...", "Sarah - ..."): a speaker's name is not what a note is about.
_SPEAKER = re.compile(r"^\W*[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,2}\s*(?::|\s[-–—]\s)")


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | _GENERIC


_STOP: frozenset[str] = frozenset()


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[tuple[str, str] | None, ...]:
    """(stem, lower-case word) for each word of ``text``; None where a stop word or
    punctuation breaks the run of content words (so pairs never span one)."""
    global _STOP
    if not _STOP:
        _STOP = _stop_words()
    clean = _SHORTCODE.sub(" ", _URL.sub(" ", _LINK.sub(r"\1", text)))
    clean = _SPEAKER.sub(lambda m: " " * len(m.group()), clean, count=1)
    out: list[tuple[str, str] | None] = []
    last_end = -1
    for tok, start, end in tokens(clean):
        if last_end >= 0 and re.search(r"[.,;:!?()\[\]\"]", clean[last_end:start]):
            out.append(None)
        last_end = end
        word = tok.lower().replace("'", "")
        if len(word) < 2 or not word.isalpha() or word in _STOP:
            out.append(None)
            continue
        out.append((stem(word), word))
    return tuple(out)


def note_terms(text: str) -> list[str]:
    """The terms a note is grouped by: word stems and pairs of adjacent content words.

    Parameters
    ----------
    text : str
        A note's text.

    Returns
    -------
    list of str
        Stems, then ``"stem stem"`` pairs, in reading order (with repeats).

    Examples
    --------
    >>> note_terms("**Sharing data** across [NHS trusts](https://example.org)")
    ['share', 'data', 'nhs', 'trust', 'share data', 'nhs trust']
    >>> note_terms("Luke: people listening")
    ['peopl', 'listen', 'peopl listen']
    """
    words = _words(text)
    stems = [w[0] for w in words if w is not None]
    pairs = [
        f"{a[0]} {b[0]}"
        for a, b in itertools.pairwise(words)
        if a is not None and b is not None and a[0] != b[0]
    ]
    return stems + pairs


def _surfaces(text: str) -> dict[str, list[str]]:
    """Each term of ``text`` with the spellings it has there (lower case)."""
    words = _words(text)
    out: dict[str, list[str]] = defaultdict(list)
    for w in words:
        if w is not None:
            out[w[0]].append(w[1])
    for a, b in itertools.pairwise(words):
        if a is not None and b is not None and a[0] != b[0]:
            out[f"{a[0]} {b[0]}"].append(f"{a[1]} {b[1]}")
    return out


@dataclass(frozen=True)
class ClosestTheme:
    """The existing theme a suggestion is most like.

    Attributes
    ----------
    id, label : str
        The theme's.
    similarity : float
        TF-IDF cosine similarity in [0, 1] between the theme's label,
        definition and cues and the suggestion's notes (3 decimals).
    """

    id: str
    label: str
    similarity: float

    def record(self) -> dict[str, Any]:
        """The JSON form, ``{"id", "label", "similarity"}``."""
        return {"id": self.id, "label": self.label, "similarity": self.similarity}


@dataclass(frozen=True)
class Suggestion:
    """A candidate theme: a group of uncovered notes of one kind, with a label and keywords.

    Attributes
    ----------
    key : str
        A stable id made from the member notes (``s-`` and 12 hex digits), so a
        decision about the suggestion can be remembered.
    label : str
        Made from the group's key phrases, as the notes spell them.
    kind : ThemeKind
        The kind of every member note.
    keywords : tuple of str
        Cue phrases: the key phrases first, then what covers the other notes.
        Each member note contains at least one of them as whole words.
    notes : tuple of str
        Member note ids (as in the contract), in corpus order.
    closest : ClosestTheme or None
        The most similar existing theme of the same kind, None when no theme
        of that kind shares a term with the group.
    refs : tuple of (str, str)
        ``(workshop, note id)`` of each member, parallel to ``notes``.
    texts : tuple of str
        Each member's text, parallel to ``notes``.
    """

    key: str
    label: str
    kind: ThemeKind
    keywords: tuple[str, ...]
    notes: tuple[str, ...]
    closest: ClosestTheme | None
    refs: tuple[NoteRef, ...] = field(default=(), compare=False)
    texts: tuple[str, ...] = field(default=(), compare=False)

    def record(self) -> dict[str, Any]:
        """The contract's JSON form: ``{"label", "kind", "keywords", "notes", "closest"}``
        (plus ``key``)."""
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind.value,
            "keywords": list(self.keywords),
            "notes": list(self.notes),
            "closest": self.closest.record() if self.closest else None,
        }


@dataclass(frozen=True)
class Suggestions:
    """What :func:`suggest_themes` found.

    Attributes
    ----------
    suggestions : tuple of Suggestion
        Largest group first (then by kind and label).
    uncovered : tuple of str
        Ids of the practice, barrier and benefit notes that no theme covers and
        no suggestion holds (one-offs, and the notes of decided suggestions), in
        corpus order.
    uncovered_refs : tuple of (str, str)
        ``(workshop, note id)`` of each, parallel to ``uncovered``.
    candidates : int
        How many notes had no theme (the notes grouped or left uncovered).
    """

    suggestions: tuple[Suggestion, ...]
    uncovered: tuple[str, ...]
    uncovered_refs: tuple[NoteRef, ...] = field(default=(), compare=False)
    candidates: int = 0

    def record(self) -> dict[str, Any]:
        """The contract's JSON form, ``{"suggestions": [...], "uncovered": [...]}``."""
        return {
            "suggestions": [s.record() for s in self.suggestions],
            "uncovered": list(self.uncovered),
        }


def suggestion_key(refs: Iterable[NoteRef]) -> str:
    """The stable key of a group of notes (independent of their order).

    Examples
    --------
    >>> suggestion_key([("w", "N-2"), ("w", "N-1")]) == suggestion_key([("w", "N-1"), ("w", "N-2")])
    True
    """
    text = "\n".join(sorted(f"{w}\t{n}" for w, n in refs))
    return "s-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _ref(cn: CodedNote) -> NoteRef:
    return (cn.note.workshop, cn.note.id)


def suggest_themes(
    coded: Sequence[CodedNote],
    taxonomy: Taxonomy,
    *,
    min_notes: int = 3,
    decided: Mapping[str, Collection[NoteRef]] | Collection[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Suggestions:
    """Group the practice, barrier and benefit notes that no theme covers into candidate themes.

    Parameters
    ----------
    coded : sequence of CodedNote
        Coded notes, after reviews. Only notes of a theme kind with no theme
        are grouped.
    taxonomy : Taxonomy
        The themes in force (bundled plus the analyst's); the closest theme of
        each suggestion is one of them.
    min_notes : int
        The smallest group suggested (at least 2).
    decided : mapping or collection, optional
        Suggestions already decided (see
        :func:`collab_graph.review.curation.decided_suggestions`): a mapping
        from a suggestion key to its member notes leaves those notes out of
        every group, so a rejected group is never suggested again in another
        shape; a plain collection of keys only drops suggestions with those keys.
    progress : callable, optional
        Called with a short message before each kind is grouped.

    Returns
    -------
    Suggestions

    Raises
    ------
    ValueError
        When ``min_notes`` is below 2.

    Examples
    --------
    >>> from collab_graph.coding.taxonomy import load_taxonomy
    >>> suggest_themes([], load_taxonomy())
    Suggestions(suggestions=(), uncovered=(), uncovered_refs=(), candidates=0)
    """
    if min_notes < 2:
        raise ValueError(f"min_notes must be at least 2, not {min_notes}")
    left_out: set[NoteRef] = set()
    dropped_keys: set[str] = set()
    if isinstance(decided, Mapping):
        dropped_keys = set(decided)
        for refs in decided.values():
            left_out.update((str(w), str(n)) for w, n in refs)
    elif decided is not None:
        dropped_keys = set(decided)
    order = {_ref(cn): i for i, cn in enumerate(coded)}
    by_ref = {_ref(cn): cn for cn in coded}
    candidates = [
        cn for cn in coded if not cn.themes and theme_kind(cn.kind) is not None and cn.note.text
    ]
    by_kind: dict[ThemeKind, list[CodedNote]] = defaultdict(list)
    uncovered: list[CodedNote] = []
    for cn in candidates:
        kind = theme_kind(cn.kind)
        assert kind is not None
        (uncovered if _ref(cn) in left_out else by_kind[kind]).append(cn)
    found: list[Suggestion] = []
    for kind in ThemeKind:
        notes = by_kind.get(kind, [])
        if not notes:
            continue
        if progress is not None:
            progress(f"grouping {len(notes)} {kind.value} notes")
        groups, rest = _group(notes, min_notes)
        uncovered.extend(rest)
        made: list[Suggestion] = []
        for members in groups:
            suggestion, left = _suggest(members, kind, min_notes, taxonomy.exclusions)
            uncovered.extend(left)
            if suggestion is None:
                continue
            if suggestion.key in dropped_keys:
                uncovered.extend(by_ref[r] for r in suggestion.refs)
            else:
                made.append(suggestion)
        near = _closest([[by_ref[r] for r in s.refs] for s in made], taxonomy.by_kind(kind))
        found.extend(replace(s, closest=c) for s, c in zip(made, near, strict=True))
    found.sort(key=lambda s: (-len(s.notes), list(ThemeKind).index(s.kind), s.label, s.key))
    uncovered.sort(key=lambda cn: order[_ref(cn)])
    return Suggestions(
        tuple(found),
        tuple(cn.note.id for cn in uncovered),
        tuple(_ref(cn) for cn in uncovered),
        len(candidates),
    )


def _group(notes: list[CodedNote], min_notes: int) -> tuple[list[list[CodedNote]], list[CodedNote]]:
    """Groups of at least ``min_notes`` notes, and the notes left out."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [note_terms(cn.note.text) for cn in notes]
    df = Counter(t for d in docs for t in set(d))
    docs = [[t for t in d if df[t] > 1] for d in docs]
    live = [i for i, d in enumerate(docs) if d]
    if len(live) < min_notes:
        return [], list(notes)
    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
    X = vec.fit_transform([docs[i] for i in live])
    vocab = np.array(vec.get_feature_names_out())
    labels = _cluster(X)
    clusters: dict[int, list[int]] = defaultdict(list)
    for row, label in enumerate(labels):
        clusters[int(label)].append(row)
    groups = [rows for rows in clusters.values() if len(rows) >= min_notes]
    leftover = sorted(r for rows in clusters.values() if len(rows) < min_notes for r in rows)
    # a weak word ("use", "help") alone is too little to put a note in a group
    strong = np.flatnonzero([not set(str(t).split()) <= _WEAK for t in vocab])
    Xs = X[:, strong]
    groups += _gather_by_term(Xs, vocab[strong], leftover, min_notes)
    grouped = {r for rows in groups for r in rows}
    leftover = [r for r in leftover if r not in grouped]
    _attach(Xs, groups, leftover)
    out = [sorted(live[r] for r in rows) for rows in groups]
    rest = sorted(set(range(len(notes))) - {i for g in out for i in g})
    return [[notes[i] for i in g] for g in sorted(out)], [notes[i] for i in rest]


def _identity(doc: list[str]) -> list[str]:
    return doc


def _cluster(X: Any) -> Any:
    """Cluster labels of the rows of a TF-IDF matrix (rows L2-normalised).

    Up to :data:`DENSE_LIMIT` rows: average-linkage agglomerative clustering on cosine
    distance, cut at :data:`DISTANCE`. More rows would need a quadratic distance matrix, so
    they are first split into parts of at most :data:`DENSE_LIMIT` rows by k-means in a
    reduced space (:data:`SVD_COMPONENTS` dimensions), and each part is clustered so.
    """
    from sklearn.cluster import AgglomerativeClustering

    n = X.shape[0]
    if n < 2:
        return np.zeros(n, dtype=int)
    if n <= DENSE_LIMIT:
        # cosine distances from one sparse product (rows are unit length): far quicker than
        # letting scipy compute them over the dense matrix of every term
        dist = 1.0 - (X @ X.T).toarray()
        np.clip(dist, 0.0, 2.0, out=dist)
        np.fill_diagonal(dist, 0.0)
        model = AgglomerativeClustering(
            n_clusters=None, distance_threshold=DISTANCE, metric="precomputed", linkage="average"
        )
        return model.fit_predict(dist)
    labels = np.zeros(n, dtype=int)
    offset = 0
    for rows in _parts(X):
        sub = _cluster(X[rows])
        labels[rows] = sub + offset
        offset += int(sub.max()) + 1
    return labels


def _parts(X: Any) -> list[Any]:
    """Row indices of ``X`` split into parts of at most :data:`DENSE_LIMIT` similar rows."""
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    n = X.shape[0]
    k = max(2, min(SVD_COMPONENTS, X.shape[1] - 1))
    reduced = normalize(TruncatedSVD(n_components=k, random_state=0).fit_transform(X))
    n_parts = -(-2 * n // DENSE_LIMIT)  # parts of half the limit on average
    km = MiniBatchKMeans(n_clusters=n_parts, random_state=0, n_init=3, batch_size=4096)
    assign = km.fit_predict(reduced)
    out: list[Any] = []
    for part in range(n_parts):
        rows = np.flatnonzero(assign == part)
        # a part k-means made too large is cut in order: it stays within the memory bound
        out.extend(rows[i : i + DENSE_LIMIT] for i in range(0, len(rows), DENSE_LIMIT))
    return [rows for rows in out if len(rows)]


def _gather_by_term(X: Any, vocab: Any, rows: list[int], min_notes: int) -> list[list[int]]:
    """Groups of the left-over rows that share a term: the term most of them share first."""
    groups: list[list[int]] = []
    free = list(rows)
    while len(free) >= min_notes:
        sub = X[free]
        counts = np.asarray((sub > 0).sum(axis=0)).ravel()
        best = counts.max() if counts.size else 0
        if best < min_notes:
            break
        # the most shared term; ties: the one weighing most, then by spelling
        weight = np.asarray(sub.sum(axis=0)).ravel()
        tied = list(np.flatnonzero(counts == best))
        j = min(tied, key=lambda c: (-round(float(weight[c]), 9), str(vocab[c])))
        members = [free[i] for i in np.flatnonzero(np.asarray(sub[:, j].todense()).ravel() > 0)]
        groups.append(members)
        taken = set(members)
        free = [r for r in free if r not in taken]
    return groups


def _attach(X: Any, groups: list[list[int]], rows: list[int]) -> list[int]:
    """Add each left-over row to the group it is most similar to, when it shares a term
    with it; returns the rows no group took."""
    if not groups or not rows:
        return rows
    centroids = np.vstack([np.asarray(X[g].mean(axis=0)).ravel() for g in groups])
    sims = X[rows] @ centroids.T
    sims = np.asarray(sims)
    still = []
    for i, r in enumerate(rows):
        j = int(np.argmax(sims[i]))
        if sims[i, j] > 0:
            groups[j].append(r)
        else:
            still.append(r)
    return still


def _suggest(
    members: list[CodedNote], kind: ThemeKind, min_notes: int, exclusions: tuple[str, ...]
) -> tuple[Suggestion | None, list[CodedNote]]:
    """The candidate theme of one group (without its closest theme), and the members left out
    because no keyword can cover them; the suggestion is None when fewer than ``min_notes``
    notes are left (then every member is left out)."""
    surfaces = [_surfaces(cn.note.text) for cn in members]
    cover: Counter[str] = Counter(t for s in surfaces for t in s)
    spelled: dict[str, Counter[str]] = defaultdict(Counter)
    for s in surfaces:
        for t, forms in s.items():
            spelled[t].update(forms)

    def spelling(term: str) -> str:
        forms = spelled[term]
        return min(forms, key=lambda f: (-forms[f], f))

    def rank(term: str) -> tuple[bool, int, int, str]:
        # shared by more notes first (a weak word last); a pair before its words; then spelling
        return (set(term.split()) <= _WEAK, -cover[term], -len(term.split()), term)

    # key phrases: shared by two notes or more, never a weak word alone (a poor cue)
    shared = sorted((t for t in cover if cover[t] > 1 and not set(t.split()) <= _WEAK), key=rank)
    key_terms: list[str] = []
    for term in shared:
        words = set(term.split())
        if any(words <= set(k.split()) for k in key_terms):
            continue  # a word of a pair already chosen
        key_terms = [k for k in key_terms if not set(k.split()) < words or cover[k] > cover[term]]
        key_terms.append(term)
        if len(key_terms) >= TOP_KEYWORDS:
            break
    keywords = [spelling(t) for t in key_terms]
    # checked with the taxonomy's own matcher (an exclusion phrase such as "development of
    # new" hides a word; a longer cue takes the words it spans), so accepting covers the notes
    key_words = {w for t in key_terms for w in t.split()}
    kept: list[CodedNote] = []
    dropped: list[CodedNote] = []
    for s, cn in zip(surfaces, members, strict=True):
        text = cn.note.text
        if _covers(tuple(keywords), text, exclusions):
            kept.append(cn)
            continue
        # a pair with a key word says more than a shared word alone ("retaining people")
        pairs = sorted((t for t in s if " " in t and key_words & set(t.split())), key=rank)
        options = pairs + sorted((t for t in s if t not in pairs), key=rank)
        forms = [f for t in options for f in _by_use(s[t], spelled[t])]
        form = next((f for f in forms if _covers((*keywords, f), text, exclusions)), None)
        if form is None:
            dropped.append(cn)  # nothing in it a cue can match: it stays uncovered
            continue
        keywords.append(form)
        kept.append(cn)
    if len(kept) < min_notes:
        return None, members
    if dropped:  # the others again, so the label and key phrases are theirs
        again, more = _suggest(kept, kind, min_notes, exclusions)
        return again, dropped + more
    # no key phrase (the notes share only a weak word): the label is that word, else the
    # first keyword
    named = key_terms or sorted((t for t in cover if cover[t] > 1), key=rank)[:1]
    label = _as_written(_label(named, cover, len(members), spelling), members)
    if not named:
        label = _as_written(keywords[0], members)
    refs = tuple(_ref(cn) for cn in members)
    suggestion = Suggestion(
        key=suggestion_key(refs),
        label=label,
        kind=kind,
        keywords=tuple(dict.fromkeys(keywords)),
        notes=tuple(cn.note.id for cn in members),
        closest=None,
        refs=refs,
        texts=tuple(cn.note.text for cn in members),
    )
    return suggestion, []


def _by_use(forms: Sequence[str], counts: Counter[str]) -> list[str]:
    """Spellings, the most used in the group first (then alphabetically)."""
    return sorted(set(forms), key=lambda f: (-counts[f], f))


@lru_cache(maxsize=4096)
def _covers(keywords: tuple[str, ...], text: str, exclusions: tuple[str, ...]) -> bool:
    """True when a theme with these keywords as cues matches ``text`` (as accepted)."""
    theme = Theme("candidate", ThemeKind.PRACTICE, "", cues=keywords)
    return bool(Taxonomy({"candidate": theme}, exclusions=exclusions).match_themes(text))


def _label(
    key_terms: Sequence[str], cover: Counter[str], size: int, spelling: Callable[[str], str]
) -> str:
    """A label from the key phrases: the top one, and a second when half the notes share it."""
    if not key_terms:
        return ""
    parts = [spelling(key_terms[0])]
    first = set(key_terms[0].split())
    for term in key_terms[1:2]:
        words = set(term.split())
        if cover[term] * 2 >= size and not words & first and not words <= _WEAK:
            parts.append(spelling(term))
    text = " and ".join(parts)
    return text[:1].upper() + text[1:]


def _as_written(label: str, members: Sequence[CodedNote]) -> str:
    """The label with each word as the notes mostly write it when that has capitals inside
    (``RSE``, ``GitHub``), else in lower case; the first letter in capitals.

    Examples
    --------
    >>> from collab_graph.model import Note, NoteKind
    >>> notes = [CodedNote(Note("N", "w", None, None, None, 1, t), NoteKind.BARRIER)
    ...          for t in ("RSE on GitHub", "an RSE", "Github again", "GitHub")]
    >>> _as_written("rse and github", notes)
    'RSE and GitHub'
    """
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for cn in members:
        for tok, _, _ in tokens(cn.note.text):
            if len(tok) > 1 and tok.isalpha():
                forms[tok.lower()][tok] += 1
    out = []
    for i, word in enumerate(label.split(" ")):
        seen = forms.get(word.lower())
        best = min(seen, key=lambda f: (-seen[f], f)) if seen else word
        if any(c.isupper() for c in best[1:]):
            out.append(best)
        else:
            out.append(word[:1].upper() + word[1:].lower() if i == 0 else word.lower())
    return " ".join(out)


def _closest(
    groups: Sequence[Sequence[CodedNote]], themes: Sequence[Theme]
) -> list[ClosestTheme | None]:
    """For each group, the theme whose label, definition and cues are most like its notes
    (None when no theme shares a term with them)."""
    if not themes or not groups:
        return [None] * len(groups)
    from sklearn.feature_extraction.text import TfidfVectorizer

    theme_docs = [
        note_terms(
            " . ".join((t.label, t.definition, *t.alt_labels, *(c.rstrip("*") for c in t.cues)))
        )
        for t in themes
    ]
    group_docs = [[t for cn in members for t in note_terms(cn.note.text)] for members in groups]
    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
    try:
        M = vec.fit_transform([*theme_docs, *group_docs])
    except ValueError:
        return [None] * len(groups)  # no terms at all
    sims = np.asarray((M[len(themes) :] @ M[: len(themes)].T).todense())
    out: list[ClosestTheme | None] = []
    for row in sims:
        best = int(np.argmax(row))
        if row[best] <= 0:
            out.append(None)
        else:
            theme = themes[best]
            out.append(ClosestTheme(theme.id, theme.label, round(float(row[best]), 3)))
    return out
