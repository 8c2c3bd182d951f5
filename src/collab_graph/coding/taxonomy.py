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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from collab_graph.coding.lexicon import PhraseIndex, normalise
from collab_graph.csvfiles import Row, check_references, parse_csv_text, read_text, split_cell
from collab_graph.errors import DataFileError
from collab_graph.model import NoteKind, Theme, ThemeKind
from collab_graph.resources import data_path

__all__ = ["CUE_WHERE", "KindCue", "Taxonomy", "load_kind_cues", "load_taxonomy"]

THEMES_FILE = "themes.csv"
KIND_CUES_FILE = "kind-cues.csv"

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
    #: Rows of the analyst's themes file that were skipped, one line each (file, line, why).
    problems: tuple[str, ...] = field(default=(), compare=False)
    _theme_index: PhraseIndex = field(init=False, repr=False, compare=False)
    _cue_index: dict[str, PhraseIndex] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_phrase: dict[str, list[object]] = {}
        for theme in self.themes.values():
            for phrase in (theme.label, *theme.alt_labels, *theme.cues):
                key = phrase.lower()
                if theme not in by_phrase.setdefault(key, []):
                    by_phrase[key].append(theme)
        object.__setattr__(self, "_theme_index", PhraseIndex(by_phrase))
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


@lru_cache(maxsize=8)
def _taxonomy_from(themes: tuple[tuple[str, str], ...], cues: tuple[str, str]) -> Taxonomy:
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
    return Taxonomy(themes=found, kind_cues=_kind_cues(cue_rows), problems=tuple(problems))


def load_taxonomy(
    path: Path | str | Sequence[Path | str] | None = None,
    cues_path: Path | str | None = None,
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
    return _taxonomy_from(tuple(texts), cues)
