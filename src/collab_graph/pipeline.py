"""The whole pipeline in one call: notes files → coded notes → knowledge graph.

The CLI and the app use :func:`build_graph`; it only composes the stages
(:func:`collab_graph.ingest.parse.load` → :func:`collab_graph.coding.classifier.classify_results`
→ :func:`collab_graph.graph.build.build_graph`), so every stage stays testable alone.

Examples
--------
>>> G = build_graph([])
>>> sum(1 for _, k in G.nodes(data="kind") if k == "note")
239
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import networkx as nx

from collab_graph.coding import classifier as classify
from collab_graph.coding import taxonomy
from collab_graph.graph import build as graph
from collab_graph.graph import links
from collab_graph.ingest import parse
from collab_graph.model import ParseResult

__all__ = ["build_graph", "graph_from_results"]


def build_graph(
    paths: Sequence[str | Path] = (),
    *,
    reviews: bool = True,
    reviews_path: Path | str | None = None,
    addresses_path: Path | None = None,
) -> nx.MultiDiGraph:
    """Parse, code and build the knowledge graph of some notes files.

    Parameters
    ----------
    paths : sequence of path-like
        Notes files; none means the bundled workshop.
    reviews : bool
        Apply the analyst reviews (``False`` = the classifier alone).
    reviews_path : path-like, optional
        Another reviews file.
    addresses_path : pathlib.Path, optional
        Another curated links file (default ``data/addresses.csv``).

    Returns
    -------
    networkx.MultiDiGraph
        See :mod:`collab_graph.graph.build` for the schema.

    Raises
    ------
    collab_graph.errors.CollabGraphError
        ``InputFileError``/``ParseError`` for bad notes files, ``DataFileError``
        for malformed data files.
    """
    return graph_from_results(
        parse.load(list(paths)),
        reviews=reviews,
        reviews_path=reviews_path,
        addresses_path=addresses_path,
    )


def graph_from_results(
    results: Sequence[ParseResult],
    *,
    reviews: bool = True,
    reviews_path: Path | str | None = None,
    addresses_path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> nx.MultiDiGraph:
    """Code already parsed workshops and build their graph (see :func:`build_graph`).

    ``progress(notes_done, notes_total)`` is called as workshops are coded (see
    :func:`collab_graph.coding.classifier.classify_results`).

    Examples
    --------
    >>> from collab_graph.ingest.parse import parse_text
    >>> res = parse_text("Challenges\\n- No time for it\\n- Protected time helps\\n", source="x.md")
    >>> G = graph_from_results([res])
    >>> sorted(d["text"] for _, d in G.nodes(data=True) if d["kind"] == "note")
    ['No time for it', 'Protected time helps']
    """
    tax = taxonomy.load_taxonomy()
    coded = classify.classify_results(
        results, reviews=reviews, taxonomy=tax, reviews_path=reviews_path, progress=progress
    )
    return graph.build_graph(
        coded,
        [r.workshop for r in results],
        themes=tax.themes.values(),
        curated=links.load_curated(addresses_path),
    )
