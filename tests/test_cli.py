"""CLI behaviour on long work: a progress bar while notes are coded, only on a terminal."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from collab_graph import cli
from collab_graph.cache import CACHE_ENV

runner = CliRunner()


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> io.StringIO:
    """stderr as a terminal (captured), a bar from the first note on, an empty graph cache."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    buf = io.StringIO()
    monkeypatch.setattr(cli, "err_console", Console(file=buf, force_terminal=True, width=100))
    monkeypatch.setattr(cli, "PROGRESS_NOTES", 1)
    return buf


@pytest.mark.parametrize(
    "args",
    [
        ["classify", "--format", "jsonl"],
        ["practices", "Day job – no time", "--format", "json"],
        ["export", "--format", "nt"],
    ],
)
def test_coding_shows_progress_on_a_terminal(terminal: io.StringIO, args: list[str]) -> None:
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    drawn = terminal.getvalue()
    assert "coding notes" in drawn
    assert "239/239" in drawn
    assert "coding notes" not in result.stdout  # stdout stays machine-readable


def test_no_progress_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    buf = io.StringIO()
    monkeypatch.setattr(cli, "err_console", Console(file=buf, force_terminal=False))
    monkeypatch.setattr(cli, "PROGRESS_NOTES", 1)
    result = runner.invoke(cli.app, ["classify", "--format", "jsonl"])
    assert result.exit_code == 0
    assert buf.getvalue() == ""


def test_small_inputs_show_no_bar(terminal: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "PROGRESS_NOTES", 10_000)
    result = runner.invoke(cli.app, ["classify", "--format", "jsonl"])
    assert result.exit_code == 0
    assert "coding notes" not in terminal.getvalue()


def test_practices_table_names_the_workshop_when_there_are_several(tmp_path: Path) -> None:
    from collab_graph.resources import default_notes

    paths = []
    for name in ("east-session.txt", "west-session.txt"):
        path = tmp_path / name
        path.write_bytes(default_notes().read_bytes())
        paths.append(str(path))
    result = runner.invoke(cli.app, ["practices", "Day job – no time", *paths, "--top", "2"])
    assert result.exit_code == 0, result.output
    assert "raised by 12 groups" in " ".join(result.stdout.split())
    assert "east-session G" in result.stdout or "west-session G" in result.stdout
    single = runner.invoke(cli.app, ["practices", "Day job – no time", "--top", "2"])
    assert "raised by groups 1, 3, 4, 6, 7, 8" in " ".join(single.stdout.split())
    assert "collaborative-innovation-workshop G" not in single.stdout


def test_a_cached_graph_is_not_coded_again_but_repeats_its_warnings(
    terminal: io.StringIO, tmp_path: Path
) -> None:
    notes = Path(__file__).parent / "data" / "layout_cp1252.txt"
    first = runner.invoke(cli.app, ["export", str(notes), "--format", "nt"])
    assert first.exit_code == 0
    drawn = terminal.getvalue()
    assert "coding notes" in drawn
    assert "Windows-1252" in drawn
    terminal.truncate(0)
    terminal.seek(0)
    again = runner.invoke(cli.app, ["export", str(notes), "--format", "nt"])
    assert again.exit_code == 0
    assert again.stdout == first.stdout
    assert "coding notes" not in terminal.getvalue()  # read from the cache
    assert "Windows-1252" in terminal.getvalue()


def test_a_bad_file_is_still_exit_2_with_the_cache(tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_text("  \n", encoding="utf-8")
    result = runner.invoke(cli.app, ["practices", "no time", str(bad)])
    assert result.exit_code == 2
    assert "empty.txt" in result.output
    assert "Traceback" not in result.output


def test_practices_table_for_notes_without_groups_names_no_missing_parts() -> None:
    """Notes with no group or question: the quotes say where they are without "GNone QNone"."""
    notes = Path(__file__).parent / "data" / "practices_no_groups.md"
    result = runner.invoke(cli.app, ["practices", "day job no time", str(notes), "--top", "1"])
    assert result.exit_code == 0, result.output
    assert "None" not in result.stdout
    assert "[barrier] line 3: “Day job – no time to innovate”" in result.stdout
    assert "[practice] line 4: “Protected time for innovation projects”" in result.stdout


def test_practices_table_shows_the_rows_the_app_shows() -> None:
    """The CLI table and the app's Ask page are drawn from the same views.tables rows."""
    from collab_graph.graph.query import practices_for
    from collab_graph.pipeline import Corpus, graph
    from collab_graph.views.tables import practice_rows, quote_rows

    result = runner.invoke(cli.app, ["practices", "Day job – no time", "--top", "3"])
    assert result.exit_code == 0, result.output
    answer = practices_for(graph(Corpus(), cache=None), "Day job – no time", top=3)
    text = " ".join(result.stdout.split())
    for row, practice in zip(practice_rows(answer), answer["practices"], strict=True):
        assert f"{row['rank']}. {row['practice']}" in result.stdout
        assert f"{row['score']:.3f}" in text
        first = quote_rows(practice["evidence"][:1])[0]
        assert f"[{first['supports']}] {first['where']}:" in text


def test_a_command_answers_first_and_then_fills_the_cache(tmp_path: Path) -> None:
    """Run as its own process, a command writes the cache from a child after answering."""
    import os
    import subprocess
    import sys
    import time

    env = {**os.environ, "COLLAB_GRAPH_CACHE": str(tmp_path / "cache")}
    cmd = [sys.executable, "-m", "collab_graph", "practices", "Day job – no time"]
    proc = subprocess.run(
        [*cmd, "--format", "json"], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["practices"]
    kinds: set[str] = set()
    for _ in range(120):
        kinds = {p.name.split("-")[0] for p in (tmp_path / "cache").glob("*.pickle")}
        if kinds >= {"coded", "parsed", "graph"}:
            break
        time.sleep(0.25)
    assert kinds >= {"coded", "parsed", "graph"}


def test_columns_reach_every_command_that_reads_files(tmp_path: Path) -> None:
    """--columns names a board export's columns for classify and practices, as for parse."""
    board = tmp_path / "board.csv"
    board.write_text(
        "Lane,Sticky,Votes\n"
        "What gets in the way,Day job - no time for it,3\n"
        "What gets in the way,Nobody funds the shared post,2\n"
        "What helps,Protected time for the project team,4\n",
        encoding="utf-8",
    )
    opt = ["--columns", "note=Sticky,scope=Lane"]
    coded = runner.invoke(cli.app, ["classify", str(board), *opt])
    assert coded.exit_code == 0, coded.output
    records = [json.loads(line) for line in coded.stdout.splitlines()]
    assert [r["text"] for r in records] == [
        "Day job - no time for it",
        "Nobody funds the shared post",
        "Protected time for the project team",
    ]
    assert [s["text"] for s in records[0]["scope"]][-1] == "What gets in the way"
    bad = runner.invoke(cli.app, ["classify", str(board), "--columns", "note=Nope"])
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output
