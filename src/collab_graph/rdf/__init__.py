"""Stage 5a, RDF: the graph in, RDF out (and back), SHACL checks and read-only SPARQL.

:mod:`~collab_graph.rdf.vocab` is the project's closed vocabulary,
:mod:`~collab_graph.rdf.convert` maps the graph to rdflib and back,
:mod:`~collab_graph.rdf.fast` writes N-Triples, N-Quads and Turtle straight
from the graph, :mod:`~collab_graph.rdf.shapes` validates with pySHACL and
:mod:`~collab_graph.rdf.sparql` runs read-only queries.
"""

from __future__ import annotations
