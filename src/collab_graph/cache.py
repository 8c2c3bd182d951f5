"""A private on-disk cache of built stages, keyed by the content of everything they are built from.

Coding a national corpus (100,000 notes) takes seconds; reading the result back
takes a fraction of that. :mod:`collab_graph.pipeline` keeps two kinds of entry
here: the *coded* notes (the classifier's output, keyed by the notes files, the
coding data files and the code) and the *graph* (keyed by that plus the
reviews and curated links), so a saved review rebuilds only the graph.

Keys are SHA-256 digests of content (:class:`Fingerprint`), never of
modification times, so a copied or touched file is only rebuilt when its
content changed.

**Safety.** Entries are Python pickles, and unpickling bytes that someone else
chose can run their code. So every entry is *signed*: the file holds an
HMAC-SHA256 tag over the entry's kind, key and pickled bytes, made with a
32-byte key that is private to the user (:data:`KEY_FILE` in the cache folder,
created ``0600``; a key file that is not a regular ``0600`` file of the user's
is never used, and one of the user's that others can read is replaced). An entry
is unpickled only after its tag checks out, so a file planted or copied into the
cache, or an entry changed by a single byte, is ignored with a warning and
rebuilt; no code in it runs. The folder and entry checks of before stay on top
(the folder is created ``0700``; a folder that another user owns is never used;
one of the user's own that others can write is made private again; an entry is
read only when it is a regular file that the user owns and nobody else can
write): file ownership alone does not protect a cache on a file system that
maps every user to one owner (NFS ``all_squash``, SMB, a volume shared between
containers that all run as root), nor a cache folder copied from someone else.

Signing costs a hash of the entry (a few milliseconds for a 10,000-note graph;
see ``docs/benchmarks.md``). A format that cannot run code at all (JSON
node-link data) was measured 3.3 times slower to load, which would put the
100k-note app start over its target. Entries are written atomically (temporary
file, then rename); the newest :data:`MAX_ENTRIES` of each kind are kept. A
cache that cannot be used is skipped with a warning on the
``collab_graph.cache`` logger, and the stage is simply built.

Where: ``$COLLAB_GRAPH_CACHE`` if set (``off`` switches the cache off), else
``$XDG_CACHE_HOME/collab-graph``, else ``~/.cache/collab-graph``.

Examples
--------
>>> import tempfile
>>> cache = DiskCache(Path(tempfile.mkdtemp()) / "cache")
>>> key = Fingerprint("demo").feed("notes", b"- no time").hexdigest()
>>> cache.get("coded", key) is None
True
>>> cache.put("coded", key, {"notes": 1})
>>> cache.get("coded", key)
{'notes': 1}
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import pickle
import secrets
import stat
import sys
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from collab_graph import __version__
from collab_graph.bulk import paused_gc

__all__ = [
    "CACHE_ENV",
    "KEY_FILE",
    "MAX_ENTRIES",
    "DiskCache",
    "Fingerprint",
    "code_digest",
    "default_dir",
    "run_detached",
]

#: Environment variable naming the cache folder (``off`` disables the cache).
CACHE_ENV = "COLLAB_GRAPH_CACHE"
#: How many entries of each kind are kept; the least recently used go first.
MAX_ENTRIES = 8
#: The signing key's file in the cache folder (32 random bytes, ``0600``).
KEY_FILE = ".signing-key"
_FORMAT = 4  # bump when a payload changes shape: (format, kind, key, value)
_OFF = frozenset({"0", "off", "no", "false", "none"})
_SUFFIX = ".pickle"
_MAGIC = (
    b"\xffcollab-graph cache, signed\n"  # 0xff: no pickle opcode, so no old reader unpickles it
)
_KEY_BYTES = 32
_TAG_BYTES = hashlib.sha256().digest_size

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


class Fingerprint:
    """A SHA-256 over labelled, length-prefixed parts (no two inputs feed the same stream).

    Examples
    --------
    >>> a = Fingerprint("x").feed("file a.txt", b"12").hexdigest()
    >>> b = Fingerprint("x").feed("file a.txt1", b"2").hexdigest()
    >>> a == b
    False
    """

    def __init__(self, purpose: str) -> None:
        self._h = hashlib.sha256()
        self.feed("purpose", f"{purpose}/{__version__}/{_FORMAT}".encode())

    def feed(self, label: str, data: bytes) -> Fingerprint:
        """Add one labelled part; returns self so calls chain."""
        self._h.update(f"{label}\0{len(data)}\0".encode())
        self._h.update(data)
        return self

    def feed_file(self, label: str, path: Path) -> Fingerprint:
        """Add a file's bytes (raises ``OSError`` when it cannot be read)."""
        return self.feed(label, path.read_bytes())

    def hexdigest(self) -> str:
        """The digest so far."""
        return self._h.hexdigest()


def code_digest() -> str:
    """A digest of collab-graph's own source, so a code change never serves an old entry."""
    root = Path(__file__).resolve().parent
    stamp = tuple(
        (str(p.relative_to(root)), p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(root.rglob("*.py"))
    )
    return _code_digest(stamp)


@lru_cache(maxsize=4)
def _code_digest(stamp: tuple[tuple[str, int, int], ...]) -> str:
    root = Path(__file__).resolve().parent
    fp = Fingerprint("code")
    for name, _, _ in stamp:
        fp.feed(f"code {name}", (root / name).read_bytes())
    return fp.hexdigest()


def _private(path: Path, st: os.stat_result) -> bool:
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _tag(secret: bytes, kind: str, key: str, data: bytes | memoryview) -> bytes:
    mac = hmac.new(secret, f"{_FORMAT}\0{kind}\0{key}\0".encode(), hashlib.sha256)
    mac.update(data)
    return mac.digest()


def _read_key(path: Path) -> bytes | None:
    """The key when ``path`` is a regular ``0600``-or-stricter file of the user's, else None.

    Raises ``FileNotFoundError`` when there is no key file yet.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
            log.warning("not using the cache: its key %s is not a file of yours", path)
            return None
        data = fh.read(_KEY_BYTES + 1)
    if st.st_mode & 0o077 or len(data) != _KEY_BYTES:
        return b""  # others could read it, or it is damaged: the caller makes a new one
    return data


class DiskCache:
    """Entries of a few kinds (``"coded"``, ``"graph"``) in one private folder.

    Parameters
    ----------
    folder : pathlib.Path
        Created ``0700`` on the first write.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @classmethod
    def default(cls) -> DiskCache | None:
        """The cache of :func:`default_dir`, or None when it is switched off."""
        folder = default_dir()
        return None if folder is None else cls(folder)

    def entry(self, kind: str, key: str) -> Path:
        """The file that holds (or would hold) one entry."""
        return self.folder / f"{kind}-{key[:32]}{_SUFFIX}"

    def _key(self, create: bool) -> bytes | None:
        """The cache's signing key (made on the first write), or None when none can be used."""
        path = self.folder / KEY_FILE
        try:
            found = _read_key(path)
        except FileNotFoundError:
            found = b""
            if not create:
                return None
        except OSError as exc:
            log.warning("not using the cache: cannot read its key %s (%s)", path, exc)
            return None
        if found is None or found:
            return found
        if not create:
            return None
        if path.exists() or path.is_symlink():
            log.warning("replacing the cache key %s: others could read it or it is damaged", path)
        secret = secrets.token_bytes(_KEY_BYTES)
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-key-")  # created 0600
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(secret)
                    fh.flush()
                    os.fsync(fh.fileno())
                if found == b"" and not path.exists() and not path.is_symlink():
                    try:
                        os.link(tmp, path)  # never replaces a key another process just made
                    except FileExistsError:
                        return _read_key(path) or None
                else:
                    os.replace(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("not using the cache: cannot write its key in %s (%s)", self.folder, exc)
            return None
        return secret

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry exists (it is not read, so a damaged one still counts)."""
        return self.entry(kind, key).is_file()

    def _usable_folder(self, create: bool) -> bool:
        try:
            if create:
                self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            st = self.folder.lstat()
        except FileNotFoundError:
            return False
        except OSError as exc:
            log.warning("cannot use the cache folder %s (%s)", self.folder, exc)
            return False
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            log.warning("not using the cache folder %s: it is not a folder of yours", self.folder)
            return False
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            try:
                os.chmod(self.folder, 0o700)
            except OSError:
                log.warning("not using the cache folder %s: others can write it", self.folder)
                return False
        return True

    def get(self, kind: str, key: str) -> Any:
        """The value stored under ``(kind, key)``, or None (missing, foreign or unreadable)."""
        if not self._usable_folder(create=False):
            return None
        path = self.entry(kind, key)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("ignoring cache entry %s (%s)", path, exc)
            return None
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or not _private(path, st):
                log.warning("ignoring cache entry %s: not a private file of yours", path)
                return None
            try:
                blob = fh.read()
            except OSError as exc:
                log.warning("ignoring unreadable cache entry %s (%s)", path, exc)
                return None
        secret = self._key(create=False)
        head = len(_MAGIC) + _TAG_BYTES
        if (
            secret is None
            or not blob.startswith(_MAGIC)
            or not hmac.compare_digest(
                blob[len(_MAGIC) : head], _tag(secret, kind, key, memoryview(blob)[head:])
            )
        ):
            # never unpickled: a planted, copied or changed file could run code
            log.warning("ignoring cache entry %s: not signed with this cache's key", path)
            return None
        try:
            with paused_gc():
                payload = pickle.loads(memoryview(blob)[head:])
        except Exception as exc:  # signed but unreadable (a class that changed): rebuild
            log.warning("ignoring unreadable cache entry %s (%s)", path, exc)
            return None
        if (
            not isinstance(payload, tuple)
            or len(payload) != 4
            or payload[:3] != (_FORMAT, kind, key)
        ):
            log.warning("ignoring cache entry %s: not written for these inputs", path)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used
        return payload[3]

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store a value (atomically); failures are logged, never raised."""
        if not self._usable_folder(create=True):
            return
        secret = self._key(create=True)
        if secret is None:
            return
        path = self.entry(kind, key)
        try:
            data = pickle.dumps((_FORMAT, kind, key, value), protocol=pickle.HIGHEST_PROTOCOL)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=_SUFFIX)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(_MAGIC)
                    fh.write(_tag(secret, kind, key, data))
                    fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            entries = sorted(
                self.folder.glob(f"{kind}-*{_SUFFIX}"), key=lambda p: p.stat().st_mtime
            )
            for old in entries[:-MAX_ENTRIES]:
                old.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not write the cache in %s (%s)", self.folder, exc)


def run_detached(jobs: list[Callable[[], None]]) -> None:
    """Run cache writes in a forked child process, so that the caller can exit at once.

    For a one-shot, single-threaded command that has already answered: the
    child runs the jobs and exits; it holds none of the caller's pipes, so
    whoever waits for the command's output is not kept waiting. Where the
    platform cannot fork, the jobs run here.
    """
    if not jobs:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork() if hasattr(os, "fork") else -1
    except OSError:
        pid = -1
    if pid > 0:
        return
    if pid == 0:
        try:
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)  # never hold the caller's pipes open
            for job in jobs:
                job()
        finally:
            os._exit(0)
    for job in jobs:
        job()
