"""Table rows in passages (Markdown rows, cells separated by "|"): their header row and how a row reads aloud."""

from __future__ import annotations

import re

from index.chunking import Chunk

SEPARATOR = re.compile(r"\|[\s:|-]*-[\s:|-]*\|?")  # "| --- | :---: |" under a Markdown header
AMOUNT_CELL = re.compile(r"[-−+]?\s*[\d\s.,]+\s*(%|tkr|kr|kronor|mkr|mnkr|st)?", re.IGNORECASE)


def row_cells(chunk: Chunk, start: int, text: str) -> list[str] | None:
    """The cells of the table row a unit at ``start`` of ``chunk.text`` is: as its reader typed them (a flattened
    PDF row "Anställda totalt 758 776" too), else read from its bars; None for a unit that is no table row."""
    typed = chunk.row_at(start)
    if typed is not None and typed.cells:
        return list(typed.cells)
    return cells(text) if text.lstrip().startswith("|") else None


def is_table_row(chunk: Chunk, start: int, text: str) -> bool:
    """Whether a unit is a table row."""
    return row_cells(chunk, start, text) is not None


def cells(row: str) -> list[str]:
    """The cells of a row written with bars, stripped."""
    return [c.strip() for c in row.strip().strip("|").split("|")]


def is_amount(cell: str) -> bool:
    """Whether a cell holds a number or amount ("1 700 tkr", "12,5 %")."""
    return bool(AMOUNT_CELL.fullmatch(cell.strip()))


def holds_value(cell: str) -> bool:
    """An amount that is no bare year: a year in a header names a column."""
    return is_amount(cell) and not re.fullmatch(r"(?:19|20)\d\d", cell.strip())


def names_columns(row: str) -> bool:
    """A bar row that reads as a header: some cell after the first names something, and none holds a value."""
    values = [c for c in cells(row)[1:] if c]
    return bool(values) and not any(holds_value(c) for c in values)


def holds_values(row: str) -> bool:
    """A bar row with a value in some cell after the first."""
    return any(holds_value(c) for c in cells(row)[1:] if c)


def is_header_row(chunk: Chunk, start: int, row: str) -> bool:
    """Whether a unit is a table's header row (as its reader typed it, or a bar row naming columns above one
    holding amounts, such as a sub-table's "| Fritidshem | Grundbelopp 2025 | Grundbelopp 2026 |")."""
    typed = chunk.row_at(start)
    if typed is not None:
        return typed.is_header
    if not row.lstrip().startswith("|") or not names_columns(row):
        return False
    below = chunk.text[start + len(row) :].lstrip("\n").split("\n", 2)
    following = [line for line in below[:2] if line.strip().startswith("|") and not SEPARATOR.fullmatch(line.strip())]
    return bool(following) and holds_values(following[0])


def header_cells(chunk: Chunk, start: int, row: str) -> list[str] | None:
    """The header cells of the table a row at ``start`` of ``chunk.text`` belongs to; None when its table has
    none or the row is the header itself, so a table without a header is never read against one of its rows.

    The reader's typed row knows its header even where the table began in an earlier chunk; a row no reader typed
    is read against the nearest header row above it (a sub-table's own header), or else the first row of its
    table when that row names columns."""
    typed = chunk.row_at(start)
    if typed is not None:
        return None if typed.header is None or typed.is_header else list(typed.header)
    if is_header_row(chunk, start, row):
        return None
    block: list[str] = []
    for line in reversed(chunk.text[:start].split("\n")[:-1]):
        if not line.strip().startswith("|"):
            break
        if not SEPARATOR.fullmatch(line.strip()):
            block.insert(0, line.strip())
    if not block:
        return None
    below = [*block[1:], row.strip()]
    for line, next_line in reversed(list(zip(block, below, strict=True))):
        if names_columns(line) and holds_values(next_line):
            return cells(line)
    return cells(block[0]) if names_columns(block[0]) else None


def table_header(chunk: Chunk, start: int, row: str) -> str:
    """The header row of a row's table as a Markdown row; the row itself when its table has none."""
    head = header_cells(chunk, start, row)
    return row if head is None else "| " + " | ".join(head) + " |"


def table_row_text(chunk: Chunk, start: int, row: str) -> str:
    """A table row read with its table's header row: "Hel hall: Timme 165, Dag 330." (the row as written when
    it is the header itself, repeats the header's column names, or the cells do not line up)."""
    head, values = header_cells(chunk, start, row), row_cells(chunk, start, row)
    if head is None or values is None or len(head) != len(values) or len(values) < 2:
        return row
    if [v.strip() for v in values[1:]] == [h.strip() for h in head[1:]]:
        return row  # the header again, over a part of the table ("| Fritidshem | Grundbelopp 2025 |")
    pairs = [f"{h} {v}".strip() for h, v in zip(head[1:], values[1:], strict=True) if v]
    return f"{values[0]}: {', '.join(pairs)}." if values[0] else f"{', '.join(pairs)}."


def amount_value(cell: str) -> float | None:
    """The number an amount cell holds ("1 700 tkr" -> 1700.0, "-3,7" -> -3.7), None for no amount (a bare year
    names a column)."""
    if not holds_value(cell):
        return None
    digits = re.sub(r"[^\d,.−+-]", "", cell.replace("\u00a0", "").replace(" ", "")).replace("−", "-").replace(",", ".")
    try:
        return float(digits)
    except ValueError:
        return None


def row_amount(chunk: Chunk, start: int, text: str) -> float | None:
    """The amount in a table row's last amount cell ("Elevhälsopersonal 2 400 tkr" -> 2400.0), None for a unit that
    is no row or holds none."""
    row = row_cells(chunk, start, text)
    values = [amount_value(c) for c in (row or [])[1:] if c]
    values = [v for v in values if v is not None]
    return values[-1] if values else None
