"""Word documents (.docx): paragraphs and tables, read like a text file.

``line`` counts the paragraphs of the document in order, the paragraphs inside
table cells included (row by row, cell by cell; an empty paragraph counts
too). Heading and Title styles are headings, list paragraphs (bullets and
numbering, or a ``List ...`` style) are list items nested by their level, and
tables are read by :mod:`.tables`.

A .docx is untrusted input, read defensively: its zip members are unpacked
with a running count against the expanded-size limit (the zip's directory is
checked first, but not trusted), its paragraphs are counted against the line
limit before python-docx builds a single paragraph object, and anything
python-docx or lxml raise on a broken part (bad zip, bad XML, a missing or
wrong part, an odd attribute) becomes one :class:`~collab_graph.errors.InputFileError`
naming the file. See :mod:`.limits`.

Examples
--------
>>> from pathlib import Path
>>> data = Path(__file__).resolve().parents[3] / "tests" / "data" / "layout_word.docx"
>>> result = parse_docx(data) if data.exists() else None
>>> result is None or result.workshop.title == "Partnership workshop"
True
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collab_graph.errors import CollabGraphError, InputFileError
from collab_graph.ingest.limits import Limits
from collab_graph.ingest.lines import Line, clean, tokenise
from collab_graph.ingest.tables import Cell, Table
from collab_graph.ingest.text import parse_lines
from collab_graph.model import ParseResult

__all__ = ["parse_docx"]

#: Word's list levels run from 0 to 8; a file claiming more is clamped.
_MAX_LEVEL = 8


def parse_docx(
    path: Path, *, workshop: str | None = None, limits: Limits | None = None
) -> ParseResult:
    """Parse a Word document; list paragraphs are bullets, heading styles are headings.

    Parameters
    ----------
    path : Path
        The .docx file.
    workshop : str, optional
        Workshop slug; by default the slug of the file name.
    limits : Limits, optional
        Expanded-size and paragraph limits; by default those of the environment
        (:meth:`Limits.from_env`).

    Returns
    -------
    ParseResult

    Raises
    ------
    InputFileError
        When the file is not a valid .docx (any broken part).
    LimitError
        When it expands to more than the size limit, or has more paragraphs
        than the line limit.
    """
    limits = Limits.from_env() if limits is None else limits
    name = str(path)
    blocks = _extract(path, limits)
    lines, tables = _build(blocks)
    return parse_lines(lines, source=name, workshop=workshop, tables=tables)


# ---------------------------------------------------------------- reading (python-docx)


@dataclass(frozen=True, slots=True)
class _Para:
    """A body paragraph as read from the file: its number, text, style name and list level."""

    no: int
    text: str
    style: str
    level: int | None  # the numbering level (w:ilvl), or None
    numbered: bool  # the paragraph has numbering (w:numPr)


#: A body table: rows of cells, each its first paragraph's number and its non-empty paragraphs.
_Rows = list[list[tuple[int, tuple[tuple[int, str], ...]]]]

#: What python-docx, lxml and zipfile raise on a broken or hostile .docx; the library has no
#: error contract of its own, so each of these means "this part of the file is broken".
_BROKEN = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    ValueError,  # also UnicodeDecodeError and python-docx's InvalidXmlError
    TypeError,
    AttributeError,
    LookupError,
    NotImplementedError,  # an unsupported compression method
    RuntimeError,  # an encrypted member; RecursionError too
    OSError,
    SyntaxError,  # lxml's XMLSyntaxError
)


def _extract(path: Path, limits: Limits) -> list[_Para | _Rows]:
    """The document's body in order; every foreign error becomes an InputFileError."""
    from docx.opc.exceptions import OpcError  # python-docx; imported lazily for start-up
    from lxml.etree import LxmlError

    name = str(path)
    try:
        data = _unpack(path, limits)
        return _body(data, limits, name)
    except (CollabGraphError, PermissionError):
        raise  # a limit, or a file that cannot be read: the caller says so
    except (*_BROKEN, OpcError, LxmlError) as exc:
        why = str(exc).splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise InputFileError(
            f"{name}: is not a valid .docx file ({why}); save it again from Word", path=name
        ) from exc


def _unpack(path: Path, limits: Limits) -> bytes:
    """The file's members re-packed in memory, read with a running count of expanded bytes.

    The zip's directory states each member's expanded size; their sum is checked
    before anything is decompressed. It is not trusted: the bytes actually read are
    counted too, and reading stops as soon as they pass the limit.
    """
    name = str(path)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zf:
        members = {info.filename: info for info in zf.infolist() if not info.is_dir()}
        limits.check_expanded(sum(i.file_size for i in members.values()), name)
        total = 0
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as packed:
            for member, info in members.items():
                chunks = []
                with zf.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        total += len(chunk)
                        limits.check_expanded(total, name, partial=True)
                        chunks.append(chunk)
                packed.writestr(member, b"".join(chunks))
    return out.getvalue()


def _body(data: bytes, limits: Limits, name: str) -> list[_Para | _Rows]:
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    if body is None:
        raise ValueError("word/document.xml has no body")
    p_tag, tbl_tag = qn("w:p"), qn("w:tbl")
    limits.check_lines(sum(1 for _ in body.iter(p_tag)), name, unit="paragraphs")
    counter = _Counter()
    styles: dict[str | None, str] = {}
    blocks: list[_Para | _Rows] = []

    def cell_paras(cell: Any) -> Iterator[tuple[int, str]]:
        for child in cell._tc.iterchildren():
            if child.tag == p_tag:
                no = counter.next()
                text = Paragraph(child, cell).text
                if text.strip():
                    yield no, text.strip()
            elif child.tag == tbl_tag:  # a table inside a cell: its paragraphs, in order
                for row in DocxTable(child, cell).rows:
                    for inner in _cells(row):
                        yield from cell_paras(inner)

    for child in body.iterchildren():
        if child.tag == p_tag:
            no = counter.next()
            para = Paragraph(child, document)
            text = para.text
            if not text.strip():
                continue
            style_id = child.style
            if style_id not in styles:  # a style lookup is an XPath search: once per style
                style = para.style
                styles[style_id] = (style.name if style is not None else "") or ""
            ppr = child.pPr
            num_pr = ppr.numPr if ppr is not None else None
            ilvl = getattr(num_pr, "ilvl", None)
            level = ilvl.val if ilvl is not None else None
            blocks.append(_Para(no, text, styles[style_id], level, num_pr is not None))
        elif child.tag == tbl_tag:
            rows: _Rows = []
            for row in DocxTable(child, document).rows:
                cells = []
                for cell in _cells(row):
                    start = counter.no + 1
                    cells.append((start, tuple(cell_paras(cell))))
                rows.append(cells)
            blocks.append(rows)
    return blocks


class _Counter:
    """Numbers paragraphs in document order."""

    def __init__(self) -> None:
        self.no = 0

    def next(self) -> int:
        self.no += 1
        return self.no


def _cells(row: Any) -> Iterator[Any]:
    """A row's cells, each merged cell once."""
    seen: set[int] = set()
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        yield cell


# ---------------------------------------------------------------- building lines and tables


def _build(blocks: list[_Para | _Rows]) -> tuple[list[Line], list[Table]]:
    lines: list[Line] = []
    tables: list[Table] = []
    for block in blocks:
        if isinstance(block, _Para):
            tok = _line(block)
            if tok is not None:
                lines.append(tok)
            continue
        rows = [[Cell(paras[0][0] if paras else start, paras) for start, paras in r] for r in block]
        rows = [r for r in rows if r]
        if rows:
            width = max(len(r) for r in rows)
            rows = [r + [Cell(r[-1].line)] * (width - len(r)) for r in rows]
            tables.append(
                Table(
                    header=rows[0],
                    rows=rows[1:],
                    row_lines=[r[0].line for r in rows[1:]],
                    header_line=rows[0][0].line,
                )
            )
    return lines, tables


def _line(para: _Para) -> Line | None:
    text = para.text
    tok = tokenise(para.no, text)
    if tok is None:
        return None
    style = para.style
    if style.startswith("Heading") or style == "Title":
        last = style.split()[-1] if style.split() else ""
        level = min(max(int(last), 1), 9) if last.isdigit() else 1
        tok.heading, tok.content, tok.mark, tok.letter = level, clean(text), "", None
        tok.item = tok.arrow = False
    elif para.numbered or "List" in style:
        named = re.search(r"List \w+ (\d)$", style)
        # style-based lists ("List Bullet 2") carry the level in the name
        ilvl = para.level if para.level is not None else int(named.group(1)) - 1 if named else 0
        ilvl = min(max(ilvl, 0), _MAX_LEVEL)
        tok.list_item = tok.item = True
        tok.indent = 4 * ilvl + tok.indent
        tok.content_col = tok.indent + 2 + (tok.content_col - tok.indent if tok.mark else 0)
        if not tok.content:
            tok.content = text.strip()
    return tok
