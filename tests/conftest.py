"""Shared test setup: keep the cache and the analyst's workspace out of the user's home."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from collab_graph.cache import CACHE_ENV
from collab_graph.views.uploads import UPLOADS_ENV
from collab_graph.workspace import WORKSPACE_ENV


@pytest.fixture(autouse=True, scope="session")
def _quiet_streamlit() -> None:
    """AppTest sets session state from the test's thread; Streamlit warns each time."""
    from collab_graph.views.app_support import quiet_streamlit_noise

    quiet_streamlit_noise()


@pytest.fixture(autouse=True, scope="session")
def _private_cache_and_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every app, CLI and browser test (and the servers they start) caches in a temp folder
    and reads and writes a temporary workspace, never the user's own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("graph-cache")))
        mp.setenv(WORKSPACE_ENV, str(tmp_path_factory.mktemp("workspace")))
        mp.setenv(UPLOADS_ENV, str(tmp_path_factory.mktemp("uploads")))
        yield
