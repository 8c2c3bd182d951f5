"""Files in, parse results out: size and type checks, decoding, and the reader per suffix.

Examples
--------
>>> [r.workshop.slug for r in load()]
['collaborative-innovation-workshop']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from slugify import slugify

from collab_graph.bulk import paused_gc
from collab_graph.errors import InputFileError, NoNotesError
from collab_graph.ingest.boards import ColumnMap, parse_csv
from collab_graph.ingest.decode import decode
from collab_graph.ingest.docx import parse_docx
from collab_graph.ingest.limits import Limits
from collab_graph.ingest.text import parse_text
from collab_graph.model import ParseResult
from collab_graph.resources import default_notes

__all__ = ["MAX_BYTES", "SUPPORTED_SUFFIXES", "LoadOptions", "load", "parse_file", "require_notes"]

#: Files larger than this are refused (20 MB).
MAX_BYTES = 20 * 1024 * 1024
#: File name suffixes collab-graph can read.
SUPPORTED_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".docx", ".csv")


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How to read notes files; every command that reads files can take one.

    Attributes
    ----------
    columns : ColumnMap or None
        Which CSV columns hold the note and its scope (``--columns``); by
        default they are found by their header names.
    limits : Limits
        How much one file may hold (expanded size, lines, notes); by default
        the limits of the environment, read when the options are made
        (:meth:`Limits.from_env`), so they are part of the options' cache key.

    Examples
    --------
    >>> LoadOptions(columns=ColumnMap.parse("note=Card,scope=Column")).columns.scope
    ('Column',)
    >>> LoadOptions(limits=Limits(max_notes=10)).limits.max_notes
    10
    """

    columns: ColumnMap | None = None
    limits: Limits = field(default_factory=Limits.from_env)


def parse_file(
    path: str | Path, *, workshop: str | None = None, options: LoadOptions | None = None
) -> ParseResult:
    """Read and parse one notes file (.txt, .md, .docx or .csv).

    Parameters
    ----------
    path : str or Path
        The notes file.
    workshop : str, optional
        Workshop slug; by default the slug of the file name.
    options : LoadOptions, optional
        How to read it (e.g. CSV columns).

    Returns
    -------
    ParseResult

    Raises
    ------
    InputFileError
        Missing, unreadable, empty, over 20 MB, binary, undecodable, or an
        unsupported extension.
    LimitError
        Over a limit of ``options.limits``: a .docx that expands too far, too
        many lines (paragraphs) or too many notes.
    ParseError
        The file's content cannot be turned into notes.

    Examples
    --------
    >>> from collab_graph.resources import default_notes
    >>> len(parse_file(default_notes()).notes)
    239
    """
    p = Path(path)
    name = str(path)
    limits = options.limits if options is not None else Limits.from_env()
    suffix = p.suffix.lower()
    if not p.exists():
        raise InputFileError(f"{name}: no such file", path=name)
    if p.is_dir():
        raise InputFileError(f"{name}: is a folder, not a notes file", path=name)
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError(
            f"{name}: unsupported file type {suffix or '(no extension)'!r}; "
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}",
            path=name,
        )
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputFileError(
                f"{name}: is {size / 1e6:.1f} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB",
                path=name,
            )
        if size == 0:
            raise InputFileError(f"{name}: is empty", path=name)
        if suffix == ".docx":
            result = parse_docx(p, workshop=workshop, limits=limits)
            limits.check_notes(len(result.notes), name)
            return result
        data = p.read_bytes()
    except PermissionError as exc:
        raise InputFileError(f"{name}: cannot be read (permission denied)", path=name) from exc
    except OSError as exc:
        if isinstance(exc, InputFileError):
            raise
        raise InputFileError(f"{name}: cannot be read ({exc.strerror or exc})", path=name) from exc
    text, warnings = decode(data, path=name)
    if not text.strip():
        raise InputFileError(f"{name}: is empty (only white space)", path=name)
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    limits.check_lines(breaks + (not text.endswith(("\n", "\r"))), name)
    if suffix == ".csv":
        columns = options.columns if options is not None else None
        result = parse_csv(text, source=name, workshop=workshop, columns=columns)
    else:
        result = parse_text(text, source=name, workshop=workshop)
    limits.check_notes(len(result.notes), name)
    if warnings:
        result = ParseResult(
            result.workshop, result.notes, result.lines, (*warnings, *result.warnings)
        )
    return result


def load(
    paths: Sequence[str | Path] = (),
    *,
    progress: Callable[[int, int, Path], None] | None = None,
    options: LoadOptions | None = None,
) -> list[ParseResult]:
    """Parse several notes files into one list; no paths means the bundled workshop.

    Workshop slugs are made unique (``-2``, ``-3`` ...) when two files would share one.

    Parameters
    ----------
    paths : sequence of str or Path
        Notes files; empty means the bundled workshop.
    progress : callable, optional
        Called as ``progress(done, total, path)`` after each file, e.g. to drive
        a progress bar on long runs.
    options : LoadOptions, optional
        How to read the files (e.g. CSV columns).

    Returns
    -------
    list of ParseResult

    Examples
    --------
    >>> [len(r.notes) for r in load()]
    [239]
    """
    chosen = list(paths) or [default_notes()]
    results: list[ParseResult] = []
    used: set[str] = set()
    with paused_gc():
        for path in chosen:
            slug = slugify(Path(path).stem) or "workshop"
            unique, k = slug, 1
            while unique in used:
                k += 1
                unique = f"{slug}-{k}"
            used.add(unique)
            results.append(parse_file(path, workshop=unique, options=options))
            if progress is not None:
                progress(len(results), len(chosen), Path(path))
    return results


def require_notes(results: Sequence[ParseResult]) -> None:
    """Raise :class:`NoNotesError` when the parsed files hold text but not one note.

    An empty file never gets here (it is bad input, :class:`InputFileError`); a
    file whose every line is a title, heading or metadata parses, but has nothing
    to code: valid input in which nothing was found.

    Examples
    --------
    >>> from collab_graph.ingest import parse_text
    >>> require_notes([parse_text("# Title\\n\\n- a note\\n", source="a.md")])
    >>> require_notes([parse_text("# Title\\n\\n## Heading\\n", source="b.md")])
    Traceback (most recent call last):
    ...
    collab_graph.errors.NoNotesError: b.md: no notes found: its 2 lines of text are all ...
    """
    if any(r.notes for r in results):
        return
    parts = []
    for r in results:
        n = len(r.lines)
        parts.append(f"{r.workshop.source}: no notes found: its {n} lines of text are all")
    raise NoNotesError(
        "; ".join(parts) + " structure (titles, headings, metadata); "
        "see each line's role with `collab-graph parse FILE --lines`"
    )
