"""A PDF's lines as laid out on its pages (pdfplumber): font sizes, vertical spacing and ruled tables.

Plain text extraction (pypdf) gives lines only: a heading is guessed from its wording, a paragraph break from
blank lines the PDF may not have, and a ruled table comes out one cell per line, its rows lost. pdfplumber gives
each line's characters with their font and position, and finds tables from their ruling lines. Measured on PDFs
rendered from the evaluation corpus (``python -m bench.pdf_readers``), this recovers every table row as a row and
every heading, where plain extraction recovers no row as a row; it is about ten times slower per page, so PDFs
longer than ``LAYOUT_MAX_PAGES`` are read with plain extraction to stay within the reading budget.

The lines go on to ``corpus.pdftext`` like pypdf's do (page furniture, hyphenation, paragraphs, flattened
"label … amount" rows), with their font size (a larger size is a heading), boldness, and a blank line where the
vertical step is wider than the body's line spacing.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Iterator
from typing import Any

from corpus.pdftext import Line

LAYOUT_MAX_PAGES = 150  # longer PDFs are read with plain extraction (about a tenth of the time per page)
PARAGRAPH_STEP = 1.45  # a vertical step this many times the body's line spacing is a blank line
COLUMN_GAP = 2.5  # a horizontal gap this many times the median character width separates two columns
DEFAULT_SPACING = 13.0  # points, until a page has enough lines to tell
MIN_STEPS = 3  # line steps a page needs before its own spacing is trusted


def _collapse(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _size(chars: list[dict[str, Any]]) -> float:
    return statistics.median(round(float(ch["size"]), 1) for ch in chars) if chars else 0.0


def _bold(chars: list[dict[str, Any]]) -> bool:
    letters = [ch for ch in chars if str(ch.get("text", "")).strip()]
    return bool(letters) and sum("bold" in str(ch.get("fontname", "")).lower() for ch in letters) * 2 > len(letters)


def _columns(chars: list[dict[str, Any]]) -> tuple[str, ...]:
    """The line's cells where wide horizontal gaps part them (at least two, else ())."""
    letters = [ch for ch in chars if str(ch.get("text", "")).strip()]
    if len(letters) < 2:
        return ()
    width = statistics.median(float(ch["x1"]) - float(ch["x0"]) for ch in letters) or 1.0
    cells: list[list[str]] = [[]]
    previous: dict[str, Any] | None = None
    for ch in chars:
        if previous is not None and float(ch["x0"]) - float(previous["x1"]) > COLUMN_GAP * width:
            cells.append([])
        elif previous is not None and float(ch["x0"]) - float(previous["x1"]) > 0.25 * width:
            cells[-1].append(" ")
        cells[-1].append(str(ch.get("text", "")))
        previous = ch
    found = tuple(c for c in (_collapse("".join(cell)) for cell in cells) if c)
    return found if len(found) >= 2 else ()


def _inside(box: tuple[float, float, float, float], line: dict[str, Any]) -> bool:
    x0, top, x1, bottom = box
    middle = (float(line["top"]) + float(line["bottom"])) / 2
    return x0 - 1 <= float(line["x0"]) <= x1 + 1 and top <= middle <= bottom


def _spacing(tops: list[float], default: float) -> float:
    """The body's line spacing on a page: the commonest step between consecutive lines (``default`` when the
    page has too few lines to tell)."""
    steps = [round(b - a, 1) for a, b in zip(tops, tops[1:], strict=False) if 0 < b - a < 40]
    return statistics.mode(steps) if len(steps) >= MIN_STEPS else default


def _page_lines(page: Any, page_no: int, spacing: float) -> tuple[list[Line], str, float]:
    """One page's lines (tables as one line each, in reading order), its plain text, and its line spacing."""
    tables = page.find_tables()
    boxes = [tuple(t.bbox) for t in tables]
    placed: list[tuple[float, Line]] = []
    for table in tables:
        rows = tuple(
            cells for cells in (tuple(_collapse(c or "") for c in row) for row in table.extract()) if any(cells)
        )
        if rows:
            text = " ".join(c for row in rows for c in row if c)
            placed.append((float(table.bbox[1]), Line(text=text, page=page_no, gap=1, table=rows)))
    raw_lines = page.extract_text_lines(return_chars=True)
    spacing = _spacing([float(raw["top"]) for raw in raw_lines], spacing)
    for raw in raw_lines:
        if any(_inside(box, raw) for box in boxes):
            continue
        text = _collapse(raw["text"])
        if not text:
            continue
        chars = raw.get("chars", [])
        line = Line(text=text, page=page_no, gap=0, columns=_columns(chars), size=_size(chars), bold=_bold(chars))
        placed.append((float(raw["top"]), line))  # its gap is set below, from the step to the line above
    placed.sort(key=lambda item: item[0])
    previous_top: float | None = None
    for top, line in placed:
        if previous_top is not None and not line.table and top - previous_top > PARAGRAPH_STEP * spacing:
            line.gap = 1
        previous_top = top
    # The page's plain text, for the metadata a letterhead states (a letterhead may be a table: its cells are
    # set apart by wide gaps, as extracted text has them).
    lines = [line for _, line in placed]
    text = "\n".join("\n".join("   ".join(row) for row in ln.table) if ln.table else ln.text for ln in lines)
    return lines, text, spacing


def layout_pages(raw: bytes) -> Iterator[tuple[list[Line], str]]:
    """Each page's lines and plain text, read with pdfplumber; pages are freed once read."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(raw)) as pdf:
        spacing = DEFAULT_SPACING  # a page with too few lines keeps the spacing of the page before
        for page_no, page in enumerate(pdf.pages, start=1):
            lines, text, spacing = _page_lines(page, page_no, spacing)
            yield lines, text
            page.close()
