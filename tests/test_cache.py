"""The pipeline's cache: coded notes and graphs on disk, keyed by content, private to the user."""

from __future__ import annotations

import logging
import os
import pickle
import shutil
from pathlib import Path

import networkx as nx
import pytest

from collab_graph import cache, pipeline
from collab_graph.cache import DiskCache
from collab_graph.errors import InputFileError
from collab_graph.pipeline import Corpus
from collab_graph.resources import data_dir, default_notes
from collab_graph.review.reviews import Review, save_review
from collab_graph.workspace import Workspace

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
def store(tmp_path: Path) -> DiskCache:
    return DiskCache(tmp_path / "cache")


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "team-session.txt"
    path.write_text(NOTES, encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws")


def _entries(store: DiskCache, kind: str) -> list[Path]:
    return sorted(store.folder.glob(f"{kind}-*.pickle"))


class Spy:
    """Counts calls of the parser and the classifier the pipeline uses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed = self.coded = 0
        load, classify = pipeline.load, pipeline.classify_results

        def counting_load(*a: object, **k: object) -> object:
            self.parsed += 1
            return load(*a, **k)  # type: ignore[arg-type]

        def counting_classify(*a: object, **k: object) -> object:
            self.coded += 1
            return classify(*a, **k)  # type: ignore[arg-type]

        monkeypatch.setattr(pipeline, "load", counting_load)
        monkeypatch.setattr(pipeline, "classify_results", counting_classify)


def test_a_hit_gives_the_graph_the_pipeline_builds(store: DiskCache) -> None:
    built = pipeline.graph(Corpus(), cache=store)
    assert len(_entries(store, "coded")) == len(_entries(store, "graph")) == 1
    cached = pipeline.graph(Corpus(), cache=store)
    assert _same(cached, pipeline.graph(Corpus(), cache=None))
    assert _same(cached, built)
    assert cached.graph == built.graph


def test_a_saved_review_rebuilds_only_the_graph(
    store: DiskCache, notes: Path, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = Corpus([notes], workspace=ws)
    before = pipeline.graph(corpus, cache=store)
    spy = Spy(monkeypatch)
    coded = pipeline.code(corpus, cache=store)
    note = coded.coded[0].note
    save_review(ws, Review.of(note, kind="context", reason="a remark"))
    after = pipeline.graph(corpus, cache=store)
    assert (spy.parsed, spy.coded) == (0, 0), "a review never re-parses or re-classifies"
    assert len(_entries(store, "coded")) == 1
    assert len(_entries(store, "graph")) == 2
    node = f"workshop/team-session/note/{note.id}"
    assert before.nodes[node]["note_kind"] != "context"
    assert after.nodes[node]["note_kind"] == "context"


@pytest.mark.parametrize(
    ("change", "recoded"),
    [
        ("notes", True),
        ("file name", True),
        ("data folder", True),
        ("workspace themes", True),
        ("reviews flag", False),
        ("workspace reviews", False),
        ("workspace links", False),
    ],
)
def test_any_changed_input_is_a_miss(
    change: str,
    recoded: bool,
    store: DiskCache,
    notes: Path,
    ws: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    corpus = Corpus([notes], workspace=ws)
    pipeline.graph(corpus, cache=store)
    if change == "notes":
        notes.write_text(NOTES + "- Sharing budgets across boards\n", encoding="utf-8")
    elif change == "file name":
        renamed = notes.with_name("other-session.txt")
        shutil.copy(notes, renamed)
        corpus = Corpus([renamed], workspace=ws)
    elif change == "data folder":
        copy = tmp_path / "data"
        shutil.copytree(data_dir(), copy)
        with (copy / "not-organisations.csv").open("a", encoding="utf-8") as fh:
            fh.write("\n")
        monkeypatch.setenv("COLLAB_GRAPH_DATA", str(copy))
    elif change == "workspace themes":
        ws.root.mkdir(parents=True, exist_ok=True)
        ws.themes.write_text(
            "id,kind,label,cues\np_buddy,practice,Buddy schemes,buddy\n", encoding="utf-8"
        )
    elif change == "reviews flag":
        corpus = Corpus([notes], workspace=ws, reviews=False)
    elif change == "workspace reviews":
        note = pipeline.code(corpus, cache=store).coded[0].note
        save_review(ws, Review.of(note, kind="context", reason="a remark"))
    elif change == "workspace links":
        ws.root.mkdir(parents=True, exist_ok=True)
        ws.addresses.write_text(
            "practice_theme,barrier_theme,strength,rationale\n"
            "p_protected_time,b_time_capacity,removed,not for this team\n",
            encoding="utf-8",
        )
    spy = Spy(monkeypatch)
    G = pipeline.graph(corpus, cache=store)
    assert (spy.coded == 1) is recoded
    assert len(_entries(store, "graph")) == 2
    assert _same(G, pipeline.graph(corpus, cache=None))


def test_a_changed_note_shows_up(store: DiskCache, notes: Path) -> None:
    pipeline.graph(Corpus([notes]), cache=store)
    notes.write_text(NOTES + "- Sharing budgets across boards\n", encoding="utf-8")
    G = pipeline.graph(Corpus([notes]), cache=store)
    texts = {d["text"] for _, d in G.nodes(data=True) if d["kind"] == "note"}
    assert "Sharing budgets across boards" in texts


@pytest.mark.parametrize("damage", [b"", b"not a pickle", None])
def test_a_damaged_entry_is_rebuilt_with_a_warning(
    damage: bytes | None, store: DiskCache, notes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = pipeline.graph(Corpus([notes]), cache=store)
    (entry,) = _entries(store, "graph")
    entry.write_bytes(pickle.dumps(("other", "payload", 1)) if damage is None else damage)
    with caplog.at_level(logging.WARNING, logger="collab_graph.cache"):
        G = pipeline.graph(Corpus([notes]), cache=store)
    assert _same(G, expected)
    assert "ignoring" in caplog.text
    assert str(entry) in caplog.text
    assert entry.read_bytes().startswith(cache._MAGIC)  # rewritten, signed
    assert _same(store.get("graph", pipeline.keys(Corpus([notes])).graph)[0], expected)


def test_an_entry_others_can_write_is_never_loaded(
    store: DiskCache, notes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline.graph(Corpus([notes]), cache=store)
    (entry,) = _entries(store, "graph")
    key = entry.name
    entry.chmod(0o666)
    with caplog.at_level(logging.WARNING, logger="collab_graph.cache"):
        assert store.get("graph", pipeline.keys(Corpus([notes])).graph) is None
    assert "not a private file of yours" in caplog.text
    assert key


def test_a_folder_others_can_write_is_made_private(store: DiskCache, notes: Path) -> None:
    store.folder.mkdir(mode=0o777)
    store.folder.chmod(0o777)
    pipeline.graph(Corpus([notes]), cache=store)
    assert store.folder.stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(os.getuid() != 0, reason="only root can give a folder to another user")
def test_a_folder_of_another_user_is_not_used(
    store: DiskCache, notes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store.folder.mkdir(mode=0o700)
    os.chown(store.folder, 65534, 65534)  # nobody
    with caplog.at_level(logging.WARNING, logger="collab_graph.cache"):
        G = pipeline.graph(Corpus([notes]), cache=store)
    assert G.number_of_nodes() > 0
    assert "not a folder of yours" in caplog.text
    assert not list(store.folder.iterdir())


def test_an_unwritable_folder_only_warns(
    tmp_path: Path, notes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="collab_graph.cache"):
        G = pipeline.graph(Corpus([notes]), cache=DiskCache(blocker / "cache"))
    assert G.number_of_nodes() > 0
    assert "cannot use the cache folder" in caplog.text


def test_switched_off_writes_nothing(
    tmp_path: Path, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert cache.default_dir() is None
    assert DiskCache.default() is None
    before = set(tmp_path.rglob("*"))
    pipeline.graph(Corpus([notes]))
    assert set(tmp_path.rglob("*")) == before


def test_default_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "mine"))
    assert cache.default_dir() == tmp_path / "mine"
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.default_dir() == tmp_path / "xdg" / "collab-graph"


def test_only_the_newest_entries_are_kept(
    store: DiskCache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    for i in range(4):
        path = tmp_path / f"session-{i}.txt"
        path.write_text(NOTES, encoding="utf-8")
        pipeline.graph(Corpus([path]), cache=store)
    assert len(_entries(store, "graph")) == len(_entries(store, "coded")) == 2
    assert store.has("graph", pipeline.keys(Corpus([tmp_path / "session-3.txt"])).graph)
    assert not store.has("graph", pipeline.keys(Corpus([tmp_path / "session-0.txt"])).graph)


def test_a_missing_notes_file_is_the_usual_input_error(store: DiskCache, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"missing\.txt"):
        pipeline.graph(Corpus([tmp_path / "missing.txt"]), cache=store)
    assert not store.folder.exists()


def test_the_bundled_workshop_is_the_default() -> None:
    assert pipeline.keys(Corpus()) == pipeline.keys(Corpus([default_notes()]))
    assert pipeline.keys(Corpus()).graph != pipeline.keys(Corpus(reviews=False)).graph
    assert pipeline.keys(Corpus()).coding == pipeline.keys(Corpus(reviews=False)).coding


def test_a_moved_corpus_is_still_found(store: DiskCache, notes: Path, tmp_path: Path) -> None:
    pipeline.graph(Corpus([notes]), cache=store)
    moved = tmp_path / "elsewhere" / notes.name
    moved.parent.mkdir()
    shutil.copy(notes, moved)
    assert store.has("graph", pipeline.keys(Corpus([moved])).graph)
    assert _same(
        pipeline.graph(Corpus([moved]), cache=store), pipeline.graph(Corpus([moved]), cache=None)
    )


class Payload:
    """A pickle that, when loaded, creates a marker file: what a planted entry could do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "code ran"))  # type: ignore[return-value]


def _plant(path: Path, marker: Path) -> None:
    """Write an evil pickle the way the user's own process would: theirs, mode 0600."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(Payload(marker)))
    path.chmod(0o600)


@pytest.mark.parametrize("kind", ["coded", "parsed", "graph"])
def test_a_planted_pickle_never_runs(
    kind: str, store: DiskCache, notes: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marker = tmp_path / "pwned"
    corpus = Corpus([notes])
    keys = pipeline.keys(corpus)
    key = {"graph": keys.graph, "parsed": keys.parse}.get(kind, keys.coding)
    _plant(store.entry(kind, key), marker)
    with caplog.at_level(logging.WARNING, logger="collab_graph.cache"):
        assert pipeline.parsed(corpus, cache=store)
        G = pipeline.graph(corpus, cache=store)
    assert not marker.exists()
    assert G.number_of_nodes() > 0
    assert "not signed with this cache's key" in caplog.text


def test_a_planted_pickle_behind_a_copied_signature_never_runs(
    store: DiskCache, notes: Path, tmp_path: Path
) -> None:
    """A valid entry's header followed by other bytes: the tag no longer matches."""
    pipeline.graph(Corpus([notes]), cache=store)
    (entry,) = _entries(store, "graph")
    head = entry.read_bytes()[: len(cache._MAGIC) + 32]
    marker = tmp_path / "pwned"
    entry.write_bytes(head + pickle.dumps(Payload(marker)))
    assert store.get("graph", pipeline.keys(Corpus([notes])).graph) is None
    assert not marker.exists()


def test_a_changed_byte_is_never_loaded(store: DiskCache, notes: Path) -> None:
    pipeline.graph(Corpus([notes]), cache=store)
    (entry,) = _entries(store, "graph")
    data = bytearray(entry.read_bytes())
    data[-5] ^= 1
    entry.write_bytes(bytes(data))
    assert store.get("graph", pipeline.keys(Corpus([notes])).graph) is None


def test_an_entry_copied_from_another_cache_is_ignored(
    store: DiskCache, notes: Path, tmp_path: Path
) -> None:
    """A colleague's cache folder copied in: the user owns the files, but not the key."""
    other = DiskCache(tmp_path / "colleague")
    pipeline.graph(Corpus([notes]), cache=other)
    pipeline.graph(Corpus([notes]), cache=store)
    (theirs,) = _entries(other, "graph")
    (mine,) = _entries(store, "graph")
    shutil.copyfile(theirs, mine)
    assert store.get("graph", pipeline.keys(Corpus([notes])).graph) is None
    assert (other.folder / cache.KEY_FILE).read_bytes() != (
        store.folder / cache.KEY_FILE
    ).read_bytes()


def test_the_key_is_private(store: DiskCache, notes: Path) -> None:
    pipeline.graph(Corpus([notes]), cache=store)
    key = store.folder / cache.KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600
    assert len(key.read_bytes()) == 32


def test_a_key_others_can_read_is_replaced(
    store: DiskCache, notes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline.graph(Corpus([notes]), cache=store)
    key = store.folder / cache.KEY_FILE
    leaked = key.read_bytes()
    key.chmod(0o644)
    graph_key = pipeline.keys(Corpus([notes])).graph
    assert store.get("graph", graph_key) is None  # signed with a key others may know
    with caplog.at_level(logging.WARNING, logger="collab_graph.cache"):
        store.put("graph", graph_key, "fresh")
    assert "replacing the cache key" in caplog.text
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.read_bytes() != leaked
    assert store.get("graph", graph_key) == "fresh"


def test_a_key_that_is_a_link_is_not_used(store: DiskCache, notes: Path, tmp_path: Path) -> None:
    store.folder.mkdir(mode=0o700)
    chosen = tmp_path / "chosen-key"
    chosen.write_bytes(b"k" * 32)
    chosen.chmod(0o600)
    (store.folder / cache.KEY_FILE).symlink_to(chosen)
    pipeline.graph(Corpus([notes]), cache=store)
    assert not _entries(store, "graph")  # nothing written with a key someone else chose
    assert chosen.read_bytes() == b"k" * 32


@pytest.mark.skipif(os.getuid() != 0, reason="only root can give a file to another user")
def test_a_key_of_another_user_is_not_used(
    store: DiskCache, notes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline.graph(Corpus([notes]), cache=store)
    key = store.folder / cache.KEY_FILE
    os.chown(key, 65534, 65534)  # nobody
    with caplog.at_level(logging.WARNING, logger="collab_graph.cache"):
        assert store.get("graph", pipeline.keys(Corpus([notes])).graph) is None
    assert "is not a file of yours" in caplog.text
