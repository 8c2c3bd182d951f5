"""Stage 1, ingest: notes files in, :class:`~collab_graph.model.Note` records out.

Takes a ``.txt``, ``.md``, ``.docx`` or ``.csv`` file (or text) and gives a
:class:`~collab_graph.model.ParseResult`: the workshop's metadata (title,
question texts, prompt topics), one :class:`~collab_graph.model.Note` per
point made (a list item, a paragraph, a table cell or row, a board card) with
its line, its parent note and its ``scope`` (the headings, questions, prompts
and labels above it), and the role of every non-blank source line (a note,
a continuation, or structure and why), so that nothing is lost.

Modules, in the order a file goes through them:

* :mod:`.load`: checks a file and picks the reader for its suffix;
* :mod:`.limits`: how much one file may hold (expanded size, lines, notes);
* :mod:`.decode`: bytes to text, text to lines as an editor counts them;
* :mod:`.lines`: one line tokenised (indent, list mark, heading level);
* :mod:`.cues`: what a line's text looks like (residue, link, metadata, label);
* :mod:`.markers`: group and question markers;
* :mod:`.text`: the reading of a document's lines, shared by every text layout;
* :mod:`.paragraphs`: where a note starts and ends (wrapped lines, one point per line);
* :mod:`.scope`: the open scopes and stable note ids;
* :mod:`.tables`: Markdown and Word tables;
* :mod:`.docx`: Word documents;
* :mod:`.boards`: spreadsheets and sticky-note board exports.

Examples
--------
>>> from collab_graph.ingest import parse_text
>>> r = parse_text("# Retro\\n\\n**Pluses**\\n- Great dinner\\n    - +1\\n", source="r.md")
>>> [(n.id, n.text, [s.text for s in n.scope]) for n in r.notes]
[('pluses-1', 'Great dinner', ['Retro', 'Pluses'])]
"""

from __future__ import annotations

from collab_graph.ingest.boards import ColumnMap, parse_csv
from collab_graph.ingest.decode import decode, split_lines
from collab_graph.ingest.docx import parse_docx
from collab_graph.ingest.limits import MAX_EXPANDED_ENV, MAX_LINES_ENV, MAX_NOTES_ENV, Limits
from collab_graph.ingest.load import (
    MAX_BYTES,
    SUPPORTED_SUFFIXES,
    LoadOptions,
    load,
    parse_file,
    require_notes,
)
from collab_graph.ingest.text import parse_lines, parse_text

__all__ = [
    "MAX_BYTES",
    "MAX_EXPANDED_ENV",
    "MAX_LINES_ENV",
    "MAX_NOTES_ENV",
    "SUPPORTED_SUFFIXES",
    "ColumnMap",
    "Limits",
    "LoadOptions",
    "decode",
    "load",
    "parse_csv",
    "parse_docx",
    "parse_file",
    "parse_lines",
    "parse_text",
    "require_notes",
    "split_lines",
]
