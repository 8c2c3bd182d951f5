"""Golden-output test: the exact coding of the bundled workshop and the nine real documents.

This is a *golden-output* test. ``tests/data/coding_golden.json`` holds, for every note of
the bundled workshop and of the nine documents in ``tests/data/real-notes/docs``, the
coding that ``classify_results`` gave when the fixture was made: kind, confidence (6
places), needs_review, themes, organisations (id, label, type, resolved) and reasons.
It pins the output so that work on the coding's *speed* (issue 12's 100k-note target,
``benchmarks/coding_speed.py``) cannot change a single result unnoticed.

When a change of coding is intended (new cues, a retrained model, a new theme), check the
differences this test prints, then regenerate the fixture and commit it with the change::

    .venv/bin/python tests/test_coding_golden.py

and say in the commit message why the coding changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from collab_graph.coding.classifier import classify_results
from collab_graph.ingest import load

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "coding_golden.json"
REAL_DOCS = sorted((DATA / "real-notes" / "docs").glob("*.md"))


def _document_names() -> list[str]:
    return ["bundled", *(p.name for p in REAL_DOCS)]


def _coding(name: str) -> list[dict[str, Any]]:
    """The coding of one document, one plain record per note, in document order."""
    results = load() if name == "bundled" else load([DATA / "real-notes" / "docs" / name])
    return [
        {
            "id": c.note.id,
            "kind": c.kind.value,
            "confidence": round(c.confidence, 6),
            "needs_review": c.needs_review,
            "themes": [t.id for t in c.themes],
            "orgs": [o.ref() for o in c.orgs],
            "reasons": list(c.reasons),
        }
        for c in classify_results(results)
    ]


@pytest.fixture(scope="module")
def golden() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def test_fixture_covers_every_document(golden: dict[str, list[dict[str, Any]]]) -> None:
    assert len(REAL_DOCS) == 9
    assert sorted(golden) == sorted(_document_names())
    assert all(golden.values())


@pytest.mark.parametrize("name", _document_names())
def test_coding_is_unchanged(name: str, golden: dict[str, list[dict[str, Any]]]) -> None:
    now = _coding(name)
    want = golden[name]
    assert [r["id"] for r in now] == [r["id"] for r in want]
    changed = [(w, n) for w, n in zip(want, now, strict=True) if w != n]
    assert not changed, f"{len(changed)} notes coded differently; first: {changed[0]}"


if __name__ == "__main__":
    FIXTURE.write_text(
        json.dumps(
            {name: _coding(name) for name in _document_names()}, indent=1, ensure_ascii=False
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {FIXTURE}")
