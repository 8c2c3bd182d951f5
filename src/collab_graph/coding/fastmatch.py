"""Faster big alternations: the same matches as ``(?:(p1)|(p2)|...)``, found sooner.

Python's :mod:`re` tries the alternatives of an alternation one after the
other at every position where the alternation may start. With hundreds of cue
phrases or organisation aliases that is hundreds of failed attempts at every
word of every note. :func:`dispatch_alternation` rewrites such an
alternation so that the first character of the text picks a short list of
alternatives first (``(?=[sS])(?:...)``), keeping their original order, so the
compiled pattern finds exactly the same matches, with the same groups, in the
same order.

Why the result is the same: an alternative whose pattern starts with a literal
character can only match where the text has a character that this literal
matches (under the flags in force). Alternatives are put in the bucket of the
case-insensitive class of that character; alternatives that do not start with
a plain literal go into every bucket and into a final catch-all. At any
position at most one bucket's look-ahead succeeds, and that bucket lists, in
the original order, every alternative that can match there; backtracking into
later buckets only meets failing look-aheads or alternatives that already failed
at this position. So the first alternative that leads to an overall match is the
same as in the plain alternation.

Examples
--------
>>> parts = ["(day job)", "((?i:no time))", "(time)", "(\\\\w+ time)"]
>>> body, group_of = dispatch_alternation(parts)
>>> rx = re.compile(f"(?<!\\\\w)(?:{body})(?!\\\\w)")
>>> [(m.group(), group_of[m.lastindex]) for m in rx.finditer("Day job – No time, day job")]
[('No time', 1), ('day job', 0)]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["dispatch_alternation", "first_literal"]

_SPECIAL = frozenset(".^$*+?{}[]\\|()")
_QUANTIFIERS = frozenset("*+?{")


def first_literal(pattern: str) -> str | None:
    """The literal character every match of ``pattern`` starts with, or None if unsure.

    Only a plain or backslash-escaped punctuation character, not followed by a
    quantifier, counts; anything else (classes, groups, escapes such as ``\\w``,
    optional characters) gives None. A single capturing or ``(?i:``/``(?-i:``
    group around the start is looked into.

    Examples
    --------
    >>> first_literal("day job"), first_literal(r"\\.?x"), first_literal(r"(?i:N\\.?LAN)")
    ('d', None, 'N')
    >>> first_literal(r"\\&x"), first_literal(r"\\w+"), first_literal("a?b")
    ('&', None, None)
    """
    p = pattern
    while True:
        if p.startswith("((") or p.startswith("(?:"):
            p = p[1:] if p.startswith("((") else p[3:]
        elif p.startswith("(?i:") or p.startswith("(?-i:"):
            p = p[p.index(":") + 1 :]
        elif p.startswith("(") and not p.startswith("(?"):
            p = p[1:]
        else:
            break
    if not p:
        return None
    if p[0] == "\\":
        if len(p) < 2 or p[1].isalnum() or p[1] == "_":
            return None
        char, rest = p[1], p[2:]
    elif p[0] in _SPECIAL:
        return None
    else:
        char, rest = p[0], p[1:]
    if rest[:1] in _QUANTIFIERS and rest[:1] != "":
        return None
    return char


def _classes(chars: Sequence[str]) -> dict[str, int]:
    """Group characters that match each other case-insensitively (union-find)."""
    parent = list(range(len(chars)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(chars):
        for j in range(i):
            b = chars[j]
            if re.fullmatch(f"(?i:{re.escape(a)})", b) or re.fullmatch(f"(?i:{re.escape(b)})", a):
                parent[root(i)] = root(j)
    return {c: root(i) for i, c in enumerate(chars)}


def dispatch_alternation(parts: Sequence[str]) -> tuple[str, list[int]]:
    """Rewrite the alternation ``|``.join(parts) to dispatch on its first character.

    Parameters
    ----------
    parts : sequence of str
        The alternatives, in priority order. Each must hold exactly one
        capturing group (typically the whole alternative, ``(...)``), as callers
        find the alternative that matched from ``Match.lastindex``.

    Returns
    -------
    (str, list of int)
        The new alternation body, to be used where ``"|".join(parts)`` was
        (inside a non-capturing group), and for each capturing group number of
        the body (1-based, index 0 unused) the index of its part in ``parts``.
        An alternative may appear in several buckets, so several group numbers
        can map to one part.

    Examples
    --------
    >>> body, group_of = dispatch_alternation(["(ab)", "(b)", "(\\\\d)"])
    >>> [group_of[m.lastindex] for m in re.finditer(f"(?:{body})", "ab 1 b")]
    [0, 2, 1]
    """
    firsts = [first_literal(p) for p in parts]
    known = sorted({c for c in firsts if c is not None})
    cls = _classes(known)
    buckets: dict[int, list[int]] = {}
    for i, c in enumerate(firsts):
        if c is None:
            for b in buckets.values():
                b.append(i)
            continue
        buckets.setdefault(cls[c], [j for j in range(i) if firsts[j] is None]).append(i)
    members: dict[int, list[str]] = {}
    for c in known:
        members.setdefault(cls[c], []).append(c)
    unknown = [i for i, c in enumerate(firsts) if c is None]
    # Late buckets must also hold the unknown alternatives that come after their
    # last known member; the loop above appended them as they came.
    out: list[str] = []
    group_of = [-1]
    for key in sorted(buckets, key=lambda k: min(buckets[k])):
        chars = "".join(re.escape(c) for c in members[key])
        look = f"(?=(?i:[{chars}]))" if len(members[key]) > 1 else f"(?=(?i:{chars}))"
        out.append(f"{look}(?:{'|'.join(parts[i] for i in buckets[key])})")
        group_of.extend(buckets[key])
    if unknown:
        out.append("|".join(parts[i] for i in unknown))
        group_of.extend(unknown)
    return "|".join(out), group_of
