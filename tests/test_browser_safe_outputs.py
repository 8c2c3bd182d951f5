"""Safe outputs in a real browser: ``collab-graph app`` on notes holding formulas and a form feed.

The Export page warns about the characters the XML downloads replace; the
``csv`` and ``xml`` downloads, clicked in Chromium, are formula-safe and
well-formed; the SPARQL results table offers no raw CSV download of its own.
Locally these tests skip when /usr/bin/chromium is missing; under ``CI=true``
they fail instead.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib

import app_harness as harness  # loaded by conftest.py
from collab_graph.workspace import WORKSPACE_ENV

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
NOTES = (
    "Formula workshop\nGroup 1\nQuestion 1\nA)\n- =1+1\n- @SUM(A1:A2)\n"
    "- Protected time for projects\n- a\x0cb after a page break\n"
)


@pytest.fixture(scope="module")
def page(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The Export page of the app on the formula workshop, in a 1440×900 Chromium window."""
    folder = tmp_path_factory.mktemp("formulas")
    notes = folder / "formulas.txt"
    notes.write_text(NOTES, encoding="utf-8")
    env = {WORKSPACE_ENV: str(folder / "workspace")}
    with harness.AppServer(paths=[notes], env=env) as srv:
        context = chromium.new_context(
            viewport={"width": 1440, "height": 900}, accept_downloads=True
        )
        p = context.new_page()
        p.goto(f"{srv.url}/export", wait_until="domcontentloaded")
        p.get_by_role("button", name="csv (.csv)").wait_for(timeout=60_000)
        yield p
        context.close()


def _download(page: Any, name: str) -> bytes:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=name).click()
    return Path(info.value.path()).read_bytes()


def test_export_page_warns_and_its_downloads_are_safe(page: Any) -> None:
    warning = page.get_by_text("replaced 1 character that XML 1.0 forbids", exact=False)
    warning.first.wait_for(timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "export-safe-outputs.png"))
    rows = list(csv.reader(io.StringIO(_download(page, "csv (.csv)").decode(), newline="")))
    cells = {c for row in rows for c in row}
    assert {"'=1+1", "'@SUM(A1:A2)"} <= cells
    assert not {"=1+1", "@SUM(A1:A2)"} & cells
    g = rdflib.Graph().parse(data=_download(page, "xml (.rdf)"), format="xml")
    assert rdflib.Literal("a\ufffdb after a page break") in set(g.objects())


def test_sparql_results_download_is_safe_and_the_table_has_no_raw_export(page: Any) -> None:
    page.get_by_label("Query", exact=True).fill("SELECT ?t WHERE { ?n schema:text ?t } ORDER BY ?t")
    page.get_by_role("button", name="Run query").click()
    button = page.get_by_role("button", name="Download the rows (.csv)")
    button.wait_for(timeout=60_000)
    grid = page.locator("[data-testid='stDataFrame']").last
    grid.hover()
    page.wait_for_timeout(500)
    toolbar = page.locator("[data-testid='stElementToolbar']").last
    assert toolbar.get_by_role("button", name="Search").count() == 1  # the toolbar is there
    assert toolbar.get_by_role("button", name="Download as CSV").count() == 0
    button.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "export-sparql-safe-csv.png"))
    data = _download(page, "Download the rows (.csv)").decode()
    assert data.splitlines()[:3] == ["t", "'=1+1", "'@SUM(A1:A2)"]


def test_refi_qda_downloads_validate_and_hold_every_note(page: Any) -> None:
    """The Export page's codebook and project downloads are valid REFI-QDA (issue 16)."""
    import zipfile

    from lxml import etree

    schemas = ROOT / "tests" / "data" / "refi-qda"
    codebook = etree.XMLSchema(etree.parse(str(schemas / "Codebook.xsd")))
    assert codebook.validate(etree.fromstring(_download(page, "codebook (.qdc)")))
    archive = zipfile.ZipFile(io.BytesIO(_download(page, "project (.qdpx)")))
    project = etree.fromstring(archive.read("project.qde"))
    assert etree.XMLSchema(etree.parse(str(schemas / "Project-mrt2019.xsd"))).validate(project)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    [source] = project.findall(".//q:TextSource", ns)
    text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
    spans = [
        text[int(s.get("startPosition")) : int(s.get("endPosition"))]
        for s in source.findall("q:PlainTextSelection", ns)
    ]
    assert spans == [
        "=1+1",
        "@SUM(A1:A2)",
        "Protected time for projects",
        "a\x0cb after a page break",
    ]
