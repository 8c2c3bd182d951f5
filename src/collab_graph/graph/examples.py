"""A tiny hand-coded pair of workshops, for doctests, tests and demos.

Two workshops (``alpha`` with prompts, ``beta`` without) share themes and
organisations, like two real workshops would. Nothing here is read from disk
and nothing depends on the classifier, so examples stay stable while the
taxonomy and classifier evolve.

Examples
--------
>>> from collab_graph.graph.examples import example_coded_notes, example_graph
>>> len(example_coded_notes())
11
>>> G = example_graph()
>>> G.nodes["workshop/beta/note/G1-Q1-1"]["text"]
'Getting out of firefight'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from collab_graph.model import (
    CodedNote,
    Note,
    NoteKind,
    Organisation,
    OrgType,
    Prompt,
    Question,
    Theme,
    ThemeKind,
    Workshop,
)

if TYPE_CHECKING:
    from collab_graph.graph.schema import KnowledgeGraph

__all__ = [
    "example_coded_notes",
    "example_curated",
    "example_graph",
    "example_organisations",
    "example_themes",
    "example_workshops",
]


def example_themes() -> dict[str, Theme]:
    """Eight themes: three practices, three barriers (one never raised), two benefits."""
    themes = [
        Theme(
            "p_protected_time",
            ThemeKind.PRACTICE,
            "Protected / dedicated time for innovation",
            "Ring-fenced time.",
            ("protected time", "funded time"),
        ),
        Theme(
            "p_dedicated_team",
            ThemeKind.PRACTICE,
            "Dedicated project teams",
            "A team or lead for the work.",
            ("project team",),
        ),
        Theme(
            "p_shared_services",
            ThemeKind.PRACTICE,
            "Shared services and partnership working",
            "Pooling services.",
            ("shared service",),
        ),
        Theme(
            "p_idea_platforms",
            ThemeKind.PRACTICE,
            "Idea capture and sharing platforms",
            "Tools to share ideas.",
            ("ideas hub",),
        ),
        Theme(
            "b_time_capacity",
            ThemeKind.BARRIER,
            "Time and capacity",
            "No time beyond the day job.",
            ("no time", "day job"),
            ("Lack of time",),
        ),
        Theme(
            "b_funding_budgets",
            ThemeKind.BARRIER,
            "Funding, budgets and resource constraints",
            "Not enough money.",
            ("budget", "money"),
        ),
        Theme(
            "b_trust",
            ThemeKind.BARRIER,
            "Lack of trust and credibility",
            "Partners do not trust each other.",
            ("trust",),
        ),
        Theme(
            "n_efficiency_savings",
            ThemeKind.BENEFIT,
            "Efficiency, savings and waste reduction",
            "Doing more with less.",
            ("saves money",),
        ),
    ]
    return {t.id: t for t in themes}


def example_organisations() -> dict[str, Organisation]:
    """Two organisations shared by both workshops."""
    orgs = [
        Organisation("nhs", "NHS", OrgType.HEALTH, ("NHS", "Health")),
        Organisation("procurement", "Procurement function", OrgType.FUNCTION, ("procurement",)),
    ]
    return {o.id: o for o in orgs}


def example_workshops() -> list[Workshop]:
    """The two workshops' metadata."""
    alpha = Workshop(
        slug="alpha",
        title="Alpha workshop",
        source="alpha.txt",
        questions=(Question(1, "What has worked?", 2),),
        prompts=(Prompt(1, "A", "resourcing", 3), Prompt(1, "B", "buy-in", 8)),
    )
    beta = Workshop(
        slug="beta",
        title="Beta workshop",
        source="beta.md",
        questions=(Question(1, "How is it promoted?", 1),),
    )
    return [alpha, beta]


def example_coded_notes() -> list[CodedNote]:
    """Eleven coded notes: eight in ``alpha`` (two groups), three in ``beta`` (one group)."""
    t = example_themes()
    o = example_organisations()

    def cn(
        ws: str,
        nid: str,
        group: int,
        prompt: str | None,
        line: int,
        text: str,
        kind: NoteKind,
        themes: tuple[str, ...] = (),
        orgs: tuple[str, ...] = (),
    ) -> CodedNote:
        note = Note(
            id=nid,
            workshop=ws,
            group=group,
            question=1,
            prompt=prompt,
            line=line,
            text=text,
            group_label=f"Group {group}",
        )
        return CodedNote(
            note=note,
            kind=kind,
            themes=tuple(t[x] for x in themes),
            orgs=tuple(o[x] for x in orgs),
            confidence=0.8,
            reasons=(f"example {kind}",),
        )

    P, B, N, H = NoteKind.PRACTICE, NoteKind.BARRIER, NoteKind.BENEFIT, NoteKind.HEADING
    return [
        cn(
            "alpha", "G1-Q1-A-1", 1, "A", 5, "Protected time for projects", P, ("p_protected_time",)
        ),
        cn("alpha", "G1-Q1-A-2", 1, "A", 6, "Day job – no time", B, ("b_time_capacity",)),
        cn(
            "alpha",
            "G1-Q1-A-3",
            1,
            "A",
            7,
            "Shared services with NHS",
            P,
            ("p_shared_services",),
            ("nhs",),
        ),
        cn("alpha", "G1-Q1-B-1", 1, "B", 9, "Budgets are tight", B, ("b_funding_budgets",)),
        cn("alpha", "G2-Q1-A-1", 2, "A", 12, "Challenges", H),
        cn("alpha", "G2-Q1-A-2", 2, "A", 13, "No time to innovate", B, ("b_time_capacity",)),
        cn("alpha", "G2-Q1-A-3", 2, "A", 14, "Dedicated project team", P, ("p_dedicated_team",)),
        cn(
            "alpha",
            "G2-Q1-B-1",
            2,
            "B",
            16,
            "Procurement saves money",
            N,
            ("n_efficiency_savings",),
            ("procurement",),
        ),
        cn(
            "beta",
            "G1-Q1-1",
            1,
            None,
            3,
            "Getting out of firefight",
            P,
            ("p_protected_time", "b_time_capacity"),
        ),
        cn(
            "beta",
            "G1-Q1-2",
            1,
            None,
            4,
            "Shared procurement service with NHS",
            P,
            ("p_shared_services", "n_efficiency_savings"),
            ("procurement", "nhs"),
        ),
        cn("beta", "G1-Q1-3", 1, None, 5, "Money is scarce", B, ("b_funding_budgets",)),
    ]


def example_curated() -> list[tuple[str, str, str, str]]:
    """Curated links for the example as ``(practice, barrier, strength, rationale)``."""
    return [
        ("p_protected_time", "b_time_capacity", "strong", "Ring-fenced time frees people."),
        ("p_shared_services", "b_funding_budgets", "strong", "Pooling cuts cost."),
        ("p_dedicated_team", "b_time_capacity", "moderate", "A team takes the work off others."),
    ]


def example_graph() -> KnowledgeGraph:
    """The example workshops as a knowledge graph (see :mod:`collab_graph.graph.build`)."""
    from collab_graph.graph.build import build_graph
    from collab_graph.graph.links import CuratedLink

    return build_graph(
        example_coded_notes(),
        example_workshops(),
        themes=example_themes().values(),
        organisations=example_organisations().values(),
        curated=[CuratedLink(*row) for row in example_curated()],
    )
