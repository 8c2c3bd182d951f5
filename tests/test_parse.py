"""Parser tests: the bundled workshop against the reference coding, every layout, properties."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from collab_graph.cli import app
from collab_graph.errors import InputFileError, ParseError
from collab_graph.ingest import MAX_BYTES, load, parse_csv, parse_file, parse_text
from collab_graph.model import LineRole, Note
from collab_graph.resources import default_notes

DATA = Path(__file__).parent / "data"
# the analyst's reference coding of the bundled workshop (a copy of
# shared/reference-coding/notes.csv, so that CI measures against it too)
REFERENCE = Path(__file__).parent / "data" / "reference-coding-notes.csv"


def _reference_rows() -> list[dict[str, str]]:
    with REFERENCE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _non_blank_lines(text: str) -> set[int]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return {
        i
        for i, line in enumerate(lines, start=1)
        if line.replace("\u00a0", " ").replace("\ufeff", "").strip()
    }


# ------------------------------------------------------------------ golden


def test_bundled_workshop_matches_reference_coding_field_by_field() -> None:
    rows = _reference_rows()
    notes = parse_file(default_notes()).notes
    assert len(notes) == len(rows) == 239
    for note, row in zip(notes, rows, strict=True):
        assert note.id == row["id"]
        assert note.group == int(row["group"])
        assert note.question == int(row["question"])
        assert note.prompt == row["prompt"]
        assert note.line == int(row["line"])
        assert note.text == row["text"], note.id


def test_bundled_workshop_loses_no_line_and_keeps_the_preamble() -> None:
    path = default_notes()
    result = parse_file(path)
    text = path.read_text(encoding="utf-8")
    assert {sl.line for sl in result.lines} == _non_blank_lines(text)
    assert not result.unassigned
    ws = result.workshop
    assert ws.title == "Collaborative Innovation Workshop"
    assert [q.number for q in ws.questions] == [1, 2]
    assert ws.question_text(2) is not None
    assert "What are the challenges" in (ws.question_text(2) or "")
    # Question Two's letters come from the lettered "issues might include" list ...
    assert (
        ws.prompt_topic(2, "D") == "Getting buy-in and making the case for collaborative innovation"
    )
    # ... and Question One's from its four sub-questions.
    assert ws.prompt_topic(1, "B") == "What are the potential benefits?"
    assert (ws.prompt_topic(1, "D") or "").startswith("Which boundaries")


def test_bundled_duplicate_prompt_letter_continues_numbering() -> None:
    result = parse_file(default_notes())
    g4c = [n for n in result.notes if (n.group, n.question, n.prompt) == (4, 1, "C")]
    assert [(n.id, n.block) for n in g4c] == [("G4-Q1-C-1", 1), ("G4-Q1-C-2", 2), ("G4-Q1-C-3", 2)]
    assert any("repeated prompt C)" in sl.reason for sl in result.lines)
    assert not any(n.group == 5 and n.question == 2 for n in result.notes)


# ------------------------------------------------------------------ layouts

# (file, expected notes as (id, group, question, prompt, line, text, parent, section))
LAYOUTS: list[tuple[str, list[tuple[object, ...]]]] = [
    (
        "layout_bundled.txt",
        [
            ("G1-Q1-A-1", 1, 1, "A", 8, "Protected time for innovation", None, None),
            ("G1-Q1-A-2", 1, 1, "A", 9, "Project boards with each service", None, None),
            ("G1-Q1-B-1", 1, 1, "B", 11, "Day job – no time", None, None),
            ("G1-Q1-C-1", 1, 1, "C", 15, "Reluctance from suppliers", None, None),
            ("G2-Q1-A-1", 2, 1, "A", 19, "Shared services with the NHS", None, None),
        ],
    ),
    (
        "layout_markdown.md",
        [
            ("G1-Q1-A-1", 1, 1, "A", 8, "Shared office days", None, None),
            ("G1-Q1-A-2", 1, 1, "A", 9, "Monthly forum", None, None),
            ("G1-Q1-A-3", 1, 1, "A", 10, "open to suppliers", "G1-Q1-A-2", None),
            ("G1-Q1-A-4", 1, 1, "A", 11, "Ideas board", None, None),
            ("G1-Q2-1", 1, 2, None, 14, "Budget cuts", None, None),
            ("G1-Q2-2", 1, 2, None, 15, "**No time**", None, None),
            ("G2-Q1-1", 2, 1, None, 19, "Secondments", None, None),
        ],
    ),
    (
        "layout_numbered.txt",
        [
            ("G2-Q1-1", 2, 1, None, 5, "Early supplier engagement", None, None),
            ("G2-Q1-2", 2, 1, None, 6, "Joint specification workshops", None, None),
            ("G2-Q1-3", 2, 1, None, 7, "with service users", None, None),
            ("G2-Q1-4", 2, 1, None, 8, "with finance", None, None),
            ("G2-Q2-1", 2, 2, None, 10, "Lack of market capacity", None, None),
            ("G2-Q2-2", 2, 2, None, 11, "Red tape", None, None),
            ("G3-Q1-1", 3, 1, None, 14, "Category strategy days", None, None),
        ],
    ),
    (
        "layout_nested.txt",
        [
            ("G1-Q2-1", 1, 2, None, 4, "Capacity", None, None),
            ("G1-Q2-2", 1, 2, None, 5, "Day job comes first", "G1-Q2-1", None),
            ("G1-Q2-3", 1, 2, None, 6, "No backfill", "G1-Q2-1", None),
            ("G1-Q2-4", 1, 2, None, 7, "Trust", None, None),
            ("G1-Q2-5", 1, 2, None, 8, "between boards", "G1-Q2-4", None),
            ("G2-Q2-1", 2, 2, None, 11, "Budget pressure", None, None),
        ],
    ),
    (
        "layout_plain.md",
        [
            ("Q1-1", None, 1, None, 4, "Weekly huddles across teams", None, None),
            ("Q1-2", None, 1, None, 5, "Joint training with the health board", None, None),
            ("Q2-1", None, 2, None, 8, "Short-term funding", None, None),
            ("Q2-2", None, 2, None, 9, "Different IT systems", None, None),
        ],
    ),
    (
        "layout_named_tables.txt",
        [
            ("G1-Q1-1", 1, 1, None, 5, "Shared caseload meetings", None, None),
            ("G1-Q1-2", 1, 1, None, 6, "One assessment form", None, None),
            ("G2-Q1-1", 2, 1, None, 9, "Co-located teams", None, None),
            ("G2-Q2-1", 2, 2, None, 11, "Data sharing rules", None, None),
        ],
    ),
    (
        "layout_mixed.txt",
        [
            ("G1-Q1-1", 1, 1, None, 7, "Joint triage meetings every Monday", None, None),
            ("G1-Q1-2", 1, 1, None, 8, "Shared case notes (but IT systems differ)", None, None),
            ("G1-Q1-3", 1, 1, None, 9, "need a data sharing agreement", "G1-Q1-2", None),
            ("G1-Q2-1", 1, 2, None, 11, "No backfill for staff on projects", None, None),
            ("G1-Q2-2", 1, 2, None, 12, '"We don\'t have time"', None, None),
            ("G2-Q1-1", 2, 1, None, 16, "Weekly huddles", None, None),
            ("G2-Q2-1", 2, 2, None, 18, "Procurement rules slow everything down", None, None),
            ("G2-Q2-2", 2, 2, None, 21, "The groups agreed to meet again.", None, "Summary"),
        ],
    ),
    (
        "layout_crlf_bom.txt",
        [
            ("G1-Q1-A-1", 1, 1, "A", 5, "Open\u00a0forum", None, None),
            ("G1-Q1-A-2", 1, 1, "A", 7, "Lack of trust", None, None),
        ],
    ),
    (
        "layout_cp1252.txt",
        [("G1-1", 1, None, None, 3, "Café chats – informal", None, None)],
    ),
    (
        "layout_word.docx",
        [
            ("G1-Q1-1", 1, 1, None, 5, "Joint governance board", None, None),
            ("G1-Q1-2", 1, 1, None, 6, "Co-chaired by the IJB", "G1-Q1-1", None),
            ("G1-Q1-3", 1, 1, None, 7, "Shared risk register", None, None),
            ("G1-Q1-4", 1, 1, None, 10, "Union consultation takes months", None, "Challenges"),
            ("G2-Q1-1", 2, 1, None, 13, "Procurement support", None, None),
        ],
    ),
    (
        "layout_spreadsheet.csv",
        [
            ("G1-Q1-A-1", 1, 1, "A", 2, "Shared services", None, None),
            ("G1-Q1-A-2", 1, 1, "A", 3, "Day job, no time", None, None),
            ("G2-Q2-B-1", 2, 2, "B", 4, "Multi-line\ncell", None, None),
        ],
    ),
]


@pytest.mark.parametrize(("name", "expected"), LAYOUTS, ids=[n for n, _ in LAYOUTS])
def test_layout_parses_to_hand_checked_records(
    name: str, expected: list[tuple[object, ...]]
) -> None:
    result = parse_file(DATA / name)
    got = [
        (n.id, n.group, n.question, n.prompt, n.line, n.text, n.parent, n.section)
        for n in result.notes
    ]
    assert got == expected


@pytest.mark.parametrize("name", [n for n, _ in LAYOUTS if not n.endswith((".docx", ".csv"))])
def test_layout_loses_no_line(name: str) -> None:
    path = DATA / name
    result = parse_file(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    assert {sl.line for sl in result.lines} == _non_blank_lines(text)
    assert [sl.line for sl in result.lines] == sorted({sl.line for sl in result.lines})


def test_markdown_sections_and_prompt_topics() -> None:
    result = parse_file(DATA / "layout_markdown.md")
    assert result.workshop.title == "Health and Social Care Partnership session"
    assert result.workshop.prompt_topic(1, "A") == "Spaces and ways of working"
    assert result.workshop.question_text(2) == "What hinders?"
    assert result.notes[0].group_label == "Group 1"


def test_named_tables_keep_their_label_and_question_text() -> None:
    result = parse_file(DATA / "layout_named_tables.txt")
    assert [n.group_label for n in result.notes] == [
        "Table: Housing",
        "Table: Housing",
        "Red Table",
        "Red Table",
    ]
    assert result.workshop.question_text(2) == "What stops us?"


def test_word_heading_becomes_section_and_lines_are_paragraph_numbers() -> None:
    result = parse_file(DATA / "layout_word.docx")
    assert result.workshop.title == "Partnership workshop"
    roles = {sl.line: sl.role for sl in result.lines}
    assert roles[1] is LineRole.TITLE
    assert roles[8] is LineRole.HEADING  # "Challenges"


def test_trailing_label_and_paragraph_are_structure_and_a_note() -> None:
    result = parse_file(DATA / "layout_mixed.txt")
    assert not result.unassigned
    roles = {sl.line: (sl.role, sl.reason) for sl in result.lines}
    assert roles[20] == (LineRole.HEADING, "label")  # "Summary"
    assert roles[21][0] is LineRole.NOTE
    assert [roles[n] for n in (2, 3)] == [
        (LineRole.METADATA, "metadata: facilitator"),
        (LineRole.METADATA, "metadata: date"),
    ]


def test_csv_rows_without_text_are_residue_and_a_wrapped_cell_continues() -> None:
    result = parse_file(DATA / "layout_spreadsheet.csv")
    assert not result.unassigned
    assert [(sl.line, sl.role, sl.reason) for sl in result.lines if sl.line >= 5] == [
        (5, LineRole.CONTINUATION, "continues the record on line 4"),
        (6, LineRole.RESIDUE, "empty row"),
        (7, LineRole.RESIDUE, "no text"),
    ]


def test_cp1252_fallback_warns() -> None:
    result = parse_file(DATA / "layout_cp1252.txt")
    assert any("Windows-1252" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("W\nGroup Three\n- a", [("G3-1", 3, "Group Three")]),
        ("W\nTable 7\n- a", [("G7-1", 7, "Table 7")]),
        ("W\nBreakout room 4\n- a", [("G4-1", 4, "Breakout room 4")]),
        ("W\n**Group 2**\n- a", [("G2-1", 2, "**Group 2**")]),
        ("W\nGroup 1: Housing\n- a", [("G1-1", 1, "Group 1: Housing")]),
    ],
)
def test_group_marker_forms(text: str, expected: list[tuple[object, ...]]) -> None:
    notes = parse_text(text).notes
    assert [(n.id, n.group, n.group_label) for n in notes] == expected


@pytest.mark.parametrize(
    ("line", "question"),
    [("Question 2", 2), ("Question Two:", 2), ("Q3", 3), ("Q4 - What next?", 4)],
)
def test_question_marker_forms(line: str, question: int) -> None:
    notes = parse_text(f"W\nGroup 1\n{line}\n- a").notes
    assert notes[0].question == question


@pytest.mark.parametrize("bullet", ["·", "•", "-", "*", "o", "▪", "1.", "1)", "a)", "(a)", "A."])
def test_bullet_marks_are_stripped(bullet: str) -> None:
    notes = parse_text(f"W\nGroup 1\n{bullet} Shared time\n{bullet} Trust\n").notes
    assert [n.text for n in notes] == ["Shared time", "Trust"]


def test_paragraph_after_bullets_is_a_note_too() -> None:
    text = "W\nGroup 1\n- one\n- two\n\nThe group ran out of time before the end, said the host\n"
    result = parse_text(text)
    assert not result.unassigned
    assert [(n.line, n.text, n.parent) for n in result.notes] == [
        (3, "one", None),
        (4, "two", None),
        (6, "The group ran out of time before the end, said the host", None),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a sentence running on in lower case
        ("- Lack of time for\nthe day job\n- Trust", ["Lack of time for the day job", "Trust"]),
        # hanging text, indented past the bullet
        ("- No time\n  Everyone is busy\n- Trust", ["No time Everyone is busy", "Trust"]),
        # wrapped over three lines
        ("* Shared\n  budgets across\n  boards", ["Shared budgets across boards"]),
        # a blank line ends the note (the next paragraph is a note of its own);
        # an unindented capital starts a sub-heading
        ("- No time\n\n  and more\n- Trust", ["No time", "and more", "Trust"]),
        ("- No time\nChallenges\n- Trust", ["No time", "Trust"]),
    ],
)
def test_wrapped_bullets_become_one_note(text: str, expected: list[str]) -> None:
    result = parse_text(f"W\nGroup 1\n{text}\n")
    assert [n.text for n in result.notes] == expected
    joined = [sl for sl in result.lines if sl.reason.startswith("continues")]
    for sl in joined:
        assert sl.role is LineRole.CONTINUATION
        note = next(n for n in result.notes if n.id == sl.note_id)
        assert note.line < sl.line
        assert sl.reason == f"continues the note on line {note.line}"


def test_plain_sub_heading_before_bullets_sets_the_section() -> None:
    notes = parse_text("W\nGroup 1\nChallenges:\n- no time\n").notes
    assert notes[0].section == "Challenges"


def test_document_without_structure_is_title_then_notes() -> None:
    result = parse_text("Ideas wall\nShared budgets\nJoint posts\n")
    assert result.workshop.title == "Ideas wall"
    assert [(n.id, n.text) for n in result.notes] == [
        ("N-1", "Shared budgets"),
        ("N-2", "Joint posts"),
    ]


# ------------------------------------------------------------------ errors


def test_bad_inputs_raise_clear_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    blank = tmp_path / "blank.md"
    blank.write_text("  \n\t\n")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"abc\x00def")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\nline two \x81\x8d\n")
    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(b"%PDF")
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    cases = {
        tmp_path / "missing.txt": "no such file",
        empty: "is empty",
        blank: "is empty",
        binary: "binary",
        bad: "line 2: cannot decode",
        pdf: "unsupported file type '.pdf'",
        big: "the limit is 20 MB",
    }
    for path, message in cases.items():
        with pytest.raises(InputFileError, match=message) as info:
            parse_file(path)
        assert str(path) in str(info.value)


def test_corrupt_docx_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputFileError, match=r"not a valid \.docx"):
        parse_file(path)


def test_csv_without_text_column_names_the_line() -> None:
    with pytest.raises(ParseError, match=r"s\.csv: line 1: no note column"):
        parse_csv("group,question\n1,2\n", source="s.csv")


def test_load_makes_workshop_slugs_unique(tmp_path: Path) -> None:
    a = tmp_path / "a" / "notes.txt"
    b = tmp_path / "b" / "notes.txt"
    for p in (a, b):
        p.parent.mkdir()
        p.write_text("W\nGroup 1\n- x\n", encoding="utf-8")
    assert [r.workshop.slug for r in load([a, b])] == ["notes", "notes-2"]


# ------------------------------------------------------------------ properties

_line = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.sampled_from(
        [
            "Group One",
            "\tQuestion Two",
            "\tA)",
            "· note",
            "- x",
            "## Group 2",
            "Q1",
            "  1. y",
            "Table: Red",
            "What works?",
            "(b) z",
            "",
            " ",
            "\t",
            "====",
            "# T",
            # the layouts found in the wild
            "---",
            "+++",
            "title: Retro",
            "| Group | What works | Ideas |",
            "|---|---|---|",
            "| Table 1 | Huddles | |",
            "- +1",
            "    - +1 :heart:",
            "-> one protocol",
            "  => answer",
            "- -> answer",
            "Q: Why not?",
            "A: Because",
            "Question:",
            "Challenges:",
            "**Pluses**",
            "Start",
            "Attendees: Fiona Reid, Callum Muir",
            "Present",
            "Dr Aileen Ross",
            ":Date: 3 May 2024",
            "<br>",
            "<li>listed</li>",
            "<!-- note",
            "-->",
            "```",
            "````{admonition} Summary",
            "````",
            ":::{note}",
            ":::info",
            ":::",
            "1)",
            "ii. roman",
            "  a) What next?",
            "    - nested deeper",
            "  continued in lower case",
            "![board](img.png)",
            "[slides](https://example.org/s)",
            "A wrapped line of prose that runs on for quite a while until it stops at",
            "Text\u2028with a line separator",
            "form\x0cfeed",
            "\u0085",
        ]
    ),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(_line, max_size=25), st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_text_parses_or_raises_parse_error_and_loses_nothing(
    lines: list[str], newline: str
) -> None:
    text = newline.join(lines)
    try:
        result = parse_text(text, source="prop.txt")
    except ParseError:
        assert not _non_blank_lines(text)
        return
    assert {sl.line for sl in result.lines} == _non_blank_lines(text)
    assert len(result.lines) == len({sl.line for sl in result.lines})
    ids = [n.id for n in result.notes]
    assert len(ids) == len(set(ids))
    assert {i for sl in result.lines if sl.role is LineRole.NOTE for i in sl.note_ids} == set(ids)
    assert all(sl.note_id in ids for sl in result.lines if sl.role is LineRole.CONTINUATION)
    by_id = {n.id: n for n in result.notes}
    for n in result.notes:
        assert n.text == n.text.strip()
        assert n.text
        assert n.parent is None or by_id[n.parent].line < n.line
        assert all(sc.line <= n.line for sc in n.scope)
    again = parse_text(text, source="prop.txt")
    assert again == result


# ------------------------------------------------------------------ CLI

runner = CliRunner()


def test_cli_parse_jsonl_is_utf8_with_text_as_in_source() -> None:
    out = runner.invoke(app, ["parse", "--format", "jsonl"])
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(records) == 239
    assert list(records[0])[:7] == ["id", "workshop", "group", "question", "prompt", "line", "text"]
    assert "Day job – no time" in out.stdout  # en dash not escaped


def test_cli_parse_csv_and_table_report() -> None:
    out = runner.invoke(app, ["parse", str(DATA / "layout_spreadsheet.csv"), "--format", "csv"])
    assert out.exit_code == 0
    assert out.stdout.splitlines()[0].startswith("id,workshop,group,question,prompt,line,text")
    table = runner.invoke(app, ["parse", str(DATA / "layout_spreadsheet.csv"), "-f", "table"])
    assert "3 note, 1 continuation, 1 heading, 2 residue" in table.stdout
    assert "No unassigned lines" in table.stdout


@pytest.mark.parametrize("name", ["missing.txt", "notes.pdf"])
def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".pdf"):
        path.write_bytes(b"%PDF")
    out = runner.invoke(app, ["parse", str(path)])
    assert out.exit_code == 2
    assert out.stderr.count("\n") == 1
    assert str(path) in out.stderr
    assert "Traceback" not in out.output


_cell = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
    st.sampled_from(["Group 2", "Table Red", "Q1", "b)", "3", ""]),
)


_HEADERS = [
    ["group", "question", "prompt", "text"],
    ["Column", "Card", "Votes"],
    ["List", "Card", "Labels", "Due date"],
    ["Section", "Sticky note text"],
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_HEADERS), st.lists(st.lists(_cell, min_size=1, max_size=5), max_size=8))
def test_any_spreadsheet_parses_or_raises_parse_error(
    header: list[str], rows: list[list[str]]
) -> None:
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    try:
        result = parse_csv(buf.getvalue(), source="prop.csv")
    except ParseError:
        return
    ids = [n.id for n in result.notes]
    assert len(ids) == len(set(ids))
    assert all(n.text == n.text.strip() and n.text for n in result.notes)
    assert parse_csv(buf.getvalue(), source="prop.csv") == result


def test_python_m_runs_the_same_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "collab_graph", "parse", str(DATA / "layout_plain.md")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 4


# ------------------------------------------------------------------ scope, ids and line numbers

LAYOUT_DOCS = DATA / "layouts" / "docs"


def test_line_numbers_count_only_newlines_not_unicode_separators() -> None:
    text = "# T\n- one\u2028still one\n- two\x0cstill two\r\n- three\x85still three\r- four\n"
    result = parse_text(text, source="u.md")
    assert [(n.line, n.text) for n in result.notes] == [
        (2, "one\u2028still one"),
        (3, "two\x0cstill two"),
        (4, "three\x85still three"),
        (5, "four"),
    ]


def test_every_note_record_carries_its_scope_outermost_first() -> None:
    text = "# Retro\n\n## What went well?\n\nTeam A:\n- Daily stand-ups\n  - short ones\n"
    result = parse_text(text, source="r.md")
    records = [n.record() for n in result.notes]
    assert [r["scope"] for r in records] == [
        [
            {"line": 1, "text": "Retro", "kind": "title"},
            {"line": 3, "text": "What went well?", "kind": "question"},
            {"line": 5, "text": "Team A:", "kind": "label"},
        ]
    ] * 2
    assert records[1]["parent"] == records[0]["id"]
    assert [r["section"] for r in records] == ["Team A", "Team A"]


def test_numbered_sections_give_unique_ids() -> None:
    result = parse_file(LAYOUT_DOCS / "layout_numbered_sections.txt")
    assert [n.id for n in result.notes] == ["1-1", "1-2", "2-1", "2-2", "1-2-1"]


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("board_export_lists.csv", ["backlog-1", "backlog-2", "backlog-3", "backlog-4", "doing-1"]),
        ("layout_md_table_columns.md", ["G1-1", "G1-2", "G1-3", "G2-1", "G2-2"]),
        ("layout_md_table_records.md", ["agenda-1", "agenda-2", "agenda-3", "agenda-4", "G1-1"]),
        ("layout_retro_start_keep_stop.md", ["start-1", "start-2", "start-3", "start-4", "keep-1"]),
        # the second "Problem:" label's first note
        ("layout_problem_solution.md", ["problem-1", "solution-1", "problem-2-1", "solution-2-1"]),
    ],
)
def test_ids_come_from_the_parts_a_layout_has(name: str, ids: list[str]) -> None:
    notes = parse_file(LAYOUT_DOCS / name).notes
    assert [n.id for n in notes][: len(ids)] == ids


def _anchor(note: Note) -> tuple[str, str] | None:
    """The scope entry a note's id is counted under (the innermost above its own line)."""
    s = next((s for s in reversed(note.scope) if s.kind != "title" and s.line != note.line), None)
    return (s.kind, s.text) if s else None


@pytest.mark.parametrize(
    "name",
    [
        "layout_retro_start_keep_stop.md",
        "layout_q_labels.md",
        "layout_lead_in_paragraphs.md",
        "layout_point_per_line.md",
        "layout_qa_arrows.md",
        "layout_prose_report.md",
    ],
)
def test_inserting_a_paragraph_keeps_the_ids_of_notes_in_other_scopes(name: str) -> None:
    text = (LAYOUT_DOCS / name).read_text(encoding="utf-8")
    lines = text.split("\n")
    before = parse_text(text, source=name).notes
    checked = 0
    for k in (i for i, line in enumerate(lines) if not line.strip()):
        edited = "\n".join([*lines[: k + 1], "A late remark from the room.", "", *lines[k + 1 :]])
        after = {n.line: n for n in parse_text(edited, source=name).notes}
        new = after.get(k + 2)
        assert new is not None
        assert new.text == "A late remark from the room."
        for n in before:
            moved = after.get(n.line + 2 if n.line > k + 1 else n.line)
            assert moved is not None
            assert moved.text == n.text
            if _anchor(moved) == _anchor(n) and _anchor(n) != _anchor(new):
                assert moved.id == n.id, (k, n.line)
                checked += 1
    assert checked > 0


# ------------------------------------------------------------------ CLI: line report, columns


def test_cli_parse_lines_gives_every_non_blank_line_a_role() -> None:
    path = LAYOUT_DOCS / "layout_pluses_deltas.md"
    out = runner.invoke(app, ["parse", str(path), "--lines"])
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["line"] for r in records] == sorted(_non_blank_lines(path.read_text("utf-8")))
    by_line = {r["line"]: r for r in records}
    assert by_line[5]["role"] == "heading"  # **Pluses**
    assert by_line[7]["role"] == "note"
    assert by_line[8] == {
        "workshop": "layout-pluses-deltas",
        "line": 8,
        "role": "continuation",
        "why": "continues the note on line 7",
        "notes": by_line[7]["notes"],
        "text": "council and NHS forms",
    }
    assert by_line[25]["role"] == "link"
    table = runner.invoke(app, ["parse", str(path), "--lines", "-f", "table"])
    assert "continuation" in table.stdout
    assert "10 note, 4 continuation, 1 title, 2 heading, 1 metadata, 2 link" in table.stdout
    assert table.stdout.rstrip().endswith("every non-blank line is a note or structure.")


def test_cli_parse_columns_names_the_columns_of_an_unusual_board() -> None:
    path = str(LAYOUT_DOCS / "board_renamed.csv")
    refused = runner.invoke(app, ["parse", path])
    assert refused.exit_code == 2
    assert "--columns note=NAME" in refused.stderr
    out = runner.invoke(app, ["parse", path, "--columns", "note=Post-it,scope=Zone"])
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["id"], r["line"], r["section"]) for r in records] == [
        ("working-well-1", 2, "Working well"),
        ("not-working-1", 3, "Not working"),
        ("try-next-1", 4, "Try next"),
    ]
    assert records[1]["text"] == "Different phone systems, so calls cannot be transferred"
    assert records[0]["scope"] == [{"line": 1, "text": "Working well", "kind": "column"}]


@pytest.mark.parametrize(
    ("spec", "message"),
    [("colour=Red", "unknown column field 'colour'"), ("note", "expected field=Header")],
)
def test_cli_bad_columns_option_exits_2(spec: str, message: str) -> None:
    out = runner.invoke(app, ["parse", str(LAYOUT_DOCS / "board_export.csv"), "--columns", spec])
    assert out.exit_code == 2
    assert message in out.stderr
    assert "Traceback" not in out.output


def test_cli_jsonl_keeps_each_record_on_one_line_for_any_reader() -> None:
    path = LAYOUT_DOCS / "layout_unicode_breaks.md"
    out = runner.invoke(app, ["parse", str(path)])
    assert out.exit_code == 0
    records = [json.loads(line) for line in out.stdout.splitlines()]  # splitlines splits at U+2028
    assert len(records) == len(parse_file(path).notes)
    assert "\u2028" in records[0]["text"]
    assert "\u2028" not in out.stdout


# ------------------------------------------------------------------ structure recognised

STRUCTURE_DOC = """\
---
title: "Minutes"
---
# Minutes of the partnership board

| Date | 3 May 2024 |
|---|---|
| Venue | Town hall |

*Note-taker: Ann Lee*
Attendees:
- Ann Lee
- Bob Roy

<!-- copied from the shared drive -->
{{< figure src="board.png" >}}
[Slides](https://example.org/slides.pdf)

> Challenges:
> - Two case systems

_Asides in italics are read by their words._

```
code is not notes
```
- +1 :tada:
-
* * *
"""


def test_structure_lines_get_their_roles_and_quotes_are_read_inside() -> None:
    result = parse_text(STRUCTURE_DOC, source="minutes.md")
    roles = [(sl.line, sl.role.value, sl.reason) for sl in result.lines]
    assert roles == [
        (1, "front-matter", "front matter"),
        (2, "front-matter", "front matter"),
        (3, "front-matter", "front matter"),
        (4, "title", "title"),
        (6, "heading", "table header"),
        (7, "table-rule", "table rule"),
        (8, "metadata", "metadata: venue"),
        (10, "metadata", "metadata: note-taker"),
        (11, "metadata", "metadata: attendees"),
        (12, "metadata", "metadata: listed under a metadata line"),
        (13, "metadata", "metadata: listed under a metadata line"),
        (15, "residue", "html comment"),
        (16, "residue", "template"),
        (17, "link", "link"),
        (19, "heading", "label"),
        (20, "note", ""),
        (22, "note", ""),
        (24, "residue", "code fence"),
        (25, "residue", "code block"),
        (26, "residue", "code fence"),
        (27, "residue", "vote mark"),
        (28, "residue", "empty bullet"),
        (29, "residue", "thematic break"),
    ]
    assert [(n.text, [s.text for s in n.scope]) for n in result.notes] == [
        ("Two case systems", ["Minutes of the partnership board", "Challenges:"]),
        ("_Asides in italics are read by their words._", ["Minutes of the partnership board"]),
    ]


def test_myst_boxes_hold_notes_but_code_blocks_do_not() -> None:
    text = (
        "# Meeting\n\n"
        "```{toctree}\n:maxdepth: 1\nbreakout-one\n```\n\n"
        "````{admonition} Summary\n:class: hint\n- Pool the budgets\n\n"
        "```python\nprint('not a note')\n```\n- Share one rota\n````\n\n"
        "- After the box\n"
    )
    result = parse_text(text, source="myst.md")
    assert [(n.line, n.text, n.section) for n in result.notes] == [
        (10, "Pool the budgets", "Summary"),
        (15, "Share one rota", "Summary"),
        (18, "After the box", None),
    ]
    roles = {sl.line: (sl.role.value, sl.reason) for sl in result.lines}
    assert roles[3] == ("residue", "code fence")
    assert roles[5] == ("residue", "code block")
    assert roles[8] == ("heading", "box title")
    assert roles[9] == ("metadata", "metadata: field")
    assert roles[13] == ("residue", "code block")
    assert roles[16] == ("residue", "box fence")


def test_html_list_items_are_bullets() -> None:
    result = parse_text("# Retro\n\n<ul>\n  <li>Good venue</li>\n  <li>Too short</li>\n</ul>\n")
    assert [(n.line, n.text) for n in result.notes] == [(4, "Good venue"), (5, "Too short")]
    assert [sl.role for sl in result.lines if sl.line in (3, 6)] == [LineRole.RESIDUE] * 2


@pytest.mark.parametrize(
    ("line", "structure"),
    [
        ("Time: 13:30 - 17:00", True),
        ("Time: not enough of it, for anyone", False),
        ("Venue: Town hall", True),
        ("Location: too far from the city centre for most", False),
        ("Chair: Fiona Reid", True),
        ("Lead: the council should lead on the funding bid", False),
        ("Slides: [deck](https://example.org/deck.pdf)", True),
        ("Attendees: NHS Tayside, Angus Council", True),
        ("Present: Nick, Tilmann, Tais<br>", True),
        ("Notary: Janina, Nick", True),
        ("Apologies: none", True),
        ("Tools: Slack, Zoom, Miro", False),
        ("Meeting ID: 328 144 808", True),
        ("Ana Ruiz - ana.ruiz@example.org", True),
        ("Email the chair for access: chair@example.org", False),
        ("Boris approves these minutes", True),
        ("Approve the minutes of this meeting for publication", False),
    ],
)
def test_a_metadata_label_with_a_point_after_it_is_a_note(line: str, structure: bool) -> None:
    result = parse_text(f"# Meeting\n\n{line}\n", source="m.md")
    assert (result.lines[1].role in (LineRole.METADATA, LineRole.LINK)) is structure
    assert len(result.notes) == (0 if structure else 1)


@pytest.mark.parametrize("heading", ["## Attendees", "## Attendees:&#x20;", "### **Present**"])
def test_a_heading_over_who_came_is_a_section_whose_names_are_metadata(heading: str) -> None:
    text = (
        f"# Board\n\n{heading}\n- Ann Lee\n- Bob Roy (Fife Council)\n- N/A\n\n"
        "## Notes\n- Pool the budgets\n"
    )
    result = parse_text(text, source="board.md")
    assert [(n.line, n.section) for n in result.notes] == [(9, "Notes")]
    roles = {sl.line: sl.role for sl in result.lines}
    assert roles[3] is LineRole.HEADING
    assert {roles[k] for k in (4, 5, 6)} == {LineRole.METADATA}


@pytest.mark.parametrize(
    ("text", "notes"),
    [
        # organisations with a remark in brackets are not a list of attendees
        (
            "# Plan\n\n## Who should be involved\n\n- Fife Council (Social Work)\n"
            "- NHS Fife (Public Health)\n- Carers Scotland\n",
            [5, 6, 7],
        ),
        # under "Speakers", a name and affiliation introduces someone; a point is a note
        (
            "# Forum\n\n## Speakers\n\n- Ana Ruiz (NHS Fife)\n"
            "- Ana: we need one rota for both teams\n",
            [6],
        ),
        # a heading about membership is not a list of people
        ("# Board\n\n## Members\n\n- New Member Onboarding Process\n", [5]),
        # joining a working group is a point; joining the call is logistics
        (
            "# Day\n\nActions for everyone:\n- Join the working groups!\n\n"
            "How to join the call:\n- Mute when not speaking\n",
            [4],
        ),
        # a link whose text is the item is a note; a pointer to slides is not
        (
            "# Links\n\n- [Guidance on sharing case notes](https://example.org/g)\n"
            "- [Slides](https://example.org/s.pdf)\n",
            [3],
        ),
        # a row of links is navigation, and a link to a slide deck points to it
        (
            "# Call\n\n[Zoom link](https://zoom.us/j/1) · "
            "[What time is the meeting in my time zone](https://example.org/t)\n\n"
            "- [Council finance: pooled budgets and what comes next](https://example.org/t.pdf)\n"
            "- Pool the budgets\n",
            [6],
        ),
        # a roster names people and what is known about them, initials included
        (
            "# Call\n\n| Name | Initials | Affiliation |\n|--|--|--|\n"
            "| Ann Lee | AL | NHS Fife |\n\n- Pool the budgets\n",
            [7],
        ),
        # "add your own" inside a point, and a template line that asks for more
        (
            "# Ideas\n\n- Councils could let partners add your own logo\n"
            "- other? please add your own ideas\n",
            [3],
        ),
    ],
)
def test_minutes_patterns_leave_points_as_notes(text: str, notes: list[int]) -> None:
    assert [n.line for n in parse_text(text, source="m.md").notes] == notes


def test_spacing_after_block_quote_marks_is_not_note_text() -> None:
    """Found by the property test above: ``>`` then a control space kept it in the note."""
    result = parse_text("0\n>\x1f0\n", source="quote.txt")
    assert [n.text for n in result.notes] == ["0"]
