"""collab-graph: workshop notes to an evidence-backed knowledge graph.

The pipeline is one-way, one package per stage, and imports only go down it::

    ingest  ->  coding  ->  review  ->  graph  ->  rdf / views
    (read)      (code)      (analyst)   (build,    (RDF, SPARQL; draw,
                                         query)     export, tables)

* :mod:`collab_graph.ingest` reads a notes file into notes with provenance and scope;
* :mod:`collab_graph.coding` gives each note a kind, themes and organisations;
* :mod:`collab_graph.review` applies the analyst's reviews on top;
* :mod:`collab_graph.graph` builds the knowledge graph and answers questions about it;
* :mod:`collab_graph.rdf` turns it into RDF, checks it with SHACL and runs SPARQL;
* :mod:`collab_graph.views` draws it, exports it and shapes answers into tables.

Shared by every stage: :mod:`~collab_graph.model` (records and closed
vocabularies), :mod:`~collab_graph.errors` (the exception tree),
:mod:`~collab_graph.resources` (the bundled data files) and
:mod:`~collab_graph.workspace` (the analyst's own files). Above the stages,
:mod:`~collab_graph.pipeline` composes them and owns the cache, and
:mod:`~collab_graph.cli` and ``app.py`` only translate.
"""

from __future__ import annotations

__version__ = "0.1.0"
