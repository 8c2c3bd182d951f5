"""Input limits and robust readers: broken and hostile .docx files, bombs, note counts,
unique ids in every layout, empty bullets, mixed encodings, NUL bytes anywhere."""

from __future__ import annotations

import io
import struct
import tempfile
import zipfile
import zlib
from functools import cache
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from collab_graph.cli import app
from collab_graph.errors import CollabGraphError, ConfigError, InputFileError, LimitError
from collab_graph.ingest import (
    MAX_EXPANDED_ENV,
    MAX_LINES_ENV,
    MAX_NOTES_ENV,
    Limits,
    LoadOptions,
    decode,
    parse_csv,
    parse_file,
    parse_text,
)
from collab_graph.ingest.scope import IdMaker
from collab_graph.model import LineRole, Scope

DATA = Path(__file__).parent / "data"

# ------------------------------------------------------------------ .docx builders


@cache
def _rich_docx() -> bytes:
    """A small .docx with a title, headings, numbered and bulleted lists and a table."""
    d = docx.Document()
    d.add_heading("Partnership day", 0)
    d.add_heading("Group 1", 1)
    d.add_paragraph("What works?", style="List Number")
    d.add_paragraph("Shared budgets", style="List Bullet")
    d.add_paragraph("Joint posts", style="List Bullet 2")
    table = d.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Barrier", "Fix"), ("No time", "Protected time"), ("-", "x y")]):
        table.cell(r, 0).text = a
        table.cell(r, 1).text = b
    d.add_paragraph("A closing thought on the day.")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    return out.getvalue()


def _with_body(body: str) -> bytes:
    """A valid .docx whose ``word/document.xml`` body is ``body`` (raw WordprocessingML)."""
    members = _members(_rich_docx())
    xml = members["word/document.xml"].decode()
    start = xml.index("<w:body>") + len("<w:body>")
    end = xml.index("<w:sectPr")
    members["word/document.xml"] = (xml[:start] + body + xml[end:]).encode()
    return _zip(members)


def _bullets(n: int) -> str:
    para = '<w:p><w:pPr><w:pStyle w:val="ListBullet"/></w:pPr><w:r><w:t>point {}</w:t></w:r></w:p>'
    return "".join(para.format(i) for i in range(n))


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------ the .docx fuzzer

_SEEDS = (DATA / "layout_word.docx").read_bytes(), _rich_docx()


class _Mutant(bytes):
    """A mutated file, shown in a failure report by how it was made rather than byte by byte."""

    how: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<.docx of {len(self)} bytes: {', '.join(self.how)}>"


@st.composite
def _mutated_docx(draw: st.DrawFn) -> _Mutant:
    """A valid .docx with one to three mutations: of its bytes, or of a member inside the zip."""
    data = draw(st.sampled_from(_SEEDS))
    done: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        how = draw(
            st.sampled_from(["flip", "truncate", "member-flip", "member-cut", "member-swap"])
        )
        done.append(how)
        if how == "flip" and data:  # flip bytes anywhere in the file
            buf = bytearray(data)
            for _ in range(draw(st.integers(1, 8))):
                i = draw(st.integers(0, len(buf) - 1))
                buf[i] ^= draw(st.integers(1, 255))
            data = bytes(buf)
            continue
        if how == "truncate" and data:
            data = data[: draw(st.integers(0, len(data) - 1))]
            continue
        if how in ("flip", "truncate"):
            continue
        try:
            members = _members(data)
        except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, OSError, RuntimeError):
            continue  # an earlier mutation already broke the zip itself
        if not members:
            continue
        name = draw(st.sampled_from(sorted(members)))
        done[-1] = f"{how} {name}"
        blob = members[name]
        if how == "member-flip" and blob:  # a member's uncompressed bytes, flipped
            buf = bytearray(blob)
            for _ in range(draw(st.integers(1, 6))):
                i = draw(st.integers(0, len(buf) - 1))
                buf[i] = draw(st.sampled_from(b"<>/=\"' \x00\xffwxyz0"))
            members[name] = bytes(buf)
        elif how == "member-cut":  # a member truncated, or removed
            members[name] = blob[: draw(st.integers(0, len(blob)))]
            if draw(st.booleans()):
                del members[name]
        else:  # a member replaced by another one, or by well-formed XML of the wrong kind
            members[name] = draw(
                st.sampled_from(
                    [
                        *members.values(),
                        b"",
                        b"<a/>",
                        b'<?xml version="1.0"?><w:document xmlns:w="'
                        b'http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
                        b"\x89PNG\r\n\x1a\n",
                    ]
                )
            )
        data = _zip(members)
    mutant = _Mutant(data)
    mutant.how = tuple(done)
    return mutant


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_mutated_docx())
def test_mutated_docx_gives_only_project_errors(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), "fuzz.docx", data)
        error: CollabGraphError | None = None
        try:
            result = parse_file(path)
        except CollabGraphError as exc:  # anything else fails the test
            error = exc
        if error is not None:
            assert "\n" not in str(error)
            assert str(path) in str(error)
        else:
            assert all(n.text.strip() for n in result.notes)


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"word/document.xml": b"<w:document"}, "not a valid .docx"),
        ({"word/styles.xml": b"<w:styles><w:style"}, "not a valid .docx"),
        ({"word/document.xml": b"<a/>"}, "not a valid .docx"),
        ({"[Content_Types].xml": b""}, "not a valid .docx"),
    ],
)
def test_broken_docx_part_is_one_line_and_exit_2(
    tmp_path: Path, members: dict[str, bytes], message: str
) -> None:
    parts = _members(_rich_docx())
    parts.update(members)
    path = _write(tmp_path, "broken.docx", _zip(parts))
    with pytest.raises(InputFileError, match=message):
        parse_file(path)
    run = CliRunner().invoke(app, ["parse", str(path)])
    assert run.exit_code == 2
    assert "Traceback" not in run.output
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("collab-graph: error: ")
    assert str(path) in lines[0]


# ------------------------------------------------------------------ bombs and limits


def test_zip_bomb_is_refused_by_its_expanded_size(tmp_path: Path) -> None:
    members = _members(_rich_docx())
    # 60 MB of white space inside the body: well-formed, compresses to about 60 KB
    xml = members["word/document.xml"].decode()
    at = xml.index("<w:body>") + len("<w:body>")
    members["word/document.xml"] = (xml[:at] + " " * (60 * 1024 * 1024) + xml[at:]).encode()
    path = _write(tmp_path, "bomb.docx", _zip(members))
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(LimitError, match=r"bomb\.docx: expands to 6\d\.\d MB") as info:
        parse_file(path)
    assert MAX_EXPANDED_ENV in str(info.value)
    assert "limit is 50 MB" in str(info.value)


def test_declared_sizes_are_not_trusted(tmp_path: Path) -> None:
    """A zip whose directory claims tiny members is still read with a running count."""
    members = _members(_rich_docx())
    members["word/document.xml"] += b" " * (3 * 1024 * 1024)
    data = bytearray(_zip(members))
    # rewrite every declared uncompressed size (local headers and central directory) to 1
    at = 0
    while (at := data.find(b"PK\x03\x04", at)) != -1:
        data[at + 22 : at + 26] = struct.pack("<I", 1)
        at += 4
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:
        data[at + 24 : at + 28] = struct.pack("<I", 1)
        at += 4
    path = _write(tmp_path, "liar.docx", bytes(data))
    limits = Limits(max_expanded_bytes=1024 * 1024)
    with pytest.raises(InputFileError, match=r"liar\.docx: "):
        parse_file(path, options=LoadOptions(limits=limits))


def test_paragraph_bomb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "paras.docx", _with_body(_bullets(300_000)))
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(LimitError, match=r"paras\.docx: has 300,00\d paragraphs") as info:
        parse_file(path)
    assert "limit is 100,000" in str(info.value)
    assert MAX_LINES_ENV in str(info.value)


def _notes_file(tmp: Path, suffix: str, n: int) -> Path:
    if suffix == ".docx":
        return _write(tmp, "many.docx", _with_body(_bullets(n)))
    if suffix == ".csv":
        rows = "".join(f"point {i},Ideas\n" for i in range(n))
        return _write(tmp, "many.csv", f"Note,Column\n{rows}".encode())
    body = "".join(f"- point number {i}\n" for i in range(n))
    return _write(tmp, f"many{suffix}", f"# Ideas\n\n{body}".encode())


@pytest.mark.parametrize("suffix", [".txt", ".md", ".csv", ".docx"])
def test_notes_limit_applies_to_every_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setenv(MAX_NOTES_ENV, "40")
    assert len(parse_file(_notes_file(tmp_path, suffix, 40)).notes) == 40
    path = _notes_file(tmp_path, suffix, 41)
    with pytest.raises(LimitError, match=r"has 41 notes; the limit is 40 notes per file"):
        parse_file(path)
    run = CliRunner().invoke(app, ["parse", str(path)])
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    assert MAX_NOTES_ENV in run.stderr


@pytest.mark.parametrize("suffix", [".txt", ".csv", ".docx"])
def test_line_limit_applies_to_every_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setenv(MAX_LINES_ENV, "100")
    path = _notes_file(tmp_path, suffix, 200)
    unit = "paragraphs" if suffix == ".docx" else "lines"
    with pytest.raises(LimitError, match=rf"has 20\d {unit}; the limit is 100 {unit}"):
        parse_file(path)


def test_expanded_limit_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "rich.docx", _rich_docx())
    assert parse_file(path).notes
    monkeypatch.setenv(MAX_EXPANDED_ENV, "0.01")
    with pytest.raises(LimitError, match=r"the limit is 0\.01 MB"):
        parse_file(path)


@pytest.mark.parametrize("value", ["many", "0", "-5", ""])
def test_bad_limit_setting_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(MAX_NOTES_ENV, value)
    path = _write(tmp_path, "n.txt", b"# T\n\n- a point\n")
    if not value:  # empty means unset: the default applies
        assert Limits.from_env().max_notes == Limits().max_notes
        return
    with pytest.raises(ConfigError, match=MAX_NOTES_ENV):
        Limits.from_env()
    run = CliRunner().invoke(app, ["parse", str(path)])
    assert run.exit_code == 2
    assert run.stderr.strip().count("\n") == 0
    assert MAX_NOTES_ENV in run.stderr


# ------------------------------------------------------------------ unique ids


@pytest.mark.parametrize(
    "text",
    [
        "# T\n\n- alpha\n\nN) Next steps\n- first\n",
        "Notes\n\nGreat dinner was had by all of us.\n\nN) Next\n- first\n",
        "N) Next\n- first\n\n# T\n\n- alpha\n- beta\n",
        "# N\n\n- a\n\nN) x\n- b\n",
    ],
)
def test_prompt_n_and_unscoped_notes_get_distinct_ids(tmp_path: Path, text: str) -> None:
    result = parse_text(text, source="n.md")
    ids = [n.id for n in result.notes]
    assert len(ids) == len(set(ids)) >= 2, ids
    path = _write(tmp_path, "n.md", text.encode())
    run = CliRunner().invoke(app, ["export", str(path), "-f", "nt"])
    assert run.exit_code == 0, run.stderr


def test_id_bases_are_owned_by_one_key() -> None:
    ids = IdMaker()
    made = [
        ids.make(None, None, "N", ()),
        ids.make(None, None, None, ()),
        ids.make(None, None, "N", ()),
        ids.make(None, None, None, ()),
        ids.make(None, None, "G", ()),
        ids.make(None, None, None, (Scope(3, "N", "heading"),)),
    ]
    assert len(set(made)) == len(made), made
    assert made[0] == "N-1"  # the first owner keeps the plain base


_LINES = st.sampled_from(
    [
        "# Title",
        "## Challenges",
        "### N",
        "Group 1",
        "Group 2",
        "Table 3",
        "Q1",
        "Question 2: what next?",
        "A) Spaces",
        "B) People",
        "N) Next steps",
        "G) Growth",
        "Q) Queries",
        "1)",
        "2) Second thing",
        "- a point",
        "- another point",
        "* starred point",
        "    - nested point",
        "1. numbered point",
        "Challenges:",
        "A prose paragraph that makes a point.",
        "",
        "| Barrier | Fix |",
        "|---|---|",
        "| No time | Protected time |",
        "- ",
        "-",
        "n-1",
        "N-1",
    ]
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(_LINES, min_size=1, max_size=40))
def test_ids_are_unique_in_generated_documents(lines: list[str]) -> None:
    result = parse_text("\n".join(lines) + "\n", source="gen.md")
    ids = [n.id for n in result.notes]
    assert len(ids) == len(set(ids)), ids


# ------------------------------------------------------------------ empty bullets


_GRID = [
    ("Row", "Keep doing", "Change next time"),
    ("Day one", "Shared budgets across teams", "{}"),
    ("Day two", "{}", "Fewer calls with more focus"),
    ("Day three", "{}", "{}"),
]
_RECORDS = [("Keep", "Change"), ("Shared budgets", "{}"), ("{}", "Fewer calls")]


@pytest.mark.parametrize("mark", ["-", "*", "•", "\u200b", "- \u200b", "**"])
@pytest.mark.parametrize(
    ("rows", "notes"),
    [
        (_GRID, ["Shared budgets across teams", "Fewer calls with more focus"]),
        (_RECORDS, ["Shared budgets"]),
    ],
    ids=["grid", "records"],
)
def test_empty_table_cell_is_structure_not_a_note(
    tmp_path: Path, mark: str, rows: list[tuple[str, ...]], notes: list[str]
) -> None:
    cells = [[c.format(mark) for c in row] for row in rows]
    md = "# T\n\n" + "".join(
        "| " + " | ".join(row) + " |\n" + ("|---" * len(row) + "|\n" if not k else "")
        for k, row in enumerate(cells)
    )
    result = parse_text(md, source="t.md")
    assert [n.text for n in result.notes] == notes
    assert (LineRole.RESIDUE, "empty row") in {(sl.role, sl.reason) for sl in result.lines}
    d = docx.Document()
    d.add_heading("T", 1)
    table = d.add_table(rows=len(cells), cols=len(cells[0]))
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    path = tmp_path / "t.docx"
    d.save(path)
    result = parse_file(path)
    assert [n.text for n in result.notes] == notes
    empty = [sl for sl in result.lines if sl.reason == "empty bullet"]
    assert empty
    assert all(sl.role is LineRole.RESIDUE and sl.text == mark.strip() for sl in empty)


@pytest.mark.parametrize("mark", ["-", "- ", "•", "*", "\u200b", "\ufeff"])
def test_empty_board_card_is_structure_not_a_note(mark: str) -> None:
    result = parse_csv(f'Note,Column\nalpha,A\n"{mark}",A\nbeta,A\n', source="b.csv")
    assert [n.text for n in result.notes] == ["alpha", "beta"]
    roles = {sl.line: (sl.role, sl.reason) for sl in result.lines}
    assert roles[3] == (LineRole.RESIDUE, "empty bullet")


# ------------------------------------------------------------------ encodings and NUL bytes


def test_mixed_utf8_and_cp1252_lines_are_each_decoded() -> None:
    data = (
        b"Group 1\n"
        + "- Café one\n".encode()
        + "- Café two – informal\r\n".encode("cp1252")
        + "- naïve three\n".encode()
        + "- “quoted” four\r".encode("cp1252")
        + b"- last\n"
    )
    text, warnings = decode(data, path="mix.txt")
    assert text.replace("\r\n", "\n").replace("\r", "\n").splitlines() == [
        "Group 1",
        "- Café one",
        "- Café two – informal",
        "- naïve three",
        "- “quoted” four",
        "- last",
    ]
    assert warnings == [
        "mix.txt: lines 3, 5 are not valid UTF-8; decoded as Windows-1252 (cp1252) instead"
    ]


def test_undecodable_line_is_named() -> None:
    data = "ok\n- Café\n".encode() + b"- bad \x81\n"
    with pytest.raises(InputFileError, match=r"bad\.txt: line 3: cannot decode"):
        decode(data, path="bad.txt")


def test_nul_after_the_first_8_kb_is_refused(tmp_path: Path) -> None:
    data = b"# Notes\n\n" + b"- a point\n" * 2000 + b"- \x00\n"
    assert data.index(b"\x00") > 8192
    path = _write(tmp_path, "late.txt", data)
    with pytest.raises(InputFileError, match=r"late\.txt: line 2003: .*binary"):
        parse_file(path)
