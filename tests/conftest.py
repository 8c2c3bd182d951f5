"""Shared test setup: keep the graph cache of the app out of the user's home."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from collab_graph.cache import CACHE_ENV


@pytest.fixture(autouse=True, scope="session")
def _private_graph_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every app, CLI and browser test (and the servers they start) caches in a temp folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("graph-cache")))
        yield
