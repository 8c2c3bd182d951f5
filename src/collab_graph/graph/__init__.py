"""Stage 4, graph: coded notes in, a :class:`networkx.MultiDiGraph` out, and questions about it.

:mod:`~collab_graph.graph.schema` defines every node and edge attribute once;
:mod:`~collab_graph.graph.build` builds the graph, :mod:`~collab_graph.graph.links`
scores the practice → barrier links and :mod:`~collab_graph.graph.query` answers
questions (which practices address a barrier, rankings, gaps), each taking the
graph first.

:mod:`~collab_graph.graph.meaning` matches free text to themes by meaning and
:mod:`~collab_graph.graph.threshold` chooses and checks its threshold on labelled
questions.
"""

from __future__ import annotations
