"""Built graphs kept on disk, keyed by everything they are built from.

Building the graph of a national corpus (100,000 notes) takes about 15 s, most of
it classifying every note; reading the same graph back from disk takes under a
second. :func:`load_or_build` returns the cached graph when one was built from
exactly the same inputs, and otherwise builds it with
:func:`collab_graph.pipeline.build_graph` and stores it. The app and the CLI
commands that need a graph (``practices``, ``export``, ``sparql``) use it, so a
restarted server or the next command on a large corpus starts at once.

The key is a SHA-256 of:

* the bytes and names of the notes files, in order (slugs come from file names;
  the graph keeps no folder, so a moved corpus is still found);
* every file in the data folder (taxonomy, gazetteer, curated links, reviews,
  shapes), the reviews and links files given, and whether reviews apply;
* the collab-graph version and the source of the package itself, so a code
  change never serves a graph built by older code.

Nothing is matched by modification time, so a copied or touched file is only
rebuilt when its content changed. Entries are Python pickles written atomically
into a folder only the user can write (``0700``); the newest
:data:`MAX_ENTRIES` are kept. A cache that cannot be read or written is
skipped with a warning on the ``collab_graph.cache`` logger: the graph is then
simply built.

Where: ``$COLLAB_GRAPH_CACHE`` if set (``off`` switches the cache off), else
``$XDG_CACHE_HOME/collab-graph``, else ``~/.cache/collab-graph``.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> G, hit = load_or_build([], cache_dir=folder)
>>> hit, G.number_of_nodes() > 239
(False, True)
>>> G2, hit = load_or_build([], cache_dir=folder)
>>> hit, sorted(G2.nodes(data=True)) == sorted(G.nodes(data=True))
(True, True)
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import networkx as nx

from collab_graph import __version__, ingest, pipeline
from collab_graph.bulk import paused_gc
from collab_graph.resources import data_dir, default_notes

__all__ = ["CACHE_ENV", "MAX_ENTRIES", "cached", "default_dir", "fingerprint", "load_or_build"]

#: Environment variable naming the cache folder (``off`` disables the cache).
CACHE_ENV = "COLLAB_GRAPH_CACHE"
#: How many built graphs are kept; the least recently used go first.
MAX_ENTRIES = 8
_FORMAT = 2  # bump when the pickled payload changes shape: (format, key, graph, warnings)
_OFF = frozenset({"0", "off", "no", "false", "none"})
_SUFFIX = ".graph.pickle"

log = logging.getLogger(__name__)


def default_dir() -> Path | None:
    """The cache folder from the environment, or None when caching is switched off.

    Examples
    --------
    >>> import os
    >>> os.environ[CACHE_ENV] = "off"
    >>> default_dir() is None
    True
    >>> del os.environ[CACHE_ENV]
    """
    env = os.environ.get(CACHE_ENV)
    if env is not None and env.strip():
        if env.strip().lower() in _OFF:
            return None
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "collab-graph"


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...


def _feed(h: _Hasher, label: str, data: bytes) -> None:
    # length-prefixed, so that no two different inputs feed the same stream
    h.update(f"{label}\0{len(data)}\0".encode())
    h.update(data)


def fingerprint(
    paths: Sequence[str | Path] = (),
    *,
    reviews: bool = True,
    reviews_path: Path | str | None = None,
    addresses_path: Path | str | None = None,
) -> str:
    """The cache key of the graph these arguments of ``pipeline.build_graph`` give.

    Raises
    ------
    OSError
        When a notes or data file cannot be read (the caller then builds the
        graph, which reports the problem properly).
    """
    h = hashlib.sha256()
    _feed(h, "version", f"{__version__}/{_FORMAT}".encode())
    for src in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        _feed(h, f"code {src.name}", src.read_bytes())
    for path in [Path(p) for p in paths] or [default_notes()]:
        _feed(h, f"notes {path.name}", path.read_bytes())  # the graph keeps names only
    folder = data_dir()
    for item in sorted(folder.iterdir()) if folder.is_dir() else []:
        if item.is_file():
            _feed(h, f"data {item.name}", item.read_bytes())
    _feed(h, "reviews", b"1" if reviews else b"0")
    if reviews and reviews_path is not None:
        _feed(h, "reviews file", Path(reviews_path).read_bytes())
    if addresses_path is not None:
        _feed(h, "links file", Path(addresses_path).read_bytes())
    return h.hexdigest()


def _read(entry: Path, key: str) -> tuple[nx.MultiDiGraph, list[str]] | None:
    try:
        with entry.open("rb") as fh, paused_gc():
            payload = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file: rebuild, say why
        log.warning("ignoring unreadable graph cache %s (%s)", entry, exc)
        return None
    if (
        not isinstance(payload, tuple)
        or len(payload) != 4
        or payload[:2] != (_FORMAT, key)
        or not isinstance(payload[2], nx.MultiDiGraph)
        or not isinstance(payload[3], list)
    ):
        log.warning("ignoring graph cache %s: not written for these inputs", entry)
        return None
    os.utime(entry)  # most recently used
    return payload[2], [str(w) for w in payload[3]]


def _write(entry: Path, key: str, G: nx.MultiDiGraph, warnings: list[str]) -> None:
    folder = entry.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((_FORMAT, key, G, warnings), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        entries = sorted(folder.glob(f"*{_SUFFIX}"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not write the graph cache in %s (%s)", folder, exc)


def _locate(
    paths: Sequence[str | Path],
    reviews: bool,
    reviews_path: Path | str | None,
    addresses_path: Path | None,
    cache_dir: Path | None,
) -> tuple[Path, str] | None:
    """The entry and key for these inputs; None when the cache is off or a file is unreadable."""
    folder = cache_dir if cache_dir is not None else default_dir()
    if folder is None:
        return None
    try:
        key = fingerprint(
            paths, reviews=reviews, reviews_path=reviews_path, addresses_path=addresses_path
        )
    except OSError:
        return None  # a missing or unreadable file: the parser will say which
    return folder / f"{key[:32]}{_SUFFIX}", key


def cached(
    paths: Sequence[str | Path] = (),
    *,
    reviews: bool = True,
    reviews_path: Path | str | None = None,
    addresses_path: Path | None = None,
    cache_dir: Path | None = None,
) -> bool:
    """Whether :func:`load_or_build` with these arguments would find a cached graph.

    The entry is only looked for, not read; a damaged entry still counts.
    """
    found = _locate(paths, reviews, reviews_path, addresses_path, cache_dir)
    return found is not None and found[0].is_file()


def load_or_build(
    paths: Sequence[str | Path] = (),
    *,
    reviews: bool = True,
    reviews_path: Path | str | None = None,
    addresses_path: Path | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> tuple[nx.MultiDiGraph, bool]:
    """The graph of ``pipeline.build_graph(paths, ...)``, from the disk cache when it can.

    Parameters
    ----------
    paths, reviews, reviews_path, addresses_path
        As for :func:`collab_graph.pipeline.build_graph`.
    cache_dir : pathlib.Path, optional
        The cache folder; default :func:`default_dir`.
    use_cache : bool
        False builds the graph and leaves the cache alone.
    progress : callable, optional
        ``progress(notes_done, notes_total)`` while notes are coded (only when
        the graph is built).
    on_warning : callable, optional
        Called with each warning the notes files gave when they were parsed
        (for example a Windows-1252 file); a cached graph repeats its warnings.

    Returns
    -------
    (networkx.MultiDiGraph, bool)
        The graph, and whether it came from the cache.

    Raises
    ------
    collab_graph.errors.CollabGraphError
        As :func:`collab_graph.pipeline.build_graph` (bad notes or data files).
    """

    def build() -> tuple[nx.MultiDiGraph, list[str]]:
        results = ingest.load(paths)
        built = pipeline.graph_from_results(
            results,
            reviews=reviews,
            reviews_path=reviews_path,
            addresses_path=addresses_path,
            progress=progress,
        )
        return built, [w for r in results for w in r.warnings]

    def done(G: nx.MultiDiGraph, warnings: list[str], hit: bool) -> tuple[nx.MultiDiGraph, bool]:
        if on_warning is not None:
            for warning in warnings:
                on_warning(warning)
        return G, hit

    found = _locate(paths, reviews, reviews_path, addresses_path, cache_dir) if use_cache else None
    if found is None:
        return done(*build(), hit=False)
    entry, key = found
    stored = _read(entry, key)
    if stored is not None:
        return done(*stored, hit=True)
    G, warnings = build()
    _write(entry, key, G, warnings)
    return done(G, warnings, hit=False)
