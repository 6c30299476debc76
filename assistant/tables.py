"""Table rows in passages (Markdown rows, cells separated by "|"): their header row and how a row reads aloud."""

from __future__ import annotations

import re

from index.chunking import Chunk

AMOUNT_CELL = re.compile(r"[-−+]?\s*[\d\s.,]+\s*(%|tkr|kr|kronor|mkr|mnkr|st)?", re.IGNORECASE)


def is_table_row(text: str) -> bool:
    """Whether a unit is a table row as written."""
    return text.lstrip().startswith("|")


def cells(row: str) -> list[str]:
    """The cells of a row, stripped."""
    return [c.strip() for c in row.strip().strip("|").split("|")]


def is_amount(cell: str) -> bool:
    """Whether a cell holds a number or amount ("1 700 tkr", "12,5 %")."""
    return bool(AMOUNT_CELL.fullmatch(cell.strip()))


def table_header(chunk: Chunk, start: int, row: str) -> str:
    """The header row of the table a row at ``start`` of ``chunk.text`` belongs to, as a Markdown row; the row
    itself when its table has none, so a table without a header is never read against one of its data rows.

    The reader's typed row knows its header even where the table began in an earlier chunk; a row no reader typed
    is read against the first bar row above it, when that row holds no amounts."""
    typed = chunk.row_at(start)
    if typed is not None:
        if typed.header is None or typed.is_header:
            return row
        return "| " + " | ".join(typed.header) + " |"
    first = row
    for line in reversed(chunk.text[:start].split("\n")[:-1]):
        if not line.strip().startswith("|"):
            break
        first = line.strip()
    return row if any(is_amount(c) for c in cells(first)[1:] if c) else first


def table_row_text(chunk: Chunk, start: int, row: str) -> str:
    """A table row read with its table's header row: "Hel hall: Timme 165, Dag 330." (the row as written when
    it is the header itself or the cells do not line up)."""
    header = table_header(chunk, start, row)
    head, values = cells(header), cells(row)
    if header == row or len(head) != len(values) or len(values) < 2:
        return row
    pairs = [f"{h} {v}".strip() for h, v in zip(head[1:], values[1:], strict=True) if v]
    return f"{values[0]}: {', '.join(pairs)}." if values[0] else f"{', '.join(pairs)}."
