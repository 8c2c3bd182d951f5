"""collab-graph in the browser: explore the graph, ask, review codes, export.

Run it with ``collab-graph app [PATHS...]`` (or ``streamlit run app.py``). This
script only translates: widgets → cached calls of the collab_graph package →
rendering. Caching lives here and nowhere else.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import streamlit as st

from collab_graph import pipeline
from collab_graph.coding import retrain
from collab_graph.csvfiles import csv_text
from collab_graph.errors import CollabGraphError, CurationError
from collab_graph.graph import query
from collab_graph.graph.links import LEVEL_MEANINGS
from collab_graph.graph.schema import KnowledgeGraph, NodeAttr, note_node, theme_node
from collab_graph.model import NodeKind, NoteKind, OrgType, ParseResult
from collab_graph.resources import default_notes
from collab_graph.review.queue import review_next
from collab_graph.review.reviews import Review, save_review
from collab_graph.views import app_support as sup
from collab_graph.views import network as viz
from collab_graph.views import tables
from collab_graph.views import uploads as up
from collab_graph.workspace import Workspace

st.set_page_config(page_title="collab-graph", page_icon="🕸️", layout="wide")
sup.quiet_streamlit_noise()  # "missing ScriptRunContext" and the like stay off the terminal

# A graph is named by its content key (pipeline.keys): it changes when a notes
# file, a data file, a review or a curated link changes.
GraphKey = str

# Above this many notes, Explore opens on the theme-level overview.
OVERVIEW_NOTES = 1000
MAX_QUOTES = 200  # per practice on the Ask page; a national corpus has thousands
MAX_NOTE_ROWS = 2000  # notes listed (and offered for review) at once on the Notes page
NEAR_THEME = 0.2  # a suggestion this similar to a theme offers to merge into it
PROGRESS_NOTES = 2000  # from this many notes on, building the graph shows a progress bar


# --------------------------------------------------------------------------- cached core calls


@st.cache_resource
def _corpora() -> dict[GraphKey, pipeline.Corpus]:
    """The corpus behind each graph key this server has seen (to rebuild an evicted graph)."""
    return {}


@st.cache_resource
def _stores() -> dict[GraphKey, sup.StoreSource]:
    """The store behind each graph key of ``collab-graph app --store`` (no notes files then)."""
    return {}


@st.cache_data(ttl=30, show_spinner=False)
def store_version(source: sup.StoreSource) -> str:
    """What the store holds under the base (graphs and triple counts), asked at most every 30 s."""
    return sup.store_fingerprint(source)


STORE = sup.store_from_env()  # set by `collab-graph app --store URL`; None: notes files

LOCAL_ONLY = (
    "This app reads from the store at {url}: {what} needs the notes files. "
    "Run `collab-graph app PATHS...` on the notes to {todo}."
)


@st.cache_resource
def _loaded() -> set[str]:
    """Coding and graph keys whose results this server holds (see :func:`current_graph`)."""
    return set()


@st.cache_resource(max_entries=4, show_spinner="Coding the notes…")
def load_coded(
    coding_key: str, _corpus: pipeline.Corpus, _built: pipeline.Coded | None = None
) -> pipeline.Coded:
    """The parsed and coded notes of a corpus (the classifier alone; reviews come later).

    ``_built`` (not part of the cache key) is the result when the caller has just
    built it with a progress bar (see :func:`current_graph`).
    """
    return pipeline.code(_corpus) if _built is None else _built


@st.cache_resource(max_entries=4, show_spinner="Building the knowledge graph…")
def load_graph(key: GraphKey) -> KnowledgeGraph:
    """The knowledge graph of a key (shared, never mutated: views copy).

    Only reviews or links changed since the last build? Then the coded notes are
    still held, and only the review and graph stages run. A store's graph
    (``collab-graph app --store``) is read from the store.
    """
    if key in _stores():
        return sup.store_graph(_stores()[key])
    corpus = _corpora()[key]
    keys = pipeline.keys(corpus)
    warnings: list[str] = []
    G = pipeline.graph(
        corpus,
        coded=load_coded(keys.coding, corpus),
        write_behind=_pending_writes(),
        on_warning=warnings.append,
    )
    _graph_warnings()[key] = tuple(warnings)
    # The graph lives as long as the server: move its million-odd objects out of
    # the garbage collector's sight, so no later full collection rescans them
    # (a pause of a second at 100k notes, felt as a slow filter change).
    gc.freeze()
    return G


@st.cache_resource
def _graph_warnings() -> dict[GraphKey, tuple[str, ...]]:
    """The warnings of each graph built (skipped review rows, stale reviews, parse warnings)."""
    return {}


def show_warnings(key: GraphKey, shown: int = 5) -> None:
    """One warning box for what the pipeline skipped or could not apply, so a bad row in the
    analyst's files is seen and the page still renders."""
    found = _graph_warnings().get(key, ())
    if found:
        lines = [f"- {sup.md_escape(w)}" for w in found[:shown]]
        if len(found) > shown:
            lines.append(f"- … and {len(found) - shown} more (`collab-graph classify` lists all)")
        st.warning(
            f"{len(found)} problem(s) in your workspace or notes; the rest applies:\n"
            + "\n".join(lines)
        )


@st.cache_resource
def _pending_writes() -> list[Callable[[], None]]:
    """Cache writes left for after the page is drawn (see :func:`_write_behind`)."""
    return []


def _write_behind() -> None:
    """Write newly built graphs to the disk cache from a background thread, after the page."""
    pending = _pending_writes()
    jobs = [pending.pop() for _ in range(len(pending))]
    if jobs:
        threading.Thread(target=lambda: [job() for job in jobs], daemon=True).start()


@st.cache_resource
def sparql_pool() -> Any:
    """Worker processes that keep the graph's RDF loaded and run SPARQL under limits.

    Two workers: a runaway query holds one until its time limit, the other keeps
    answering. The app's limits (``COLLAB_GRAPH_SPARQL_*``) are read at each query.
    """
    from collab_graph.rdf.worker import SparqlPool

    return SparqlPool(size=2)


def session_alive() -> Callable[[], bool]:
    """A check that this browser session still waits for its script run.

    Streamlit has no session-end callback to rely on. When a browser tab closes,
    the server drops the session from its active sessions and asks its script
    run to stop; a new run (another click) asks it to rerun. The SPARQL wait loop
    polls this check, so the query's worker is stopped in either case.
    """
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return lambda: True
    runtime = Runtime.instance() if Runtime.exists() else None
    requests = ctx.script_requests

    def alive() -> bool:
        if runtime is not None and not runtime.is_active_session(ctx.session_id):
            return False
        state = getattr(requests, "_state", None)  # CONTINUE, or STOP / RERUN pending
        return state is None or state.name == "CONTINUE"

    return alive


@st.cache_data(max_entries=64, show_spinner=False)
def explore_view(key: GraphKey, params: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """The Explore page's graph for one combination of filters (cached per combination)."""
    G = load_graph(key)
    p = dict(params)
    notice = ""
    highlight: list[str] = []
    focus = p.get("focus")
    if p["mode"] == "overview":
        H = viz.overview_graph(G)
        drill = p.get("drill")
        if drill:
            H, left_out = viz.drilldown(G, drill, max_notes=300)
            highlight = [drill]
            if left_out:
                notice = f"{left_out} more notes not shown; filter on the Notes page to see all."
    else:
        H = viz.filter_graph(
            G,
            kinds=p["kinds"],
            note_kinds=p["note_kinds"] or None,
            groups=p["groups"],
            questions=p["questions"],
            themes=p["themes"],
            orgs=p["orgs"],
            min_degree=p["min_degree"],
            include_empty=p.get("include_empty", False),
        )
        if focus and focus in H:
            H = viz.neighbourhood(H, focus, radius=p["radius"])
            highlight = [focus]
        elif focus:
            notice = "The node you searched for is hidden by the filters."
    # each view is laid out afresh, so that its labels are spaced for what it shows
    view = viz.render(H, height=700, highlight=highlight, focus=focus, readable_zoom=True)
    return {
        "html": view.html,
        "nodes": view.nodes,
        "edges": view.edges,
        "physics": view.physics,
        "height": view.height,
        "notice": notice,
    }


@st.cache_data(max_entries=64, show_spinner=False)
def ask(key: GraphKey, barrier: str) -> dict[str, Any]:
    """Practices for one barrier, or ``{"error", "suggestions"}`` when nothing matches."""
    try:
        return query.practices_for(load_graph(key), barrier, max_quotes=MAX_QUOTES)
    except query.NoMatchError as exc:
        return {"error": str(exc), "suggestions": exc.suggestions}


@st.cache_data(max_entries=32, show_spinner=False)
def ask_view(key: GraphKey, barrier_id: str, practice_ids: tuple[str, ...]) -> tuple[str, int]:
    """The small graph of a barrier, its best practices and the notes raising it."""
    H = viz.answer_subgraph(load_graph(key), barrier_id, practice_ids)
    centre = theme_node(barrier_id)
    positions = viz.answer_layout(H, centre, [theme_node(p) for p in practice_ids])
    height = int(min(760, max(460, 48 * len(practice_ids) + 140)))
    view = viz.render(
        H,
        positions=positions,
        physics=False,
        height=height,
        highlight=[centre],
        show_scores=True,
        fit_labels=True,
    )
    return view.html, view.height


@st.cache_data(max_entries=32, show_spinner=False)
def combined(key: GraphKey, barriers: tuple[str, ...]) -> dict[str, Any]:
    """Several barriers at once (CFIR-ERIC style), or ``{"error"}``."""
    try:
        return query.combined_practices(load_graph(key), list(barriers))
    except query.NoMatchError as exc:
        return {"error": str(exc), "suggestions": exc.suggestions}


@st.cache_resource(max_entries=4, show_spinner=False)
def notes_rows(key: GraphKey) -> list[dict[str, Any]]:
    """Every note with its coding."""
    return tables.note_rows(load_graph(key))


@st.cache_data(max_entries=4, show_spinner=False)
def review_queue(key: GraphKey) -> list[tuple[str, bool]]:
    """The notes to review next, least sure first: ``(node, needs review)``."""
    corpus = _corpora()[key]
    coded = load_coded(pipeline.keys(corpus).coding, corpus)
    reviewed = {(r["workshop"], r["id"]) for r in notes_rows(key) if r["reviewed"]}
    return [
        (note_node(c.note.workshop, c.note.id), c.needs_review)
        for c in review_next(coded.coded, reviewed)
    ]


@st.cache_data(max_entries=4, show_spinner=False)
def teaching(key: GraphKey) -> dict[str, int]:
    """How many of the workshop's reviews can teach the classifier, per kind (the key
    changes with the reviews)."""
    return retrain.kinds_of(pipeline.review_examples(workspace()))


@st.cache_data(max_entries=4, show_spinner=False)
def insights(key: GraphKey) -> dict[str, Any]:
    """Everything the Insights page charts."""
    G = load_graph(key)
    return {
        "barriers": query.themes_ranked(G, NodeKind.BARRIER),
        "practices": query.themes_ranked(G, NodeKind.PRACTICE),
        "heatmap": query.group_theme_counts(G),
        "orgs": query.org_mentions(G),
        "gaps": query.gaps(G),
        "kinds": query.kind_counts(G),
    }


@st.cache_data(max_entries=32, show_spinner="Preparing the download…")
def export_bytes(key: GraphKey, fmt: str) -> bytes:
    """The whole graph in one export format."""
    from collab_graph.views import export

    return export.export(load_graph(key), fmt)


@st.cache_data(max_entries=8, show_spinner=False)
def qda_bytes(key: GraphKey, fmt: str) -> bytes:
    """The REFI-QDA codebook (``qdc``) or project (``qdpx``) of the workshops in use."""
    from collab_graph.views import refiqda

    corpus = _corpora()[key]
    taxonomy = pipeline.vocabulary(corpus.workspace).taxonomy
    if fmt == "qdc":
        return refiqda.codebook_xml(taxonomy)
    coded = load_coded(pipeline.keys(corpus).coding, corpus)
    sources = refiqda.project_sources(corpus.sources(), pipeline.parsed(corpus))
    return refiqda.qdpx(taxonomy, sources, pipeline.review(corpus, coded).coded)


@st.cache_data(max_entries=8, show_spinner=False)
def xml_warning(key: GraphKey) -> str:
    """What the XML downloads replace (characters XML 1.0 forbids), or ``""``."""
    from collab_graph.views.xmlsafe import forbidden_report

    report = forbidden_report(load_graph(key))
    return report.message("The xml, graphml and gexf downloads") if report else ""


def coding_vocabulary() -> tuple[dict[str, str], dict[str, str]]:
    """``{theme id: label}`` and ``{organisation id: label}`` for the review editor."""
    vocab = pipeline.vocabulary(workspace())
    themes = {t.id: f"{t.label} ({t.kind})" for t in vocab.taxonomy.themes.values()}
    orgs = {o.id: o.label for o in vocab.gazetteer.organisations.values()}
    return dict(sorted(themes.items(), key=lambda kv: kv[1].casefold())), dict(
        sorted(orgs.items(), key=lambda kv: kv[1].casefold())
    )


# --------------------------------------------------------------------------- session


def _session_alive(session_id: str) -> bool | None:
    """Whether a browser session is still connected (None: no server to ask, as in AppTest)."""
    from streamlit import runtime

    if not runtime.exists():
        return None
    return runtime.get_instance().is_active_session(session_id)


@st.cache_resource
def _upload_reaper(root: str) -> up.Reaper:
    """Removes the uploads of ended sessions and sweeps old ones (first round at start)."""
    # a disconnected browser may come back within Streamlit's TTL; then some slack
    grace = float(st.get_option("server.disconnectedSessionTTL")) + 10.0
    return up.Reaper(
        up.private_root(Path(root)),
        alive=_session_alive,
        grace=grace,
        max_age=up.max_age_seconds(),
        interval=up.sweep_interval(),
    ).start()


def session_uploads() -> up.SessionUploads:
    """This browser session's upload folder (removed when the session ends)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    reaper = _upload_reaper(str(up.default_root()))
    found = st.session_state.get("uploads")
    if not isinstance(found, up.SessionUploads) or found.closed:
        found = up.SessionUploads(reaper.root)
        st.session_state["uploads"] = found
    ctx = get_script_run_ctx()
    if ctx is not None:
        reaper.register(ctx.session_id, found)
    return found


def public(exc: BaseException) -> str:
    """An error message fit for the page: uploads named as the user named them, no server paths."""
    return up.public_message(str(exc), up.default_root())


def sources() -> list[str]:
    """The notes files in use: uploads, else the files given on the command line."""
    if "sources" not in st.session_state:
        st.session_state["sources"] = [str(p) for p in sup.paths_from_env()]
    found = st.session_state.get("uploads")
    if isinstance(found, up.SessionUploads):
        gone = [p for p in st.session_state["sources"] if found.owns(p) and not Path(p).exists()]
        if gone:  # swept after a long pause: say so, and go on without them
            st.session_state["sources"] = [p for p in st.session_state["sources"] if p not in gone]
            st.session_state["data_msg_warning"] = (
                f"{len(gone)} uploaded file(s) were removed after going unused; upload them again."
            )
    return list(st.session_state["sources"])


def workspace() -> Workspace:
    """The analyst's workspace (``collab-graph app --workspace`` or ``$COLLAB_GRAPH_WORKSPACE``)."""
    return Workspace.locate()


def current_corpus() -> pipeline.Corpus:
    """The notes files in use, with the analyst's workspace."""
    return pipeline.Corpus(sources(), workspace=workspace(), options=sup.options_from_env())


def graph_key() -> GraphKey:
    """The content key of the current graph; it changes when a notes or data file, a review
    or a link changes. Raises ``OSError`` when a notes file cannot be read."""
    if STORE is not None:
        key = f"store:{STORE.url}|{STORE.base}|{store_version(STORE)}"
        _stores()[key] = STORE
        return key
    corpus = current_corpus()
    key = pipeline.keys(corpus).graph
    _corpora()[key] = corpus
    return key


def current_graph() -> KnowledgeGraph | None:
    """The current graph, or None after showing the error in the page.

    Coded notes this server does not hold yet are read from the cache or coded
    here, outside the cached :func:`load_coded` (Streamlit cannot replay a
    progress bar drawn from inside a cached function), with a progress bar while
    a large corpus is coded; then they are handed to :func:`load_coded`.
    """
    if STORE is not None:
        try:
            return load_graph(graph_key())
        except (CollabGraphError, OSError) as exc:
            st.error(f"Cannot read the graph from the store: {exc}")
            return None
    corpus = current_corpus()
    try:
        try:
            keys = pipeline.keys(corpus)
        except OSError:
            pipeline.code(corpus, cache=None)  # says which file, as a CollabGraphError
            raise
        _corpora()[keys.graph] = corpus
        if keys.graph not in _loaded() and keys.coding not in _loaded():
            bar = st.empty()

            def progress(done: int, total: int) -> None:
                if total >= PROGRESS_NOTES:
                    bar.progress(done / max(total, 1), text=f"Coding notes: {done:,} of {total:,}")

            with st.spinner("Coding the notes…"):
                built = pipeline.code(corpus, progress=progress)
            bar.empty()
            load_coded(keys.coding, corpus, _built=built)
            _loaded().add(keys.coding)
        G = load_graph(keys.graph)
        _loaded().add(keys.graph)
        show_warnings(keys.graph)
        return G
    except (CollabGraphError, OSError) as exc:
        st.error(f"Cannot build the graph: {public(exc)}")
        st.info("Open the **Data** page to load other notes or return to the bundled workshop.")
        return None


def show_html(page_html: str, height: int) -> None:
    """Embed a generated graph page (same-origin ``srcdoc`` iframe)."""
    st.iframe(page_html, height=height)


def _column_config(spec: tables.Column, name: str) -> Any:
    """A Streamlit column configuration for one of the views' column specifications."""
    cc, label, width, help = st.column_config, spec.label or name, spec.width, spec.help
    match spec.type:
        case tables.ColumnType.INTEGER:
            return cc.NumberColumn(label, width=width, help=help, format="%d")
        case tables.ColumnType.NUMBER:
            return cc.NumberColumn(label, width=width, help=help, format="%.2f")
        case tables.ColumnType.SCORE:
            return cc.ProgressColumn(
                label, width=width, help=help, min_value=0.0, max_value=1.0, format="%.2f"
            )
        case tables.ColumnType.CHECK:
            return cc.CheckboxColumn(label, width=width, help=help)
    return cc.TextColumn(label, width=width, help=help)


def table(
    rows: Sequence[Mapping[str, Any]],
    *,
    widths: Mapping[str, int] | None = None,
    column_config: Mapping[str, Any] | None = None,
    max_lines: int = 6,
    max_height: int | None = None,
    **kwargs: Any,
) -> None:
    """A read-only table (workshop text is shown as text, never as Markdown).

    Every column gets the width, format and header help of its
    :func:`collab_graph.views.tables.column` specification (``widths``
    overrides the width in pixels, ``column_config`` the whole column); rows
    grow to show long text wrapped, up to ``max_lines`` lines (a cell shows
    all of its text when clicked). ``max_height``: as tall as the rows need, up to
    that many pixels.
    """
    import pandas as pd

    rows = list(rows)
    frame = pd.DataFrame(rows)
    widths = widths or {}
    config = {
        name: _column_config(replace(spec, width=widths.get(name, spec.width)), name)
        for name in frame.columns
        if (spec := tables.column(name))
    }
    config.update(column_config or {})
    kwargs.setdefault(
        "row_height", tables.row_height(rows[:500], widths=widths, max_lines=max_lines)
    )
    if max_height is not None:
        kwargs["height"] = min(max_height, 38 + (kwargs["row_height"] or 35) * len(rows))
    st.dataframe(
        frame, hide_index=True, width="stretch", column_config=config, placeholder="–", **kwargs
    )


# --------------------------------------------------------------------------- pages


def explore_page() -> None:
    """Explore: the interactive graph with filters, search and drill-down."""
    st.title("Explore the knowledge graph")
    G = current_graph()
    if G is None:
        return
    key = graph_key()
    n_notes = sum(query.kind_counts(G).values())
    themes = sup.option_labels(G, "practice", "barrier", "benefit")
    orgs = sup.option_labels(G, "organisation", "tool")
    groups = dict(sup.group_options(G))

    with st.sidebar:
        st.header("View")
        mode = st.segmented_control(
            "Level",
            ["notes", "overview"],
            default="overview" if n_notes > OVERVIEW_NOTES else "notes",
            format_func=lambda m: {"notes": "Notes", "overview": "Themes overview"}[m],
            key="x_mode",
            persist_state="session",
            help="The overview aggregates notes into themes and organisations; "
            "it opens by default on large graphs.",
        )
        mode = mode or "notes"
        st.header("Filters")
        # label, options (value → shown text), widget key, default (None: all, "All")
        filter_spec: list[tuple[str, Mapping[Any, str], str, list[str] | None]] = [
            (
                "Node kinds",
                {str(k): viz.KIND_STYLES[k].name for k in NodeKind},
                "x_kinds",
                list(viz.DEFAULT_KINDS),
            ),
            ("Note kinds", {str(k): str(k) for k in NoteKind}, "x_note_kinds", None),
            ("Groups", groups, "x_groups", None),
            (
                "Questions",
                {q: f"Question {q}" for q in sup.question_options(G)},
                "x_questions",
                None,
            ),
            ("Themes", themes, "x_themes", None),
            ("Organisations and tools", orgs, "x_orgs", None),
        ]
        chosen = {
            widget: st.multiselect(
                label,
                list(options),
                default=default,
                format_func=options.__getitem__,
                key=widget,
                persist_state="session",
                placeholder="All" if default is None else None,
                disabled=mode == "overview",
            )
            for label, options, widget, default in filter_spec
        }
        min_degree = st.slider(
            "Minimum links per node",
            0,
            10,
            0,
            key="x_min_degree",
            persist_state="session",
            disabled=mode == "overview",
        )
        include_empty = st.checkbox(
            "Show themes and organisations with no notes",
            key="x_include_empty",
            persist_state="session",
            disabled=mode == "overview",
            help="The taxonomy has more themes and organisations than these notes touch; "
            "they are hidden unless you ask for them.",
        )

    drill = None
    focus = None
    radius = 1
    if mode == "overview":
        hubs = {**themes, **orgs}
        drill = st.selectbox(
            "Drill down into a theme or organisation",
            list(hubs),
            index=None,
            format_func=hubs.__getitem__,
            placeholder="Choose one to see its notes",
            key="x_drill",
            persist_state="session",
        )
    else:
        c1, c2, c3 = st.columns([3, 3, 1])
        needle = c1.text_input(
            "Find a node",
            key="x_search",
            persist_state="session",
            placeholder="e.g. no time, NHS, G3-Q1-D-6",
            help="Searches labels, note text and ids; focuses the graph on the match.",
        )
        hits = viz.search_nodes(G, needle) if needle else []
        if needle and not hits:
            c2.warning(f"Nothing matches “{needle}”.")
        if hits:
            focus = c2.selectbox(
                "Matches",
                hits,
                format_func=lambda n: sup_label(G, n),
                key="x_focus",
            )
            radius = c3.number_input("Radius", 1, 3, 1, key="x_radius")

    params = {
        "mode": mode,
        "kinds": tuple(chosen["x_kinds"]),
        "note_kinds": tuple(chosen["x_note_kinds"]),
        "groups": tuple(chosen["x_groups"]),
        "questions": tuple(chosen["x_questions"]),
        "themes": tuple(chosen["x_themes"]),
        "orgs": tuple(chosen["x_orgs"]),
        "min_degree": int(min_degree),
        "include_empty": bool(include_empty),
        "focus": focus,
        "radius": int(radius),
        "drill": drill,
    }
    st.session_state["explore_params"] = params
    view = explore_view(key, tuple(sorted(params.items())))
    physics = "settling with physics" if view["physics"] else "fixed layout, physics off"
    st.caption(
        f"Showing {view['nodes']} nodes and {view['edges']} links ({physics}). "
        "Hover a node for its exact text and provenance; scroll to zoom, drag to pan."
    )
    if view["notice"]:
        st.info(view["notice"])
    show_html(view["html"], view["height"])


def sup_label(G: KnowledgeGraph, node: str) -> str:
    """A one-line label of a node for pickers."""
    d = G.nodes[node]
    kind = str(d.get(NodeAttr.KIND))
    if kind == NodeKind.NOTE:
        text = " ".join(str(d.get(NodeAttr.TEXT, "")).split())
        return f"{d.get(NodeAttr.NOTE_ID)}: {text[:70]}"
    return f"{d.get(NodeAttr.LABEL)} ({kind})"


def ask_page() -> None:
    """Ask: which practices address a barrier?"""
    st.title("Which practices address a barrier?")
    G = current_graph()
    if G is None:
        return
    key = graph_key()
    ranked = query.themes_ranked(G, NodeKind.BARRIER)
    labels = [r["label"] for r in ranked if r["n_groups"]]
    st.write(
        "Pick a barrier or type one in your own words. Practices are ranked by a score that "
        "combines a **curated** link (an analyst's judgement) with **evidence** from the "
        "workshop groups (or, where notes have no groups, their sections); each link says "
        "whether it is curated only, evidence only or both. Level 1 means at least half the "
        "groups raising the barrier also report the practice."
    )
    ask_one(key, labels)
    st.divider()
    ask_several(key, labels)


# Asking (or opening a practice's quotes) reruns only the fragment that asked, not the
# page: the browser redraws the answer alone (benchmarks/concurrent_ask.py).
@st.fragment
def ask_one(key: GraphKey, labels: list[str]) -> None:
    """The barrier box and its answer."""
    if "ask_barrier" in st.session_state and st.session_state["ask_barrier"] not in (
        None,
        *labels,
    ):
        labels = [st.session_state["ask_barrier"], *labels]
    barrier = st.selectbox(
        "Barrier",
        labels,
        index=None,
        accept_new_options=True,
        placeholder="e.g. Day job – no time",
        key="ask_barrier",
        bind="query-params",
        help="Free text is matched by meaning against the barriers' names, definitions and "
        "the notes tagged with them; the similarity (0–1) is shown with the answer.",
    )
    if barrier:
        result = ask(key, barrier)
        if "error" in result or result["barrier"] is None:
            closest = result.get("closest") or result.get("suggestions") or []
            st.warning(
                f"No barrier matches “{barrier}” well (every similarity is below "
                f"{query.MIN_SIMILARITY:.2f}). "
                + (
                    "The closest barriers are below: pick one, or ask in other words."
                    if closest
                    else "No barrier shares a word with it: pick one from the list, "
                    "or ask in other words."
                )
            )
            cols = st.columns(min(4, max(1, len(closest))))
            for i, s in enumerate(closest[:4]):
                similarity = f"{s['similarity']:.2f} · " if "similarity" in s else ""
                cols[i].button(
                    f"{similarity}{s['label']}",
                    help=f"{s['label']} ({s['id']}): similarity {s.get('similarity', '-')}",
                    key=f"suggest_{i}",
                    on_click=_set_state,
                    args=("ask_barrier", s["label"]),
                )
        else:
            show_answer(key, result)


@st.fragment
def ask_several(key: GraphKey, labels: list[str]) -> None:
    """Several barriers at once, ranked together."""
    st.subheader("Several barriers at once")
    st.caption(
        "As in the CFIR-ERIC matching tool: practices are ranked by the sum of their link "
        "scores over the barriers you choose, with how many they address at Level 1 and 2."
    )
    chosen = st.multiselect(
        "Barriers",
        labels,
        key="ask_many",
        accept_new_options=True,
        placeholder="Choose two or more barriers",
    )
    if chosen:
        res = combined(key, tuple(chosen))
        if "error" in res:
            st.warning(res["error"])
        elif not res["practices"]:
            st.info("No practice addresses these barriers yet.")
        else:
            table(tables.combined_rows(res))
            st.caption(
                " · ".join(f"{name}: {label}" for name, label in tables.combined_legend(res))
                + ". Each barrier column is the practice's score for that barrier (– where it "
                "does not address it). " + " · ".join(LEVEL_MEANINGS.values()) + "."
            )


def _set_state(name: str, value: Any) -> None:
    st.session_state[name] = value


# How the Ask page names a link's origin and the side a quote supports (comments, not
# docstrings: Streamlit's magic would write a bare string onto the page).
_ORIGIN_WORDS = {
    "curated": "curated only",
    "evidence": "evidence only",
    "both": "curated and evidence",
}
_ROLE_WORDS = {"practice": "reports the practice", "barrier": "raises the barrier"}


def quote_table(evidence: Sequence[Mapping[str, Any]]) -> None:
    """Quotes as a table: the note, where it is, the side it supports and its own kind.

    Sized for the Ask page's narrower left column (about 520 px at 1440×900).
    """
    several = len({e.get("workshop") for e in evidence}) > 1
    table(
        [
            {
                "quote": q["quote"],
                "where": f"{q['workshop']} · {q['where']}" if several else q["where"],
                "supports": f"{q['supports']} (pairs both)" if q["explicit"] else q["supports"],
                "note kind": q["kind"],
            }
            for q in tables.quote_rows(evidence)
        ],
        widths={"quote": 220, "where": 140, "supports": 80, "note kind": 75},
    )


def _units_text(item: Mapping[str, Any]) -> str:
    """The groups (or sections, or workshop) behind a barrier or practice, in words."""
    who = tables.groups_text(item, several=False)
    if item.get("groups") and who[:1].isdigit():
        return f"groups {who}"
    return "no group or section" if who == "-" else who


def show_answer(key: GraphKey, result: Mapping[str, Any]) -> None:
    """The ranked practices for one barrier, with score parts, quotes and a small graph."""
    b = result["barrier"]
    how = {
        "meaning": f"matched your words by meaning (similarity {b['similarity']:.2f})",
        "note": "from a note id",
    }
    st.subheader(f"Barrier: {b['label']}")
    groups = ", ".join(str(g) for g in b["groups"])
    raised = (
        f"{len(b['workshop_groups'])} groups (groups {groups})" if b["groups"] else _units_text(b)
    )
    st.caption(
        f"{how.get(b['matched_by'], 'matched by ' + b['matched_by'])} · raised by "
        f"{raised} in {b['evidence_total']} note{'s' * (b['evidence_total'] != 1)}"
    )
    if b.get("runners_up"):
        st.caption(
            "Also close: "
            + "; ".join(f"{r['label']} ({r['similarity']:.2f})" for r in b["runners_up"])
        )
    practices = result["practices"]
    if not practices:
        st.info("No practice addresses this barrier yet; see the gaps on the Insights page.")
        with st.expander("Notes raising this barrier"):
            quote_table(b["evidence"])
        return
    table(tables.practice_rows(result), column_config={"id": None})
    st.caption(" · ".join(LEVEL_MEANINGS.values()) + ".")
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**Supporting quotes**")
        for i, p in enumerate(practices[:8]):
            cur = p.get("curated") or {}
            title = (
                f"{i + 1}. {p['label']} — {_ORIGIN_WORDS[p['origin']]} · score {p['score']:.2f} "
                f"(curated {p['curated_score']:.2f}, evidence {p['evidence_score']:.2f}), "
                f"Level {p['level']}"
            )
            box = st.expander(
                title, expanded=i == 0, key=f"ask_quotes_{b['id']}_{i}", on_change="rerun"
            )
            if not box.open:  # drawn when opened: closed, they cost the browser as much
                continue
            with box:
                if cur.get("rationale"):
                    st.markdown(
                        f"*Curated ({cur.get('strength')}):* {sup.md_escape(cur['rationale'])}"
                    )
                st.caption(
                    f"Reported by {_units_text(p)} · "
                    f"endorsement {p['endorsement']:.0%} of the groups raising the barrier"
                )
                for q in tables.quote_rows(p["evidence"][:6]):
                    text = q["quote"] if q["quote"][:1] in "“\"‘'" else f"“{q['quote']}”"
                    role = _ROLE_WORDS.get(q["supports"], q["supports"])
                    pairs = " (pairs both)" if q["explicit"] else ""
                    kind = f" · {q['kind']} note" if q["kind"] else ""
                    st.markdown(
                        f"> {sup.md_escape(text)}  \n> — *{role}{pairs}{kind} · {q['where']}*"
                    )
                if len(p["evidence"]) > 6:
                    quote_table(p["evidence"])
                if p["evidence_total"] > len(p["evidence"]):
                    st.caption(
                        f"Showing the first {len(p['evidence'])} of {p['evidence_total']} "
                        "quotes (explicit pairings first); to list them all: "
                        "`collab-graph practices ... --format json --max-quotes 0`."
                    )
    with right:
        st.markdown("**The barrier, its practices and the notes raising it**")
        ids = tuple(p["id"] for p in practices[:8])
        page_html, height = ask_view(key, b["id"], ids)
        show_html(page_html, height)


def bar_chart(
    frame: Any, label: str, value: str, title: str, colour: str, tooltip: list[Any], *, row_px: int
) -> None:
    """Horizontal bars, the longest first, with every label in full and whole-number ticks."""
    import altair as alt

    chart = (
        alt.Chart(frame)
        .mark_bar(color=colour)
        .encode(
            x=alt.X(f"{value}:Q", title=title, axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                f"{label}:N",
                sort="-x",
                title=None,
                axis=alt.Axis(labelLimit=0, labelOverlap=False),
            ),
            tooltip=tooltip,
        )
        .properties(height=max(160, row_px * len(frame)))
    )
    st.altair_chart(chart, width="stretch")


def insights_page() -> None:
    """Insights: rankings, a group × theme heatmap, organisations and gaps."""
    import altair as alt
    import pandas as pd

    st.title("Insights")
    G = current_graph()
    if G is None:
        return
    data = insights(graph_key())
    kinds = data["kinds"]
    cols = st.columns(len(kinds))
    for col, (k, v) in zip(cols, kinds.items(), strict=True):
        col.metric(f"{k} notes", v)

    # one chart per row, the full width: theme and organisation names are shown in full
    for name, colour in (
        ("barriers", viz.KIND_STYLES["barrier"].colour),
        ("practices", viz.KIND_STYLES["practice"].colour),
    ):
        rows = [r for r in data[name] if r["n_groups"]][:15]
        st.subheader(f"{name.capitalize()} by number of groups")
        if rows:
            df = pd.DataFrame(rows)[["label", "n_groups", "n_notes"]]
            tooltip = [
                alt.Tooltip("label", title=name[:-1]),
                alt.Tooltip("n_groups", title="groups"),
                alt.Tooltip("n_notes", title="notes"),
            ]
            bar_chart(df, "label", "n_groups", "groups", colour, tooltip, row_px=24)
        else:
            st.info(f"No {name} coded yet.")

    st.subheader("Themes by group")
    heat = pd.DataFrame(data["heatmap"])
    workshops = list(dict.fromkeys(heat["workshop"])) if not heat.empty else []
    for slug in workshops:  # one heatmap per workshop: short, horizontal group labels
        part = heat[heat["workshop"] == slug]
        if len(workshops) > 1:
            st.markdown(f"**{sup.md_escape(slug)}**")
        chart = (
            alt.Chart(part)
            .mark_rect()
            .encode(
                x=alt.X(
                    "group alone:N",
                    title=None,
                    sort=None,
                    axis=alt.Axis(labelAngle=0, labelLimit=0, orient="top"),
                ),
                y=alt.Y("theme:N", title=None, axis=alt.Axis(labelLimit=0, labelOverlap=False)),
                color=alt.Color(
                    "notes:Q",
                    scale=alt.Scale(scheme="blues"),
                    title="notes",
                    legend=alt.Legend(format="d", tickMinStep=1),
                ),
                tooltip=["group", "theme", "kind", "notes"],
            )
            .properties(height=max(120, 20 * part["theme"].nunique()))
        )
        st.altair_chart(chart, width="stretch")

    st.subheader("Organisations mentioned")
    orgs = pd.DataFrame(data["orgs"][:20])
    if orgs.empty:
        st.info("No organisation is mentioned.")
    else:
        colour = viz.KIND_STYLES["organisation"].colour
        tips: list[Any] = ["organisation", "type", "notes", "groups"]
        bar_chart(orgs, "organisation", "notes", "notes", colour, tips, row_px=22)

    gaps = data["gaps"]
    st.subheader("Gaps")
    left, right = st.columns(2)
    with left:
        st.markdown("**Barriers nobody addresses**")
        if gaps["unaddressed_barriers"]:
            table(
                [
                    {"barrier": r["label"], "groups": ", ".join(map(str, r["groups"]))}
                    for r in gaps["unaddressed_barriers"]
                ],
                widths={"barrier": 330},
            )
        else:
            st.success("Every barrier raised has at least one practice addressing it.")
    with right:
        st.markdown("**Practices linked to no barrier**")
        if gaps["unlinked_practices"]:
            table(
                [
                    {"practice": r["label"], "groups": ", ".join(map(str, r["groups"]))}
                    for r in gaps["unlinked_practices"]
                ],
                widths={"practice": 330},
            )
        else:
            st.success("Every practice reported addresses some barrier.")
    st.markdown("**Practices one group could share with another**")
    st.caption(
        "A practice some groups report, linked to a barrier that other groups raise without "
        "reporting it: the groups that report it could share how they do it."
    )
    cross = [
        {
            "practice": c["practice_label"],
            "barrier": c["barrier_label"],
            "score": c["score"],
            "reported by": ", ".join(str(g["group"]) for g in c["reported_by"]),
            "needed by": ", ".join(str(g["group"]) for g in c["needed_by"]),
        }
        for c in gaps["cross_group"][:30]
    ]
    if cross:
        table(cross)
    else:
        st.caption("No practice is reported by one group and needed by another.")


# The Notes table's columns at 1440 px: lists of themes and organisations get the room,
# so that most rows show every value within four lines (a cell shows all of it when clicked).
_NOTES_WIDTHS = {
    "id": 85,
    "where": 120,
    "text": 220,
    "kind": 85,
    "themes": 210,
    "orgs": 145,
    "confidence": 80,
}


def notes_page() -> None:
    """Notes: every note with its coding; analysts correct a code here and retrain on it."""
    st.title("Notes and their coding")
    G = current_graph()
    if G is None:
        return
    key = graph_key()
    rows = notes_rows(key)
    if STORE is not None:
        st.info(LOCAL_ONLY.format(url=STORE.url, what="reviewing notes", todo="review them"))
    view = (
        "all"
        if STORE is not None
        else st.segmented_control(
            "Show",
            ["all", "next"],
            default="all",
            format_func=lambda v: {"all": "All notes", "next": "Review next"}[v],
            key="n_view",
            help="Review next: the notes not reviewed yet, those the classifier is least sure "
            "of first. Save a review and the next one comes up.",
        )
    )
    next_up = view == "next"
    listing = rows
    if next_up:
        by_node = {r["node"]: r for r in rows}
        listing = [{**by_node[n], "needs review": u} for n, u in review_queue(key) if n in by_node]
    c1, c2, c3 = st.columns([3, 2, 2])
    needle = c1.text_input("Search notes", key="n_search", placeholder="words, id or theme")
    kinds = c2.multiselect("Kinds", [str(k) for k in NoteKind], key="n_kinds", placeholder="All")
    groups = sorted({r["group"] for r in rows if r["group"] is not None})
    sel_groups = c3.multiselect("Groups", groups, key="n_groups", placeholder="All")
    shown = [
        r
        for r in listing
        if (not kinds or r["kind"] in kinds)
        and (not sel_groups or r["group"] in sel_groups)
        and (
            not needle
            or needle.casefold()
            in " ".join(str(r[c]) for c in ("id", "text", "themes", "orgs", "kind")).casefold()
        )
    ]
    matching = len(shown)
    shown = shown[:MAX_NOTE_ROWS]
    more = (
        f" (the first {MAX_NOTE_ROWS:,} are listed: search or filter to narrow them)"
        if matching > MAX_NOTE_ROWS
        else ""
    )
    what = (
        f"{matching:,} notes not reviewed yet, least sure first{more}"
        if next_up
        else f"{matching:,} of {len(rows):,} notes{more}"
    )
    saved = f"read from {STORE.url}" if STORE else f"reviews are saved to {workspace().reviews}"
    st.caption(f"{what} · {saved}")
    if next_up:
        columns = ["id", "text", "kind", "confidence", "needs review", "reasons"]
    else:  # fits 1440 px with the sidebar; group, question, prompt and line are in "where"
        columns = ["id", "where", "text", "kind", "themes", "orgs", "confidence"]
    nodes = [r["node"] for r in shown]
    pick = "n_next" if next_up else "n_note"  # the review form's choice of note

    def choose() -> None:  # a row clicked in the table is the note to review
        rows = st.session_state["n_table"].selection.rows
        if rows and rows[0] < len(nodes):
            st.session_state[pick] = nodes[rows[0]]

    several = len({r["workshop"] for r in rows}) > 1
    table(
        [
            {
                **{c: r[c] for c in columns},
                "kind": f"{r['kind']} ✓" if r["reviewed"] else r["kind"],
                **({"where": f"{r['workshop']} · {r['where']}"} if several and not next_up else {}),
                **({} if next_up else {"reviewed": r["reviewed"]}),
            }
            for r in shown
        ],
        height=520,
        max_lines=4,
        widths=None if next_up else _NOTES_WIDTHS,
        column_config={"reviewed": None},  # shown as ✓ after the kind
        key="n_table",
        on_select=choose,
        selection_mode="single-row",
    )
    st.caption(
        "Long lists wrap to four lines; select a row to see all of its coding in the "
        "review form below."
    )
    if STORE is not None:
        return

    st.subheader("Review a note")
    if not shown:
        st.info(
            "Every note is reviewed." if next_up and not listing else "No note matches the filters."
        )
    else:
        review_form(key, {r["node"]: r for r in shown}, next_up=next_up)
    retrain_panel(key)


def review_form(key: GraphKey, by_node: Mapping[str, Mapping[str, Any]], *, next_up: bool) -> None:
    """Choose a note (the first listed by default) and save a review of it."""
    pick = "n_next" if next_up else "n_note"  # each list keeps its own choice
    if st.session_state.get(pick) not in by_node:
        st.session_state[pick] = next(iter(by_node))  # e.g. the note just reviewed left
    node = st.selectbox(
        "Note",
        list(by_node),
        format_func=lambda n: f"{by_node[n]['id']}: {by_node[n]['text'][:90]}",
        key=pick,
        help="In Review next, the least sure note comes first." if next_up else None,
    )
    if node is None:
        return
    row = by_node[node]
    unsure = " · **needs review**" if row.get("needs review") else ""
    st.caption(
        f"{sup.md_escape(row.get('where') or '')}: “{sup.md_escape(row['text'])}” · "
        f"coded **{row['kind']}** (confidence {row['confidence']}){unsure}. "
        f"Why: {sup.md_escape(row['reasons']) or '—'}"
    )
    theme_labels, org_labels = coding_vocabulary()
    org_labels = sup.with_detected_orgs(org_labels, load_graph(key), row["org_ids"])
    with st.form(f"review_{node}"):
        st.selectbox(
            "Kind",
            [str(k) for k in NoteKind],
            index=[str(k) for k in NoteKind].index(row["kind"]),
            key=f"n_kind_{node}",
        )
        st.multiselect(
            "Themes",
            list(theme_labels),
            default=[t for t in row["theme_ids"] if t in theme_labels],
            format_func=theme_labels.__getitem__,
            key=f"n_themes_{node}",
        )
        st.multiselect(
            "Organisations",
            list(org_labels),
            default=[o for o in row["org_ids"] if o in org_labels],
            format_func=org_labels.__getitem__,
            key=f"n_orgs_{node}",
        )
        st.text_input("Reason (required)", key="n_reason")
        st.text_input("Reviewer", key="n_reviewer")
        # saved in the callback, before the page runs again: one rerun, with the new graph
        st.form_submit_button(
            "Save review", type="primary", on_click=save_review_of, args=(key, node)
        )
    if error := st.session_state.pop("review_error", None):
        st.error(error)
    if msg := st.session_state.pop("review_saved", None):
        st.success(msg + " The graph and every page now use it.")


def retrain_panel(key: GraphKey) -> None:
    """Offer to retrain the classifier on the reviews; keep, discard or revert the model."""
    st.subheader("Teach the classifier")
    ws = workspace()
    if msg := st.session_state.pop("model_msg", None):
        st.success(msg)
    if error := st.session_state.pop("model_error", None):
        st.error(error)
    learned = 0
    if ws.model.is_file():
        learned = int(
            (pipeline.vocabulary(ws).model.meta.get("extra_examples") or {}).get("count", 0)
        )
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(
                "The notes are coded by **the model retrained in your workspace**"
                + (f", which learned from {learned} reviews." if learned else ".")
            )
            st.button("Revert to the bundled model", key="n_revert", on_click=revert_model)
    kinds = teaching(key)
    n = sum(kinds.values())
    if not n:
        st.caption(
            "Every review you save with a kind teaches the classifier: once you have reviewed "
            "notes of two kinds or more, you can retrain it on your reviews here."
        )
        return
    st.caption(
        f"{n} of your reviews can teach the classifier: "
        + ", ".join(f"{count} {kind}" for kind, count in kinds.items())
        + ". Retraining measures it first: accuracy on your reviewed notes before and after, "
        "cross-validated (no note is scored by a model trained on it)."
    )
    one_kind = len(kinds) < 2
    fresh = learned != n and "retrained" not in st.session_state  # something new to learn
    clicked = st.button(
        f"Retrain the classifier on {n} review{'s' * (n != 1)}",
        key="n_retrain",
        type="primary" if fresh else "secondary",
        disabled=one_kind,
        help="Review notes of at least two kinds first." if one_kind else None,
    )
    if clicked:
        run_retrain(ws, n)
    show_retrained()


def run_retrain(ws: Workspace, n: int) -> None:
    """Retrain with a progress bar; the result waits in the session to be kept or discarded."""
    st.session_state.pop("retrained", None)
    with st.status(f"Retraining the classifier on {n} reviews…", expanded=True) as status:
        bar = st.progress(0.0, text="Reading your reviews")

        def progress(what: str, done: float) -> None:
            bar.progress(min(done, 1.0), text=what)

        try:
            examples = pipeline.review_examples(ws)
            label = f"{len(examples)} reviews in {ws.reviews}"  # as collab-graph train says
            result = retrain.retrain(examples, label=label, progress=progress)
        except CollabGraphError as exc:
            status.update(label="Could not retrain the classifier", state="error")
            st.error(str(exc))
            return
        status.update(label="Retrained", state="complete", expanded=False)
    st.session_state["retrained"] = result
    st.rerun()  # draw the result with Keep and Discard, the offer no longer the main button


def show_retrained() -> None:
    """The comparison of a retrained model not kept yet, with Keep and Discard."""
    result: retrain.Retrained | None = st.session_state.get("retrained")
    if result is None:
        return
    c = result.comparison
    right_before = round(c.before * c.notes)
    right_after = round(c.after * c.notes)
    with st.container(border=True):
        st.markdown(
            f"#### Accuracy on your reviewed notes: before {c.before:.0%} → after {c.after:.0%}"
        )
        bundled = retrain.lowo_accuracy(pipeline.vocabulary(None).model)
        new = retrain.lowo_accuracy(result.model)
        elsewhere = (
            f" On the bundled labelled workshops (each left out in turn): {bundled:.1%} → "
            f"{new:.1%}."
            if bundled is not None and new is not None
            else ""
        )
        st.caption(
            f"{right_before} → {right_after} of {c.notes} reviewed notes coded as you reviewed "
            f"them; cross-validated, {c.folds} folds by {c.by}; retrained in "
            f"{result.seconds:.0f} s. Before: a model trained on the bundled notes alone. "
            "After: each fold's notes coded by a model trained on the bundled notes and your "
            f"other folds' reviews.{elsewhere}"
        )
        left, right = st.columns([2, 3])
        with left:
            table(c.kind_rows())
        with right:
            changed = [
                {
                    "now": now,
                    "note": s.note_id,
                    "reviewed": s.gold.value,
                    "before": s.before.value,
                    "after": s.after.value,
                    "text": s.text,
                }
                for now, notes in (("right", c.gained), ("wrong", c.lost))
                for s in notes
            ]
            st.caption(
                f"{len(c.gained)} notes now coded as you reviewed them, {len(c.lost)} no longer."
            )
            if changed:
                table(changed, max_height=300)
        better = c.after > c.before
        if not better:
            st.caption(
                "Your reviews do not yet help it code notes it has not seen: review more notes "
                "(Review next), or keep it anyway."
            )
        with st.container(horizontal=True):
            st.button(
                "Keep the new model",
                type="primary" if better else "secondary",
                key="n_keep",
                on_click=keep_model,
            )
            st.button("Discard it", key="n_discard", on_click=discard_model)


def keep_model() -> None:
    """Write the retrained model to the workspace: the notes are coded again with it."""
    result: retrain.Retrained | None = st.session_state.pop("retrained", None)
    if result is None:
        return
    try:
        retrain.save_model(workspace(), result.model)
    except CollabGraphError as exc:
        st.session_state["model_error"] = f"Could not keep the model: {exc}"
        return
    st.session_state["model_msg"] = (
        f"Kept the model retrained on {result.reviews} reviews: the notes are coded with it now."
    )


def discard_model() -> None:
    """Forget the retrained model; nothing was written."""
    st.session_state.pop("retrained", None)


def revert_model() -> None:
    """Go back to the bundled model (the workspace's moves to its history folder)."""
    try:
        kept = retrain.revert(workspace())
    except CollabGraphError as exc:
        st.session_state["model_error"] = f"Could not revert: {exc}"
        return
    st.session_state["model_msg"] = "Back to the bundled model" + (
        f" (the retrained one is kept in {kept})." if kept else "."
    )


def save_review_of(key: GraphKey, node: str) -> None:
    """Save the review form of one note (a form callback: the page then reruns once)."""
    state = st.session_state
    ws = workspace()
    vocab = pipeline.vocabulary(ws)
    note = sup.note_from_node(load_graph(key), node)
    corpus = _corpora()[key]
    coded = load_coded(pipeline.keys(corpus).coding, corpus)
    try:
        save_review(
            ws,
            Review.of(
                note,
                reason=state.get("n_reason", ""),
                kind=state.get(f"n_kind_{node}"),
                themes=state.get(f"n_themes_{node}", []),
                orgs=state.get(f"n_orgs_{node}", []),
                reviewer=state.get("n_reviewer", ""),
                context=pipeline.note_context(corpus, coded, note),
            ),
            themes=vocab.taxonomy.themes,
            organisations=vocab.gazetteer.organisations,
        )
    except CollabGraphError as exc:
        state["review_error"] = str(exc)
        return
    state["n_reason"] = ""  # a reason is about one note: the next starts blank
    count = sum(1 for _ in ws.read("reviews.csv", on_error=lambda e: None))
    state["review_saved"] = (
        f"Saved the review of {note.id} ({count} review{'s' * (count != 1)} in your workspace)."
    )


def data_page() -> None:
    """Data: the sources in use, their parse report, and uploads."""
    st.title("Data")
    if STORE is not None:
        st.info(LOCAL_ONLY.format(url=STORE.url, what="the Data page", todo="load or upload"))
        return
    current = sources()
    st.markdown(
        "**Workshops in use:** "
        + (", ".join(sup.md_escape(Path(p).name) for p in current) or "the bundled workshop")
    )
    results = parse_results()
    if results:
        st.subheader("Parse report")
        report = sup.parse_report(results)
        table(
            [{k: v for k, v in r.items() if k not in ("workshop", "warnings")} for r in report],
            column_config={"groups": st.column_config.NumberColumn(width=65, format="%d")},
            widths={"groups": 65},
        )
        for row in report:
            if row["warnings"]:
                st.warning(f"{row['source']}: {row['warnings']}")
        for r in results:
            if r.unassigned:
                with st.expander(
                    f"{len(r.unassigned)} unassigned lines in {Path(r.workshop.source).name}"
                ):
                    table(
                        [
                            {"line": sl.line, "text": sl.text, "why": sl.reason}
                            for sl in r.unassigned
                        ]
                    )
            else:
                st.caption(
                    f"{Path(r.workshop.source).name}: every non-blank line became a note "
                    "or structure; no unassigned lines."
                )

    st.subheader("Upload notes")
    st.caption(
        f"Files: {', '.join(sup.UPLOAD_SUFFIXES)}; at most "
        f"{sup.UPLOAD_LIMIT_BYTES // (1024 * 1024)} MB each. Groups, questions and prompt "
        "letters are recognised in many layouts (see the README)."
    )
    files = st.file_uploader(
        "Notes files",
        type=[s.lstrip(".") for s in sup.UPLOAD_SUFFIXES],
        accept_multiple_files=True,
        key="d_files",
        max_upload_size=sup.UPLOAD_LIMIT_BYTES // (1024 * 1024),
    )
    how = st.radio(
        "Use them to",
        ["add", "replace"],
        format_func=lambda h: {
            "add": "add workshops to the ones in use",
            "replace": "replace the workshops in use",
        }[h],
        horizontal=True,
        key="d_how",
    )
    c1, c2 = st.columns([1, 4])
    if c1.button("Load", type="primary", disabled=not files, key="d_load"):
        load_uploads(files or [], replace=how == "replace")
    if c2.button("Back to the bundled workshop", key="d_reset"):
        st.session_state["sources"] = []
        st.rerun()
    if msg := st.session_state.pop("data_msg", None):
        st.success(msg)
    if msg := st.session_state.pop("data_msg_warning", None):
        st.warning(msg)


@st.cache_resource(max_entries=4, show_spinner="Reading the notes…")
def parse_report_of(coding_key: str, _corpus: pipeline.Corpus) -> list[ParseResult]:
    """The full parse results (every line's role) of a corpus."""
    return pipeline.parsed(_corpus)


def parse_results() -> list[ParseResult]:
    """The parse results of the notes in use (errors shown in the page)."""
    try:
        corpus = current_corpus()
        return parse_report_of(pipeline.keys(corpus).coding, corpus)
    except OSError:
        try:
            pipeline.code(current_corpus(), cache=None)
        except CollabGraphError as exc:
            st.error(public(exc))
        return []
    except CollabGraphError as exc:
        st.error(public(exc))
        return []


def load_uploads(files: Sequence[Any], *, replace: bool) -> None:
    """Save, parse and switch to the uploaded files; errors stay in the page."""
    try:
        saved = session_uploads().save([sup.Upload(f.name, f.getvalue()) for f in files])
        current = sources() or [str(default_notes())]
        new = list(dict.fromkeys([*([] if replace else current), *map(str, saved)]))
        corpus = pipeline.Corpus(new, workspace=workspace(), options=sup.options_from_env())
        keys = pipeline.keys(corpus)
        coded = load_coded(keys.coding, corpus)  # errors show here, on the Data page
        _loaded().add(keys.coding)
        _corpora()[keys.graph] = corpus
        load_graph(keys.graph)
        _loaded().add(keys.graph)
        results = coded.results
    except (CollabGraphError, OSError) as exc:
        st.error(f"Could not load the upload: {public(exc)}")
        return
    st.session_state["sources"] = new
    n = sum(len(r.notes) for r in results)
    st.session_state["data_msg"] = f"Loaded {len(results)} workshop(s) with {n} notes."
    st.rerun()


def export_page() -> None:
    """Export: every format, the current view as offline HTML, and a read-only SPARQL console."""
    from collab_graph.views import export

    st.title("Export")
    G = current_graph()
    if G is None:
        return
    key = graph_key()
    st.subheader("The whole graph")
    st.caption(
        "RDF validated by the project's SHACL shapes, graph formats, CSV and HTML. In the CSV, "
        "cells starting with = + - @ get a leading ' so a spreadsheet does not run them."
    )
    if warning := xml_warning(key):
        st.warning(warning, icon="⚠️")
    names = list(export.FORMATS)
    cols = st.columns(5)
    for i, name in enumerate(names):
        fmt = export.FORMATS[name]
        cols[i % 5].download_button(
            f"{name} ({fmt.suffix})",
            data=_lazy(export_bytes, key, name),
            file_name=f"collab-graph{fmt.suffix}",
            mime=fmt.media_type,
            key=f"dl_{name}",
            on_click="ignore",
            width="stretch",
        )
    if STORE is None:  # made from the notes files and their parse, which a store does not hold
        st.subheader("For QDA tools (REFI-QDA)")
        st.caption(
            "For NVivo, ATLAS.ti, MAXQDA and QualCoder: the taxonomy as a codebook, or a "
            "project with each workshop as a text source and each note a coded selection "
            "(coded by the classifier, or by the analyst who reviewed it)."
        )
        qda = st.columns(5)
        for i, (qfmt, label, mime) in enumerate(
            (
                ("qdc", "codebook (.qdc)", "application/xml"),
                ("qdpx", "project (.qdpx)", "application/zip"),
            )
        ):
            qda[i].download_button(
                label,
                data=_lazy(qda_bytes, key, qfmt),
                file_name=f"collab-graph.{qfmt}",
                mime=mime,
                key=f"dl_{qfmt}",
                on_click="ignore",
                width="stretch",
            )
    st.subheader("The current graph view")
    params = st.session_state.get("explore_params")
    if params:
        view = explore_view(key, tuple(sorted(params.items())))
        st.caption(
            f"The Explore page's view ({view['nodes']} nodes): one HTML file that works offline."
        )
        st.download_button(
            "Download the current view (.html)",
            data=view["html"].encode("utf-8"),
            file_name="collab-graph-view.html",
            mime="text/html",
            key="dl_view",
            on_click="ignore",
        )
    else:
        st.caption("Open the Explore page first to choose a view; the whole graph is above.")
    sparql_console(key)


def _lazy(fn: Callable[[GraphKey, str], bytes], key: GraphKey, name: str) -> Callable[[], bytes]:
    return lambda: fn(key, name)


def sparql_console(key: GraphKey) -> None:
    """A read-only SPARQL console over the exported RDF."""
    st.subheader("SPARQL (read-only)")
    st.caption(
        "SELECT, ASK, CONSTRUCT and DESCRIBE over the graph's RDF; the prefixes cg:, skos:, "
        "prov:, dcterms:, schema: and org: need no declaration. Updates (INSERT, DELETE, "
        "LOAD, CLEAR, DROP …) and SERVICE are refused. A query stops at the server's "
        "time, row and memory limits."
    )
    examples = {q.id: q for q in sup.ready_made_queries()}  # docs/queries.md, every one
    pick = st.selectbox(
        "Ready-made query (docs/queries.md)",
        list(examples),
        format_func=lambda qid: examples[qid].title,
        key="sparql_example",
    )
    text = st.text_area(
        "Query", value=examples[pick].text if pick else "", height=160, key=f"sparql_{pick}"
    )
    if st.button("Run query", key="sparql_run", type="primary"):
        try:
            res = sparql(key, text)
        except CollabGraphError as exc:
            message = str(exc)
            st.error(message[:1].upper() + message[1:])
        else:
            if not res["rows"]:  # as the command line says (exit 1): nothing found
                st.info("The query returned no rows.")
                return
            st.caption(f"{len(res['rows'])} row(s)")
            table([dict(zip(res["columns"], row, strict=True)) for row in res["rows"]])
            st.download_button(
                "Download the rows (.csv)",
                data=csv_text(res["columns"], res["rows"]).encode("utf-8"),
                file_name="collab-graph-query.csv",
                mime="text/csv",
                key="dl_sparql_csv",
                on_click="ignore",
            )


@st.cache_data(max_entries=32, show_spinner="Running the query…")
def sparql(key: GraphKey, text: str) -> dict[str, Any]:
    """Run a read-only query in a worker under the app's limits (errors are raised, not cached)."""
    from collab_graph.errors import QueryLimitError
    from collab_graph.rdf import sparql as sq
    from collab_graph.rdf.fast import nquads
    from collab_graph.rdf.worker import APP_LIMITS, LIMIT_ENV, Limit, limits_from_env

    try:
        res = sq.run_bounded(
            lambda: nquads(load_graph(key)),
            text,
            limits=limits_from_env(APP_LIMITS),
            pool=sparql_pool(),
            key=key,
            alive=session_alive(),
        )
    except QueryLimitError as exc:
        raise type(exc)(
            f"{exc}. The server sets this limit ({LIMIT_ENV[Limit(exc.limit)]})."
        ) from exc
    return {"columns": list(res.columns), "rows": [list(r) for r in res.rows]}


# --------------------------------------------------------------------------- taxonomy


@st.cache_data(max_entries=4, show_spinner=False)
def taxonomy_tables(key: GraphKey) -> dict[str, Any]:
    """The Taxonomy page's themes, organisations and curated links (the key changes with
    every curated change)."""
    from collab_graph.views import taxonomy as tx

    ws = _corpora()[key].workspace
    vocab = pipeline.vocabulary(ws)
    return tx.tables(
        load_graph(key), vocab.taxonomy.themes, vocab.gazetteer.organisations.values(), ws
    )


def taxonomy_page() -> None:
    """Taxonomy: the themes and organisations with counts; the analyst curates them here."""
    from collab_graph.views import taxonomy as tx

    st.title("Taxonomy")
    if STORE is not None:
        st.info(LOCAL_ONLY.format(url=STORE.url, what="curating the taxonomy", todo="curate it"))
        return
    G = current_graph()
    if G is None:
        return
    key = graph_key()
    data = taxonomy_tables(key)
    if "t_who" not in st.session_state:
        st.session_state["t_who"] = tx.default_who()
    c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
    c1.text_input("Your name", key="t_who", help="Saved with each change, with the time.")
    c2.caption(f"Changes are saved to your workspace, {workspace().root}, and apply at once.")
    if msg := st.session_state.pop("t_msg", None):
        st.success(msg)
    if error := st.session_state.pop("t_error", None):
        st.error(error)
    themes_tab, suggest_tab, links_tab, orgs_tab = st.tabs(
        ["Themes", "Suggestions", "Practice → barrier links", "Organisations and tools"]
    )
    with themes_tab:
        themes_panel(data["themes"])
    with suggest_tab:
        suggestions_panel(key, data["themes"])
    with links_tab:
        links_panel(data["themes"], data["links"])
    with orgs_tab:
        orgs_panel(data["orgs"], data["unresolved"])


def themes_panel(rows: Sequence[Mapping[str, Any]]) -> None:
    """The themes by kind, with how many notes carry each; edit a theme's keywords."""
    kinds = st.segmented_control(
        "Kinds", ["practice", "barrier", "benefit"], selection_mode="multi", key="t_kinds"
    )
    shown = [r for r in rows if not kinds or r["kind"] in kinds]
    st.caption(
        f"{len(shown)} themes, {sum(1 for r in shown if r['notes'])} carried by some note. "
        "Keywords match whole words; a keyword ending in * matches any ending."
    )
    table(  # fits 1440 px with the sidebar; the whole keyword list is in the form below
        [
            {
                "label": r["label"],
                "kind": r["kind"],
                "notes": r["notes"],
                "broader theme": r["broader"],
                "keywords": tables.summarise_list(r["keywords"]),
                "source": r["source"]
                + (" · in your workspace" if r["origin"] == "workspace" else ""),
                "origin": r["origin"],
                "id": r["id"],
            }
            for r in shown
        ],
        height=440,
        max_lines=4,
        widths={"label": 250, "kind": 75, "notes": 55, "broader theme": 160, "keywords": 230},
        column_config={
            "source": st.column_config.TextColumn(
                width=170, help="The framework the theme comes from, or the project's own"
            ),
            "origin": None,  # said in "source"; kept in the data for the tests
            "id": None,
        },
    )
    st.subheader("Edit a theme's keywords")
    labels = {r["id"]: f"{r['label']} ({r['kind']})" for r in rows}
    current = {r["id"]: r["keywords"] for r in rows}
    tid = st.selectbox(
        "Theme", list(labels), index=None, format_func=labels.__getitem__, key="t_kw_theme"
    )
    if tid is not None:
        with st.form(f"t_kw_form_{tid}"):
            st.text_area(
                "Keywords (separated by ;)", value=current[tid], key=f"t_kw_{tid}", height=110
            )
            st.form_submit_button(
                "Save keywords", type="primary", on_click=save_keywords, args=(tid,)
            )


@st.cache_resource(max_entries=4, show_spinner="Grouping the notes no theme covers…")
def theme_suggestions(key: GraphKey, decided: str) -> Any:
    """Suggested themes for the notes of a graph (``decided``: the decisions' digest)."""
    from collab_graph.coding.discover import suggest_themes
    from collab_graph.review import curation

    corpus = _corpora()[key]
    coded = load_coded(pipeline.keys(corpus).coding, corpus)
    ws = corpus.workspace
    return suggest_themes(
        pipeline.review(corpus, coded).coded,
        pipeline.vocabulary(ws).taxonomy,
        decided=curation.decided_suggestions(ws) if ws is not None else None,
    )


def suggestions_panel(key: GraphKey, theme_rows: Sequence[Mapping[str, Any]]) -> None:
    """Themes suggested from the notes no theme covers: accept, merge or reject each."""
    from collab_graph.views import taxonomy as tx

    found = theme_suggestions(key, tx.decisions_stamp(workspace()))
    n = len(found.suggestions)
    st.caption(
        f"{found.candidates} practice, barrier and benefit notes carry no theme: "
        f"{n} group{'s' * (n != 1)} of them "
        f"{'is suggested as a theme' if n == 1 else 'are suggested as themes'}, "
        f"{len(found.uncovered)} are left (one-offs, or in a suggestion you decided on)."
    )
    if not found.suggestions:
        st.info("No suggestion: every group of uncovered notes is decided, or none is left.")
        return
    table(
        tx.suggestion_rows(found.suggestions),
        max_height=320,
        column_order=["label", "kind", "notes", "keywords", "closest", "similarity"],
        widths={"label": 200, "kind": 75, "notes": 55, "keywords": 230, "closest": 230},
        column_config={
            "closest": st.column_config.TextColumn("closest theme", width=230),
            "similarity": st.column_config.ProgressColumn(
                min_value=0.0, max_value=1.0, format="%.2f", width=100
            ),
        },
    )
    by_key = {s.key: s for s in found.suggestions}
    pick = st.selectbox(
        "Suggestion",
        list(by_key),
        format_func=lambda k: f"{by_key[k].label} ({by_key[k].kind}, {len(by_key[k].notes)} notes)",
        key="t_pick",
    )
    if pick is None:
        return
    s = by_key[pick]
    closest = (
        f" Closest theme: **{sup.md_escape(s.closest.label)}** (similarity "
        f"{s.closest.similarity:.2f})."
        if s.closest
        else " No theme of its kind shares a word with it."
    )
    st.markdown(f"Keywords: {sup.md_escape('; '.join(s.keywords))}.{closest}")
    members = tx.member_rows(s)
    one_workshop = len({m["workshop"] for m in members}) == 1
    table(
        members,
        max_height=260,
        column_order=["note", "text"] if one_workshop else ["workshop", "note", "text"],
        column_config={
            "workshop": st.column_config.TextColumn(width=200),
            "note": st.column_config.TextColumn(width=110),
            "text": st.column_config.TextColumn(width="large"),
        },
    )
    kinds = ["practice", "barrier", "benefit"]
    accept, merge, reject = st.columns([3, 2, 1])
    with accept, st.container(border=True):
        st.markdown("**Accept as a new theme**")
        st.text_input("Label", value=s.label, key=f"t_al_{pick}")
        st.text_input("Keywords (separated by ;)", value="; ".join(s.keywords), key=f"t_aw_{pick}")
        kind = st.selectbox("Kind", kinds, index=kinds.index(str(s.kind)), key=f"t_ak_{pick}")
        broader = {r["id"]: r["label"] for r in theme_rows if r["kind"] == kind}
        st.selectbox(
            "Broader theme",
            list(broader),
            index=None,
            format_func=broader.__getitem__,
            placeholder="None: a top-level theme",
            key=f"t_ab_{pick}_{kind}",
        )
        st.button(
            "Accept",
            type="primary",
            key=f"t_accept_{pick}",
            on_click=accept_suggestion,
            args=(s, kind),
        )
    with merge, st.container(border=True):
        st.markdown("**Merge into a theme**")
        same = {r["id"]: r["label"] for r in theme_rows if r["kind"] == str(s.kind)}
        near = s.closest is not None and s.closest.similarity >= NEAR_THEME
        ids = list(same)
        st.selectbox(
            "Theme",
            ids,
            index=ids.index(s.closest.id) if near and s.closest and s.closest.id in same else None,
            format_func=same.__getitem__,
            key=f"t_mi_{pick}",
            help="Its keywords join the theme's, so its notes get that theme. The closest "
            f"theme is offered when its similarity is {NEAR_THEME} or more.",
        )
        st.button("Merge", key=f"t_merge_{pick}", on_click=merge_suggestion, args=(s,))
    with reject, st.container(border=True):
        st.markdown("**Not a theme**")
        st.button("Reject", key=f"t_reject_{pick}", on_click=reject_suggestion, args=(s,))


def links_panel(
    theme_rows: Sequence[Mapping[str, Any]], links: Sequence[Mapping[str, Any]]
) -> None:
    """The curated practice → barrier links; add one with a rationale, or remove one."""
    st.caption(
        f"{len(links)} curated links. A curated link is an analyst's judgement that a practice "
        "addresses a barrier; the Ask page ranks practices by it and by the workshop evidence."
    )
    table(
        links,
        height=340,
        column_order=["practice", "barrier", "strength", "rationale", "origin"],
        widths={"practice": 210, "barrier": 210, "strength": 80, "rationale": 350, "origin": 80},
    )
    practices = {r["id"]: r["label"] for r in theme_rows if r["kind"] == "practice"}
    barriers = {r["id"]: r["label"] for r in theme_rows if r["kind"] == "barrier"}
    left, right = st.columns(2)
    with left, st.form("t_link_add"):
        st.markdown("**Add a link**")
        st.selectbox("Practice", list(practices), format_func=practices.__getitem__, key="t_lp")
        st.selectbox(
            "Addresses the barrier", list(barriers), format_func=barriers.__getitem__, key="t_lb"
        )
        st.radio("Strength", ["strong", "moderate"], horizontal=True, key="t_ls")
        st.text_input("Rationale (required)", key="t_lr")
        st.form_submit_button("Add the link", type="primary", on_click=add_link)
    with right, st.form("t_link_remove"):
        st.markdown("**Remove a link**")
        pairs = {
            f"{r['practice_id']}|{r['barrier_id']}": f"{r['practice']} → {r['barrier']}"
            for r in links
        }
        st.selectbox("Link", list(pairs), format_func=pairs.__getitem__, key="t_lx")
        st.form_submit_button("Remove the link", on_click=remove_link, disabled=not pairs)


def orgs_panel(rows: Sequence[Mapping[str, Any]], unresolved: Mapping[str, str]) -> None:
    """Organisations and tools with their mentions; name a detected mention."""
    detected = sum(1 for r in rows if r["status"] == "detected")
    st.caption(
        f"{len(rows)} organisations and tools named in the notes, {detected} of them detected "
        "by pattern (in no gazetteer yet)."
    )
    if not rows:
        st.info("No organisation or tool is named in the notes.")
        return
    table(
        rows,
        height=360,
        column_order=[
            "organisation",
            "category",
            "type",
            "status",
            "notes",
            "groups",
            "aliases",
        ],
        widths={"organisation": 240, "category": 95, "type": 85, "status": 100, "aliases": 300},
        column_config={
            "status": st.column_config.TextColumn(
                width=100, help="resolved: in the gazetteer; detected: found by pattern"
            ),
            "notes": st.column_config.NumberColumn(width=55, format="%d"),
            "groups": st.column_config.NumberColumn(width=60, format="%d"),
            "id": None,
        },
    )
    st.subheader("Name a detected mention")
    if not unresolved:
        st.caption("Every organisation named in the notes is in the gazetteer.")
        return
    mention = st.selectbox(
        "Detected mention", list(unresolved), format_func=unresolved.__getitem__, key="t_om"
    )
    how = st.radio(
        "Add it as",
        ["new", "alias"],
        format_func={"new": "a new organisation", "alias": "an alias of a known one"}.__getitem__,
        horizontal=True,
        key="t_ohow",
    )
    known = {r["id"]: r["organisation"] for r in rows if r["status"] == "resolved"}
    label = unresolved[mention].rsplit(" (", 1)[0] if mention else ""
    with st.form(f"t_org_{how}_{mention}"):
        if how == "new":
            st.text_input("Name", value=label, key="t_olabel")
            st.selectbox(
                "Type",
                [str(t) for t in OrgType],
                index=list(OrgType).index(OrgType.OTHER),
                key="t_otype",
            )
            st.text_input("Aliases (separated by ;)", value=label, key="t_oaliases")
        else:
            st.selectbox("Organisation", list(known), format_func=known.__getitem__, key="t_oorg")
            st.text_input("Alias", value=label, key="t_oalias")
        st.form_submit_button("Save", type="primary", on_click=save_org, args=(how,))


def _split(cell: object) -> list[str]:
    """The ;-separated words of a text box."""
    return [w.strip() for w in str(cell or "").split(";") if w.strip()]


def _who() -> str:
    return str(st.session_state.get("t_who", "")).strip()


def _curate(action: Callable[[], str]) -> None:
    """Run one curation change (a callback): its message, or its error, shows on the page."""
    try:
        st.session_state["t_msg"] = action()
    except CollabGraphError as exc:
        st.session_state["t_error"] = str(exc)


def accept_suggestion(suggestion: Any, kind: str) -> None:
    """Accept a suggestion as a new theme, with the label and broader theme of the form."""
    from collab_graph.review import curation

    state = st.session_state
    k = suggestion.key

    def run() -> str:
        theme = curation.accept_suggestion(
            workspace(),
            suggestion,
            label=str(state.get(f"t_al_{k}", suggestion.label)),
            kind=kind,
            broader=state.get(f"t_ab_{k}_{kind}"),
            keywords=_split(state.get(f"t_aw_{k}", "; ".join(suggestion.keywords))),
            who=_who(),
        )
        return (
            f"Accepted “{theme.label}” as a {theme.kind} theme ({theme.id}): its notes carry "
            "it now, on every page."
        )

    _curate(run)


def merge_suggestion(suggestion: Any) -> None:
    """Merge a suggestion into the theme chosen."""
    from collab_graph.review import curation

    into = st.session_state.get(f"t_mi_{suggestion.key}")

    def run() -> str:
        if not into:
            raise CurationError("choose the theme to merge the suggestion into")
        theme = curation.merge_suggestion(workspace(), suggestion, into, who=_who())
        return f"Merged “{suggestion.label}” into {theme.label}: its keywords are the theme's now."

    _curate(run)


def reject_suggestion(suggestion: Any) -> None:
    """Reject a suggestion: it is not suggested again."""
    from collab_graph.review import curation

    def run() -> str:
        curation.reject_suggestion(workspace(), suggestion, who=_who())
        return f"Rejected “{suggestion.label}”: it will not be suggested again."

    _curate(run)


def save_keywords(theme_id: str) -> None:
    """Save a theme's keywords to the workspace."""
    from collab_graph.review import curation

    words = _split(st.session_state.get(f"t_kw_{theme_id}"))

    def run() -> str:
        curation.edit_keywords(workspace(), theme_id, words, who=_who())
        return f"Saved the keywords of {theme_id}: the notes are tagged with them now."

    _curate(run)


def add_link() -> None:
    """Add the curated link of the form."""
    from collab_graph.review import curation

    state = st.session_state

    def run() -> str:
        curation.add_curated_link(
            workspace(),
            state["t_lp"],
            state["t_lb"],
            strength=state["t_ls"],
            rationale=str(state.get("t_lr", "")),
            who=_who(),
        )
        state["t_lr"] = ""
        return f"Added the link {state['t_lp']} → {state['t_lb']}."

    _curate(run)


def remove_link() -> None:
    """Remove the curated link chosen."""
    from collab_graph.review import curation

    practice, barrier = str(st.session_state.get("t_lx", "|")).split("|", 1)

    def run() -> str:
        curation.remove_curated_link(workspace(), practice, barrier, who=_who())
        return f"Removed the link {practice} → {barrier}."

    _curate(run)


def save_org(how: str) -> None:
    """Add a detected mention as a new organisation, or as an alias of a known one."""
    from collab_graph.review import curation

    state = st.session_state

    def run() -> str:
        if how == "new":
            label = str(state.get("t_olabel", "")).strip()
            curation.add_organisation(
                workspace(),
                label,
                aliases=_split(state.get("t_oaliases")),
                type=state.get("t_otype", "other"),
                who=_who(),
            )
            return f"Added the organisation {label}."
        alias = str(state.get("t_oalias", "")).strip()
        curation.add_alias(workspace(), state["t_oorg"], alias, who=_who())
        return f"Added the alias {alias} to {state['t_oorg']}."

    _curate(run)


# --------------------------------------------------------------------------- navigation

PAGES: dict[str, tuple[Callable[[], None], str]] = {
    "explore": (explore_page, "Explore"),
    "ask": (ask_page, "Ask"),
    "insights": (insights_page, "Insights"),
    "notes": (notes_page, "Notes"),
    "taxonomy": (taxonomy_page, "Taxonomy"),
    "data": (data_page, "Data"),
    "export": (export_page, "Export"),
}

start = st.session_state.get("start_page", "explore")
navigation = st.navigation(
    [
        st.Page(fn, title=title, url_path=slug, default=slug == start)
        for slug, (fn, title) in PAGES.items()
    ]
)
with st.sidebar:
    if STORE is not None:
        st.caption(
            f"collab-graph · reads from the store {STORE.url} (graphs under {STORE.base}). "
            "Explore, Ask, Insights, Notes (read-only) and Export work from it; reviewing, "
            "the Taxonomy and Data pages need the notes files."
        )
    else:
        st.caption(
            f"collab-graph · {len(sources()) or 1} workshop file(s) · works offline. "
            "Pages: Explore, Ask, Insights, Notes, Taxonomy, Data, Export."
        )
with contextlib.suppress(CollabGraphError, OSError):  # the Data page says why, on upload
    _upload_reaper(str(up.default_root()))  # so the first sweep runs when the app starts
navigation.run()
_write_behind()
