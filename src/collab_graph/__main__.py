"""``python -m collab_graph`` runs the same CLI as ``collab-graph``."""

from __future__ import annotations

from collab_graph.cli import main

if __name__ == "__main__":
    main()
