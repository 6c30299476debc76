"""Readers for txt, md, pdf, docx and html files, all producing the same blocks."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from corpus.markdown import read_markdown
from corpus.models import Block
from corpus.pdftext import blocks_from_lines, lines_from_pages, lines_from_text
from corpus.protocol import structure

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
# pypdf's warnings quote a damaged file's bytes; document content stays out of the logs (our own Swedish
# message says what was wrong with the file).
logging.getLogger("pypdf").setLevel(logging.CRITICAL)
MAX_PDF_PAGES = 2000
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024


class CorpusError(Exception):
    """A file that cannot be read; the message is Swedish and names the file."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


def decode_text(raw: bytes, path: Path) -> str:
    """Decode UTF-8 (with or without BOM), falling back to cp1252/latin-1."""
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CorpusError(path, "filen är inte en textfil (den innehåller binära data).")
    for encoding in ("utf-8-sig", "utf-16") if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig",):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(5, len(text) // 100):
        raise CorpusError(path, "filen är inte en textfil (den innehåller binära data).")
    return text


@dataclass
class Reading:
    """A file as read: its blocks, its text as it came (letterheads and page headers included, for metadata),
    and a converted document's front matter."""

    blocks: list[Block]
    text: str
    front_matter: dict[str, str] = field(default_factory=dict)


def read_file(path: Path, raw: bytes) -> Reading:
    """Read a file's bytes, choosing the reader by its extension."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise CorpusError(path, f"filtypen '{suffix or '(ingen)'}' stöds inte. Använd PDF, DOCX, TXT, MD eller HTML.")
    if not raw.strip():
        raise CorpusError(path, "filen är tom.")
    front: dict[str, str] = {}
    if suffix == ".pdf":
        pages = _pdf_pages(path, raw)
        blocks, text = blocks_from_lines(lines_from_pages(pages)), "\n".join(pages)
    elif suffix == ".docx":
        blocks = _read_docx(path, raw)
        text = "\n".join(b.text for b in blocks)
    elif suffix in (".html", ".htm"):
        blocks = _read_html(decode_text(raw, path))
        text = "\n".join(b.text for b in blocks)
    elif suffix == ".md":
        markdown = read_markdown(decode_text(raw, path))
        blocks, front, text = markdown.blocks, markdown.front_matter, markdown.body
    else:
        text = decode_text(raw, path)
        blocks = blocks_from_lines(lines_from_text(text))
    if not any(b.text.strip() for b in blocks):
        raise CorpusError(path, "filen innehåller ingen text.")
    return Reading(structure(blocks), text, front)


def _pdf_pages(path: Path, raw: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError(path, "PDF-filen är lösenordsskyddad.")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise CorpusError(path, f"PDF-filen har fler än {MAX_PDF_PAGES} sidor.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except CorpusError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise CorpusError(path, f"PDF-filen är skadad och kan inte läsas ({type(exc).__name__}).") from exc
    if not pages:
        raise CorpusError(path, "PDF-filen har inga sidor.")
    if not any(p.strip() for p in pages):
        raise CorpusError(
            path, "PDF-filen saknar textlager (den är troligen inskannad). Den behöver OCR-behandlas först."
        )
    return pages


def _docx_heading_level(style_name: str) -> int | None:
    name = style_name.lower()
    if name in ("title", "rubrik"):
        return 1
    m = re.match(r"(?:heading|rubrik)\s*(\d)", name)
    return int(m.group(1)) if m else None


def _read_docx(path: Path, raw: bytes) -> list[Block]:
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            if sum(info.file_size for info in zf.infolist()) > MAX_DOCX_UNCOMPRESSED:
                raise CorpusError(path, "DOCX-filen packas upp till en orimlig storlek och avvisas.")
        document = docx.Document(io.BytesIO(raw))
    except CorpusError:
        raise
    except Exception as exc:  # python-docx raises many kinds for broken files
        raise CorpusError(path, f"DOCX-filen är skadad och kan inte läsas ({type(exc).__name__}).") from exc

    blocks: list[Block] = []
    page = 1
    has_breaks = False
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            para = Paragraph(child, document)
            breaks = child.findall(".//" + qn("w:br"))
            page_breaks = [b for b in breaks if b.get(qn("w:type")) == "page"]
            page_breaks += child.findall(".//" + qn("w:lastRenderedPageBreak"))
            text = para.text.strip()
            if page_breaks and not text:
                page += len(page_breaks)
                has_breaks = True
                continue
            if not text:
                continue
            style = para.style.name if para.style is not None else ""
            level = _docx_heading_level(style)
            numbered = child.find(".//" + qn("w:numPr")) is not None
            if level is not None:
                blocks.append(Block("heading", text, page, level=min(level, 3)))
            elif numbered or "list" in style.lower():
                blocks.append(Block("list_item", text, page))
            else:
                blocks.append(Block("paragraph", text, page))
            if page_breaks:
                page += len(page_breaks)
                has_breaks = True
        elif child.tag == qn("w:tbl"):
            for row in Table(child, document).rows:
                cells = [c.text.strip() for c in row.cells if c.text.strip()]
                if cells:
                    blocks.append(Block("table_row", " | ".join(dict.fromkeys(cells)), page))
    if not has_breaks:
        for block in blocks:
            block.page = None
    return blocks


class _HTMLBlocks(HTMLParser):
    BLOCK_TAGS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "td", "th", "section", "article"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._buffer: list[str] = []
        self._kind = "paragraph"
        self._level = 1
        self._skip = 0

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._buffer)).strip()
        self._buffer = []
        if text:
            self.blocks.append(Block(self._kind, text, None, level=self._level))  # type: ignore[arg-type]
        self._kind, self._level = "paragraph", 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "template", "noscript"):
            self._skip += 1
        elif tag in ("td", "th"):
            self._buffer.append(" | ")
        elif tag in self.BLOCK_TAGS:
            self._flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self._kind, self._level = "heading", min(int(tag[1]), 3)
            elif tag == "li":
                self._kind = "list_item"
            elif tag == "tr":
                self._kind = "table_row"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "template", "noscript"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK_TAGS and tag not in ("td", "th"):
            if tag == "tr":
                self._buffer = ["".join(self._buffer).strip(" |")]
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _read_html(text: str) -> list[Block]:
    parser = _HTMLBlocks()
    parser.feed(text)
    parser.close()
    return parser.blocks
