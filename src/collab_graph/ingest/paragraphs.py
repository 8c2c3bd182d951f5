"""Where a note starts and ends: wrapped lines, continuations and one point per line.

People write a point per line, or hard-wrap their text at a fixed column, or let
a long line run; a list item may hang its wrapped text under its first word.
These functions tell which: :func:`wrap_width` finds the column a document is
hard-wrapped at (if it is), :func:`continues_item` says whether a plain line
carries on the list item above it, and :func:`split_units` splits a run of
plain lines into notes.

Examples
--------
>>> from collab_graph.ingest.lines import tokenise
>>> run = [tokenise(1, "Contributor Experience"), tokenise(2, "Nobody reviewed it"),
...        tokenise(3, "PRs are lacking process")]
>>> [[ln.no for ln in unit] for unit in split_units(run)]
[[1], [2], [3]]
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from collab_graph.ingest import cues
from collab_graph.ingest.lines import Line

__all__ = ["continues_item", "fits_wrap", "split_units", "width", "wrap_width"]

WRAP_MIN, WRAP_MAX = 50, 100  # the widths at which editors hard-wrap text
_JOINING_WORDS = frozenset(
    """a an the and or but nor of to in on at by for with from into onto than that which who
    whom whose as if so because while when where whether is are was were be been being has
    have had not also its their our your his her this these those such e.g. i.e. via per""".split()
)


def width(ln: Line) -> int:
    """The column a line ends at (its indentation and its text).

    Examples
    --------
    >>> from collab_graph.ingest.lines import tokenise
    >>> width(tokenise(1, "  - two words"))
    13
    """
    return ln.indent + len(ln.raw)


def fits_wrap(a: Line, b: Line, column: int) -> bool:
    """Whether ``a`` was broken because ``b``'s first word did not fit within ``column``.

    Examples
    --------
    >>> from collab_graph.ingest.lines import tokenise
    >>> fits_wrap(tokenise(1, "the cat sat on the"), tokenise(2, "mat"), 20)
    True
    """
    return width(a) + 1 + len(cues.first_word(b.content)) > column


def _mid_sentence(a: str, b: str) -> bool:
    """Whether a line break between ``a`` and ``b`` falls inside a sentence."""
    return not a.rstrip().endswith((".", "!", "?", ":", ";")) or cues.starts_lower(b)


def wrap_width(lines: Sequence[Line]) -> int | None:
    """The column a document is hard-wrapped at, or None when it is not hard-wrapped.

    The evidence is the lines broken inside a sentence: in a hard-wrapped
    document most of them end a little before one column (50 to 100), and the
    next line mostly runs on in lower case; in one written a point per line
    their lengths vary and each line starts afresh.

    Parameters
    ----------
    lines : sequence of Line
        The document's plain lines (no list items or headings), in order.

    Returns
    -------
    int or None

    Examples
    --------
    >>> from collab_graph.ingest.lines import tokenise
    >>> text = ["The roundtable was called by the planning partnership and the",
    ...         "city after a review found that people in crisis were being",
    ...         "passed between services.", "", "Around a third of incidents attended",
    ...         "by the police now involve someone in distress, often at night",
    ...         "and at weekends, the review said."]
    >>> wrap_width([t for n, r in enumerate(text) if (t := tokenise(n + 1, r))])
    61
    """
    pairs = [
        (a, b)
        for a, b in pairwise(lines)
        if b.no == a.no + 1
        and width(a) <= WRAP_MAX
        and "](" not in a.raw  # a link's address makes a line longer than the text it shows
        and _mid_sentence(a.content, b.content)
    ]
    if len(pairs) < 3:
        return None
    # prose runs on in lower case after most breaks; points written one per line do not
    running = sum(1 for a, b in pairs if cues.starts_lower(b.content) or _joins_word(a.content))
    if running * 10 < len(pairs) * 4:
        return None
    widths = sorted(width(a) for a, _ in pairs)
    column = widths[(len(widths) - 1) * 9 // 10]  # the top few may overrun (a long word)
    band = max(12, column * 18 // 100)
    near = sum(1 for w in widths if column - band <= w <= column + 3)
    over = sum(1 for w in widths if w > column + 3)
    wrapped = column >= WRAP_MIN and near * 10 >= len(widths) * 6 and over * 10 <= len(widths)
    if not wrapped:
        return None
    return widths[-1] if over == 0 else column


def _joins_word(text: str) -> bool:
    """Whether a line ends where a sentence cannot (``and``, ``the``, a comma, a hyphen)."""
    t = text.rstrip()
    if t.endswith((",", "-", "–", "(", "/", "&")):
        return True
    last = t.rsplit(None, 1)[-1].lower() if t else ""
    return last in _JOINING_WORDS


def continues_item(unit: list[Line], item: Line, nxt: Line, wrap: int | None = None) -> bool:
    """Whether a plain line carries on the list item above it (a wrapped item).

    It does when it starts in lower case, when it hangs under the item's text
    and the item has not ended its sentence, or when the document is
    hard-wrapped at ``wrap`` and the item's line was full.

    Examples
    --------
    >>> from collab_graph.ingest.lines import tokenise
    >>> item = tokenise(4, "- Citizens only had to tell their story once across the")
    >>> continues_item([item], item, tokenise(5, "  council and NHS forms"))
    True
    >>> continues_item([item], item, tokenise(5, "Challenges"))
    False
    """
    t = nxt.content
    if cues.qa_prefix(t):
        return False
    kind = cues.label_kind(t)
    if kind == "colon" or (kind is not None and nxt.indent <= item.indent):
        return False
    prev = unit[-1]
    prev_text = prev.content
    if cues.starts_lower(t):
        return True
    if wrap is not None and nxt.indent >= item.content_col:
        return True  # a hard-wrapped document: text hanging under the item's text is its own
    if (
        nxt.indent > item.indent
        and not cues.ends_sentence(prev_text)
        and not prev_text.endswith(":")
    ):
        return True
    return wrap is not None and fits_wrap(prev, nxt, wrap)


def split_units(block: list[Line], wrap: int | None = None) -> list[list[Line]]:
    """Split a run of plain lines into notes: wrapped paragraphs, or one point per line.

    Where the document is hard-wrapped (at ``wrap``, or a run of three or more
    lines that all end near one column), a line that was full carries on into
    the next; so does a line ending mid-sentence before one starting in lower
    case. A wrapped paragraph must end where the run ends or with a full stop;
    otherwise its lines are points of their own.

    Examples
    --------
    >>> from collab_graph.ingest.lines import tokenise
    >>> wrapped = [tokenise(1, "The purpose of this discussion is to solicit input from members"),
    ...            tokenise(2, "of the group.")]
    >>> [len(u) for u in split_units(wrapped)]  # one note of two lines
    [2]
    >>> points = [tokenise(1, "Contributor Experience"), tokenise(2, "Nobody reviewed it")]
    >>> [len(u) for u in split_units(points)]  # two notes of one line
    [1, 1]
    """
    if len(block) == 1:
        return [block]
    widths = [width(ln) for ln in block]
    widest = max(widths)
    if wrap is None and len(block) >= 3 and WRAP_MIN <= widest <= WRAP_MAX:
        band = max(12, widest * 18 // 100)
        if all(w >= widest - band for w in widths[:-1]) and all(
            fits_wrap(a, b, widest) for a, b in pairwise(block)
        ):
            wrap = widest
    units: list[list[Line]] = [[block[0]]]
    for a, b in pairwise(block):
        head = units[-1][0].content
        fits = wrap is not None and fits_wrap(a, b, wrap)
        if fits and cues.starts_lower(b.content):
            units[-1].append(b)  # "... such\nas:" ends a wrapped sentence, not a label
            continue
        if cues.qa_prefix(b.content) or "colon" in (
            cues.label_kind(b.content),
            cues.label_kind(head),
        ):
            units.append([b])
            continue
        if fits:
            units[-1].append(b)
            continue
        reference = wrap or max(width(a), width(b))
        lower = (
            cues.starts_lower(b.content)
            and not a.content.rstrip().endswith((".", "!", "?", ":", ";"))
            and reference >= 40
            and (_joins_word(a.content) or width(a) * 10 >= reference * 6)
        )
        if lower:
            units[-1].append(b)
        else:
            units.append([b])
    if wrap is not None:
        units = _unwrap_unended(units)
    return units


def _unwrap_unended(units: list[list[Line]]) -> list[list[Line]]:
    """Split wrapped runs that end mid-block without a full stop back into single lines."""
    out: list[list[Line]] = []
    for k, unit in enumerate(units):
        last = k == len(units) - 1
        if len(unit) > 1 and not last and not cues.ends_sentence(unit[-1].content):
            kept = [unit[0]]
            for a, b in pairwise(unit):
                if cues.starts_lower(b.content) and not a.content.rstrip().endswith(
                    (".", "!", "?")
                ):
                    kept.append(b)
                else:
                    out.append(kept)
                    kept = [b]
            out.append(kept)
        else:
            out.append(unit)
    return out
