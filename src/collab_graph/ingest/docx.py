"""Word documents (.docx): paragraphs and tables, read like a text file.

``line`` counts the paragraphs of the document in order, the paragraphs inside
table cells included (row by row, cell by cell; an empty paragraph counts
too). Heading and Title styles are headings, list paragraphs (bullets and
numbering, or a ``List ...`` style) are list items nested by their level, and
tables are read by :mod:`.tables`.

Examples
--------
>>> from pathlib import Path
>>> data = Path(__file__).resolve().parents[3] / "tests" / "data" / "layout_word.docx"
>>> result = parse_docx(data) if data.exists() else None
>>> result is None or result.workshop.title == "Partnership workshop"
True
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from collab_graph.errors import InputFileError
from collab_graph.ingest.lines import Line, clean, tokenise
from collab_graph.ingest.tables import Cell, Table
from collab_graph.ingest.text import parse_lines
from collab_graph.model import ParseResult

__all__ = ["parse_docx"]


def parse_docx(path: Path, *, workshop: str | None = None) -> ParseResult:
    """Parse a Word document; list paragraphs are bullets, heading styles are headings.

    Parameters
    ----------
    path : Path
        The .docx file.
    workshop : str, optional
        Workshop slug; by default the slug of the file name.

    Returns
    -------
    ParseResult

    Raises
    ------
    InputFileError
        When the file is not a valid .docx.
    """
    from docx.opc.exceptions import OpcError

    try:
        lines, tables = _read(path)
    except (zipfile.BadZipFile, KeyError, ValueError, OpcError) as exc:
        raise InputFileError(
            f"{path}: is not a valid .docx file ({exc}); save it again from Word", path=str(path)
        ) from exc
    return parse_lines(lines, source=str(path), workshop=workshop, tables=tables)


class _Counter:
    """Numbers paragraphs in document order."""

    def __init__(self) -> None:
        self.no = 0

    def next(self) -> int:
        self.no += 1
        return self.no


def _read(path: Path) -> tuple[list[Line], list[Table]]:
    import docx  # python-docx; imported lazily to keep start-up fast
    from docx.oxml.ns import qn
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    counter = _Counter()
    lines: list[Line] = []
    tables: list[Table] = []

    def cell_paras(cell: Any) -> Iterator[tuple[int, str]]:
        for child in cell._tc.iterchildren():
            if child.tag == qn("w:p"):
                no = counter.next()
                text = Paragraph(child, cell).text
                if text.strip():
                    yield no, text.strip()
            elif child.tag == qn("w:tbl"):  # a table inside a cell: its paragraphs, in order
                for row in DocxTable(child, cell).rows:
                    for inner in _cells(row):
                        yield from cell_paras(inner)

    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            no = counter.next()
            para = Paragraph(child, document)
            tok = _line(no, para)
            if tok is not None:
                lines.append(tok)
        elif child.tag == qn("w:tbl"):
            rows: list[list[Cell]] = []
            for row in DocxTable(child, document).rows:
                cells = []
                for cell in _cells(row):
                    start = counter.no + 1
                    paras = tuple(cell_paras(cell))
                    cells.append(Cell(paras[0][0] if paras else start, paras))
                rows.append(cells)
            if rows:
                width = max(len(r) for r in rows)
                rows = [r + [Cell(r[-1].line if r else 0)] * (width - len(r)) for r in rows]
                tables.append(
                    Table(
                        header=rows[0],
                        rows=rows[1:],
                        row_lines=[r[0].line for r in rows[1:]],
                        header_line=rows[0][0].line,
                    )
                )
    return lines, tables


def _cells(row: Any) -> Iterator[Any]:
    """A row's cells, each merged cell once."""
    seen: set[int] = set()
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        yield cell


def _line(no: int, para: Any) -> Line | None:
    text = para.text
    if not text.strip():
        return None
    tok = tokenise(no, text)
    if tok is None:
        return None
    style = (para.style.name if para.style is not None else "") or ""
    ppr = para._p.pPr
    num_pr = ppr.numPr if ppr is not None else None
    if style.startswith("Heading") or style == "Title":
        level = int(style.split()[-1]) if style.split()[-1].isdigit() else 1
        tok.heading, tok.content, tok.mark, tok.letter = level, clean(text), "", None
        tok.item = tok.arrow = False
    elif num_pr is not None or "List" in style:
        ilvl_el = getattr(num_pr, "ilvl", None)
        named = re.search(r"List \w+ (\d)$", style)
        if ilvl_el is not None and ilvl_el.val is not None:
            ilvl = int(ilvl_el.val)
        else:  # style-based lists ("List Bullet 2") carry the level in the name
            ilvl = int(named.group(1)) - 1 if named else 0
        tok.list_item = tok.item = True
        tok.indent = 4 * ilvl + tok.indent
        tok.content_col = tok.indent + 2 + (tok.content_col - tok.indent if tok.mark else 0)
        if not tok.content:
            tok.content = text.strip()
    return tok
