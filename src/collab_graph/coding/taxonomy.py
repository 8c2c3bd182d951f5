"""The coding vocabulary as data: themes, kind cues and the organisation gazetteer.

Everything here is read from analyst-editable CSV files in ``data/`` (see
:func:`collab_graph.resources.data_dir`):

``themes.csv``
    One row per practice, barrier or benefit theme: ``id, kind, label,
    definition, cues, alt_labels, broader``. ``cues`` are ``;``-separated
    phrases; a phrase ending in ``*`` matches any word ending (``secondment*``).
``kind-cues.csv``
    Phrases that point at a note *kind* (``practice``, ``barrier``, ``benefit``,
    ``context``) and how much: ``kind, where, phrase, weight, comment``.
    ``where`` is ``anywhere``, ``start`` (only at the start of a note),
    ``label`` (an inline label such as ``Blockers –``), ``heading`` (a bullet
    that is a sub-heading and scopes the bullets after it) or ``topic`` (words
    in a question or prompt that say what the answers will be).
``organisations.csv``
    The gazetteer: ``id, label, type, aliases, case_sensitive_aliases, broader,
    note``. Aliases match whole words, ignoring case, dots and the kind of
    apostrophe, and allow a plural or possessive ending (``LA’s``,
    ``Integrated Joint Boards’s``). An alias written all in capitals
    (``IJB``, ``N.LAN``) and any alias in ``case_sensitive_aliases``
    (``State``, ``Slack``) must match with the same capitals. An alias listed
    on two rows tags both (``ABD City Shire``).
``not-organisations.csv``
    Phrases that look like an alias but are not one (roles such as ``chief
    executive``, topics such as ``mental health``).

Examples
--------
>>> gaz = load_gazetteer()
>>> [o.id for o in gaz.find("Joint integration – Social Care/ Health, N.LAN")]
['social_care', 'nhs', 'north_lanarkshire']
>>> [o.id for o in gaz.find("Shared services;  ABD City Shire Highland")]
['aberdeen_city', 'aberdeenshire', 'highland']
>>> gaz.find("the UNHSX project")
()
>>> tax = load_taxonomy()
>>> tax.themes["b_time_capacity"].kind
<ThemeKind.BARRIER: 'barrier'>
>>> [t.id for t, _ in tax.match_themes("Day job – no time")][:1]
['b_time_capacity']
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import TypeVar

from collab_graph.coding.fastmatch import dispatch_alternation
from collab_graph.errors import DataFileError
from collab_graph.model import NoteKind, Organisation, OrgType, Theme, ThemeKind
from collab_graph.resources import data_path

__all__ = [
    "CUE_WHERE",
    "Gazetteer",
    "KindCue",
    "OrgMention",
    "Taxonomy",
    "cue_pattern",
    "load_gazetteer",
    "load_kind_cues",
    "load_taxonomy",
    "normalise",
]

THEMES_FILE = "themes.csv"
KIND_CUES_FILE = "kind-cues.csv"
ORGS_FILE = "organisations.csv"
NOT_ORGS_FILE = "not-organisations.csv"

#: Where a kind cue may match (the ``where`` column of ``kind-cues.csv``).
CUE_WHERE = ("anywhere", "start", "label", "heading", "topic")

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


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split(";") if p.strip())


def _rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, row) from a UTF-8 CSV file, checking its header."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: data file not found", path=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read data file: {exc}", path=str(path)) from exc
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise DataFileError(
            f"{path}: line 1: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(required)}",
            path=str(path),
            line=1,
        )
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def _bad(path: Path, line: int | None, message: str) -> DataFileError:
    """A data-file error naming the file (and the line, when there is one)."""
    where = f"{path}: line {line}: " if line else f"{path}: "
    return DataFileError(where + message, path=str(path), line=line)


def _new_id(path: Path, line: int, value: str, seen: Mapping[str, object], what: str) -> str:
    """``value`` as the id of a new row; it may be neither empty nor used before."""
    if not value:
        raise _bad(path, line, f"empty {what} id")
    if value in seen:
        raise _bad(path, line, f"{what} id {value!r} is used twice")
    return value


def _choice(path: Path, line: int, value: str, choices: Iterable[str], what: str) -> str:
    """``value`` when it is one of ``choices``; else an error listing them."""
    allowed = list(choices)
    if value not in allowed:
        raise _bad(path, line, f"{what} {value!r}; use one of {', '.join(allowed)}")
    return value


def _known(path: Path, refs: Mapping[str, str], known: Mapping[str, object], what: str) -> None:
    """Every ``broader`` reference names an entry of the same file."""
    for child, parent in refs.items():
        if parent not in known:
            raise _bad(path, None, f"{what} {child!r} has unknown broader entry {parent!r}")


# ---------------------------------------------------------------------------
# Themes and kind cues
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KindCue:
    """A phrase that points at a note kind (a row of ``kind-cues.csv``)."""

    phrase: str
    kind: NoteKind
    where: str
    weight: float
    comment: str = ""


_TOKEN = re.compile(r"[A-Za-z]+(?:\.[A-Za-z]+)+\.?|\w+(?:'\w+)*|\?+|&")


@lru_cache(maxsize=8192)
def tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    """Word tokens of ``text`` (after :func:`normalise`) with their offsets.

    Dots inside abbreviations are dropped (``H.S.C.P`` → ``HSCP``), ``&`` reads
    as ``and``, runs of ``?`` are one token and hyphens or slashes split words.

    Examples
    --------
    >>> [t for t, _, _ in tokens("H.S.C.P & P&K’s five-day sprint??")]
    ['HSCP', 'and', 'P', 'and', "K's", 'five', 'day', 'sprint', '??']
    """
    out = []
    for m in _TOKEN.finditer(normalise(text)):
        tok = m.group()
        if tok == "&":
            tok = "and"
        elif tok.startswith("?"):
            tok = "??" if len(tok) > 1 else "?"
        elif "." in tok:
            tok = tok.replace(".", "")
        out.append((tok, m.start(), m.end()))
    return tuple(out)


@lru_cache(maxsize=1024)
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


def _remember(store: dict[K, V], key: K, value: V) -> None:
    """Keep ``value`` in a small first-in, first-out memory of :data:`_RECENT` entries."""
    if len(store) >= _RECENT:
        store.pop(next(iter(store)))
    store[key] = value


class _PhraseIndex:
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

    def _lookup(
        self, orig: tuple[str, ...], lower: tuple[str, ...], suffixes: bool
    ) -> tuple[str, tuple[object, ...]] | None:
        hit = self._sensitive.get(orig) or self._exact.get(lower)
        if hit is not None:
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
            _remember(self._recent, key, hits)
        return iter(hits)

    def _find(
        self, text: str, suffixes: bool
    ) -> tuple[tuple[str, tuple[object, ...], int, int], ...]:
        toks, words, lows = _token_words(text)
        if not toks:
            return ()
        out = []
        i, n_tok = 0, len(toks)
        reach = self._reach
        lookup = self._lookup
        loose = self._wild_prefixes.get(())  # one-word phrases ending in *
        while i < n_tok:
            word, low = words[i], lows[i]
            if (
                word not in reach
                and low not in reach
                and not (loose and low.startswith(loose))
                and not suffixes
            ):
                # no phrase starts with this word
                if self.start_only:
                    break
                i += 1
                continue
            hit = None
            longest = max(reach.get(word, 1), reach.get(low, 1))
            for n in range(min(longest, n_tok - i), 0, -1):
                hit = lookup(words[i : i + n], lows[i : i + n], suffixes)
                if hit is not None:
                    out.append((hit[0], hit[1], toks[i][1], toks[i + n - 1][2]))
                    i += n
                    break
            if self.start_only:
                break
            if hit is None:
                i += 1
        return tuple(out)


@dataclass(frozen=True)
class Taxonomy:
    """The themes (by id) and the kind cues, with compiled matchers.

    Use :func:`load_taxonomy` to build one from ``data/``.
    """

    themes: Mapping[str, Theme]
    kind_cues: tuple[KindCue, ...] = ()
    _theme_index: _PhraseIndex = field(init=False, repr=False, compare=False)
    _cue_index: dict[str, _PhraseIndex] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_phrase: dict[str, list[object]] = {}
        for theme in self.themes.values():
            for phrase in (theme.label, *theme.alt_labels, *theme.cues):
                key = phrase.lower()
                if theme not in by_phrase.setdefault(key, []):
                    by_phrase[key].append(theme)
        object.__setattr__(self, "_theme_index", _PhraseIndex(by_phrase))
        indexes: dict[str, _PhraseIndex] = {}
        for where in CUE_WHERE:
            phrases: dict[str, list[object]] = {}
            for cue in self.kind_cues:
                if cue.where == where:
                    phrases.setdefault(cue.phrase.lower(), []).append(cue)
            indexes[where] = _PhraseIndex(phrases, start_only=where == "start")
        object.__setattr__(self, "_cue_index", indexes)

    def by_kind(self, kind: ThemeKind | str) -> tuple[Theme, ...]:
        """Themes of one kind, in file order."""
        k = ThemeKind(kind)
        return tuple(t for t in self.themes.values() if t.kind is k)

    def match_themes(self, text: str) -> list[tuple[Theme, list[str]]]:
        """Themes whose cues occur in ``text``, strongest first, with the cues found.

        Strength is the number of words in the cues found, so a long, specific
        cue outweighs a short one.
        """
        found: dict[str, tuple[Theme, list[str]]] = {}
        score: dict[str, float] = {}
        order: dict[str, int] = {}
        for phrase, payloads, start, _ in self._theme_index.finditer(normalise(text)):
            for payload in payloads:
                assert isinstance(payload, Theme)
                entry = found.setdefault(payload.id, (payload, []))
                entry[1].append(phrase)
                score[payload.id] = score.get(payload.id, 0.0) + len(phrase.split())
                order.setdefault(payload.id, start)
        ids = sorted(found, key=lambda i: (-score[i], order[i]))
        return [found[i] for i in ids]

    def match_cues(self, text: str, where: str = "anywhere") -> list[tuple[KindCue, int, int]]:
        """Kind cues of one ``where`` class found in ``text``, with their start and end offsets.

        Examples
        --------
        >>> [(c.kind.value, c.phrase) for c, _, _ in load_taxonomy().match_cues("Lack of time")]
        [('barrier', 'lack of')]
        """
        out: list[tuple[KindCue, int, int]] = []
        for _, payloads, start, end in self._cue_index[where].finditer(normalise(text)):
            for payload in payloads:
                assert isinstance(payload, KindCue)
                out.append((payload, start, end))
        return out


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
    cues: list[KindCue] = []
    for line, row in _rows(p, ("kind", "where", "phrase", "weight")):
        kind = NoteKind(_choice(p, line, row["kind"], NoteKind, "unknown kind"))
        where = _choice(p, line, row["where"], CUE_WHERE, "unknown place")
        try:
            weight = float(row["weight"])
        except ValueError:
            raise _bad(p, line, f"weight {row['weight']!r} is not a number") from None
        if not row["phrase"]:
            raise _bad(p, line, "empty phrase")
        cues.append(KindCue(row["phrase"], kind, where, weight, row.get("comment", "")))
    return tuple(cues)


def load_taxonomy(path: Path | str | None = None, cues_path: Path | str | None = None) -> Taxonomy:
    """Read the themes (and the kind cues) into a :class:`Taxonomy`.

    Parameters
    ----------
    path : path-like, optional
        The themes CSV; defaults to ``data/themes.csv``.
    cues_path : path-like, optional
        The kind-cues CSV; defaults to ``kind-cues.csv`` beside the themes file
        when it exists there, else ``data/kind-cues.csv``.

    Returns
    -------
    Taxonomy

    Raises
    ------
    DataFileError
        When a file is missing, a column is missing, an id repeats or a kind is unknown.

    Examples
    --------
    >>> tax = load_taxonomy()
    >>> sorted({str(t.kind) for t in tax.themes.values()})
    ['barrier', 'benefit', 'practice']
    """
    if path is None:
        return _default_taxonomy()
    return _load_taxonomy(Path(path), Path(cues_path) if cues_path is not None else None)


@cache
def _default_taxonomy() -> Taxonomy:
    return _load_taxonomy(data_path(THEMES_FILE), None)


def _load_taxonomy(p: Path, cues_path: Path | None) -> Taxonomy:
    themes: dict[str, Theme] = {}
    for line, row in _rows(p, ("id", "kind", "label")):
        tid = _new_id(p, line, row["id"], themes, "theme")
        kind = ThemeKind(
            _choice(p, line, row["kind"], ThemeKind, f"theme {tid!r} has unknown kind")
        )
        themes[tid] = Theme(
            id=tid,
            kind=kind,
            label=row["label"],
            definition=row.get("definition", ""),
            cues=_split(row.get("cues") or row.get("keywords")),
            alt_labels=_split(row.get("alt_labels")),
            broader=row.get("broader") or None,
        )
    _known(p, {t.id: t.broader for t in themes.values() if t.broader}, themes, "theme")
    if cues_path is None:
        beside = p.with_name(KIND_CUES_FILE)
        cues_path = beside if beside.exists() else data_path(KIND_CUES_FILE)
    return Taxonomy(themes=themes, kind_cues=load_kind_cues(cues_path))


# ---------------------------------------------------------------------------
# Gazetteer
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgMention:
    """One alias found in a text: where, which words, and the entries it names."""

    start: int
    end: int
    text: str
    orgs: tuple[Organisation, ...]


def _alias_pattern(alias: str) -> str:
    """Regex for one alias: tolerant of dots, apostrophes, ``&``/``and`` and spacing."""
    alias = normalise(alias).strip()
    compact = alias.replace(".", "")
    out: list[str] = []
    if re.fullmatch(r"[A-Za-z]{2,6}", compact) and compact.isupper():
        # an acronym: ``HSCP`` also matches ``H.S.C.P`` and ``H. S. C. P.``
        return r"\.?\s?".join(re.escape(c) for c in compact) + r"\.?"
    i = 0
    while i < len(alias):
        c = alias[i]
        if c == ".":
            out.append(r"\.?\s*")
        elif c == "'":
            out.append("'?")
        elif c == "&":
            out.append(r"\s*(?:&|and)\s*")
        elif c == "/":
            out.append(r"\s*/\s*")
        elif c.isspace() or c == "-":
            out.append(r"[\s\-]+")
            while i + 1 < len(alias) and (alias[i + 1].isspace() or alias[i + 1] == "-"):
                i += 1
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


_SUFFIX = r"(?:s?'s?|s)?"  # plural / possessive: LAs, LA's, Boards's, Boards'


@dataclass(frozen=True)
class Gazetteer:
    """Organisations, partnerships, functions and tools, with a compiled alias matcher.

    Use :func:`load_gazetteer` to build one from ``data/``. Matching is on
    whole words; the longest alias wins where two overlap.
    """

    organisations: Mapping[str, Organisation]
    case_sensitive: frozenset[str] = frozenset()
    stop_phrases: tuple[str, ...] = ()
    broader: Mapping[str, str] = field(default_factory=dict)
    _rx: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _targets: list[tuple[Organisation, ...]] = field(init=False, repr=False, compare=False)
    # the mentions in the last few texts (a note is searched more than once)
    _recent: dict[str, tuple[OrgMention, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        by_alias: dict[tuple[str, bool], list[Organisation]] = {}
        for org in self.organisations.values():
            for alias in org.aliases:
                exact = alias in self.case_sensitive or _is_caps(alias)
                key = (alias if exact else alias.lower(), exact)
                by_alias.setdefault(key, [])
                if org not in by_alias[key]:
                    by_alias[key].append(org)
        for phrase in self.stop_phrases:
            by_alias.setdefault((phrase.lower(), False), [])
        keys = sorted(by_alias, key=lambda k: (-len(k[0].replace(".", "")), k))
        parts = []
        for alias, exact in keys:
            pat = _alias_pattern(alias)
            parts.append(f"({pat})" if exact else f"((?i:{pat}))")
        targets = [tuple(by_alias[k]) for k in keys]
        # same matches as "|".join(parts), dispatched on the first character (fast)
        body, group_of = dispatch_alternation(parts)
        rx = re.compile(rf"(?<!\w)(?:{body}){_SUFFIX}(?!\w)") if parts else None
        object.__setattr__(self, "_rx", rx)
        object.__setattr__(self, "_targets", [targets[i] for i in group_of[1:]])

    def mentions(self, text: str) -> list[OrgMention]:
        """Every alias found in ``text``, in order (stop phrases removed).

        A singular generic mention right after a named member of it
        (``P&K Council``, ``Shetland entire council``) is treated as part of the
        named mention and dropped.
        """
        if self._rx is None or not text:
            return []
        hit = self._recent.get(text)
        if hit is None:
            hit = self._mentions(self._rx, text)
            _remember(self._recent, text, hit)
        return list(hit)

    def _mentions(self, rx: re.Pattern[str], text: str) -> tuple[OrgMention, ...]:
        norm = normalise(text)
        found: list[OrgMention] = []
        prev_end = -1
        prev: tuple[Organisation, ...] = ()
        for m in rx.finditer(norm):
            orgs = self._targets[_group_index(m)]
            if orgs and prev and not norm[m.start() : m.end()].lower().endswith("s"):
                gap = norm[prev_end : m.start()].split()
                if len(gap) <= 1 and all(
                    self.broader.get(p.id) in {o.id for o in orgs} for p in prev
                ):
                    prev_end = m.end()
                    continue
            if orgs:
                found.append(OrgMention(m.start(), m.end(), text[m.start() : m.end()], orgs))
            prev, prev_end = orgs, m.end()
        return tuple(found)

    def find(self, text: str) -> tuple[Organisation, ...]:
        """The distinct entries named in ``text``, in order of first mention.

        Examples
        --------
        >>> gaz = load_gazetteer()
        >>> [o.id for o in gaz.find("Other LA’s Public Bodies, some private sectors")]
        ['local_authorities', 'public_bodies', 'private_sector']
        >>> [o.id for o in gaz.find("trelo, S.L.A.C.K tool")]
        ['trello', 'slack']
        """
        seen: dict[str, Organisation] = {}
        for mention in self.mentions(text):
            for org in mention.orgs:
                seen.setdefault(org.id, org)
        return tuple(seen.values())

    def of_type(self, *types: OrgType | str) -> tuple[Organisation, ...]:
        """Entries of the given types, e.g. ``gaz.of_type("tool")``."""
        wanted = {OrgType(t) for t in types}
        return tuple(o for o in self.organisations.values() if o.type in wanted)


def _group_index(m: re.Match[str]) -> int:
    # the alias groups are the only capturing groups, so lastindex names the alias
    # (``_targets`` is indexed by group, as an alias may appear in several buckets)
    return (m.lastindex or 1) - 1


def _is_caps(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def load_gazetteer(
    path: Path | str | None = None, not_orgs_path: Path | str | None = None
) -> Gazetteer:
    """Read the organisation gazetteer.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``data/organisations.csv``.
    not_orgs_path : path-like, optional
        Phrases that are not organisations; defaults to ``not-organisations.csv``
        beside ``path`` when it exists, else ``data/not-organisations.csv``.

    Returns
    -------
    Gazetteer

    Raises
    ------
    DataFileError
        When a file or column is missing, an id repeats, or a type is unknown.

    Examples
    --------
    >>> gaz = load_gazetteer()
    >>> gaz.organisations["trello"].type
    <OrgType.TOOL: 'tool'>
    >>> [o.id for o in gaz.find("Integrated Joint Boards’s")]
    ['ijb']
    """
    if path is None and not_orgs_path is None:
        return _default_gazetteer()
    p = Path(path) if path is not None else data_path(ORGS_FILE)
    if not_orgs_path is None:
        beside = p.with_name(NOT_ORGS_FILE)
        not_orgs_path = beside if beside.exists() else data_path(NOT_ORGS_FILE)
    return _load_gazetteer(p, Path(not_orgs_path))


@cache
def _default_gazetteer() -> Gazetteer:
    return _load_gazetteer(data_path(ORGS_FILE), data_path(NOT_ORGS_FILE))


def _load_gazetteer(p: Path, np: Path) -> Gazetteer:
    orgs: dict[str, Organisation] = {}
    exact: set[str] = set()
    broader: dict[str, str] = {}
    for line, row in _rows(p, ("id", "label", "type", "aliases")):
        oid = _new_id(p, line, row["id"], orgs, "organisation")
        otype = OrgType(
            _choice(p, line, row["type"], OrgType, f"organisation {oid!r} has unknown type")
        )
        cs = _split(row.get("case_sensitive_aliases"))
        exact.update(cs)
        aliases = tuple(dict.fromkeys((*_split(row["aliases"]), *cs)))
        orgs[oid] = Organisation(
            id=oid, label=row["label"], type=otype, aliases=aliases, note=row.get("note", "")
        )
        if row.get("broader"):
            broader[oid] = row["broader"]
    _known(p, broader, orgs, "organisation")
    stops: list[str] = []
    if np.exists():
        stops = [row["phrase"] for _, row in _rows(np, ("phrase",)) if row["phrase"]]
    return Gazetteer(
        organisations=orgs,
        case_sensitive=frozenset(exact),
        stop_phrases=tuple(stops),
        broader=broader,
    )
