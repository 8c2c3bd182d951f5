"""collab-graph: workshop notes to an evidence-backed knowledge graph.

The pipeline is one-way: :mod:`~collab_graph.parse` → :mod:`~collab_graph.classify`
→ :mod:`~collab_graph.graph` → :mod:`~collab_graph.rdf` / :mod:`~collab_graph.query`
/ :mod:`~collab_graph.viz`.
"""

from __future__ import annotations

__version__ = "0.1.0"
