"""Match free text to themes by meaning: word stems, a synonym table and TF-IDF.

A theme is described by two bags of words: its *description* (label, alternative
labels, cue phrases and definition) and the *notes* already tagged with it in
the graph. A text is read as words only (links, markdown emphasis and
punctuation are not words), each content word is reduced to its Snowball stem
(``sharing`` → ``share``), and every word or phrase listed in
``data/synonyms.csv`` adds its concept (``~law`` for "legal", "legislation",
"statutory duty", ...), so that a question in everyday words meets a
definition written in other words.

Words are weighted by TF-IDF over the themes' bags (sublinear term frequency,
smoothed inverse document frequency) and a query's similarity to a theme is the
larger cosine of its vector with the theme's two bags. Words of the query that
no theme uses keep their weight in the query's length (at the highest IDF), so
"the weather was bad" stays far from every theme instead of being judged on
"bad" alone. :data:`MIN_SIMILARITY` is the threshold below which nothing
matches well.

Examples
--------
>>> index = MeaningIndex(
...     {
...         "b_law": ThemeText("Legal constraints", "Laws and statutory duties restrict partners."),
...         "b_time": ThemeText("Time and capacity", "No time beyond the day job."),
...     }
... )
>>> [(t, round(s, 2)) for t, s in index.rank("legislation gets in the way")][:1]
[('b_law', 0.58)]
>>> index.rank("the weather was bad")[0][1] < MIN_SIMILARITY
True
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from collab_graph.coding.features import stem
from collab_graph.csvfiles import Row, parse_csv_text, read_text, split_cell
from collab_graph.resources import data_path

__all__ = [
    "MAX_NOTES_PER_THEME",
    "MIN_SIMILARITY",
    "SYNONYMS_FILE",
    "MeaningIndex",
    "Synonyms",
    "ThemeText",
    "features",
    "load_synonyms",
]

SYNONYMS_FILE = "synonyms.csv"
"""The synonym table in ``data/``: ``concept, terms, source, rationale``."""

MIN_SIMILARITY = 0.13
"""Lowest cosine similarity (0-1) at which free text matches a theme.

Set on a development set of questions kept apart from the tests' questions
(see ``docs/coding.md``): the right theme of a clear question scores about
0.25-0.6; text about nothing in the taxonomy stays below about 0.12."""

MAX_NOTES_PER_THEME = 300
"""Tagged notes read per theme (the first in document order).

They add the workshop's own words to a theme; past a few hundred they add
little but time when the index is built for a corpus of 100k notes."""

NOTES_SHRINK = 5.0
"""A theme's tagged notes count ``n / (n + NOTES_SHRINK)`` as much as its description."""

# Links and markdown link targets are not words of the note.
_LINK_RE = re.compile(r"\]\([^)]*\)|<?(?:https?://|www\.)\S+>?", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Function words: scikit-learn's English list less the words that carry
# meaning in collaboration notes ("system", "interest", "fire", "part", ...).
_KEEP = frozenset(
    """system interest fire bill move call detail describe fill find found front full give
    made part put show side take top back bottom amount nobody none noone nothing together
    alone serious empty first last keep become well done due thin thick""".split()
)
_STOP = (
    frozenset(ENGLISH_STOP_WORDS)
    | {"get", "gets", "got", "getting", "really", "lot", "lots", "way", "ways", "thing", "things"}
) - _KEEP
_CONTRACTIONS = re.compile(r"['’](?:s|t|re|ve|ll|d|m)$")


@dataclass(frozen=True, slots=True)
class Synonyms:
    """The synonym table: stemmed word sequences and the concepts they add."""

    phrases: Mapping[tuple[str, ...], tuple[str, ...]]
    lemmas: Mapping[str, str] = field(default_factory=dict)
    """Stem of an irregular form → stem of its lemma (``knew`` → ``know``)."""
    by_first: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    """Phrases by their first stem, longest first."""


@dataclass(frozen=True, slots=True)
class ThemeText:
    """The words that describe one theme.

    ``label`` and ``alt_labels`` make its *names* bag; with ``description``
    (cues and definition) they make its description bag; ``notes`` are the
    texts of notes tagged with it.
    """

    label: str
    description: str = ""
    notes: Sequence[str] = ()
    alt_labels: Sequence[str] = ()


def _words(text: str) -> list[str]:
    text = _LINK_RE.sub(" ", text)
    out = []
    for w in _WORD_RE.findall(text.casefold()):
        w = _CONTRACTIONS.sub("", w.replace("’", "'"))
        if w:
            out.append(w)
    return out


def _stems(words: Iterable[str]) -> list[str]:
    return [stem(w) for w in words]


@lru_cache(maxsize=8)
def _synonyms_from(name: str, text: str) -> Synonyms:
    rows = parse_csv_text(
        text, Path(name), required=("concept", "kind", "terms", "source", "rationale")
    )
    phrases: dict[tuple[str, ...], list[str]] = {}
    lemmas: dict[str, str] = {}
    seen: dict[str, object] = {}
    checked: list[tuple[Row, str, list[tuple[str, ...]]]] = []
    for row in rows:
        concept = row.new_id("concept", seen, "concept")
        seen[concept] = row
        kind = row.choice("kind", ("synonym", "lemma"), "kind")
        if not row["source"].strip():
            raise row.error("source", "say where the synonyms come from")
        keys = []
        for term in split_cell(row["terms"]):
            key = tuple(_stems(_words(term)))
            if not key:
                raise row.error("terms", f"{term!r} has no word in it")
            keys.append(key)
        if not keys:
            raise row.error("terms", "list at least one word or phrase, separated by ';'")
        if kind == "lemma":
            for key in keys:
                if len(key) != 1:
                    raise row.error("terms", f"{' '.join(key)!r}: a lemma row lists single words")
                lemmas[key[0]] = stem(concept)
        else:
            checked.append((row, concept, keys))
    # phrases are read with the lemmas applied, as texts are
    for _, concept, keys in checked:
        for key in keys:
            lemma_key = tuple(lemmas.get(s, s) for s in key)
            phrases.setdefault(lemma_key, [])
            if concept not in phrases[lemma_key]:
                phrases[lemma_key].append(concept)
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for key in phrases:
        by_first.setdefault(key[0], []).append(key)
    return Synonyms(
        phrases={k: tuple(v) for k, v in phrases.items()},
        lemmas=lemmas,
        by_first={k: tuple(sorted(v, key=len, reverse=True)) for k, v in by_first.items()},
    )


def load_synonyms(path: Path | str | None = None) -> Synonyms:
    """Read the synonym table (``data/synonyms.csv`` unless ``path`` is given).

    Each row names a ``concept``, its ``kind`` and its ``terms`` (words or
    phrases, separated by ``;``), with the ``source`` of the list and a
    ``rationale``. A ``synonym`` row adds the token ``~concept`` wherever one
    of its terms occurs; a ``lemma`` row reads each of its words as the word
    ``concept`` (irregular forms the stemmer cannot join: ``knew`` → ``know``).

    Raises
    ------
    DataFileError
        When the file or a column is missing, a concept repeats or a row has
        no terms or no source; the message names the file, line and column.

    Examples
    --------
    >>> syn = load_synonyms()
    >>> syn.phrases[("legisl",)]
    ('law',)
    >>> load_synonyms() is syn
    True
    """
    p = Path(path) if path is not None else data_path(SYNONYMS_FILE)
    return _synonyms_from(str(p), read_text(p, "synonyms file"))


def _analyse(text: str, syn: Synonyms) -> list[tuple[str | None, list[str]]]:
    """Per word: its stem (None for a function word) and the concepts it starts."""
    words = _words(text)
    stems = [syn.lemmas.get(s, s) for s in _stems(words)]
    out: list[tuple[str | None, list[str]]] = []
    recent: list[str] = []  # concepts of the last few words: a phrase adds its concept once
    for i, s in enumerate(stems):
        concepts: list[str] = []
        for key in syn.by_first.get(s, ()):
            if tuple(stems[i : i + len(key)]) == key:
                concepts += ["~" + c for c in syn.phrases[key] if "~" + c not in recent]
        recent = (recent + concepts)[-4:]
        out.append((None if words[i] in _STOP else s, concepts))
    return out


def features(text: str, synonyms: Synonyms | None = None) -> list[str]:
    """The features of a text: stems of its content words and ``~concept`` tokens.

    Examples
    --------
    >>> features("**Legal** problems sharing [data](https://example.org/data-law)")
    ['legal', '~law', 'problem', 'share', '~share', 'data', '~data']
    """
    syn = synonyms if synonyms is not None else load_synonyms()
    out: list[str] = []
    for s, concepts in _analyse(text, syn):
        if s is not None:
            out.append(s)
        out += concepts
    return out


class MeaningIndex:
    """TF-IDF vectors of themes' descriptions and tagged notes, to rank free text.

    Parameters
    ----------
    themes : mapping of str to ThemeText
        Theme id → its words.
    synonyms : Synonyms, optional
        Defaults to :func:`load_synonyms`.
    """

    def __init__(self, themes: Mapping[str, ThemeText], synonyms: Synonyms | None = None) -> None:
        self.synonyms = synonyms if synonyms is not None else load_synonyms()
        self.ids = list(themes)
        bags: list[tuple[str, Counter[str], float]] = []
        for tid, t in themes.items():
            names = Counter(features(t.label, self.synonyms))
            for alt in t.alt_labels:
                names.update(features(alt, self.synonyms))
            bags.append((tid, names, 1.0))
            desc = names + names
            desc.update(features(t.description, self.synonyms))
            bags.append((tid, desc, 1.0))
            notes: Counter[str] = Counter()
            read = t.notes[:MAX_NOTES_PER_THEME]
            for text in read:
                notes.update(set(features(text, self.synonyms)))
            if notes:
                # a few notes are a small, noisy sample of a theme's words: trust
                # them in proportion to how many there are
                bags.append((tid, notes, len(read) / (len(read) + NOTES_SHRINK)))
        df: Counter[str] = Counter()
        for _, bag, _ in bags:
            df.update(bag.keys())
        n = len(bags)
        self.idf = {f: math.log((1 + n) / (1 + c)) + 1.0 for f, c in df.items()}
        self.max_idf = math.log(1 + n) + 1.0
        self.vectors: list[tuple[str, dict[str, float], float]] = [
            (tid, self._vector(bag), weight) for tid, bag, weight in bags
        ]

    def _vector(self, bag: Mapping[str, int]) -> dict[str, float]:
        v = {f: (1.0 + math.log(c)) * self.idf.get(f, self.max_idf) for f, c in bag.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {f: x / norm for f, x in v.items()}

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Every theme with its similarity to ``text`` (0-1), most similar first.

        Ties keep the themes' order. A text with no content word scores 0
        everywhere.
        """
        # A word no theme uses counts against every theme, unless the synonym
        # table knows what it means: then its concept stands for it.
        feats: list[str] = []
        for s, concepts in _analyse(text, self.synonyms):
            if s is not None and (s in self.idf or not concepts):
                feats.append(s)
            feats += concepts
        q = self._vector(Counter(feats))
        best: dict[str, float] = dict.fromkeys(self.ids, 0.0)
        if q:
            for tid, vec, weight in self.vectors:
                sim = weight * sum(x * vec.get(f, 0.0) for f, x in q.items())
                if sim > best[tid]:
                    best[tid] = sim
        order = {t: i for i, t in enumerate(self.ids)}
        return sorted(best.items(), key=lambda kv: (-kv[1], order[kv[0]]))
