"""Smoke tests for the benchmark tools, so they cannot rot (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from collab_graph import ingest

ROOT = Path(__file__).resolve().parents[1]
SYNTH = ROOT / "benchmarks" / "synth.py"
RUN = ROOT / "benchmarks" / "run.py"


def _synth(out: Path, notes: int, seed: int) -> None:
    subprocess.run(
        [sys.executable, str(SYNTH), "--notes", str(notes), "--seed", str(seed), "--out", str(out)],
        check=True,
        capture_output=True,
    )


def test_synth_is_deterministic_and_parses_cleanly(tmp_path: Path) -> None:
    _synth(tmp_path / "a", 1200, 3)
    _synth(tmp_path / "b", 1200, 3)
    _synth(tmp_path / "c", 1200, 4)
    files = sorted((tmp_path / "a").glob("*.txt"))
    assert [f.name for f in files] == [f"workshop-000{i}.txt" for i in range(1, 6)]
    for f in files:
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes()
    assert files[0].read_bytes() != (tmp_path / "c" / files[0].name).read_bytes()
    results = ingest.load(files)
    notes = [n for r in results for n in r.notes]
    assert len(notes) == 1200
    assert all(200 <= len(r.notes) <= 300 for r in results)
    assert not [sl for r in results for sl in r.unassigned]
    assert len({n.text for n in notes}) > 0.7 * len(notes)
    assert {n.question for n in notes} == {1, 2}
    assert {n.prompt for n in notes} == {"A", "B", "C", "D"}
    texts = " ".join(n.text for n in notes)
    for expected in ("Challenges", "Benefits", "NHS", "IJB", "Scotland Excel", "“", "’"):
        assert expected in texts


def test_synth_refuses_bad_sizes(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SYNTH), "--notes", "0", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "--notes must be positive" in proc.stderr


@pytest.mark.slow
def test_benchmark_smoke_run(tmp_path: Path) -> None:
    """One tiny run of every phase: 1,000 notes, one repeat, 20 queries; report in tmp_path."""
    doc = tmp_path / "bench.md"
    proc = subprocess.run(
        [
            sys.executable,
            str(RUN),
            "--sizes",
            "1000",
            "--repeat",
            "1",
            "--queries",
            "20",
            "--out",
            str(tmp_path / "out"),
            "--doc",
            str(doc),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = doc.read_text(encoding="utf-8")
    for expected in (
        "# Benchmarks",
        "| parse |",
        "end to end, fast path",
        "anchor: rdflib parses the exported N-Triples",
        "SPARQL example, pyoxigraph",
        "`practices_for` p50",
        "peak RSS",
    ):
        assert expected in text
    assert "not available" not in text
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    runs = results[0]["runs"]
    assert set(runs) == {"pipeline", "rdflib", "anchors"}
    pipeline = runs["pipeline"][0]
    assert pipeline["counts"]["notes"] == 1000
    assert len(pipeline["latencies_ms"]) == 20
    anchors = runs["anchors"][0]
    assert anchors["counts"]["triples"] == pipeline["counts"]["triples"]
    assert (
        anchors["counts"]["sparql_rows_rdflib"]
        == anchors["counts"]["sparql_rows_oxigraph"]
        == anchors["counts"]["sparql_rows_oxrdflib"]
        > 0
    )
    assert "Benchmarks" in proc.stdout or "| stage |" in proc.stdout
