"""Bytes to text, and text to numbered lines, as an editor counts them.

Examples
--------
>>> text, warnings = decode(b"\\xef\\xbb\\xbfGroup 1\\r\\n- a\\rb")
>>> split_lines(text)
['Group 1', '- a', 'b']
"""

from __future__ import annotations

from collab_graph.errors import InputFileError

__all__ = ["decode", "split_lines"]


def decode(data: bytes, *, path: str = "<text>") -> tuple[str, list[str]]:
    """Decode file bytes: UTF-8 (with or without BOM) first, then cp1252 with a warning.

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
        One warning when cp1252 had to be used.

    Raises
    ------
    InputFileError
        When the bytes look binary or decode as neither UTF-8 nor cp1252.

    Examples
    --------
    >>> decode("Caf\\u00e9".encode("cp1252"), path="n.txt")
    ('Café', ['n.txt: not valid UTF-8; decoded as Windows-1252 (cp1252) instead'])
    """
    if b"\x00" in data[:8192]:
        raise InputFileError(
            f"{path}: looks like a binary file, not text notes (it contains NUL bytes)",
            path=path,
        )
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc2:
            raise InputFileError(
                f"{path}: line {line}: cannot decode the file as UTF-8 or Windows-1252; "
                "save it as UTF-8 and try again",
                path=path,
                line=line,
            ) from exc2
        return text, [f"{path}: not valid UTF-8; decoded as Windows-1252 (cp1252) instead"]


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
