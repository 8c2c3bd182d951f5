"""The graph cache on disk: same graph as the pipeline, rebuilt whenever an input changes."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import networkx as nx
import pytest

from collab_graph import cache, pipeline
from collab_graph.errors import InputFileError
from collab_graph.resources import data_dir, default_notes

NOTES = """Group 1
Question One
A)
- Lack of time for the day job
- Protected time for innovation
"""


def _same(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> bool:
    return sorted(G.nodes(data=True)) == sorted(H.nodes(data=True)) and sorted(
        G.edges(keys=True, data=True), key=repr
    ) == sorted(H.edges(keys=True, data=True), key=repr)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "team-session.txt"
    path.write_text(NOTES, encoding="utf-8")
    return path


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.graph.pickle"))


def test_a_hit_gives_the_graph_the_pipeline_builds(folder: Path) -> None:
    built, hit = cache.load_or_build([], cache_dir=folder)
    assert not hit
    assert len(_entries(folder)) == 1
    cached, hit = cache.load_or_build([], cache_dir=folder)
    assert hit
    assert _same(cached, pipeline.build_graph([]))
    assert _same(cached, built)
    assert cached.graph == built.graph


@pytest.mark.parametrize(
    "change",
    ["notes", "reviews flag", "reviews file", "data folder", "file name"],
)
def test_any_changed_input_is_a_miss(
    change: str, folder: Path, notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reviews_file = tmp_path / "reviews.csv"
    shutil.copy(data_dir() / "reviews.csv", reviews_file)
    kwargs: dict[str, object] = {"reviews_path": reviews_file}
    _, hit = cache.load_or_build([notes], cache_dir=folder, **kwargs)  # type: ignore[arg-type]
    assert not hit
    paths = [notes]
    if change == "notes":
        notes.write_text(NOTES + "- Sharing budgets across boards\n", encoding="utf-8")
    elif change == "reviews flag":
        kwargs["reviews"] = False
    elif change == "reviews file":
        reviews_file.write_text(reviews_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "data folder":
        copy = tmp_path / "data"
        shutil.copytree(data_dir(), copy)
        with (copy / "not-organisations.csv").open("a", encoding="utf-8") as fh:
            fh.write("\n")
        monkeypatch.setenv("COLLAB_GRAPH_DATA", str(copy))
    elif change == "file name":
        renamed = notes.with_name("other-session.txt")
        shutil.copy(notes, renamed)
        paths = [renamed]
    G, hit = cache.load_or_build(paths, cache_dir=folder, **kwargs)  # type: ignore[arg-type]
    assert not hit
    assert len(_entries(folder)) == 2
    assert _same(G, pipeline.build_graph(paths, **kwargs))  # type: ignore[arg-type]


def test_a_changed_note_shows_up(folder: Path, notes: Path) -> None:
    cache.load_or_build([notes], cache_dir=folder)
    notes.write_text(NOTES + "- Sharing budgets across boards\n", encoding="utf-8")
    G, _ = cache.load_or_build([notes], cache_dir=folder)
    texts = {d["text"] for _, d in G.nodes(data=True) if d["kind"] == "note"}
    assert "Sharing budgets across boards" in texts


@pytest.mark.parametrize("damage", [b"", b"not a pickle", None])
def test_a_damaged_entry_is_rebuilt_with_a_warning(
    damage: bytes | None, folder: Path, notes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected, _ = cache.load_or_build([notes], cache_dir=folder)
    (entry,) = _entries(folder)
    if damage is None:  # a valid pickle of something else
        import pickle

        entry.write_bytes(pickle.dumps(("other", "payload", 1)))
    else:
        entry.write_bytes(damage)
    with caplog.at_level(logging.WARNING, logger="collab_graph.cache"):
        G, hit = cache.load_or_build([notes], cache_dir=folder)
    assert not hit
    assert _same(G, expected)
    assert "ignoring" in caplog.text
    assert str(entry) in caplog.text
    assert cache.load_or_build([notes], cache_dir=folder)[1]  # rewritten


def test_an_unwritable_folder_only_warns(
    tmp_path: Path, notes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="collab_graph.cache"):
        G, hit = cache.load_or_build([notes], cache_dir=blocker / "cache")
    assert not hit
    assert G.number_of_nodes() > 0
    assert "could not write the graph cache" in caplog.text


def test_switched_off_writes_nothing(
    tmp_path: Path, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert cache.default_dir() is None
    before = set(tmp_path.rglob("*"))
    _, hit = cache.load_or_build([notes])
    assert not hit
    assert set(tmp_path.rglob("*")) == before
    _, hit = cache.load_or_build([notes], cache_dir=tmp_path / "c", use_cache=False)
    assert not hit
    assert not (tmp_path / "c").exists()


def test_default_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "mine"))
    assert cache.default_dir() == tmp_path / "mine"
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.default_dir() == tmp_path / "xdg" / "collab-graph"


def test_only_the_newest_entries_are_kept(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    for i in range(4):
        path = tmp_path / f"session-{i}.txt"
        path.write_text(NOTES, encoding="utf-8")
        cache.load_or_build([path], cache_dir=folder)
    assert len(_entries(folder)) == 2
    assert cache.load_or_build([tmp_path / "session-3.txt"], cache_dir=folder)[1]
    assert not cache.load_or_build([tmp_path / "session-0.txt"], cache_dir=folder)[1]


def test_a_missing_notes_file_is_the_usual_input_error(folder: Path, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"missing\.txt"):
        cache.load_or_build([tmp_path / "missing.txt"], cache_dir=folder)
    assert not folder.exists()


def test_the_bundled_workshop_is_the_default(folder: Path) -> None:
    assert cache.fingerprint([]) == cache.fingerprint([default_notes()])
    assert cache.fingerprint([]) != cache.fingerprint([], reviews=False)


def test_cached_says_whether_an_entry_exists(folder: Path, notes: Path) -> None:
    assert not cache.cached([notes], cache_dir=folder)
    cache.load_or_build([notes], cache_dir=folder)
    assert cache.cached([notes], cache_dir=folder)
    assert not cache.cached([notes], reviews=False, cache_dir=folder)
    assert not cache.cached([notes.with_name("gone.txt")], cache_dir=folder)


def test_a_moved_corpus_is_still_found(folder: Path, notes: Path, tmp_path: Path) -> None:
    cache.load_or_build([notes], cache_dir=folder)
    moved = tmp_path / "elsewhere" / notes.name
    moved.parent.mkdir()
    shutil.copy(notes, moved)
    G, hit = cache.load_or_build([moved], cache_dir=folder)
    assert hit
    assert _same(G, pipeline.build_graph([moved]))
