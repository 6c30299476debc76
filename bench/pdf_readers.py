"""Plain pypdf extraction against a layout-aware reader (pdfplumber) for uploaded PDFs.

The evaluation corpus holds Markdown converted from real PDFs, not the PDFs. So a few of its documents with tables
and § items are rendered back into PDFs here (reportlab: headings in a larger bold font, tables as real ruled
tables with wrapped cells, § headers in bold, a page footer "N (M)"), and both readers read them:

* ``pypdf``: plain text extraction, then ``corpus.pdftext``'s cues in the text (the project's reader before, and
  still for PDFs over ``corpus.pdflayout.LAYOUT_MAX_PAGES`` pages);
* ``pdfplumber``: the project's reader now (``corpus.pdflayout``): headings from font size, ruled tables row by row
  (``find_tables``), paragraph breaks from vertical spacing, then the same ``corpus.pdftext`` cleaning.
Both end in the same protocol structure and table completion.

Measured against the source Markdown: headings found (a source heading, "Beslut" and the other part headings of
a § item included, that is a section heading or a part heading of the reading),
table rows recovered verbatim (as a table row with the same cells; and, looser, the row's cells in order anywhere
in the text), § items found (by number), and seconds per page.
Run: python -m bench.pdf_readers [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from corpus.markdown import read_markdown
from corpus.models import Document
from corpus.normalise import normalise
from corpus.pdftext import blocks_from_lines, lines_from_pages
from corpus.protocol import is_toc_entry, item_header, part_role, structure
from corpus.readers import read_file
from corpus.sections import build_sections
from corpus.tables import tabulate
from settings import ROOT

DOCUMENTS = (
    "kungsbacka-fg-2025-01-22-protokoll.md",
    "kungsbacka-ifo-2025-04-17-protokoll.md",
    "kungsbacka-ga-2025-10-16-protokoll.md",
    "kungsbacka-fg-2025-11-12-handlingar-s74-88.md",
    "kungsbacka-ga-2025-09-25-handlingar-s49-60.md",
)


@dataclass
class Gold:
    """What the source says a reader should find."""

    headings: list[str] = field(default_factory=list)
    rows: list[tuple[str, ...]] = field(default_factory=list)
    items: set[int] = field(default_factory=set)


def render(markdown: str, path: Path) -> Gold:
    """A PDF of a converted document's blocks, and what a reader should find in it."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=6)
    cell = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=10)
    styles = {
        1: ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=16, leading=20, spaceBefore=10, spaceAfter=6),
        2: ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=13, leading=16, spaceBefore=8, spaceAfter=4),
        3: ParagraphStyle("h3", fontName="Helvetica-Bold", fontSize=11.5, leading=14, spaceBefore=6, spaceAfter=3),
    }
    gold = Gold()
    story: list = []
    table: list[tuple[str, ...]] = []

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def flush_table() -> None:
        if not table:
            return
        width = max(len(r) for r in table)
        data = [[Paragraph(esc(c), cell) for c in r + ("",) * (width - len(r))] for r in table]
        story.append(Table(data, repeatRows=0, hAlign="LEFT"))
        story[-1].setStyle(
            TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")])
        )
        story.append(Spacer(1, 8))
        table.clear()

    for block in read_markdown(markdown).blocks:
        if block.kind == "table_row" and block.row is not None:
            cells = tuple(c for c in block.row.cells)
            if any(cells):
                table.append(cells)
                gold.rows.append(tuple(c for c in cells if c))
            continue
        flush_table()
        item = item_header(block.text) if block.kind == "paragraph" else None
        if block.kind == "heading":
            level = 3 if part_role(block.text) else min(block.level, 2)
            story.append(Paragraph(esc(block.text), styles[level]))
            gold.headings.append(block.text)
        elif item is not None and not is_toc_entry(block.text):
            story.append(Paragraph(esc(block.text), styles[2]))
            gold.items.add(item.paragraf)
        elif block.kind == "list_item":
            story.append(Paragraph("• " + esc(block.text), body))
        else:
            story.append(Paragraph(esc(block.text), body))
    flush_table()

    def footer(canvas, document) -> None:  # noqa: ANN001
        canvas.setFont("Helvetica", 8)
        canvas.drawString(500, 30, f"{document.page}")

    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=50, rightMargin=50).build(
        story, onFirstPage=footer, onLaterPages=footer
    )
    return gold


def plain_document(path: Path) -> Document:
    """A PDF read from pypdf's plain text (the reader for PDFs over ``LAYOUT_MAX_PAGES`` pages)."""
    from pypdf import PdfReader

    pages = [page.extract_text() or "" for page in PdfReader(str(path)).pages]
    blocks = tabulate(structure(blocks_from_lines(lines_from_pages(pages))))
    text, sections = build_sections(blocks)
    return Document(doc_id=path.name, path=str(path), title=path.stem, text=text, sections=sections)


def layout_document(path: Path) -> Document:
    """A PDF read by the project's reader: pdfplumber's layout (``corpus.pdflayout``)."""
    reading = read_file(path, path.read_bytes())
    text, sections = build_sections(reading.blocks)
    return Document(doc_id=path.name, path=str(path), title=path.stem, text=text, sections=sections)


def _key(text: str) -> str:
    return re.sub(r"[^\w§]+", " ", normalise(text)).strip()


def score(doc: Document, gold: Gold) -> dict[str, int]:
    """How much of the source a reading recovered."""
    # A heading is found as a section's own heading or, inside a § item, as one of its part headings ("Beslut").
    read = Counter(_key(s.heading) for s in doc.sections if s.heading)
    read.update(_key(s.text[p.start : p.end]) for s in doc.sections for p in s.paragraphs if p.kind == "part")
    wanted = Counter(_key(h) for h in gold.headings)
    found_headings = sum(min(n, read[k]) for k, n in wanted.items())
    rows = {
        tuple(_key(c) for c in p.row.cells if c)
        for s in doc.sections
        for p in s.paragraphs
        if p.kind == "table_row" and p.row is not None
    }
    text = _key(doc.text)
    return {
        "headings": found_headings,
        "rows_as_rows": sum(1 for r in gold.rows if tuple(_key(c) for c in r) in rows),
        "rows_in_text": sum(1 for r in gold.rows if " ".join(_key(c) for c in r) in text),
        "items": len(gold.items & {s.item.paragraf for s in doc.sections if s.item is not None}),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pdf_readers")
    parser.add_argument("--json", action="store_true")
    as_json = parser.parse_args(argv).json
    from pypdf import PdfReader

    readers = {"pypdf": plain_document, "pdfplumber": layout_document}
    totals: dict[str, Counter[str]] = {name: Counter() for name in readers}
    gold_totals: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    pages = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in DOCUMENTS:
            source = ROOT / "evals" / "corpus" / "documents" / name
            pdf = Path(tmp) / (source.stem + ".pdf")
            gold = render(source.read_text(encoding="utf-8"), pdf)
            n_pages = len(PdfReader(io.BytesIO(pdf.read_bytes())).pages)
            pages += n_pages
            expected = {"headings": len(gold.headings), "rows": len(gold.rows), "items": len(gold.items)}
            gold_totals.update(expected)
            for reader, read in readers.items():
                started = time.perf_counter()
                doc = read(pdf)
                seconds[reader] += time.perf_counter() - started
                found = score(doc, gold)
                totals[reader].update(found)
                if not as_json:
                    print(
                        f"{name} ({n_pages} s.) {reader:>10}: rubriker {found['headings']}/{expected['headings']}, "
                        f"tabellrader {found['rows_as_rows']}/{expected['rows']} som rader "
                        f"({found['rows_in_text']} i texten), §§ {found['items']}/{expected['items']}"
                    )
    summary = {
        reader: {
            "headings": f"{totals[reader]['headings']}/{gold_totals['headings']}",
            "table_rows_as_rows": f"{totals[reader]['rows_as_rows']}/{gold_totals['rows']}",
            "table_rows_in_text": f"{totals[reader]['rows_in_text']}/{gold_totals['rows']}",
            "items": f"{totals[reader]['items']}/{gold_totals['items']}",
            "seconds_per_page": round(seconds[reader] / pages, 3),
        }
        for reader in readers
    }
    if not as_json:
        for reader, figures in summary.items():
            print(
                f"TOTAL {reader:>10}: rubriker {figures['headings']}, tabellrader {figures['table_rows_as_rows']} "
                f"som rader ({figures['table_rows_in_text']} i texten), §§ {figures['items']}, "
                f"{figures['seconds_per_page']} s per sida ({pages} sidor)"
            )
    print(json.dumps({"pages": pages, "readers": summary}, ensure_ascii=False))


if __name__ == "__main__":
    main()
