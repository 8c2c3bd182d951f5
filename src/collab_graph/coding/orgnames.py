"""Organisation names that no gazetteer entry holds yet, found by general patterns.

The gazetteer (:mod:`collab_graph.coding.gazetteer`) knows the organisations
and tools an analyst has listed. Notes name many others, so a note's text is
also read for the *shape* of an organisation's name. Every rule is a pattern
of English writing, never a list of the names themselves:

``acronym``
    2 to 8 capitals, digits or ``&`` with at least two capitals (``UKRI``,
    ``W3C``, ``A&B``), a plural ``s`` allowed (``RCs``), and not one of the
    terms of ``data/not-org-acronyms.csv`` (``API``, ``PhD``, ``TBC``, ``UK``,
    ...). A place acronym of that file next to another acronym is part of its
    name (``HDR UK``, ``UK TRE``).
``camel``
    one word with a capital after a small letter (``DataLoch``, ``NumFOCUS``):
    how companies, projects and platforms write their names. ``McDonald``-like
    surnames and the terms of the stop list (``LaTeX``, ``JavaScript``) are not.
``hyphen``
    capitalised parts joined by hyphens, one of them an acronym (``Nordic-RSE``).
``named``
    capitalised words, joined by ``of``, ``for``, ``and`` or ``&``, that end in
    (or, with ``of X``, start with) an organisation word of
    ``data/org-name-words.csv``: ``Fife Council``, ``Council of Europe``,
    ``University of Otago``, ``Sortition Foundation``. A *weak* word
    (``Group``, ``Team``, ``Network``) names an organisation only beside a
    proper part (an acronym or a word that no dictionary lists in lower case):
    ``IG Interest Group`` does, ``Working Group`` and ``Group 3`` do not.
``prefix``
    ``NHS`` and a capitalised word (``NHS England``).
``unknown``
    a capitalised word inside a sentence (not its first word, not in a title),
    standing alone, that the English dictionary of ``data/english-words.csv``
    does not hold in any case: ``the Carpentries``, ``someone from Palantir``.
    Names of people and places are mostly in that dictionary (``Megan``,
    ``Brussels``), and a word next to another capitalised word is left out,
    as ``Firstname Surname`` pairs are names of people.

A sentence's first word is capitalised whatever it is, so a name never starts
with a *starter* word of ``data/org-name-words.csv`` ("The", "Contact",
"Thanks") at the start of a sentence, and the ``unknown`` rule skips
sentence-initial words ("Funding was tight" names nothing). Links, e-mail
addresses, ``@handles``, HackMD ``[name=...]`` tags, HTML tags and entities and
inline code are read as blanks.

A detected name becomes an :class:`~collab_graph.model.Organisation` with
``resolved=False``, type ``other`` and the id ``unresolved:{slug}``
(:func:`unresolved_id`), stable across runs and notes.

``english-words.csv`` is the union of the ``wamerican`` and ``wbritish``
word lists of SCOWL (Spell Checker Oriented Word Lists, copyright 2000-2011
Kevin Atkinson; see ``data/english-words.NOTICE``), without words holding an apostrophe.

Examples
--------
>>> rules = load_name_rules()
>>> [n.label for n in detect_names("Funding from UKRI and the NIHR via NHS England", rules)]
['UKRI', 'NIHR', 'NHS England']
>>> [n.label for n in detect_names("Met the University of Otago and Fife Council", rules)]
['University of Otago', 'Fife Council']
>>> detect_names("Funding was tight; the PI wrote the API docs TBC", rules)
()
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import overload

from slugify import slugify

from collab_graph.coding.gazetteer import OrgMention
from collab_graph.coding.lexicon import normalise
from collab_graph.csvfiles import parse_csv_text, read_text
from collab_graph.model import Organisation, OrgType
from collab_graph.resources import data_path

__all__ = [
    "UNRESOLVED_PREFIX",
    "NameRules",
    "NameSpan",
    "detect_names",
    "find_orgs",
    "is_unresolved_id",
    "load_name_rules",
    "one_word_names",
    "read_orgs",
    "unresolved_id",
    "unresolved_org",
]

WORDS_FILE = "org-name-words.csv"
ACRONYMS_FILE = "not-org-acronyms.csv"
DICTIONARY_FILE = "english-words.csv"
UNRESOLVED_PREFIX = "unresolved:"
"""The id of a detected name is this prefix and the name's slug."""

ROLES = ("head", "weak", "prefix", "connector", "starter", "follower")
"""The roles of a word in ``org-name-words.csv``."""

_GEOGRAPHY = "geography"
_ROLE = "role"


@dataclass(frozen=True, slots=True)
class NameSpan:
    """One detected name: where it is, its words as written, its label and the rule that found it.

    ``common`` is True for an acronym written as a common noun (a plural
    ``TREs``, or "a TRE", "each SDE" with no noun after it): the term for a
    kind of thing rather than the name of one organisation, so
    :func:`find_orgs` leaves it out. ``weak`` is True for a ``named`` name
    whose organisation word is a weak one (``Group``, ``Project``).
    """

    start: int
    end: int
    text: str
    label: str
    rule: str
    common: bool = False
    weak: bool = False


@dataclass(frozen=True)
class NameRules:
    """The word lists the patterns read (see the module docstring).

    Attributes
    ----------
    heads, weak, prefixes, connectors, starters, followers : frozenset of str
        The words of ``org-name-words.csv`` by role.
    stop : mapping of str to str
        Acronyms and terms that are not organisations, with their category.
    words : frozenset of str
        Lower-cased words of the English dictionary.
    lower : frozenset of str
        Words the dictionary lists in lower case (ordinary words, not only names).
    """

    heads: frozenset[str]
    weak: frozenset[str]
    prefixes: frozenset[str]
    connectors: frozenset[str]
    starters: frozenset[str]
    followers: frozenset[str]
    stop: Mapping[str, str]
    words: frozenset[str]
    lower: frozenset[str]

    def proper(self, word: str) -> bool:
        """True when ``word`` is a proper part of a name: an acronym, camel-case, or
        a word that the dictionary does not list in lower case ("Otago", "Nordic").

        Examples
        --------
        >>> rules = load_name_rules()
        >>> [rules.proper(w) for w in ("Working", "Nordic", "IG", "Otago", "DataLoch")]
        [False, True, True, True, True]
        """
        core = _strip_possessive(word)
        if _ACRONYM.fullmatch(core) or _CAMEL.search(core):
            return True
        return core.lower() not in self.lower


def unresolved_id(label: str) -> str:
    """The stable id of a detected name: ``unresolved:`` and its slug.

    A leading "the", a possessive and an acronym's plural ``s`` do not count,
    so "the RWOTs" and "RWOT" are one organisation.

    Examples
    --------
    >>> unresolved_id("The Nordic-RSE"), unresolved_id("RWOTs"), unresolved_id("NHS England's")
    ('unresolved:nordic-rse', 'unresolved:rwot', 'unresolved:nhs-england')
    """
    name = _strip_possessive(label.strip())
    name = re.sub(r"^(?:the|The|THE)\s+", "", name)
    if _ACRONYM_PLURAL.fullmatch(name):
        name = name[:-1]
    slug = slugify(name, lowercase=True, separator="-") or "name"
    return f"{UNRESOLVED_PREFIX}{slug}"


def is_unresolved_id(org_id: str) -> bool:
    """True for the id of a detected name (``unresolved:...``) with a non-empty slug.

    Examples
    --------
    >>> [is_unresolved_id(i) for i in ("unresolved:ukri", "nhs", "unresolved:")]
    [True, False, False]
    """
    slug = org_id.removeprefix(UNRESOLVED_PREFIX)
    return (
        org_id.startswith(UNRESOLVED_PREFIX)
        and bool(slug)
        and slugify(slug, lowercase=True, separator="-") == slug
    )


def unresolved_org(label: str, org_id: str | None = None) -> Organisation:
    """The :class:`~collab_graph.model.Organisation` of a detected name (``resolved=False``).

    Examples
    --------
    >>> unresolved_org("UKRI").ref()
    {'id': 'unresolved:ukri', 'label': 'UKRI', 'type': 'organisation', 'resolved': False}
    """
    return Organisation(
        id=org_id or unresolved_id(label),
        label=label,
        type=OrgType.OTHER,
        note="Detected in the notes; no gazetteer entry holds it yet.",
        resolved=False,
    )


# --------------------------------------------------------------------------- loading


def load_name_rules(
    words_path: Path | str | None = None,
    acronyms_path: Path | str | None = None,
    dictionary_path: Path | str | None = None,
) -> NameRules:
    """Read the word lists of the name patterns (defaults: the bundled ``data/`` files).

    Raises
    ------
    DataFileError
        When a file or column is missing or a role is unknown (naming the file and line).

    Examples
    --------
    >>> rules = load_name_rules()
    >>> "Council" in rules.heads, rules.stop["API"], "brussels" in rules.words
    (True, 'tech', True)
    """
    paths = (
        Path(words_path) if words_path else data_path(WORDS_FILE),
        Path(acronyms_path) if acronyms_path else data_path(ACRONYMS_FILE),
        Path(dictionary_path) if dictionary_path else data_path(DICTIONARY_FILE),
    )
    texts = tuple((str(p), read_text(p, "organisation name file")) for p in paths)
    return _rules_from(texts)


@lru_cache(maxsize=4)
def _rules_from(texts: tuple[tuple[str, str], ...]) -> NameRules:
    (wp, wt), (ap, at), (dp, dt) = texts
    by_role: dict[str, set[str]] = {r: set() for r in ROLES}
    for row in parse_csv_text(wt, Path(wp), required=("word", "role")):
        role = row.choice("role", ROLES, "unknown role")
        by_role[role].add(row["word"])
    stop = {
        row["acronym"]: row.get("category", "other")
        for row in parse_csv_text(at, Path(ap), required=("acronym",))
        if row["acronym"]
    }
    words: set[str] = set()
    lower: set[str] = set()
    lines = dt.splitlines()
    if not lines or lines[0].strip().lstrip("\ufeff") != "word":
        from collab_graph.errors import DataFileError

        raise DataFileError(f"{dp}: line 1: expected the header 'word'", path=dp, line=1)
    for line in lines[1:]:
        w = line.strip()
        if w:
            words.add(w.lower())
            if w[0].islower():
                lower.add(w)
    return NameRules(
        heads=frozenset(by_role["head"]),
        weak=frozenset(by_role["weak"]),
        prefixes=frozenset(by_role["prefix"]),
        connectors=frozenset(by_role["connector"]),
        starters=frozenset(by_role["starter"]),
        followers=frozenset(by_role["follower"]),
        stop=stop,
        words=frozenset(words),
        lower=frozenset(lower),
    )


# --------------------------------------------------------------------------- patterns

# what is read as blank: links (markdown targets, bare URLs, www.), e-mail addresses,
# @handles, HackMD [name=...] tags, HTML tags and entities, inline code
_MASK = re.compile(
    r"\]\([^)\s]*\)?"
    r"|<[^<>\n]{0,300}>"
    r"|\b(?:https?|ftp)://\S+"
    r"|\bwww\.\S+"
    r"|[\w.+-]+@[\w-]+\.[\w.]+"
    r"|\[name=[^\]\n]*\]"
    r"|&#?\w{1,8};"
    r"|`[^`\n]*`"
)
_MASK_HINT = re.compile(r"[:/@<\[&`]|www\.")
_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")
_INITIAL_WORD = re.compile(r"[^\w]*([A-Z][a-z]+)(?![\w&'.\-])")
_TOKEN = re.compile(r"[^\W_]+(?:[&'.\-][^\W_]+)*|&")
_ACRONYM = re.compile(r"(?=(?:[0-9&]*[A-Z]){2})[A-Z][A-Z0-9&]{1,7}")
_ACRONYM_PLURAL = re.compile(r"(?=(?:[0-9&]*[A-Z]){2})[A-Z][A-Z0-9&]{1,7}s")
_CAMEL = re.compile(r"[a-z][A-Z]")
_SURNAME = re.compile(r"(?:Mc|Mac|O'|D'|De|Di|Da|Du|La|Le|Van|Von|Fitz)[A-Z][a-z]+")
_ROMAN = re.compile(r"(?:X{0,3})(?:IX|IV|V?I{0,3})")
_TITLE_WORD = re.compile(r"[A-Z][a-z]+(?:-[A-Za-z]+)*")
_COMMON_BEFORE = frozenset(
    "a an each every per another any multiple several many other different both these those "
    "individual existing separate own".split()
)
_FUNCTION = frozenset(
    "to in on at for with from by of and or but that which who is are was were be been has have "
    "had can could should would will may might must does do did as than".split()
)
_HONORIFICS = frozenset({"Dr", "Prof", "Professor", "Mr", "Mrs", "Ms", "Miss", "Sir", "Dame"})
_BOUNDARY = frozenset(".!?:;|\n")


def _strip_possessive(word: str) -> str:
    if word.endswith("'s") or word.endswith("'S"):
        return word[:-2]
    return word[:-1] if word.endswith("'") else word


@dataclass(slots=True)
class _Tok:
    text: str  # without a possessive ending
    start: int
    end: int  # of ``text``
    initial: bool  # first word of a sentence, line or cell
    joined: bool  # only spaces (or a hyphen) between it and the previous token


class _Tokens(Sequence[_Tok]):
    """The word tokens of a text, built one by one as the patterns look at them.

    Most words of a note are lower case and no pattern looks at them twice, so
    only their text and offset are found up front (in C); a :class:`_Tok` with
    its sentence position is built when a pattern asks for it.
    """

    __slots__ = ("_built", "norm", "starts", "words")

    def __init__(self, norm: str) -> None:
        self.norm = norm
        self.words: list[str] = _TOKEN.findall(norm)
        starts: list[int] = []
        pos = 0
        find = norm.find
        for w in self.words:
            pos = find(w, pos)
            starts.append(pos)
            pos += len(w)
        self.starts = starts
        self._built: dict[int, _Tok] = {}

    def __len__(self) -> int:
        return len(self.words)

    @overload
    def __getitem__(self, i: int) -> _Tok: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[_Tok]: ...

    def __getitem__(self, i: int | slice) -> _Tok | Sequence[_Tok]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self.words)))]
        if i < 0:
            i += len(self.words)
        tok = self._built.get(i)
        if tok is None:
            tok = self._built[i] = self._build(i)
        return tok

    def _build(self, i: int) -> _Tok:
        raw, start, norm = self.words[i], self.starts[i], self.norm
        core = _strip_possessive(raw)
        if i == 0:
            gap = norm[:start]
            initial, joined = True, False
        else:
            prev_end = self.starts[i - 1] + len(self.words[i - 1])
            gap = norm[prev_end:start]
            initial = not _BOUNDARY.isdisjoint(gap) or ("-" in gap and " - " in f" {gap} ")
            joined = not gap.strip(" \t")
        return _Tok(core, start, start + len(core), initial, joined)


def _nothing_to_find(norm: str) -> bool:
    """True when no pattern can match: no capital letter, or only a plain capitalised
    first word ("Funding was tight"). A quick look that spares most notes the tokens.
    """
    cap = _UPPER.search(norm)
    if cap is None:
        return True
    first = _INITIAL_WORD.match(norm)
    if first is None or first.start(1) != cap.start():
        return False
    return _UPPER.search(norm, first.end()) is None


def _covered(norm: str, mentions: Sequence[OrgMention]) -> bool:
    """True when every capital letter of the text is in a gazetteer mention or is the
    first letter of a plain first word: then no name can be found that the gazetteer
    does not already hold (a quick look, as most notes name only known organisations).
    """
    first = _INITIAL_WORD.match(norm)
    skip = first.start(1) if first is not None else -1
    spans = [(m.start, m.end) for m in mentions]
    for cap in _UPPER.finditer(norm):
        c = cap.start()
        if c == skip:
            continue
        for a, b in spans:
            if a <= c < b:
                break
        else:
            return False
    return True


def _is_acronym(word: str, rules: NameRules) -> bool:
    if word in rules.stop:
        return False
    core = word[:-1] if _ACRONYM_PLURAL.fullmatch(word) else word
    return (
        bool(_ACRONYM.fullmatch(core))
        and core not in rules.stop
        and not _ROMAN.fullmatch(core)
        and not core.isdigit()
    )


def _is_camel(word: str, rules: NameRules) -> bool:
    return (
        bool(_CAMEL.search(word))
        and word not in rules.stop
        and not _SURNAME.fullmatch(word)
        and any(c.isupper() for c in word)
        and "-" not in word
    )


def _is_hyphen_name(word: str, rules: NameRules) -> bool:
    if "-" not in word or word in rules.stop:
        return False
    parts = word.split("-")
    if not all(parts):
        return False
    acro = [p for p in parts if _ACRONYM.fullmatch(p)]
    return bool(acro) and all(_ACRONYM.fullmatch(p) or _TITLE_WORD.fullmatch(p) for p in parts)


def _cap(tok: _Tok, rules: NameRules) -> bool:
    """A capitalised word that can be part of a name (not a sentence's starter word)."""
    w = tok.text
    if not w[0].isupper() or w in rules.stop:
        return False
    return not (tok.initial and w in rules.starters)


def _sentences(toks: Sequence[_Tok]) -> list[tuple[int, int]]:
    """Token ranges [start, end) of the sentences (a new one at each initial token)."""
    out: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(toks) + 1):
        if i == len(toks) or toks[i].initial:
            out.append((start, i))
            start = i
    return out


def _titled(toks: Sequence[_Tok], rules: NameRules) -> list[bool]:
    """Per token: is it in a title-cased sentence (three or more capitalised words
    after the first, and most of its content words capitalised)?"""
    out = [False] * len(toks)
    for start, end in _sentences(toks):
        content = [
            t.text
            for t in toks[start + 1 : end]
            if len(t.text) >= 3
            and t.text.isalpha()
            and t.text not in rules.connectors
            and not _ACRONYM.fullmatch(t.text)
            and not _CAMEL.search(t.text)
        ]
        caps = sum(1 for w in content if w[0].isupper())
        if caps >= 3 and caps / len(content) >= 0.7:
            for j in range(start, end):
                out[j] = True
    return out


def _whole_name(word: str, rules: NameRules) -> bool:
    """An organisation word or an acronym: a name's last word, so "and" after it starts another."""
    return word in rules.heads or word in rules.weak or bool(_ACRONYM.fullmatch(word))


def _name_follows(toks: Sequence[_Tok], m: int, rules: NameRules) -> bool:
    """Do the capitalised words from token ``m`` on make a name of their own (two or
    more words, or an organisation word)? Then "and" before them joins two names."""
    count = 0
    while m < len(toks) and toks[m].joined and _cap(toks[m], rules):
        if toks[m].text in rules.heads or toks[m].text in rules.weak:
            return True
        m += 1
        count += 1
    return count >= 2


def _named(
    toks: Sequence[_Tok], i: int, rules: NameRules, claimed: set[int]
) -> tuple[int, int] | None:
    """The token range [j, k] of an org-word name around head token ``i``, or None.

    It does not reach into ``claimed`` tokens (names found further left).
    """
    head = toks[i].text
    weak = head in rules.weak

    def connector(t: _Tok) -> bool:
        return t.text in rules.connectors

    # left: capitalised words, or "and"/"&"/"of"/"for" between two of them
    j = i
    while j > 0 and toks[j].joined and j - 1 not in claimed:
        prev = toks[j - 1]
        if _cap(prev, rules) and not (toks[j].initial):
            j -= 1
            continue
        if (
            connector(prev)
            and prev.text != "the"
            and j >= 2
            and j - 2 not in claimed
            and prev.joined
            and _cap(toks[j - 2], rules)
            and not prev.initial
            and not toks[j].initial
            and not (prev.text in ("and", "&") and _whole_name(toks[j - 2].text, rules))
        ):
            j -= 2
            continue
        break
    # right: "of/for [the] Capitalised ..." and further capitalised words
    k = i
    while k + 1 < len(toks) and toks[k + 1].joined and not toks[k + 1].initial:
        nxt = toks[k + 1]
        if _cap(nxt, rules) and (nxt.text in rules.heads or nxt.text in rules.weak or k > i):
            k += 1
            continue
        if connector(nxt) and nxt.text != "the" and k + 2 < len(toks):
            m = k + 2
            if toks[m].text == "the" and m + 1 < len(toks) and toks[m].joined:
                m += 1
            # "and"/"&" joins the words of one name, not two names
            # ("University of Otago and Fife Council" is two)
            if (
                toks[m].joined
                and not toks[m].initial
                and _cap(toks[m], rules)
                and (nxt.text in ("of", "for") or (k > i and not _name_follows(toks, m, rules)))
            ):
                k = m
                continue
        break
    while j < i and (toks[j].text in rules.connectors or toks[j].text in rules.starters):
        j += 1
    parts = [t.text for t in toks[j : k + 1] if t.text not in rules.connectors]
    if len(parts) < 2:
        return None
    others = [
        t.text for t in toks[j : k + 1] if t is not toks[i] and t.text not in rules.connectors
    ]
    if weak and not (
        any(rules.proper(w) for w in others if w not in rules.weak and w not in rules.heads)
        or (_ACRONYM.fullmatch(head) and others)
    ):
        return None
    return j, k


def detect_names(
    text: str, rules: NameRules, known: frozenset[str] = frozenset()
) -> tuple[NameSpan, ...]:
    """Organisation names in ``text`` found by the patterns of the module docstring.

    Parameters
    ----------
    text : str
        A note's text (offsets are offsets in it).
    rules : NameRules
        From :func:`load_name_rules`.
    known : frozenset of str, optional
        Lower-cased one-word names found elsewhere in the same workshop: such a
        word is a name here too, at the start of a sentence or in lower case
        (``coderefinery`` where another note wrote "Coderefinery").

    Returns
    -------
    tuple of NameSpan
        In text order, not overlapping (a longer name wins).

    Examples
    --------
    >>> rules = load_name_rules()
    >>> [(n.label, n.rule) for n in detect_names("Ask Nordic-RSE and DataLoch (HDR UK)", rules)]
    [('Nordic-RSE', 'hyphen'), ('DataLoch', 'camel'), ('HDR UK', 'acronym')]
    >>> [n.label for n in detect_names("Sessions run by the Carpentries on Zoom", rules)]
    ['Carpentries']
    >>> detect_names("Megan Smith met Group 3 in Brussels", rules)
    ()
    """
    if not text:
        return ()
    norm = normalise(text)
    if _MASK_HINT.search(norm):
        norm = _MASK.sub(lambda m: " " * len(m.group()), norm)
    if not known and _nothing_to_find(norm):
        return ()
    toks = _Tokens(norm)
    words = toks.words
    found: list[tuple[int, int, str]] = []  # token ranges and rule
    titled: list[bool] | None = None
    claimed: set[int] = set()
    n = len(toks)
    for i, word in enumerate(words):
        if word.islower() and not known and word not in rules.heads and "-" not in word:
            continue
        tok = toks[i]
        w = tok.text
        if not w:
            continue
        if not (w[0].isupper() or _CAMEL.search(w) or w in rules.heads):
            affixed = "-" in w and any(c.isupper() for c in w)
            if not affixed and not (known and _core_word(w)[0].lower() in known):
                continue
        if w in rules.heads or w in rules.weak:
            rng = _named(toks, i, rules, claimed)
            if rng is not None:
                found.append((rng[0], rng[1], "named-weak" if w in rules.weak else "named"))
                claimed.update(range(rng[0], rng[1] + 1))
                continue
        if (
            w in rules.prefixes
            and i + 1 < n
            and toks[i + 1].joined
            and _cap(toks[i + 1], rules)
            and not toks[i + 1].initial
            and toks[i + 1].text not in rules.stop
        ):
            found.append((i, i + 1, "prefix"))
            continue
        if _is_acronym(w, rules) or (
            rules.stop.get(w) == _ROLE
            and i > 0
            and tok.joined
            and rules.stop.get(toks[i - 1].text) == _GEOGRAPHY
        ):
            j, k = i, i
            if i > 0 and toks[i].joined and rules.stop.get(toks[i - 1].text) == _GEOGRAPHY:
                j = i - 1
            if (
                i + 1 < n
                and toks[i + 1].joined
                and not toks[i + 1].initial
                and rules.stop.get(toks[i + 1].text) == _GEOGRAPHY
            ):
                k = i + 1
            if j == k:
                if w in rules.stop or w.lower() in rules.lower:
                    # an ordinary word in capitals: emphasis ("use MY data"), not a name
                    continue
                next_char = norm[tok.end : tok.end + 1]
                if len(w) == 2 and (
                    (tok.initial and next_char == ":")
                    or (norm[tok.start - 1 : tok.start] == "[" and next_char == "]")
                ):
                    continue  # a person's initials: "KO: ...", "[NM] ..."
            prev_word = toks[i - 1].text.lower() if i > 0 and tok.joined else ""
            head = k + 1 >= n or not toks[k + 1].joined or toks[k + 1].text in _FUNCTION
            common = bool(_ACRONYM_PLURAL.fullmatch(w)) or (
                j == i and prev_word in _COMMON_BEFORE and head
            )
            found.append((j, k, "acronym-common" if common else "acronym"))
            continue
        if _is_hyphen_name(w, rules):
            found.append((i, i, "hyphen"))
            continue
        if _is_camel(w, rules):
            found.append((i, i, "camel"))
            continue
        core, offset = _core_word(w)
        if known and core[:1].isupper() and core.lower() in known:
            found.append((i, i, f"known@{offset}:{len(core)}"))
            continue
        if (
            not tok.initial
            and len(core) >= 4
            and core.isalpha()
            and core[0].isupper()
            and core[1:].islower()
            and core.lower() not in rules.words
            and core not in rules.stop
            and not _coined(core.lower(), rules)
        ):
            if titled is None:
                titled = _titled(toks, rules)
            if titled[i]:
                continue
            before = toks[i - 1] if i > 0 and tok.joined else None
            after = toks[i + 1] if i + 1 < n and toks[i + 1].joined else None
            if before is not None and (
                before.text in _HONORIFICS or (before.text[0].isupper() and not before.initial)
            ):
                continue  # a surname ("Ms Faya", "Ngoni Faya")
            if (
                before is not None
                and before.initial
                and before.text[0].isupper()
                and before.text not in rules.starters
            ):
                continue
            if (
                after is not None
                and after.text[0].isupper()
                and not after.initial
                and after.text not in rules.followers
            ):
                continue  # a first name before a surname; "X Community", "X Chat" are fine
            if after is not None and after.text.lower() in _SAYS:
                continue  # a person: "Amar mentioned ..."
            found.append((i, i, f"unknown@{offset}:{len(core)}"))
    return _spans(norm, text, toks, found)


_SUFFIXES = (
    "ship", "ships", "ity", "ities", "ing", "ings", "ness", "tion", "tions", "sion", "sions",
    "ment", "ments", "ance", "ances", "ence", "ences", "able", "ible", "ism", "isms", "ist",
    "ists", "ize", "ise", "ised", "ized", "ology", "ologies", "ful", "less", "ive", "ous",
    "ally", "ee", "ees",
)  # fmt: skip
_PREFIXES = ("un", "re", "co", "pre", "non", "sub", "inter", "multi", "over", "under", "out")
_SAYS = frozenset(
    "said says mentioned noted suggested asked explained presented proposed agreed commented "
    "replied answered raised described highlighted pointed talked volunteered thanked felt "
    "thinks thought wondered emphasised emphasized shared joined led wrote added".split()
)


def _coined(word: str, rules: NameRules) -> bool:
    """Is a word that no dictionary holds an English word all the same: a derived form
    ("mentorship", "reproducibility") or a prefixed word ("unconference")?

    Examples
    --------
    >>> rules = load_name_rules()
    >>> [_coined(w, rules) for w in ("mentorship", "unconference", "carpentries", "dataiku")]
    [True, True, False, False]
    """
    if word.endswith(_SUFFIXES):
        return True
    return any(word.startswith(p) and word[len(p) :] in rules.lower for p in _PREFIXES)


def _core_word(word: str) -> tuple[str, int]:
    """The capitalised part of a word with lower-case hyphenated affixes, and its offset.

    Examples
    --------
    >>> _core_word("non-Carpentries"), _core_word("Carpentries-based"), _core_word("Otago")
    (('Carpentries', 4), ('Carpentries', 0), ('Otago', 0))
    """
    if "-" not in word:
        return word, 0
    parts = word.split("-")
    caps = [p for p in parts if p[:1].isupper()]
    if len(caps) != 1 or not all(p.islower() for p in parts if p is not caps[0]):
        return word, 0
    return caps[0], word.index(caps[0])


def _spans(
    norm: str, text: str, toks: Sequence[_Tok], found: list[tuple[int, int, str]]
) -> tuple[NameSpan, ...]:
    def bounds(f: tuple[int, int, str]) -> tuple[int, int]:
        j, k, rule = f
        if "@" in rule:  # a word's core: "unknown@4:11" is 11 characters from offset 4
            offset, length = (int(x) for x in rule.split("@")[1].split(":"))
            return toks[j].start + offset, toks[j].start + offset + length
        return toks[j].start, toks[k].end

    found.sort(key=lambda f: (bounds(f)[0], bounds(f)[0] - bounds(f)[1]))
    out: list[NameSpan] = []
    last_end = -1
    for f in found:
        rule = f[2].split("@")[0]
        start, end = bounds(f)
        if start < last_end:
            prev = out[-1]
            if end - start <= prev.end - prev.start:
                continue
            out.pop()
        label = " ".join(text[start:end].split())
        common = rule.endswith("-common")
        weak = rule.endswith("-weak")
        rule = rule.removesuffix("-common").removesuffix("-weak")
        out.append(NameSpan(start, end, text[start:end], label, rule, common, weak))
        last_end = end
    return tuple(out)


# --------------------------------------------------------------------------- with the gazetteer


def find_orgs(
    text: str,
    mentions: Sequence[OrgMention],
    rules: NameRules,
    names: Sequence[NameSpan] | None = None,
) -> tuple[Organisation, ...]:
    """The organisations and tools a text names: gazetteer entries and detected names.

    A detected name that holds gazetteer mentions and is longer than they are
    names another organisation and replaces them ("NHS England" is not the
    gazetteer's generic NHS; "University of Otago" not its generic
    universities). A name inside a gazetteer mention, one that overlaps a
    mention only in part, one that holds a tool ("Trello Board"), one that
    holds two or more mentions ("Highland and Scottish Government" names two
    known organisations) and a team, project or group named after a known
    organisation ("Aberdeen Project") are left out: the gazetteer's entries
    stand.

    Parameters
    ----------
    text : str
        The note's text.
    mentions : sequence of OrgMention
        What the gazetteer found in it (:meth:`Gazetteer.mentions`).
    rules : NameRules
        From :func:`load_name_rules`.
    names : sequence of NameSpan, optional
        :func:`detect_names` of the text, when the caller has it already.

    Returns
    -------
    tuple of Organisation
        Distinct by id, in order of first mention.

    Examples
    --------
    >>> from collab_graph.coding.gazetteer import load_gazetteer
    >>> gaz, rules = load_gazetteer(), load_name_rules()
    >>> text = "NHS England, NHS Fife and UKRI shared a Trello board on GitHub"
    >>> [(o.id, o.resolved) for o in find_orgs(text, gaz.mentions(text), rules)]
    [('unresolved:nhs-england', False), ('nhs_fife', True), ('unresolved:ukri', False), \
('trello', True), ('github', True)]
    """
    return _merge(text, mentions, rules, names)[0]


def read_orgs(
    text: str, mentions: Sequence[OrgMention], rules: NameRules
) -> tuple[tuple[Organisation, ...], frozenset[str]]:
    """:func:`find_orgs`, and the one-word names it kept (:func:`one_word_names`).

    Examples
    --------
    >>> from collab_graph.coding.gazetteer import load_gazetteer
    >>> gaz, rules = load_gazetteer(), load_name_rules()
    >>> text = "Run by the Quorvanti team on Trello"
    >>> orgs, names = read_orgs(text, gaz.mentions(text), rules)
    >>> [o.id for o in orgs], sorted(names)
    (['unresolved:quorvanti', 'trello'], ['quorvanti'])
    """
    orgs, kept = _merge(text, mentions, rules, None)
    return orgs, one_word_names(kept)


def _merge(
    text: str,
    mentions: Sequence[OrgMention],
    rules: NameRules,
    names: Sequence[NameSpan] | None,
) -> tuple[tuple[Organisation, ...], list[NameSpan]]:
    if names is None:
        names = () if _covered(normalise(text), mentions) else detect_names(text, rules)
    if mentions and ("/" in text or "@" in text or "`" in text):
        masked = [m.span() for m in _MASK.finditer(normalise(text))]
        mentions = [m for m in mentions if not any(a <= m.start and m.end <= b for a, b in masked)]
    names = [n for n in names if not n.common]
    if not names:
        return _distinct(o for m in mentions for o in m.orgs), []
    dropped: set[int] = set()
    kept: list[NameSpan] = []
    for name in names:
        over = [i for i, m in enumerate(mentions) if m.start < name.end and name.start < m.end]
        if not over:
            kept.append(name)
            continue
        ms = [mentions[i] for i in over]
        if any(m.start <= name.start and name.end <= m.end for m in ms):
            continue
        if any(o.type is OrgType.TOOL for m in ms for o in m.orgs):
            continue
        if name.weak:
            continue  # a project, team or group of a known organisation: "Aberdeen Project"
        if len(over) > 1:
            continue  # known organisations in a row: "Highland and Scottish Government"
        if all(name.start <= m.start and m.end <= name.end for m in ms):
            kept.append(name)
            dropped.update(over)
    found: list[tuple[int, tuple[Organisation, ...]]] = [
        (m.start, m.orgs) for i, m in enumerate(mentions) if i not in dropped
    ]
    found += [(n.start, (unresolved_org(n.label),)) for n in kept]
    found.sort(key=lambda f: f[0])
    return _distinct(o for _, orgs in found for o in orgs), kept


def one_word_names(names: Iterable[NameSpan]) -> frozenset[str]:
    """The lower-cased one-word names found by the ``unknown``, ``camel`` and ``hyphen`` rules.

    A workshop that names "the Carpentries" in one note names them in another
    at the start of a sentence too ("Carpentries for professional staff"),
    where the ``unknown`` rule cannot see a name: pass these words of all its
    notes to :func:`detect_names` as ``known``.

    Examples
    --------
    >>> rules = load_name_rules()
    >>> sorted(one_word_names(detect_names("Run by the Carpentries, NeSI and UKRI", rules)))
    ['carpentries', 'nesi']
    """
    return frozenset(
        n.label.lower()
        for n in names
        if n.rule in ("unknown", "camel", "hyphen") and not n.common and " " not in n.label
    )


def _distinct(orgs: Iterable[Organisation]) -> tuple[Organisation, ...]:
    seen: dict[str, Organisation] = {}
    for o in orgs:
        seen.setdefault(o.id, o)
    return tuple(seen.values())
