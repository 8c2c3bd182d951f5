"""The fast paths give exactly what the plain paths give.

* :mod:`collab_graph.coding.fastmatch`: the dispatched alternation finds the same
  matches (same text, span and alternative) as the plain ``a|b|c`` alternation,
  and classification with it gives the same records.
* :mod:`collab_graph.rdf.fast`: N-Triples and Turtle written straight from the
  networkx graph are isomorphic to (and, for N-Triples, line-for-line equal to)
  what rdflib writes from :func:`collab_graph.rdf.convert.to_rdf`.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_graph import ingest
from collab_graph.coding import classifier as classify
from collab_graph.coding import form, gazetteer, intent, lexicon, taxonomy
from collab_graph.coding.fastmatch import dispatch_alternation, first_literal
from collab_graph.model import ParseResult
from collab_graph.rdf.vocab import DEFAULT_BASE
from collab_graph.resources import data_path, default_notes

ROOT = Path(__file__).resolve().parents[1]


def _synth() -> object:
    spec = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synth", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic corpus (3 workshops, 700 notes); files are read-only inputs."""
    out = tmp_path_factory.mktemp("synth")
    _synth().write_corpus(700, out, seed=5)  # type: ignore[attr-defined]
    return out


def _plain(parts: list[str]) -> tuple[str, list[int]]:
    """The reference: the alternation as written, group g is part g - 1."""
    return "|".join(parts), [-1, *range(len(parts))]


def _texts(synthetic_dir: Path) -> Iterator[str]:
    for result in ingest.load([default_notes(), *sorted(synthetic_dir.glob("*.txt"))]):
        for note in result.notes:
            yield note.text
        yield from result.workshop.preamble


# --- fastmatch ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("abc", "a"),
        ("(abc)", "a"),
        ("((?i:abc))", "a"),
        (r"\&x", "&"),
        (r"\.?x", None),
        ("a?b", None),
        ("a*", None),
        ("a{2}", None),
        (r"\w+x", None),
        (r"\s*(?:&|and)", None),
        ("[ab]c", None),
        ("'?s", None),
        ("", None),
    ],
)
def test_first_literal(pattern: str, expected: str | None) -> None:
    assert first_literal(pattern) == expected


def _cue_parts() -> list[str]:
    tax = taxonomy.load_taxonomy()
    phrases = {p.lower() for t in tax.themes.values() for p in (t.label, *t.alt_labels, *t.cues)}
    phrases |= {c.phrase.lower() for c in tax.kind_cues}
    ordered = sorted(phrases, key=lambda p: (-len(p.rstrip("*")), p))
    return [f"({lexicon.cue_pattern(p)})" for p in ordered]


def _matches(rx: re.Pattern[str], group_of: list[int], text: str) -> list[tuple[int, int, int]]:
    return [(m.start(), m.end(), group_of[m.lastindex or 0]) for m in rx.finditer(text)]


@pytest.mark.parametrize("lead", [r"(?<!\w)", r"^\W*"])
def test_dispatch_matches_plain_alternation_on_real_notes(lead: str, synthetic_dir: Path) -> None:
    parts = _cue_parts()
    fast_body, fast_groups = dispatch_alternation(parts)
    plain_body, plain_groups = _plain(parts)
    fast = re.compile(f"{lead}(?:{fast_body})(?!\\w)", re.IGNORECASE)
    plain = re.compile(f"{lead}(?:{plain_body})(?!\\w)", re.IGNORECASE)
    texts = [lexicon.normalise(t) for t in _texts(synthetic_dir)]
    assert len(texts) > 900
    hits = 0
    for text in texts:
        expected = _matches(plain, plain_groups, text)
        assert _matches(fast, fast_groups, text) == expected, text
        hits += len(expected)
    assert hits > 500


_ALPHABET = st.sampled_from([*"abcABCKkSsſK ’'-.&/Iİı", "day", "job", "no ", "time", "NHS"])


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.tuples(
            st.lists(_ALPHABET, min_size=1, max_size=4).map("".join), st.booleans(), st.booleans()
        ),
        min_size=1,
        max_size=12,
    ),
    text=st.lists(_ALPHABET, max_size=30).map("".join),
)
def test_dispatch_matches_plain_alternation_property(
    parts: list[tuple[str, bool, bool]], text: str
) -> None:
    """Random literal, optional-start and case-(in)sensitive alternatives, random text."""
    alts = []
    for literal, optional, insensitive in parts:
        pat = re.escape(literal)
        if optional:
            pat = f"{pat[0]}?{pat[1:]}" if not pat.startswith("\\") else f"(?:{pat})?x"
        alts.append(f"((?i:{pat}))" if insensitive else f"({pat})")
    fast_body, fast_groups = dispatch_alternation(alts)
    plain_body, plain_groups = _plain(alts)
    for suffix in ("", r"(?:s?'s?|s)?(?!\w)"):
        fast = re.compile(rf"(?<!\w)(?:{fast_body}){suffix}")
        plain = re.compile(rf"(?<!\w)(?:{plain_body}){suffix}")
        assert _matches(fast, fast_groups, text) == _matches(plain, plain_groups, text)


@pytest.mark.parametrize(
    ("alts", "text"),
    [
        # an alternative with no literal start between two of one bucket keeps its place
        (["(bx)", "(a?bc)", "(b)"], "bc"),
        (["(bx)", "(\\w?bc)", "((?i:b))"], "Bc"),
        # the look-ahead is case-insensitive even when the pattern is not
        (["((?i:nhs))", "(NHS board)"], "nhs NHS board Nhs"),
        (["(k)", "((?i:K))"], "K k K"),
    ],
)
def test_dispatch_keeps_order_and_case(alts: list[str], text: str) -> None:
    fast_body, fast_groups = dispatch_alternation(alts)
    plain_body, plain_groups = _plain(alts)
    fast, plain = re.compile(f"(?:{fast_body})"), re.compile(f"(?:{plain_body})")
    assert _matches(fast, fast_groups, text) == _matches(plain, plain_groups, text)


def test_gazetteer_mentions_same_with_and_without_dispatch(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = gazetteer.load_gazetteer(data_path(gazetteer.ORGS_FILE))
    monkeypatch.setattr(gazetteer, "dispatch_alternation", _plain)
    gazetteer._gazetteer_from.cache_clear()  # built from the same content: build it again
    plain = gazetteer.load_gazetteer(data_path(gazetteer.ORGS_FILE))
    gazetteer._gazetteer_from.cache_clear()
    found = 0
    for text in _texts(synthetic_dir):
        expected = plain.mentions(text)
        assert fast.mentions(text) == expected, text
        found += len(expected)
    assert found > 300


def _expression_spans(gaz: gazetteer.Gazetteer, text: str) -> list[tuple[int, int, object]]:
    """The alias matches found by scanning the one alias expression over every character."""
    assert gaz._rx is not None
    norm = lexicon.normalise(text)
    return [
        (m.start(), m.end(), gaz._targets[gazetteer._group_index(m)])
        for m in gaz._rx.finditer(norm)
    ]


def test_gazetteer_word_scan_same_as_alias_expression(synthetic_dir: Path) -> None:
    gaz = gazetteer.load_gazetteer(data_path(gazetteer.ORGS_FILE))
    found = 0
    for text in [*_texts(synthetic_dir), "H. S. C. P. and LAs", "P and K council", "NHS  Fife's"]:
        spans = gaz._leads.scan(lexicon.normalise(text))
        expected = _expression_spans(gaz, text)
        assert spans is None or spans == expected, text
        found += len(expected)
    assert found > 300


_ALIASES = sorted({a for o in gazetteer.load_gazetteer().organisations.values() for a in o.aliases})


@given(
    st.lists(
        st.one_of(
            st.sampled_from(_ALIASES).flatmap(
                lambda a: st.sampled_from([a, a.lower(), a.upper(), a + "s", a + "'s", a + "x"])
            ),
            st.sampled_from(["the", "a", "and", "&", "of", "H.", "S.", "-", "/", "(", "'s", ","]),
            st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6),
        ),
        max_size=8,
    ),
    st.sampled_from([" ", "", "  ", " - "]),
)
@settings(max_examples=400, deadline=None)
def test_gazetteer_word_scan_same_as_alias_expression_property(words: list[str], sep: str) -> None:
    gaz = gazetteer.load_gazetteer()
    text = sep.join(words)
    spans = gaz._leads.scan(lexicon.normalise(text))
    assert spans is None or spans == _expression_spans(gaz, text)


def _records(results: list[ParseResult]) -> list[dict[str, object]]:
    tax = taxonomy.load_taxonomy(data_path(taxonomy.THEMES_FILE))
    gaz = gazetteer.load_gazetteer(data_path(gazetteer.ORGS_FILE))
    coded = classify.classify_results(results, taxonomy=tax, gazetteer=gaz)
    return [c.record() for c in coded]


def test_classification_same_with_and_without_dispatch(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = ingest.load([default_notes(), *sorted(synthetic_dir.glob("*.txt"))])
    fast = _records(results)
    monkeypatch.setattr(gazetteer, "dispatch_alternation", _plain)
    gazetteer._gazetteer_from.cache_clear()
    plain = _records(results)
    gazetteer._gazetteer_from.cache_clear()
    assert len(fast) == 239 + 700
    assert fast == plain
    assert sum(bool(r["orgs"]) for r in fast) > 100
    assert sum(bool(r["themes"]) for r in fast) > 500


class _Always(dict[str, tuple[int, ...]]):
    """A per-word memory of phrase lengths that says: try every length, at every word."""

    def __init__(self, every: tuple[int, ...]) -> None:
        super().__init__()
        self.every = every

    def get(self, key: str, default: object = None) -> tuple[int, ...]:  # type: ignore[override]
        return self.every


class _Forget(dict[tuple[str, ...], object]):
    """A memory of lookups that remembers nothing (every run of words is looked up)."""

    def get(self, key: tuple[str, ...], default: object = None) -> object:  # type: ignore[override]
        return default

    def __setitem__(self, key: tuple[str, ...], value: object) -> None:
        pass


def test_classification_same_without_ngram_reach(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Skipping words that start no phrase, trying only the phrase lengths that start
    with a word, and remembering each lookup, changes no coding."""
    results = ingest.load([default_notes(), *sorted(synthetic_dir.glob("*.txt"))])
    fast = _records(results)
    init = lexicon.PhraseIndex.__init__

    def plain_init(self: lexicon.PhraseIndex, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        every = tuple(range(self.max_len, 0, -1))
        self._spans = {False: _Always(every), True: _Always(every)}
        self._looked = {False: _Forget(), True: _Forget()}

    loaders = (
        taxonomy._taxonomy_from,
        gazetteer._gazetteer_from,
        form._lexicon_from,
        intent._lexicon_from,
    )
    monkeypatch.setattr(lexicon.PhraseIndex, "__init__", plain_init)
    lexicon.tokens.cache_clear()
    for loader in loaders:
        loader.cache_clear()
    plain = _records(results)
    for loader in loaders:
        loader.cache_clear()
    assert plain == fast


# --- fastrdf --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_graphs(synthetic_dir: Path) -> dict[str, nx.MultiDiGraph]:
    """Built once per module (a few seconds); tests get copies through ``graphs``."""
    from collab_graph import pipeline

    return {
        "bundled": pipeline.graph(pipeline.Corpus(), cache=None),
        "synthetic": pipeline.graph(
            pipeline.Corpus(sorted(synthetic_dir.glob("*.txt"))), cache=None
        ),
    }


@pytest.fixture
def graphs(built_graphs: dict[str, nx.MultiDiGraph]) -> dict[str, nx.MultiDiGraph]:
    """Fresh copies per test, so no test can change another's graph."""
    return {name: G.copy() for name, G in built_graphs.items()}


def _lines(data: bytes) -> list[str]:
    return sorted(line for line in data.decode("utf-8").splitlines() if line.strip())


@pytest.mark.parametrize("which", ["bundled", "synthetic"])
def test_ntriples_equal_rdflib(graphs: dict[str, nx.MultiDiGraph], which: str) -> None:
    import rdflib
    from rdflib.compare import isomorphic

    from collab_graph.rdf import convert as rdf
    from collab_graph.rdf import fast as fastrdf

    G = graphs[which]
    ref = rdf.to_graph(G)
    fast = fastrdf.ntriples(G)
    assert _lines(fast) == _lines(ref.serialize(format="nt", encoding="utf-8"))
    assert len(_lines(fast)) == len(ref)
    assert isomorphic(rdflib.Graph().parse(data=fast, format="nt"), ref)


@pytest.mark.parametrize("which", ["bundled", "synthetic"])
def test_turtle_isomorphic_to_rdflib(graphs: dict[str, nx.MultiDiGraph], which: str) -> None:
    import rdflib
    from rdflib.compare import isomorphic

    from collab_graph.rdf import convert as rdf
    from collab_graph.rdf import fast as fastrdf

    G = graphs[which]
    parsed = rdflib.Graph().parse(data=fastrdf.turtle(G), format="turtle")
    assert isomorphic(parsed, rdf.to_graph(G))


@pytest.mark.parametrize("which", ["bundled", "synthetic"])
def test_nquads_equal_rdflib_dataset(graphs: dict[str, nx.MultiDiGraph], which: str) -> None:
    from collab_graph.rdf import convert as rdf
    from collab_graph.rdf import fast as fastrdf

    G = graphs[which]
    ref = rdf.to_rdf(G).serialize(format="nquads", encoding="utf-8")
    assert _lines(fastrdf.nquads(G)) == _lines(ref)


def test_awkward_literals_and_base(graphs: dict[str, nx.MultiDiGraph]) -> None:
    """Quotes, backslashes, line breaks, tabs and non-ASCII are escaped as rdflib does."""
    import rdflib
    from rdflib.compare import isomorphic

    from collab_graph.rdf import convert as rdf
    from collab_graph.rdf import fast as fastrdf

    G = graphs["bundled"]
    note = next(n for n, k in G.nodes(data="kind") if k == "note")
    G.nodes[note]["text"] = 'a "q" \\ b\nc\rd\te “é” 𝔘 ^^<http://www.w3.org/2001/XMLSchema#x>"'
    G.nodes[note]["confidence"] = 1e-05
    theme = next(n for n, k in G.nodes(data="kind") if k == "barrier")
    G.nodes[theme]["cues"] = "day job;day job;no time"  # a repeated value is one triple
    base = "urn:x-test:kg/"
    ref = rdf.to_graph(G, base=base)
    fast = fastrdf.ntriples(G, base=base)
    assert _lines(fast) == _lines(ref.serialize(format="nt", encoding="utf-8"))
    ttl = rdflib.Graph().parse(data=fastrdf.turtle(G, base=base), format="turtle")
    assert isomorphic(ttl, ref)


@pytest.mark.parametrize("which", ["bundled", "synthetic"])
def test_rows_are_iter_quads_in_order(graphs: dict[str, nx.MultiDiGraph], which: str) -> None:
    """The string writer mirrors rdf.iter_quads term for term, in the same order."""
    from collab_graph.rdf import convert as rdf
    from collab_graph.rdf import fast as fastrdf

    G = graphs[which]
    expected = list(dict.fromkeys(tuple(map(fastrdf._nt, q)) for q in rdf.iter_quads(G)))
    assert list(fastrdf._rows(G, DEFAULT_BASE)) == expected


def test_bad_base_is_refused(graphs: dict[str, nx.MultiDiGraph]) -> None:
    from collab_graph.errors import ExportError
    from collab_graph.rdf import fast as fastrdf

    with pytest.raises(ExportError, match="base IRI"):
        fastrdf.ntriples(graphs["bundled"], base="not an iri")


def test_oxigraph_store_answers_like_sparql_run(graphs: dict[str, nx.MultiDiGraph]) -> None:
    """Every query of docs/queries.md gives the same rows on the bulk-loaded store."""
    from collab_graph.rdf import fast as fastrdf
    from collab_graph.rdf import sparql

    G = graphs["bundled"]
    text = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    queries = re.findall(r"^```sparql[^\n]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert queries
    store = fastrdf.oxigraph_store(G)
    for q in queries:
        expected = sparql.run(G, q)
        result = store.query(sparql.prepare(q), use_default_graph_as_union=True)
        if expected.kind != "select":
            continue
        rows = [
            tuple(None if sol[c] is None else str(sol[c].value) for c in expected.columns)
            for sol in result  # type: ignore[union-attr]
        ]
        assert rows == expected.rows, q
