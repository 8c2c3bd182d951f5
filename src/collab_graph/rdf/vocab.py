"""The project's own RDF vocabulary (``cg:``) and the namespaces it reuses.

collab-graph reuses SKOS for themes, PROV-O for provenance (notes
``prov:wasDerivedFrom`` their source document and ``prov:wasAttributedTo``
the group that raised them; groups are ``prov:Agent``), the W3C ORG
vocabulary for organisations, schema.org for note text and mentions, and
DCTERMS for identifiers, titles and part-whole links. :class:`CG` holds only
the terms none of these provides. It is closed (``_fail = True``), so a
misspelt term fails loudly. Every term is documented with a label and a
comment in ``data/ontology.ttl``.

Examples
--------
>>> from collab_graph.rdf.vocab import CG
>>> str(CG.Practice)
'https://w3id.org/collab-graph/vocab#Practice'
>>> CG.Practise
Traceback (most recent call last):
    ...
AttributeError: term 'Practise' not in namespace 'https://w3id.org/collab-graph/vocab#'
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace
from rdflib.term import URIRef

__all__ = [
    "CG",
    "CG_NS",
    "DCTERMS",
    "DEFAULT_BASE",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SDO",
    "SKOS",
    "XSD",
]

CG_NS = "https://w3id.org/collab-graph/vocab#"
"""The namespace IRI of the collab-graph vocabulary."""

DEFAULT_BASE = "https://example.org/collab-graph/"
"""The default base IRI of exported data (workshops, notes, themes, organisations)."""


class CG(DefinedNamespace):
    """collab-graph's own classes and properties (closed: unknown names raise)."""

    _fail = True
    _NS = Namespace(CG_NS)

    # Classes
    Workshop: URIRef  # A workshop: one notes document, a prov:Activity.
    Question: URIRef  # A question put to the groups of a workshop.
    Prompt: URIRef  # A lettered prompt (sub-question or issue) within a question.
    Group: URIRef  # A breakout group of a workshop, a prov:Agent.
    Note: URIRef  # One bullet of the notes, a prov:Entity.
    SourceDocument: URIRef  # The notes file a workshop was parsed from.
    Theme: URIRef  # A theme of the taxonomy, a skos:Concept.
    Practice: URIRef  # A practice theme: something done to promote collaboration.
    Barrier: URIRef  # A barrier theme: an obstacle to collaboration.
    Benefit: URIRef  # A benefit theme: a gain from collaboration.
    AddressesLink: URIRef  # A qualified practice-addresses-barrier link with its scores.
    Tool: URIRef  # A tool or platform the notes name: not an organisation.

    # Object properties
    inResponseTo: URIRef  # A note answers this question or prompt.
    childOf: URIRef  # A nested note sits under this parent note.
    primaryTheme: URIRef  # The note's primary theme (also a dcterms:subject).
    addresses: URIRef  # A practice theme addresses a barrier theme.
    practice: URIRef  # The practice side of an AddressesLink.
    barrier: URIRef  # The barrier side of an AddressesLink.
    explicitNote: URIRef  # A note that pairs the link's practice and barrier explicitly.

    # Datatype properties
    sourceLine: URIRef  # 1-based line of the note in its source (.docx: paragraph).
    number: URIRef  # Number of a question or group.
    letter: URIRef  # Letter of a prompt.
    topic: URIRef  # What a prompt asks.
    workshop: URIRef  # Slug of the workshop a resource belongs to.
    group: URIRef  # Group number of a note.
    question: URIRef  # Question number of a note or prompt.
    prompt: URIRef  # Prompt letter of a note.
    block: URIRef  # Which block of a repeated prompt letter a note is in (1, 2, ...).
    section: URIRef  # Nearest enclosing sub-heading of a note.
    noteKind: URIRef  # The coded kind of a note.
    classifierKind: URIRef  # The kind the classifier alone gave, before review.
    confidence: URIRef  # Confidence of a note's coding, 0 to 1.
    reasons: URIRef  # Why the note was coded so ("; "-separated).
    reviewed: URIRef  # True when an analyst review changed the coding.
    cue: URIRef  # A cue phrase of a theme.
    orgType: URIRef  # The type of an organisation.
    resolved: URIRef  # False for a detected organisation name no gazetteer entry holds.
    score: URIRef  # Combined score of an AddressesLink, 0 to 1.
    level: URIRef  # CFIR-ERIC style level of an AddressesLink (1, 2 or 3).
    curated: URIRef  # True when the link is in the curated links file.
    strength: URIRef  # Curated strength of a link: strong or moderate.
    rationale: URIRef  # Why the curated link holds.
    curatedScore: URIRef  # The curated part of the score.
    evidenceScore: URIRef  # The evidence part of the score.
    endorsement: URIRef  # Share of the groups raising the barrier that report the practice.
    groupsBarrier: URIRef  # Number of groups raising the barrier.
    groupsPractice: URIRef  # Number of groups reporting the practice.
    groupsBoth: URIRef  # Number of groups doing both.
    explicitGroups: URIRef  # Groups with a note pairing practice and barrier.
    blockGroups: URIRef  # Groups with practice and barrier in the same prompt block.


PREFIXES: dict[str, str] = {
    "cg": CG_NS,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "org": str(ORG),
    "schema": str(SDO),
}
"""Prefixes bound in exports and available in SPARQL queries without declaring them."""
