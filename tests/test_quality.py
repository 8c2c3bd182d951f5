"""House-style gates that CI runs with the tests: ruff (lint, format), strict mypy (src, app).

Locally a gate whose tool is not installed skips, with the command that installs
it. Under CI (``CI=true``) it fails instead: a gate that can skip there guards
nothing.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)


def _require(module: str) -> None:
    """Skip (locally) or fail (under CI) when ``module`` cannot be imported."""
    if importlib.util.find_spec(module) is not None:
        return
    message = f"{module} is not installed (pip install -e '.[test]')"
    if os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}:
        pytest.fail(f"{message}; under CI the quality gates must run, not skip")
    pytest.skip(message)


@pytest.mark.parametrize(
    "args",
    [("check", "."), ("format", "--check", ".")],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff_is_clean(args: tuple[str, ...]) -> None:
    _require("ruff")
    out = _run(sys.executable, "-m", "ruff", *args)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_is_clean_on_src() -> None:
    _require("mypy")
    out = _run(sys.executable, "-m", "mypy")
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_sees_networkx_types() -> None:
    """networkx is type-checked with its stubs (types-networkx), not waved through."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for override in config["tool"]["mypy"].get("overrides", []):
        if override.get("ignore_missing_imports"):
            assert not any(m.startswith("networkx") for m in override["module"]), override


@pytest.mark.parametrize("ci", ["true", ""])
def test_a_missing_gate_tool_fails_under_ci_and_skips_locally(
    ci: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected, match="no_such_gate_tool is not installed"):
        _require("no_such_gate_tool")
