"""The taxonomy as data: practice, barrier and benefit themes, and the kind cues.

Read from analyst-editable CSV files (see :func:`collab_graph.resources.data_dir`):

``themes.csv``
    One row per practice, barrier or benefit theme: ``id, kind, label,
    definition, cues, alt_labels, broader, source``. ``cues`` are
    ``;``-separated phrases; a phrase ending in ``*`` matches any word ending
    (``secondment*``). ``broader`` is the id of the theme this one nests under
    (``skos:broader``). ``source`` names the frameworks the theme comes from,
    ``;``-separated (``Auschra 2018: funding``), or ``collab-graph`` for the
    project's own; ``docs/taxonomy-sources.md`` gives the full citations. Every
    bundled theme has a definition and a source (``tests/test_taxonomy_data.py``
    checks it); only ``id``, ``kind`` and ``label`` are required, so the
    analyst's workspace may hold a ``themes.csv`` of its own without them: its
    rows add themes, and a row with the id of a bundled theme replaces that theme.
``theme-exclusions.csv``
    Phrases in which no theme keyword counts, each with why (``phrase,
    comment``): the other senses of a keyword, such as "over time", "NHS trust"
    or "the scale of". The words of an exclusion phrase are read as one unit,
    so "time" in "over time" is not the "time" of ``b_time_capacity``.
``kind-cues.csv``
    Phrases that point at a note *kind* (``practice``, ``barrier``, ``benefit``,
    ``context``) and how much: ``kind, where, phrase, weight, comment``.
    ``where`` is ``anywhere`` or ``start`` (only at the start of a note). Each
    cue must match notes of its kind in several workshops' labelled notes (see
    :func:`collab_graph.coding.train.cue_support`); what a heading, label or
    prompt asks for is its *intent*, kept in ``intent.csv``
    (:mod:`collab_graph.coding.intent`).

A taxonomy is built from the files' *content*: loading the same bytes again
returns the same object at once, and an edited file is read afresh, so a
long-running app never serves a stale taxonomy.

Examples
--------
>>> tax = load_taxonomy()
>>> tax.themes["b_time_capacity"].kind
<ThemeKind.BARRIER: 'barrier'>
>>> [t.id for t, _ in tax.match_themes("Day job – no time")][:1]
['b_time_capacity']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from collab_graph.coding.lexicon import PhraseIndex, normalise, prose, stem, tokens
from collab_graph.csvfiles import Row, check_references, parse_csv_text, read_text, split_cell
from collab_graph.errors import DataFileError
from collab_graph.model import NoteKind, Theme, ThemeKind
from collab_graph.resources import data_path

__all__ = ["CUE_WHERE", "KindCue", "Taxonomy", "load_kind_cues", "load_taxonomy"]

THEMES_FILE = "themes.csv"
KIND_CUES_FILE = "kind-cues.csv"
EXCLUSIONS_FILE = "theme-exclusions.csv"

#: The payload of an exclusion phrase: its words take no theme.
_EXCLUDED = "excluded"

#: Where a kind cue may match (the ``where`` column of ``kind-cues.csv``).
CUE_WHERE = ("anywhere", "start")


@dataclass(frozen=True, slots=True)
class KindCue:
    """A phrase that points at a note kind (a row of ``kind-cues.csv``)."""

    phrase: str
    kind: NoteKind
    where: str
    weight: float
    comment: str = ""


@dataclass(frozen=True)
class Taxonomy:
    """The themes (by id) and the kind cues, with compiled matchers.

    Use :func:`load_taxonomy` to build one from ``data/``.
    """

    themes: Mapping[str, Theme]
    kind_cues: tuple[KindCue, ...] = ()
    #: Phrases in which no theme keyword counts ("over time", "NHS trust").
    exclusions: tuple[str, ...] = ()
    #: Rows of the analyst's themes file that were skipped, one line each (file, line, why).
    problems: tuple[str, ...] = field(default=(), compare=False)
    _theme_index: PhraseIndex = field(init=False, repr=False, compare=False)
    _stem_index: PhraseIndex = field(init=False, repr=False, compare=False)
    _cue_kinds: dict[str, frozenset[ThemeKind]] = field(init=False, repr=False, compare=False)
    _cue_index: dict[str, PhraseIndex] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_phrase: dict[str, list[object]] = {}
        by_stems: dict[str, list[object]] = {}
        for theme in self.themes.values():
            for phrase in (theme.label, *theme.alt_labels, *theme.cues):
                key = phrase.lower()
                if theme not in by_phrase.setdefault(key, []):
                    by_phrase[key].append(theme)
                stems = _stems(key)
                # other inflections of phrases only: a one-word cue's stem is often
                # another word ("timing" -> time, "tooling" -> tool); a plural "s"
                # is read anyway, and "*" spells a cue's own endings
                if " " in stems and not key.endswith("*") and theme not in by_stems.get(stems, []):
                    by_stems.setdefault(stems, []).append(theme)
                if key.endswith("e*") and len(key) >= 7:  # not "rude*" -> "rud*"
                    # "advocate*" asks for any ending, "advocating" too, which drops the "e"
                    short = key[:-2] + "*"
                    if theme not in by_phrase.setdefault(short, []):
                        by_phrase[short].append(theme)
        for phrase in self.exclusions:
            by_phrase[phrase.lower()] = [_EXCLUDED]
            stems = _stems(phrase.lower())
            if stems:
                by_stems[stems] = [_EXCLUDED]
        object.__setattr__(self, "_theme_index", PhraseIndex(by_phrase))
        object.__setattr__(self, "_stem_index", PhraseIndex(by_stems))
        kinds: dict[str, frozenset[ThemeKind]] = {}
        for table in (by_phrase, by_stems):
            for phrase, payloads in table.items():
                found = {t.kind for t in payloads if isinstance(t, Theme)}
                kinds[phrase] = kinds.get(phrase, frozenset()) | found
        object.__setattr__(self, "_cue_kinds", kinds)
        indexes: dict[str, PhraseIndex] = {}
        for where in CUE_WHERE:
            phrases: dict[str, list[object]] = {}
            for cue in self.kind_cues:
                if cue.where == where:
                    phrases.setdefault(cue.phrase.lower(), []).append(cue)
            indexes[where] = PhraseIndex(phrases, start_only=where == "start")
        object.__setattr__(self, "_cue_index", indexes)

    def by_kind(self, kind: ThemeKind | str) -> tuple[Theme, ...]:
        """Themes of one kind, in file order."""
        k = ThemeKind(kind)
        return tuple(t for t in self.themes.values() if t.kind is k)

    def match_themes(self, text: str) -> list[tuple[Theme, list[str]]]:
        """Themes whose cues occur in ``text``, strongest first, with the cues found.

        Cues match whole words of the prose (:func:`~collab_graph.coding.lexicon.prose`:
        never inside a link, and through Markdown emphasis), as written or in
        another inflection (``volunteers`` for ``volunteering``, by Snowball
        stems), except inside an exclusion phrase ("over time"). Strength is
        the number of words in the cues found (not counting "of", "to" and
        other glue words), so a long, specific cue outweighs a short one; at
        equal strength, more separate cues win.

        Examples
        --------
        >>> tax = load_taxonomy()
        >>> [t.id for t, _ in tax.match_themes("**Lack of time** to volunteer")][:1]
        ['b_time_capacity']
        >>> tax.match_themes("It got better over time")
        []

        A keyword inside a name is not the note's topic, nor is what a note
        sets aside with "rather than":

        >>> [t.id for t, _ in tax.match_themes("The IG Interest Group made a bid for funding")][:1]
        ['b_funding_budgets']
        >>> tax.match_themes("Sustain a service rather than write a business case")
        []
        """
        found: dict[str, tuple[Theme, list[str]]] = {}
        score: dict[str, float] = {}
        order: dict[str, int] = {}
        words = prose(normalise(text))

        def add(phrase: str, payloads: Sequence[object], start: int) -> None:
            # spellings of one cue ("face to face", "face-to-face") are one hit, not two
            for payload in dict.fromkeys(payloads):
                if not isinstance(payload, Theme):
                    continue  # an exclusion phrase: its words take no theme
                entry = found.setdefault(payload.id, (payload, []))
                entry[1].append(phrase)
                score[payload.id] = score.get(payload.id, 0.0) + _weight(phrase)
                order.setdefault(payload.id, start)

        found_exact = self._theme_index.find(words, suffixes=True)
        hits = [(s, e, p, ps) for p, ps, s, e in found_exact]
        for phrase, payloads, begin, stop in self._stem_hits(words):
            inside = [h for h in hits if h[0] < stop and begin < h[1]]
            # an inflected phrase counts where it is longer than the exact hits it
            # overlaps ("economy of scale" over "economy"), else the exact hits stand
            if all(begin <= h[0] and h[1] <= stop and h[1] - h[0] < stop - begin for h in inside):
                hits = [h for h in hits if h not in inside]
                hits.append((begin, stop, phrase, payloads))
        aside = _not_topics(words)
        if aside:
            hits = [h for h in hits if not _set_aside(h[0], h[1], aside)]
        for start, _, phrase, payloads in sorted(hits, key=lambda h: h[0]):
            add(phrase, payloads, start)
        # more words of cues first; then more separate cues (two pieces of evidence
        # outweigh one phrase as long); then the theme named first
        ids = sorted(found, key=lambda i: (-score[i], -len(found[i][1]), order[i]))
        return [found[i] for i in ids]

    def _stem_hits(self, text: str) -> tuple[tuple[str, tuple[object, ...], int, int], ...]:
        """The stem index's hits in ``text`` (a :func:`prose` text), at offsets of ``text``.

        The same hits as finding the phrases in :func:`_stemmed_text` and mapping
        them back. When every stem is plain lower-case ASCII letters and digits
        (nearly always), the stemmed text would split back into exactly these
        stems, so they are looked up directly, with the offsets of the words
        they came from.
        """
        toks, stems = _word_stems(text)
        if stems is not None:
            return self._stem_index.find_tokens(toks, stems, stems)
        stemmed, offsets = _stemmed_text(text)
        if not stemmed:
            return ()
        return tuple(
            (phrase, payloads, offsets[start][0], offsets[end - 1][1])
            for phrase, payloads, start, end in self._stem_index.finditer(stemmed)
        )

    def cue_kinds(self, phrase: str) -> frozenset[ThemeKind]:
        """The kinds of the themes a cue phrase (as :meth:`match_themes` reports it) belongs to.

        A cue of one kind says what kind of note it is in; a cue that themes
        of several kinds share ("trust": lacking it, building it, gaining it)
        says only what the note is about.

        Examples
        --------
        >>> tax = load_taxonomy()
        >>> sorted(map(str, tax.cue_kinds("no time"))), sorted(map(str, tax.cue_kinds("trust")))
        (['barrier'], ['barrier', 'benefit', 'practice'])
        """
        return self._cue_kinds.get(phrase.lower(), frozenset())

    def match_cues(self, text: str, where: str = "anywhere") -> list[tuple[KindCue, int, int]]:
        """Kind cues of one ``where`` class found in ``text``, with their start and end offsets.

        Examples
        --------
        >>> [(c.kind.value, c.phrase) for c, _, _ in load_taxonomy().match_cues("Lack of time")]
        [('barrier', 'lack of')]
        """
        out: list[tuple[KindCue, int, int]] = []
        for _, payloads, start, end in self._cue_index[where].find(normalise(text)):
            for payload in payloads:
                assert isinstance(payload, KindCue)
                out.append((payload, start, end))
        return out


_GLUE = frozenset("a an and at by for from in of on or the to with".split())

#: Words that may join the capitalised words of one name ("Web of Trust").
_NAME_GLUE = frozenset(("of", "for"))
#: What a clause sets aside: the words after these up to the clause's end are not its topic.
_CONTRAST = re.compile(r"\b(?:rather than|instead of)\b([^,.;:!?()]*)", re.IGNORECASE)
#: Characters that start a sentence or a clause, after which a capital says nothing.
_OPENERS = frozenset(".!?:;([{\"'*#>|-\n")


@lru_cache(maxsize=16384)
def _not_topics(text: str) -> tuple[tuple[int, int, int, int], ...]:
    """Spans of ``text`` whose keywords do not name the note's topic, as (start, end, head).

    Two general readings of English:

    - **Names.** In a sentence written in lower case, a run of capitalised
      words after the first word of a sentence is a name ("IG Interest Group",
      "Web of Trust"), and a single capitalised common word is one too ("an
      issue w/ Scale"). A keyword that modifies the name's head (the last
      word, or the word before "of"/"for") is part of the name, not a topic:
      "IG" in "IG Interest Group" is not information governance, but "Working
      Group" is a working group. A single word in capitals (an acronym:
      "PPIE", "COVID") is a topic.
    - **Contrast.** What follows "rather than" or "instead of", up to the end
      of the clause, is what the note sets aside ("a public service, rather
      than generating a business case").

    A span's head is ``(head_start, head_end)``; a keyword covering it counts.
    ``(0, 0)`` means no word of the span counts.

    Examples
    --------
    >>> t = "bids were made by the IG Interest Group, then sent to the Working Group"
    >>> [(t[s:e], t[hs:he]) for s, e, hs, he in _not_topics(t)]
    [('IG Interest Group', 'Group'), ('Working Group', 'Group')]
    >>> t = "Bob had an issue w/ Scale where tests fail"
    >>> [t[s:e] for s, e, _, _ in _not_topics(t)]
    ['Scale']
    >>> _not_topics("Lack of Funding For Staff"), _not_topics("no CPD budget")
    ((), ())
    """
    out: list[tuple[int, int, int, int]] = []
    rest = text[1:]
    low = text.lower()
    if "rather than" in low or "instead of" in low:
        for m in _CONTRAST.finditer(text):
            out.append((m.start(1), m.end(1), 0, 0))
    if rest == rest.lower():  # no capital after the first character: no name (most notes)
        return tuple(out)
    words = [(t, s, e) for t, s, e in tokens(text) if t[0].isalpha()]
    if not any(t[0].isupper() for t, _, _ in words[1:]):
        return tuple(out)
    # which words open a sentence or clause (a capital there is only the sentence's)
    opens = [
        i == 0 or bool(_OPENERS & set(text[words[i - 1][2] : s]))
        for i, (_, s, _) in enumerate(words)
    ]
    capital = [t[0].isupper() and t != "I" and not opens[i] for i, (t, _, _) in enumerate(words)]
    lower = sum(1 for i, (t, _, _) in enumerate(words) if not opens[i] and t[0].islower())
    if lower <= sum(capital):
        return tuple(out)  # a title in capitals: its capitals say nothing
    i = 0
    while i < len(words):
        if not capital[i]:
            i += 1
            continue
        j = i
        while (
            j + 1 < len(words)
            and _joined(text, words[j], words[j + 1])
            and (
                capital[j + 1]
                or (
                    words[j + 1][0].lower() in _NAME_GLUE
                    and j + 2 < len(words)
                    and capital[j + 2]
                    and _joined(text, words[j + 1], words[j + 2])
                )
            )
        ):
            j += 1
        run = words[i : j + 1]
        if len(run) == 1:
            tok, s, e = run[0]
            if not tok.removesuffix("s").isupper():  # an acronym ("PRs") is a topic
                out.append((s, e, 0, 0))
        else:
            glue = [k for k, (t, _, _) in enumerate(run) if t.lower() in ("of", "for")]
            _, hs, he = run[glue[0] - 1] if glue else run[-1]
            out.append((run[0][1], run[-1][2], hs, he))
        i = j + 1
    return tuple(out)


def _joined(text: str, a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    """Whether two words are written next to each other, with only spaces between them."""
    return text[a[2] : b[1]].isspace()


def _set_aside(start: int, end: int, spans: tuple[tuple[int, int, int, int], ...]) -> bool:
    """Whether the keyword at ``start:end`` is in a span of :func:`_not_topics`, not its head."""
    for s, e, hs, he in spans:
        if s <= start and end <= e and not (start <= hs and he <= end and he > hs):
            return True
    return False


@lru_cache(maxsize=16384)
def _weight(phrase: str) -> int:
    """How specific a cue is: its words, not counting glue words (at least 1).

    Examples
    --------
    >>> _weight("face to face"), _weight("face-to-face"), _weight("economies of scale")
    (2, 2, 2)
    """
    words = [t for t, _, _ in tokens(phrase.replace("*", "")) if t[0].isalnum()]
    return max(1, sum(1 for w in words if w.lower() not in _GLUE))


#: Degree words, read through when a phrase is matched by stems: "the bar is super high"
#: says "bar is high", "a really strong sense of community" says "sense of community".
_DEGREE = frozenset("very super really quite extremely incredibly particularly".split())


def _stems(phrase: str) -> str:
    """A phrase as the Snowball stems of its words, space-separated (``"" `` when it has none).

    Degree words ("very", "super", "really") are left out, in cues and in notes alike.

    Examples
    --------
    >>> _stems("volunteers' burnout"), _stems("volunteering burn-out")
    ('volunt burnout', 'volunt burn out')
    >>> _stems("the bar is super high")
    'the bar is high'
    """
    words = (t.lower() for t, _, _ in tokens(phrase) if t[0].isalnum())
    return " ".join(stem(w) for w in words if w not in _DEGREE)


@lru_cache(maxsize=16384)
def _stemmed_text(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``text`` as stems, and for each character of the stems the word of ``text`` it came from.

    Examples
    --------
    >>> s, at = _stemmed_text("Sharing data")
    >>> s, at[s.index("data")]
    ('share data', (8, 12))
    """
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    for tok, start, end in tokens(text):
        if not tok[0].isalnum() or tok.lower() in _DEGREE:
            continue
        word = stem(tok.lower())
        if parts:
            parts.append(" ")
            spans.append((start, start))
        parts.append(word)
        spans.extend([(start, end)] * len(word))
    return "".join(parts), tuple(spans)


_PLAIN_STEMS: dict[str, str | None] = {}


def _plain_stem(word: str) -> str | None:
    """The stem of a word as written, when it is plain lower-case ASCII (memoised), else None."""
    hit = _PLAIN_STEMS.get(word, "")
    if hit != "":
        return hit
    out: str | None = stem(word.lower())
    if not (out and out.isascii() and out.isalnum() and out == out.lower()):
        out = None
    if len(_PLAIN_STEMS) > 200_000:
        _PLAIN_STEMS.clear()
    _PLAIN_STEMS[word] = out
    return out


def _word_stems(
    text: str,
) -> tuple[tuple[tuple[str, int, int], ...], tuple[str, ...] | None]:
    """The word tokens of ``text`` as stems, with the offsets of their words in ``text``.

    The stems are None when one of them is not plain lower-case ASCII letters and
    digits (then :func:`_stemmed_text` must be used).

    Examples
    --------
    >>> _word_stems("Sharing data!")
    ((('share', 0, 7), ('data', 8, 12)), ('share', 'data'))
    >>> _word_stems("super high")[1] == tuple(_stemmed_text("super high")[0].split())
    True
    """
    toks: list[tuple[str, int, int]] = []
    for tok, start, end in tokens(text):
        if not tok[0].isalnum() or tok.lower() in _DEGREE:  # as _stemmed_text reads them
            continue
        word = _plain_stem(tok)
        if word is None:
            return (), None
        toks.append((word, start, end))
    return tuple(toks), tuple(t for t, _, _ in toks)


def _kind_cues(rows: Sequence[Row]) -> tuple[KindCue, ...]:
    cues: list[KindCue] = []
    for row in rows:
        kind = NoteKind(row.choice("kind", NoteKind, "unknown kind"))
        if row.get("where") in ("heading", "label", "topic"):
            raise row.error(
                "where",
                f"{row['where']!r} cues are no longer read here: what a heading, label or "
                "prompt asks for belongs in intent.csv",
            )
        where = row.choice("where", CUE_WHERE, "unknown place")
        weight = row.number("weight")
        if not row["phrase"]:
            raise row.error("phrase", "empty phrase")
        cues.append(KindCue(row["phrase"], kind, where, weight, row.get("comment")))
    return tuple(cues)


def load_kind_cues(path: Path | str | None = None) -> tuple[KindCue, ...]:
    """Read ``kind-cues.csv``.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``data/kind-cues.csv``.

    Returns
    -------
    tuple of KindCue

    Raises
    ------
    DataFileError
        When the file is missing or a row has an unknown kind, place or weight.
    """
    p = Path(path) if path is not None else data_path(KIND_CUES_FILE)
    return _kind_cues(_rows(p, read_text(p, "kind cues file"), KIND_CUE_COLUMNS))


THEME_COLUMNS = ("id", "kind", "label")
KIND_CUE_COLUMNS = ("kind", "where", "phrase", "weight")


def _rows(path: Path, text: str, required: Sequence[str]) -> list[Row]:
    return parse_csv_text(text, path, required=required)


def _themes(
    rows: Sequence[Row],
    into: dict[str, Theme],
    replace: bool,
    on_error: Callable[[DataFileError], None] | None = None,
) -> None:
    seen: dict[str, Theme] = {}
    for row in rows:
        try:
            tid = row.new_id("id", seen, "theme")
            kind = ThemeKind(row.choice("kind", ThemeKind, f"theme {tid!r} has unknown kind"))
            if tid in into and not replace:
                raise row.error("id", f"theme id {tid!r} is used twice")
        except DataFileError as err:
            if on_error is None:
                raise
            on_error(err)
            continue
        theme = Theme(
            id=tid,
            kind=kind,
            label=row["label"],
            definition=row.get("definition"),
            cues=split_cell(row.get("cues") or row.get("keywords")),
            alt_labels=split_cell(row.get("alt_labels")),
            broader=row.get("broader") or None,
            source=split_cell(row.get("source")),
        )
        seen[tid] = theme
        into[tid] = theme


def _broader_cycles(themes: Mapping[str, Theme]) -> list[list[str]]:
    """The loops of ``broader`` links, each as the theme ids along it (every id known).

    Examples
    --------
    >>> a = Theme("b_a", ThemeKind.BARRIER, "A", broader="b_b")
    >>> b = Theme("b_b", ThemeKind.BARRIER, "B", broader="b_a")
    >>> _broader_cycles({"b_a": a, "b_b": b})
    [['b_a', 'b_b']]
    >>> _broader_cycles({"b_a": replace(a, broader=None)})
    []
    """
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in themes:
        path: list[str] = []
        tid: str | None = start
        while tid is not None and tid not in done and tid not in path:
            path.append(tid)
            tid = themes[tid].broader
        if tid is not None and tid in path:
            cycles.append(path[path.index(tid) :])
        done.update(path)
    return cycles


EXCLUSION_COLUMNS = ("phrase",)


def _exclusions(path: Path, text: str) -> tuple[str, ...]:
    phrases: list[str] = []
    for row in _rows(path, text, EXCLUSION_COLUMNS):
        if not row["phrase"]:
            raise row.error("phrase", "empty phrase")
        phrases.append(row["phrase"])
    return tuple(phrases)


@lru_cache(maxsize=8)
def _taxonomy_from(
    themes: tuple[tuple[str, str], ...],
    cues: tuple[str, str],
    exclusions: tuple[str, str] | None = None,
) -> Taxonomy:
    """The taxonomy of these files' texts ((path, text) pairs; later files override)."""
    found: dict[str, Theme] = {}
    problems: list[str] = []
    analysts: dict[str, str] = {}  # theme id -> the analyst's file that defines it

    def skip(err: DataFileError) -> None:
        problems.append(f"{err}; row skipped")

    for i, (path, text) in enumerate(themes):
        # the bundled file is checked strictly; a bad row of the analyst's is skipped
        lenient = skip if i > 0 else None
        rows = parse_csv_text(text, Path(path), required=THEME_COLUMNS, on_error=lenient)
        before = dict(found)
        _themes(rows, found, replace=i > 0, on_error=lenient)
        analysts.update({t: path for t in found if i > 0 and found[t] is not before.get(t)})
    for tid, path in analysts.items():
        theme = found[tid]
        if theme.broader and theme.broader not in found:
            problems.append(
                f"{path}: theme {tid!r} has unknown broader theme {theme.broader!r}; row skipped"
            )
            del found[tid]
    last = Path(themes[-1][0]) if themes else Path(THEMES_FILE)
    check_references(last, {t.id: t.broader for t in found.values() if t.broader}, found, "theme")
    for cycle in _broader_cycles(found):
        mine = [tid for tid in cycle if tid in analysts]
        loop = " -> ".join([*cycle, cycle[0]])
        if not mine:
            raise DataFileError(
                f"{themes[0][0]}: broader themes form a loop ({loop}); "
                "give one of them another broader theme or none",
                path=themes[0][0],
            )
        problems.append(
            f"{analysts[mine[0]]}: broader themes form a loop ({loop}); "
            f"theme {mine[0]!r} is kept without a broader theme"
        )
        found[mine[0]] = replace(found[mine[0]], broader=None)
    cue_rows = _rows(Path(cues[0]), cues[1], KIND_CUE_COLUMNS)
    excluded = _exclusions(Path(exclusions[0]), exclusions[1]) if exclusions else ()
    return Taxonomy(
        themes=found,
        kind_cues=_kind_cues(cue_rows),
        exclusions=excluded,
        problems=tuple(problems),
    )


def load_taxonomy(
    path: Path | str | Sequence[Path | str] | None = None,
    cues_path: Path | str | None = None,
    exclusions_path: Path | str | None = None,
) -> Taxonomy:
    """Read the themes (and the kind cues) into a :class:`Taxonomy`.

    Parameters
    ----------
    path : path-like or sequence of path-like, optional
        The themes CSV; defaults to ``data/themes.csv``. Given several files
        (the bundled themes, then the analyst's), later rows add themes or
        replace a theme with the same id; files that do not exist are skipped
        after the first.
    cues_path : path-like, optional
        The kind-cues CSV; defaults to ``kind-cues.csv`` beside the first themes
        file when it exists there, else ``data/kind-cues.csv``.
    exclusions_path : path-like, optional
        The theme-exclusions CSV; defaults to ``theme-exclusions.csv`` beside
        the first themes file when it exists there, else the bundled one; when
        that does not exist either, nothing is excluded.

    Returns
    -------
    Taxonomy
        The same object for the same file contents.

    Raises
    ------
    DataFileError
        When a file is missing, a column is missing, an id repeats within a
        file or a kind is unknown; the message names the file, line and column.

    Examples
    --------
    >>> tax = load_taxonomy()
    >>> sorted({str(t.kind) for t in tax.themes.values()})
    ['barrier', 'benefit', 'practice']
    >>> load_taxonomy() is tax
    True
    """
    if path is None:
        paths = [data_path(THEMES_FILE)]
    elif isinstance(path, (str, Path)):
        paths = [Path(path)]
    else:
        paths = [Path(p) for p in path]
    texts = [(str(paths[0]), read_text(paths[0], "themes file"))]
    texts += [(str(p), read_text(p, "themes file")) for p in paths[1:] if p.exists()]
    if cues_path is None:
        beside = paths[0].with_name(KIND_CUES_FILE)
        cues_path = beside if beside.exists() else data_path(KIND_CUES_FILE)
    cues = (str(cues_path), read_text(Path(cues_path), "kind cues file"))
    if exclusions_path is None:
        beside = paths[0].with_name(EXCLUSIONS_FILE)
        exclusions_path = beside if beside.exists() else data_path(EXCLUSIONS_FILE)
    excluded = None
    if Path(exclusions_path).exists():  # optional: a data folder without one excludes nothing
        excluded = (str(exclusions_path), read_text(Path(exclusions_path), "theme exclusions file"))
    return _taxonomy_from(tuple(texts), cues, excluded)
