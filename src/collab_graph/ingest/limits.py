"""Limits on what one notes file may hold, so that no file can take the machine.

Three limits apply to every file, each with a default and an environment
variable that changes it:

* ``max_expanded_bytes`` (``COLLAB_GRAPH_MAX_EXPANDED_MB``, default 50 MB): the
  size a .docx expands to once unzipped, checked against the zip's own
  directory before anything is read, and against the bytes actually read;
* ``max_lines`` (``COLLAB_GRAPH_MAX_LINES``, default 100,000): lines of a text
  or CSV file, paragraphs of a .docx, checked before the file is parsed;
* ``max_notes`` (``COLLAB_GRAPH_MAX_NOTES``, default 50,000): notes one file
  gives, checked for every reader (.txt, .md, .docx, .csv).

A file over a limit gives a :class:`~collab_graph.errors.LimitError` (exit 2)
naming the file, the limit and the variable that raises it.

Examples
--------
>>> Limits.from_env({MAX_NOTES_ENV: "100"}).max_notes
100
>>> from collab_graph.errors import LimitError
>>> try:
...     Limits().check_notes(60_000, "big.txt")
... except LimitError as exc:
...     print(*str(exc).split("; "), sep="\\n")
big.txt: has 60,000 notes
the limit is 50,000 notes per file (set COLLAB_GRAPH_MAX_NOTES to change it)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from collab_graph.errors import ConfigError, LimitError

__all__ = [
    "DEFAULT_MAX_EXPANDED_BYTES",
    "DEFAULT_MAX_LINES",
    "DEFAULT_MAX_NOTES",
    "MAX_EXPANDED_ENV",
    "MAX_LINES_ENV",
    "MAX_NOTES_ENV",
    "Limits",
]

#: Environment variable: notes per file.
MAX_NOTES_ENV = "COLLAB_GRAPH_MAX_NOTES"
#: Environment variable: lines (text, CSV) or paragraphs (.docx) per file.
MAX_LINES_ENV = "COLLAB_GRAPH_MAX_LINES"
#: Environment variable: megabytes a .docx may expand to once unzipped.
MAX_EXPANDED_ENV = "COLLAB_GRAPH_MAX_EXPANDED_MB"

DEFAULT_MAX_NOTES = 50_000
DEFAULT_MAX_LINES = 100_000
DEFAULT_MAX_EXPANDED_BYTES = 50 * 1024 * 1024

_MB = 1024 * 1024


def _mb(size: int) -> str:
    """A size in MB as people write it: ``50``, ``61.3``, ``0.01``."""
    if size % _MB == 0:
        return str(size // _MB)
    return f"{size / _MB:.1f}" if size >= _MB else f"{size / _MB:.2g}"


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one notes file may hold.

    Attributes
    ----------
    max_notes : int
        Notes per file.
    max_lines : int
        Lines of a text or CSV file, paragraphs of a .docx (table cells' included).
    max_expanded_bytes : int
        Bytes a .docx may expand to once unzipped.

    Examples
    --------
    >>> try:
    ...     Limits(max_lines=10).check_lines(11, "n.txt")
    ... except LimitError as exc:
    ...     print(*str(exc).split("; "), sep="\\n")
    n.txt: has 11 lines
    the limit is 10 lines per file (set COLLAB_GRAPH_MAX_LINES to change it)
    """

    max_notes: int = DEFAULT_MAX_NOTES
    max_lines: int = DEFAULT_MAX_LINES
    max_expanded_bytes: int = DEFAULT_MAX_EXPANDED_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The limits, with any set in the environment in place of the defaults.

        Parameters
        ----------
        environ : mapping, optional
            Where to look; ``os.environ`` by default. An empty value means unset.

        Returns
        -------
        Limits

        Raises
        ------
        ConfigError
            A value that is not a positive number.

        Examples
        --------
        >>> Limits.from_env({MAX_EXPANDED_ENV: "1.5"}).max_expanded_bytes
        1572864
        >>> Limits.from_env({MAX_LINES_ENV: "lots"})
        Traceback (most recent call last):
        ...
        collab_graph.errors.ConfigError: COLLAB_GRAPH_MAX_LINES='lots': not a positive whole number
        """
        env = os.environ if environ is None else environ
        notes = _positive(env, MAX_NOTES_ENV)
        lines = _positive(env, MAX_LINES_ENV)
        raw = env.get(MAX_EXPANDED_ENV, "").strip()
        expanded = DEFAULT_MAX_EXPANDED_BYTES
        if raw:
            try:
                megabytes = float(raw)
            except ValueError:
                megabytes = -1.0
            if not 0 < megabytes < 1e9:
                raise ConfigError(f"{MAX_EXPANDED_ENV}={raw!r}: not a positive number of MB")
            expanded = max(1, int(megabytes * _MB))
        return cls(
            max_notes=DEFAULT_MAX_NOTES if notes is None else notes,
            max_lines=DEFAULT_MAX_LINES if lines is None else lines,
            max_expanded_bytes=expanded,
        )

    def check_notes(self, count: int, path: str) -> None:
        """Refuse a file that gave more than :attr:`max_notes` notes."""
        if count > self.max_notes:
            raise LimitError(
                f"{path}: has {count:,} notes; the limit is {self.max_notes:,} notes per file "
                f"(set {MAX_NOTES_ENV} to change it)",
                path=path,
            )

    def check_lines(self, count: int, path: str, *, unit: str = "lines") -> None:
        """Refuse a file of more than :attr:`max_lines` lines (``unit``: what is counted)."""
        if count > self.max_lines:
            raise LimitError(
                f"{path}: has {count:,} {unit}; the limit is {self.max_lines:,} {unit} per file "
                f"(set {MAX_LINES_ENV} to change it)",
                path=path,
            )

    def check_expanded(self, size: int, path: str, *, partial: bool = False) -> None:
        """Refuse a .docx that expands to more than :attr:`max_expanded_bytes` bytes.

        Parameters
        ----------
        size : int
            Bytes it expands to (``partial``: bytes read so far).
        path : str
            The file, for the message.
        partial : bool
            Whether reading stopped at ``size``, so the whole is larger still.

        Examples
        --------
        >>> try:
        ...     Limits(max_expanded_bytes=10_000).check_expanded(2**21, "z.docx")
        ... except LimitError as exc:
        ...     print(*str(exc).split("; "), sep="\\n")
        z.docx: expands to 2 MB when unzipped
        the limit is 0.0095 MB (set COLLAB_GRAPH_MAX_EXPANDED_MB to change it)
        """
        if size > self.max_expanded_bytes:
            more = " or more" if partial else ""
            raise LimitError(
                f"{path}: expands to {_mb(size)} MB{more} when unzipped; the limit is "
                f"{_mb(self.max_expanded_bytes)} MB (set {MAX_EXPANDED_ENV} to change it)",
                path=path,
            )


def _positive(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigError(f"{name}={raw!r}: not a positive whole number")
    return value
