"""What one line's text looks like: residue, a link, metadata, a label or a name.

Each function looks at the text of a single line (without its list mark) and
answers from its form alone, with no knowledge of the document around it. The
word lists here are general vocabulary of meeting write-ups (``Date``,
``Attendees``, ``Chair``, ``slides``, ``minutes``), never the words of one
document.

Examples
--------
>>> residue_reason("+1 :heart:"), residue_reason("+1, and cheaper too")
('vote mark', None)
>>> link_reason("Germany: [de-rse.org](http://de-rse.org)")
'link'
>>> metadata_reason("*Notetaker: Chris Love*")
'metadata: notetaker'
>>> label_kind("Challenges:"), label_kind("Key Takeaways / Analysis of Situation")
('colon', 'title')
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "DATE_RE",
    "asks_for_names",
    "caption_like",
    "contact_reason",
    "emphasis_inner",
    "ends_sentence",
    "first_word",
    "introduces_media",
    "introduces_people",
    "is_empty_point",
    "is_title_case",
    "joins_call",
    "label_kind",
    "lead_word",
    "link_reason",
    "listed_under",
    "lists_attendance",
    "looks_like_names",
    "metadata_reason",
    "name_alone",
    "name_first",
    "names_listed",
    "people_label",
    "person_name",
    "qa_prefix",
    "reads_as_affiliation",
    "residue_reason",
    "starts_lower",
    "strip_markup",
]

_TAG_RE = re.compile(r"<!--.*?-->|</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")
# an image, or a video or other media embedded in the page
_IMG_RE = re.compile(
    r"!\[[^\]]*\]\([^)]*\)|<(?:img|iframe|video|embed|audio|object)\b[^>]*>", re.IGNORECASE
)
_FILE_URL_RE = re.compile(
    r"\.(?:pdf|pptx?|key|odp|docx?|odt|xlsx?|csv|zip|mp4|mp3)(?:[?#].*)?$", re.I
)
_EMBED_RE = re.compile(r"<(?:img|iframe|video|embed|audio|object)\b", re.IGNORECASE)
_MD_LINK_RE = re.compile(r"\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_URL_RE = re.compile(r"<?(?:https?://|www\.)[^\s>)\]]+>?|\bmailto:\S+", re.IGNORECASE)
_SHORTCODE_RE = re.compile(r":[a-z0-9_+\-]{2,}:")
_VOTE_RE = re.compile(r"(?<![\w+])(?:[+-]\d+|\++|x\d+)(?![\w+])", re.IGNORECASE)
_EMOTICON_RE = re.compile(
    r"<3+|\((?:[lLyYnN]|heart|h|y|star)\)|(?<!\w)[:;=8][-']?[)(\]\[DPpOo3|/\\]+(?!\w)|(?<!\w)xD(?!\w)"
)
_WORD_RE = re.compile(r"[^\W_][\w'’/.-]*")
_LETTERS_RE = re.compile(r"[^\W\d_]{2}")
_LINKISH_RE = re.compile(
    r"https?:|www\.|\]\(|<(?:img|iframe|video|embed|audio|object)\b", re.IGNORECASE
)
_EMPHASIS_RE = re.compile(r"^(\*\*|__|\*|_|~~)(?P<inner>\S.*?\S|\S)\1(?P<colon>:?)$")
_FIELD_RE = re.compile(r"^:[\w][\w ()/&.-]{0,40}:(?:\s|$)")
_LABEL_VALUE_RE = re.compile(r"^(?P<label>[^:]{1,80}?)\s*:(?!//)\s*(?P<value>.*)$")
_PAREN_RE = re.compile(r"\([^)]*\)")
_HANDLE_RE = re.compile(r"(?<!\w)@[\w.-]+|\b[\w.-]+@(?![\w.])")
_EMAIL_RE = re.compile(r"(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# HackMD's attribution mark, "[name=Ana Ruiz]", and an unfilled template's "[answer]"
_NAME_MARK_RE = re.compile(r"\[name=\s*(?P<name>[^\]]*?)\s*\]", re.IGNORECASE)
_PLACEHOLDER_RE = re.compile(r"\[\s*(?P<inner>[^\[\]]*?)\s*\]")
_INVITE_RE = re.compile(
    r"(?:^|\bplease\s+|\?\s*)add (?:your(?:self|selves)\b|your own\b|your names?\b)"
    r"|\bfeel free to add\b",
    re.IGNORECASE,
)
# "Boris approves these minutes", "Minutes approved": the record of approving the minutes
_APPROVAL_RE = re.compile(
    r"^(?:[A-Z][\w'’.-]*\s+){1,4}(?:approves?|approved|seconds?|seconded|accepts?|accepted)"
    r"\s+(?:the\s+|these\s+|this\s+|last\s+|previous\s+|meeting'?s?\s+)*minutes\b"
    r"|^(?:the\s+)?minutes\s+(?:were\s+|are\s+|have\s+been\s+)?(?:approved|accepted|adopted)\b",
)
# A heading or label about joining a call: "Joining the call", "Once you've joined the call:"
_JOIN_RE = re.compile(
    r"^\W*(?:[\w'’]+\W+){0,3}?(?:"
    r"(?:join(?:ed|ing)?|dial(?:l?ing)?[- ]?in(?:to)?|connect(?:ed|ing)?(?: to)?)(?![\w-])"
    r"[^.!?]{0,25}?\b(?:call|meeting|webinar|session|zoom|teams|hangout|room)s?\b"
    r"|how to (?:join|connect|dial in)\b"
    r"|(?:joining|dial[- ]in|connection|zoom|call) (?:instructions|details|info|information)\b)",
    re.IGNORECASE,
)
_JOIN_HINT_RE = re.compile(r"join|dial|connect|zoom|call", re.IGNORECASE)
_QA_RE = re.compile(r"^(?P<kind>q|question|a|ans|answer)\s*[:\-–]\s*(?=\S)", re.IGNORECASE)

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
#: A calendar date written out in full (day, month and year, or ISO).
DATE_RE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTHS}\.?,?\s+\d{{4}}\b"
    rf"|\b{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    re.IGNORECASE,
)

# Labels of the metadata block of a meeting write-up, matched on a label's last word.
_META_WORDS = frozenset(
    """date dates time times when where location venue room attendees attendee attendance
    participants present apologies absent chair chairs cochair co-chair facilitator facilitators
    moderator moderators host hosts lead leads organiser organisers organizer organizers convener
    conveners convenor convenors note-taker note-takers notetaker notetakers scribe scribes
    speaker speakers presenter presenters panellist panellists panelist panelists author authors
    tags tag registration slides recording video zoom url contact email members regrets guests
    observers invitees notary notaries secretary recorder timekeeper timekeepers minute-taker
    minute-takers""".split()
)
_META_PEOPLE = frozenset(
    """attendees attendee attendance participants present apologies absent chair chairs cochair
    co-chair facilitator facilitators moderator moderators host hosts lead leads organiser
    organisers organizer organizers convener conveners convenor convenors note-taker note-takers
    notetaker notetakers scribe scribes speaker speakers presenter presenters panellist panellists
    panelist panelists author authors members regrets guests observers invitees notary notaries
    secretary recorder timekeeper timekeepers minute-taker minute-takers""".split()
)
# Words that end a title-form label over a list of who came (``Other Attendees``)
_ATTENDANCE = frozenset(
    "attendees attendee attendance apologies absent absentees regrets present".split()
)
# Last words of a heading over who is there: a round of introductions, a list of participants
_INTRO_WORDS = frozenset(
    """intros introductions participants attendees attendance present panellists panelists
    speakers presenters delegates bios biographies""".split()
)
_INTRO_PHRASES = frozenset(
    {"who's here", "who is here", "roll call", "round of introductions", "introduction round"}
)
_INTRO_HINT_RE = re.compile(
    r"intro|particip|attend|present|panel|speaker|delegate|bio|who|roll", re.IGNORECASE
)
_FIRST_PERSON = frozenset("i i'm i’m we we're we’re my our me us".split())
_ENTITY_RE = re.compile(r"&#?\w+;")
# Values that say there is nothing to list ("Apologies: none")
_NONE_VALUES = frozenset("n/a na none nobody nil - — – tbc tbd".split())
_META_WHEN = frozenset("date dates time times when where location venue room".split())
_META_ANY = frozenset({"tags", "tag"})
_MONTH_RE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*day\b|\bonline\b",
    re.IGNORECASE,
)
_META_LABELS = frozenset(
    {"next meeting", "session area", "session topic", "session title", "session name", "track"}
    # how to join a call
    | {"meeting id", "webinar id", "conference id", "passcode", "password", "access code"}
    | {"dial-in", "dial in", "call-in", "meeting link", "call link", "zoom link"}
)
# Words that make a short line around a link a pointer to the link rather than a point.
_POINTER_WORDS = frozenset(
    """here slides slide deck recording recordings video minutes register
    registration signup download downloaded available pdf agenda watch""".split()
)
# Words of a sentence that only introduces the picture or video after it
_MEDIA_WORDS = frozenset(
    """video videos photo photos picture pictures image images recording clip clips gallery
    livestream footage slideshow""".split()
)
_PERSON_HINTS = frozenset({"by", "responsible", "owner", "owners", "who", "contact", "people"})
_META_COMMENT_RE = re.compile(
    r"\b(?:typed|written|written-|wrote)\s*up\b|\bwrite-up by\b"
    r"|\b(?:these|the|our) notes (?:were|was|are|have been)\b"
    r"|\bnotes? (?:were|was) (?:taken|written|typed|compiled|edited)\b"
    r"|\bnote[- ]?tak(?:er|ers|ing)\b|\bminute[- ]?tak(?:er|ing)\b"
    r"|^(?:facilitated|chaired|hosted|convened|compiled|transcribed) by\b"
    r"|\b(?:pasted|exported|copied|transcribed) from\b"
    r"|\boriginally (?:appeared|published|posted)\b",
    re.IGNORECASE,
)
_NOTES_BY_RE = re.compile(
    r"^(?:(?:meeting |session )?notes?|minutes)(?: taken| written| typed)? by\b", re.IGNORECASE
)
_SMALL_WORDS = frozenset(
    "a an the of and or for to in on at by with vs via from into per &".split()
)
_QUESTION_WORDS = frozenset(
    "what how why who whom whose where when which should could would can do does is are".split()
)
_HONORIFICS = frozenset(
    "dr dr. prof prof. professor mr mr. mrs mrs. ms ms. mx cllr councillor sir dame rev".split()
)
_NAME_PARTICLES = frozenset("van von de der den da di du le la del bin al ap mac".split())


def strip_markup(text: str) -> str:
    """Text without HTML tags, emphasis marks, emoji short codes or code ticks.

    Examples
    --------
    >>> strip_markup(":heavy_plus_sign:**Pluses**<br>")
    'Pluses'
    """
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    if ":" in text:
        text = _SHORTCODE_RE.sub(" ", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = " ".join(text.split())
    m = _EMPHASIS_RE.match(text)
    if m:
        text = m.group("inner") + m.group("colon")
    return text.strip()


def _without_symbols(text: str) -> str:
    """Keep letters, digits and spaces only (emoji, punctuation and symbols go)."""
    return "".join(
        ch if ch.isalnum() or ch.isspace() else " "
        for ch in text
        if unicodedata.category(ch)[0] not in "SC" or ch.isspace()
    )


#: List marks and inline markup that carry nothing on their own ("- ", "•", "**").
_BARE_MARKS = frozenset("-*+•‣◦▪▫●○·∙⁃–—>~_`#|")


def is_empty_point(text: str) -> bool:
    """Whether a bullet, table cell or board card says nothing: marks, markup, invisibles only.

    Such a point is structure (an empty bullet), never a note.

    Parameters
    ----------
    text : str
        The point's text, with or without its list mark.

    Returns
    -------
    bool

    Examples
    --------
    >>> [is_empty_point(t) for t in ["-", "• ", "**", "- \u200b", "", "+1", "?", "a"]]
    [True, True, True, True, True, False, False, False]
    """
    return all(
        ch in _BARE_MARKS or ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs")
        for ch in text
    )


def residue_reason(text: str) -> str | None:
    """Why a line's text carries no words (a vote, an emoji, a tag), or None.

    Parameters
    ----------
    text : str
        The line's text without its list mark.

    Returns
    -------
    str or None
        ``"vote mark"``, ``"emoji"``, ``"html tag"``, ``"template"``, ``"empty"``
        or ``"punctuation"``; None when the text has words.

    Examples
    --------
    >>> [residue_reason(t) for t in ["+1!!!", "(L)", "🎉🎉 👏", "</div>", "Great!"]]
    ['vote mark', 'emoji', 'emoji', 'html tag', None]
    """
    t = text.strip()
    if not t:
        return "empty"
    if t[0] == "[" and _unfilled(t):
        return "template"
    if t[0].isalpha() and t[:3].isalpha():
        if len(t) <= 100 and " your" in t and _INVITE_RE.search(t):
            return "template"  # "other? please add your own topics": the pad asks for more
        return None  # starts with a word: the common case, decided at once
    if ":" not in t and "<" not in t and _LETTERS_RE.search(t):
        return None  # a word somewhere, and no short code or tag it could be part of
    if t[:2] in ("{{", "{%", "{:") and t.endswith(("}}", "%}", "}")):
        return "template"  # a Hugo shortcode, a Liquid tag or a kramdown attribute list
    reason = "punctuation"
    if _EMBED_RE.search(t):
        return None  # an image or embedded video: a link, not residue
    if "<" in t:
        stripped = _TAG_RE.sub(" ", t)
        if stripped.strip() != t:
            if not stripped.strip():
                return "html tag"
            t = stripped
    no_votes = _VOTE_RE.sub(" ", t)
    if no_votes != t:
        reason = "vote mark"
    no_codes = _EMOTICON_RE.sub(" ", _SHORTCODE_RE.sub(" ", no_votes))
    if reason == "punctuation" and no_codes != no_votes:
        reason = "emoji"
    rest = _without_symbols(no_codes)
    if rest.strip():
        return None
    if reason == "punctuation" and any(unicodedata.category(ch) == "So" for ch in no_codes):
        reason = "emoji"
    return reason


def _unfilled(text: str) -> bool:
    """Whether a line is a template's unfilled slots: ``[name=Your Name] [answer]``, ``[name= ]``.

    A HackMD attribution mark whose name is empty or "your name", with nothing after it
    but bracketed placeholders of a word or two, was never filled in.

    Examples
    --------
    >>> _unfilled("[name=  ]"), _unfilled("[name=Your Name] [ answer]")
    (True, True)
    >>> _unfilled("[name=Yo] Bike tour + camping"), _unfilled("[Long hike in the hills]")
    (False, False)
    """
    m = _NAME_MARK_RE.match(text)
    if m is None:
        inner = _PLACEHOLDER_RE.fullmatch(text.strip())
        return inner is not None and inner.group("inner").lower().startswith("your ")
    name = m.group("name").strip().lower()
    if name and not name.startswith("your"):
        return False
    rest = _PLACEHOLDER_RE.sub(
        lambda p: "" if len(p.group("inner").split()) <= 2 else p.group(0), text[m.end() :]
    )
    return not rest.strip(" /-–:")


def link_reason(text: str) -> str | None:
    """``"image"`` or ``"link"`` when a line only points somewhere, else None.

    A line is a pointer when, without its links, at most two words are left
    (``Germany: [de-rse.org](...)``), or a few words that say "see this"
    (``Last set of minutes from November https://...``). A name in brackets after
    a link (``[Ana Ruiz](...) (NHS Fife)``) leaves no words; a description does. A
    link whose text is a phrase of three or more words in sentence case (an issue's
    or agenda item's title: ``[Refine the onboarding process](...)``) is an item
    written as a link, not a pointer.

    Examples
    --------
    >>> link_reason("![board](img.png)"), link_reason("Register now! https://lu.ma/x")
    ('image', 'link')
    >>> link_reason("Citizens' panel model: https://example.org/panels explains it well") is None
    True
    >>> link_reason("[Pool the respite budgets](https://example.org/issues/12)") is None
    True
    >>> link_reason("[Care Inspectorate](https://example.org) (focused on adult social care)")
    """
    if _LINKISH_RE.search(text) is None:
        return None
    without_images = _IMG_RE.sub(" ", text)
    image = without_images != text
    rest = _URL_RE.sub(" ", _MD_LINK_RE.sub(" ", without_images))
    if rest == without_images and not image:
        return None
    words = _WORD_RE.findall(strip_markup(rest))
    if len(words) > 2 and rest.count("(") == rest.count(")") > 0:
        rest = _PAREN_RE.sub(_name_in_brackets, rest)  # "[Name](url) (Org)"
        words = _WORD_RE.findall(strip_markup(rest))
    if len(words) <= 2:
        links = list(_MD_LINK_RE.finditer(text))
        if not image and len(links) == 1 and _titles_an_item(links[0].group(1), links[0].group(2)):
            return None  # one link, and its text is the item (a row of links is navigation)
        return "image" if image and not words else "link"
    if len(words) <= 8 and any(w.lower().strip(".") in _POINTER_WORDS for w in words):
        return "link"
    return None


def _name_in_brackets(m: re.Match[str]) -> str:
    """A bracketed name or affiliation, dropped; a bracketed description, kept."""
    inner = m.group(0)[1:-1]
    return " " if len(inner.split()) <= 2 or reads_as_affiliation(inner) else m.group(0)


def _titles_an_item(anchor: str, url: str) -> bool:
    """Whether a link's text is a phrase in sentence case, as an issue's or item's title is.

    A link to a file (a PDF, a slide deck) points to that document whatever its text.
    """
    if _FILE_URL_RE.search(url):
        return False
    anchor = _PAREN_RE.sub(" ", anchor)
    if len(anchor.split()) < 3 or _LINKISH_RE.search(anchor):
        return False  # a word or two ("Miro board (read-only)"), or the address itself
    words = _WORD_RE.findall(strip_markup(anchor))
    if any(w.lower().strip(".") in _POINTER_WORDS for w in words):
        return False
    return any(w[0].islower() for w in words if w.lower() not in _SMALL_WORDS)


def introduces_media(text: str) -> bool:
    """Whether a line ending in ``:`` says what the picture or video after it shows.

    Examples
    --------
    >>> introduces_media("Here's a video of the groups reporting back, thanks to Ana:")
    True
    >>> introduces_media("What the groups asked for:")
    False
    """
    if ":" not in text[-4:]:
        return False  # (a cheap first look: it ends in ":", perhaps inside emphasis)
    t = strip_markup(text)
    if not t.endswith(":") or len(t) > 200:
        return False
    return any(w.lower() in _MEDIA_WORDS for w in _WORD_RE.findall(t))


def caption_like(text: str) -> bool:
    """Whether a line is text wrapped in HTML tags (``<small><em>...</em></small><br>``).

    Examples
    --------
    >>> caption_like("<small><em>The four groups at work</em></small><br><br>")
    True
    >>> caption_like("<br>"), caption_like("Plain words")
    (False, False)
    """
    t = text.strip()
    return t[:1] == "<" and t[-1:] == ">" and bool(strip_markup(t))


def emphasis_inner(text: str) -> str | None:
    """The inner text of a line that is all bold or italic (``**Pluses**``), else None.

    Examples
    --------
    >>> emphasis_inner("**Actions for everyone**:"), emphasis_inner("**No** time")
    ('Actions for everyone:', None)
    """
    t = text.strip()
    if "<" in t:
        t = _TAG_RE.sub("", t).strip()
    m = _EMPHASIS_RE.match(t)
    if not m:
        return None
    inner = m.group("inner").strip()
    marks = m.group(1)
    if marks[0] in "*_" and (marks[0] * 2 in inner or marks in inner):
        return None  # "**a** and **b**": two emphasised spans, not one
    return inner + m.group("colon")


def _label_words(label: str) -> list[str]:
    label = _PAREN_RE.sub(" ", strip_markup(label)).lower().replace("(s)", "")
    return [w for w in re.split(r"[^\w-]+", label) if w]


def looks_like_names(value: str) -> bool:
    """Whether text is a list of people's names (``David Sarmiento (Turing), Hari Sood``).

    Examples
    --------
    >>> looks_like_names("Rob Hirschfeld @zehicle"), looks_like_names("Office hours?")
    (True, False)
    """
    if "[name=" in value.lower():
        value = _NAME_MARK_RE.sub(r" \g<name> /", value)
    v = _PAREN_RE.sub(" ", strip_markup(value)).strip().rstrip(".").rstrip("/ ")
    if not v or "?" in v or any(ch.isdigit() for ch in v):
        return False
    handles = _HANDLE_RE.findall(v)
    v = _HANDLE_RE.sub(" ", v)
    parts = [p.strip() for p in re.split(r"[,;&/]|\band\b", v) if p.strip()]
    if not parts and handles:
        return True
    full = 0
    for part in parts:
        tokens = part.split()
        if not 1 <= len(tokens) <= 4:
            return False
        for tok in tokens:
            if tok.lower() in _NAME_PARTICLES:
                continue
            if not (tok[0].isupper() and tok.replace("-", "").replace("'", "").replace(".", "")):
                return False
        full += len(tokens) >= 2
    return bool(parts) and (full > 0 or bool(handles))


def names_listed(value: str) -> bool:
    """Whether text lists two or more names, first names alone included (``Nick, Tais``).

    Only a label that asks for people (``Present:``, ``Notary:``) makes such a list
    metadata; on its own ``Slack, Zoom`` is a list of names too.

    Examples
    --------
    >>> names_listed("Nick, Tilmann, Tais and Janina<br>"), names_listed("Nick")
    (True, False)
    """
    v = strip_markup(value).strip().rstrip(".")
    parts = [p.strip() for p in re.split(r"[,;&]|\band\b", v) if p.strip()]
    if len(parts) < 2:
        return False
    for part in parts:
        tokens = _PAREN_RE.sub(" ", part).split()
        if not 1 <= len(tokens) <= 4:
            return False
        for tok in tokens:
            if tok.lower() in _NAME_PARTICLES:
                continue
            if not (tok[0].isupper() and tok.replace("-", "").replace("'", "").isalpha()):
                return False
    return True


def contact_reason(text: str) -> str | None:
    """``"metadata: contact"`` for a person's name with an email or handle, else None.

    Examples
    --------
    >>> contact_reason("Ana Ruiz - ana@example.org"), contact_reason("Jo Bloggs jo@x.org or")
    ('metadata: contact', 'metadata: contact')
    >>> contact_reason("Email the chair for access: chair@example.org") is None
    True
    """
    if "@" not in text:
        return None
    t = strip_markup(_MD_LINK_RE.sub(r" \1 ", text))
    rest = _EMAIL_RE.sub(" ", t)
    email = rest != t
    rest = _URL_RE.sub(" ", _HANDLE_RE.sub(" ", rest))
    tokens = [w for w in re.split(r"[\s,;/|()<>:–—-]+", rest) if w]
    while tokens and tokens[-1].lower() in ("or", "and", "at"):
        tokens.pop()
    if not 1 + (not email) <= len(tokens) <= 4:
        return None
    for tok in tokens:
        bare = tok.replace("'", "").replace("’", "").replace(".", "")
        if not (bare.isalpha() and tok[0].isupper()) and tok.lower() not in _NAME_PARTICLES:
            return None
    return "metadata: contact"


def _meta_value(word: str, value: str) -> bool:
    """Whether a metadata label's value reads as metadata (not a point: "Time: never enough").

    People labels take names or handles; time and place labels take dates, times or
    names of places; link labels take links. An empty value (a label over a list) is
    metadata too.
    """
    v = value.strip()
    if not v or word in _META_ANY or v.lower().rstrip(".") in _NONE_VALUES:
        return True
    words = _PAREN_RE.sub(" ", v).split()  # "NHS Tayside (two people)"
    capitalised = all(w[:1].isupper() or not w[:1].isalpha() for w in words)
    if word in _META_PEOPLE:
        return (
            bool(_HANDLE_RE.search(v))
            or looks_like_names(v)
            or names_listed(v)
            or (len(words) <= 4 and capitalised)
        )
    if word in _META_WHEN:  # a date, a time, or a place's name ("Town hall", "Online")
        named = v[:1].isupper() and len(words) <= 6
        return any(ch.isdigit() for ch in v) or bool(_MONTH_RE.search(v)) or named
    return bool(_URL_RE.search(v) or "](" in v or "@" in v) or (len(words) <= 3 and capitalised)


def metadata_reason(text: str, *, item: bool = False) -> str | None:
    """Why a line is metadata about the meeting rather than a point made in it, or None.

    Metadata is a field (``:Date: ...``), a label of the meeting's metadata
    (``Date``, ``Attendees``, ``Chair``, ``Note-taker``) with or without a value,
    a label whose value is people's names with a handle or a hint such as
    "by", or (for a line that is not a list item) a remark about how the notes
    were taken.

    Parameters
    ----------
    text : str
        The line's text without its list mark.
    item : bool
        Whether the line is a list item.

    Returns
    -------
    str or None
        ``"metadata: ..."`` naming the label or cue, or None.

    Examples
    --------
    >>> metadata_reason(":Time: 13:30 - 17:00"), metadata_reason("Present")
    ('metadata: field', 'metadata: present')
    >>> metadata_reason("Luke: how to get more people writing code") is None
    True
    >>> metadata_reason("As always these notes were written collaboratively.")
    'metadata: about the notes'
    """
    t = text.strip()
    if not t:
        return None
    if "@" in t and (r := contact_reason(t)):
        return r
    if "inutes" in t and _APPROVAL_RE.match(strip_markup(t)):
        return "metadata: minutes approved"
    if item and ":" not in t and " " in t:
        return None  # a list item is metadata only as "Label: value" or one word
    if t[0] == ":" and _FIELD_RE.match(t):
        return "metadata: field"
    inner = emphasis_inner(t)
    if inner is not None:
        t = inner
    elif "*" in t or "_" in t or "<" in t:
        t = strip_markup(t)
    if not t:
        return None
    m = _LABEL_VALUE_RE.match(t)
    if m is not None and not m.group("label").strip().endswith("?"):
        words = _label_words(m.group("label"))
        value = m.group("value").strip()
        if words and len(words) <= 10:
            joined = " ".join(words)
            meta = (len(words) <= 4 and words[-1] in _META_WORDS) or joined in _META_LABELS
            known = joined in _META_LABELS or _meta_value(words[-1], value)
            if meta and len(value.split()) <= 25 and known:
                return f"metadata: {joined if joined in _META_LABELS else words[-1]}"
            people = _HANDLE_RE.search(value) or _PERSON_HINTS & set(words)
            if value and people and looks_like_names(value):
                return "metadata: names"
    elif m is None and " " not in t.strip() and t[0].isupper():
        words = _label_words(t)
        if len(words) == 1 and words[0] in _META_WORDS:
            return f"metadata: {words[0]}"
    elif (
        m is None
        and t[0].isupper()
        and len(t) <= 60
        and t.rsplit(None, 1)[-1].lower().strip("*_") in _ATTENDANCE
    ):
        words = _label_words(t)  # "Community/Other Attendees", "Members Present"
        if 2 <= len(words) <= 4 and words[-1] in _ATTENDANCE:
            return f"metadata: {words[-1]}"
    if not item and t[0] == "(" and t[-1] == ")" and t.count("(") == 1:
        inner = t[1:-1].strip()  # "(Ana Ruiz)" under a talk's title: who gave it
        if inner and (person_name(inner) or (inner[0].isupper() and inner.isalpha())):
            return "metadata: speaker"
    if not item and len(t) <= 300 and _META_COMMENT_RE.search(t):
        return "metadata: about the notes"
    if not item and len(t.split()) <= 8 and _NOTES_BY_RE.match(t):
        return "metadata: about the notes"  # "Notes by @jberkus"
    return None


def joins_call(text: str) -> bool:
    """Whether a heading or label is about joining the call (what is under it is logistics).

    Examples
    --------
    >>> joins_call("## Joining the call:"), joins_call("Once you've joined the call:")
    (True, True)
    >>> joins_call("Why don't more people join the call?"), joins_call("Join the working groups!")
    (False, False)
    """
    if _JOIN_HINT_RE.search(text) is None:
        return False  # (a cheap first look)
    t = strip_markup(text.lstrip("#"))
    if not t or t.endswith("?") or len(t.split()) > 10:
        return False
    if first_word(t).lower() in _QUESTION_WORDS and not t.lower().startswith("how to "):
        return False
    return _JOIN_RE.match(t) is not None


def introduces_people(heading: str) -> bool:
    """Whether a heading opens a section about who is there (``Intros``, ``Participants``).

    Examples
    --------
    >>> introduces_people("## Intros"), introduces_people("**Participants**")
    (True, True)
    >>> introduces_people("Introduction"), introduces_people("What people asked for")
    (False, False)
    """
    if _INTRO_HINT_RE.search(heading) is None:
        return False  # (a cheap first look)
    words = _label_words(heading.lstrip("#").replace("’", "'"))
    if not 1 <= len(words) <= 4:
        return False
    return words[-1] in _INTRO_WORDS or " ".join(words) in _INTRO_PHRASES


def reads_as_affiliation(text: str) -> bool:
    """Whether text reads as names, job titles and organisations rather than as sentences.

    Most of its words (small words aside) are capitalised, as names, titles and
    organisations are (``Head of Platform Engineering, IOE``; ``Astrophysics PhD at
    Sheffield``); it asks nothing and says nothing in the first person. Under a heading
    of introductions or participants, such a line introduces someone; a line that makes
    a point there (``Data gravity is a problem``) is still a note.

    Examples
    --------
    >>> reads_as_affiliation("**Ana:** Technical Architect at Fife Council (Digital)")
    True
    >>> reads_as_affiliation("Works with physicists on imaging data, recently with sociologists")
    False
    """
    t = strip_markup(_MD_LINK_RE.sub(r" \1 ", text))
    if "?" in t or len(t) > 300:
        return False
    t = _PAREN_RE.sub(" ", _ENTITY_RE.sub(" ", t))
    words = [w for w in _WORD_RE.findall(t) if w.lower() not in _SMALL_WORDS]
    if not words or len(words) > 30:
        return False
    capitalised = 0
    for w in words:
        if w.lower() in _FIRST_PERSON:
            return False
        capitalised += w[0].isupper() or w[0].isdigit() or not w[1:].islower()
    return 2 * capitalised >= len(words)


_NAME_HEAD_RE = re.compile(
    r"^(?P<name>[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,3}?)\s*"
    r"(?:\((?P<paren>[^()]*)\)|(?P<sep>:|\s[-–—]\s))"
)


# at most four words (perhaps emphasised) and a remark in brackets: the shape of a name alone
_NAME_ALONE_RE = re.compile(r"^[*_]*[^\W\d_][\w'’.-]*(?:\s+[\w'’.-]+){0,3}[*_]*\s*(?:\([^()]*\))?$")


def _name_words(text: str) -> bool:
    tokens = text.split()
    if not 1 <= len(tokens) <= 4:
        return False
    for tok in tokens:
        if tok.lower() in _NAME_PARTICLES:
            continue
        bare = tok.replace("-", "").replace("'", "").replace("’", "").replace(".", "")
        if not (bare.isalpha() and tok[0].isupper()):
            return False
    return True


def name_first(text: str) -> bool:
    """Whether a line starts with who wrote or said it: ``[name=Ana]``, ``Ana (Fife Council)``.

    A name with an affiliation in brackets, or a full name before ``:`` or `` - ``,
    heads an attendee's or respondent's line (``Ana Ruiz (NHS Fife) - a shared rota``).

    Examples
    --------
    >>> name_first("Malvika (OSPO Now) - knew people"), name_first("David Amadi: a new team")
    (True, True)
    >>> name_first("Funding (lots of it) - never enough"), name_first("Python - Jupyter")
    (False, False)
    """
    t = strip_markup(text)
    if t[:6].lower() == "[name=":
        return True
    m = _NAME_HEAD_RE.match(t)
    if m is None or not _name_words(m.group("name")):
        return False
    paren = m.group("paren")
    if paren is not None:
        return bool(paren.strip()) and reads_as_affiliation(paren)
    return person_name(m.group("name")) is not None


_ASKS_NAMES_RE = re.compile(
    r"\bnames?\b|\battend|\bparticipants?\b|\bpresent\b|\bintroduc|\bintros\b|\bwho'?s here\b",
    re.IGNORECASE,
)


def asks_for_names(text: str) -> bool:
    """Whether a line over a list asks who is there (``Name / Organisation / ...``).

    Examples
    --------
    >>> asks_for_names("**Name / Organisation / one thing that worked**")
    True
    >>> asks_for_names("Who should be involved?")
    False
    """
    return _ASKS_NAMES_RE.search(text) is not None


def name_alone(text: str) -> bool:
    """Whether a line is only a name, perhaps with a remark in brackets (``Ana (joining late)``).

    Examples
    --------
    >>> name_alone("Moctar"), name_alone("Anicet Onana (joining from hospital)")
    (True, True)
    >>> name_alone("Pauline Andeso (APHRC) - INSPIRE Mental Health")
    False
    """
    if not text or len(text) > 80 or _NAME_ALONE_RE.match(text) is None:
        return False
    t = strip_markup(text)
    if not t or not t[0].isupper():
        return False
    if t.endswith(")") and t.count("(") == 1:
        t = t[: t.index("(")]
    return _name_words(t.strip())


def lead_word(reason: str) -> str | None:
    """The label word a metadata reason names, when it is a label of meeting metadata.

    Examples
    --------
    >>> lead_word("metadata: attendees"), lead_word("metadata: about the notes")
    ('attendees', None)
    """
    word = reason[10:] if reason.startswith("metadata: ") else ""
    return word if word in _META_WORDS or word in _META_LABELS else None


def lists_attendance(word: str | None) -> bool:
    """Whether a heading's metadata word is about who came (``Attendees``, not ``Members``).

    Examples
    --------
    >>> lists_attendance("attendees"), lists_attendance("members")
    (True, False)
    """
    return word in _ATTENDANCE or word in ("participants", "attendance")


def people_label(text: str) -> str | None:
    """The label word of a ``Label: value`` line whose label asks for people (``Attendees``).

    Examples
    --------
    >>> people_label("Attendees: Name / Organisation / handles"), people_label("Date: today")
    ('attendees', None)
    """
    if ":" not in text:
        return None
    m = _LABEL_VALUE_RE.match(strip_markup(text))
    if m is None:
        return None
    words = _label_words(m.group("label"))
    return words[-1] if 1 <= len(words) <= 4 and words[-1] in _META_PEOPLE else None


def listed_under(word: str | None, text: str) -> bool:
    """Whether a line listed under a metadata label is a value of that label.

    Under ``Attendees:`` that is a name, a name with an affiliation and handles, or
    ``N/A``; under ``Date:`` a date. A line under a label that names no kind of
    value (a field, a remark) is taken as a name or not at all.

    Examples
    --------
    >>> listed_under("attendees", "[name=Ana Ruiz] / Town hall / @anaruiz")
    True
    >>> listed_under("slides", "Join the poll and give feedback afterwards")
    False
    """
    return metadata_reason(f"{word or 'attendees'}: {text}") is not None


def ends_sentence(text: str) -> bool:
    """Whether text ends a sentence (``.``, ``!``, ``?``, before closing quotes or brackets).

    Examples
    --------
    >>> ends_sentence('He said "no."'), ends_sentence("because each")
    (True, False)
    """
    t = text.rstrip(" )]\"'”’*_")
    return bool(t) and t[-1] in ".!?…"


def starts_lower(text: str) -> bool:
    """Whether text starts with a lower-case letter (a sentence running on).

    Examples
    --------
    >>> starts_lower("the day job"), starts_lower("Trust")
    (True, False)
    """
    return bool(text) and text[0].islower()


def first_word(text: str) -> str:
    """The first white-space separated word of text.

    Examples
    --------
    >>> first_word("  council and NHS forms")
    'council'
    """
    parts = text.split(None, 1)
    return parts[0] if parts else ""


def is_title_case(text: str, *, max_words: int = 6) -> bool:
    """Whether text is a short title: every word but small ones capitalised, no full stop.

    Examples
    --------
    >>> is_title_case("Lot of Common Complaints"), is_title_case("SERP tenant")
    (True, False)
    """
    t = strip_markup(text).rstrip(":").strip()
    if not t or t[-1] in ".!?;,":
        return False
    words = [w for w in t.split() if any(ch.isalpha() for ch in w)]
    if not 1 <= len(words) <= max_words:
        return False
    for i, w in enumerate(words):
        first = next(ch for ch in w if ch.isalpha())
        if not first.isupper() and not (i > 0 and w.lower() in _SMALL_WORDS):
            return False
    return True


def label_kind(text: str) -> str | None:
    """How a line labels what follows it, or None when it reads as a point.

    A line all in bold is a label (``**Pluses**``); one all in italics is read
    by its words, as italics mark asides and captions as often as headings.

    Parameters
    ----------
    text : str
        The line's text.

    Returns
    -------
    str or None
        ``"colon"`` (``Challenges:``), ``"question"`` (a short question),
        ``"emphasis"`` (``**Pluses**``) or ``"title"`` (``Contributor
        Experience``, ``Start``).

    Examples
    --------
    >>> [label_kind(t) for t in ["Problem:", "What is a TRE?", "What is the problem",
    ...                          "**Why different?**", "Start", "CL centrally funded model"]]
    ['colon', 'question', 'question', 'emphasis', 'title', None]
    >>> label_kind("_Suggestions:_"), label_kind("_Group discussed ways to get people involved_")
    ('colon', None)
    """
    t = text.strip()
    if not t:
        return None
    if t[0] in "*_<" and emphasis_inner(t) is not None and t.lstrip("<").startswith(("**", "__")):
        return "emphasis"
    t = strip_markup(t)
    if not t:
        return None
    words = t.split()
    if t.endswith(":") and len(words) <= 12 and ": " not in t[:-1]:
        return "colon"
    if len(words) <= 6:
        if t.endswith("?"):
            return "question"
        if is_title_case(t):
            return "title"
        if words[0].lower() in _QUESTION_WORDS and t[-1] not in ".!;,":
            return "question"
    return None


def person_name(text: str) -> tuple[str, ...] | None:
    """The name words of a line that is only a person's name (a speaker line), or None.

    Examples
    --------
    >>> person_name("Dr Aileen Ross")
    ('Aileen', 'Ross')
    >>> person_name("Mentoring Program") is not None, person_name("Sustain people")
    (True, None)
    """
    t = strip_markup(text).rstrip(":").strip()
    tokens = t.split()
    if tokens and tokens[0].lower() in _HONORIFICS:
        tokens = tokens[1:]
        if len(tokens) == 1 and tokens[0][:1].isupper() and tokens[0].isalpha():
            return (tokens[0],)
    if not 2 <= len(tokens) <= 3:
        return None
    for tok in tokens:
        bare = tok.replace("-", "").replace("'", "").replace("’", "")
        if not (bare.isalpha() and tok[0].isupper() and not tok.isupper()):
            return None
    return tuple(tokens)


def qa_prefix(text: str) -> str | None:
    """``"q"`` for a ``Q:``/``Question:`` line with text, ``"a"`` for ``A:``/``Answer:``, else None.

    Examples
    --------
    >>> qa_prefix("Q: Why not?"), qa_prefix("Answer: Yes"), qa_prefix("Question:")
    ('q', 'a', None)
    """
    m = _QA_RE.match(text)
    if m is None:
        return None
    return "q" if m.group("kind")[0] in "qQ" else "a"
