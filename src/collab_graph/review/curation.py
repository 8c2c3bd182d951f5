"""Curation: the analyst's changes to the taxonomy, the gazetteer and the curated links.

Each action writes one of the workspace's files through
:meth:`~collab_graph.workspace.Workspace.update` (locked, atomic, serialised
with every other writer, rows it does not understand kept as they were), and
every row it writes carries ``who`` made the change and ``when`` (ISO 8601,
UTC, to the second):

==================================  ==========================================================
``themes.csv``                      :func:`accept_suggestion` adds a theme; :func:`merge_suggestion`
                                    and :func:`edit_keywords` change a theme's cues (a bundled
                                    theme is copied into the file, and the copy replaces it)
``addresses.csv``                   :func:`add_curated_link`, :func:`remove_curated_link`
``organisations.csv``               :func:`add_organisation`, :func:`add_alias`
``suggestions.csv``                 every decision about a suggestion (accepted, merged,
                                    rejected), so a rejected one is not suggested again
``themes.csv``                      :func:`import_themes` adds the codes of another tool's
                                    codebook (``collab-graph themes import``)
==================================  ==========================================================

The files keep the bundled files' columns (``data/themes.csv``,
``data/addresses.csv``, ``data/organisations.csv``), so the same loaders read
them (:func:`~collab_graph.coding.taxonomy.load_taxonomy`,
:func:`~collab_graph.coding.gazetteer.load_gazetteer`,
:func:`~collab_graph.graph.links.load_curated`), which ignore the extra
``source``, ``who`` and ``when`` columns. The pipeline keys its caches by the
content of these files, so the next build picks a change up; the notes are
not parsed again (:mod:`collab_graph.pipeline`).

Examples
--------
>>> import tempfile
>>> from collab_graph.coding.discover import suggest_themes
>>> from collab_graph.model import CodedNote, Note, NoteKind
>>> ws = Workspace(tempfile.mkdtemp())
>>> texts = ["The coffee machine broke again", "Queue at the coffee machine",
...          "Coffee machine out of milk"]
>>> coded = [CodedNote(Note(f"N-{i}", "demo", None, None, None, i, t), NoteKind.BARRIER)
...          for i, t in enumerate(texts, 1)]
>>> (s,) = suggest_themes(coded, taxonomy(ws)).suggestions
>>> theme = accept_suggestion(ws, s, label="Broken kit", kind="barrier", who="ana")
>>> theme.id, theme.cues, taxonomy(ws).themes[theme.id].label
('b_broken_kit', ('coffee machine',), 'Broken kit')
>>> [r["decision"] for r in decisions(ws)]
['accepted']
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from collab_graph.coding.discover import NoteRef, Suggestion
from collab_graph.coding.gazetteer import Gazetteer, load_gazetteer
from collab_graph.coding.taxonomy import Taxonomy, load_taxonomy
from collab_graph.csvfiles import split_cell
from collab_graph.errors import CurationError
from collab_graph.model import Organisation, OrgType, Theme, ThemeKind
from collab_graph.resources import data_path
from collab_graph.workspace import Workspace

__all__ = [
    "ADDRESS_COLUMNS",
    "DECISIONS_FILE",
    "DECISION_COLUMNS",
    "LINK_STRENGTHS",
    "ORGANISATION_COLUMNS",
    "THEME_COLUMNS",
    "Decision",
    "ImportedCode",
    "ThemeImport",
    "accept_suggestion",
    "add_alias",
    "add_curated_link",
    "add_organisation",
    "decided_suggestions",
    "decisions",
    "edit_keywords",
    "gazetteer",
    "import_themes",
    "merge_suggestion",
    "reject_suggestion",
    "remove_curated_link",
    "taxonomy",
]

#: Columns of the workspace's themes file: ``data/themes.csv``'s, then who and when.
THEME_COLUMNS = (
    "id",
    "kind",
    "label",
    "definition",
    "cues",
    "alt_labels",
    "broader",
    "source",
    "who",
    "when",
)
#: Columns of the workspace's links file: ``data/addresses.csv``'s, then who and when.
ADDRESS_COLUMNS = ("practice_theme", "barrier_theme", "strength", "rationale", "who", "when")
#: Columns of the workspace's organisations file: ``data/organisations.csv``'s, then who and when.
ORGANISATION_COLUMNS = (
    "id",
    "label",
    "type",
    "aliases",
    "case_sensitive_aliases",
    "broader",
    "note",
    "who",
    "when",
)
#: The decisions about suggestions.
DECISIONS_FILE = "suggestions.csv"
DECISION_COLUMNS = ("key", "decision", "theme", "label", "kind", "notes", "who", "when")
#: Strengths of a curated link (``removed`` takes a bundled link out).
LINK_STRENGTHS = ("strong", "moderate")
_REMOVED = "removed"
#: The ``source`` of a theme the analyst added.
ANALYST_SOURCE = "analyst"

Decision = Mapping[str, str]


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat("T", "seconds")


def _who(who: str) -> str:
    name = " ".join(who.split())
    if not name:
        raise CurationError("say who makes the change (who=...)")
    return name


def taxonomy(ws: Workspace | None) -> Taxonomy:
    """The bundled themes with the workspace's (what the pipeline codes with).

    Examples
    --------
    >>> "b_time_capacity" in taxonomy(None).themes
    True
    """
    paths = [data_path("themes.csv")]
    if ws is not None:
        paths.append(ws.themes)
    return load_taxonomy(paths)


def gazetteer(ws: Workspace | None) -> Gazetteer:
    """The bundled organisations with the workspace's (what the pipeline codes with)."""
    paths = [data_path("organisations.csv")]
    if ws is not None:
        paths.append(ws.organisations)
    return load_gazetteer(paths)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:48].rstrip("_")


def _fresh_id(base: str, taken: Iterable[str]) -> str:
    used = set(taken)
    if base not in used:
        return base
    n = 2
    while f"{base}_{n}" in used:
        n += 1
    return f"{base}_{n}"


def _keywords(keywords: Iterable[str]) -> tuple[str, ...]:
    """Keywords as cues: white space folded, no duplicates (case-insensitive), no ``;``."""
    out: dict[str, str] = {}
    for kw in keywords:
        phrase = " ".join(str(kw).split())
        if not phrase:
            continue
        if ";" in phrase:
            raise CurationError(f"keyword {phrase!r}: a keyword cannot contain ';'")
        if not re.search(r"\w", phrase):
            raise CurationError(f"keyword {phrase!r}: a keyword needs a letter or digit")
        out.setdefault(phrase.lower(), phrase)
    return tuple(out.values())


def _theme_row(theme: Theme, *, who: str, when: str) -> dict[str, str]:
    return {
        "id": theme.id,
        "kind": theme.kind.value,
        "label": theme.label,
        "definition": theme.definition,
        "cues": ";".join(theme.cues),
        "alt_labels": ";".join(theme.alt_labels),
        "broader": theme.broader or "",
        "source": ";".join(theme.source),
        "who": who,
        "when": when,
    }


def _decide(
    ws: Workspace, suggestion: Suggestion, decision: str, theme: str, who: str, when: str
) -> None:
    row = {
        "key": suggestion.key,
        "decision": decision,
        "theme": theme,
        "label": suggestion.label,
        "kind": suggestion.kind.value,
        "notes": json.dumps([list(r) for r in _refs(suggestion)], ensure_ascii=False),
        "who": who,
        "when": when,
    }
    ws.update(DECISIONS_FILE, lambda rows: [*rows, row], header=DECISION_COLUMNS)


def _refs(suggestion: Suggestion) -> tuple[NoteRef, ...]:
    if suggestion.refs:
        return suggestion.refs
    return tuple(("", n) for n in suggestion.notes)


def decisions(ws: Workspace) -> list[dict[str, str]]:
    """Every decision about a suggestion, oldest first (rows of ``suggestions.csv``)."""
    return [dict(r.cells) for r in ws.read(DECISIONS_FILE, what="suggestion decisions file")]


def decided_suggestions(ws: Workspace) -> dict[str, tuple[NoteRef, ...]]:
    """The decided suggestions' keys and member notes, for ``suggest_themes(decided=...)``.

    Examples
    --------
    >>> import tempfile
    >>> decided_suggestions(Workspace(tempfile.mkdtemp()))
    {}
    """
    out: dict[str, tuple[NoteRef, ...]] = {}
    for row in decisions(ws):
        try:
            refs = tuple((str(w), str(n)) for w, n in json.loads(row.get("notes") or "[]"))
        except (ValueError, TypeError):
            refs = ()  # a hand-edited cell: the key alone still drops the suggestion
        if row.get("key"):
            out[row["key"]] = refs
    return out


def _check_broader(tax: Taxonomy, broader: str | None, kind: ThemeKind) -> str | None:
    if not broader:
        return None
    parent = tax.themes.get(broader)
    if parent is None:
        raise CurationError(f"unknown broader theme {broader!r}")
    if parent.kind is not kind:
        raise CurationError(
            f"broader theme {broader!r} is a {parent.kind.value} theme, not a {kind.value} theme"
        )
    return broader


_E = TypeVar("_E", ThemeKind, OrgType)


def _member(enum: type[_E], value: object, what: str) -> _E:
    """``value`` as a member of ``enum``, or a :class:`CurationError` listing the choices."""
    try:
        return enum(str(value))
    except ValueError:
        raise CurationError(
            f"unknown {what} {value!r}; use one of {', '.join(m.value for m in enum)}"
        ) from None


def accept_suggestion(
    ws: Workspace,
    suggestion: Suggestion,
    *,
    label: str,
    kind: ThemeKind | str,
    broader: str | None = None,
    keywords: Sequence[str] | None = None,
    who: str,
    definition: str | None = None,
) -> Theme:
    """Add a suggestion to the workspace's taxonomy as a new theme.

    Parameters
    ----------
    ws : Workspace
    suggestion : Suggestion
        From :func:`~collab_graph.coding.discover.suggest_themes`.
    label : str
        The theme's label (the analyst may rename the suggestion).
    kind : ThemeKind or str
        Its kind (the analyst may change the suggestion's).
    broader : str, optional
        The id of an existing theme of the same kind it nests under.
    keywords : sequence of str, optional
        Its cues; default the suggestion's keywords.
    who : str
        Who accepts it.
    definition : str, optional
        Default: a sentence naming the suggestion's keywords and size.

    Returns
    -------
    Theme
        The new theme; its id is the kind's letter and the label's slug
        (``b_public_trust``), with a number added when that id is taken.

    Raises
    ------
    CurationError
        For an empty label or ``who``, an unknown kind or broader theme, or no keyword.
    DataFileError
        When the workspace cannot be written.
    """
    name = " ".join(label.split())
    if not name:
        raise CurationError("give the new theme a label")
    k = _member(ThemeKind, kind, "theme kind")
    by = _who(who)
    cues = _keywords(suggestion.keywords if keywords is None else keywords)
    if not cues:
        raise CurationError(f"theme {name!r}: give at least one keyword")
    tax = taxonomy(ws)
    parent = _check_broader(tax, broader, k)
    text = definition or (
        f"Suggested from {len(suggestion.notes)} {k.value} notes that no theme covered, "
        f"about {', '.join(cues[:4])}."
    )
    when = _now()
    made: list[Theme] = []

    def change(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        base = f"{k.value[0]}_{_slug(name) or 'theme'}"
        tid = _fresh_id(base, [*tax.themes, *(r.get("id", "") for r in rows)])
        theme = Theme(
            tid, k, name, " ".join(text.split()), cues, (), parent, source=(ANALYST_SOURCE,)
        )
        made.append(theme)
        return [*rows, _theme_row(theme, who=by, when=when)]

    ws.update("themes.csv", change, header=THEME_COLUMNS)
    _decide(ws, suggestion, "accepted", made[0].id, by, when)
    return made[0]


def _change_theme(
    ws: Workspace, theme_id: str, new_cues: Callable[[Theme], tuple[str, ...]], who: str
) -> Theme:
    """Rewrite one theme's cues in the workspace (copying a bundled theme there first)."""
    by = _who(who)
    tax = taxonomy(ws)
    theme = tax.themes.get(theme_id)
    if theme is None:
        raise CurationError(f"unknown theme {theme_id!r}")
    when = _now()
    done: list[Theme] = []

    def change(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        out = [dict(r) for r in rows]
        mine = [r for r in out if r.get("id") == theme_id]
        current = theme
        if mine:  # the file may have changed since the taxonomy was read: start from it
            current = replace(theme, cues=split_cell(mine[-1].get("cues")))
        updated = replace(current, cues=new_cues(current))
        done.append(updated)
        if mine:
            row = mine[-1]
            row.update(cues=";".join(updated.cues), who=by, when=when)
            return out
        return [*out, _theme_row(updated, who=by, when=when)]

    ws.update("themes.csv", change, header=THEME_COLUMNS)
    return done[0]


def merge_suggestion(
    ws: Workspace,
    suggestion: Suggestion,
    into: str,
    *,
    who: str,
    keywords: Sequence[str] | None = None,
) -> Theme:
    """Merge a suggestion into an existing theme: its keywords join the theme's cues.

    Parameters
    ----------
    ws : Workspace
    suggestion : Suggestion
    into : str
        The id of an existing theme (bundled or the analyst's).
    who : str
    keywords : sequence of str, optional
        The keywords to add; default the suggestion's.

    Returns
    -------
    Theme
        The theme as it now reads.

    Raises
    ------
    CurationError
        For an unknown theme or an empty ``who``.

    Examples
    --------
    >>> import tempfile
    >>> from collab_graph.coding.discover import Suggestion
    >>> from collab_graph.model import ThemeKind
    >>> ws = Workspace(tempfile.mkdtemp())
    >>> s = Suggestion("s-1", "Rota", ThemeKind.BARRIER, ("rota",), ("N-1",), None)
    >>> merge_suggestion(ws, s, "b_time_capacity", who="ana").cues[-1]
    'rota'
    """
    extra = _keywords(suggestion.keywords if keywords is None else keywords)
    theme = _change_theme(ws, into, lambda t: _keywords((*t.cues, *extra)), who)
    _decide(ws, suggestion, "merged", theme.id, _who(who), _now())
    return theme


def reject_suggestion(ws: Workspace, suggestion: Suggestion, *, who: str) -> None:
    """Remember that a suggestion is not a theme, so it is not suggested again.

    Raises
    ------
    CurationError
        For an empty ``who``.
    """
    _decide(ws, suggestion, "rejected", "", _who(who), _now())


def edit_keywords(ws: Workspace, theme_id: str, keywords: Sequence[str], *, who: str) -> Theme:
    """Replace a theme's keywords (its cues) in the workspace.

    Raises
    ------
    CurationError
        For an unknown theme, no keyword, a keyword with ``;`` or an empty ``who``.

    Examples
    --------
    >>> import tempfile
    >>> ws = Workspace(tempfile.mkdtemp())
    >>> edit_keywords(ws, "b_time_capacity", ["no time", "day job"], who="ana").cues
    ('no time', 'day job')
    """
    cues = _keywords(keywords)
    if not cues:
        raise CurationError(f"theme {theme_id!r}: give at least one keyword")
    return _change_theme(ws, theme_id, lambda _t: cues, who)


def _link_kinds(tax: Taxonomy, practice: str, barrier: str) -> None:
    for tid, kind in ((practice, ThemeKind.PRACTICE), (barrier, ThemeKind.BARRIER)):
        theme = tax.themes.get(tid)
        if theme is None:
            raise CurationError(f"unknown theme {tid!r}")
        if theme.kind is not kind:
            raise CurationError(f"theme {tid!r} is a {theme.kind.value} theme, not a {kind.value}")


def add_curated_link(
    ws: Workspace,
    practice: str,
    barrier: str,
    *,
    strength: str,
    rationale: str,
    who: str,
) -> dict[str, str]:
    """Add (or replace) a curated practice → barrier link in the workspace.

    Returns
    -------
    dict
        The row written.

    Raises
    ------
    CurationError
        For an unknown theme or one of the wrong kind, an unknown strength, an
        empty rationale or ``who``.

    Examples
    --------
    >>> import tempfile
    >>> ws = Workspace(tempfile.mkdtemp())
    >>> row = add_curated_link(ws, "p_secondments", "b_time_capacity", strength="strong",
    ...                        rationale="Frees people from the day job", who="ana")
    >>> row["strength"], row["who"]
    ('strong', 'ana')
    """
    by = _who(who)
    if strength not in LINK_STRENGTHS:
        raise CurationError(
            f"unknown strength {strength!r}; use one of {', '.join(LINK_STRENGTHS)}"
        )
    why = " ".join(rationale.split())
    if not why:
        raise CurationError("give the link a rationale")
    _link_kinds(taxonomy(ws), practice, barrier)
    row = {
        "practice_theme": practice,
        "barrier_theme": barrier,
        "strength": strength,
        "rationale": why,
        "who": by,
        "when": _now(),
    }
    ws.update("addresses.csv", lambda rows: _upsert_link(rows, row), header=ADDRESS_COLUMNS)
    return row


def _upsert_link(rows: list[dict[str, str]], row: dict[str, str]) -> list[dict[str, str]]:
    pair = (row["practice_theme"], row["barrier_theme"])
    out = [r for r in rows if (r.get("practice_theme"), r.get("barrier_theme")) != pair]
    return [*out, row]


def remove_curated_link(
    ws: Workspace,
    practice: str,
    barrier: str,
    *,
    who: str,
    rationale: str = "removed by the analyst",
) -> dict[str, str]:
    """Take a curated link out: a row with strength ``removed`` replaces the workspace's row
    of the pair, so a bundled link is taken out and who removed a link, and when, is kept.

    Returns
    -------
    dict
        The row written.

    Raises
    ------
    CurationError
        For an empty ``who``.

    Examples
    --------
    >>> import tempfile
    >>> from collab_graph.graph.links import load_curated
    >>> ws = Workspace(tempfile.mkdtemp())
    >>> pair = ("p_protected_time", "b_time_capacity")
    >>> def pairs():
    ...     links = load_curated([data_path("addresses.csv"), ws.addresses])
    ...     return {(x.practice, x.barrier) for x in links}
    >>> pair in pairs()
    True
    >>> remove_curated_link(ws, *pair, who="ana")["strength"]
    'removed'
    >>> pair in pairs()
    False
    """
    row = {
        "practice_theme": practice,
        "barrier_theme": barrier,
        "strength": _REMOVED,
        "rationale": " ".join(rationale.split()) or "removed by the analyst",
        "who": _who(who),
        "when": _now(),
    }
    ws.update("addresses.csv", lambda rows: _upsert_link(rows, row), header=ADDRESS_COLUMNS)
    return row


def add_organisation(
    ws: Workspace,
    label: str,
    *,
    aliases: Sequence[str] = (),
    type: OrgType | str = OrgType.OTHER,
    who: str,
) -> Organisation:
    """Add an organisation to the workspace's gazetteer (e.g. for an unresolved detected name).

    Returns
    -------
    Organisation
        With an id made from the label's slug (a number added when it is taken);
        the label is always one of its aliases.

    Raises
    ------
    CurationError
        For an empty label or ``who``, an unknown type or an alias with ``;``.

    Examples
    --------
    >>> import tempfile
    >>> ws = Workspace(tempfile.mkdtemp())
    >>> org = add_organisation(ws, "UK TRE Community", aliases=["UK TRE"], type="partnership",
    ...                        who="ana")
    >>> org.id, gazetteer(ws).organisations[org.id].aliases
    ('uk_tre_community', ('UK TRE Community', 'UK TRE'))
    """
    name = " ".join(label.split())
    if not name:
        raise CurationError("give the organisation a name")
    otype = _member(OrgType, type, "organisation type")
    by = _who(who)
    names = _keywords((name, *aliases))
    known = gazetteer(ws).organisations
    when = _now()
    made: list[Organisation] = []

    def change(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        oid = _fresh_id(_slug(name) or "organisation", [*known, *(r.get("id", "") for r in rows)])
        org = Organisation(oid, name, otype, names)
        made.append(org)
        row = {
            "id": oid,
            "label": name,
            "type": otype.value,
            "aliases": ";".join(names),
            "who": by,
            "when": when,
        }
        return [*rows, row]

    ws.update("organisations.csv", change, header=ORGANISATION_COLUMNS)
    return made[0]


def add_alias(ws: Workspace, org_id: str, alias: str, *, who: str) -> Organisation:
    """Add an alias to an organisation (a bundled one is copied into the workspace first).

    Raises
    ------
    CurationError
        For an unknown organisation, an empty alias or ``who``.

    Examples
    --------
    >>> import tempfile
    >>> ws = Workspace(tempfile.mkdtemp())
    >>> [o.id for o in gazetteer(ws).find("the Clydeside trust")]
    []
    >>> _ = add_alias(ws, "nhs_ggc", "Clydeside trust", who="ana")
    >>> [o.id for o in gazetteer(ws).find("the Clydeside trust")]
    ['nhs_ggc']
    """
    by = _who(who)
    (phrase,) = _keywords([alias]) or ("",)
    if not phrase:
        raise CurationError("give the alias")
    gaz = gazetteer(ws)
    org = gaz.organisations.get(org_id)
    if org is None or not org.resolved:
        raise CurationError(f"unknown organisation {org_id!r}; add it first")
    when = _now()
    done: list[Organisation] = []

    def change(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        out = [dict(r) for r in rows]
        mine = [r for r in out if r.get("id") == org_id]
        if mine:
            row = mine[-1]
            names = _keywords((*split_cell(row.get("aliases")), phrase))
            row.update(aliases=";".join(names), who=by, when=when)
        else:
            names = _keywords((*org.aliases, phrase))
            row = {
                "id": org.id,
                "label": org.label,
                "type": org.type.value,
                "aliases": ";".join(names),
                "broader": gaz.broader.get(org.id, ""),
                "note": org.note,
                "who": by,
                "when": when,
            }
            out.append(row)
        done.append(replace(org, aliases=names))
        return out

    ws.update("organisations.csv", change, header=ORGANISATION_COLUMNS)
    return done[0]


@dataclass(frozen=True, slots=True)
class ImportedCode:
    """A code from another tool's codebook, to become a theme.

    Attributes
    ----------
    key : str
        The code's identity in its codebook (a REFI-QDA GUID).
    label : str
        Its name.
    kind : ThemeKind
        The kind of theme it becomes.
    definition : str
        Its description.
    broader : str or None
        The key of the code it nests under, when that is a code of the same import.
    origin : str
        What the theme's ``source`` records (where it came from; no ``;``).
    """

    key: str
    label: str
    kind: ThemeKind
    definition: str = ""
    broader: str | None = None
    origin: str = ""


@dataclass(frozen=True, slots=True)
class ThemeImport:
    """What :func:`import_themes` did: the themes it added and the codes it already had."""

    added: tuple[Theme, ...] = ()
    known: tuple[tuple[ImportedCode, str], ...] = ()


def import_themes(
    ws: Workspace,
    codes: Sequence[ImportedCode],
    *,
    who: str,
    existing: Mapping[str, str] | None = None,
) -> ThemeImport:
    """Add codes from another tool's codebook to the workspace's taxonomy as themes.

    A code the taxonomy already has is not added again: one whose key is in
    ``existing``, or whose origin, or kind and label (case-insensitive), a
    theme already has. So importing the same codebook twice adds nothing the
    second time. A new theme's id is the kind's letter and the label's slug,
    as for an accepted suggestion; it nests under its ``broader`` code's theme
    when that is of the same kind.

    Parameters
    ----------
    ws : Workspace
    codes : sequence of ImportedCode
        Parents before their children.
    who : str
        Who imports them.
    existing : mapping, optional
        Code keys the caller already knows as themes, to their theme ids.

    Returns
    -------
    ThemeImport

    Raises
    ------
    CurationError
        For an empty ``who`` or a code without a label.
    DataFileError
        When the workspace cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> ws = Workspace(tempfile.mkdtemp())
    >>> codes = [ImportedCode("K1", "Rota clashes", ThemeKind.BARRIER, "Shifts collide."),
    ...          ImportedCode("K2", "Night shifts", ThemeKind.BARRIER, broader="K1")]
    >>> [(t.id, t.broader) for t in import_themes(ws, codes, who="ana").added]
    [('b_rota_clashes', None), ('b_night_shifts', 'b_rota_clashes')]
    >>> again = import_themes(ws, codes, who="ana")
    >>> again.added, [tid for _, tid in again.known]
    ((), ['b_rota_clashes', 'b_night_shifts'])
    """
    by = _who(who)
    for code in codes:
        if not " ".join(code.label.split()):
            raise CurationError(f"code {code.key!r} has no name")
    tax = taxonomy(ws)
    known_ids = dict(existing or {})
    when = _now()
    added: list[Theme] = []
    known: list[tuple[ImportedCode, str]] = []

    def change(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        added.clear()
        known.clear()
        themes = {**tax.themes}
        by_origin = {o: t.id for t in themes.values() for o in t.source}
        by_label = {(t.kind, t.label.casefold()): t.id for t in themes.values()}
        for row in rows:  # rows written since the taxonomy was read
            for o in split_cell(row.get("source")):
                by_origin.setdefault(o, row.get("id", ""))
            kind = row.get("kind", "")
            if kind in {k.value for k in ThemeKind}:
                by_label.setdefault((ThemeKind(kind), row.get("label", "").casefold()), row["id"])
        ids = dict(known_ids)
        out = list(rows)
        for code in codes:
            name = " ".join(code.label.split())
            origin = code.origin.replace(";", ",").strip()
            tid = (
                ids.get(code.key)
                or (by_origin.get(origin) if origin else None)
                or by_label.get((code.kind, name.casefold()))
            )
            if tid:
                ids[code.key] = tid
                known.append((code, tid))
                continue
            base = f"{code.kind.value[0]}_{_slug(name) or 'theme'}"
            tid = _fresh_id(base, [*themes, *(r.get("id", "") for r in out)])
            parent = ids.get(code.broader) if code.broader else None
            parent_theme = themes.get(parent) if parent else None
            theme = Theme(
                tid,
                code.kind,
                name,
                " ".join(code.definition.split()),
                (),
                (),
                parent if parent_theme is not None and parent_theme.kind is code.kind else None,
                source=(origin,) if origin else (ANALYST_SOURCE,),
            )
            themes[tid] = theme
            ids[code.key] = tid
            by_label[(code.kind, name.casefold())] = tid
            added.append(theme)
            out.append(_theme_row(theme, who=by, when=when))
        return out

    # a dry run first: a codebook the taxonomy already holds leaves the file untouched
    change([dict(r.cells) for r in ws.read("themes.csv", what="themes file")])
    if added:
        ws.update("themes.csv", change, header=THEME_COLUMNS)
    return ThemeImport(tuple(added), tuple(known))
