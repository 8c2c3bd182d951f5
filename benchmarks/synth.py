"""Deterministic synthetic workshop notes for benchmarks.

Writes ``N`` notes as many workshop files laid out like the bundled
``collaborative-innovation-workshop.txt``: a title, the two-question preamble
with its lowercase ``a)``-``d)`` issue list, ``Group One`` ... ``Group Twelve``,
tab-indented ``Question One``/``Question Two`` and ``A)``-``D)`` markers, and
``· `` bullets. The text is assembled from phrase banks of public-sector
collaboration practices, barriers, benefits and context, with organisation
mentions (councils, NHS boards, IJBs, HSCPs, Scotland Excel, suppliers, tools
such as Trello), sub-heading bullets (``Challenges``, ``Benefits``, ``What has
worked``) and the quirks of the real notes: duplicate letters, empty blocks, a
missing question, trailing spaces, curly quotes, en dashes and uneven blank-line
runs.

The output depends only on ``notes`` and ``seed`` (it uses its own
:class:`random.Random`, never the global one or ``hash()``), so the same
command always writes byte-identical files.

Usage::

    python benchmarks/synth.py --notes 10000 --seed 1 --out benchmarks/out/10k

Examples
--------
>>> files = generate(500, seed=1)
>>> len(files), sum(text.count("\\n· ") for _, text in files)
(2, 500)
>>> generate(500, seed=1) == files
True
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["barrier_queries", "generate", "write_corpus"]

NUMBER_WORDS = "Zero One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve".split()

PREAMBLE = (
    "This workshop asked groups to think about two questions. ",
    "Question one: Is collaborating and innovating across boundaries something that your "
    "organisation actively promotes? What are the potential benefits? How does your "
    "organisation promote it – e.g. recruiting particular skills, training particular skills, "
    "bringing people/parts of the business together? Which boundaries – e.g. across teams, "
    "offices, divisions, with other businesses/supply chain partners/adjacent companies? ",
    "Question two: QUESTION 2 – What has worked or might work in promoting collaborative "
    "innovation across teams and boundaries in your organisation? What are the challenges in "
    "promoting collaborative innovation? ",
    "ISSUES MIGHT INCLUDE: ",
    "a) Creating spaces, practices and ways of working to support collaboration across boundaries",
    "b) Ensuring teams and individuals are resourced to work collaboratively ",
    "c) Defining or redefining job roles to promote collaborative innovation",
    "d) Getting buy-in and making the case for collaborative innovation",
)

TITLES = (
    "Collaborative Innovation Workshop",
    "Collaboration Across Boundaries Workshop",
    "Public Sector Innovation Workshop",
    "Procurement Collaboration Workshop",
    "Joined-up Services Workshop",
    "Innovation Network Event",
)
PLACES = (
    "Aberdeen",
    "Dundee",
    "Edinburgh",
    "Glasgow",
    "Inverness",
    "Perth",
    "Stirling",
    "Falkirk",
    "Kirkcaldy",
    "Ayr",
    "Dumfries",
    "Lerwick",
    "Kirkwall",
    "Stornoway",
    "Hamilton",
    "Paisley",
    "Livingston",
    "Elgin",
    "Oban",
    "Galashiels",
)

# Slot fillers -------------------------------------------------------------------------
COUNCILS = (
    "Fife Council",
    "Glasgow",
    "N.LAN",
    "P&K Council",
    "Highland",
    "Aberdeenshire",
    "ABD City Shire",
    "Clacks",
    "North Ayrshire",
    "Shetland",
    "Dundee City Council",
    "East Lothian",
    "Stirling Council",
    "Falkirk",
    "Renfrewshire",
    "Moray Council",
    "West Lothian",
    "South Lanarkshire",
    "Orkney",
    "Inverclyde",
    "Scottish Borders",
)
GENERIC_ORGS = (
    "councils",
    "other councils",
    "Local Authorities",
    "other LA’s",
    "the council",
    "NHS",
    "health",
    "NHS Fife",
    "NHS Lothian",
    "NHS Grampian",
    "NHS Tayside",
    "NHS Highland",
    "health boards",
    "IJB",
    "Integrated Joint Boards",
    "HSCP",
    "H.S.C.P",
    "Scotland Excel",
    "Centre of Expertise",
    "suppliers",
    "local suppliers",
    "SMEs",
    "private sector",
    "third sector",
    "community planning partners",
    "city deal partners",
    "Police Scotland",
    "Scottish Fire and Rescue",
    "SEPA",
    "Skills Development Scotland",
    "housing associations",
    "universities",
    "colleges",
    "Scottish Government",
)
FUNCTIONS = (
    "procurement",
    "finance",
    "social care",
    "transport",
    "HR",
    "ICT",
    "legal",
    "business support",
    "operations",
    "housing",
    "education",
    "roads",
    "waste services",
    "estates",
    "customer services",
    "commissioning",
    "contract management",
)
TOOLS = (
    "Trello",
    "trelo",
    "Slack",
    "S.L.A.C.K",
    "Teams",
    "Yammer",
    "Ideas Hub",
    "SharePoint",
    "Knowledge Hub",
    "a transform wall",
    "an ideas board",
)
ROLES = (
    "C.E",
    "chief executive",
    "elected members",
    "senior managers",
    "service managers",
    "heads of service",
    "officers",
    "front-line staff",
    "team leaders",
    "directors",
    "project leads",
    "budget holders",
    "members",
    "nurses",
    "social workers",
)
TOPICS = (
    "blue badges",
    "waste collection",
    "school meals",
    "care at home",
    "fleet",
    "energy",
    "digital services",
    "housing repairs",
    "social care packages",
    "community transport",
    "roads maintenance",
    "ICT contracts",
    "agency staff",
    "drug and alcohol prevention",
    "early years",
    "town centres",
    "climate targets",
    "recruitment",
    "food procurement",
    "construction frameworks",
    "telecare",
)
YEARS = tuple(str(y) for y in range(2012, 2025))
TEAMS = (
    "project team",
    "transform team",
    "innovation team",
    "change team",
    "joint team",
    "improvement team",
    "digital team",
    "category team",
    "service design team",
)

# Phrase banks by kind (templates with {slot}s) ----------------------------------------
PRACTICE = (
    "Dedicated {team} with {function} included",
    "Dedicated project lead for {topic}",
    "Joint project managers across {org} and {org}",
    "Shared services with {org}",
    "Shared service for {topic} – {council} and {council}",
    "Joint integration – {function}/ {org}",
    "Project boards with representation from each service",
    "Change boards – innovation challenge on {topic}",
    "Service redesign boards with {org}",
    "Five-day sprint on {topic}",
    "Five day challenge with {function} and {function}",
    "Lean projects – {topic}",
    "Use {tool} to share ideas across teams",
    "Ideas captured on {tool}; active moderator",
    "Submit ideas by emails",
    "Open forum – encourage discussion and ideas",
    "Networking events with {org}",
    "Workshops to share skills e.g. {function}",
    "Think tank – officers from different services",
    "Conference days with {org} and {org}",
    "User intelligence groups for {topic}",
    "Grow your own talent",
    "Training and CPD for {role}",
    "Performance reviews include collaboration",
    "Acknowledging talent",
    "Short-term secondments within our council",
    "Secondments to {org}",
    "Protected time to innovate",
    "Funded time for {topic} pilot",
    "Dedicate time to reflect",
    "Support of leadership team, driving from top of the organisation",
    "Sponsorship from {role}",
    "{role} championing the work",
    "Define at the start of the project/job role",
    "Changes to job description",
    "Changes to recruitment process",
    "Promote roles internally",
    "Procurement acts as co-ordinator",
    "Key facilitator – procurement teams could do this",
    "{org} can help facilitate this",
    "Market facilitation plan with {org}",
    "Invite suppliers early – {topic}",
    "Create an environment with ‘no blame’ culture",
    "Take away fear of making mistakes",
    "Taking calculated risks and empowering people",
    "Create an open culture to try new things",
    "Empowerment in decision making",
    "Needs to be everyone’s job",
    "Not constrained by title or grade",
    "Demonstrate things that have worked",
    "Communication ‘selling benefits’",
    "Business case with budget savings",
    "Showcase good examples from {council}",
    "Be realistic",
    "Park what you can’t influence",
    "What is within your gift",
    "Timescales – keeping things moving forwards",
    "Stepping back to “see the big picture”",
    "Same end goal but open to change",
    "Working together to break down barriers",
    "Join the collaboration up",
    "Change fund for {topic}",
    "Target operating model",
    "Digitalisation of {topic}",
    "Transformation projects with {org}",
    "Process mapping with {function}",
    "Joint group with {org} – {topic}",
    "Contracts sharing across councils",
    "We collaborate with {council}",
    "Members of various organisations take active part",
)
BARRIER = (
    "Day job – no time",
    "No capacity – {function} stretched",
    "People on the ground not given more time",
    "Resources are tight",
    "Funding – who pays?",
    "Budget process",
    "Revenue v capital",
    "Funding for {topic} not there",
    "Too risk averse?",
    "Appetite for risk – {org}",
    "Fear of blame",
    "Lack of buy-in from {role}",
    "Motivation blockers",
    "Buy in from “lending” teams ({function})",
    "Lack of communication across organisations",
    "No common language between {function} and services",
    "Separate websites – {council} and {council}",
    "Process can be inflexible",
    "Red tape",
    "Speed of uptake is slow due to process",
    "Compliance – {topic}",
    "Professional boundaries – protective of roles",
    "Silos between {function} and {function}",
    "Difficult to collaborate across Local Authorities",
    "Political differences/ agendas",
    "Competing agendas – own priorities not bigger picture",
    "Short term goals",
    "Union problems",
    "Job evaluation – union?",
    "Issue when person returns to their own role",
    "Lack of trust with {org}",
    "Credibility of {function}",
    "Culture of organisation (change, blame)",
    "Complacency",
    "Different attitudes of {org}",
    "Reluctance from suppliers to collaborate",
    "Capability skills set",
    "Skills gap in {function}",
    "Promoting is easier than the delivery",
    "Lacks implementation – {topic}",
    "Who drives project??",
    "Who delivers for delivery?",
    "Dependencies considered?",
    "Not everyone has the same goals and vision",
)
BENEFIT = (
    "Better service outcomes, value",
    "Idea sharing = better outcomes",
    "Economies of scale",
    "Shared resource",
    "Buying power – {topic}",
    "Efficiency/ savings into services with {function}",
    "Eliminates waste",
    "Building of trust",
    "Knowledge sharing with {org}",
    "Crisis management – {topic}",
    "Resilience – shared flex resources benefit all",
    "Customers – both external and internal",
    "Community benefits from {topic}",
    "Better solutions that may not have been delivered",
)
CONTEXT = (
    "Yes, ethos is there",
    "{council} – ethos is there",
    "Not generally “promoted” more “nice to have”",
    "Across teams",
    "Across service departments",
    "Internal – cross directorate",
    "Budgets are forcing innovation",
    "{place}",
    "By default {org}",
    "Scope to do more",
    "Improve V innovate",
    "Tries to promote this but are areas with differences",
    "State drives this",
)
HEADINGS = {
    "barrier": ("Challenges", "Challenge", "Blockers"),
    "benefit": ("Benefits",),
    "practice": ("What has worked", "What worked", "Examples of collaboration"),
}
TAILS = (
    "?",
    " – {council}",
    " – e.g. {org}",
    " (pilot)",
    " – {topic}",
    " with {function}",
    " – not formal yet",
    "; {tool}",
    " in {council}",
    " for {topic}",
    " across {function} and {function}",
    " – {role} to lead",
    " – {org} involved",
    " ({place})",
    " – worked well for {topic}",
    " – {council} and {org}",
    " – since {year}",
    " – e.g. {topic} with {org}",
    " – {role} and {role}",
    " using {tool}",
    " – {function} view",
    " – needs {role} support",
)
#: Share of bullets that get a tail: real notes are mostly unique sentences, and
#: the benchmark must not flatter caches keyed on the note text.
TAIL_RATE = 0.9

# What each block leans towards: (practice, barrier, benefit, context) weights
BLOCK_MIX = {
    (1, "A"): (3, 1, 0, 3),
    (1, "B"): (1, 1, 5, 1),
    (1, "C"): (5, 1, 0, 1),
    (1, "D"): (1, 2, 0, 3),
    (2, "A"): (5, 2, 1, 0),
    (2, "B"): (4, 3, 0, 0),
    (2, "C"): (3, 3, 0, 1),
    (2, "D"): (4, 3, 1, 0),
}
BANKS = {"practice": PRACTICE, "barrier": BARRIER, "benefit": BENEFIT, "context": CONTEXT}
KINDS = ("practice", "barrier", "benefit", "context")


def _fill(rng: random.Random, template: str) -> str:
    """Fill each ``{slot}`` of ``template`` independently."""
    pools = {
        "org": GENERIC_ORGS,
        "council": COUNCILS,
        "function": FUNCTIONS,
        "tool": TOOLS,
        "role": ROLES,
        "topic": TOPICS,
        "team": TEAMS,
        "place": PLACES,
        "year": YEARS,
    }
    out: list[str] = []
    rest = template
    while "{" in rest:
        head, _, tail = rest.partition("{")
        slot, _, rest = tail.partition("}")
        out.append(head)
        out.append(rng.choice(pools[slot]))
    out.append(rest)
    text = "".join(out)
    return text[0].upper() + text[1:] if text[0].islower() and rng.random() < 0.7 else text


def _sentence(rng: random.Random, kind: str) -> str:
    """One bullet text of ``kind``, sometimes with a tail, a caveat or a second item."""
    text = _fill(rng, rng.choice(BANKS[kind]))
    if rng.random() < TAIL_RATE and not text.endswith("?"):
        text += _fill(rng, rng.choice(TAILS))
        if rng.random() < 0.4:
            text += _fill(rng, rng.choice(TAILS[1:]))
    r = rng.random()
    if r < 0.05:
        text += "; " + _fill(rng, rng.choice(BANKS[kind])).lower()
    elif r < 0.08:
        text = text.replace(" – ", " - ", 1)
    elif r < 0.10:
        text = text.replace(" ", "  ", 1)
    elif r < 0.12:
        text = text.replace("'", "’")
    return text


def _block_bullets(rng: random.Random, question: int, letter: str, n: int) -> list[str]:
    """``n`` bullet texts for one block, with an occasional sub-heading bullet."""
    weights = BLOCK_MIX[(question, letter)]
    bullets: list[str] = []
    while len(bullets) < n:
        left = n - len(bullets)
        if left >= 3 and rng.random() < 0.08:
            kind = rng.choice(("barrier", "benefit", "practice"))
            bullets.append(rng.choice(HEADINGS[kind]))
            for _ in range(min(left - 1, rng.randint(2, 5))):
                bullets.append(_sentence(rng, kind))
        else:
            kind = rng.choices(KINDS, weights=weights)[0]
            bullets.append(_sentence(rng, kind))
    return bullets


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """Split ``total`` into ``parts`` non-negative integers, roughly evenly, at random."""
    if parts <= 0:
        return []
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [int(w * scale) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % parts] += 1
    return sizes


def _blank(rng: random.Random) -> list[str]:
    """A run of 0-3 blank lines (rarely a line holding only a tab)."""
    n = rng.choice((0, 1, 1, 1, 2, 2, 3))
    return ["\t" if rng.random() < 0.02 else "" for _ in range(n)]


def _space(rng: random.Random, p: float = 0.15) -> str:
    """A trailing space with probability ``p``."""
    return " " if rng.random() < p else ""


def _workshop(rng: random.Random, index: int, n_notes: int) -> str:
    """The text of one workshop file holding exactly ``n_notes`` bullets."""
    n_groups = min(12, max(1, round(n_notes / rng.uniform(24, 32))))
    lines = [f"{rng.choice(TITLES)} – {rng.choice(PLACES)} {2016 + index % 8}", *PREAMBLE]
    for g, g_notes in enumerate(_split(rng, n_notes, n_groups), start=1):
        lines.append(f"Group {NUMBER_WORDS[g]}{_space(rng)}")
        questions = (1,) if rng.random() < 0.05 else (1, 2)
        blocks: list[tuple[int, str]] = []
        for q in questions:
            letters = ["A", "B", "C", "D"]
            if rng.random() < 0.04:  # a duplicate letter, as in the bundled Group Four
                dup = rng.randrange(4)
                letters.insert(dup + 1, letters[dup])
            blocks.extend((q, letter) for letter in letters)
        empty = [rng.random() < 0.05 for _ in blocks]
        if all(empty):
            empty[0] = False
        sizes = _split(rng, g_notes, sum(not e for e in empty))
        it = iter(sizes)
        current_q = 0
        for (q, letter), is_empty in zip(blocks, empty, strict=True):
            if q != current_q:
                current_q = q
                lines.append(f"\tQuestion {NUMBER_WORDS[q]}{_space(rng, 0.1)}")
                lines.extend(_blank(rng))
            n = 0 if is_empty else next(it)
            lines.append(f"\t{letter}){_space(rng, 0.1)}")
            if n and rng.random() < 0.03:
                lines.append("")
            lines.extend(
                f"· {text}{_space(rng, 0.08)}" for text in _block_bullets(rng, q, letter, n)
            )
            lines.extend(_blank(rng))
    return "\n".join(lines) + "\n "


def generate(notes: int, seed: int = 1) -> list[tuple[str, str]]:
    """Generate ``notes`` notes as ``(file name, text)`` pairs, 200-300 notes per file.

    Parameters
    ----------
    notes : int
        Total number of bullets (notes) across all files; must be positive.
    seed : int
        Seed for the generator's own :class:`random.Random`.

    Returns
    -------
    list of (str, str)
        File names ``workshop-0001.txt`` ... and their UTF-8 text.

    Raises
    ------
    ValueError
        If ``notes`` is not positive.

    Examples
    --------
    >>> name, text = generate(40, seed=3)[0]
    >>> name, text.splitlines()[5]
    ('workshop-0001.txt', 'a) Creating spaces, practices and ways of working to support \
collaboration across boundaries')
    """
    if notes <= 0:
        raise ValueError(f"notes must be positive, got {notes}")
    rng = random.Random(seed)
    files = max(1, round(notes / 250))
    weights = [rng.uniform(0.82, 1.18) for _ in range(files)]
    scale = notes / sum(weights)
    sizes = [int(w * scale) for w in weights]
    for i in range(notes - sum(sizes)):
        sizes[i % files] += 1
    return [
        (f"workshop-{i:04d}.txt", _workshop(random.Random(f"{seed}:{i}"), i, n))
        for i, n in enumerate(sizes, start=1)
    ]


def write_corpus(notes: int, out: str | Path, seed: int = 1) -> list[Path]:
    """Write :func:`generate`'s files into directory ``out`` (created if needed).

    Parameters
    ----------
    notes : int
        Total number of notes.
    out : str or Path
        Output directory.
    seed : int
        Generator seed.

    Returns
    -------
    list of Path
        The files written, in order.
    """
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name, text in generate(notes, seed):
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def barrier_queries(count: int = 200, seed: int = 1) -> list[str]:
    """``count`` distinct free-text barrier queries drawn from the barrier phrase bank.

    Examples
    --------
    >>> qs = barrier_queries(200)
    >>> len(qs), len(set(qs))
    (200, 200)
    """
    rng = random.Random(f"queries:{seed}")
    seen: set[str] = set()
    out: list[str] = []
    attempts = 0
    while len(out) < count:
        attempts += 1
        text = _fill(rng, rng.choice(BARRIER)).lower()
        if attempts > 50 * count or rng.random() < 0.5:
            text = f"{text} {rng.choice(('', 'again', 'for us', 'in practice', 'issues'))}".strip()
        text = text.replace("?", "").replace("–", "").replace("  ", " ").strip()
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: ``python benchmarks/synth.py --notes N --seed S --out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, required=True, help="total number of notes")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    args = parser.parse_args(argv)
    if args.notes <= 0:
        parser.error("--notes must be positive")
    paths = write_corpus(args.notes, args.out, args.seed)
    print(f"wrote {args.notes} notes in {len(paths)} files to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
