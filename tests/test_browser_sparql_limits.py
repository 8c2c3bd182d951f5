"""The SPARQL console in Chromium: a query over its limit says so; a closed tab stops its query.

Locally these tests skip when /usr/bin/chromium is missing; under ``CI=true``
they fail instead.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import app_harness as harness  # loaded by conftest.py
from collab_graph.workspace import WORKSPACE_ENV

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def sparql_workers(server_pid: int) -> list[int]:
    """Process ids of the SPARQL worker processes the app server started."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (proc / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == server_pid and b"collab_graph.rdf.worker" in cmd:
            found.append(int(proc.name))
    return found


def busy(pid: int) -> bool:
    """True while the process runs (state R) rather than waiting for a message."""
    try:
        return (Path(f"/proc/{pid}/stat")).read_text().rsplit(")", 1)[1].split()[0] == "R"
    except OSError:
        return False


def run_query(page: Any, url: str, text: str) -> None:
    page.goto(f"{url}/export", wait_until="domcontentloaded")
    box = page.get_by_label("Query", exact=True)
    box.wait_for(timeout=120_000)
    box.fill(text)
    box.press("Control+Enter")
    page.get_by_role("button", name="Run query").click()


def test_time_limit_message_in_the_browser(chromium: Any, tmp_path: Path) -> None:
    env = {WORKSPACE_ENV: str(tmp_path / "ws"), "COLLAB_GRAPH_SPARQL_TIMEOUT": "2"}
    with harness.AppServer(env=env) as server:
        page = chromium.new_page(viewport={"width": 1440, "height": 900})
        try:
            run_query(page, server.url, CARTESIAN)
            alert = page.get_by_text("ran past its time limit of 2 s")
            alert.wait_for(timeout=120_000)
            alert.scroll_into_view_if_needed()
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "sparql-time-limit.png"))
            assert "COLLAB_GRAPH_SPARQL_TIMEOUT" in alert.inner_text()
        finally:
            page.close()


def test_closing_the_tab_stops_its_query(chromium: Any, tmp_path: Path) -> None:
    env = {WORKSPACE_ENV: str(tmp_path / "ws"), "COLLAB_GRAPH_SPARQL_TIMEOUT": "600"}
    with harness.AppServer(env=env) as server:
        assert server.proc is not None
        context = chromium.new_context()
        page = context.new_page()
        run_query(page, server.url, CARTESIAN)
        running: list[int] = []
        end = time.monotonic() + 120
        while time.monotonic() < end and not running:
            running = [p for p in sparql_workers(server.proc.pid) if busy(p)]
            time.sleep(0.2)
        assert running, "the query runs in a worker process of the server"
        context.close()  # the tab goes away: its websocket closes
        end = time.monotonic() + 60
        while time.monotonic() < end and set(running) & set(sparql_workers(server.proc.pid)):
            time.sleep(0.2)
        assert not set(running) & set(sparql_workers(server.proc.pid)), (
            "the worker of a closed session was stopped long before its 600 s limit"
        )
        assert server.proc.poll() is None, "the server itself keeps running"
