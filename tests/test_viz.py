"""Tests of collab_graph.views.network: offline, escaped, legible and scalable graph pages."""

from __future__ import annotations

import json
import re
import time

import networkx as nx
import pytest

from collab_graph.graph.build import build_graph
from collab_graph.graph.examples import example_graph
from collab_graph.graph.schema import note_node, theme_node
from collab_graph.model import CodedNote, Note, NoteKind, Organisation, OrgType, Theme, ThemeKind
from collab_graph.views import network as viz

MALICIOUS = "<img src=x onerror=alert(1)> see the href of P&K"

_DATA_RE = re.compile(r"nodes = new vis\.DataSet\((.*?)\);\n", re.S)


def vis_nodes(page: str) -> list[dict[str, object]]:
    """The node records the page hands to vis-network."""
    m = _DATA_RE.search(page)
    assert m is not None
    nodes: list[dict[str, object]] = json.loads(m.group(1))
    return nodes


def graph_with(text: str, n_notes: int = 1) -> nx.MultiDiGraph:
    theme = Theme("b_time", ThemeKind.BARRIER, "Time <b>& capacity</b>")
    org = Organisation("pk", "Perth & Kinross <script>", OrgType.COUNCIL)
    coded = [
        CodedNote(
            Note(f"G1-Q1-A-{i}", "w<s>", 1, 1, "A", 10 + i, text if i == 1 else f"note {i}"),
            NoteKind.BARRIER,
            themes=(theme,),
            orgs=(org,),
        )
        for i in range(1, n_notes + 1)
    ]
    return build_graph(coded, themes=[theme])


def test_page_is_offline() -> None:
    page = viz.render(example_graph()).html
    assert "cdn.jsdelivr.net" not in page
    assert "cdnjs" not in page
    assert not re.search(r"<(?:script|link)\b[^>]*(?:src|href)\s*=\s*[\"']?(?:https?:)?//", page)
    assert "vis.Network" in page
    assert "<script>" in page


def test_strip_remote_resources_refuses_unknown_remote_tags() -> None:
    with pytest.raises(ValueError, match="remote resource"):
        viz.strip_remote_resources('<img src="https://tracker.example/x.gif">')


def test_malicious_note_never_reaches_the_markup() -> None:
    G = graph_with(MALICIOUS)
    page = viz.render(G, title="Workshop <script>alert(2)</script>").html
    assert "<img" not in page
    assert "<script>alert" not in page
    assert "onerror=alert(1)" not in page.replace("\\u003c", "<").split("<script>")[0]
    node = next(n for n in vis_nodes(page) if n["id"] == note_node("w<s>", "G1-Q1-A-1"))
    # the tooltip is escaped once, so the HTML popup shows the exact text
    assert "&lt;img src=x onerror=alert(1)&gt; see the href of P&amp;K" in str(node["title"])
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page  # the title overlay


def test_href_in_a_note_keeps_one_tooltip_mode() -> None:
    """pyvis switches to innerHTML popups when a title contains "href"; ours always do."""
    for text in ("plain text", "a note with href in it"):
        page = viz.render(graph_with(text)).html
        assert "popup.innerHTML = nodeData[0].title" in page


def test_labels_are_exact_text_on_the_canvas() -> None:
    G = graph_with("x")
    nodes = {n["id"]: n for n in vis_nodes(viz.render(G).html)}
    # labels are wrapped onto short lines ("\n"); the words are the exact text
    assert " ".join(nodes[theme_node("b_time")]["label"].split()) == "Time <b>& capacity</b>"  # type: ignore[attr-defined]
    assert " ".join(nodes["org/pk"]["label"].split()) == "Perth & Kinross <script>"  # type: ignore[attr-defined]
    assert nodes["org/pk"]["font"]["multi"] is False  # type: ignore[index]


def test_tooltip_has_exact_text_and_provenance() -> None:
    G = example_graph()
    tip = viz.node_tooltip(G, "workshop/alpha/note/G1-Q1-A-3")
    assert "“Shared services with NHS”" in tip
    assert "Workshop: alpha · Group 1 · Question 1 · Prompt A · line 7" in tip
    assert "Organisations: NHS" in tip


@pytest.mark.parametrize("kind", sorted(viz.KIND_STYLES))
def test_every_kind_has_a_distinct_style(kind: str) -> None:
    style = viz.KIND_STYLES[kind]
    others = [s for k, s in viz.KIND_STYLES.items() if k != kind]
    assert all((style.colour, style.shape) != (o.colour, o.shape) for o in others)


def test_colour_shape_and_legend() -> None:
    G = example_graph()
    page = viz.render(G).html
    nodes = {n["id"]: n for n in vis_nodes(page)}
    assert nodes[theme_node("p_protected_time")]["shape"] == "diamond"
    assert nodes[theme_node("b_time_capacity")]["shape"] == "triangle"
    assert nodes["workshop/alpha/note/G1-Q1-A-2"]["color"] == viz.NOTE_COLOURS["barrier"]
    legend = page[page.index('<div id="cg-legend">') :]
    for name in ("Practices", "Barriers", "Organisations", "Barrier notes"):
        assert name in legend[: legend.index("</div>")]
    assert "Tools" not in legend[: legend.index("</div>")]  # no tool in this graph


def test_render_counts_and_meta() -> None:
    G = example_graph()
    view = viz.render(G)
    assert view.nodes == G.number_of_nodes() == len(vis_nodes(view.html))
    assert f'<meta name="collab-graph-nodes" content="{view.nodes}">' in view.html


def test_physics_off_by_default_so_the_label_spacing_holds() -> None:
    # vis physics would move the nodes that layout() spaced by their labels
    for G in (graph_with("x", n_notes=viz.PHYSICS_THRESHOLD + 10), example_graph()):
        view = viz.render(G)
        assert not view.physics
        assert '"physics": {"enabled": false}' in view.html
    assert viz.render(example_graph(), physics=True).physics


def test_positions_are_reused_so_filters_do_not_move_nodes() -> None:
    G = example_graph()
    pos = viz.layout(G)
    H = viz.filter_graph(G, kinds={"note", "barrier"})
    nodes = {n["id"]: n for n in vis_nodes(viz.render(H, positions=pos).html)}
    b = theme_node("b_time_capacity")
    x, y = pos[b]
    assert (nodes[b]["x"], nodes[b]["y"]) == (round(x, 1), round(y, 1))


def test_layout_clusters_notes_around_their_primary_theme() -> None:
    G = graph_with("x", n_notes=60)
    pos = viz.layout(G)
    tx, ty = pos[theme_node("b_time")]
    ox, oy = pos["org/pk"]
    note = pos[note_node("w<s>", "G1-Q1-A-30")]
    d_theme = ((note[0] - tx) ** 2 + (note[1] - ty) ** 2) ** 0.5
    d_org = ((note[0] - ox) ** 2 + (note[1] - oy) ** 2) ** 0.5
    assert d_theme < d_org


def test_filters() -> None:
    G = example_graph()
    only_g2 = viz.filter_graph(G, groups={"workshop/alpha/G2"}, kinds={"note", "group"})
    assert {only_g2.nodes[n]["note_id"] for n in only_g2 if only_g2.nodes[n]["kind"] == "note"} == {
        "G2-Q1-A-1",
        "G2-Q1-A-2",
        "G2-Q1-A-3",
        "G2-Q1-B-1",
    }
    nhs = viz.filter_graph(G, orgs={"org/nhs"}, kinds={"note", "organisation"})
    assert sorted(n for n in nhs if nhs.nodes[n]["kind"] == "organisation") == ["org/nhs"]
    assert len([n for n in nhs if nhs.nodes[n]["kind"] == "note"]) == 2
    assert viz.filter_graph(G, questions={2}, kinds={"note"}).number_of_nodes() == 0
    dense = viz.filter_graph(G, min_degree=3)
    assert all(d >= 3 for _, d in dense.degree()) or dense.number_of_nodes() == 0
    assert G.number_of_nodes() == example_graph().number_of_nodes()  # input untouched


def test_search_and_neighbourhood() -> None:
    G = example_graph()
    hits = viz.search_nodes(G, "procurement")
    assert hits[0] == "org/procurement"
    H = viz.neighbourhood(G, hits[0])
    assert {H.nodes[n]["kind"] for n in H} == {"organisation", "note"}
    with pytest.raises(KeyError):
        viz.neighbourhood(G, "nope")


def test_overview_and_drilldown() -> None:
    G = example_graph()
    ov = viz.overview_graph(G)
    assert {d["kind"] for _, d in ov.nodes(data=True)} <= {
        "practice",
        "barrier",
        "benefit",
        "organisation",
    }
    assert "theme/b_trust" in ov  # a barrier nobody raised still shows (a gap)
    H, left = viz.drilldown(G, "org/nhs", max_notes=1)
    assert left == 1
    assert sum(1 for _, k in H.nodes(data="kind") if k == "note") == 1


def _synthetic(n_notes: int) -> nx.MultiDiGraph:
    themes = [
        Theme(f"{k[0]}_{i}", k, f"{k.value} theme {i}")
        for k in (ThemeKind.PRACTICE, ThemeKind.BARRIER, ThemeKind.BENEFIT)
        for i in range(20)
    ]
    orgs = [Organisation(f"o{i}", f"Org {i}", OrgType.COUNCIL) for i in range(60)]
    coded = []
    for i in range(n_notes):
        ws = f"ws{i // 2000}"
        group = (i // 40) % 50 + 1
        note = Note(f"G{group}-Q1-A-{i}", ws, group, 1, "A", i + 1, f"note {i}")
        coded.append(
            CodedNote(
                note,
                NoteKind.PRACTICE if i % 2 else NoteKind.BARRIER,
                themes=(themes[i % 40], themes[(i * 7) % 60]),
                orgs=(orgs[i % 60],) if i % 3 == 0 else (),
            )
        )
    return build_graph(coded, themes=themes)


def test_overview_of_a_large_graph_is_small_and_fast() -> None:
    G = _synthetic(20_000)
    start = time.perf_counter()
    view = viz.render(viz.overview_graph(G), physics=False)
    elapsed = time.perf_counter() - start
    assert view.nodes <= 60 + 40
    assert len(view.html.encode()) < 5_000_000
    assert elapsed < 5.0, f"overview of 20k notes took {elapsed:.1f} s"


def test_layout_of_many_notes_is_linear_enough() -> None:
    G = _synthetic(5_000)
    start = time.perf_counter()
    pos = viz.layout(G)
    assert len(pos) == G.number_of_nodes()
    assert time.perf_counter() - start < 10.0


def test_group_filter_keeps_only_the_themes_and_organisations_its_notes_touch() -> None:
    G = example_graph()
    H = viz.filter_graph(G, groups={"workshop/alpha/G2"})
    notes = [n for n in H if H.nodes[n]["kind"] == "note"]
    touched = {v for n in notes for v in H.successors(n)}
    hubs = {
        n for n in H if H.nodes[n]["kind"] in ("practice", "barrier", "benefit", "organisation")
    }
    assert hubs
    assert hubs <= touched
    # before, every theme and organisation of the graph stayed on show
    all_hubs = {n for n in G if G.nodes[n]["kind"] in ("practice", "barrier", "organisation")}
    assert not all_hubs <= set(H)


def test_themes_without_notes_are_hidden_unless_asked_for() -> None:
    G = example_graph()
    G.add_node(theme_node("b_unused"), kind="barrier", label="Nobody said this", id="b_unused")
    assert theme_node("b_unused") not in viz.filter_graph(G)
    assert theme_node("b_unused") not in viz.filter_graph(G, kinds={"barrier"})
    assert theme_node("b_unused") in viz.filter_graph(G, include_empty=True)
    # a theme with notes, but none of the chosen group's, is not "empty"
    H = viz.filter_graph(G, groups={"workshop/alpha/G2"}, include_empty=True)
    assert theme_node("b_funding_budgets") not in H


def _label_boxes(page: str) -> list[tuple[str, float, float, float, float]]:
    """Label boxes as vis-network places them: under the node, inside a box shape."""
    out = []
    for n in vis_nodes(page):
        label = str(n["label"])
        if not label:
            continue
        font = n["font"]["size"]  # type: ignore[index]
        w, h = viz.label_box(label, float(font))
        x, y, size = float(n["x"]), float(n["y"]), float(n["size"])  # type: ignore[arg-type]
        top = y - h / 2 if n["shape"] in ("box", "database") else y + size
        out.append((label, x - w / 2, top, x + w / 2, top + h))
    return out


@pytest.mark.parametrize("n_notes", [4, 60, 200])
def test_layout_leaves_no_two_labels_overlapping(n_notes: int) -> None:
    G = nx.compose(graph_with("x", n_notes=n_notes), example_graph())
    boxes = _label_boxes(viz.render(G).html)
    assert len(boxes) > 5
    clashes = [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]
    assert clashes == []


def test_labels_are_wrapped_and_hidden_below_eleven_pixels() -> None:
    page = viz.render(example_graph()).html
    assert '"drawThreshold": 12' in page  # drawn only at 11 px and up on screen
    labels = [str(n["label"]) for n in vis_nodes(page)]
    assert all(len(line) <= 24 for label in labels for line in label.split("\n"))


def test_legend_explains_tools_apart_from_organisations() -> None:
    G = example_graph()
    G.add_node("tool/trello", kind="tool", label="Trello", id="trello")
    G.add_edge("workshop/alpha/note/G1-Q1-A-2", "tool/trello", key="mentions", kind="mentions")
    legend = viz.render(G).html.split('<div id="cg-legend">', 1)[1].split("</div>", 1)[0]
    assert "Tools (1)" in legend
    assert "software and products" in legend
    assert "Organisations" in legend
    assert "note mentions an organisation or tool" in legend
