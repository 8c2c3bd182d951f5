"""Prompt intent: what kind of notes a heading, prompt or question asks for.

"Challenges", "Deltas", "What makes it hard" ask for barriers; "Solutions",
"What worked", "Keep", "Next steps" for practices; "Benefits", "Impact" for
benefits; "Agenda", "Attendees", "Background" announce context. The words
and phrases, with a weight each, live in ``data/intent.csv`` (general English,
not any one workshop's wording). The intent of the headings and prompts
above a note is a *prior* for its kind: the classifier weighs it against
the note's own words.

Examples
--------
>>> lex = load_intents()
>>> lex.intent_of("### Trickier moments").kind.value
'barrier'
>>> lex.intent_of("**Pluses**").kind.value
'practice'
>>> lex.intent_of("What are the potential benefits?").kind.value
'benefit'
>>> lex.intent_of("Housing and transport") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

from collab_graph.coding.lexicon import PhraseIndex, normalise, tokens
from collab_graph.csvfiles import Row, parse_csv_text, read_text
from collab_graph.model import NoteKind
from collab_graph.resources import data_path

__all__ = ["INTENT_FILE", "INTENT_KINDS", "Intent", "IntentLexicon", "load_intents"]

INTENT_FILE = "intent.csv"
#: The kinds an intent can point at.
INTENT_KINDS = (NoteKind.BARRIER, NoteKind.PRACTICE, NoteKind.BENEFIT, NoteKind.CONTEXT)

# Markdown marks, list marks and labels around a heading's words.
_MARKUP = re.compile(r"[*_`#>|]+")
_LEAD = re.compile(
    r"^\s*(?:[-•·▪o+]\s+|\(?[A-Za-z0-9]{1,3}[.):]\s+|(?:q(?:uestion)?\s*\d*|prompt)\s*[:.)-]\s*)",
    re.IGNORECASE,
)
# Words that may surround an intent phrase without changing it ("our key challenges").
_FILLER = frozenset(
    "a an the our your their my key main some any other and or of for to in on with so far "
    "top biggest big major few more most".split()
)


@dataclass(frozen=True, slots=True)
class Intent:
    """The intent found in a text: the kind it asks for, how strongly, and why.

    ``whole`` is True when the phrase is (nearly) the whole text, so the text
    only labels what follows ("Challenges:", "What went well?").
    """

    kind: NoteKind
    weight: float
    phrase: str
    whole: bool
    kinds: tuple[tuple[NoteKind, float], ...] = ()

    def weights(self) -> dict[NoteKind, float]:
        """The strongest weight of each kind the text asks for ("Trickier moments &
        suggestions" asks for barriers and practices)."""
        return dict(self.kinds) or {self.kind: self.weight}


def core_text(text: str) -> str:
    """A heading's words without markdown, list marks, labels and closing punctuation.

    Examples
    --------
    >>> core_text("**Q2: What gets in the way?**")
    'What gets in the way'
    """
    out = _MARKUP.sub(" ", normalise(text))
    out = _LEAD.sub("", out)
    return " ".join(out.split()).strip(" .:;?!-–—")


class IntentLexicon:
    """The phrases of ``intent.csv`` with a whole-word matcher (longest phrase first)."""

    def __init__(self, rows: Sequence[tuple[str, NoteKind, float]]) -> None:
        phrases: dict[str, list[object]] = {}
        for phrase, kind, weight in rows:
            phrases.setdefault(phrase.lower(), []).append((kind, weight))
        self._index = PhraseIndex(phrases)
        self._memo: dict[str, Intent | None] = {}

    def intent_of(self, text: str | None) -> Intent | None:
        """The strongest intent in ``text`` (a heading, prompt or question), or None."""
        if not text:
            return None
        hit = self._memo.get(text)
        if hit is not None or text in self._memo:
            return hit
        core = core_text(text)
        best: Intent | None = None
        covered = 0
        kinds: dict[NoteKind, float] = {}
        for phrase, payloads, start, end in self._index.find(core):
            covered += len(tokens(core[start:end]))
            for payload in payloads:
                kind, weight = cast(tuple[NoteKind, float], payload)
                kinds[kind] = max(kinds.get(kind, 0.0), float(weight))
                if best is None or weight > best.weight:
                    best = Intent(kind, float(weight), phrase, False)
        if best is not None:
            rest = [t.lower() for t, _, _ in tokens(core)]
            meaningful = [w for w in rest if w not in _FILLER]
            whole = covered >= len(meaningful) or len(meaningful) <= len(best.phrase.split())
            best = Intent(best.kind, best.weight, best.phrase, whole, tuple(kinds.items()))
        if len(self._memo) > 50_000:
            self._memo.clear()
        self._memo[text] = best
        return best


def _rows(rows: Sequence[Row]) -> list[tuple[str, NoteKind, float]]:
    out = []
    for row in rows:
        kind = NoteKind(row.choice("intent", INTENT_KINDS, "unknown intent"))
        if not row["phrase"]:
            raise row.error("phrase", "empty phrase")
        out.append((row["phrase"], kind, row.number("weight")))
    return out


@lru_cache(maxsize=4)
def _lexicon_from(path: str, text: str) -> IntentLexicon:
    return IntentLexicon(
        _rows(parse_csv_text(text, Path(path), required=("phrase", "intent", "weight")))
    )


def load_intents(path: Path | str | None = None) -> IntentLexicon:
    """Read ``intent.csv`` (``phrase, intent, weight, comment``); same content, same object.

    Raises
    ------
    DataFileError
        When the file is missing or a row has an unknown intent or weight
        (the message names the file, line and column).
    """
    p = Path(path) if path is not None else data_path(INTENT_FILE)
    return _lexicon_from(str(p), read_text(p, "intent file"))
