"""The composition root: notes files → parsed → coded → reviewed → knowledge graph.

Each stage lives in its own package and knows nothing of the others'
inputs; this module is the one place that puts them together and decides
what to keep:

1. :func:`code` parses the notes (:mod:`collab_graph.ingest`) and codes them
   with the classifier alone (:mod:`collab_graph.coding`). The result is kept
   in the disk cache (:mod:`collab_graph.cache`) under a key of the notes
   files, every data file the coding reads, the analyst's own themes,
   organisations and model, and the code.
2. :func:`review` applies the reviews (:mod:`collab_graph.review`): the bundled
   reference reviews, then the analyst's, from the workspace.
3. :func:`graph` builds the knowledge graph (:mod:`collab_graph.graph`) with
   the curated links, and keeps it in the cache under the coding key plus the
   reviews and links.

So saving a review changes only the graph key: the next command or app
rerun reads the coded notes back and rebuilds the graph, never re-parsing or
re-classifying the corpus. Editing a notes file changes every key, and
everything is rebuilt from the new content. Editing a data file, or the
analyst's themes, organisations or model (accepting a suggested theme, adding
an alias), changes the coding key but not the *parse* key (the notes files,
the reading options and the code): the notes are coded again from the parse
results kept in the cache, never parsed again.

Examples
--------
>>> corpus = Corpus()
>>> G = graph(corpus, cache=None)
>>> sum(1 for _, k in G.nodes(data="kind") if k == "note")
239
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import networkx as nx

from collab_graph.cache import DiskCache, Fingerprint, code_digest
from collab_graph.coding.classifier import Classifier, classify_results
from collab_graph.coding.discover import Suggestions, suggest_themes
from collab_graph.coding.features import NoteContext
from collab_graph.coding.gazetteer import Gazetteer, load_gazetteer
from collab_graph.coding.model import MODEL_FILE, KindModel, load_model
from collab_graph.coding.taxonomy import Taxonomy, load_taxonomy
from collab_graph.coding.train import Example
from collab_graph.coding.train import review_examples as _review_examples
from collab_graph.errors import ReviewError
from collab_graph.graph import build
from collab_graph.graph.links import ADDRESSES_FILE, load_curated
from collab_graph.graph.schema import KnowledgeGraph
from collab_graph.ingest import LoadOptions, load
from collab_graph.model import CodedNote, Note, ParseResult
from collab_graph.resources import data_dir, data_path, default_notes
from collab_graph.review.agreement import Coding, CodingSource, SourceType
from collab_graph.review.agreement import coding_of as _coding_of
from collab_graph.review.agreement import reference_coding as _reference_coding
from collab_graph.review.curation import decided_suggestions
from collab_graph.review.evaluate import load_reference
from collab_graph.review.reviews import ReviewOutcome, apply_reviews, load_reviews, review_files
from collab_graph.workspace import Workspace

__all__ = [
    "Coded",
    "Corpus",
    "Keys",
    "Vocabulary",
    "agreement_coding",
    "code",
    "graph",
    "keys",
    "note_context",
    "parsed",
    "review",
    "review_examples",
    "suggestions",
    "vocabulary",
]

Progress = Callable[[int, int], None]
Warn = Callable[[str], None]
_DEFAULT_CACHE = object()  # "use DiskCache.default()"

# Data files that the graph stage reads; every other file in data/ feeds the coding.
_GRAPH_DATA = frozenset({ADDRESSES_FILE, "reviews.csv"})


@dataclass(frozen=True)
class Corpus:
    """What a graph is built from: notes files, the analyst's workspace, and whether reviews apply.

    Parameters
    ----------
    paths : sequence of path-like
        Notes files; none means the bundled workshop.
    workspace : Workspace, optional
        The analyst's reviews, themes, organisations, links and model. None:
        the bundled data alone.
    reviews : bool
        Apply reviews (False: the classifier alone, as ``--no-reviews``).
    options : LoadOptions, optional
        How to read the files (e.g. the CSV columns of ``--columns``).
    """

    paths: tuple[Path, ...] = ()
    workspace: Workspace | None = None
    reviews: bool = True
    options: LoadOptions = field(default_factory=LoadOptions)

    def __init__(
        self,
        paths: Sequence[Path | str] = (),
        *,
        workspace: Workspace | None = None,
        reviews: bool = True,
        options: LoadOptions | None = None,
    ) -> None:
        object.__setattr__(self, "paths", tuple(Path(p) for p in paths))
        object.__setattr__(self, "workspace", workspace)
        object.__setattr__(self, "reviews", reviews)
        object.__setattr__(self, "options", options or LoadOptions())

    def sources(self) -> list[Path]:
        """The notes files to read (the bundled workshop when none were given)."""
        return list(self.paths) or [default_notes()]


@dataclass(frozen=True)
class Vocabulary:
    """What the coding reads besides the notes: the taxonomy, the gazetteer and the kind model."""

    taxonomy: Taxonomy
    gazetteer: Gazetteer
    model: KindModel

    @property
    def problems(self) -> tuple[str, ...]:
        """Rows of the analyst's themes and organisations files that were skipped."""
        return (*self.taxonomy.problems, *self.gazetteer.problems)


def vocabulary(workspace: Workspace | None = None) -> Vocabulary:
    """The bundled taxonomy, gazetteer and kind model with the analyst's from ``workspace``.

    Themes and organisations of the workspace add to (or replace) the bundled ones;
    a kind model retrained there replaces the bundled one. All are built from the
    files' content, so an edited file is read afresh.

    Examples
    --------
    >>> len(vocabulary().taxonomy.themes) >= 42
    True
    """
    themes = [data_path("themes.csv")]
    orgs = [data_path("organisations.csv")]
    models = [data_path(MODEL_FILE)]
    if workspace is not None:
        themes.append(workspace.themes)
        orgs.append(workspace.organisations)
        models.append(workspace.model)
    return Vocabulary(load_taxonomy(themes), load_gazetteer(orgs), load_model(models))


def _link_files(workspace: Workspace | None) -> list[Path]:
    files = [data_path(ADDRESSES_FILE)]
    if workspace is not None:
        files.append(workspace.addresses)
    return files


@dataclass(frozen=True)
class Keys:
    """Content keys: ``coding`` (notes, coding data, code), ``graph`` (+ reviews and links)
    and ``parse`` (notes, reading options, code: what the parse results depend on)."""

    coding: str
    graph: str
    parse: str = ""


def keys(corpus: Corpus) -> Keys:
    """The cache keys of a corpus, from the bytes of every file that feeds each stage.

    Raises
    ------
    OSError
        When a notes or data file cannot be read (building then reports it properly).

    Examples
    --------
    >>> a, b = keys(Corpus()), keys(Corpus(reviews=False))
    >>> a.coding == b.coding, a.graph == b.graph
    (True, False)
    """
    fp = Fingerprint("coded").feed("code", code_digest().encode())
    fp.feed("options", repr(corpus.options).encode())
    for path in corpus.sources():
        fp.feed_file(f"notes {path.name}", path)  # the notes keep file names only
    parse = Fingerprint("parsed").feed("notes", fp.hexdigest().encode()).hexdigest()
    folder = data_dir()
    for item in sorted(folder.iterdir()) if folder.is_dir() else []:
        if item.is_file() and item.name not in _GRAPH_DATA:
            fp.feed_file(f"data {item.name}", item)
    ws = corpus.workspace
    if ws is not None:
        for path in (ws.themes, ws.organisations, ws.model):
            if path.is_file():
                fp.feed_file(f"workspace {path.name}", path)
    coding = fp.hexdigest()
    gp = Fingerprint("graph").feed("coding", coding.encode())
    gp.feed("reviews", b"1" if corpus.reviews else b"0")
    if corpus.reviews:
        for path in review_files(ws):
            gp.feed_file(f"reviews {path}", path)
    for path in _link_files(ws):
        if path.is_file():
            gp.feed_file(f"links {path}", path)
    return Keys(coding, gp.hexdigest(), parse)


@dataclass(frozen=True)
class Coded:
    """The parse results of a corpus and the classifier's coding of its notes.

    ``results`` carry the workshops and notes but not the line-by-line report
    (``lines`` is empty): that is kept apart (:func:`parsed`), so that reading a
    large coded corpus back from the cache stays quick.
    """

    results: tuple[ParseResult, ...]
    coded: tuple[CodedNote, ...]
    warnings: tuple[str, ...] = field(default=())


def _cache(cache: DiskCache | object | None) -> DiskCache | None:
    if cache is _DEFAULT_CACHE:
        return DiskCache.default()
    assert cache is None or isinstance(cache, DiskCache)
    return cache


def _keys_or_none(corpus: Corpus, store: DiskCache | None) -> Keys | None:
    if store is None:
        return None
    try:
        return keys(corpus)
    except OSError:
        return None  # a missing or unreadable file: the parser will say which


def code(
    corpus: Corpus,
    *,
    cache: DiskCache | object | None = _DEFAULT_CACHE,
    progress: Progress | None = None,
    write_behind: list[Callable[[], None]] | None = None,
    _keys: Keys | None = None,
) -> Coded:
    """Parse and code a corpus with the classifier alone, from the cache when it has it.

    Parameters
    ----------
    corpus : Corpus
    cache : DiskCache or None
        Where coded corpora are kept (default: :meth:`DiskCache.default`); None
        switches caching off.
    progress : callable, optional
        ``progress(notes_done, notes_total)`` while notes are coded.
    write_behind : list, optional
        Leave the cache writes to the caller (see :func:`graph`).

    Raises
    ------
    collab_graph.errors.CollabGraphError
        ``InputFileError``/``ParseError`` for bad notes files, ``DataFileError``
        for malformed data files.
    """
    store = _cache(cache)
    k = _keys if _keys is not None else _keys_or_none(corpus, store)
    if store is not None and k is not None:
        hit = store.get("coded", k.coding)
        if isinstance(hit, Coded):
            return hit
    results: list[ParseResult] | None = None
    if store is not None and k is not None and k.parse:
        kept = store.get("parsed", k.parse)  # e.g. only the analyst's themes changed
        if isinstance(kept, tuple):
            results = list(kept)
    if results is None:
        results = load(list(corpus.paths), options=corpus.options)
    vocab = vocabulary(corpus.workspace)
    coded = classify_results(
        results,
        taxonomy=vocab.taxonomy,
        gazetteer=vocab.gazetteer,
        model=vocab.model,
        progress=progress,
    )
    out = Coded(
        tuple(replace(r, lines=()) for r in results),
        tuple(coded),
        (*(w for r in results for w in r.warnings), *vocab.problems),
    )
    if store is not None and k is not None:
        key, parse_key, full = k.coding, k.parse or k.coding, tuple(results)

        def write() -> None:
            store.put("coded", key, out)
            store.put("parsed", parse_key, full)

        if write_behind is None:
            write()
        else:
            write_behind.append(write)
    return out


def parsed(
    corpus: Corpus, *, cache: DiskCache | object | None = _DEFAULT_CACHE
) -> list[ParseResult]:
    """The full parse results of a corpus, with every line's role (the parse report).

    Raises
    ------
    collab_graph.errors.CollabGraphError
        For bad notes files.
    """
    store = _cache(cache)
    k = _keys_or_none(corpus, store)
    if store is not None and k is not None:
        hit = store.get("parsed", k.parse or k.coding)
        if isinstance(hit, tuple):
            return list(hit)
    return load(list(corpus.paths), options=corpus.options)


def note_context(corpus: Corpus, coded: Coded, note: Note) -> str:
    """The context a note is read in (JSON), to store with its review so the review can teach.

    Returns ``""`` when the note is not in ``coded`` or is a sub-heading.
    """
    vocab = vocabulary(corpus.workspace)
    clf = Classifier(vocab.taxonomy, vocab.gazetteer, KindModel.empty())
    for result in coded.results:
        if result.workshop.slug != note.workshop:
            continue
        for n, ctx in clf.contexts(result.notes, result.workshop):
            if n.id == note.id:
                return ctx.to_json() if isinstance(ctx, NoteContext) else ""
    return ""


def review_examples(workspace: Workspace, *, on_problem: Warn | None = None) -> list[Example]:
    """The analyst's reviews that can teach the kind model: those that set a content kind
    and keep the note's context (see :func:`collab_graph.coding.train.review_examples`).

    Only the workspace's reviews teach (the bundled reference reviews are part of
    the labelled sets). A bad review row is skipped and reported to ``on_problem``.

    Examples
    --------
    >>> import tempfile
    >>> review_examples(Workspace(tempfile.mkdtemp()))
    []
    """
    if not workspace.reviews.is_file():
        return []
    problems: list[str] = []
    found = load_reviews(workspace.reviews, on_problem=problems.append)
    if on_problem is not None:
        for problem in problems:
            on_problem(problem)
    return _review_examples(found)


def review(corpus: Corpus, coded: Coded) -> ReviewOutcome:
    """Apply the bundled and the workspace's reviews (unless ``corpus.reviews`` is False).

    A bad review row never stops the pipeline: it is skipped and listed in the
    outcome's ``problems`` with its file and line.
    """
    if not corpus.reviews:
        return ReviewOutcome(list(coded.coded))
    problems: list[str] = []
    reviews = load_reviews(review_files(corpus.workspace), on_problem=problems.append)
    vocab = vocabulary(corpus.workspace)
    outcome = apply_reviews(
        coded.coded,
        reviews,
        themes=vocab.taxonomy.themes,
        organisations=vocab.gazetteer.organisations,
    )
    if problems:
        outcome = ReviewOutcome(
            outcome.coded,
            outcome.applied,
            outcome.stale,
            outcome.unmatched,
            (*problems, *outcome.problems),
        )
    return outcome


def suggestions(
    corpus: Corpus,
    coded: Coded | None = None,
    *,
    min_notes: int = 3,
    outcome: ReviewOutcome | None = None,
    progress: Callable[[str], None] | None = None,
    cache: DiskCache | object | None = _DEFAULT_CACHE,
) -> Suggestions:
    """Candidate themes for the corpus's reviewed practice, barrier and benefit notes that no
    theme covers, leaving out what the analyst decided before
    (:func:`collab_graph.coding.discover.suggest_themes`).

    Parameters
    ----------
    corpus : Corpus
    coded : Coded, optional
        The coded corpus when the caller holds it (else from :func:`code`).
    min_notes : int
        The smallest group suggested.
    outcome : ReviewOutcome, optional
        The reviewed coding when the caller holds it (else from :func:`review`).
    progress : callable, optional
        Called with a short message before each kind of note is grouped.
    cache : DiskCache or None
        As :func:`code`.

    Examples
    --------
    >>> found = suggestions(Corpus(), cache=None)
    >>> found.candidates >= len(found.uncovered)
    True
    """
    if outcome is None:
        if coded is None:
            coded = code(corpus, cache=cache)
        outcome = review(corpus, coded)
    ws = corpus.workspace
    return suggest_themes(
        outcome.coded,
        vocabulary(ws).taxonomy,
        min_notes=min_notes,
        decided=decided_suggestions(ws) if ws is not None else None,
        progress=progress,
    )


def graph_of(corpus: Corpus, coded: Coded) -> tuple[KnowledgeGraph, list[str]]:
    """Review ``coded`` and build its graph (no cache); also the warnings to show."""
    outcome = review(corpus, coded)
    vocab = vocabulary(corpus.workspace)
    link_problems: list[str] = []
    G = build.build_graph(
        outcome.coded,
        [r.workshop for r in coded.results],
        themes=vocab.taxonomy.themes.values(),
        curated=load_curated(_link_files(corpus.workspace), on_problem=link_problems.append),
    )
    return G, [*coded.warnings, *outcome.warnings(), *link_problems]


def graph(
    corpus: Corpus,
    *,
    cache: DiskCache | object | None = _DEFAULT_CACHE,
    progress: Progress | None = None,
    on_warning: Warn | None = None,
    coded: Coded | None = None,
    write_behind: list[Callable[[], None]] | None = None,
) -> KnowledgeGraph:
    """The knowledge graph of a corpus, from the cache when it can (see the module docstring).

    Parameters
    ----------
    corpus : Corpus
    cache : DiskCache or None
        Default :meth:`DiskCache.default`; None switches caching off.
    progress : callable, optional
        ``progress(notes_done, notes_total)`` while notes are coded (only when
        the coded corpus is not in the cache).
    on_warning : callable, optional
        Called with each warning: parse warnings (e.g. a Windows-1252 file),
        stale reviews and skipped review rows. A cached graph repeats them.
    coded : Coded, optional
        The corpus's coded notes when the caller holds them already (the app),
        so that a missing graph is built without reading them again.
    write_behind : list, optional
        Instead of writing a newly built graph to the cache now, append a
        callable that writes it: the caller runs it once it has answered (the
        command line from a child process, the app from a background thread),
        so the user never waits for the write.

    Returns
    -------
    networkx.MultiDiGraph
        See :mod:`collab_graph.graph.build` for the schema.

    Raises
    ------
    collab_graph.errors.CollabGraphError
        As :func:`code`.
    """
    store = _cache(cache)
    k = _keys_or_none(corpus, store)
    found = store.get("graph", k.graph) if store is not None and k is not None else None
    G: KnowledgeGraph
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], nx.MultiDiGraph):
        G, warnings = found[0], list(found[1])
    else:
        if coded is None:
            coded = code(corpus, cache=store, progress=progress, write_behind=write_behind, _keys=k)
        G, warnings = graph_of(corpus, coded)
        if store is not None and k is not None:
            entry = (G, warnings)
            if write_behind is None:
                store.put("graph", k.graph, entry)
            else:
                key = k.graph
                write_behind.append(lambda: store.put("graph", key, entry))
    if on_warning is not None:
        for warning in warnings:
            on_warning(warning)
    return G


def agreement_coding(
    source: CodingSource,
    corpus: Corpus,
    *,
    cache: DiskCache | object | None = _DEFAULT_CACHE,
    progress: Progress | None = None,
    warn: Warn | None = None,
) -> Coding:
    """One side of ``collab-graph agreement``: the coding a source stands for, of a corpus's notes.

    * the classifier: its coding with the bundled taxonomy, gazetteer and kind
      model, and no review;
    * a workspace: the classifier's coding with that workspace's themes,
      organisations and model, and that workspace's reviews applied (not the
      bundled reference reviews: they are nobody's coding of these notes);
    * a reviews CSV: the classifier's coding with those reviews applied;
    * a reference coding: its rows, matched to the notes as ``eval`` matches them.

    ``corpus`` gives the notes files and reading options (its workspace and
    review setting are not used). Reviews whose note text changed (stale) and
    reviews of notes not in the corpus are left out and reported to ``warn``.

    Raises
    ------
    collab_graph.errors.CollabGraphError
        Bad notes files; a reviews or reference file that is malformed (naming
        the file and line); a review naming a theme or organisation the
        taxonomy or gazetteer does not hold.

    Examples
    --------
    >>> from collab_graph.review.agreement import CodingSource, SourceType
    >>> c = agreement_coding(CodingSource(SourceType.CLASSIFIER), Corpus(), cache=None)
    >>> len(c.units), c.units[("collaborative-innovation-workshop", "G1-Q1-A-4")].kind
    (239, 'practice')
    """
    workspace = source.workspace
    base = Corpus(corpus.paths, workspace=workspace, reviews=False, options=corpus.options)
    coded = code(base, cache=cache, progress=progress)
    for message in coded.warnings:
        if warn is not None:
            warn(message)
    if source.type is SourceType.CLASSIFIER:
        return _coding_of(source.name, coded.coded)
    assert source.path is not None
    if source.type is SourceType.REFERENCE:
        return _reference_coding(
            source.name, coded.coded, load_reference(source.path), themes=source.themes
        )
    reviews_file = workspace.reviews if workspace is not None else source.path
    reviews = load_reviews(reviews_file)
    vocab = vocabulary(workspace)
    outcome = apply_reviews(
        coded.coded,
        reviews,
        themes=vocab.taxonomy.themes,
        organisations=vocab.gazetteer.organisations,
    )
    if outcome.problems:
        raise ReviewError(outcome.problems[0].removesuffix("; not applied"))
    if warn is not None:
        for stale in outcome.stale:
            warn(stale.message())
        if outcome.unmatched:
            warn(
                f"{reviews_file}: {len(outcome.unmatched)} of its {len(reviews)} reviews are of "
                "notes not in these notes files; left out"
            )
    return _coding_of(source.name, outcome.coded)
