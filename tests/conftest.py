"""Shared test setup: keep the cache and the analyst's workspace out of the user's home."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

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


def _load_module(name: str) -> ModuleType:
    """``tests/<name>.py`` as the module ``name`` (tests are not a package), loaded once here
    so that tests can ``import app_harness`` or ``virtuoso_server``."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


harness = _load_module("app_harness")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Debian Chromium per test module; skipped locally when it is missing, a
    failure under ``CI=true`` (``.ci/run`` must install it)."""
    if harness.chromium_path() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but Debian chromium is missing: .ci/run must install it")
        pytest.skip(
            "Debian chromium (/usr/bin/chromium) is not installed; apt-get install chromium"
        )
    with harness.browser() as b:
        yield b


@pytest.fixture(scope="session")
def virtuoso() -> Iterator[Any]:
    """One Debian Virtuoso per test session, on free loopback ports with its own database;
    skipped locally when ``virtuoso-t`` is missing, a failure under ``CI=true`` (``.ci/run``
    must install virtuoso-opensource-7-bin). Stopped after the session, in every case."""
    helper = _load_module("virtuoso_server")
    if helper.virtuoso_path() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but virtuoso-t is missing: .ci/run must install it")
        pytest.skip("virtuoso-t is not installed; apt-get install virtuoso-opensource-7-bin")
    with helper.running() as server:
        yield server
