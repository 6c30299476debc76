"""Tables as rows, for every format: cells, the header row they are read against, and the table's heading.

Readers mark each table row as a ``table_row`` block whose text is the row as the source wrote it (a Markdown
row with its bars, a PDF's flattened "Garanti för tidiga insatser 1 700 tkr"), so a row can be quoted verbatim;
CSV and DOCX rows, which have no written form, are written as Markdown rows. Each row carries a ``TableRow``:
its cells, and, once ``tabulate`` has seen the whole table, the header row and the heading it stands under.

A CSV file beside a document is a table of that document. The convention: the CSV's name is the document's
name with ``.csv`` in place of its extension (``protokoll.md`` + ``protokoll.csv``), or with a label between
(``protokoll.kostnader.csv``, ``protokoll.tabell-2.csv``). Its rows join the document at its end, under a
heading made of the label ("Kostnader", "Tabell 2"), or "Tabell" when there is none.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

from corpus.models import Block, TableRow

TABLE_SUFFIX = ".csv"
# An amount as a cell: "1 700 tkr", "100", "-2,5 %", "12 st", "1 300 000 kr".
AMOUNT_RE = re.compile(
    r"[-−+]?\s*(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,]\d+)?\s*(?:%|tkr|kr|kronor|mkr|mnkr|miljoner|st|timmar|h)?",
    re.IGNORECASE,
)
# A flattened "label … amount" line: a label that ends in a non-digit, then the amount at the end of the line.
LABEL_AMOUNT_RE = re.compile(
    r"^(?P<label>.*?[^\d\s−+-])\s+(?P<amount>[-−+]?(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,]\d+)?"
    r"(?:\s*(?:%|tkr|kr|kronor|mkr|mnkr|st))?)$",
    re.IGNORECASE,
)
YEAR_RE = re.compile(r"(?:19|20)\d\d")  # a bare year names a column ("2024"), it is no amount
COLUMN_GAP_RE = re.compile(r"\t+|\s{3,}")  # extraction keeps a column gap as a run of spaces or a tab
LABEL_LINE_MAX = 120  # a line ending in ":" at most this long names the table below it
FLATTENED_MIN_AMOUNTS = 3  # a flattened row with fewer amount columns may be a sentence with a wide gap
YEAR_IN_TEXT_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
CSV_DELIMITERS = ";,\t"  # Swedish spreadsheets write ";", others ","


def is_amount(cell: str) -> bool:
    """Whether a cell holds an amount or count and nothing else ("1 700 tkr", "100", "25 %")."""
    cell = cell.strip()
    return bool(AMOUNT_RE.fullmatch(cell)) and not YEAR_RE.fullmatch(cell)


def row_text(cells: tuple[str, ...] | list[str]) -> str:
    """A row with no written form of its own (CSV, DOCX, HTML) written as a Markdown row."""
    return "| " + " | ".join(" ".join(c.replace("|", "/").split()) for c in cells) + " |"


def markdown_cells(line: str) -> tuple[str, ...]:
    """The cells of a Markdown table row ("| Post | Kostnad |")."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return tuple(" ".join(c.replace("\\|", "|").split()) for c in re.split(r"(?<!\\)\|", inner))


def column_cells(raw_line: str) -> tuple[str, ...]:
    """Cells of an extracted line whose columns are set apart by wide gaps; () when it has fewer than two."""
    cells = tuple(c for c in (" ".join(part.split()) for part in COLUMN_GAP_RE.split(raw_line.strip())) if c)
    return cells if len(cells) >= 2 else ()


def label_amount_cells(text: str) -> tuple[str, ...]:
    """A flattened "label … amount" line as (label, amount); () when the line does not end in an amount."""
    match = LABEL_AMOUNT_RE.match(" ".join(text.split()))
    return (match["label"].strip(), match["amount"].strip()) if match else ()


def extracted_row_cells(text: str, columns: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The cells of a table row found in extracted text: its columns when the layout kept the gaps (with a last
    column that still holds "label amount" split), else label and amount, else the line as one cell."""
    if columns:
        if len(columns) == 1 or is_amount(columns[-1]):
            return columns
        return columns[:-1] + (label_amount_cells(columns[-1]) or (columns[-1],))
    return label_amount_cells(text) or (" ".join(text.split()),)


def flattened_row_cells(raw_line: str) -> tuple[str, ...]:
    """A converted PDF's flattened table row, its columns set apart by wide gaps: (label, amount, amount, ...),
    the label "" when it wrapped onto the lines around ("Anställda totalt 758      776      806"); () for a line
    that is no such row. At least ``FLATTENED_MIN_AMOUNTS`` amounts, so a wrapped sentence with a gap is none."""
    columns = column_cells(raw_line)
    if not columns:
        return ()
    # The first column may hold the label and the first amounts, set apart by single spaces ("Anställda andel
    # kvinnor 64,1 % 63,8 %"): peel amounts off its end while there are any.
    label, peeled = columns[0], []
    while label and (is_amount(label) or label_amount_cells(label)):
        label, amount = ("", label) if is_amount(label) else label_amount_cells(label)
        peeled.insert(0, amount)
    cells = (label, *peeled, *columns[1:])
    amounts = cells[1:]
    if len(amounts) < FLATTENED_MIN_AMOUNTS or not all(is_amount(c) for c in amounts):
        return ()
    return cells


def column_years(text: str) -> tuple[str, ...]:
    """The years a flattened table's header lines name, in order, each once ("Utfall jan 2021 … 2025-jun 2025")."""
    return tuple(dict.fromkeys(YEAR_IN_TEXT_RE.findall(text)))


def holds_amounts(cells: tuple[str, ...]) -> bool:
    """A row with an amount in some cell after the first."""
    return any(is_amount(c) for c in cells[1:] if c)


def is_header_row(cells: tuple[str, ...]) -> bool:
    """A table's first row is its header when it names columns: no amount in any cell but the first (a table
    whose first row already holds amounts has no header row)."""
    return len(cells) >= 2 and any(cells) and not holds_amounts(cells)


def is_sub_header(rows: list[TableRow], offset: int, header: tuple[str, ...] | None) -> bool:
    """A row inside a table that names columns again between rows of amounts: the header of the part of the
    table below it ("| Fritidshem | Grundbelopp 2025 | Grundbelopp 2026 |" in a table of grundbelopp whose first
    part is about förskola), so the rows below are read against it and it is never quoted as an answer."""
    if header is None or offset == 0 or offset + 1 >= len(rows):
        return False
    cells = rows[offset].cells
    return (
        len(cells) == len(header)
        and is_header_row(cells)
        and holds_amounts(rows[offset - 1].cells)
        and holds_amounts(rows[offset + 1].cells)
    )


def _label_above(blocks: list[Block], start: int) -> str | None:
    """A short label line ending in ":" right above a table ("Kostnader:"), which names it."""
    if start > 0:
        above = blocks[start - 1]
        text = above.text.strip()
        if above.kind == "paragraph" and text.endswith(":") and len(text) <= LABEL_LINE_MAX:
            return text.rstrip(":").strip()
    return None


def tabulate(blocks: list[Block], header_marked: bool = False) -> list[Block]:
    """Every run of table rows completed as one table: each row's cells with the table's header and heading.

    ``header_marked``: the format says which row is a header (Markdown's rule line, HTML's ``<th>``); a row
    the reader marked is still no header when it holds amounts. Otherwise, and for a table that marks no row, the
    first row is the header when it names columns (``is_header_row``).
    """
    out = list(blocks)
    heading = ""  # the nearest heading or part heading above, kept as the blocks go by (one pass, linear)
    k = 0
    while k < len(out):
        if out[k].kind != "table_row":
            if out[k].kind in ("heading", "part"):
                heading = out[k].text
            k += 1
            continue
        end = k
        while end + 1 < len(out) and out[end + 1].kind == "table_row":
            end += 1
        rows = [out[i].row or TableRow(extracted_row_cells(out[i].text)) for i in range(k, end + 1)]
        first = rows[0]
        # A format that marks header rows may still hold tables that mark none (pipe rows without a rule line,
        # common in converted documents): those are read like an unmarked format's.
        marked = first.is_header if header_marked and any(r.is_header for r in rows) else True
        if first.header is not None:  # the reader found the header itself (a flattened table's years)
            header = first.header
        else:
            header = first.cells if marked and end > k and is_header_row(first.cells) else None
        name = _label_above(out, k) or heading
        current = header  # a sub-header row takes over for the rows below it
        for offset, row in enumerate(rows):
            sub = first.header is None and is_sub_header(rows, offset, header)
            current = row.cells if sub else current
            is_header = sub or (header is not None and offset == 0 and first.header is None)
            out[k + offset] = replace(out[k + offset], row=TableRow(row.cells, current, name, is_header=is_header))
        k = end + 1
    return out


def table_label(document: Path, table: Path) -> str:
    """The heading of a CSV table beside ``document``: the label between the names ("Kostnader"), or "Tabell"."""
    label = table.name[len(document.stem) : -len(TABLE_SUFFIX)].strip(".")
    label = " ".join(re.sub(r"[-_]+", " ", label).split())
    label = re.sub(r"(?<=[^\W\d])(?=\d)", " ", label)  # "tabell2" -> "tabell 2"
    return label[:1].upper() + label[1:] if label else "Tabell"


def table_title(table: Path) -> str:
    """The heading of a CSV table that is a document of its own: its name in words ("budget-2026.csv" -> "Budget
    2026")."""
    words = " ".join(re.sub(r"[-_.]+", " ", table.name[: -len(TABLE_SUFFIX)]).split())
    return words[:1].upper() + words[1:] if words else "Tabell"


def owners(tables: list[Path], documents: list[Path]) -> dict[Path, Path]:
    """Each CSV's document: the one with the longest matching name (``a.b.md`` before ``a.md`` for ``a.b.csv``;
    of two documents with the same stem, the first by name). Tables that belong to no document are left out.
    Looked up by the name's prefixes at its dots, so the cost does not grow with the number of documents."""
    by_stem: dict[str, Path] = {}
    for document in sorted(documents):
        if document.suffix.lower() != TABLE_SUFFIX:
            by_stem.setdefault(document.stem, document)
    found: dict[Path, Path] = {}
    for table in tables:
        name = table.name[: -len(TABLE_SUFFIX)]
        prefixes = [name] + [name[:i] for i in range(len(name) - 1, 0, -1) if name[i] == "."]
        document = next((by_stem[p] for p in prefixes if p in by_stem), None)
        if document is not None and table.suffix.lower() == TABLE_SUFFIX:
            found[table] = document
    return found


def csv_rows(text: str) -> list[tuple[str, ...]]:
    """The non-empty rows of a CSV text, its delimiter (";", "," or tab) sniffed from the first lines."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:  # one column, or too little to tell: the commonest candidate
        delimiter = max(CSV_DELIMITERS, key=sample.count)
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    out = []
    for row in rows:
        cells = tuple(" ".join(c.split()) for c in row)
        if any(cells):
            out.append(cells)
    return out


def csv_table_blocks(label: str, rows: list[tuple[str, ...]]) -> list[Block]:
    """A CSV table as blocks: a heading with its label, then one Markdown-written row per CSV row."""
    width = max((len(r) for r in rows), default=0)
    blocks = [Block("heading", label, None, level=1)]
    for cells in rows:
        padded = cells + ("",) * (width - len(cells))
        blocks.append(Block("table_row", row_text(padded), None, row=TableRow(padded)))
    return blocks
