"""collab-graph installed as a user installs it: nothing it does writes inside the package."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real install (a wheel built from the repository) into a folder, then made read-only."""
    target = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    package = target / "collab_graph"
    for p in [package, *package.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        p.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return target


def _run(site: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "COLLAB_GRAPH_WORKSPACE": str(tmp / "workspace"),
        "COLLAB_GRAPH_CACHE": str(tmp / "cache"),
    }
    env.pop("COLLAB_GRAPH_DATA", None)
    return subprocess.run(
        [sys.executable, "-m", "collab_graph", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp,
        timeout=300,
    )


@pytest.mark.slow
def test_saving_a_review_writes_only_to_the_workspace(installed: Path, tmp_path: Path) -> None:
    package = installed / "collab_graph"
    where = _run(installed, tmp_path, "--version")
    assert where.returncode == 0, where.stderr
    probe = subprocess.run(
        [sys.executable, "-c", "import collab_graph; print(collab_graph.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(installed)},
    )
    assert Path(probe.stdout.strip()).parent == package, "the installed copy is the one used"
    before = _tree(package)

    saved = _run(
        installed, tmp_path, "review", "G3-Q1-D-6", "--kind", "context", "--reason", "a test"
    )
    assert saved.returncode == 0, saved.stderr
    coded = _run(installed, tmp_path, "classify", "--format", "jsonl")
    assert coded.returncode == 0, coded.stderr
    record = next(r for r in map(json.loads, coded.stdout.splitlines()) if r["id"] == "G3-Q1-D-6")
    assert record["kind"] == "context"
    assert record["reviewed"] is True

    assert _tree(package) == before, "nothing was written inside the installed package"
    assert (tmp_path / "workspace" / "reviews.csv").is_file()
    assert not any(p.name.startswith(".tmp-") for p in (tmp_path / "workspace").rglob("*"))


@pytest.mark.slow
def test_the_installed_app_finds_the_ready_made_queries(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    code = (
        "from collab_graph.views.app_support import ready_made_queries as r; "
        "import collab_graph.resources as s; print(len(r()), s.__file__)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    count, where = proc.stdout.split()
    assert where.startswith(str(installed))
    assert int(count) >= 11
