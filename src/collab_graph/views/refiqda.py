"""REFI-QDA exchange: the taxonomy as a codebook (.qdc), the coded notes as a project (.qdpx).

REFI-QDA is the exchange standard of NVivo, ATLAS.ti, MAXQDA, QualCoder and
others (https://www.qdasoftware.org). Both files are written with lxml, never
from string templates, and valid against REFI's XSDs (``tests/data/refi-qda/``).

* **Codebook** (:func:`codebook_xml`, namespace ``urn:QDA-XML:codebook:1.0``):
  one parent code per theme kind ("Practices", "Barriers", "Benefits"), each
  theme a child code (nested under its ``broader`` theme when that is of the
  same kind), its definition as ``Description``.
* **Project** (:func:`qdpx`, namespace ``urn:QDA-XML:project:1.0``): a zip of
  ``project.qde`` and each workshop as a UTF-8 plain-text source
  ``sources/<GUID>.txt`` (:func:`~collab_graph.ingest.source.source_text`).
  Every note is a ``PlainTextSelection`` over its characters in that text
  (code points, end exclusive: :func:`~collab_graph.ingest.source.note_spans`),
  coded with its kind's code and its themes' codes. The coder is
  :data:`CLASSIFIER`, or the reviewer when an analyst's review decided the note.
  The project's codebook adds a code for each note kind that is not a theme
  kind (context, heading), so every note is coded.

GUIDs are stable: UUID5s under :data:`NAMESPACE` of the theme id (the kind, the
user, the workshop, the note), so exporting again updates the codes a tool
already has instead of adding them twice. A theme imported from a codebook
keeps its code's GUID (recorded in its ``source``, :func:`theme_guid`).

:func:`read_codebook` reads another tool's codebook for ``themes import``.

Examples
--------
>>> from collab_graph.pipeline import vocabulary
>>> from lxml import etree
>>> root = etree.fromstring(codebook_xml(vocabulary().taxonomy))
>>> [c.get("name") for c in root.find("{urn:QDA-XML:codebook:1.0}Codes")]
['Practices', 'Barriers', 'Benefits']
>>> kind_guid("barrier")
'38766912-4633-5344-8EAE-B5FF488F5665'
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from lxml import etree

from collab_graph import __version__
from collab_graph.coding.taxonomy import Taxonomy
from collab_graph.errors import CodebookError, ExportError
from collab_graph.ingest.source import note_spans, source_text
from collab_graph.model import CodedNote, NoteKind, ParseResult, Theme, ThemeKind
from collab_graph.views.xmlsafe import xml_safe_text

__all__ = [
    "CLASSIFIER",
    "CODEBOOK_NS",
    "NAMESPACE",
    "PROJECT_NS",
    "Codebook",
    "CodebookCode",
    "ProjectSource",
    "RefiFormat",
    "codebook_xml",
    "kind_guid",
    "known_codes",
    "project_sources",
    "project_xml",
    "qdpx",
    "read_codebook",
    "theme_guid",
    "user_guid",
    "write",
]

#: The namespace of every GUID collab-graph makes (a fixed, random UUID: never change it).
NAMESPACE = uuid.UUID("8f0c2f55-3b7e-4d7a-9a3e-6a1f4f0c9b21")
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
#: The coder of every note no analyst reviewed.
CLASSIFIER = "collab-graph classifier"
#: The coder of a reviewed note whose review names nobody.
UNNAMED_REVIEWER = "analyst"
ORIGIN = f"collab-graph {__version__}"

#: How a theme imported from a codebook records its code's GUID in its ``source``.
_IMPORTED = re.compile(
    r"^REFI-QDA code \{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
    r"[0-9A-Fa-f]{12})\}?"
)
_KIND_NAME = re.compile(r"(practice|barrier|benefit|context|heading)s?", re.IGNORECASE)
_KIND_LABEL = {
    NoteKind.PRACTICE: "Practices",
    NoteKind.BARRIER: "Barriers",
    NoteKind.BENEFIT: "Benefits",
    NoteKind.CONTEXT: "Context",
    NoteKind.HEADING: "Headings",
}
_KIND_COLOUR = {
    NoteKind.PRACTICE: "#2CA02C",
    NoteKind.BARRIER: "#D62728",
    NoteKind.BENEFIT: "#1F77B4",
    NoteKind.CONTEXT: "#7F7F7F",
    NoteKind.HEADING: "#BCBD22",
}
_KIND_TEXT = {
    NoteKind.PRACTICE: "Practices: what people do, or propose to do, to collaborate.",
    NoteKind.BARRIER: "Barriers: what gets in the way of collaboration.",
    NoteKind.BENEFIT: "Benefits: what collaboration gives or would give.",
    NoteKind.CONTEXT: "Notes that raise no practice, barrier or benefit (collab-graph kind).",
    NoteKind.HEADING: "Bullets that only head the ones below them (collab-graph kind).",
}


class RefiFormat(StrEnum):
    """The REFI-QDA export formats."""

    QDC = "qdc"
    QDPX = "qdpx"


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts))).upper()


def kind_guid(kind: NoteKind | ThemeKind | str) -> str:
    """The GUID of a kind's code.

    Examples
    --------
    >>> kind_guid(ThemeKind.PRACTICE) == kind_guid("practice")
    True
    """
    return _guid("kind", str(kind))


def theme_guid(theme: Theme) -> str:
    """The GUID of a theme's code: the imported code's GUID, else a UUID5 of its id.

    Examples
    --------
    >>> t = Theme("b_x", ThemeKind.BARRIER, "X")
    >>> theme_guid(t) == _guid("theme", "b_x")
    True
    >>> theme_guid(Theme("b_y", ThemeKind.BARRIER, "Y",
    ...     source=("REFI-QDA code 0a1b2c3d-0000-4000-8000-00000000abcd (tool.qdc)",)))
    '0A1B2C3D-0000-4000-8000-00000000ABCD'
    """
    for cite in theme.source:
        m = _IMPORTED.match(cite)
        if m:
            return m.group(1).upper()
    return _guid("theme", theme.id)


def user_guid(name: str) -> str:
    """The GUID of a coder (the classifier or a reviewer), from the name.

    Examples
    --------
    >>> user_guid(CLASSIFIER) == user_guid("collab-graph classifier")
    True
    """
    return _guid("user", name)


class _Xml:
    """Builds elements in one namespace, making every string XML-safe (and counting)."""

    def __init__(self, ns: str) -> None:
        self.ns = ns
        self.replaced = 0

    def text(self, value: str) -> str:
        safe, n = xml_safe_text(value)
        self.replaced += n
        return safe

    def el(self, parent: etree._Element | None, tag: str, **attrs: str) -> etree._Element:
        clean = {k: self.text(v) for k, v in attrs.items()}
        if parent is None:
            return etree.Element(f"{{{self.ns}}}{tag}", clean, nsmap={None: self.ns})
        return etree.SubElement(parent, f"{{{self.ns}}}{tag}", clean)

    def description(self, parent: etree._Element, text: str) -> None:
        if text.strip():
            self.el(parent, "Description").text = self.text(text)


@dataclass
class _Code:
    guid: str
    name: str
    colour: str
    description: str = ""
    children: list[_Code] = field(default_factory=list)


def _tree(themes: Iterable[Theme], kinds: Sequence[NoteKind]) -> list[_Code]:
    """The code tree: one code per kind, its themes under it, nested by ``broader``."""
    roots = {k: _Code(kind_guid(k), _KIND_LABEL[k], _KIND_COLOUR[k], _KIND_TEXT[k]) for k in kinds}
    chosen = list({t.id: t for t in themes}.values())
    by_id = {t.id: t for t in chosen}
    codes = {
        t.id: _Code(theme_guid(t), t.label, _KIND_COLOUR[NoteKind(t.kind.value)], t.definition)
        for t in chosen
    }
    for t in chosen:
        parent = by_id.get(t.broader or "")
        if parent is not None and parent.kind is t.kind and parent.id != t.id:
            codes[parent.id].children.append(codes[t.id])
        else:
            roots[NoteKind(t.kind.value)].children.append(codes[t.id])
    return list(roots.values())


def _codes(x: _Xml, parent: etree._Element, codes: Sequence[_Code]) -> None:
    for c in codes:
        el = x.el(parent, "Code", guid=c.guid, name=c.name, isCodable="true", color=c.colour)
        x.description(el, c.description)
        _codes(x, el, c.children)


_THEME_KINDS = tuple(NoteKind(k.value) for k in ThemeKind)


def _bytes(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _warn(x: _Xml, what: str, on_warning: Callable[[str], None] | None) -> None:
    if x.replaced and on_warning is not None:
        on_warning(
            f"{what}: replaced {x.replaced} character(s) that XML 1.0 forbids with U+FFFD "
            "(the sources keep them)"
        )


def codebook_xml(taxonomy: Taxonomy, *, on_warning: Callable[[str], None] | None = None) -> bytes:
    """The taxonomy as a REFI-QDA codebook (``.qdc``), UTF-8 XML.

    Parameters
    ----------
    taxonomy : Taxonomy
        The vocabulary in effect (bundled themes with the workspace's).
    on_warning : callable, optional
        Told when a label or definition held characters XML 1.0 forbids.

    Returns
    -------
    bytes

    Examples
    --------
    >>> from collab_graph.pipeline import vocabulary
    >>> data = codebook_xml(vocabulary().taxonomy)
    >>> data.count(b"<Code ") == len(vocabulary().taxonomy.themes) + 3
    True
    """
    x = _Xml(CODEBOOK_NS)
    root = x.el(None, "CodeBook", origin=ORIGIN)
    _codes(x, x.el(root, "Codes"), _tree(taxonomy.themes.values(), _THEME_KINDS))
    _warn(x, "qdc export", on_warning)
    return _bytes(root)


@dataclass(frozen=True, slots=True)
class ProjectSource:
    """One workshop for the project: its file name, its plain text and its full parse result."""

    name: str
    text: str
    result: ParseResult


def _coder(c: CodedNote) -> str:
    if not c.reviewed:
        return CLASSIFIER
    review = c.extra.get("review") or {}
    name = " ".join(str(review.get("reviewer") or "").split())
    return name or UNNAMED_REVIEWER


def _timestamp(when: _dt.datetime) -> str:
    return when.astimezone(_dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _source_guid(source: ProjectSource) -> str:
    return _guid("source", source.result.workshop.slug)


def project_xml(
    taxonomy: Taxonomy,
    sources: Sequence[ProjectSource],
    coded: Iterable[CodedNote],
    *,
    when: _dt.datetime | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> bytes:
    """The ``project.qde`` of a REFI-QDA project: users, codebook, sources, coded selections.

    Parameters
    ----------
    taxonomy : Taxonomy
        The vocabulary in effect.
    sources : sequence of ProjectSource
        The workshops, each with the text its source file is written as.
    coded : iterable of CodedNote
        The notes' coding (reviews applied).
    when : datetime, optional
        The project's creation time (default: now).
    on_warning : callable, optional
        Told when XML-forbidden characters were replaced, and how many notes
        could only be placed by their lines (see :class:`~collab_graph.ingest.source.Span`).

    Returns
    -------
    bytes
    """
    x = _Xml(PROJECT_NS)
    by_note = {(c.note.workshop, c.note.id): c for c in coded}
    stamp = _timestamp(when or _dt.datetime.now(_dt.UTC))
    classifier = user_guid(CLASSIFIER)
    title = ", ".join(s.result.workshop.title or s.result.workshop.slug for s in sources)
    root = x.el(
        None,
        "Project",
        name=f"collab-graph: {title}" if title else "collab-graph",
        origin=ORIGIN,
        creatingUserGUID=classifier,
        creationDateTime=stamp,
    )
    coders = sorted({_coder(c) for c in by_note.values()} - {CLASSIFIER})
    users = x.el(root, "Users")
    for name in (CLASSIFIER, *coders):
        x.el(users, "User", guid=user_guid(name), name=name)
    themes = [*taxonomy.themes.values(), *(t for c in by_note.values() for t in c.themes)]
    book = x.el(root, "CodeBook")
    _codes(x, x.el(book, "Codes"), _tree(themes, list(NoteKind)))
    placed_by_line = 0
    els = x.el(root, "Sources") if sources else None
    for src in sources:
        sguid = _source_guid(src)
        ts = x.el(
            els,  # not None: there are sources
            "TextSource",
            guid=sguid,
            name=src.name,
            plainTextPath=f"internal://{sguid}.txt",
            creatingUser=classifier,
            creationDateTime=stamp,
        )
        x.description(ts, src.result.workshop.title)
        spans = note_spans(src.text, src.result)
        for note in src.result.notes:
            c = by_note.get((note.workshop, note.id))
            if c is None:
                continue
            span = spans[note.id]
            placed_by_line += not span.exact
            coder = user_guid(_coder(c))
            sel_guid = _guid("note", note.workshop, note.id)
            sel = x.el(
                ts,
                "PlainTextSelection",
                guid=sel_guid,
                name=note.id,
                startPosition=str(span.start),
                endPosition=str(span.end),
                creatingUser=coder,
                creationDateTime=stamp,
            )
            why = "; ".join(c.reasons)
            x.description(
                sel, f"{c.kind.value}, confidence {c.confidence:.2f}" + (f": {why}" if why else "")
            )
            for code in (kind_guid(c.kind), *dict.fromkeys(theme_guid(t) for t in c.themes)):
                coding = x.el(
                    sel,
                    "Coding",
                    guid=_guid("coding", sel_guid, code),
                    creatingUser=coder,
                    creationDateTime=stamp,
                )
                x.el(coding, "CodeRef", targetGUID=code)
    _warn(x, "qdpx export", on_warning)
    if placed_by_line and on_warning is not None:
        on_warning(
            f"qdpx export: {placed_by_line} note(s) could not be found word for word in "
            "their source lines; their selections cover those lines"
        )
    return _bytes(root)


def _text_bytes(text: str) -> bytes:
    # lone surrogates cannot be UTF-8: one U+FFFD each keeps every later position
    return re.sub("[\ud800-\udfff]", "\ufffd", text).encode("utf-8")


def project_sources(paths: Sequence[Path], results: Sequence[ParseResult]) -> list[ProjectSource]:
    """Each parsed notes file as a project source: its name, its text and its parse.

    The text is the file's own (decoded, line breaks kept; a ``.docx``'s extracted
    paragraphs), so that the notes' positions in it are exact.
    """
    return [
        ProjectSource(path.name, source_text(path, result), result)
        for path, result in zip(paths, results, strict=True)
    ]


def qdpx(
    taxonomy: Taxonomy,
    sources: Sequence[ProjectSource],
    coded: Iterable[CodedNote],
    *,
    when: _dt.datetime | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> bytes:
    """A REFI-QDA project archive (``.qdpx``): ``project.qde`` and ``sources/<GUID>.txt``.

    The parameters are those of :func:`project_xml`.

    Examples
    --------
    >>> import io, zipfile
    >>> from collab_graph.ingest import parse_text
    >>> from collab_graph.model import CodedNote, NoteKind
    >>> from collab_graph.pipeline import vocabulary
    >>> text = "Group 1\\n- Funding 🎉 ends soon\\n"
    >>> result = parse_text(text, source="w.txt")
    >>> coded = [CodedNote(n, NoteKind.BARRIER) for n in result.notes]
    >>> data = qdpx(vocabulary().taxonomy, [ProjectSource("w.txt", text, result)], coded)
    >>> sorted(n.split("/")[0] for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
    ['project.qde', 'sources']
    """
    when = when or _dt.datetime.now(_dt.UTC)
    qde = project_xml(taxonomy, sources, coded, when=when, on_warning=on_warning)
    stamp = when.astimezone(_dt.UTC).timetuple()[:6]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("project.qde", stamp), qde, zipfile.ZIP_DEFLATED)
        for src in sources:
            info = zipfile.ZipInfo(f"sources/{_source_guid(src)}.txt", stamp)
            z.writestr(info, _text_bytes(src.text), zipfile.ZIP_DEFLATED)
    return buf.getvalue()


# -- reading a codebook ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CodebookCode:
    """One code of a codebook that can become a theme.

    ``kind`` is None when neither a kind code above it nor ``--kind`` tells it;
    ``parent`` is the GUID of the nearest code above it that is not a kind code.
    """

    guid: str
    name: str
    description: str
    kind: ThemeKind | None
    parent: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Codebook:
    """A codebook read by :func:`read_codebook`: its theme codes and the kind codes skipped."""

    path: str
    codes: tuple[CodebookCode, ...]
    skipped: tuple[str, ...] = ()

    @property
    def unknown(self) -> tuple[CodebookCode, ...]:
        """The codes whose kind cannot be told."""
        return tuple(c for c in self.codes if c.kind is None)

    def origin(self, code: CodebookCode) -> str:
        """What an imported theme records in its ``source`` (read back by :func:`theme_guid`)."""
        return f"REFI-QDA code {code.guid} ({Path(self.path).name})"


def _kind_of_name(name: str) -> NoteKind | None:
    m = _KIND_NAME.fullmatch(" ".join(name.split()))
    return NoteKind(m.group(1).lower()) if m else None


def read_codebook(path: str | Path, *, kind: ThemeKind | str | None = None) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``) from another tool.

    A code named after a theme kind ("Barriers", "practice", any case, singular
    or plural) is a kind code: the codes under it are themes of that kind. A
    code under no kind code takes ``kind``, or stays of unknown kind. Codes
    named after the other note kinds (context, headings) are skipped.

    Parameters
    ----------
    path : str or Path
        The codebook file.
    kind : ThemeKind or str, optional
        The kind of codes under no kind code (a flat codebook).

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        Not well-formed XML, not a REFI-QDA codebook (wrong root or namespace),
        or a code without a GUID or name; the message names the file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "flat.qdc"
    >>> _ = p.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    ...     '<Code guid="0A1B2C3D-0000-4000-8000-00000000ABCD" name="Trust" isCodable="true"/>'
    ...     '</Codes></CodeBook>')
    >>> [(c.name, c.kind) for c in read_codebook(p, kind="benefit").codes]
    [('Trust', <ThemeKind.BENEFIT: 'benefit'>)]
    """
    name = str(path)
    default = ThemeKind(str(kind)) if kind is not None else None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    if Path(name).is_file() and zipfile.is_zipfile(name):
        raise CodebookError(
            f"{name}: line 1: is a zip archive (a .qdpx project?), not a REFI-QDA codebook; "
            "export the codebook (.qdc) from your QDA tool",
            path=name,
            line=1,
        )
    try:
        root = etree.parse(name, parser).getroot()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        msg = str(exc.msg).split(" (")[0] if exc.msg else "not well-formed"
        raise CodebookError(
            f"{name}: line {line}: not a REFI-QDA codebook: the XML is not well-formed ({msg})",
            path=name,
            line=line,
        ) from exc
    except OSError as exc:
        raise CodebookError(f"{name}: cannot be read ({exc})", path=name) from exc
    qname = etree.QName(root)
    line = root.sourceline or 1
    if qname.localname == "Project" and qname.namespace == PROJECT_NS:
        raise CodebookError(
            f"{name}: line {line}: is a REFI-QDA project, not a codebook; export the "
            "codebook (.qdc) from your QDA tool",
            path=name,
            line=line,
        )
    if qname.localname != "CodeBook" or qname.namespace != CODEBOOK_NS:
        found = f"<{qname.localname}>" + (
            f" in namespace {qname.namespace}" if qname.namespace else " with no namespace"
        )
        raise CodebookError(
            f"{name}: line {line}: not a REFI-QDA codebook: expected <CodeBook> in namespace "
            f"{CODEBOOK_NS}, found {found}",
            path=name,
            line=line,
        )
    codes_el = root.find(f"{{{CODEBOOK_NS}}}Codes")
    if codes_el is None:
        raise CodebookError(
            f"{name}: line {line}: not a REFI-QDA codebook: <CodeBook> has no <Codes>",
            path=name,
            line=line,
        )
    out: list[CodebookCode] = []
    skipped: list[str] = []

    def walk(parent: etree._Element, k: NoteKind | None, above: str | None) -> None:
        for el in parent.iterchildren(f"{{{CODEBOOK_NS}}}Code"):
            at = el.sourceline or line
            guid, label = (el.get("guid") or "").strip(), " ".join((el.get("name") or "").split())
            if not guid or not label:
                missing = "guid" if not guid else "name"
                raise CodebookError(
                    f"{name}: line {at}: a <Code> has no {missing}", path=name, line=at
                )
            as_kind = _kind_of_name(label)
            if as_kind is not None:
                if as_kind not in _THEME_KINDS:
                    skipped.append(label)
                    continue
                walk(el, as_kind, None)
                continue
            desc = el.find(f"{{{CODEBOOK_NS}}}Description")
            theme_kind = ThemeKind(k.value) if k is not None else default
            text = "" if desc is None else " ".join((desc.text or "").split())
            out.append(CodebookCode(guid.strip("{}").upper(), label, text, theme_kind, above, at))
            walk(el, k, guid.strip("{}").upper())

    walk(codes_el, None, None)
    return Codebook(name, tuple(out), tuple(skipped))


def known_codes(book: Codebook, themes: Mapping[str, Theme]) -> dict[str, str]:
    """The codebook's codes the taxonomy already has, by GUID: code GUID to theme id.

    Examples
    --------
    >>> from collab_graph.pipeline import vocabulary
    >>> themes = vocabulary().taxonomy.themes
    >>> code = CodebookCode(theme_guid(themes["b_time_capacity"]), "Time", "", None, None, 1)
    >>> list(known_codes(Codebook("x.qdc", (code,)), themes).values())
    ['b_time_capacity']
    """
    guids = {theme_guid(t): t.id for t in themes.values()}
    return {c.guid: guids[c.guid] for c in book.codes if c.guid in guids}


def write(data: bytes, path: Path) -> Path:
    """Write an export to ``path`` (creating its folder).

    Raises
    ------
    ExportError
        When the file cannot be written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the export: {exc}", path=str(path)) from exc
    return path
