"""Stage 1, ingest: notes files in, :class:`~collab_graph.model.Note` records out.

Takes a ``.txt``, ``.md``, ``.docx`` or ``.csv`` file (or text), detects its
layout and gives a :class:`~collab_graph.model.ParseResult`: the workshop's
metadata, one note per bullet or paragraph with its provenance and scope, and
the role of every non-blank source line, so that nothing is lost.
"""

from __future__ import annotations
