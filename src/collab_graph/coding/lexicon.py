"""Text matching shared by the coding stage: typography folding, tokens and phrase indexes.

:func:`normalise` folds curly quotes, dashes and non-breaking spaces without
changing lengths, :func:`tokens` splits a text into words with offsets, and
:class:`PhraseIndex` finds whole-word phrases (longest first) in a text. The
taxonomy's theme and kind cues and the gazetteer's aliases all match through
them, so "no time", "No-time" and "no  time" are one phrase everywhere.

Examples
--------
>>> idx = PhraseIndex({"no time": ["cue"], "secondment*": ["theme"]})
>>> [(p, s, e) for p, _, s, e in idx.finditer("Day job – no time; secondments")]
[('no time', 10, 17), ('secondment*', 19, 30)]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

import snowballstemmer

__all__ = ["PhraseIndex", "cue_pattern", "normalise", "prose", "remember", "stem", "tokens"]

_STEMMER = snowballstemmer.stemmer("english")

_TYPO = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_SEP = r"[\s\-/_]+"  # what a space inside a phrase may match
_APOS = "'"


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Fold typography so that cues match however the notes were typed.

    Curly quotes and apostrophes become straight ones, en/em dashes become
    ``-`` and non-breaking spaces become spaces. Length is preserved, so match
    positions in the result are positions in ``text``.

    Examples
    --------
    >>> normalise("LA’s – “promoted”")
    'LA\\'s - "promoted"'
    """
    if text.isascii() and "`" not in text:
        return text  # nothing to fold (the common case, and cheap to check)
    return text.translate(_TYPO)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of a lower-case word (``sharing`` → ``share``).

    Examples
    --------
    >>> stem("volunteers"), stem("governance")
    ('volunt', 'govern')
    """
    return str(_STEMMER.stemWord(word))


_LINK = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>()\[\]]+"  # a bare URL
    r'|\]\([^)\s]*(?:\s+"[^"]*")?\)'  # a Markdown link target: ](url "title")
    r"|<[a-z]+:[^\s>]+>"  # an autolink: <https://...>
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # an e-mail address
    re.IGNORECASE,
)
_MARKUP = re.compile(r"[*_~`]+")


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


@lru_cache(maxsize=65536)
def prose(text: str) -> str:
    """The words a reader sees: links, link targets and Markdown emphasis blanked out.

    URLs, e-mail addresses and the ``(target)`` of a Markdown link become
    spaces, so that no keyword matches inside them (the link's text stays);
    emphasis marks (``**``, ``_``, ``~~``, backticks) become spaces, so that
    ``**data sharing**`` and ``_trust_`` read as words. Length is preserved,
    so match positions in the result are positions in ``text``.

    Examples
    --------
    >>> prose("see [events](https://x.org/events/index.html) and **data sharing**").split()
    ['see', '[events', 'and', 'data', 'sharing']
    >>> prose("_trust_ at www.trust.org.uk").split()
    ['trust', 'at']
    """
    if not any(c in text for c in "*_~`:/.@<"):
        return text
    return _MARKUP.sub(_blank, _LINK.sub(_blank, text))


def cue_pattern(phrase: str) -> str:
    """Regular expression (without word boundaries) for one cue phrase.

    Spaces and hyphens in the phrase match any run of spaces, hyphens or
    slashes; a final ``*`` on a word matches any word ending; apostrophes
    match any apostrophe (after :func:`normalise`).

    Examples
    --------
    >>> bool(re.fullmatch(cue_pattern("five day sprint*"), "five-day sprints"))
    True
    >>> bool(re.fullmatch(cue_pattern("can't"), "can't"))
    True
    """
    words = [w for w in re.split(r"[\s\-]+", normalise(phrase).strip()) if w]
    out = []
    for word in words:
        star = word.endswith("*")
        core = word.rstrip("*")
        piece = re.escape(core).replace(r"\'", _APOS)
        out.append(piece + (r"\w*" if star else ""))
    return _SEP.join(out)


_TOKEN = re.compile(r"[A-Za-z]+(?:\.[A-Za-z]+)+\.?|\w+(?:'\w+)*|\?+|&")


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    """Word tokens of ``text`` (after :func:`normalise`) with their offsets.

    Dots inside abbreviations are dropped (``H.S.C.P`` → ``HSCP``), ``&`` reads
    as ``and``, runs of ``?`` are one token and hyphens or slashes split words.

    Examples
    --------
    >>> [t for t, _, _ in tokens("H.S.C.P & P&K’s five-day sprint??")]
    ['HSCP', 'and', 'P', 'and', "K's", 'five', 'day', 'sprint', '??']
    """
    norm = normalise(text)
    if "&" not in norm and "?" not in norm and "." not in norm:
        # only plain words: every token is the match as it is (the common case, fast)
        return tuple([(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(norm)])
    out = []
    for m in _TOKEN.finditer(norm):
        tok = m.group()
        if tok == "&":
            tok = "and"
        elif tok.startswith("?"):
            tok = "??" if len(tok) > 1 else "?"
        elif "." in tok:
            tok = tok.replace(".", "")
        out.append((tok, m.start(), m.end()))
    return tuple(out)


@lru_cache(maxsize=16384)
def _token_words(
    text: str,
) -> tuple[tuple[tuple[str, int, int], ...], tuple[str, ...], tuple[str, ...]]:
    """:func:`tokens` of ``text``, with the words alone, as written and in lower case."""
    toks = tokens(text)
    words = tuple(t for t, _, _ in toks)
    return toks, words, tuple(w.lower() for w in words)


def _phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(t for t, _, _ in tokens(phrase.replace("*", "")))


_RECENT = 64  # texts whose hits each phrase index (and the gazetteer) remembers
K = TypeVar("K")
V = TypeVar("V")


def remember(store: dict[K, V], key: K, value: V) -> None:
    """Keep ``value`` in a small first-in, first-out memory of :data:`_RECENT` entries."""
    if len(store) >= _RECENT:
        store.pop(next(iter(store)))
    store[key] = value


_Hit = tuple[str, tuple[object, ...]]
#: Marks a run of words not looked up yet (None means looked up and not found).
_UNSEEN: _Hit = ("", (object(),))


class PhraseIndex:
    """Phrases looked up by word n-grams (longest first); each hit maps to its payloads.

    A final ``*`` makes the last word of a phrase a prefix. Matching is on whole
    words, so it is fast and never matches inside a word.
    """

    def __init__(
        self,
        phrases: Mapping[str, Sequence[object]],
        *,
        start_only: bool = False,
        case_sensitive: frozenset[str] = frozenset(),
    ):
        self.start_only = start_only
        # the hits of the last few texts: a note's text is matched several times
        # while it is coded (as a heading, for cues, for themes)
        self._recent: dict[
            tuple[str, bool], tuple[tuple[str, tuple[object, ...], int, int], ...]
        ] = {}
        self._exact: dict[tuple[str, ...], tuple[str, tuple[object, ...]]] = {}
        self._wild: dict[tuple[str, ...], list[tuple[str, str, tuple[object, ...]]]] = {}
        self._sensitive: dict[tuple[str, ...], tuple[str, tuple[object, ...]]] = {}
        self.max_len = 1
        for phrase, payloads in phrases.items():
            toks = _phrase_tokens(phrase)
            if not toks:
                continue
            self.max_len = max(self.max_len, len(toks))
            if phrase in case_sensitive:
                self._sensitive.setdefault(toks, (phrase, tuple(payloads)))
            elif phrase.rstrip().endswith("*"):
                key = tuple(t.lower() for t in toks[:-1])
                self._wild.setdefault(key, []).append((toks[-1].lower(), phrase, tuple(payloads)))
            else:
                key = tuple(t.lower() for t in toks)
                prev = self._exact.get(key)
                merged = (prev[1] if prev else ()) + tuple(payloads)
                self._exact[key] = (prev[0] if prev else phrase, merged)
        self._wild_prefixes = {k: tuple(p for p, _, _ in v) for k, v in self._wild.items()}
        # The longest phrase that can start with a word (lower case, or as written for
        # case-sensitive phrases): longer n-grams from that word cannot hit, so
        # finditer skips them. It only ever skips lookups that would find nothing.
        self._reach: dict[str, int] = {}
        firsts = [(k[0], len(k)) for k in (*self._exact, *self._sensitive)]
        firsts += [(k[0], len(k) + 1) for k in self._wild if k]
        for word, length in firsts:
            self._reach[word] = max(self._reach.get(word, 1), length)
        self._lengths: dict[str, frozenset[int]] = {}
        for word, length in firsts:
            self._lengths[word] = self._lengths.get(word, frozenset()) | {length}
        # per word, the lengths of the phrases that may start there (see _spans_from)
        self._spans: dict[bool, dict[str, tuple[int, ...]]] = {False: {}, True: {}}
        # per run of words (as written), what _lookup gave (see find_tokens)
        self._looked: dict[bool, dict[tuple[str, ...], _Hit | None]] = {False: {}, True: {}}

    def _lookup(
        self, orig: tuple[str, ...], lower: tuple[str, ...], suffixes: bool
    ) -> tuple[str, tuple[object, ...]] | None:
        hit = self._sensitive.get(orig) or self._exact.get(lower)
        if hit is not None:
            wild = self._wild.get(lower[:-1])
            if wild and lower[-1].startswith(self._wild_prefixes[lower[:-1]]):
                # "motivation" and "motivation*" both match: keep both phrases' payloads
                extra = [p for pre, _, ps in wild if lower[-1].startswith(pre) for p in ps]
                merged = tuple(dict.fromkeys((*hit[1], *extra)))
                if len(merged) > len(hit[1]):
                    return hit[0], merged
            return hit
        if suffixes:
            last_o, last_l = orig[-1], lower[-1]
            for suf in ("'s", "'", "s"):
                if last_l.endswith(suf) and len(last_l) > len(suf) + 1:
                    n = len(suf)
                    variants = [((*orig[:-1], last_o[:-n]), (*lower[:-1], last_l[:-n]))]
                    if suf == "'s" and last_l[:-n].endswith("s") and len(last_l) > 4:
                        variants.append(
                            ((*orig[:-1], last_o[: -n - 1]), (*lower[:-1], last_l[: -n - 1]))
                        )
                    for o, lo in variants:
                        hit = self._sensitive.get(o) or self._exact.get(lo)
                        if hit is not None:
                            return hit
        wild = self._wild.get(lower[:-1])
        if wild and lower[-1].startswith(self._wild_prefixes[lower[:-1]]):
            for prefix, phrase, payloads in wild:
                if lower[-1].startswith(prefix):
                    return phrase, payloads
        return None

    def finditer(
        self, text: str, *, suffixes: bool = False
    ) -> Iterator[tuple[str, tuple[object, ...], int, int]]:
        """Yield (phrase, payloads, start, end) for non-overlapping, longest-first hits."""
        key = (text, suffixes)
        hits = self._recent.get(key)
        if hits is None:
            hits = self._find(text, suffixes)
            remember(self._recent, key, hits)
        return iter(hits)

    def _spans_from(self, word: str, suffixes: bool) -> tuple[int, ...]:
        """The lengths (in words, longest first) of the phrases that may start at ``word``.

        A length is left out only where :meth:`_lookup` of that many words from
        ``word`` would find nothing. From two words up, that is where no phrase
        of that length (exact, case-sensitive, or a ``*`` phrase with one word
        more than its key) starts with the word as written or in lower case. One
        word is tried where a one-word phrase is the word, a one-word ``*``
        phrase is a prefix of it or (with ``suffixes``) a one-word phrase is the
        word less one to three final characters (``'s``, ``'``, ``s``, ``s's``).
        An empty tuple means no phrase can start there.
        """
        memo = self._spans[suffixes]
        spans = memo.get(word)
        if spans is not None:
            return spans
        lengths = self._lengths
        low = word.lower()
        loose = self._wild_prefixes.get(())  # one-word phrases ending in *
        longer = lengths.get(word, frozenset()) | lengths.get(low, frozenset())
        one = (
            1 in longer
            or bool(loose and low.startswith(loose))
            or (
                suffixes
                and any(1 in lengths.get(w[:-k], ()) for w in (word, low) for k in (1, 2, 3))
            )
        )
        spans = (*sorted((n for n in longer if n > 1), reverse=True), *((1,) if one else ()))
        if len(memo) > 200_000:
            memo.clear()
        memo[word] = spans
        return spans

    def find(
        self, text: str, *, suffixes: bool = False
    ) -> tuple[tuple[str, tuple[object, ...], int, int], ...]:
        """The hits of :meth:`finditer`, as a tuple, without remembering them (for callers
        that read each text once, or keep their own memory).

        Examples
        --------
        >>> PhraseIndex({"no time": ["cue"]}).find("No time at all")
        (('no time', ('cue',), 0, 7),)
        """
        return self._find(text, suffixes)

    def _find(
        self, text: str, suffixes: bool
    ) -> tuple[tuple[str, tuple[object, ...], int, int], ...]:
        toks, words, lows = _token_words(text)
        return self.find_tokens(toks, words, lows, suffixes)

    def find_tokens(
        self,
        toks: Sequence[tuple[str, int, int]],
        words: tuple[str, ...],
        lows: tuple[str, ...],
        suffixes: bool = False,
    ) -> tuple[tuple[str, tuple[object, ...], int, int], ...]:
        """:meth:`finditer` on a text already split into words (not remembered).

        ``toks`` are the words with the offsets to report, ``words`` the words as
        written and ``lows`` the same words in lower case (tuples), as :func:`tokens`
        would give them. The lookup of each run of words is remembered (it depends
        on the words alone), so a phrase is looked up once however often it occurs.

        Examples
        --------
        >>> idx = PhraseIndex({"share data": ["theme"]})
        >>> words = ("share", "data")
        >>> idx.find_tokens([("share", 0, 7), ("data", 8, 12)], words, words)
        (('share data', ('theme',), 0, 12),)
        """
        if not toks:
            return ()
        out = []
        i, n_tok = 0, len(toks)
        memo = self._spans[suffixes]
        spans_from = self._spans_from
        lookup = self._lookup
        looked = self._looked[suffixes]
        while i < n_tok:
            word = words[i]
            spans = memo.get(word)
            if spans is None:
                spans = spans_from(word, suffixes)
            if not spans:
                # no phrase starts with this word
                if self.start_only:
                    break
                i += 1
                continue
            hit = None
            for n in spans:
                if n > n_tok - i:
                    continue
                run = words[i : i + n]
                hit = looked.get(run, _UNSEEN)
                if hit is _UNSEEN:
                    hit = lookup(run, lows[i : i + n], suffixes)
                    if len(looked) > 200_000:
                        looked.clear()
                    looked[run] = hit
                if hit is not None:
                    out.append((hit[0], hit[1], toks[i][1], toks[i + n - 1][2]))
                    i += n
                    break
            if self.start_only:
                break
            if hit is None:
                i += 1
        return tuple(out)
