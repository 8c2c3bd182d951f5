"""The bundled default taxonomy as data: themes, sources, nesting and curated links."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS, SKOS

from collab_graph.coding.taxonomy import load_taxonomy
from collab_graph.errors import DataFileError
from collab_graph.graph.schema import NodeAttr, theme_node
from collab_graph.model import ThemeKind
from collab_graph.pipeline import Corpus, graph
from collab_graph.rdf.convert import DEFAULT_BASE, from_rdf, node_iri, to_graph
from collab_graph.resources import data_path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "taxonomy-sources.md"

#: The 42 theme ids of the first taxonomy: the reference coding maps onto them.
FIRST_IDS = (
    "p_exec_sponsorship p_protected_time p_secondments p_dedicated_team p_innovation_sprints "
    "p_idea_platforms p_forums_networks p_skills_talent p_shared_services p_governance_boards "
    "p_redefine_roles p_procurement_facilitator p_no_blame_culture p_empowerment "
    "p_making_the_case p_supplier_engagement p_pragmatic_scoping p_transformation "
    "p_common_purpose p_innovation_funding b_time_capacity b_funding_budgets "
    "b_risk_aversion_blame b_lack_buyin b_communication_gaps b_inflexible_process "
    "b_boundaries_silos b_competing_agendas b_hr_union_constraints b_trust b_culture_attitudes "
    "b_supplier_reluctance b_skills_gaps b_implementation_gap b_unclear_ownership "
    "n_efficiency_savings n_scale_shared_resources n_better_outcomes n_knowledge_sharing "
    "n_trust_networks n_resilience n_market_customer_community"
).split()


@pytest.fixture
def tax():
    return load_taxonomy()


def _links() -> list[dict[str, str]]:
    with data_path("addresses.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_first_theme_id_is_kept(tax) -> None:
    assert set(FIRST_IDS) <= set(tax.themes)
    assert len(tax.themes) > len(FIRST_IDS)


def test_every_theme_has_a_definition_cues_and_a_source(tax) -> None:
    for theme in tax.themes.values():
        assert theme.definition.strip(), theme.id
        assert theme.cues, theme.id
        assert theme.source, theme.id
        # "collab-graph", "collab-graph (mirrors ...)" or "Framework: category"
        for cite in theme.source:
            assert cite.startswith("collab-graph") or ":" in cite, (theme.id, cite)


def test_every_cited_framework_is_documented(tax) -> None:
    """A theme cites only frameworks that docs/taxonomy-sources.md lists with a full citation."""
    documented = DOCS.read_text(encoding="utf-8")
    frameworks = {
        re.sub(r" \(.*", "", cite.split(":")[0]).strip()
        for theme in tax.themes.values()
        for cite in theme.source
        if not cite.startswith("collab-graph")
    }
    assert frameworks
    for name in frameworks:
        assert f"`{name}`" in documented, name


def test_the_sources_document_lists_every_theme(tax) -> None:
    documented = DOCS.read_text(encoding="utf-8")
    missing = [t for t in tax.themes if f"| `{t}` " not in documented]
    assert not missing, f"add these themes to docs/taxonomy-sources.md: {missing}"


def test_broader_themes_exist_have_the_same_kind_and_do_not_loop(tax) -> None:
    nested = [t for t in tax.themes.values() if t.broader]
    assert nested
    for theme in nested:
        parent = tax.themes[theme.broader]
        assert parent.kind is theme.kind, theme.id
        seen = {theme.id}
        while parent.broader:
            assert parent.id not in seen, f"loop through {theme.id}"
            seen.add(parent.id)
            parent = tax.themes[parent.broader]
    assert tax.themes["b_information_governance"].broader == "b_admin_regulation"


def test_every_curated_link_has_a_rationale_and_joins_a_practice_to_a_barrier(tax) -> None:
    links = _links()
    assert len(links) >= 160
    pairs = [(r["practice_theme"], r["barrier_theme"]) for r in links]
    assert len(set(pairs)) == len(pairs), "a link is listed twice"
    for row in links:
        where = (row["practice_theme"], row["barrier_theme"])
        assert tax.themes[row["practice_theme"]].kind is ThemeKind.PRACTICE, where
        assert tax.themes[row["barrier_theme"]].kind is ThemeKind.BARRIER, where
        assert row["strength"] in {"strong", "moderate"}, where
        assert len(row["rationale"].split()) >= 5, where


def test_every_leaf_barrier_has_a_curated_practice(tax) -> None:
    parents = {t.broader for t in tax.themes.values() if t.broader}
    linked = {r["barrier_theme"] for r in _links()}
    leaves = {t.id for t in tax.by_kind(ThemeKind.BARRIER) if t.id not in parents}
    assert leaves <= linked, sorted(leaves - linked)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "id,kind,label,broader\nb_a,barrier,A,b_b\nb_b,barrier,B,b_a\n",
            r"themes.csv: broader themes form a loop \(b_a -> b_b -> b_a\)",
        ),
        ("id,kind,label,broader\nb_a,barrier,A,b_a\n", r"loop \(b_a -> b_a\)"),
    ],
)
def test_a_broader_loop_is_refused(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "themes.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=message):
        load_taxonomy(bad)


def test_an_analysts_broader_loop_is_broken_and_reported(tmp_path: Path) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text(
        "id,kind,label,broader\nb_admin_regulation,barrier,Admin,b_information_governance\n",
        encoding="utf-8",
    )
    tax = load_taxonomy([data_path("themes.csv"), mine])
    assert tax.themes["b_admin_regulation"].broader is None
    assert any("form a loop" in p for p in tax.problems)


def test_the_analysts_themes_need_no_source(tmp_path: Path) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text("id,kind,label,cues\nb_parking,barrier,Parking,car park\n", encoding="utf-8")
    tax = load_taxonomy([data_path("themes.csv"), mine])
    assert tax.themes["b_parking"].source == ()
    assert not tax.problems


def test_source_and_broader_survive_the_graph_and_rdf_round_trip() -> None:
    G = graph(Corpus(), cache=None)
    node = theme_node("b_information_governance")
    assert G.nodes[node][NodeAttr.SOURCE] == "Auschra 2018: administration and regulation"
    g = to_graph(G)
    base = DEFAULT_BASE
    iri = node_iri(base, node)
    assert (iri, DCTERMS.source, Literal("Auschra 2018: administration and regulation")) in g
    assert (iri, SKOS.broader, node_iri(base, theme_node("b_admin_regulation"))) in g
    trust = set(g.objects(node_iri(base, theme_node("b_trust")), DCTERMS.source))
    assert len(trust) == 3  # one literal per framework
    H = from_rdf(g)
    for t in ("b_information_governance", "b_trust", "p_secondments"):
        assert H.nodes[theme_node(t)][NodeAttr.SOURCE] == G.nodes[theme_node(t)][NodeAttr.SOURCE]
        assert H.nodes[theme_node(t)].get(NodeAttr.BROADER) == G.nodes[theme_node(t)].get(
            NodeAttr.BROADER
        )


def _bundled_barriers(G) -> list[str]:
    """Barrier themes that notes of the bundled workshop speak to."""
    found = set()
    for _u, v, data in G.edges(data=True):
        if data.get("kind") == "about" and v.startswith("theme/b_"):
            found.add(v.removeprefix("theme/"))
    return sorted(found)


def test_curated_strong_links_stay_in_the_top_five_for_each_bundled_barrier() -> None:
    from collab_graph.graph.query import practices_for

    G = graph(Corpus(), cache=None)
    barriers = _bundled_barriers(G)
    assert len(barriers) >= 15
    strong: dict[str, set[str]] = {}
    for row in _links():
        if row["strength"] == "strong":
            strong.setdefault(row["barrier_theme"], set()).add(row["practice_theme"])
    checked = 0
    for barrier in barriers:
        ranked = [p["id"] for p in practices_for(G, barrier)["practices"]]
        for practice in sorted(strong.get(barrier, ())):
            assert practice in ranked[:5], (barrier, practice, ranked[:5])
            checked += 1
    assert checked >= 20
