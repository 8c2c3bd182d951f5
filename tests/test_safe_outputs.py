"""Safe outputs: XML exports are always well-formed; CSV outputs never run as formulas.

* XML 1.0 forbids most C0 control characters, U+FFFE, U+FFFF and lone
  surrogates. The XML exports (RDF/XML, GraphML, GEXF) replace them with
  U+FFFD, say how many in which notes on stderr, and parse their own bytes
  before writing them (issue 13, defect 4).
* Every CSV the tool writes (``parse``, ``classify``, ``export -f csv``,
  ``sparql -f csv``, the app's downloads) prefixes ``'`` to cells starting with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP), unless
  ``--no-csv-safe``; the tool's own CSV readers undo it (issue 13, defect 5).
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from collab_graph import cli
from collab_graph.csvfiles import csv_safe, csv_unsafe, read_csv
from collab_graph.graph.examples import example_graph
from collab_graph.graph.schema import KnowledgeGraph, NodeAttr
from collab_graph.model import NodeKind
from collab_graph.views import app_support as sup
from collab_graph.views.export import export

runner = CliRunner()

XML_FORMATS = ["xml", "graphml", "gexf"]
FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3 is not a list", "@SUM(A1:A2)"]
NOTES = (
    "Formula workshop\nGroup 1\nQuestion 1\nA)\n"
    + "".join(f"- {f}\n" for f in FORMULAS)
    + "- Protected time for projects\n"
    + "- a\x0cb after a page break\n"
    + "- NUL\x01 and \x1f in one note\n"
)
"""A workshop whose notes start with formula prefixes or hold control characters."""

# The test's own oracle of XML 1.0's Char production (inverted), and what replaces it.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def xml_safe(text: str) -> str:
    return FORBIDDEN.sub(REPLACEMENT, text)


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "formulas.txt"
    path.write_text(NOTES, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- XML


def _parse_xml(fmt: str, data: bytes) -> Callable[[], object]:
    """A parser of the format's own reader for ``data`` (rdflib for RDF/XML, networkx else)."""
    readers: dict[str, Callable[[], object]] = {
        "xml": lambda: rdflib.Graph().parse(data=data, format="xml"),
        "graphml": lambda: nx.read_graphml(io.BytesIO(data)),
        "gexf": lambda: nx.read_gexf(io.BytesIO(data)),
    }
    return readers[fmt]


def _texts(fmt: str, data: bytes) -> set[str]:
    """Every string value the format's own reader finds in ``data``."""
    parsed = _parse_xml(fmt, data)()
    if isinstance(parsed, rdflib.Graph):
        return {str(o) for o in parsed.objects() if isinstance(o, rdflib.Literal)}
    assert isinstance(parsed, nx.Graph)
    return {v for _, d in parsed.nodes(data=True) for v in d.values() if isinstance(v, str)}


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_cli_xml_export_with_control_characters_is_well_formed_and_warns(
    fmt: str, notes: Path, tmp_path: Path
) -> None:
    out = tmp_path / f"graph.{fmt}"
    result = runner.invoke(cli.app, ["export", str(notes), "-f", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    ET.fromstring(data)
    etree.fromstring(data)
    texts = _texts(fmt, data)
    assert f"a{REPLACEMENT}b after a page break" in texts
    assert f"NUL{REPLACEMENT} and {REPLACEMENT} in one note" in texts
    assert (
        f"{fmt} export: replaced 3 characters that XML 1.0 forbids (U+0001, U+000C, U+001F) "
        "with U+FFFD in 2 notes" in result.stderr
    )


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_cli_xml_export_to_stdout_is_well_formed(fmt: str, notes: Path) -> None:
    result = runner.invoke(cli.app, ["export", str(notes), "-f", fmt])
    assert result.exit_code == 0, result.output
    etree.fromstring(result.stdout_bytes)
    assert "replaced 3 characters" in result.stderr


@pytest.mark.parametrize("fmt", ["turtle", "nt", "json-ld", "csv"])
def test_other_formats_keep_control_characters_and_do_not_warn(fmt: str, notes: Path) -> None:
    result = runner.invoke(cli.app, ["export", str(notes), "-f", fmt])
    assert result.exit_code == 0, result.output
    assert "XML 1.0" not in result.stderr


def test_a_clean_graph_is_written_unchanged() -> None:
    from collab_graph.views.xmlsafe import xml_safe_graph

    G = example_graph()
    H, report = xml_safe_graph(G)
    assert H is G
    assert not report


def test_an_ill_formed_writer_is_an_error_not_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from collab_graph.errors import ExportError
    from collab_graph.views import export as exp

    broken = exp.ExportFormat("gexf", ".gexf", "x", False, lambda G, o: b"<a>\x0c</a>", xml=True)
    monkeypatch.setitem(exp.FORMATS, "gexf", broken)  # type: ignore[arg-type]
    target = tmp_path / "out.gexf"
    with pytest.raises(ExportError, match=r"gexf export is not well-formed XML \(line 1"):
        exp.write(example_graph(), "gexf", target)
    assert not target.exists()


_BASE = example_graph()
_NOTE_NODES = [n for n, d in _BASE.nodes(data=True) if d[NodeAttr.KIND] == NodeKind.NOTE][:3]

# Any code point: C0 controls, U+FFFE/U+FFFF, lone surrogates, emoji, the rest.
_HOSTILE = st.sampled_from(
    [chr(c) for c in range(0x20)] + ["\ufffe", "\uffff", "\ud800", "\udfff", "\U0001f600", "\x85"]
)
_TEXT = st.lists(st.one_of(_HOSTILE, st.characters()), min_size=1, max_size=40).map("".join)


def _fuzzed(texts: list[str]) -> KnowledgeGraph:
    G = _BASE.copy()
    for node, text in zip(_NOTE_NODES, texts, strict=False):
        G.nodes[node][NodeAttr.TEXT] = text
        G.nodes[node][NodeAttr.LABEL] = text
    G.graph["name"] = texts[0]
    return G


@pytest.mark.parametrize("fmt", XML_FORMATS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(_TEXT, min_size=1, max_size=3))
def test_fuzzed_note_text_gives_xml_that_every_reader_parses(fmt: str, texts: list[str]) -> None:
    warnings: list[str] = []
    data = export(_fuzzed(texts), fmt, on_warning=warnings.append)
    ET.fromstring(data)
    etree.fromstring(data)
    found = _texts(fmt, data)
    for text in texts:
        assert xml_safe(text) in found
    replaced = sum(len(FORBIDDEN.findall(t)) for t in texts)
    assert bool(warnings) == (replaced > 0)


@given(text=_TEXT)
def test_xml_safe_text_leaves_only_what_xml_allows(text: str) -> None:
    from collab_graph.views.xmlsafe import xml_safe_text

    clean, n = xml_safe_text(text)
    assert len(clean) == len(text)
    assert n == sum(1 for a, b in zip(text, clean, strict=True) if a != b)
    assert not FORBIDDEN.search(clean)


# --------------------------------------------------------------------------- CSV

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _unsafe_cells(text: str) -> list[str]:
    """Cells that a spreadsheet would run as a formula."""
    return [
        cell
        for row in csv.reader(io.StringIO(text, newline=""))
        for cell in row
        if _is_formula(cell)
    ]


def _is_formula(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.fullmatch(cell)


CSV_COMMANDS = {
    "parse": ["parse", "{notes}", "-f", "csv"],
    "parse --lines": ["parse", "{notes}", "-f", "csv", "--lines"],
    "classify": ["classify", "{notes}", "-f", "csv", "--no-reviews"],
    "export": ["export", "{notes}", "-f", "csv"],
    "sparql": ["sparql", "SELECT ?t WHERE { ?n schema:text ?t }", "{notes}", "-f", "csv"],
}
"""Every command that writes CSV, with its arguments."""


def _cells_of(command: str) -> set[str]:
    """The cells holding the formula notes, as written raw (``parse --lines``: whole lines)."""
    return {f"- {f}" if command == "parse --lines" else f for f in FORMULAS}


def _run(args: list[str], notes: Path, *extra: str) -> str:
    result = runner.invoke(cli.app, [a.replace("{notes}", str(notes)) for a in args] + list(extra))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("command", list(CSV_COMMANDS))
def test_csv_output_neutralises_formula_prefixes(command: str, notes: Path) -> None:
    out = _run(CSV_COMMANDS[command], notes)
    assert _unsafe_cells(out) == []
    cells = {c for row in csv.reader(io.StringIO(out)) for c in row}
    assert cells >= {f"'{c}" for c in _cells_of(command)}


@pytest.mark.parametrize("command", list(CSV_COMMANDS))
def test_no_csv_safe_writes_cells_raw(command: str, notes: Path) -> None:
    out = _run(CSV_COMMANDS[command], notes, "--no-csv-safe")
    cells = {c for row in csv.reader(io.StringIO(out)) for c in row}
    assert cells >= _cells_of(command)
    assert not {f"'{c}" for c in _cells_of(command)} & cells


def test_parse_csv_reads_back_as_the_same_notes(notes: Path, tmp_path: Path) -> None:
    from collab_graph.ingest import parse_file

    written = tmp_path / "notes.csv"
    written.write_text(_run(CSV_COMMANDS["parse"], notes), encoding="utf-8")
    assert "'=1+1" in written.read_text(encoding="utf-8")
    original = [n.text for n in parse_file(notes).notes]
    assert [n.text for n in parse_file(written).notes] == original
    assert set(FORMULAS) <= set(original)


def test_classify_csv_reads_back_in_eval_and_train(notes: Path, tmp_path: Path) -> None:
    """``classify -f csv`` is a reference coding (``eval``) and labelled notes (``train``)."""
    from collab_graph.coding.train import LabelledSet, examples_of
    from collab_graph.review.evaluate import load_reference

    coding = tmp_path / "coding.csv"
    coding.write_text(_run(CSV_COMMANDS["classify"], notes), encoding="utf-8")
    assert "'@SUM(A1:A2)" in coding.read_text(encoding="utf-8")
    assert set(FORMULAS) <= {r.text for r in load_reference(coding)}
    _, labels = examples_of(LabelledSet(coding, notes))
    assert set(FORMULAS) <= {r["text"] for r in labels}
    result = runner.invoke(cli.app, ["eval", str(coding), str(notes), "--no-reviews"])
    assert result.exit_code == 0, result.output
    assert "Kind accuracy (exact kind):    1.000" in result.stdout


QUOTED = st.text(alphabet=st.sampled_from("'=+-@\t\rab1. "), max_size=8)


@given(value=st.one_of(QUOTED, st.text()))
def test_csv_safe_round_trips_and_is_never_a_formula(value: str) -> None:
    safe = csv_safe(value)
    assert csv_unsafe(safe) == value
    assert not _is_formula(safe)


@pytest.mark.parametrize("value", ["''=1", "'''@x", "'-", "'"])
def test_quotes_before_a_formula_survive_a_round_trip(value: str) -> None:
    assert csv_unsafe(csv_safe(value)) == value


def test_a_review_reason_with_quotes_and_a_formula_survives_the_workspace(tmp_path: Path) -> None:
    from collab_graph.workspace import Workspace

    ws = Workspace(tmp_path / "ws")
    reason = "''=1+1 said the analyst"
    result = runner.invoke(
        cli.app,
        [
            "review",
            "G3-Q1-D-6",
            "--kind",
            "barrier",
            "--reason",
            reason,
            "--workspace",
            str(ws.root),
        ],
    )
    assert result.exit_code == 0, result.output
    assert [r["reason"] for r in read_csv(ws.reviews)] == [reason]


# --------------------------------------------------------------------------- the app


def test_the_app_turns_off_the_tables_raw_csv_download() -> None:
    cmd = sup.streamlit_command(Path("app.py"), port=8600)
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert flags["--client.disableDataExport"] == "true"
    config = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"
    assert "disableDataExport = true" in config.read_text(encoding="utf-8")


@pytest.fixture
def app_on_notes(notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app on the formula workshop, with a workspace of its own."""
    from collab_graph.workspace import WORKSPACE_ENV

    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "workspace"))
    monkeypatch.setenv(sup.PATHS_ENV, json.dumps([str(notes)]))
    return notes


def _export_page() -> AppTest:
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=120)
    at.session_state["start_page"] = "export"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_app_export_page_warns_about_replaced_characters(app_on_notes: Path) -> None:
    at = _export_page()
    warnings = [w.value for w in at.warning]
    assert any(
        "xml, graphml and gexf downloads: replaced 3 characters that XML 1.0 forbids" in w
        and "in 2 notes" in w
        for w in warnings
    ), warnings


def test_the_app_sparql_csv_download_is_formula_safe(
    app_on_notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, bytes] = {}
    load = MemoryMediaFileStorage.load_and_get_id

    def keep(self: MemoryMediaFileStorage, data: str | bytes, *args: Any, **kw: Any) -> str:
        name = kw.get("filename") or (args[2] if len(args) > 2 else "")
        if isinstance(data, bytes) and name:
            files[str(name)] = data
        return load(self, data, *args, **kw)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    at = _export_page()
    query = "SELECT ?t WHERE { ?n schema:text ?t } ORDER BY ?t"
    at.text_area(key="sparql_notes-by-kind").set_value(query).run()
    at.button(key="sparql_run").click().run()
    assert not at.error, [e.value for e in at.error]
    data = files["collab-graph-query.csv"].decode("utf-8")
    assert _unsafe_cells(data) == []
    cells = {c for row in csv.reader(io.StringIO(data, newline="")) for c in row}
    assert cells >= {f"'{f}" for f in FORMULAS}


def test_a_carriage_return_inside_a_cell_cannot_start_a_new_row() -> None:
    """csv's writer leaves ``\\r`` unquoted with ``\\n`` line ends; a spreadsheet would then
    start a new row at it, with ``=1+1`` as an unneutralised first cell."""
    G = example_graph()
    G.nodes[_NOTE_NODES[0]][NodeAttr.TEXT] = "first line\r=1+1"
    rows = list(csv.reader(io.StringIO(export(G, "csv").decode("utf-8"), newline="")))
    assert len(rows) == 1 + G.number_of_nodes() + G.number_of_edges()
    assert "first line\r=1+1" in {c for row in rows for c in row}


def test_node_ids_that_would_merge_are_an_error_not_a_smaller_graph() -> None:
    from collab_graph.errors import ExportError

    G = example_graph()
    G.add_node("x\x01", kind="note", text="one")
    G.add_node("x\x02", kind="note", text="two")
    with pytest.raises(ExportError, match=r"differ only in characters that XML 1\.0 forbids"):
        export(G, "graphml")
