"""Bytes to text, and text to numbered lines, as an editor counts them.

Examples
--------
>>> text, warnings = decode(b"\\xef\\xbb\\xbfGroup 1\\r\\n- a\\rb")
>>> split_lines(text)
['Group 1', '- a', 'b']
"""

from __future__ import annotations

import codecs
import re

from collab_graph.errors import InputFileError

__all__ = ["decode", "split_lines"]

_BREAK_RE = re.compile(rb"(\r\n|\r|\n)")


def decode(data: bytes, *, path: str = "<text>") -> tuple[str, list[str]]:
    """Decode file bytes: UTF-8 (with or without BOM), and cp1252 for any line that is not.

    A file is decoded as UTF-8 when it all is. Otherwise each line is decoded on
    its own: as UTF-8 where it is valid UTF-8, else as Windows-1252 (cp1252),
    the encoding of files saved by older Windows tools. So a file that mixes
    the two (a UTF-8 file with lines pasted from a cp1252 one) keeps every line
    readable, and a warning names the lines decoded as cp1252.

    Parameters
    ----------
    data : bytes
        The file's contents.
    path : str
        Name used in messages.

    Returns
    -------
    text : str
        The decoded text without a BOM.
    warnings : list of str
        One warning naming the lines decoded as cp1252, if any.

    Raises
    ------
    InputFileError
        When the bytes hold a NUL byte anywhere (a binary file), or a line
        decodes as neither UTF-8 nor cp1252; the message names the line.

    Examples
    --------
    >>> decode("Caf\\u00e9".encode("cp1252"), path="n.txt")
    ('Café', ['n.txt: line 1 is not valid UTF-8; decoded as Windows-1252 (cp1252) instead'])
    >>> decode("Caf\\u00e9\\n".encode() + "Caf\\u00e9".encode("cp1252"), path="m.txt")[0]
    'Café\\nCafé'
    """
    nul = data.find(b"\x00")
    if nul != -1:
        line = _line_of(data, nul)
        raise InputFileError(
            f"{path}: line {line}: looks like a binary file, not text notes "
            "(it contains NUL bytes)",
            path=path,
            line=line,
        )
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    # UTF-8 never uses the bytes of CR or LF inside a character, so lines split safely as bytes
    pieces = _BREAK_RE.split(data)
    out: list[str] = []
    fallback: list[int] = []
    for k, piece in enumerate(pieces):
        if k % 2:  # a line break, kept as it was
            out.append(piece.decode("ascii"))
            continue
        try:
            out.append(piece.decode("utf-8"))
        except UnicodeDecodeError:
            line = k // 2 + 1
            try:
                out.append(piece.decode("cp1252"))
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    f"{path}: line {line}: cannot decode the line as UTF-8 or Windows-1252; "
                    "save the file as UTF-8 and try again",
                    path=path,
                    line=line,
                ) from exc
            fallback.append(line)
    shown = ", ".join(str(n) for n in fallback[:10])
    more = f" and {len(fallback) - 10} more" if len(fallback) > 10 else ""
    which = f"line {shown} is" if len(fallback) == 1 else f"lines {shown}{more} are"
    return "".join(out), [
        f"{path}: {which} not valid UTF-8; decoded as Windows-1252 (cp1252) instead"
    ]


def _line_of(data: bytes, offset: int) -> int:
    """The 1-based line of a byte offset, counting LF, CRLF and CR as editors do."""
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def split_lines(text: str) -> list[str]:
    """Split text into lines at ``\\n``, ``\\r\\n`` and ``\\r`` only.

    ``str.splitlines`` also breaks at U+2028, U+2029, U+0085, form feeds and
    more, so its line numbers drift from the ones an editor shows; here those
    characters stay inside their line.

    Parameters
    ----------
    text : str
        The document.

    Returns
    -------
    list of str
        Line 1 first; a final line break gives a last empty line.

    Examples
    --------
    >>> split_lines("a\\u2028b\\x0cc\\r\\nd\\re")
    ['a\\u2028b\\x0cc', 'd', 'e']
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
