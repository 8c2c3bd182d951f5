"""The analyst's workspace never loses a write (collab_graph.workspace, review.reviews).

Writers run as real processes (``python -c``), so the lock is tested between
processes, not threads; a writer is SIGKILLed at random points to show that
what it leaves behind is always a valid workspace.
"""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from collab_graph import workspace as workspace_module
from collab_graph.cli import app
from collab_graph.csvfiles import read_csv
from collab_graph.errors import DataFileError
from collab_graph.ingest import parse_text
from collab_graph.model import Note
from collab_graph.review.reviews import Review, load_reviews, save_review, text_hash
from collab_graph.workspace import WORKSPACE_ENV, Workspace

N_NOTES = 1000
WORKSHOP = "synthetic"
APP = Path(__file__).resolve().parents[1] / "app.py"

# A writer process: saves reviews of notes[start:start+count] of the notes file, then exits;
# with count 0 it saves reviews for ever (until it is killed), printing "ready" first.
WRITER = r"""
import sys
from pathlib import Path
from collab_graph.ingest import parse_text
from collab_graph.review.reviews import Review, save_review
from collab_graph.workspace import Workspace

notes_file, root, start, count, tag = sys.argv[1:6]
notes = parse_text(Path(notes_file).read_text(encoding="utf-8"), source="synthetic.md").notes
ws = Workspace(root)
start, count = int(start), int(count)
chosen = notes[start:start + count] if count else notes
print("ready", flush=True)
i = 0
while True:
    for note in chosen:
        save_review(ws, Review.of(note, kind="barrier", reason=f"{tag} save {i}"))
        i += 1
    if count:
        break
"""


@pytest.fixture(scope="module")
def notes_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic workshop of 1,000 distinct notes."""
    lines = ["# Synthetic", "## Group 1", "### Question 1"]
    lines += [f"- synthetic note number {i} about shared budgets" for i in range(N_NOTES)]
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def notes(notes_file: Path) -> list[Note]:
    found = parse_text(notes_file.read_text(encoding="utf-8"), source="synthetic.md").notes
    assert len(found) == N_NOTES
    assert len({n.id for n in found}) == N_NOTES
    return list(found)


def writer(notes_file: Path, root: Path, start: int, count: int, tag: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-c", WRITER, str(notes_file), str(root), str(start), str(count), tag]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def temp_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob(".tmp-*"))


@pytest.mark.slow
@pytest.mark.parametrize("run", [1, 2, 3])
def test_two_processes_saving_500_reviews_each_lose_none(
    run: int, notes_file: Path, notes: list[Note], tmp_path: Path
) -> None:
    ws = Workspace(tmp_path / "ws")
    procs = [writer(notes_file, ws.root, k * 500, 500, f"run {run} writer {k}") for k in (0, 1)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    saved = load_reviews(ws.reviews)
    assert len(saved) == N_NOTES
    assert {r.note_id for r in saved} == {n.id for n in notes}
    assert {(r.note_id, r.text_hash) for r in saved} == {(n.id, text_hash(n.text)) for n in notes}
    assert len(read_csv(ws.review_history)) == N_NOTES
    assert temp_files(ws.root) == []


def check_valid(ws: Workspace, notes: list[Note]) -> None:
    """Every file parses strictly, every row is whole, and every current review is in the
    history."""
    hashes = {n.id: text_hash(n.text) for n in notes}
    history = read_csv(ws.review_history) if ws.review_history.exists() else []
    current = read_csv(ws.reviews) if ws.reviews.exists() else []
    for row in (*history, *current):
        assert hashes.get(row["note_id"]) == row["text_hash"], row
        assert row["workshop"] == WORKSHOP, row
        assert row["kind"] == "barrier", row
        assert row["reason"].startswith("kill "), row
        assert row["reason"].split()[-1].isdigit(), row
        assert row["text"], row
        assert row["date"], row
    assert len({r["note_id"] for r in current}) == len(current)  # one review per note
    seen = {(r["note_id"], r["reason"], r["date"]) for r in history}
    assert all((r["note_id"], r["reason"], r["date"]) in seen for r in current)


@pytest.mark.slow
def test_a_writer_killed_50_times_leaves_a_valid_workspace(
    notes_file: Path, notes: list[Note], tmp_path: Path
) -> None:
    ws = Workspace(tmp_path / "ws")
    rng = random.Random(13)
    left_behind = 0
    for k in range(50):
        proc = writer(notes_file, ws.root, rng.randrange(0, 900), 100, f"kill {k}")
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        try:
            proc.wait(timeout=rng.uniform(0.0, 0.25))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        proc.communicate()
        check_valid(ws, notes)
        left_behind += len(temp_files(ws.root))
        # the next write removes what the killed writer left
        save_review(ws, Review.of(notes[k], kind="barrier", reason=f"kill {k} 0"))
        assert temp_files(ws.root) == []
        check_valid(ws, notes)
    assert load_reviews(ws.reviews)


def test_a_write_sweeps_only_its_own_temp_files(tmp_path: Path, notes: list[Note]) -> None:
    """A writer of reviews.csv must not delete the temporary file another file's writer (say,
    a retrained model being saved) is writing at that moment; its own leftovers go."""
    ws = Workspace(tmp_path / "ws")
    (ws.root / "history").mkdir(parents=True)
    other = ws.root / ".tmp-0123456789ab-kind-model.json"
    other.write_text("{}", encoding="utf-8")
    mine = ws.root / ".tmp-0123456789ab-reviews.csv"
    mine.write_text("workshop,no", encoding="utf-8")
    mine_in_history = ws.root / "history" / ".tmp-ba9876543210-reviews.csv"
    mine_in_history.write_text("", encoding="utf-8")
    save_review(ws, Review.of(notes[0], kind="barrier", reason="kill 0 0"))
    assert other.exists()
    assert not mine.exists()
    assert not mine_in_history.exists()


def test_a_save_killed_between_history_and_reviews_keeps_the_history(
    tmp_path: Path, notes: list[Note], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history is written first: a save that dies half-way never leaves a current review
    that the history lacks (else replacing it later would lose it for good)."""
    ws = Workspace(tmp_path / "ws")
    save_review(ws, Review.of(notes[0], kind="barrier", reason="kill 0 0"))
    real = workspace_module._atomic_text
    calls: list[Path] = []

    def dies_on_second_write(path: Path, text: str) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process stops here
        real(path, text)

    monkeypatch.setattr(workspace_module, "_atomic_text", dies_on_second_write)
    with pytest.raises(KeyboardInterrupt):
        save_review(ws, Review.of(notes[1], kind="barrier", reason="kill 0 1"))
    monkeypatch.undo()
    check_valid(ws, notes)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o644), (0o077, 0o640)])
def test_a_save_keeps_the_file_mode(
    tmp_path: Path, notes: list[Note], umask: int, mode: int
) -> None:
    ws = Workspace(tmp_path / "ws")
    save_review(ws, Review.of(notes[0], kind="barrier", reason="kill 0 0"))
    for path in (ws.reviews, ws.review_history):
        path.chmod(mode)
    old = os.umask(umask)
    try:
        save_review(ws, Review.of(notes[1], kind="barrier", reason="kill 0 1"))
    finally:
        os.umask(old)
    for path in (ws.reviews, ws.review_history):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


def test_a_new_workspace_file_gets_the_usual_mode(tmp_path: Path, notes: list[Note]) -> None:
    ws = Workspace(tmp_path / "ws")
    old = os.umask(0o022)
    try:
        save_review(ws, Review.of(notes[0], kind="barrier", reason="kill 0 0"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(ws.reviews.stat().st_mode) == 0o644  # not 0600


def test_a_later_review_replaces_the_earlier_which_stays_in_history(
    tmp_path: Path, notes: list[Note]
) -> None:
    ws = Workspace(tmp_path / "ws")
    save_review(ws, Review.of(notes[0], kind="barrier", reason="kill 0 1"))
    save_review(ws, Review.of(notes[1], kind="barrier", reason="kill 0 2"))
    save_review(ws, Review.of(notes[0], kind="context", reason="kill 0 3"))
    current = load_reviews(ws.reviews)
    assert [(r.note_id, r.reason) for r in current] == [
        (notes[0].id, "kill 0 3"),
        (notes[1].id, "kill 0 2"),
    ]
    history = [(r["note_id"], r["kind"], r["reason"]) for r in read_csv(ws.review_history)]
    assert history == [
        (notes[0].id, "barrier", "kill 0 1"),
        (notes[1].id, "barrier", "kill 0 2"),
        (notes[0].id, "context", "kill 0 3"),
    ]


def test_a_save_keeps_rows_and_columns_it_does_not_understand(
    tmp_path: Path, notes: list[Note]
) -> None:
    """An analyst's own column, and a bad row, are rewritten as they were (never dropped)."""
    ws = Workspace(tmp_path / "ws")
    save_review(ws, Review.of(notes[0], kind="barrier", reason="kill 0 0"))
    text = ws.reviews.read_text(encoding="utf-8")
    header, row = text.splitlines()
    ws.reviews.write_text(
        f"{header},my comment\n{row},check this\n{WORKSHOP},X-1,abc,flurb,,,why,,,,,,extra cell\n",
        encoding="utf-8",
    )
    save_review(ws, Review.of(notes[1], kind="barrier", reason="kill 0 1"))
    lines = ws.reviews.read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"{header},my comment"
    assert lines[1] == f"{row},check this"
    assert lines[2] == f"{WORKSHOP},X-1,abc,flurb,,,why,,,,,,extra cell"
    assert len(lines) == 4


def test_a_workspace_file_that_is_not_utf8_is_a_clear_error(
    tmp_path: Path, notes: list[Note]
) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    ws.reviews.write_bytes(b"workshop,note_id\nsynthetic,caf\xe9\n")
    with pytest.raises(DataFileError, match=r"reviews\.csv: line 2: .*not UTF-8"):
        save_review(ws, Review.of(notes[0], kind="barrier", reason="kill 0 0"))


# -- a bad row is reported with file and line, skipped, and the rest apply -----------------

BAD_REVIEWS = (
    "workshop,note_id,text_hash,kind,themes,orgs,reason\n"
    "{w},{a},{ha},barrier,,,first\n"
    "{w},{b},{hb},flurb,,,bad kind\n"
    "{w},{a},{ha},context,,,second\n"
)


def test_cli_skips_a_bad_review_row_and_warns_duplicates(
    tmp_path: Path, notes_file: Path, notes: list[Note]
) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    a, b = notes[0], notes[1]
    ws.reviews.write_text(
        BAD_REVIEWS.format(w=WORKSHOP, a=a.id, ha=text_hash(a.text), b=b.id, hb=text_hash(b.text)),
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        app,
        ["classify", str(notes_file), "--format", "csv"],
        env={WORKSPACE_ENV: str(ws.root)},
    )
    assert res.exit_code == 0, res.output
    assert f"{ws.reviews}: line 3, column kind: unknown kind 'flurb'" in res.stderr
    assert f"{ws.reviews}: line 4" in res.stderr
    assert "(the first is on line 2)" in res.stderr
    row_a = next(line for line in res.stdout.splitlines() if line.startswith(a.id + ","))
    assert ",context," in row_a  # the later duplicate applies


def test_bad_rows_in_the_analysts_themes_orgs_and_links_are_skipped(
    tmp_path: Path, notes_file: Path
) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    ws.themes.write_text(
        "id,kind,label,cues\n"
        "p_synthetic_budgets,practice,Shared budgets,shared budgets\n"
        "p_broken,flurb,Broken,\n",
        encoding="utf-8",
    )
    ws.organisations.write_text(
        "id,label,type,aliases\nsynth_org,Synth Org,nonsense,Synth Org\n", encoding="utf-8"
    )
    ws.addresses.write_text(
        "practice_theme,barrier_theme,strength,rationale\n"
        "p_synthetic_budgets,b_time_capacity,strong,because\n"
        "p_synthetic_budgets,b_funding,mighty,bad strength\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        app,
        ["classify", str(notes_file), "--format", "jsonl"],
        env={WORKSPACE_ENV: str(ws.root)},
    )
    assert res.exit_code == 0, res.output
    assert f"{ws.themes}: line 3, column kind" in res.stderr
    assert f"{ws.organisations}: line 2, column type" in res.stderr
    assert "p_synthetic_budgets" in res.stdout  # the good theme row applies
    res = CliRunner().invoke(
        app, ["export", str(notes_file), "-f", "nt"], env={WORKSPACE_ENV: str(ws.root)}
    )
    assert res.exit_code == 0, res.output
    assert f"{ws.addresses}: line 3, column strength" in res.stderr


def test_app_shows_a_bad_review_row_as_a_warning_and_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collab_graph.views import app_support as sup

    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    ws.reviews.write_text(
        "workshop,note_id,text_hash,kind,themes,orgs,reason\n"
        "collaborative-innovation-workshop,G3-Q1-D-6,abc,flurb,,,bad kind\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(WORKSPACE_ENV, str(ws.root))
    monkeypatch.delenv(sup.PATHS_ENV, raising=False)
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state["start_page"] = "notes"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title
    warnings = " ".join(w.value for w in at.warning)
    assert "reviews.csv: line 2, column kind" in warnings.replace("\\", "")
    assert "flurb" in warnings
