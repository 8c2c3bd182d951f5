"""AppTest of the Ask page's free-text barrier matching (issue 14): honest similarity, no guess."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from collab_graph.views import app_support as sup
from collab_graph.workspace import WORKSPACE_ENV, Workspace

APP = Path(__file__).resolve().parents[1] / "app.py"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    workspace = Workspace(tmp_path / "workspace")
    monkeypatch.setenv(WORKSPACE_ENV, str(workspace.root))
    monkeypatch.delenv(sup.PATHS_ENV, raising=False)
    return workspace


def ask(question: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["start_page"] = "ask"
    at.session_state["ask_barrier"] = question
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def similarity_shown(at: AppTest) -> float:
    captions = " ".join(c.value for c in at.caption)
    m = re.search(r"similarity (\d\.\d\d)", captions)
    assert m, captions
    return float(m.group(1))


def test_nothing_matching_well_says_so_and_offers_the_closest(ws: Workspace) -> None:
    at = ask("the weather was bad")
    assert not at.subheader or not at.subheader[0].value.startswith("Barrier: ")
    warning = at.warning[0].value
    assert "No barrier matches" in warning
    assert "well" in warning
    labels = [b.label for b in at.button]
    assert 1 <= len(labels) <= 4
    assert all(re.match(r"0\.\d\d · ", label) for label in labels), labels
    at.button[0].click().run()
    assert at.subheader[0].value.startswith("Barrier: ")


def test_a_question_sharing_no_word_with_any_barrier_says_so(ws: Workspace) -> None:
    at = ask("my cat likes sardines")
    assert "No barrier shares a word with it" in at.warning[0].value
    assert not at.button


@pytest.mark.parametrize(
    ("question", "barrier"),
    [
        ("managers won't support it", "Lack of buy-in, sponsorship and motivation"),
        ("legal problems sharing data", "Information governance and data-sharing barriers"),
    ],
)
def test_a_match_shows_its_own_similarity(ws: Workspace, question: str, barrier: str) -> None:
    at = ask(question)
    assert at.subheader[0].value == f"Barrier: {barrier}"
    sim = similarity_shown(at)
    assert 0.13 <= sim < 0.9  # a similarity of this match, not a fixed 90%
    assert any("Also close:" in c.value for c in at.caption)


def test_similarity_differs_between_questions(ws: Workspace) -> None:
    a = similarity_shown(ask("managers won't support it"))
    b = similarity_shown(ask("lack of buy in"))
    assert a != b
