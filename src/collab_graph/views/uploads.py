"""Uploaded notes files: stored by a hash of their bytes, removed when their session ends.

The app keeps each browser session's uploads in a folder of its own under one
private root (``$COLLAB_GRAPH_UPLOADS``, else ``collab-graph-uploads-<uid>`` in
the system's temporary folder; created ``0700`` and used only when it is the
user's own)::

    <root>/session-<random>/<sha256 of the bytes>/<the name the user gave>

So a file's path names its content: two uploads never share a path unless
their bytes are the same, a path's bytes never change, and every cache keyed
by the files (:func:`collab_graph.pipeline.keys`) sees new content as new.
The file keeps the name the user gave (reduced to one safe path component),
which names the workshop.

A session's folder goes away three ways, whichever comes first:

* when the session's :class:`SessionUploads` is dropped (a ``weakref.finalize``;
  it also runs when the server exits);
* when the :class:`Reaper` sees that the session is no longer connected, after
  a grace period (Streamlit's ``server.disconnectedSessionTTL``, in which a
  browser may still reconnect);
* by the sweep (:func:`sweep`), which removes session folders that nobody has
  used for :data:`DEFAULT_MAX_AGE_HOURS` hours (``$COLLAB_GRAPH_UPLOAD_MAX_AGE_HOURS``),
  left behind by a server that was killed. It runs when the app starts and then
  every :data:`DEFAULT_SWEEP_SECONDS` seconds (``$COLLAB_GRAPH_UPLOAD_SWEEP_SECONDS``).

Error messages about uploaded files name the file as the user gave it, never the
server's folders (:func:`public_message`).

Examples
--------
>>> import tempfile
>>> from collab_graph.views.app_support import Upload
>>> session = SessionUploads(Path(tempfile.mkdtemp()))
>>> a, b = session.save([Upload("a b.txt", b"- one"), Upload("a_b.txt", b"- two")])
>>> a.name, b.name, a.parent != b.parent
('a b.txt', 'a_b.txt', True)
>>> public_message(f"{a}: line 1: bad", session.folder.parent)
'a b.txt: line 1: bad'
>>> session.close()
>>> session.folder.exists()
False
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import stat
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from collab_graph.errors import CollabGraphError
from collab_graph.views.app_support import Upload, save_uploads

__all__ = [
    "DEFAULT_MAX_AGE_HOURS",
    "DEFAULT_SWEEP_SECONDS",
    "MAX_AGE_ENV",
    "SWEEP_ENV",
    "UPLOADS_ENV",
    "Reaper",
    "SessionUploads",
    "default_root",
    "max_age_seconds",
    "private_root",
    "public_message",
    "sweep",
    "sweep_interval",
]

UPLOADS_ENV = "COLLAB_GRAPH_UPLOADS"
"""Environment variable naming the folder that holds every session's uploads."""

MAX_AGE_ENV = "COLLAB_GRAPH_UPLOAD_MAX_AGE_HOURS"
"""Environment variable: hours after which an unused session's uploads are swept."""

SWEEP_ENV = "COLLAB_GRAPH_UPLOAD_SWEEP_SECONDS"
"""Environment variable: seconds between two sweeps of a running app."""

DEFAULT_MAX_AGE_HOURS = 24.0
"""Uploads nobody used for this long are removed (a session's folder is touched on each use)."""

DEFAULT_SWEEP_SECONDS = 600.0
"""How often a running app sweeps (and checks for ended sessions)."""

SESSION_PREFIX = "session-"
_DIGEST_DIR = r"[0-9a-f]{64}"

log = logging.getLogger(__name__)


def _env_float(name: str, default: float, environ: Mapping[str, str] | None) -> float:
    env = os.environ if environ is None else environ
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise CollabGraphError(f"{name}={raw!r} is not a number") from exc
    if not value > 0:
        raise CollabGraphError(f"{name}={raw!r} must be more than 0")
    return value


def max_age_seconds(environ: Mapping[str, str] | None = None) -> float:
    """Seconds after which unused uploads are swept (``$COLLAB_GRAPH_UPLOAD_MAX_AGE_HOURS``).

    Examples
    --------
    >>> max_age_seconds({})
    86400.0
    >>> max_age_seconds({MAX_AGE_ENV: "0.5"})
    1800.0
    """
    return _env_float(MAX_AGE_ENV, DEFAULT_MAX_AGE_HOURS, environ) * 3600.0


def sweep_interval(environ: Mapping[str, str] | None = None) -> float:
    """Seconds between sweeps of a running app (``$COLLAB_GRAPH_UPLOAD_SWEEP_SECONDS``).

    Examples
    --------
    >>> sweep_interval({}), sweep_interval({SWEEP_ENV: "30"})
    (600.0, 30.0)
    """
    return _env_float(SWEEP_ENV, DEFAULT_SWEEP_SECONDS, environ)


def default_root(environ: Mapping[str, str] | None = None) -> Path:
    """The folder that holds every session's uploads (not created here).

    Examples
    --------
    >>> default_root({UPLOADS_ENV: "/srv/up"})
    PosixPath('/srv/up')
    >>> default_root({}).name.startswith("collab-graph-uploads-")
    True
    """
    env = os.environ if environ is None else environ
    raw = env.get(UPLOADS_ENV, "").strip()
    if raw:
        return Path(raw).expanduser()
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"collab-graph-uploads-{uid}"


def private_root(root: Path) -> Path:
    """Create ``root`` ``0700`` (or make it private again) and check that it is the user's own.

    Raises
    ------
    CollabGraphError
        When ``root`` is a link, not a folder, or another user's folder: someone
        else could then read the uploads or replace them.

    Examples
    --------
    >>> import stat, tempfile
    >>> root = private_root(Path(tempfile.mkdtemp()) / "uploads")
    >>> oct(stat.S_IMODE(root.stat().st_mode))
    '0o700'
    """
    root = Path(root)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = root.lstat()
    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        raise CollabGraphError(
            f"not keeping uploads in {root}: it is not a folder of yours; "
            f"set {UPLOADS_ENV} to a folder of your own"
        )
    if stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(root, 0o700)
    return root


def remove_folder(folder: Path) -> None:
    """Remove an upload folder and everything in it (a missing folder is fine)."""
    shutil.rmtree(folder, ignore_errors=True)


class SessionUploads:
    """One browser session's upload folder, removed when this object is dropped or closed.

    Parameters
    ----------
    root : pathlib.Path
        The folder of every session's uploads (see :func:`private_root`).
    """

    def __init__(self, root: Path) -> None:
        self.root = private_root(root)
        self.folder = Path(tempfile.mkdtemp(prefix=SESSION_PREFIX, dir=self.root))
        self._finalizer = weakref.finalize(self, remove_folder, self.folder)

    def save(self, uploads: Iterable[Upload]) -> list[Path]:
        """Check and store uploads by the hash of their bytes (see
        :func:`collab_graph.views.app_support.save_uploads`)."""
        items = list(uploads)
        if self.folder.exists():
            self.touch()
        else:  # swept or removed: start again, in a folder of the same name
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return save_uploads(items, self.folder)

    def touch(self) -> None:
        """Mark the folder as used now, so the sweep leaves it alone."""
        with contextlib.suppress(OSError):
            os.utime(self.folder)

    def owns(self, path: Path | str) -> bool:
        """Whether ``path`` is one of this session's uploads."""
        return Path(path).is_relative_to(self.folder)

    def close(self) -> None:
        """Remove the folder now (also done when the object is garbage collected)."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        """Whether the folder was removed by :meth:`close` or the finalizer."""
        return not self._finalizer.alive


def sweep(
    root: Path,
    max_age: float,
    *,
    now: float | None = None,
    keep: Iterable[Path] = (),
) -> list[Path]:
    """Remove the session folders in ``root`` that nobody used for ``max_age`` seconds.

    Only ``session-*`` folders the user owns are touched (never a link); those
    in ``keep`` (the folders of sessions still connected) stay. A missing
    ``root`` is fine.

    Returns
    -------
    list of pathlib.Path
        The folders removed.

    Examples
    --------
    >>> import tempfile
    >>> session = SessionUploads(Path(tempfile.mkdtemp()))
    >>> sweep(session.root, 3600) == []
    True
    >>> sweep(session.root, 3600, now=time.time() + 7200) == [session.folder]
    True
    """
    now = time.time() if now is None else now
    kept = {Path(p) for p in keep}
    removed: list[Path] = []
    try:
        entries = list(Path(root).iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(SESSION_PREFIX) or entry in kept:
            continue
        try:
            st = entry.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            continue
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            continue
        if now - st.st_mtime > max_age:
            remove_folder(entry)
            removed.append(entry)
    if removed:
        log.info("swept %d upload folder(s) unused for %.0f s", len(removed), max_age)
    return removed


_PRIVATE_RE_CACHE: dict[str, re.Pattern[str]] = {}


def public_message(text: str, root: Path) -> str:
    """``text`` with every path under the uploads ``root`` reduced to the file's own name.

    For messages shown in the app: an error about an uploaded file names the
    file as the user gave it (and the line), never the server's folders.

    Examples
    --------
    >>> root = Path("/tmp/up")
    >>> f = "/tmp/up/session-x/" + "a" * 64 + "/my notes.docx"
    >>> public_message(f"{f}: is not a valid .docx file (Package not found at '{f}')", root)
    "my notes.docx: is not a valid .docx file (Package not found at 'my notes.docx')"
    >>> public_message("see /tmp/up/session-x", root)
    'see (your upload)'
    """
    key = str(root)
    pattern = _PRIVATE_RE_CACHE.get(key)
    if pattern is None:
        base = re.escape(key.rstrip(os.sep))
        pattern = re.compile(
            rf"{base}(?:{re.escape(os.sep)}[^{re.escape(os.sep)}\s'\"]+"
            rf"(?:{re.escape(os.sep)}{_DIGEST_DIR}{re.escape(os.sep)})?)?"
        )
        _PRIVATE_RE_CACHE[key] = pattern
    return pattern.sub(lambda m: "" if m.group().endswith(os.sep) else "(your upload)", text)


Alive = Callable[[str], "bool | None"]


class Reaper:
    """Removes the upload folders of ended sessions and sweeps old ones, from a daemon thread.

    Parameters
    ----------
    root : pathlib.Path
        The folder of every session's uploads.
    alive : callable
        ``alive(session_id)``: True while the session is connected, False once it
        is not, None when it cannot be told (then only the sweep applies).
    grace : float
        Seconds a session may stay disconnected before its folder goes (a browser
        may reconnect within Streamlit's ``server.disconnectedSessionTTL``).
    max_age : float
        Seconds after which an unused session folder is swept (see :func:`sweep`).
    interval : float
        Seconds between two rounds of the thread.
    clock : callable
        The monotonic clock (tests pass their own).

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> connected = {"s1": True}
    >>> t = [0.0]
    >>> reaper = Reaper(root, alive=connected.get, grace=60, max_age=3600, interval=600,
    ...                 clock=lambda: t[0])
    >>> session = SessionUploads(root)
    >>> reaper.register("s1", session)
    >>> reaper.run_once(), session.folder.exists()
    ([], True)
    >>> connected["s1"] = False
    >>> t[0] = 30.0
    >>> reaper.run_once(), session.folder.exists()
    ([], True)
    >>> t[0] = 100.0
    >>> reaper.run_once() == [session.folder], session.folder.exists()
    (True, False)
    """

    def __init__(
        self,
        root: Path,
        *,
        alive: Alive,
        grace: float,
        max_age: float,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.root = Path(root)
        self.alive = alive
        self.grace = grace
        self.max_age = max_age
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        # session id -> (the session's uploads, weakly; its folder; when last seen alive)
        self._sessions: dict[str, tuple[weakref.ref[SessionUploads], Path, float]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, session_id: str, uploads: SessionUploads) -> None:
        """Watch a session's upload folder (again: marks it as seen now)."""
        with self._lock:
            self._sessions[session_id] = (weakref.ref(uploads), uploads.folder, self._clock())

    def run_once(self) -> list[Path]:
        """One round: remove the folders of ended sessions, then sweep; returns what went."""
        now = self._clock()
        removed: list[Path] = []
        live: list[Path] = []
        with self._lock:
            items = list(self._sessions.items())
        for sid, (ref, folder, seen) in items:
            session = ref()
            state = self.alive(sid) if session is not None else False
            if session is None or (state is False and now - seen > self.grace):
                if session is not None:
                    session.close()
                else:
                    remove_folder(folder)
                removed.append(folder)
                with self._lock:
                    self._sessions.pop(sid, None)
                continue
            if state is not False:
                with self._lock:
                    if sid in self._sessions:
                        self._sessions[sid] = (ref, folder, now)
                session.touch()
            live.append(folder)
        removed += sweep(self.root, self.max_age, keep=live)
        return removed

    def _loop(self) -> None:
        while True:
            try:
                self.run_once()
            except Exception:  # never let the cleaner take the server down; say why
                log.exception("the upload cleaner failed; it will try again")
            if self._stop.wait(self.interval):
                return

    def start(self) -> Reaper:
        """Run a first round now (the sweep at start), then one every ``interval`` seconds."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop, name="collab-graph-uploads", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread (it finishes the round it is in)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
