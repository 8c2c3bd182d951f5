"""Stage 2, coding: notes in, coded notes out.

Takes the notes of each workshop with their scope and gives each a kind
(practice, barrier, benefit, context or heading), themes from the taxonomy,
the organisations it mentions, a confidence and the reasons. The vocabulary
(taxonomy, kind cues, gazetteer) is read from data files; analyst reviews are
not applied here (see :mod:`collab_graph.review`).
"""

from __future__ import annotations
