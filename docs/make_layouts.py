"""Write docs/layouts.md: each layout's example file and what the real CLI makes of every line.

Run from the repository root after changing the parser or an example::

    python docs/make_layouts.py

For each file in ``docs/layouts/`` it runs ``collab-graph parse FILE --lines`` and
``collab-graph parse FILE`` (the installed console script, as a user would) and renders
one table row per non-blank line: its role, why, the note it starts and that note's scope.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE / "layouts"

INTRO = """# Notes layouts

What `collab-graph parse` makes of each layout it reads, shown on small example files (they are
in [`docs/layouts/`](layouts/); run `collab-graph parse docs/layouts/FILE --lines -f table` to
see the same). Every non-blank line gets exactly one role:

* **note**: the line starts a note (its `id` is shown);
* **continuation**: a wrapped line of the note above (its text is joined to that note, which
  keeps the first line as its `line`);
* structure, with why: **title**, **heading** (headings, and label lines such as `Challenges:`,
  `**Pluses**`, `Start`, `Q: ...` that scope the notes under them), **group**, **question**,
  **prompt**, **front-matter**, **metadata** (dates, attendees, note-takers, speakers named
  alone, remarks about the notes), **link** (links and images), **residue** (vote marks, emoji,
  HTML tags, code, thematic breaks, empty items), **table-rule**, **preamble**;
* **unassigned**: none of these (rare; reported with its line).

Each note's **scope** is the chain of title, headings, groups, questions, prompts and labels
above it, outermost first. A note nested under another keeps that note as its `parent`; the
parent is in the scope only when it asks a question or labels what follows (it ends in `?` or
`:`). Below, the *nearest* column shows the parent note's line (`↑ 7`) or the innermost scope
entry's line (`§ 3`).

Notes in layouts without groups, questions or prompts get ids from the nearest heading or label
and their place under it (`recruitment-2`), so inserting a line elsewhere leaves other ids
alone; the bundled layout keeps `G{group}-Q{question}-{PROMPT}-{n}`.

Line numbers count `\\n`, `\\r\\n` and `\\r` only: U+2028, U+0085 or a form feed inside a line
does not start a new one. In a Word document, `line` counts paragraphs in document order, the
paragraphs of table cells included (row by row, cell by cell). In a CSV file it is the physical
line a record starts on.
"""

SECTIONS: list[tuple[str, str, str]] = [
    (
        "bullets.md",
        "Bullets of any mark and depth, wrapped bullets and answer arrows",
        """
        Any bullet mark (`-` `*` `+` `•` `·` `o` `▪` ...), numbers and letters; nesting
        follows the indentation (a line indented to the text of the item above is its
        child). A line that carries on an item (it starts in lower case, or hangs under the
        item's text before the item's sentence ends) is a continuation. `->` and `=>` lines
        answer the item above them. A bare `+1` is residue.
        """,
    ),
    (
        "point_per_line.md",
        "One point per line",
        """
        Lines with no marks, one point each. A short title line at the head of a run of
        lines (or before one) labels the lines under it; so does a short question (`What is
        the problem`).
        """,
    ),
    (
        "prose.md",
        "Prose: paragraphs, hard-wrapped or one sentence per line",
        """
        A paragraph that makes a point is a note. When the document is hard-wrapped (the
        lines broken inside a sentence end near one column), a wrapped paragraph is one note
        on its first line. Long lines written one sentence per line are a note each. A
        person named alone on a line, whose name the next paragraph repeats, is a speaker
        (metadata).
        """,
    ),
    (
        "lead_ins.md",
        "Paragraphs that introduce a list",
        """
        A list that directly follows a paragraph (a blank line between is fine) nests under
        it: the paragraph is its notes' parent. A short question over a list is a question
        label instead. A `Label:` or question label ends with the next paragraph after its
        notes.
        """,
    ),
    (
        "labels.md",
        "Label lines: `**Pluses**`, `Start` / `Stop`, `Problem:` / `Solution:`",
        """
        Bold-only lines, short title lines over a list, and lines ending in `:` label what
        follows and become the scope (and `section`) of the notes under them. A label with
        notes under it is replaced by the next label; one with none yet holds the next label
        inside it.
        """,
    ),
    (
        "questions.md",
        "Questions and answers",
        """
        `Q:` / `Question:` lines are question labels over the `A:` / `Answer:` lines after
        them. A question item with answers indented under it is a note (every item with text
        is), and its answers' parent; being a question, it is in their scope too.
        """,
    ),
    (
        "metadata.md",
        "Front matter, metadata, links, HTML and votes",
        """
        YAML (`---`) and TOML (`+++`) front matter, field lists (`:Date:`), `Label: value`
        lines whose label is meeting metadata (date, time, venue, attendees, chair,
        facilitator, note-taker, speaker...), the names listed under such a label, links and
        images on their own, an image's caption (text in HTML tags right after it, or
        `<figcaption>`), HTML comments and tags, code, vote marks and emoji are structure,
        never notes.
        """,
    ),
    (
        "minutes.md",
        "Meeting minutes: attendance, introductions, agenda, approvals",
        """
        `Present:` / `Secretary:` / `Notary:` lines of names (first names too), a table whose
        header names people and what is known about them (`Name | Attendance | Role | Voting
        seat`), and `Other Attendees` over `N/A` are metadata. Under a heading of
        introductions or participants (`Intros`, `Participants`, `Speakers`), a line that
        reads as a name with titles and organisations (most words capitalised, nothing asked,
        nothing in the first person) introduces someone; a line that makes a point there is
        a note. A list item written as a link whose text is the item (an issue's title) is a
        note; a link to slides is not. `X approves these minutes` and a name with an email
        are metadata.
        """,
    ),
    (
        "call.md",
        "Call notes from a HackMD template",
        """
        Under a heading or label about joining the call, the list is logistics (metadata).
        `Attendees: Name / Organisation / handle` over `[name=...]` lines lists who came. A
        `[name=...]` mark with no name (or `Your Name`) and only placeholders such as
        `[Question]` after it, and a line asking readers to add their own, are template
        residue. In a list answered `Name (Organisation) - answer` under a line asking for
        names, an item that is only a name is an attendee who added nothing (metadata);
        lines with a `[name=...]` mark and words after it are notes.
        """,
    ),
    (
        "tables.md",
        "Markdown tables",
        """
        A table with a column per prompt (and perhaps a first column of row labels such as
        groups) gives one note per non-empty cell, scoped by its row label and column
        header; a group label sets the note's `group`. A table of records (an agenda; `Group
        | Prompt | Note`; any table with a column named like a note) gives one note per row,
        the other cells being its scope.
        """,
    ),
    (
        "board.csv",
        "Sticky-note board exports (CSV)",
        """
        Columns are found by their header names: the card (`Card`, `Card Name`, `Text`,
        `Note`, `Content`, `Sticky note` ...) is the note, the board column or list
        (`Column`, `List`, `Lane`, `Section`, `Category` ...) is its scope and `section`;
        `Group`, `Question` and `Prompt` columns fill those fields. Name unusual columns
        with `--columns note=Post-it,scope=Zone`. A card over two physical lines starts on
        the first.
        """,
    ),
    (
        "numbered.md",
        "Numbered and lettered items, numbered sections",
        """
        `1.` `1)` `(1)`, `a)` `(a)` `A.`, `i.` `ii.` are list marks nested by indentation. A
        number alone on a line (`1)`) labels a section; its notes' ids stay unique when a
        number repeats.
        """,
    ),
    (
        "bundled.txt",
        "Groups, questions and prompts (the bundled workshop's layout)",
        """
        `Group 3`, `Table 2`, `Breakout room 4`, `Table: Housing`; `Question 2`, `Q2`;
        prompt letters `A)` alone on a line. The text before the first group is the
        preamble: the title, each question's full text and what each prompt letter asks. Ids
        are `G{group}-Q{question}-{PROMPT}-{n}`.
        """,
    ),
]

WORD = """## Word documents (.docx)

Paragraphs are read like lines of text: heading styles (`Title`, `Heading 1` ...) are headings,
list paragraphs (bullets, numbering, `List Bullet 2`) are list items nested by their level, and
tables are read as Markdown tables are (a header cell or row label cell is its own paragraph, so
it is a `heading` line of its own). `tests/data/layouts/docs/word_table.docx` shows a table with
a column per prompt and a row per group; `collab-graph parse --lines` on it gives:
"""


def _cli() -> str:
    exe = shutil.which("collab-graph")
    if exe is None:
        sys.exit("collab-graph is not on PATH; activate the environment it is installed in")
    return exe


def _run(exe: str, *args: str) -> list[dict[str, object]]:
    out = subprocess.run([exe, "parse", *args], capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.split("\n") if line.strip()]


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _rows(exe: str, path: Path, extra: tuple[str, ...] = ()) -> list[str]:
    lines = _run(exe, str(path), "--lines", *extra)
    notes = {n["id"]: n for n in _run(exe, str(path), *extra)}
    line_of = {i: n["line"] for i, n in notes.items()}
    rows = [
        "| line | text | role | why | note | nearest | scope |",
        "|---|---|---|---|---|---|---|",
    ]
    for rec in lines:
        ids = [str(i) for i in rec["notes"]]  # type: ignore[attr-defined]
        note = notes.get(ids[0]) if ids and rec["role"] == "note" else None
        nearest = scope = ""
        if note is not None:
            scope_list = note["scope"]
            assert isinstance(scope_list, list)
            scope = " › ".join(str(s["text"]) for s in scope_list)
            if note["parent"]:
                nearest = f"↑ {line_of[note['parent']]}"
            else:
                above = [s for s in scope_list if s["line"] != note["line"]]
                nearest = f"§ {above[-1]['line']}" if above else ""
        shown = ", ".join(ids) if rec["role"] == "note" else ""
        text = str(rec["text"])
        rows.append(
            f"| {rec['line']} | `{_cell(text[:60])}` | {rec['role']} | {_cell(rec['why'])} "
            f"| {_cell(shown)} | {nearest} | {_cell(scope)} |"
        )
    return rows


def main() -> None:
    exe = _cli()
    parts = [INTRO]
    for name, title, prose in SECTIONS:
        path = EXAMPLES / name
        fence = "csv" if name.endswith(".csv") else "markdown" if name.endswith(".md") else "text"
        text = textwrap.fill(" ".join(prose.split()), 96, break_on_hyphens=False)
        parts += [f"## {title}", "", text, "", f"`docs/layouts/{name}`:", "", f"```{fence}"]
        parts += [path.read_text(encoding="utf-8").rstrip("\n"), "```", ""]
        parts += _rows(exe, path)
        parts.append("")
    word = HERE.parent / "tests" / "data" / "layouts" / "docs" / "word_table.docx"
    parts += [WORD, *_rows(exe, word), ""]
    (HERE / "layouts.md").write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {HERE / 'layouts.md'}")


if __name__ == "__main__":
    main()
