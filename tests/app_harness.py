"""Drive the real app in Debian's Chromium: start the server, find the graph, time it.

Used by ``tests/test_browser.py`` and reusable by the benchmarks (load it by path,
or run ``python tests/app_harness.py [PATHS...]`` to print the app timings as JSON).
Playwright is imported lazily so that collecting this module never needs a browser.

What it measures (:func:`measure_app_timings`):

* ``start_to_graph_s``: from launching ``collab-graph app`` to the pyvis network
  drawn in Chromium (the browser is already running; the server is not);
* ``filter_redraw_s``: from changing a filter (the minimum-degree slider) to the
  new network drawn;
* ``html_bytes``: the size of the graph page in the iframe.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 60.0

_COUNT_JS = (
    "() => (typeof network !== 'undefined' && network && network.body) "
    "? network.body.nodeIndices.length : -1"
)


def chromium_path() -> str | None:
    """The Debian Chromium binary, or None when it is not installed."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


def _free_port() -> int:
    from collab_graph.views.app_support import free_port

    return free_port()


@dataclass
class AppServer:
    """A ``collab-graph app`` subprocess on a free port (use as a context manager)."""

    paths: Sequence[str | Path] = ()
    port: int = 0
    env: dict[str, str] = field(default_factory=dict)
    started_at: float = 0.0
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = START_TIMEOUT_S) -> AppServer:
        """Start the server and wait (with a cap) until its port answers."""
        from collab_graph.views.app_support import wait_for_port

        self.port = self.port or _free_port()
        exe = shutil.which("collab-graph")
        cmd = [exe] if exe else [sys.executable, "-m", "collab_graph"]
        cmd += ["app", "--port", str(self.port), *map(str, self.paths)]
        env = {**os.environ, **self.env}
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"collab-graph-app-{self.port}.log"
        out = self.log.open("wb")
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        out.close()
        try:
            wait_for_port(self.port, timeout=timeout, alive=lambda: self.proc.poll() is None)  # type: ignore[union-attr]
        except (TimeoutError, RuntimeError) as exc:
            self.stop()
            raise RuntimeError(f"{exc}\n--- server log ---\n{self.output()}") from exc
        return self

    def output(self) -> str:
        """What the server printed so far."""
        if self.log is None or not self.log.exists():
            return ""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Terminate the server (its own process group), then kill it if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def browser() -> Iterator[Any]:
    """A headless Debian Chromium (Playwright ``Browser``)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("Debian chromium is not installed (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def graph_count(page: Any) -> tuple[Any, int]:
    """The frame holding a drawn vis network and its node count, or ``(None, -1)``."""
    for frame in page.frames:
        if frame == page.main_frame:
            continue
        try:
            n = int(frame.evaluate(_COUNT_JS))
        except Exception:  # a frame that is navigating or detached
            continue
        if n >= 0:
            return frame, n
    return None, -1


def wait_for_graph(
    page: Any,
    *,
    timeout: float = 30.0,
    different_from: int | None = None,
    expected: int | None = None,
) -> tuple[Any, int]:
    """Wait until a pyvis network is drawn (optionally with a count other than/equal to one)."""
    deadline = time.perf_counter() + timeout
    last = -1
    while time.perf_counter() < deadline:
        frame, n = graph_count(page)
        last = n
        if frame is not None and n >= 0:
            ok = True
            if different_from is not None and n == different_from:
                ok = False
            if expected is not None and n != expected:
                ok = False
            if ok:
                return frame, n
        page.wait_for_timeout(25)
    raise TimeoutError(f"no graph drawn within {timeout:.0f} s (last count {last})")


def measure_app_timings(
    paths: Sequence[str | Path] = (), *, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Server start → graph drawn, and filter change → redraw, in one real browser.

    Returns
    -------
    dict
        ``start_to_graph_s``, ``filter_redraw_s``, ``nodes_before``,
        ``nodes_after`` and ``html_bytes``.
    """
    with browser() as b:
        page = b.new_page(viewport={"width": 1500, "height": 1000})
        server = AppServer(paths=paths, env=env or {})
        with server:
            page.goto(server.url, wait_until="domcontentloaded")
            frame, before = wait_for_graph(page, timeout=60)
            start_to_graph = time.perf_counter() - server.started_at
            html_bytes = len(frame.evaluate("() => document.documentElement.outerHTML"))
            slider = page.get_by_role("slider").first
            slider.focus()
            t0 = time.perf_counter()
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            _, after = wait_for_graph(page, timeout=30, different_from=before)
            redraw = time.perf_counter() - t0
    return {
        "start_to_graph_s": round(start_to_graph, 3),
        "filter_redraw_s": round(redraw, 3),
        "nodes_before": before,
        "nodes_after": after,
        "html_bytes": html_bytes,
    }


if __name__ == "__main__":
    print(json.dumps(measure_app_timings(sys.argv[1:]), indent=2))
