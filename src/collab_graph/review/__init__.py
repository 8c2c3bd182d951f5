"""Stage 3, review: the classifier's coding in, the analyst's coding out.

Takes :class:`~collab_graph.model.CodedNote` records and the analyst's
reviews (from the workspace and the bundled reference reviews) and gives the
coding with every valid review applied, plus which reviews were stale. Also
scores a coding against a reference coding (:mod:`collab_graph.review.evaluate`).
"""

from __future__ import annotations
