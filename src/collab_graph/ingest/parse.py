"""Old import path of the ingest stage, kept so that ``collab_graph.ingest.parse.load`` works.

New code imports from :mod:`collab_graph.ingest` itself.

Examples
--------
>>> from collab_graph.ingest import parse
>>> parse.load is __import__("collab_graph.ingest", fromlist=["load"]).load
True
"""

from __future__ import annotations

from collab_graph.ingest import (
    MAX_BYTES,
    SUPPORTED_SUFFIXES,
    ColumnMap,
    LoadOptions,
    decode,
    load,
    parse_csv,
    parse_docx,
    parse_file,
    parse_lines,
    parse_text,
)

__all__ = [
    "MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "ColumnMap",
    "LoadOptions",
    "decode",
    "load",
    "parse_csv",
    "parse_docx",
    "parse_file",
    "parse_lines",
    "parse_text",
]
