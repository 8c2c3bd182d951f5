"""Uploads keyed by content: no collisions, no stale notes, folders removed, no server paths.

The app's flows run in ``AppTest``; :mod:`collab_graph.views.uploads` on its own.
``tests/test_browser_uploads.py`` drives the same flows in Chromium.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from collab_graph.errors import InputFileError
from collab_graph.views import uploads as up
from collab_graph.views.app_support import Upload, save_uploads, upload_name
from collab_graph.workspace import WORKSPACE_ENV, Workspace

APP = Path(__file__).resolve().parents[1] / "app.py"
TWO = b"Workshop A\nGroup 1\nQuestion 1\nA)\n- alpha one\n- alpha two\n"
THREE = b"Workshop B\nGroup 1\nQuestion 1\nA)\n- beta one\n- beta two\n- beta three\n"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh uploads root and workspace for the app under test."""
    folder = tmp_path / "uploads"
    monkeypatch.setenv(up.UPLOADS_ENV, str(folder))
    monkeypatch.setenv(WORKSPACE_ENV, str(Workspace(tmp_path / "ws").root))
    monkeypatch.delenv("COLLAB_GRAPH_APP_PATHS", raising=False)
    return folder


def data_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["start_page"] = "data"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def load(at: AppTest, *files: tuple[str, bytes], how: str = "replace") -> AppTest:
    uploader = at.file_uploader(key="d_files")
    for name, data in files:
        uploader.upload(name, data, "text/plain")
    uploader.run()
    at.radio(key="d_how").set_value(how).run()
    at.button(key="d_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --------------------------------------------------------------------------- in the app


def test_names_that_clean_alike_do_not_collide(root: Path) -> None:
    at = load(data_page(), ("a b.txt", TWO), ("a_b.txt", THREE))
    assert [s.value for s in at.success] == ["Loaded 2 workshop(s) with 5 notes."]
    report = at.dataframe[0].value
    assert list(report["notes"]) == [2, 3]
    assert list(report["source"]) == ["a b.txt", "a_b.txt"]


def test_a_new_file_of_the_same_name_shows_its_own_notes(root: Path) -> None:
    at = load(data_page(), ("notes.txt", TWO))
    assert list(at.dataframe[0].value["title"]) == ["Workshop A"]
    at.button(key="d_reset").click().run()
    at = load(at, ("notes.txt", THREE))
    assert [s.value for s in at.success] == ["Loaded 1 workshop(s) with 3 notes."]
    report = at.dataframe[0].value
    assert list(report["title"]) == ["Workshop B"]
    assert list(report["notes"]) == [3]


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("binary notes.txt", b"Group 1\n- a\x00b\n", "NUL"),
        ("my notes.docx", b"PK\x03\x04 not a zip", "not a valid .docx"),
        ("blank.md", b"\n \n", "empty"),
    ],
)
def test_an_upload_error_names_the_file_and_no_server_path(
    root: Path, name: str, data: bytes, says: str
) -> None:
    at = load(data_page(), (name, data))
    errors = [e.value for e in at.error]
    assert errors, "the error shows in the page"
    text = " ".join(errors)
    assert name in text
    assert says in text
    assert str(root) not in text
    assert "/tmp" not in text
    assert "session-" not in text


def test_upload_folder_goes_when_the_session_is_dropped(root: Path) -> None:
    at = load(data_page(), ("notes.txt", TWO))
    saved = Path(at.session_state["sources"][-1])
    assert saved.read_bytes() == TWO
    del at
    gc.collect()
    assert not saved.exists()


def test_old_upload_folders_are_swept_when_the_app_starts(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(up.MAX_AGE_ENV, "1")
    old = root / "session-left-by-a-killed-server"
    (old / ("0" * 64)).mkdir(parents=True)
    (old / ("0" * 64) / "notes.txt").write_bytes(TWO)
    day_ago = time.time() - 2 * 3600
    os.utime(old, (day_ago, day_ago))
    fresh = root / "session-of-someone-working"
    fresh.mkdir()
    data_page()
    deadline = time.monotonic() + 30  # the first round runs on the cleaner's thread
    while old.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not old.exists()
    assert fresh.exists()


# --------------------------------------------------------------------------- the store


def test_same_name_different_bytes_never_share_a_path(tmp_path: Path) -> None:
    (a,) = save_uploads([Upload("notes.txt", TWO)], tmp_path)
    (b,) = save_uploads([Upload("notes.txt", THREE)], tmp_path)
    assert a != b
    assert a.read_bytes() == TWO
    assert b.read_bytes() == THREE
    assert a.parent.name == hashlib.sha256(TWO).hexdigest()


def test_the_same_file_twice_is_stored_and_listed_once(tmp_path: Path) -> None:
    saved = save_uploads([Upload("n.txt", TWO), Upload("n.txt", TWO)], tmp_path)
    assert len(saved) == 1
    assert saved[0].stat().st_mode & 0o777 == 0o600


def test_a_bad_upload_stores_nothing(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"^empty\.txt: is empty"):
        save_uploads([Upload("ok.txt", TWO), Upload("empty.txt", b"")], tmp_path)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("a b.txt", "a b.txt"),
        ("Notizen – März.md", "Notizen – März.md"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\notes.csv", "notes.csv"),
        ("bell\x07\u202e.txt", "bell.txt"),
        ("  .hidden.txt", "hidden.txt"),
        ("..txt", "notes.txt"),
        ("x" * 400 + ".txt", "x" * 150 + ".txt"),
    ],
)
def test_upload_names_keep_the_users_name_as_one_safe_component(given: str, stored: str) -> None:
    assert upload_name(given) == stored


def test_sweep_keeps_recent_live_and_foreign_folders(tmp_path: Path) -> None:
    now = time.time()
    old, kept, recent = (tmp_path / f"session-{n}" for n in ("old", "kept", "recent"))
    other = tmp_path / "not-a-session"
    for folder in (old, kept, recent, other):
        folder.mkdir()
    for folder in (old, kept, other):
        os.utime(folder, (now - 100, now - 100))
    assert up.sweep(tmp_path, 50, now=now, keep=[kept]) == [old]
    assert {p.name for p in tmp_path.iterdir()} == {"session-kept", "session-recent", other.name}


def test_the_reaper_removes_a_session_that_stays_away(tmp_path: Path) -> None:
    clock = [0.0]
    connected = {"s": True}
    reaper = up.Reaper(
        tmp_path, alive=connected.get, grace=60, max_age=3600, interval=600, clock=lambda: clock[0]
    )
    session = up.SessionUploads(tmp_path)
    reaper.register("s", session)
    clock[0] = 1000.0
    assert reaper.run_once() == []  # connected: stays, however long
    connected["s"] = False
    clock[0] = 1030.0
    assert reaper.run_once() == []  # may still reconnect
    connected["s"] = True
    clock[0] = 1100.0
    assert reaper.run_once() == []  # it did
    connected["s"] = False
    clock[0] = 1200.0
    assert reaper.run_once() == [session.folder]
    assert not session.folder.exists()


def test_the_reaper_thread_sweeps_at_start(tmp_path: Path) -> None:
    old = tmp_path / "session-old"
    old.mkdir()
    os.utime(old, (0, 0))
    reaper = up.Reaper(tmp_path, alive=lambda _: None, grace=1, max_age=60, interval=3600).start()
    try:
        deadline = time.monotonic() + 30
        while old.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        reaper.stop()
    assert not old.exists()


def test_a_root_of_another_kind_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    with pytest.raises(up.CollabGraphError, match="not a folder of yours"):
        up.private_root(tmp_path / "link")


def test_limits_come_from_the_environment() -> None:
    assert up.max_age_seconds({}) == 24 * 3600
    assert up.max_age_seconds({up.MAX_AGE_ENV: "2"}) == 7200
    assert up.sweep_interval({up.SWEEP_ENV: "5"}) == 5
    with pytest.raises(up.CollabGraphError, match=up.MAX_AGE_ENV):
        up.max_age_seconds({up.MAX_AGE_ENV: "soon"})
    with pytest.raises(up.CollabGraphError, match="more than 0"):
        up.sweep_interval({up.SWEEP_ENV: "0"})
