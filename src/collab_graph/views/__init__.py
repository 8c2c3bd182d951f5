"""Stage 5b, views: the graph in, things people look at out.

:mod:`~collab_graph.views.network` draws it (the only module that imports
pyvis), :mod:`~collab_graph.views.export` writes every export format,
:mod:`~collab_graph.views.tables` turns answers into rows for the CLI and the
app, and :mod:`~collab_graph.views.app_support` holds the app's helpers that
need no Streamlit.
"""

from __future__ import annotations
