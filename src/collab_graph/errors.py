"""The project's exception tree.

Every error that a user can cause derives from :class:`CollabGraphError`, so the
CLI and the app can turn it into one clear line (exit code 2) instead of a
traceback. Each subclass also derives from the matching built-in exception, so
callers that already catch ``ValueError`` or ``LookupError`` keep working.

Examples
--------
>>> from collab_graph.errors import ParseError
>>> err = ParseError("notes.txt: line 3: bullet before any text", path="notes.txt", line=3)
>>> isinstance(err, ValueError), err.line
(True, 3)
"""

from __future__ import annotations

__all__ = [
    "AgreementError",
    "CodebookError",
    "CollabGraphError",
    "ConfigError",
    "CurationError",
    "DataFileError",
    "ExportError",
    "InputFileError",
    "LimitError",
    "NoNotesError",
    "NotFoundError",
    "ParseError",
    "PortInUseError",
    "QueryCancelledError",
    "QueryError",
    "QueryLimitError",
    "QueryMemoryError",
    "QueryRowLimitError",
    "QueryTimeoutError",
    "ReviewError",
    "StoreAuthError",
    "StoreConflictError",
    "StoreError",
    "TrainingError",
]


class CollabGraphError(Exception):
    """Base class of every error collab-graph raises on purpose.

    Parameters
    ----------
    message : str
        One line that says what is wrong and, where it helps, what to do next.
    path : str, optional
        The file the error is about.
    line : int, optional
        The 1-based line (or .docx paragraph, or CSV record) the error is about.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        return self.message


class InputFileError(CollabGraphError, OSError):
    """A notes file is missing, empty, too large, binary, undecodable or of an unknown type."""


class LimitError(InputFileError):
    """A notes file is over an input limit (expanded size, lines or notes); the message names it."""


class ConfigError(CollabGraphError, ValueError):
    """A setting (an environment variable or option) has a value collab-graph cannot use."""


class PortInUseError(ConfigError):
    """The port asked for the app is already taken; the message suggests a free one."""


class ParseError(CollabGraphError, ValueError):
    """A notes document could not be turned into note records."""


class DataFileError(CollabGraphError, ValueError):
    """A data file (taxonomy, gazetteer, links, reviews, shapes) is malformed."""


class ReviewError(DataFileError):
    """An analyst review is invalid (unknown kind, theme or organisation)."""


class CurationError(CollabGraphError, ValueError):
    """An analyst's change to the taxonomy, gazetteer or links is invalid (unknown theme or
    organisation, empty label, keyword or rationale, wrong kind)."""


class TrainingError(DataFileError):
    """The kind model cannot be trained or compared on what there is (too few reviews or kinds)."""


class NotFoundError(CollabGraphError, LookupError):
    """Valid input, but nothing matched (CLI exit code 1)."""


class NoNotesError(NotFoundError):
    """A notes file has text, but every line of it is structure (titles, headings, metadata)."""


class QueryError(CollabGraphError, ValueError):
    """A query is malformed or not allowed (e.g. a SPARQL update)."""


class QueryLimitError(QueryError):
    """A query went over one of its limits and was stopped.

    ``limit`` names which one: ``time``, ``rows`` or ``memory`` (the values of
    :class:`collab_graph.rdf.worker.Limit`).

    Examples
    --------
    >>> err = QueryTimeoutError("the SPARQL query ran past its time limit of 2 s")
    >>> err.limit, isinstance(err, QueryError)
    ('time', True)
    """

    limit = ""


class QueryTimeoutError(QueryLimitError):
    """A query ran past its time limit."""

    limit = "time"


class QueryRowLimitError(QueryLimitError):
    """A query returned more rows than its row limit."""

    limit = "rows"


class QueryMemoryError(QueryLimitError):
    """A query needed more memory than its memory limit."""

    limit = "memory"


class QueryCancelledError(QueryError):
    """A running query was stopped because nobody waits for it any more (its session ended)."""


class ExportError(CollabGraphError, ValueError):
    """An export format is unknown or the export failed validation."""


class CodebookError(CollabGraphError, ValueError):
    """A REFI-QDA codebook cannot be read (not XML, not a codebook) or holds nothing to import."""


class AgreementError(CollabGraphError, ValueError):
    """Two codings cannot be compared (an input is no coding, or is ambiguous, or no note is
    in both)."""


class StoreError(CollabGraphError, RuntimeError):
    """A SPARQL store cannot be reached or answered with an error (the message names its URL)."""


class StoreAuthError(StoreError):
    """A SPARQL store refused the user and password (HTTP 401 or 403)."""


class StoreConflictError(StoreError):
    """A named graph to push already holds data and ``--replace`` was not given."""
