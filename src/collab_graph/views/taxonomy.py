"""What the app's Taxonomy page shows: themes, organisations, suggestions and curated links.

The page (``app.py``) only draws; every row it shows is built here, from the
knowledge graph (how many notes carry a theme or name an organisation), the
vocabulary (the themes' broader themes, sources and keywords; the gazetteer's
aliases) and the analyst's workspace (which themes, links and organisations
are theirs).

Examples
--------
>>> from collab_graph.graph.examples import example_graph
>>> [(r["organisation"], r["notes"]) for r in org_rows(example_graph())]
[('NHS', 2), ('Procurement function', 2)]
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from collab_graph.coding.discover import Suggestion
from collab_graph.coding.taxonomy import THEMES_FILE
from collab_graph.graph import query
from collab_graph.graph.links import ADDRESSES_FILE, REMOVED, CuratedLink, load_curated
from collab_graph.graph.schema import KnowledgeGraph, NodeAttr, org_node, theme_node
from collab_graph.model import NodeKind, Organisation, Theme, ThemeKind
from collab_graph.resources import data_path
from collab_graph.review.curation import DECISIONS_FILE
from collab_graph.workspace import Workspace

__all__ = [
    "DETECTED_PREFIX",
    "decisions_stamp",
    "default_who",
    "link_rows",
    "member_rows",
    "org_rows",
    "suggestion_rows",
    "tables",
    "theme_choices",
    "theme_notes",
    "theme_rows",
    "unresolved_mentions",
]

#: The id prefix of an organisation found by pattern that no gazetteer entry holds.
DETECTED_PREFIX = "unresolved:"


def default_who(environ: Mapping[str, str] | None = None) -> str:
    """Who is curating, as the operating system names the user ("" when it cannot say).

    Examples
    --------
    >>> default_who({"LOGNAME": "ana"})
    'ana'
    """
    env = os.environ if environ is None else environ
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if env.get(name, "").strip():
            return env[name].strip()
    if environ is not None:
        return ""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no password entry for the uid (e.g. a container)
        return ""


def theme_notes(G: KnowledgeGraph) -> dict[str, int]:
    """``{theme id: notes carrying it}`` for every theme in the graph.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> theme_notes(example_graph())["b_time_capacity"]
    3
    """
    out: dict[str, int] = {}
    for n, d in G.nodes(data=True):
        if d.get(NodeAttr.KIND) in (NodeKind.PRACTICE, NodeKind.BARRIER, NodeKind.BENEFIT):
            tid = str(d.get(NodeAttr.THEME_ID) or n.removeprefix(theme_node("")))
            out[tid] = len(query.notes_of(G, n))
    return out


def theme_rows(
    themes: Iterable[Theme],
    counts: Mapping[str, int],
    *,
    yours: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """One row per theme: kind, label, broader theme, source, keywords and notes.

    Parameters
    ----------
    themes : iterable of Theme
        The taxonomy's themes, bundled and the analyst's.
    counts : mapping
        Notes carrying each theme (:func:`theme_notes`).
    yours : iterable of str
        Ids of the themes in the analyst's workspace: their ``origin`` is
        ``workspace``, the others' ``bundled``.

    Returns
    -------
    list of dict
        ``id, kind, label, broader, source, keywords, notes, origin``, by kind
        (practice, barrier, benefit), then most notes first, then label.

    Examples
    --------
    >>> from collab_graph.model import Theme, ThemeKind
    >>> top = Theme("b_gov", ThemeKind.BARRIER, "Governance")
    >>> sub = Theme("b_ig", ThemeKind.BARRIER, "Data sharing", cues=("data", "IG"), broader="b_gov")
    >>> rows = theme_rows([top, sub], {"b_ig": 4}, yours=["b_ig"])
    >>> [(r["label"], r["broader"], r["keywords"], r["notes"], r["origin"]) for r in rows][0]
    ('Data sharing', 'Governance', 'data; IG', 4, 'workspace')
    """
    order = {k: i for i, k in enumerate(ThemeKind)}
    listed = sorted(themes, key=lambda t: (order[t.kind], -counts.get(t.id, 0), t.label.casefold()))
    labels = {t.id: t.label for t in listed}
    mine = set(yours)
    return [
        {
            "id": t.id,
            "kind": str(t.kind),
            "label": t.label,
            "broader": labels.get(t.broader, t.broader) if t.broader else "",
            "source": "; ".join(t.source),
            "keywords": "; ".join(t.cues),
            "notes": int(counts.get(t.id, 0)),
            "origin": "workspace" if t.id in mine else "bundled",
        }
        for t in listed
    ]


def theme_choices(themes: Iterable[Theme], *kinds: ThemeKind | str) -> dict[str, str]:
    """``{theme id: "label (kind)"}`` of the themes of ``kinds`` (all when none), by label.

    Examples
    --------
    >>> from collab_graph.model import Theme, ThemeKind
    >>> theme_choices([Theme("b_x", ThemeKind.BARRIER, "X"), Theme("p_y", ThemeKind.PRACTICE, "Y")],
    ...               "barrier")
    {'b_x': 'X (barrier)'}
    """
    wanted = {ThemeKind(k) for k in kinds}
    chosen = [t for t in themes if not wanted or t.kind in wanted]
    chosen.sort(key=lambda t: t.label.casefold())
    return {t.id: f"{t.label} ({t.kind})" for t in chosen}


def org_rows(
    G: KnowledgeGraph, known: Iterable[Organisation] = (), *, unmentioned: bool = False
) -> list[dict[str, Any]]:
    """Organisations and tools with the notes and groups naming them, most named first.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    known : iterable of Organisation
        The gazetteer's entries: their aliases are listed, and with
        ``unmentioned`` the entries no note names are listed too (0 notes).
    unmentioned : bool
        List the gazetteer entries that no note names.

    Returns
    -------
    list of dict
        ``id, organisation, category (organisation or tool), type, status
        (resolved or detected), aliases, notes, groups``.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> [(r["id"], r["category"], r["status"]) for r in org_rows(example_graph())]
    [('nhs', 'organisation', 'resolved'), ('procurement', 'organisation', 'resolved')]
    """
    entries = {o.id: o for o in known}
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, d in G.nodes(data=True):
        kind = d.get(NodeAttr.KIND)
        if kind not in (NodeKind.ORGANISATION, NodeKind.TOOL):
            continue
        notes = query.notes_of(G, n)
        oid = str(d.get(NodeAttr.ORG_ID) or n.split("/", 1)[-1])
        if not notes and not unmentioned:
            continue
        seen.add(oid)
        entry = entries.get(oid)
        aliases = entry.aliases if entry is not None else tuple(d.get(NodeAttr.ALIASES) or ())
        rows.append(
            {
                "id": oid,
                "organisation": str(d.get(NodeAttr.LABEL, oid)),
                "category": str(kind),
                "type": str(d.get(NodeAttr.ORG_TYPE, "")),
                "status": "resolved" if d.get(NodeAttr.RESOLVED, True) else "detected",
                "aliases": "; ".join(aliases),
                "notes": len(notes),
                "groups": len(
                    {
                        (G.nodes[u].get(NodeAttr.WORKSHOP), G.nodes[u].get(NodeAttr.GROUP))
                        for u in notes
                    }
                ),
            }
        )
    if unmentioned:
        for oid, o in entries.items():
            if oid not in seen:
                rows.append(
                    {
                        "id": oid,
                        "organisation": o.label,
                        "category": str(o.category),
                        "type": str(o.type),
                        "status": "resolved",
                        "aliases": "; ".join(o.aliases),
                        "notes": 0,
                        "groups": 0,
                    }
                )
    rows.sort(key=lambda r: (-r["notes"], r["organisation"].casefold()))
    return rows


def unresolved_mentions(G: KnowledgeGraph) -> dict[str, str]:
    """``{detected id: "label (n notes)"}`` of the names found in the notes that no
    gazetteer entry holds, most mentioned first.

    Examples
    --------
    >>> from collab_graph.graph.schema import new_graph
    >>> G = new_graph()
    >>> G.add_node("org/unresolved:ukri", kind="organisation", label="UKRI", resolved=False,
    ...            org_id="unresolved:ukri")
    >>> unresolved_mentions(G)
    {'unresolved:ukri': 'UKRI (0 notes)'}
    """
    found: list[tuple[int, str, str]] = []
    for n, d in G.nodes(data=True):
        if d.get(NodeAttr.KIND) != NodeKind.ORGANISATION or d.get(NodeAttr.RESOLVED, True):
            continue
        oid = str(d.get(NodeAttr.ORG_ID) or n.removeprefix(org_node("")))
        found.append((len(query.notes_of(G, n)), str(d.get(NodeAttr.LABEL, oid)), oid))
    found.sort(key=lambda f: (-f[0], f[1].casefold()))
    return {oid: f"{label} ({count} note{'s' * (count != 1)})" for count, label, oid in found}


def link_rows(
    links: Sequence[CuratedLink], themes: Mapping[str, Theme], *, yours: Iterable[tuple[str, str]]
) -> list[dict[str, Any]]:
    """The curated practice → barrier links, with their themes' labels and whose they are.

    Parameters
    ----------
    links : sequence of CuratedLink
        The links in force (bundled, then the analyst's additions and removals).
    themes : mapping
        ``{theme id: Theme}`` for the labels.
    yours : iterable of (practice id, barrier id)
        The pairs the analyst's workspace adds: their ``origin`` is ``workspace``.

    Examples
    --------
    >>> from collab_graph.graph.links import CuratedLink
    >>> from collab_graph.model import Theme, ThemeKind
    >>> themes = {"p": Theme("p", ThemeKind.PRACTICE, "Pay"),
    ...           "b": Theme("b", ThemeKind.BARRIER, "Cost")}
    >>> link_rows([CuratedLink("p", "b", "strong", "money")], themes, yours=[])[0]["practice"]
    'Pay'
    """
    mine = set(yours)

    def label(tid: str) -> str:
        t = themes.get(tid)
        return t.label if t is not None else tid

    return [
        {
            "practice_id": link.practice,
            "barrier_id": link.barrier,
            "practice": label(link.practice),
            "barrier": label(link.barrier),
            "strength": link.strength,
            "rationale": link.rationale,
            "origin": "workspace" if (link.practice, link.barrier) in mine else "bundled",
        }
        for link in links
    ]


def tables(
    G: KnowledgeGraph,
    themes: Mapping[str, Theme],
    organisations: Iterable[Organisation],
    workspace: Workspace | None,
) -> dict[str, Any]:
    """Everything the Taxonomy page lists: themes, organisations, detected names and links.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph (for the counts).
    themes : mapping
        The taxonomy's themes by id, bundled and the analyst's.
    organisations : iterable of Organisation
        The gazetteer's entries.
    workspace : Workspace, optional
        The analyst's workspace: which themes and links are theirs, and their
        links (a bad row of their links file is skipped here; the graph's
        warnings name it).

    Returns
    -------
    dict
        ``themes`` (:func:`theme_rows`), ``orgs`` (:func:`org_rows`),
        ``unresolved`` (:func:`unresolved_mentions`) and ``links`` (:func:`link_rows`).

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> from collab_graph.coding.taxonomy import load_taxonomy
    >>> out = tables(example_graph(), load_taxonomy().themes, [], None)
    >>> sorted(out), len(out["links"]) > 0
    (['links', 'orgs', 'themes', 'unresolved'], True)
    """
    files = [data_path(ADDRESSES_FILE)]
    mine_themes: set[str] = set()
    mine_links: set[tuple[str, str]] = set()
    if workspace is not None:
        files.append(workspace.addresses)
        mine_themes = {r["id"] for r in workspace.read(THEMES_FILE, on_error=_skip)}
        mine_links = {
            (r.get("practice_theme", ""), r.get("barrier_theme", ""))
            for r in workspace.read(ADDRESSES_FILE, on_error=_skip)
            if r.get("strength", "").lower() != REMOVED
        }
    links = load_curated(files, on_problem=lambda _: None)
    return {
        "themes": theme_rows(themes.values(), theme_notes(G), yours=mine_themes),
        "orgs": org_rows(G, organisations),
        "unresolved": unresolved_mentions(G),
        "links": link_rows(links, themes, yours=mine_links),
    }


def _skip(_: Exception) -> None:
    """Skip a bad row of the analyst's file (the pipeline's warnings already name it)."""


def suggestion_rows(suggestions: Iterable[Suggestion]) -> list[dict[str, Any]]:
    """One row per suggested theme: label, kind, size, keywords and the closest theme.

    Examples
    --------
    >>> from collab_graph.coding.discover import ClosestTheme, Suggestion
    >>> s = Suggestion("s-1", "public trust", ThemeKind.BARRIER, ("public trust", "trust"),
    ...                ("N-1", "N-2", "N-3"), ClosestTheme("b_trust", "Trust", 0.41))
    >>> row = suggestion_rows([s])[0]
    >>> row["label"], row["notes"], row["keywords"], row["closest"], row["similarity"]
    ('public trust', 3, 'public trust; trust', 'Trust', 0.41)
    """
    return [
        {
            "key": s.key,
            "label": s.label,
            "kind": str(s.kind),
            "notes": len(s.notes),
            "keywords": "; ".join(s.keywords),
            "closest": s.closest.label if s.closest else "",
            "similarity": s.closest.similarity if s.closest else None,
        }
        for s in suggestions
    ]


def member_rows(suggestion: Suggestion) -> list[dict[str, str]]:
    """The member notes of a suggestion: workshop, note id and text.

    Examples
    --------
    >>> from collab_graph.coding.discover import Suggestion
    >>> s = Suggestion("s-1", "rota", ThemeKind.BARRIER, ("rota",), ("N-1",), None,
    ...                refs=(("w", "N-1"),), texts=("The rota is full",))
    >>> member_rows(s)
    [{'workshop': 'w', 'note': 'N-1', 'text': 'The rota is full'}]
    """
    refs = suggestion.refs or tuple(("", n) for n in suggestion.notes)
    texts = suggestion.texts or ("",) * len(refs)
    return [{"workshop": w, "note": n, "text": t} for (w, n), t in zip(refs, texts, strict=False)]


def decisions_stamp(workspace: Workspace | None) -> str:
    """A digest of the analyst's decisions about suggestions ("" when there are none).

    The graph's key does not cover them (a rejected suggestion changes no
    theme), so the page keys its suggestions by this as well.

    Examples
    --------
    >>> import tempfile
    >>> decisions_stamp(Workspace(tempfile.mkdtemp()))
    ''
    """
    if workspace is None:
        return ""
    try:
        data = workspace.path(DECISIONS_FILE).read_bytes()
    except FileNotFoundError:
        return ""
    return hashlib.sha256(data).hexdigest()
