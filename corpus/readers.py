"""Readers for txt, md, pdf, docx, html and csv files, all producing the same blocks."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from corpus.docxreader import read_docx
from corpus.errors import CorpusError
from corpus.markdown import read_markdown
from corpus.models import Block, TableRow
from corpus.pdflayout import LAYOUT_MAX_PAGES, layout_pages
from corpus.pdftext import blocks_from_lines, lines_from_page_lines, lines_from_pages, lines_from_text
from corpus.protocol import structure
from corpus.tables import TABLE_SUFFIX, csv_rows, csv_table_blocks, row_text, table_label, table_title, tabulate

# A CSV file beside a document of the same name is that document's table (``corpus.tables``); alone it is a
# document of its own.
SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm", TABLE_SUFFIX)
# pypdf's warnings quote a damaged file's bytes; document content stays out of the logs (our own Swedish
# message says what was wrong with the file).
logging.getLogger("pypdf").setLevel(logging.CRITICAL)
logging.getLogger("pdfminer").setLevel(logging.CRITICAL)  # pdfplumber's parser, the same for the same reason
MAX_PDF_PAGES = 2000
HEADER_MARKING_SUFFIXES = (".md", ".html", ".htm")  # formats that say which table row is the header


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


def read_file(path: Path, raw: bytes, tables: list[tuple[Path, bytes]] | None = None) -> Reading:
    """Read a file's bytes, choosing the reader by its extension; ``tables`` are the CSV files beside it (name and
    bytes), whose rows join the document at its end (see ``corpus.tables``)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise CorpusError(
            path, f"filtypen '{suffix or '(ingen)'}' stöds inte. Använd PDF, DOCX, TXT, MD, HTML eller CSV."
        )
    if not raw.strip():
        raise CorpusError(path, "filen är tom.")
    front: dict[str, str] = {}
    if suffix == ".pdf":
        blocks, text = _read_pdf(path, raw)
    elif suffix == ".docx":
        blocks = read_docx(path, raw)
        text = "\n".join(b.text for b in blocks)
    elif suffix in (".html", ".htm"):
        blocks = _read_html(decode_text(raw, path))
        text = "\n".join(b.text for b in blocks)
    elif suffix == TABLE_SUFFIX:
        rows = csv_rows(decode_text(raw, path))
        blocks = csv_table_blocks(table_title(path), rows) if rows else []
        text = "\n".join(b.text for b in blocks)
    elif suffix == ".md":
        markdown = read_markdown(decode_text(raw, path))
        blocks, front, text = markdown.blocks, markdown.front_matter, markdown.body
    else:
        text = decode_text(raw, path)
        blocks = blocks_from_lines(lines_from_text(text))
    if not any(b.text.strip() for b in blocks):
        raise CorpusError(path, "filen innehåller ingen text.")
    blocks = tabulate(structure(blocks), header_marked=suffix in HEADER_MARKING_SUFFIXES)
    for table_path, table_raw in tables or []:
        blocks += tabulate(read_csv_table(path, table_path, table_raw))
    return Reading(blocks, text, front)


def read_csv_table(document: Path, table: Path, raw: bytes) -> list[Block]:
    """The blocks of a CSV table beside ``document``: its heading and its rows."""
    rows = csv_rows(decode_text(raw, table)) if raw.strip() else []
    if not rows:
        raise CorpusError(table, "tabellfilen är tom.")
    return csv_table_blocks(table_label(document, table), rows)


def _read_pdf(path: Path, raw: bytes) -> tuple[list[Block], str]:
    """A PDF's blocks and plain text: laid out by pdfplumber (font sizes, spacing, ruled tables) up to
    ``LAYOUT_MAX_PAGES`` pages, by pypdf's plain text beyond that or where pdfplumber cannot read the file."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError(path, "PDF-filen är lösenordsskyddad.")
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise CorpusError(path, f"PDF-filen har fler än {MAX_PDF_PAGES} sidor.")
        if count == 0:
            raise CorpusError(path, "PDF-filen har inga sidor.")
        if count <= LAYOUT_MAX_PAGES:
            try:
                laid_out = list(layout_pages(raw))
            except Exception:  # noqa: BLE001  pdfminer fails in many ways on files pypdf still reads
                laid_out = []
            if any(lines for lines, _ in laid_out):
                blocks = blocks_from_lines(lines_from_page_lines([lines for lines, _ in laid_out]))
                return blocks, "\n".join(text for _, text in laid_out)
        pages = [page.extract_text() or "" for page in reader.pages]
    except CorpusError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise CorpusError(path, f"PDF-filen är skadad och kan inte läsas ({type(exc).__name__}).") from exc
    if not any(p.strip() for p in pages):
        raise CorpusError(
            path, "PDF-filen saknar textlager (den är troligen inskannad). Den behöver OCR-behandlas först."
        )
    return blocks_from_lines(lines_from_pages(pages)), "\n".join(pages)


class _HTMLBlocks(HTMLParser):
    BLOCK_TAGS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "td", "th", "section", "article"}
    SKIPPED = ("script", "style", "head", "template", "noscript")
    CELL = "\x00"  # marks where a cell starts in a row's buffer (no character of the page can be one)

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._buffer: list[str] = []
        self._kind = "paragraph"
        self._level = 1
        self._skip = 0
        self._header_row = False  # every cell of the row so far is a <th>

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._buffer)).strip()
        self._buffer = []
        if self._kind == "table_row":
            cells = tuple(" ".join(c.split()) for c in text.split(self.CELL)[1:])
            if any(cells):
                row = TableRow(cells, is_header=self._header_row)
                self.blocks.append(Block("table_row", row_text(cells), None, row=row))
        elif text:
            self.blocks.append(Block(self._kind, text, None, level=self._level))  # type: ignore[arg-type]
        self._kind, self._level = "paragraph", 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self._skip += 1
        elif tag in ("td", "th") and self._kind == "table_row":
            self._buffer.append(self.CELL)
            self._header_row = self._header_row and tag == "th"
        elif self._kind == "table_row" and tag != "tr":
            self._buffer.append(" ")  # a paragraph or line break inside a cell
        elif tag in self.BLOCK_TAGS:
            self._flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self._kind, self._level = "heading", min(int(tag[1]), 3)
            elif tag == "li":
                self._kind = "list_item"
            elif tag == "tr":
                self._kind, self._header_row = "table_row", True

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK_TAGS and tag not in ("td", "th") and (self._kind != "table_row" or tag == "tr"):
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buffer.append(data.replace(self.CELL, " "))

    def close(self) -> None:
        super().close()
        self._flush()


def _read_html(text: str) -> list[Block]:
    parser = _HTMLBlocks()
    parser.feed(text)
    parser.close()
    return parser.blocks
