"""Where collab-graph finds its data files (taxonomy, gazetteer, links, reviews, shapes).

The data live in the repository's ``data/`` folder. An editable install reads them
there; a wheel carries a copy as ``collab_graph/_data``. ``COLLAB_GRAPH_DATA``
points at another folder, e.g. an analyst's own copy.

Examples
--------
>>> from collab_graph.resources import data_path
>>> data_path("collaborative-innovation-workshop.txt").name
'collaborative-innovation-workshop.txt'
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEFAULT_NOTES", "data_dir", "data_path", "default_notes", "doc_path"]

DEFAULT_NOTES = "collaborative-innovation-workshop.txt"


def data_dir() -> Path:
    """The folder holding collab-graph's data files.

    Returns
    -------
    pathlib.Path
        ``$COLLAB_GRAPH_DATA`` if set, else the repository's ``data/`` (editable
        install), else the copy inside the installed package.
    """
    env = os.environ.get("COLLAB_GRAPH_DATA")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2] / "data"
    if repo.is_dir():
        return repo
    return Path(__file__).resolve().parent / "_data"


def data_path(name: str) -> Path:
    """Path of the data file ``name`` inside :func:`data_dir`."""
    return data_dir() / name


def default_notes() -> Path:
    """The bundled workshop, used when a command is given no notes files."""
    return data_path(DEFAULT_NOTES)


def doc_path(name: str) -> Path:
    """Path of a document the app reads (``docs/queries.md``): the repository's, else the wheel's.

    Examples
    --------
    >>> doc_path("queries.md").name
    'queries.md'
    """
    repo = Path(__file__).resolve().parents[2] / "docs" / name
    if repo.is_file():
        return repo
    return Path(__file__).resolve().parent / "_docs" / name
