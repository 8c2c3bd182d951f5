"""Sentence form: how a note is written, which says much about what it is.

A worried question ("Who pays?"), a deficit ("Lack of buy-in", "hard to
share data") or a negation reads as a barrier; an imperative ("Ring-fence
time") or a modal proposal ("we should pool budgets") as a practice; an
outcome ("saves money", "better services") as a benefit; a description of
how things are now, a date or a list of names as context. The phrases of
each form are a documented general lexicon of English in
``data/lexicon.csv`` (``form, where, phrase, comment``; ``where`` is
``anywhere`` or ``start``), not the wording of any workshop.

:func:`sentence_form` returns the forms found as feature counts; the kind
model (:mod:`collab_graph.coding.model`) learns how much each one counts.

Examples
--------
>>> lex = load_lexicon()
>>> sorted(lex.forms("Lack of buy-in from managers"))
['deficit']
>>> sorted(lex.forms("Who pays for it?"))
['question', 'question_worried', 'worry']
>>> sorted(lex.forms("Ring-fence time for the project team"))
['imperative']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from collab_graph.coding.lexicon import PhraseIndex, normalise, tokens
from collab_graph.csvfiles import Row, parse_csv_text, read_text
from collab_graph.resources import data_path

__all__ = ["FORMS", "LEXICON_FILE", "FormLexicon", "load_lexicon"]

LEXICON_FILE = "lexicon.csv"
#: The forms the lexicon may name.
FORMS = (
    "deficit",
    "negation",
    "proposal",
    "imperative",
    "outcome",
    "positive",
    "question",
    "worry",
    "current",
    "desired",
    "past",
)

_URL = re.compile(r"https?://|www\.|\]\(|\.(?:com|org|io|net|uk)\b", re.IGNORECASE)
_DATE = re.compile(
    r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)?\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|(?:jan|feb|mar|apr|may|jun|jul|"
    r"aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2}(?:st|nd|rd|th)?\b|\d{1,2}[:.]\d{2}\s*(?:am|pm)?"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:19|20)\d{2}\b"
    r"|\bq[1-4]\s+(?:19|20)\d{2}\b|\b(?:19|20)\d{2}\b)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_NAME = re.compile(r"^[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?$")
# A speaker or a label before the point itself: "Sarah: ...", "Rob - ...", "**Q:** ...".
_SPEAKER = re.compile(r"^\**(?:[A-Z][\w'.-]*)(?:\s+[A-Z][\w'.-]*){0,2}\**\s*(?::|\s[-–—]\s)\**\s*")
# A "hyphenated imperative" such as "Ring-fence" or "Co-design" starts with a verb too.
_VERBISH_START = re.compile(r"^(?:re|co|ring|up|fast|cross)-[a-z]+", re.IGNORECASE)


# A verb that is the whole note, or is joined to the next word by "and", "&" or "/", is
# used as a noun: "Welcome and intro", "Review", "Plan & budget" name agenda items.
_NOUN_USE = re.compile(r"^[\w-]+(?:\s*(?:[.:]\s*)?$|\s+(?:and|&|/)\s|/)", re.IGNORECASE)


# A note that opens by making a problem smaller ("Fewer delays", "Less duplication of work").
_REDUCTION = re.compile(
    r"^(?:fewer|less|lower|reduced|reduction (?:in|of)|no more|shorter|cheaper)\b", re.IGNORECASE
)


class FormLexicon:
    """The phrases of ``lexicon.csv``, by form, with whole-word matchers."""

    def __init__(self, rows: Sequence[tuple[str, str, str]]) -> None:
        anywhere: dict[str, list[object]] = {}
        start: dict[str, list[object]] = {}
        for form, where, phrase in rows:
            table = start if where == "start" else anywhere
            table.setdefault(phrase.lower(), []).append(form)
        self._anywhere = PhraseIndex(anywhere)
        self._start = PhraseIndex(start, start_only=True)
        self._memo: dict[str, dict[str, float]] = {}

    def forms(self, text: str) -> dict[str, float]:
        """The forms of a note's text, as feature counts (a form found twice counts 2).

        Besides the lexicon's forms: ``question`` (ends in ``?``),
        ``question_worried`` (a question that also voices a deficit, a
        negation or a worry), ``question_topic`` (any other question),
        ``label`` (ends in ``:``), ``link``, ``date`` and ``names`` (only
        capitalised words, as in a list of attendees).
        """
        hit = self._memo.get(text)
        if hit is not None:
            return hit
        norm = normalise(text).strip()
        out: dict[str, float] = {}
        for _, forms, _, _ in self._anywhere.find(norm):
            for form in forms:
                out[str(form)] = out.get(str(form), 0.0) + 1.0
        body = norm.lstrip("-*•·+>#0123456789.) \t")
        body = _SPEAKER.sub("", body, count=1)  # "Luke: How do we ..." opens with "How"
        for _, forms, _, _ in self._start.find(body):
            for form in forms:
                out[str(form)] = out.get(str(form), 0.0) + 1.0
        if _VERBISH_START.match(body) and "imperative" not in out:
            out["imperative"] = 1.0
        if _REDUCTION.match(body) and "deficit" in out:
            # "Less duplication", "Fewer delays": a problem made smaller is an outcome
            del out["deficit"]
            out["outcome"] = out.get("outcome", 0.0) + 1.0
        if "imperative" in out and _NOUN_USE.match(body):
            del out["imperative"]  # "Welcome and intro", "Review": a verb used as a noun
        if norm.rstrip("*_ ").endswith("?"):
            out["question"] = out.get("question", 0.0) + 1.0
        if "question" in out:
            worried = any(k in out for k in ("deficit", "negation", "worry"))
            out["question_worried" if worried else "question_topic"] = 1.0
        if norm.rstrip("*_ ").endswith(":"):
            out["label"] = 1.0
        if _URL.search(norm):
            out["link"] = 1.0
        if _DIGIT.search(norm) and _DATE.search(norm):  # every date has a digit
            out["date"] = 1.0
        words = [t for t, _, _ in tokens(norm)]
        if 2 <= len(words) <= 12 and all(_NAME.match(w) for w in words):
            out["names"] = 1.0
        if len(self._memo) > 100_000:
            self._memo.clear()
        self._memo[text] = out
        return out


def _rows(rows: Sequence[Row]) -> list[tuple[str, str, str]]:
    out = []
    for row in rows:
        form = row.choice("form", FORMS, "unknown form")
        where = row.choice("where", ("anywhere", "start"), "unknown place")
        if not row["phrase"]:
            raise row.error("phrase", "empty phrase")
        out.append((form, where, row["phrase"]))
    return out


@lru_cache(maxsize=4)
def _lexicon_from(path: str, text: str) -> FormLexicon:
    return FormLexicon(
        _rows(parse_csv_text(text, Path(path), required=("form", "where", "phrase")))
    )


def load_lexicon(path: Path | str | None = None) -> FormLexicon:
    """Read ``lexicon.csv``; the same content gives the same object.

    Raises
    ------
    DataFileError
        When the file is missing or a row names an unknown form or place.
    """
    p = Path(path) if path is not None else data_path(LEXICON_FILE)
    return _lexicon_from(str(p), read_text(p, "lexicon file"))
