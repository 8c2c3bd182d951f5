"""Imports only go down the pipeline: no module imports from a later stage.

Every ``.py`` under ``src/collab_graph`` is parsed with :mod:`ast`; every import
of a ``collab_graph`` module (at module level, inside functions, under
``TYPE_CHECKING``; ``import collab_graph.x``, ``from collab_graph.x import y``,
``from collab_graph import x`` and relative imports) must go to a stage of the
same or a lower rank:

====  =========================================================================
rank  modules
====  =========================================================================
0     the shared base: model, errors, resources, bulk, workspace, csvfiles, the
      package ``__init__``
1     ingest
2     coding
3     review
4     graph
5     rdf
6     views (may import rdf)
7     pipeline, cache (the composition root)
8     cli, __main__
====  =========================================================================

A module missing from the table fails the test too, so a new one gets a rank on
purpose. The same walk checks what ruff's banned-api also enforces: streamlit
is imported by no package module, pyvis only by ``views/network.py``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "collab_graph"

RANKS: dict[str, int] = {
    "__init__": 0,
    "model": 0,
    "errors": 0,
    "resources": 0,
    "bulk": 0,
    "workspace": 0,
    "csvfiles": 0,
    "ingest": 1,
    "coding": 2,
    "review": 3,
    "graph": 4,
    "rdf": 5,
    "views": 6,
    "pipeline": 7,
    "cache": 7,
    "cli": 8,
    "__main__": 8,
}
"""Rank of each top-level module or stage package of ``collab_graph``."""

KNOWN_VIOLATIONS: set[tuple[str, str]] = set()

ONLY_IN: dict[str, set[str]] = {
    "streamlit": set(),  # app.py, outside the package
    "pyvis": {"collab_graph.views.network"},
}
"""Third-party packages that only the named package modules may import."""


def module_name(path: Path) -> str:
    """``collab_graph.graph.build`` for ``src/collab_graph/graph/build.py``."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def rank(module: str) -> int:
    """The rank of a ``collab_graph`` module (KeyError for a module with none)."""
    parts = module.split(".")
    assert parts[0] == "collab_graph", module
    return RANKS[parts[1] if len(parts) > 1 else "__init__"]


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules(module: str, source: str, *, is_package: bool = False) -> Iterator[str]:
    """Every module that ``source`` (the text of ``module``) imports, resolved to full names.

    ``from collab_graph import x`` names the submodule ``collab_graph.x`` when
    there is one, else the package itself (``x`` is then one of its attributes).
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - node.level + 1]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield sub if alias.name != "*" and _exists(sub) else base


def violations(module: str, source: str, *, is_package: bool = False) -> list[tuple[str, str]]:
    """``(module, imported)`` pairs where ``module`` imports a ``collab_graph`` module of a
    later stage."""
    own = rank(module)
    return [
        (module, target)
        for target in imported_modules(module, source, is_package=is_package)
        if target.split(".")[0] == "collab_graph" and rank(target) > own
    ]


def _sources() -> list[tuple[str, str, bool]]:
    return [
        (module_name(p), p.read_text(encoding="utf-8"), p.name == "__init__.py")
        for p in sorted(PACKAGE.rglob("*.py"))
    ]


def test_every_module_has_a_rank() -> None:
    unranked = []
    for module, _, _ in _sources():
        try:
            rank(module)
        except KeyError:
            unranked.append(module)
    assert unranked == [], f"give these modules a rank in tests/test_layers.py: {unranked}"


def test_no_module_imports_from_a_later_stage() -> None:
    found = {
        v for module, source, pkg in _sources() for v in violations(module, source, is_package=pkg)
    }
    new = sorted(found - KNOWN_VIOLATIONS)
    assert new == [], "imports that go up the pipeline:\n" + "\n".join(
        f"  {m} (rank {rank(m)}) imports {t} (rank {rank(t)})" for m, t in new
    )
    stale = sorted(KNOWN_VIOLATIONS - found)
    assert stale == [], f"these imports are gone: remove them from KNOWN_VIOLATIONS: {stale}"


IN_A_FUNCTION = "def f():\n    from collab_graph.pipeline import build_graph\n"
WHEN_TYPE_CHECKING = (
    "from typing import TYPE_CHECKING\n"
    "if TYPE_CHECKING:\n"
    "    from collab_graph.views import network\n"
)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("collab_graph.graph.query", "from collab_graph.views import tables", 1),
        ("collab_graph.graph.query", "import collab_graph.rdf.fast", 1),
        ("collab_graph.graph.query", "from collab_graph import cli", 1),
        ("collab_graph.graph.query", "from collab_graph import __version__", 0),
        ("collab_graph.graph.query", IN_A_FUNCTION, 1),
        ("collab_graph.graph.query", WHEN_TYPE_CHECKING, 1),
        ("collab_graph.graph.query", "from ..views import network", 1),
        ("collab_graph.graph.query", "from . import schema\nfrom ..model import Note", 0),
        ("collab_graph.views.tables", "from collab_graph.rdf import convert", 0),
        ("collab_graph.rdf.convert", "from collab_graph.views import export", 1),
        ("collab_graph.cache", "from collab_graph import pipeline", 0),
        ("collab_graph.model", "from collab_graph.ingest import parse", 1),
    ],
)
def test_the_check_catches_every_form_of_import(module: str, source: str, expected: int) -> None:
    assert len(violations(module, source)) == expected


def test_ui_libraries_stay_where_they_belong() -> None:
    for module, source, _ in _sources():
        for target in imported_modules(module, source):
            top = target.split(".")[0]
            if top in ONLY_IN:
                assert module in ONLY_IN[top], f"{module} imports {top}"
