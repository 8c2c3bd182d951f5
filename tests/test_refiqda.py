"""REFI-QDA exchange: .qdc/.qdpx exports (XSD-valid, read back by pyrefiqda), themes import."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pyrefiqda import RefiProject
from typer.testing import CliRunner

from collab_graph import pipeline
from collab_graph.cli import app
from collab_graph.ingest import parse_text
from collab_graph.ingest.lines import bullet_text
from collab_graph.ingest.source import note_spans, source_text
from collab_graph.model import CodedNote, NoteKind
from collab_graph.review.curation import taxonomy
from collab_graph.views import refiqda
from collab_graph.workspace import Workspace

XSD = Path(__file__).parent / "data" / "refi-qda"
CODEBOOK_XSD = etree.XMLSchema(etree.parse(str(XSD / "Codebook.xsd")))
PROJECT_XSD = etree.XMLSchema(etree.parse(str(XSD / "Project-mrt2019.xsd")))
runner = CliRunner()


def _valid(schema: etree.XMLSchema, data: bytes) -> None:
    ok = schema.validate(etree.fromstring(data))
    assert ok, [str(e) for e in schema.error_log][:3]


def _export(tmp_path: Path, fmt: str, *args: str) -> Path:
    out = tmp_path / f"out.{fmt}"
    res = runner.invoke(app, ["export", *args, "--format", fmt, "-o", str(out)])
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The bundled workshop's .qdc and .qdpx, written by the CLI (files only read after)."""
    tmp = tmp_path_factory.mktemp("bundled")
    return _export(tmp, "qdc"), _export(tmp, "qdpx")


def _joined(selected: str) -> str:
    """A selection as the parser reads it: wrapped lines joined (list marks dropped), one space."""
    lines = selected.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    parts = [lines[0], *(bullet_text(x) for x in lines[1:])]
    return " ".join(" ".join(parts).split())


def _selections(qdpx: Path, tmp: Path) -> list[tuple[str, str, list[str], str]]:
    """(note id, selected text, code GUIDs, coder GUID) of every selection, read by pyrefiqda."""
    project = RefiProject.load(str(qdpx), extract_dir=str(tmp))
    out = []
    for src in project.sources.text_source:
        text = RefiProject.resolve_source_path(src.plain_text_path, str(tmp)).read_text("utf-8")
        for sel in src.plain_text_selection:
            codes = [c.code_ref.target_guid for c in sel.coding]
            out.append(
                (sel.name, text[sel.start_position : sel.end_position], codes, sel.creating_user)
            )
    return out


def test_bundled_exports_are_valid_against_the_xsds(bundled: tuple[Path, Path]) -> None:
    qdc, qdpx = bundled
    _valid(CODEBOOK_XSD, qdc.read_bytes())
    with zipfile.ZipFile(qdpx) as z:
        names = z.namelist()
        _valid(PROJECT_XSD, z.read("project.qde"))
    assert names[0] == "project.qde"
    assert len(names) == 2
    assert names[1].startswith("sources/")
    assert names[1].endswith(".txt")


def test_pyrefiqda_finds_every_note_coded(bundled: tuple[Path, Path], tmp_path: Path) -> None:
    _, qdpx = bundled
    coded = {c.note.id: c for c in pipeline.review(pipeline.Corpus(), pipeline.code(
        pipeline.Corpus(), cache=None)).coded}  # fmt: skip
    sels = _selections(qdpx, tmp_path)
    assert len(sels) == 239 == len(coded)
    project = RefiProject.load(str(qdpx), extract_dir=str(tmp_path / "again"))
    users = {u.guid: u.name for u in project.users.user}
    for note_id, selected, codes, coder in sels:
        c = coded[note_id]
        assert selected == c.note.text  # the bundled workshop has no wrapped note
        assert codes[0] == refiqda.kind_guid(c.kind)
        assert codes[1:] == [refiqda.theme_guid(t) for t in c.themes]
        want = c.extra["review"]["reviewer"] if c.reviewed else refiqda.CLASSIFIER
        assert users[coder] == want
    assert sum(users[s[3]] != refiqda.CLASSIFIER for s in sels) == sum(
        c.reviewed for c in coded.values()
    )

    # every code a selection refers to is in the project's codebook
    def walk(codes: list) -> set[str]:  # type: ignore[type-arg]
        return {g for c in codes for g in (c.guid, *walk(c.code))}

    in_book = walk(project.code_book.codes.code)
    assert {g for s in sels for g in s[2]} <= in_book


def test_wrapped_notes_and_emoji_positions(tmp_path: Path) -> None:
    notes = tmp_path / "emoji.md"
    text = (
        "# Café 🎉 workshop\n\n## Group 1\n\n"
        "- Party 🎉🎉 first, then day job –\n  no time at all\n"
        "- Funding cuts 👎 hurt\n"
        "  - nested one 🙂\n"
    )
    notes.write_text(text, encoding="utf-8", newline="")
    out = _export(tmp_path, "qdpx", str(notes))
    _valid(PROJECT_XSD, zipfile.ZipFile(out).read("project.qde"))
    result = parse_text(text, source=str(notes))
    by_id = {n.id: n for n in result.notes}
    sels = _selections(out, tmp_path / "x")
    assert len(sels) == len(by_id) == 3
    for note_id, selected, _codes, _coder in sels:
        assert _joined(selected) == by_id[note_id].text
    wrapped = next(s for s in sels if "\n" in s[1])
    assert wrapped[1] == "Party 🎉🎉 first, then day job –\n  no time at all"
    # after the emoji, code points and UTF-16 units differ: the offsets are code points
    later = next(s for s in sels if s[1].startswith("Funding"))
    start = text.index("Funding")
    assert len(text[:start].encode("utf-16-le")) // 2 > start
    qde = etree.fromstring(zipfile.ZipFile(out).read("project.qde"))
    pos = {
        e.get("name"): int(e.get("startPosition"))
        for e in qde.iter("{urn:QDA-XML:project:1.0}PlainTextSelection")
    }
    assert pos[next(s[0] for s in sels if s is later)] == start


def test_docx_source_is_its_extracted_text(tmp_path: Path) -> None:
    path = Path(__file__).parent / "data" / "layout_word.docx"
    out = _export(tmp_path, "qdpx", str(path))
    _valid(PROJECT_XSD, zipfile.ZipFile(out).read("project.qde"))
    (result,) = pipeline.parsed(pipeline.Corpus([path]), cache=None)
    by_id = {n.id: n for n in result.notes}
    sels = _selections(out, tmp_path / "x")
    assert sels
    assert len(sels) == len(by_id)
    assert all(_joined(s) == by_id[n].text for n, s, _, _ in sels)


def _codes(root: etree._Element) -> list[tuple[str, str, str, str]]:
    """(parent name, guid, name, description) of every code, depth first."""
    ns = "{urn:QDA-XML:codebook:1.0}"
    out = []
    for el in root.iter(f"{ns}Code"):
        parent = el.getparent()
        desc = el.find(f"{ns}Description")
        out.append(
            (
                parent.get("name", "") if parent is not None else "",
                el.get("guid"),
                el.get("name"),
                "" if desc is None else desc.text,
            )
        )
    return out


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti 23">
  <Codes>
    <Code guid="{{6E3A3B4C-1D2E-4F50-8A6B-7C8D9E0F1A2B}}" name="barriers" isCodable="false">
      <Code guid="0b1c2d3e-4f50-4a6b-8c7d-8e9f0a1b2c3d" name="Rota clashes" isCodable="true">
        <Description>Shift patterns that never line up.</Description>
        <Code guid="1C2D3E4F-5061-4B7C-9D8E-9FA0B1C2D3E4" name="Night shifts" isCodable="true"/>
      </Code>
    </Code>
    <Code guid="2D3E4F50-6172-4C8D-AE9F-A0B1C2D3E4F5" name="Practices" isCodable="true">
      <Code guid="3E4F5061-7283-4D9E-BFA0-B1C2D3E4F5A6" name="Buddy system {emoji}"
            isCodable="true"/>
    </Code>
    <Code guid="4F506172-8394-4EAF-80B1-C2D3E4F5A6B7" name="Loose code" isCodable="true"/>
  </Codes>
</CodeBook>
"""


def _import(ws: Path, path: Path, *args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, ["themes", "import", str(path), "--workspace", str(ws), *args])
    return res.exit_code, res.stdout, res.stderr


def test_qdc_round_trip_keeps_codes_and_guids(tmp_path: Path) -> None:
    src = tmp_path / "atlas.qdc"
    src.write_text(FOREIGN.format(emoji="🙂"), encoding="utf-8")
    ws = tmp_path / "ws"
    code, out, err = _import(ws, src)
    assert code == 0, err
    assert "Loose code" in err
    assert "--kind" in err
    assert out.splitlines() == [
        "added barrier theme b_rota_clashes: Rota clashes",
        "added barrier theme b_night_shifts: Night shifts",
        "added practice theme p_buddy_system: Buddy system 🙂",
    ]
    first = _export(tmp_path, "qdc", "--workspace", str(ws)).read_bytes()
    _valid(CODEBOOK_XSD, first)
    codes = _codes(etree.fromstring(first))
    assert ("Barriers", "0B1C2D3E-4F50-4A6B-8C7D-8E9F0A1B2C3D", "Rota clashes",
            "Shift patterns that never line up.") in codes  # fmt: skip
    assert ("Rota clashes", "1C2D3E4F-5061-4B7C-9D8E-9FA0B1C2D3E4", "Night shifts", "") in codes
    assert ("Practices", "3E4F5061-7283-4D9E-BFA0-B1C2D3E4F5A6", "Buddy system 🙂", "") in codes
    # our own codebook into an empty workspace, and out again: the same codes and GUIDs
    ws2 = tmp_path / "ws2"
    mine = tmp_path / "mine.qdc"
    mine.write_bytes(first)
    code, out, err = _import(ws2, mine)
    assert code == 0, err
    second = _export(tmp_path / "2", "qdc", "--workspace", str(ws2)).read_bytes()
    assert _codes(etree.fromstring(second)) == codes
    assert second == first
    # importing the same codebook twice adds nothing
    before = (ws / "themes.csv").read_bytes()
    code, out, err = _import(ws, src)
    assert code == 0
    assert out == ""
    assert "imported 0 new theme(s)" in err
    assert len(taxonomy(Workspace(ws)).themes) == len(taxonomy(Workspace(ws2)).themes)
    assert (ws / "themes.csv").read_bytes().count(b"b_rota_clashes") == before.count(
        b"b_rota_clashes"
    )


def test_kind_option_on_a_flat_codebook(tmp_path: Path) -> None:
    flat = tmp_path / "flat.qdc"
    flat.write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="5A6B7C8D-9EAF-4B0C-9D1E-2F3A4B5C6D7E" name="Trust" isCodable="true"/>'
        '<Code guid="6B7C8D9E-AFB0-4C1D-8E2F-3A4B5C6D7E8F" name="Reach" isCodable="true"/>'
        "</Codes></CodeBook>",
        encoding="utf-8",
    )
    ws = tmp_path / "ws"
    code, _out, err = _import(ws, flat)
    assert code == 2
    assert str(flat) in err
    assert "--kind" in err
    assert "Traceback" not in err
    code, _out, err = _import(ws, flat, "--kind", "benefit")
    assert code == 0, err
    tax = taxonomy(Workspace(ws))
    assert {t.kind.value for t in tax.themes.values() if t.label in {"Trust", "Reach"}} == {
        "benefit"
    }
    assert sorted(t.label for t in tax.themes.values() if t.label in {"Trust", "Reach"}) == [
        "Reach",
        "Trust",
    ]


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'>\n<Codes>\n<Code", "line 3"),
        ("<CodeBook><Codes/></CodeBook>", "no namespace"),
        ("<Project xmlns='urn:QDA-XML:project:1.0' name='p'/>", "project, not a codebook"),
        ("<RDF xmlns='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", "expected <CodeBook>"),
        ("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'>\n<Codes>\n<Code name='x'/>"
         "</Codes></CodeBook>", "line 3: a <Code> has no guid"),
        ("", "line 1"),
    ],
)  # fmt: skip
def test_a_broken_codebook_is_one_line_exit_2(tmp_path: Path, content: str, expect: str) -> None:
    bad = tmp_path / "bad.qdc"
    bad.write_text(content, encoding="utf-8")
    code, out, err = _import(tmp_path / "ws", bad)
    assert code == 2
    assert err.count("\n") == 1, err
    assert str(bad) in err
    assert expect in err
    assert "Traceback" not in err
    assert out == ""
    assert not (tmp_path / "ws" / "themes.csv").exists()


def test_unknown_kind_and_stdout_project_are_refused(tmp_path: Path) -> None:
    qdc = tmp_path / "x.qdc"
    qdc.write_text(FOREIGN.format(emoji=""), encoding="utf-8")
    code, _, err = _import(tmp_path / "ws", qdc, "--kind", "barriers")
    assert code == 2
    assert "unknown kind 'barriers'" in err
    res = runner.invoke(app, ["export", "--format", "qdpx"])
    assert res.exit_code == 2
    assert "-o FILE.qdpx" in res.stderr


NOTE_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\n\r\u2028\u2029\x85"
    ),
    min_size=1,
    max_size=30,
).filter(lambda t: t.strip() and not t.strip().startswith(("#", "|", ">", "-", "*", "+")))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(NOTE_TEXT, min_size=1, max_size=5))
def test_any_note_text_gives_a_valid_project(texts: list[str]) -> None:
    text = "Group 1\n" + "".join(f"- {t}\n" for t in texts)
    result = parse_text(text, source="h.txt")
    coded = [CodedNote(n, NoteKind.BARRIER, reasons=(n.text,)) for n in result.notes]
    data = refiqda.qdpx(taxonomy(None), [refiqda.ProjectSource("h.txt", text, result)], coded)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        _valid(PROJECT_XSD, z.read("project.qde"))
        (name,) = [n for n in z.namelist() if n.startswith("sources/")]
        assert z.read(name).decode("utf-8") == text
    spans = note_spans(text, result)
    for n in result.notes:
        s = spans[n.id]
        assert " ".join(text[s.start : s.end].split()) == " ".join(n.text.split())


def test_source_text_of_a_text_file_is_its_decoded_content(tmp_path: Path) -> None:
    p = tmp_path / "crlf.txt"
    p.write_bytes(b"\xef\xbb\xbfGroup 1\r\n- Caf\xc3\xa9 chats\r\n- more\r\n")
    (result,) = pipeline.parsed(pipeline.Corpus([p]), cache=None)
    text = source_text(p, result)
    assert text == "Group 1\r\n- Café chats\r\n- more\r\n"
    spans = note_spans(text, result)
    assert [text[s.start : s.end] for s in spans.values()] == ["Café chats", "more"]
