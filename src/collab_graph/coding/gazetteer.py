"""The organisation gazetteer: organisations, partnerships, functions and tools, and their aliases.

Read from analyst-editable CSV files (see :func:`collab_graph.resources.data_dir`):

``organisations.csv``
    ``id, label, type, aliases, case_sensitive_aliases, broader, note``.
    Aliases match whole words, ignoring case, dots and the kind of
    apostrophe, and allow a plural or possessive ending (``LA’s``,
    ``Integrated Joint Boards’s``). An alias written all in capitals
    (``IJB``, ``N.LAN``) and any alias in ``case_sensitive_aliases``
    (``State``, ``Slack``) must match with the same capitals. An alias listed
    on two rows tags both (``ABD City Shire``). The analyst's workspace may
    hold an ``organisations.csv`` of its own: its rows add entries, and a row
    with the id of a bundled entry replaces it (e.g. to add an alias).
``tools.csv``
    ``id, label, aliases, case_sensitive_aliases, note``: known tools and
    platforms (Trello, GitHub, Zoom, ...), read as entries of type ``tool``
    after ``organisations.csv`` and before the analyst's own rows. A tool is
    never drawn as an organisation (it is a ``tool`` node of the graph).
``not-organisations.csv``
    Phrases that look like an alias but are not one (roles such as ``chief
    executive``, topics such as ``mental health``).

Names that no entry holds are found by pattern in
:mod:`collab_graph.coding.orgnames`; its :func:`~collab_graph.coding.orgnames.find_orgs`
puts both together.

Like the taxonomy, a gazetteer is built from its files' content, so an edited
file is read afresh and the same bytes give the same object.

Examples
--------
>>> gaz = load_gazetteer()
>>> [o.id for o in gaz.find("Joint integration – Social Care/ Health, N.LAN")]
['social_care', 'nhs', 'north_lanarkshire']
>>> [o.id for o in gaz.find("Shared services;  ABD City Shire Highland")]
['aberdeen_city', 'aberdeenshire', 'highland']
>>> gaz.find("the UNHSX project")
()
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from collab_graph.coding.fastmatch import dispatch_alternation
from collab_graph.coding.lexicon import normalise, remember
from collab_graph.csvfiles import check_references, parse_csv_text, read_text, split_cell
from collab_graph.errors import DataFileError
from collab_graph.model import Organisation, OrgType
from collab_graph.resources import data_path

__all__ = ["Gazetteer", "OrgMention", "load_gazetteer"]

ORGS_FILE = "organisations.csv"
TOOLS_FILE = "tools.csv"
NOT_ORGS_FILE = "not-organisations.csv"
ORG_COLUMNS = ("id", "label", "type", "aliases")
TOOL_COLUMNS = ("id", "label", "aliases")


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
    #: Rows of the analyst's organisations file that were skipped, one line each.
    problems: tuple[str, ...] = field(default=(), compare=False)
    _rx: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _leads: _Leads = field(init=False, repr=False, compare=False)
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
        object.__setattr__(self, "_leads", _Leads.of(keys, parts, targets))

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
            norm = normalise(text)
            spans = self._leads.scan(norm)
            if spans is None:  # a text the word-anchored scan cannot decide
                spans = [
                    (m.start(), m.end(), self._targets[_group_index(m)])
                    for m in self._rx.finditer(norm)
                ]
            hit = self._mentions(text, norm, spans) if spans else ()
            remember(self._recent, text, hit)
        return list(hit)

    def _mentions(
        self, text: str, norm: str, spans: Iterable[tuple[int, int, tuple[Organisation, ...]]]
    ) -> tuple[OrgMention, ...]:
        found: list[OrgMention] = []
        prev_end = -1
        prev: tuple[Organisation, ...] = ()
        for start, end, orgs in spans:
            if orgs and prev and not norm[start:end].lower().endswith("s"):
                gap = norm[prev_end:start].split()
                if len(gap) <= 1 and all(
                    self.broader.get(p.id) in {o.id for o in orgs} for p in prev
                ):
                    prev_end = end
                    continue
            if orgs:
                found.append(OrgMention(start, end, text[start:end], orgs))
            prev, prev_end = orgs, end
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


_WORD = re.compile(r"\w+")
_LEAD = re.compile(r"\w*")  # an alias's leading word characters


_Span = tuple[int, int, tuple[Organisation, ...]]


@dataclass(frozen=True, slots=True)
class _LeadGroup:
    """The aliases tried at one kind of word: their expression and, per alias
    (capturing group), its place in the gazetteer's order and its entries."""

    rx: re.Pattern[str]
    order: tuple[int, ...]
    targets: tuple[tuple[Organisation, ...], ...]


@dataclass(frozen=True, slots=True)
class _Leads:
    """The gazetteer's matches found word by word: the same matches as its one
    alias expression scanned over every character, in a fraction of the time.

    A match starts at a word start. An alias's pattern holds nothing but literal
    characters in its leading word characters ``L``, so the word there starts with
    ``L`` (in lower case): the aliases of each ``L`` are tried at the words that
    start with it. An acronym may be written with dots or spaces (``H.S.C.P``), so
    acronyms are tried at the words that start with their (capital) first letter.
    Where several aliases match at one word, the one first in the gazetteer's order
    (longest first) wins, as in the alias expression. Texts with a non-ASCII word
    (case folding beyond ASCII) and gazetteers with an alias that starts with a
    non-word character are left to the alias expression (``scan`` gives ``None``).
    """

    leads: Mapping[str, _LeadGroup]  # L (lower case) -> the aliases that start so
    acronyms: Mapping[str, _LeadGroup]  # capital first letter -> its acronyms
    prefixes: frozenset[str]  # every prefix of every L: a word's prefixes are tried while in it
    always: bool
    # per word, the groups tried at it, in order (None: a non-ASCII word); see _tries_at
    _tries: dict[str, tuple[_LeadGroup, ...] | None] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def of(
        cls,
        keys: Sequence[tuple[str, bool]],
        parts: Sequence[str],
        targets: Sequence[tuple[Organisation, ...]],
    ) -> _Leads:
        leads: dict[str, list[int]] = {}
        acronyms: dict[str, list[int]] = {}
        always = False
        for i, (alias, _exact) in enumerate(keys):
            norm = normalise(alias).strip()
            compact = norm.replace(".", "")
            if re.fullmatch(r"[A-Za-z]{2,6}", compact) and compact.isupper():
                acronyms.setdefault(compact[0], []).append(i)
                continue
            lead = _LEAD.match(norm)
            if lead is None or not lead.group() or not lead.group().isascii():
                always = True
            else:
                leads.setdefault(lead.group().lower(), []).append(i)

        def grouped(by: dict[str, list[int]]) -> dict[str, _LeadGroup]:
            return {
                k: _LeadGroup(
                    re.compile(rf"(?<!\w)(?:{'|'.join(parts[i] for i in v)}){_SUFFIX}(?!\w)"),
                    tuple(v),
                    tuple(targets[i] for i in v),
                )
                for k, v in by.items()
            }

        prefixes = frozenset(w[:k] for w in leads for k in range(1, len(w) + 1))
        return cls(grouped(leads), grouped(acronyms), prefixes, always)

    def _tries_at(self, word: str) -> tuple[_LeadGroup, ...] | None:
        """The groups whose aliases may match at ``word``, in the order they are tried:
        those of each of its lower-case prefixes that is an ``L``, shortest first,
        then its first letter's acronyms; None for a non-ASCII word (memoised)."""
        if word in self._tries:
            return self._tries[word]
        tries: tuple[_LeadGroup, ...] | None
        if not word.isascii():
            tries = None
        else:
            low, found = word.lower(), []
            k = 1
            while k <= len(low) and low[:k] in self.prefixes:
                group = self.leads.get(low[:k])
                if group is not None:
                    found.append(group)
                k += 1
            group = self.acronyms.get(word[0])
            if group is not None:
                found.append(group)
            tries = tuple(found)
        if len(self._tries) > 200_000:
            self._tries.clear()
        self._tries[word] = tries
        return tries

    def scan(self, norm: str) -> list[_Span] | None:
        """The alias matches in ``norm`` (a :func:`normalise` d text), in order, or
        ``None`` where the alias expression must decide."""
        if self.always:
            return None
        memo = self._tries
        out: list[_Span] = []
        pos = 0
        for m in _WORD.finditer(norm):
            start = m.start()
            if start < pos:
                continue
            word = m.group()
            tries = memo.get(word, False)
            if isinstance(tries, bool):  # not seen yet
                tries = self._tries_at(word)
            if tries is None:
                return None
            if not tries:
                continue
            best: _Ranked | None = None
            for group in tries:
                best = _better(group, group.rx.match(norm, start), best)
            if best is not None:
                out.append((start, best[1], best[2]))
                pos = best[1]
        return out


_Ranked = tuple[int, int, tuple[Organisation, ...]]  # gazetteer order, end, entries


def _better(group: _LeadGroup, hit: re.Match[str] | None, best: _Ranked | None) -> _Ranked | None:
    """The match first in the gazetteer's order: ``best`` or ``hit`` (from ``group``)."""
    if hit is None:
        return best
    j = (hit.lastindex or 1) - 1
    if best is None or group.order[j] < best[0]:
        return (group.order[j], hit.end(), group.targets[j])
    return best


def _group_index(m: re.Match[str]) -> int:
    # the alias groups are the only capturing groups, so lastindex names the alias
    # (``_targets`` is indexed by group, as an alias may appear in several buckets)
    return (m.lastindex or 1) - 1


def _is_caps(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def load_gazetteer(
    path: Path | str | Sequence[Path | str] | None = None,
    not_orgs_path: Path | str | None = None,
    tools_path: Path | str | None = None,
) -> Gazetteer:
    """Read the organisation gazetteer.

    Parameters
    ----------
    path : path-like or sequence of path-like, optional
        Defaults to ``data/organisations.csv``. Given several files (the
        bundled gazetteer, then the analyst's), later rows add entries or
        replace the entry with the same id; files that do not exist are
        skipped after the first.
    not_orgs_path : path-like, optional
        Phrases that are not organisations; defaults to ``not-organisations.csv``
        beside the first file when it exists, else ``data/not-organisations.csv``.
    tools_path : path-like, optional
        Known tools; defaults to ``tools.csv`` beside the first file when it
        exists, else ``data/tools.csv``. Its entries come after the first
        file's and before the others'.

    Returns
    -------
    Gazetteer
        The same object for the same file contents.

    Raises
    ------
    DataFileError
        When a file or column is missing, an id repeats within a file, or a
        type is unknown; the message names the file, line and column.

    Examples
    --------
    >>> gaz = load_gazetteer()
    >>> gaz.organisations["trello"].type
    <OrgType.TOOL: 'tool'>
    >>> [o.id for o in gaz.find("Integrated Joint Boards’s")]
    ['ijb']
    """
    if path is None:
        paths = [data_path(ORGS_FILE)]
    elif isinstance(path, (str, Path)):
        paths = [Path(path)]
    else:
        paths = [Path(p) for p in path]
    texts = [(str(paths[0]), read_text(paths[0], "organisations file"), False)]
    if tools_path is None:
        beside = paths[0].with_name(TOOLS_FILE)
        tools_path = beside if beside.exists() else data_path(TOOLS_FILE)
    tp = Path(tools_path)
    if tp.exists():
        texts.append((str(tp), read_text(tp, "tools file"), True))
    texts += [(str(p), read_text(p, "organisations file"), False) for p in paths[1:] if p.exists()]
    if not_orgs_path is None:
        beside = paths[0].with_name(NOT_ORGS_FILE)
        not_orgs_path = beside if beside.exists() else data_path(NOT_ORGS_FILE)
    np = Path(not_orgs_path)
    stops = (str(np), read_text(np, "not-organisations file") if np.exists() else "")
    return _gazetteer_from(tuple(texts), stops)


@lru_cache(maxsize=8)
def _gazetteer_from(files: tuple[tuple[str, str, bool], ...], stops: tuple[str, str]) -> Gazetteer:
    orgs: dict[str, Organisation] = {}
    exact: set[str] = set()
    broader: dict[str, str] = {}
    bundled = 2 if len(files) > 1 and files[1][2] else 1
    problems: list[str] = []

    def skip(err: DataFileError) -> None:
        problems.append(f"{err}; row skipped")

    for i, (path, text, tools) in enumerate(files):
        seen: dict[str, Organisation] = {}
        columns = TOOL_COLUMNS if tools else ORG_COLUMNS
        # the bundled files are checked strictly; a bad row of the analyst's is skipped
        lenient = skip if i >= bundled else None
        rows = parse_csv_text(text, Path(path), required=columns, on_error=lenient)
        ids = {r["id"] for r in rows}
        for row in rows:
            try:
                oid = row.new_id("id", seen, "tool" if tools else "organisation")
                if oid in orgs and i < bundled:
                    raise row.error("id", f"organisation id {oid!r} is used twice")
                otype = (
                    OrgType.TOOL
                    if tools
                    else OrgType(
                        row.choice("type", OrgType, f"organisation {oid!r} has unknown type")
                    )
                )
                parent = row.get("broader")
                if lenient is not None and parent and parent not in orgs and parent not in ids:
                    raise row.error("broader", f"unknown broader organisation {parent!r}")
            except DataFileError as err:
                if lenient is None:
                    raise
                lenient(err)
                continue
            cs = split_cell(row.get("case_sensitive_aliases"))
            exact.update(cs)
            aliases = tuple(dict.fromkeys((*split_cell(row["aliases"]), *cs)))
            seen[oid] = orgs[oid] = Organisation(
                id=oid, label=row["label"], type=otype, aliases=aliases, note=row.get("note")
            )
            broader.pop(oid, None)
            if row.get("broader"):
                broader[oid] = row["broader"]
    last = next(f for f in reversed(files) if not f[2])  # the last organisations file
    check_references(Path(last[0]), broader, orgs, "organisation")
    phrases: list[str] = []
    if stops[1]:
        rows = parse_csv_text(stops[1], Path(stops[0]), required=("phrase",))
        phrases = [row["phrase"] for row in rows if row["phrase"]]
    return Gazetteer(
        organisations=orgs,
        case_sensitive=frozenset(exact),
        stop_phrases=tuple(phrases),
        broader=broader,
        problems=tuple(problems),
    )
