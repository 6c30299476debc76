"""DOCX into blocks, streamed: time and memory linear in the document's size.

python-docx builds the whole XML tree of ``word/document.xml`` as Python-backed objects; a 711 KB DOCX whose XML
inflates to 190 MB was still being read after ten minutes at 1.85 GB. Here the XML is parsed with lxml's
``iterparse`` straight from the zip stream, each top-level paragraph or table row is turned into a block as soon
as it ends and then freed, so only the element being read is held. What is read is what the python-docx reader
read: paragraph text as python-docx gives it (runs and hyperlinks; tabs, breaks, non-breaking hyphens), headings
from style names ("Heading 2", "Rubrik 2", "Title"), list items from numbering or list styles, pages from page
breaks, and table rows with their cells.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from corpus.errors import CorpusError
from corpus.models import Block, TableRow
from corpus.tables import row_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
# A run's inner elements and the text python-docx gives each ("w:br" of type page or column gives none).
RUN_TEXT = {f"{W}tab": "\t", f"{W}ptab": "\t", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


def _parse(stream: IO[bytes], events: tuple[str, ...], tags: tuple[str, ...]) -> Iterator[tuple[str, etree._Element]]:
    """``iterparse`` that resolves no entities and reads no DTD or network, for untrusted files of any size."""
    return etree.iterparse(
        stream, events=events, tag=tags, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )


def heading_level(style_name: str) -> int | None:
    """A heading's level from its paragraph style ("Heading 2", "Rubrik 2", "Title"), or None for body text."""
    name = style_name.lower()
    if name in ("title", "rubrik"):
        return 1
    m = re.match(r"(?:heading|rubrik)\s*(\d)", name)
    return int(m.group(1)) if m else None


def _main_part(zf: zipfile.ZipFile) -> str:
    """The document part the package's relationships name (``word/document.xml`` in files Word writes)."""
    try:
        with zf.open("_rels/.rels") as stream:
            for _, rel in _parse(stream, ("end",), (f"{REL}Relationship",)):
                if rel.get("Type") == OFFICE_DOCUMENT and rel.get("Target"):
                    return rel.get("Target").lstrip("/")
    except KeyError:
        pass
    return "word/document.xml"


def _style_names(zf: zipfile.ZipFile) -> tuple[dict[str, str], str]:
    """Paragraph style id -> style name, and the name of the default paragraph style."""
    names: dict[str, str] = {}
    default = "Normal"
    if "word/styles.xml" not in zf.namelist():
        return names, default
    with zf.open("word/styles.xml") as stream:
        for _, style in _parse(stream, ("end",), (f"{W}style",)):
            name = style.find(f"{W}name")
            if style.get(f"{W}type") == "paragraph" and name is not None and style.get(f"{W}styleId"):
                names[style.get(f"{W}styleId")] = name.get(f"{W}val", "")
                if style.get(f"{W}default") in ("1", "true"):
                    default = name.get(f"{W}val", "")
            style.clear()
    return names, default


def _run_text(run: etree._Element) -> str:
    parts = []
    for child in run:
        if child.tag == f"{W}t":
            # An entity reference stays unresolved (a node of its own, left out); the text after it is kept.
            parts.append((child.text or "") + "".join(node.tail or "" for node in child))
        elif child.tag == f"{W}br":
            parts.append("" if child.get(f"{W}type") in ("page", "column") else "\n")
        else:
            parts.append(RUN_TEXT.get(child.tag, ""))
    return "".join(parts)


def paragraph_text(p: etree._Element) -> str:
    """A paragraph's text as python-docx reads it: its runs, those inside hyperlinks included."""
    parts = []
    for child in p:
        if child.tag == f"{W}r":
            parts.append(_run_text(child))
        elif child.tag == f"{W}hyperlink":
            parts.extend(_run_text(run) for run in child.iterchildren(f"{W}r"))
    return "".join(parts)


def _page_breaks(p: etree._Element) -> int:
    breaks = sum(1 for br in p.iter(f"{W}br") if br.get(f"{W}type") == "page")
    return breaks + sum(1 for _ in p.iter(f"{W}lastRenderedPageBreak"))


def _free(element: etree._Element) -> None:
    """Drop an element that has been read, and the siblings read before it, so memory stays flat."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


class _Reader:
    """Blocks from the events of ``word/document.xml``."""

    def __init__(self, styles: dict[str, str], default_style: str) -> None:
        self.styles = styles
        self.default_style = default_style
        self.blocks: list[Block] = []
        self.page = 1
        self.has_breaks = False
        self.table_depth = 0

    def paragraph(self, p: etree._Element) -> None:
        breaks = _page_breaks(p)
        text = paragraph_text(p).strip()
        if breaks and not text:
            self.page += breaks
            self.has_breaks = True
            return
        if not text:
            return
        props = p.find(f"{W}pPr")
        style_ref = props.find(f"{W}pStyle") if props is not None else None
        style = self.styles.get(style_ref.get(f"{W}val", ""), "") if style_ref is not None else self.default_style
        level = heading_level(style)
        numbered = next(p.iter(f"{W}numPr"), None) is not None
        if level is not None:
            self.blocks.append(Block("heading", text, self.page, level=min(level, 3)))
        elif numbered or "list" in style.lower():
            self.blocks.append(Block("list_item", text, self.page))
        else:
            self.blocks.append(Block("paragraph", text, self.page))
        if breaks:
            self.page += breaks
            self.has_breaks = True

    def row(self, tr: etree._Element) -> None:
        cells = tuple(
            " ".join(" ".join(paragraph_text(p).split()) for p in tc.iterchildren(f"{W}p")).strip()
            for tc in tr.iterchildren(f"{W}tc")
        )
        if any(cells):
            self.blocks.append(Block("table_row", row_text(cells), self.page, row=TableRow(cells)))

    def read(self, stream: IO[bytes]) -> list[Block]:
        body = f"{W}body"
        for event, el in _parse(stream, ("start", "end"), (f"{W}p", f"{W}tbl", f"{W}tr", f"{W}sdt")):
            if el.tag == f"{W}tbl":
                self.table_depth += 1 if event == "start" else -1
                if event == "end" and self.table_depth == 0:
                    _free(el)
            elif event == "start":
                continue
            elif el.tag == f"{W}tr":
                if self.table_depth == 1:
                    self.row(el)
                    _free(el)
            elif el.getparent() is not None and el.getparent().tag == body:
                # Only the body's own paragraphs are text, as python-docx reads them (content controls and the
                # paragraphs of text boxes are skipped); each is freed once read.
                if el.tag == f"{W}p":
                    self.paragraph(el)
                _free(el)
        if not self.has_breaks:
            for block in self.blocks:
                block.page = None
        return self.blocks


def read_docx(path: Path, raw: bytes) -> list[Block]:
    """A DOCX file's blocks; raises CorpusError (Swedish) for a damaged or inflating file."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            if sum(info.file_size for info in zf.infolist()) > MAX_DOCX_UNCOMPRESSED:
                raise CorpusError(path, "DOCX-filen packas upp till en orimlig storlek och avvisas.")
            styles, default_style = _style_names(zf)
            with zf.open(_main_part(zf)) as stream:
                return _Reader(styles, default_style).read(stream)
    except CorpusError:
        raise
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, EOFError, OSError, ValueError, zlib.error) as exc:
        raise CorpusError(path, f"DOCX-filen är skadad och kan inte läsas ({type(exc).__name__}).") from exc
