"""Cleaning of text extracted from PDFs: page furniture, hyphenation, paragraphs, headings.

The shipped documents are plain text pulled out of PDFs, and pypdf gives the same
kind of text for uploaded PDFs. Both go through here. The extraction leaves layout
traces that this module reads as structure:

* a line that starts with a single space marks the first line of a page (unless the
  document uses a leading space for lost bullet glyphs: then they are list items);
* page numbers ("2", "9 (21)") and running headers/footers are page furniture;
* on most pages every wrapped body line is followed by one blank line, while larger
  heading fonts are not. So a heading followed directly by text is a major heading
  and one followed by a blank line is a minor one.

Lines from the layout-aware PDF reader (``corpus.pdflayout``) also carry their font size and boldness, and a
ruled table arrives whole: there a line set larger than the body is a heading (its level from the size), a line
in the body's size is a heading only when bold and its wording says so, and a table becomes its rows.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from corpus.models import Block, TableRow
from corpus.protocol import item_header, part_role
from corpus.tables import column_cells, extracted_row_cells, is_amount, is_header_row, row_text

PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:sida\s+)?[-–]?\s*\d{1,4}\s*(?:\(\s*\d{1,4}\s*\)|/\s*\d{1,4}|av\s+\d{1,4})?\s*[-–]?\s*$",
    re.IGNORECASE,
)
BULLET_RE = re.compile(r"^\s*(?:[•●▪■◦‣∙·\uf0b7\uf0a7\uf02d]|[-–*](?=\s))\s*")
LABEL_RE = re.compile(r"^[A-ZÅÄÖ][\wåäöÅÄÖ-]*(?: [\wåäöÅÄÖ-]+)?:(?:\s|$)")
TABLE_ROW_RE = re.compile(r"\d[\d\s]*\s*(?:tkr|mkr|mnkr|kr|%|st)\s*$", re.IGNORECASE)
NUMBERED_HEADING_RE = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZÅÄÖ]")
NUMBERED_PREFIX_RE = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+")
SENTENCE_END_RE = re.compile(r"[.!?][”\"')\]]*$")
INNER_SENTENCE_RE = re.compile(r"[.!?]\s+[A-ZÅÄÖ]")
# Words after which a line-final hyphen is a real one ("förskole- och skolorganisation").
HYPHEN_KEEPERS = {"och", "eller", "samt", "som", "till", "respektive", "resp.", "men", "&"}
FONT_HEADING_STEP = 1.5  # points above the body text's size that make a line a heading
MAX_HEADING_CHARS = 200  # a heading set over several lines is no longer than this
# Column labels left alone on a line by table layouts; they carry no text of their own.
STRAY_LABELS = {"syfte", "åtgärder"}


@dataclass
class Line:
    """A non-blank line of extracted text and the layout around it."""

    text: str  # whitespace-collapsed, stripped
    page: int | None
    gap: int  # blank lines before it
    page_start: bool = False
    space_bullet: bool = False
    columns: tuple[str, ...] = ()  # the line's cells where the layout kept wide gaps between columns
    size: float | None = None  # font size, where the reader knows it (a layout-aware PDF reader)
    bold: bool = False
    table: tuple[tuple[str, ...], ...] = ()  # a whole ruled table a layout-aware reader found, row by row


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _is_blank(raw: str) -> bool:
    return not raw.strip()


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", _collapse(text).lower())


def lines_from_text(raw: str) -> list[Line]:
    """Read a whole extracted text (no page breaks given) into content lines with pages."""
    raw_lines = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n \n").split("\n")
    content = [r for r in raw_lines if not _is_blank(r)]
    marker = [bool(re.match(r"^ \S", r)) for r in content]
    # A leading space on many lines is a lost bullet glyph, not a page start.
    space_bullets = len(content) > 0 and sum(marker) / len(content) > 0.08 and sum(marker) > 5

    lines: list[Line] = []
    gap = 0
    rel_page = 1
    seen_content = False
    anchors: list[tuple[int, int]] = []
    for raw_line in raw_lines:
        if _is_blank(raw_line):
            gap += 1
            continue
        is_marker = bool(re.match(r"^ \S", raw_line))
        seen_content_before = seen_content
        if is_marker and not space_bullets and seen_content:
            rel_page += 1
        seen_content = True
        lines.append(
            Line(
                text=_collapse(raw_line),
                page=rel_page,
                gap=gap,
                page_start=is_marker and not space_bullets,
                # The document's first line is its first heading, not a list item.
                space_bullet=is_marker and space_bullets and seen_content_before,
                columns=column_cells(raw_line),
            )
        )
        gap = 0

    has_pages = not space_bullets and any(ln.page_start for ln in lines[1:])
    kept: list[Line] = []
    for i, ln in enumerate(lines):
        if PAGE_NUMBER_RE.match(ln.text) and _looks_like_page_number(lines, i):
            number = int(re.search(r"\d+", ln.text).group())
            anchors.append((ln.page or 1, number))
            if not ln.page_start:
                _drop_footer_block(kept, ln)
            if i + 1 < len(lines) and ln.page_start:
                # The page number was the page's first line: the next line inherits the gap.
                lines[i + 1].gap = max(lines[i + 1].gap, ln.gap)
            continue
        kept.append(ln)

    kept = _split_inline_bullets(_drop_repeated(kept))
    if anchors:
        has_pages = True
        offset = anchors[0][1] - anchors[0][0]
        for ln in kept:
            ln.page = (ln.page or 1) + offset
    if not has_pages:
        for ln in kept:
            ln.page = None
    return kept


def _looks_like_page_number(lines: list[Line], i: int) -> bool:
    """A bare number is a page number when it stands alone, apart from table rows."""
    ln = lines[i]
    if ln.page_start or ln.gap >= 1:
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        return nxt is None or nxt.gap >= 1 or nxt.page_start or bool(re.search(r"\(\d+\)", ln.text))
    return False


def _drop_footer_block(kept: list[Line], number_line: Line) -> None:
    """Remove the footer lines printed just above a page number ("Kommun, plan ... / 9 (21)")."""
    if not kept or kept[-1].page != number_line.page:
        return
    if number_line.gap < 2:
        return
    block: list[int] = []
    j = len(kept) - 1
    while j >= 0 and kept[j].page == number_line.page and len(block) < 3:
        block.append(j)
        if kept[j].gap >= 2:
            break
        j -= 1
    else:
        return  # no clear gap above: this is body text, not a footer
    candidates = [kept[k] for k in block]
    if all(len(c.text) <= 150 and not c.text.endswith(".") for c in candidates):
        for k in sorted(block, reverse=True):
            carried = kept[k].gap
            del kept[k]
            if k < len(kept):
                kept[k].gap = max(kept[k].gap, carried)


def _drop_repeated(lines: list[Line]) -> list[Line]:
    """Remove running headers/footers: short lines repeated at the edges of three or more pages."""
    edge: set[int] = set()
    by_page: dict[int | None, list[int]] = {}
    for k, ln in enumerate(lines):
        by_page.setdefault(ln.page, []).append(k)
    for indexes in by_page.values():
        edge.update(indexes[:2] + indexes[-2:])
    pages_by_key: dict[str, set[int | None]] = {}
    for k in edge:
        if len(lines[k].text) <= 150:
            pages_by_key.setdefault(_furniture_key(lines[k].text), set()).add(lines[k].page)
    repeated = {key for key, pages in pages_by_key.items() if len(pages) >= 3}
    return [ln for k, ln in enumerate(lines) if not (k in edge and _furniture_key(ln.text) in repeated)]


def lines_from_pages(pages: list[str], first_page: int = 1) -> list[Line]:
    """Read per-page extracted text (as pypdf gives it) into content lines with pages."""
    per_page: list[list[Line]] = []
    for offset, page_text in enumerate(pages):
        page_lines: list[Line] = []
        gap = 0
        for raw_line in page_text.replace("\r\n", "\n").split("\n"):
            if _is_blank(raw_line):
                gap += 1
                continue
            page_lines.append(
                Line(text=_collapse(raw_line), page=first_page + offset, gap=gap, columns=column_cells(raw_line))
            )
            gap = 0
        per_page.append(page_lines)
    return lines_from_page_lines(per_page)


def lines_from_page_lines(pages: list[list[Line]]) -> list[Line]:
    """Content lines of a document given page by page: page numbers and running headers and footers dropped."""
    lines: list[Line] = []
    edge_keys: Counter[str] = Counter()
    per_page: list[list[Line]] = []
    for page_lines in pages:
        if page_lines:
            page_lines[0].page_start = True
            page_lines[0].gap = max(page_lines[0].gap, 2)
        # Page numbers sit in the first or last lines of a page.
        edges = set(range(min(2, len(page_lines)))) | set(range(max(0, len(page_lines) - 3), len(page_lines)))
        page_lines = [
            ln for k, ln in enumerate(page_lines) if not (k in edges and not ln.table and PAGE_NUMBER_RE.match(ln.text))
        ]
        # A § header or a part heading ("Beslut") at the top of many pages is content, however often it recurs.
        edge_lines = [
            ln
            for ln in page_lines[:3] + page_lines[3:][-3:]
            if not ln.table and item_header(ln.text) is None and part_role(ln.text) is None
        ]
        for key in {_furniture_key(ln.text) for ln in edge_lines}:
            edge_keys[key] += 1
        per_page.append(page_lines)
    threshold = max(2, len(pages) // 2)
    for page_lines in per_page:
        n = len(page_lines)
        for k, ln in enumerate(page_lines):
            at_edge = k < 3 or k >= n - 3
            repeated = edge_keys[_furniture_key(ln.text)] >= threshold and len(ln.text) <= 150
            if at_edge and len(pages) >= 2 and repeated and not ln.table:
                continue
            lines.append(ln)
    return _split_inline_bullets(lines)


def _split_inline_bullets(lines: list[Line]) -> list[Line]:
    """A figure flattened to one line ("Mål • Högre måluppfyllelse") becomes a label and an item."""
    out: list[Line] = []
    for ln in lines:
        parts = re.split(r"\s+(?=•\s)", ln.text)
        if len(parts) == 1 or not parts[0].strip() or ln.table:
            out.append(ln)
            continue
        out.append(replace(ln, text=parts[0], columns=column_cells(parts[0])))
        rest = {"gap": 0, "page_start": False, "space_bullet": False, "columns": (), "table": ()}
        out.extend(replace(ln, text=part, **rest) for part in parts[1:])
    return out


class _Layout:
    """Per-document layout facts the block builder needs."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.index_of = {id(ln): k for k, ln in enumerate(lines)}
        lengths = sorted(len(ln.text) for ln in lines) or [80]
        self.width = max(40, lengths[int(0.9 * (len(lengths) - 1))])
        by_page: dict[int | None, list[int]] = {}
        for k, ln in enumerate(lines):
            if k > 0 and lines[k - 1].page == ln.page and not ln.page_start:
                by_page.setdefault(ln.page, []).append(ln.gap)
        self.interleaved_pages = {
            page for page, gaps in by_page.items() if gaps and sum(g >= 1 for g in gaps) / len(gaps) >= 0.5
        }
        all_gaps = [g for gaps in by_page.values() for g in gaps]
        self.interleaved_doc = bool(all_gaps) and sum(g >= 1 for g in all_gaps) / len(all_gaps) >= 0.5
        # Font sizes, where the reader gave them: the body's size is the one most text is set in.
        sizes: Counter[float] = Counter()
        for ln in lines:
            if ln.size is not None and not ln.table:
                sizes[round(ln.size, 1)] += len(ln.text)
        self.body_size = sizes.most_common(1)[0][0] if sizes else None
        self.heading_sizes = sorted(
            (size for size in sizes if self.body_size is not None and size >= self.body_size + FONT_HEADING_STEP),
            reverse=True,
        )

    def font_level(self, line: Line) -> int | None:
        """A heading's level from its font size (the largest size 1), or None for a line in the body's size."""
        if self.body_size is None or line.size is None or line.table:
            return None
        size = round(line.size, 1)
        if size < self.body_size + FONT_HEADING_STEP:
            return None
        return min(3, 1 + sum(1 for s in self.heading_sizes if s > size))

    def interleaved(self, line: Line) -> bool:
        return line.page in self.interleaved_pages

    def big_gap(self, line: Line) -> bool:
        """A gap wider than the page's normal line spacing separates blocks."""
        return line.gap >= (2 if self.interleaved(line) else 1) or line.page_start and line.gap >= 2


def _is_bullet(line: Line) -> bool:
    return line.space_bullet or bool(BULLET_RE.match(line.text))


def _is_table_row(text: str, columns: tuple[str, ...] = ()) -> bool:
    """A flattened table row: a line ending in an amount with its unit ("Garanti för tidiga insatser 1 700 tkr"),
    or columns set apart by wide gaps whose last is an amount ("Matematiksatsning   100"), or three columns."""
    if SENTENCE_END_RE.search(text):
        return False
    return bool(TABLE_ROW_RE.search(text)) or len(columns) >= 3 or len(columns) == 2 and is_amount(columns[-1])


def _opens_table_after_sentence(prev: Line | None, lines: list[Line], i: int) -> bool:
    """Rows right after a finished sentence start a table when at least two follow each other (one line that
    ends in an amount may just wrap a sentence: "... avsätta / 1 700 tkr")."""
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    return (
        prev is not None
        and bool(SENTENCE_END_RE.search(prev.text))
        and nxt is not None
        and _is_table_row(nxt.text, nxt.columns)
    )


def _is_column_header(line: Line, nxt: Line | None) -> bool:
    """Column names set apart by wide gaps ("Insats      Kostnad (tkr)") right above a table row."""
    return (
        nxt is not None
        and is_header_row(line.columns)
        and not SENTENCE_END_RE.search(line.text)
        and _is_table_row(nxt.text, nxt.columns)
    )


def _starts_lower(text: str) -> bool:
    return bool(text) and text[0].islower()


def _heading_text_ok(text: str, width: int) -> bool:
    if not 2 <= len(text) <= min(100, int(0.85 * width)):
        return False
    numbered = bool(NUMBERED_HEADING_RE.match(text))
    if not (text[0].isupper() or numbered):
        return False
    if text[-1] in ".;:!?" or (text[-1] == "," and not numbered):
        return False
    unnumbered = NUMBERED_PREFIX_RE.sub("", text)
    if LABEL_RE.match(text) or ":" in text or _is_table_row(text) or INNER_SENTENCE_RE.search(unnumbered):
        return False
    if text.lower() in STRAY_LABELS:
        return False
    return not BULLET_RE.match(text)


def _opens_block(prev: Line | None, prev_kind: str | None, line: Line, layout: _Layout) -> bool:
    if prev is None or prev_kind in ("heading", "table_row") or layout.big_gap(line):
        return True
    if prev_kind == "list_item" and not _starts_lower(line.text):
        return True
    return bool(SENTENCE_END_RE.search(prev.text))


def _heading_span(lines: list[Line], i: int, layout: _Layout) -> int:
    """Number of lines (1-3) forming a heading that starts at ``i``, or 0 if it is no heading."""
    first = lines[i]
    if _is_bullet(first) or not _heading_text_ok(first.text, layout.width):
        return 0
    nxt_line = lines[i + 1] if i + 1 < len(lines) else None
    if _is_table_row(first.text, first.columns) or _is_column_header(first, nxt_line):
        return 0
    text = first.text
    for span in range(1, 4):
        nxt = lines[i + span] if i + span < len(lines) else None
        if nxt is None:
            return span
        after = lines[i + span + 1] if i + span + 1 < len(lines) else None
        if span < 3 and _wraps_heading(text, nxt, after, first, layout):
            text = f"{text} {nxt.text}"
            continue
        return span if _opens_after_heading(nxt) else 0
    return 0


def _wraps_heading(text: str, nxt: Line, after: Line | None, first: Line, layout: _Layout) -> bool:
    """Whether ``nxt`` is the second line of a heading wrapped over two or three lines."""
    cont = nxt.text
    if nxt.page != first.page or _is_bullet(nxt) or len(text) + len(cont) > 110:
        return False
    if len(cont) > int(0.85 * layout.width) or cont.endswith((",", ";", ":")):
        return False
    lower = _starts_lower(cont) and nxt.gap <= 1 and not cont.endswith(".")
    year_tail = bool(re.fullmatch(r"\d{4}(?:[–-]\d{2,4})?\.?", cont))
    # Title lines in a large font are set without the blank line body text gets.
    big_font = layout.interleaved(nxt) and nxt.gap == 0 and _heading_text_ok(cont, layout.width) and not year_tail
    if not (lower or year_tail or big_font):
        return False
    if after is None or _opens_after_heading(after):
        return True
    # A third, short heading line may follow ("... i skola och / vuxenutbildningen").
    return lower and _starts_lower(after.text) and len(after.text) < 0.6 * layout.width


def _opens_after_heading(line: Line) -> bool:
    """What follows a heading starts a block: a capital, a digit, a bullet or a quote."""
    t = line.text
    return _is_bullet(line) or not _starts_lower(t) and not (t[0].isdigit() and line.gap == 0 and len(t) < 15)


def _join(parts: list[str], text: str) -> None:
    """Join a wrapped line onto the paragraph whose pieces are ``parts``, undoing line-break hyphenation.

    Only the last piece is looked at, so joining stays linear in the paragraph's length."""
    last = parts[-1]
    if len(last) >= 2 and last[-1] == "-" and (last[-2].isalnum() or last[-2] == "_") and text and text[0].islower():
        first_word = text.split()[0]
        if first_word in HYPHEN_KEEPERS or last[-2].isupper() or last[-2].isdigit():
            parts.append((" " if first_word in HYPHEN_KEEPERS else "") + text)
        else:
            parts[-1] = last[:-1]
            parts.append(text)
        return
    parts.append(" " + text)


def _continues(prev: Line, kind: str, line: Line, layout: _Layout) -> bool:
    """Whether ``line`` wraps the paragraph or list item that ``prev`` belongs to."""
    if item_header(line.text) is not None or part_role(line.text) is not None or part_role(prev.text) is not None:
        return False  # a protocol's § header or part heading ("Beslut") stands alone, and so does what follows it
    if layout.big_gap(line) and not (_starts_lower(line.text) or prev.text.endswith("-")):
        return False
    if _starts_lower(line.text):
        return True
    if prev.text.endswith(":") or LABEL_RE.match(line.text):
        return False
    if SENTENCE_END_RE.search(prev.text):
        if kind == "list_item":
            return False
        return len(prev.text) >= 0.75 * layout.width
    return True


def blocks_from_lines(lines: list[Line]) -> list[Block]:
    """Turn cleaned lines into headings, paragraphs, list items and table rows."""
    layout = _Layout(lines)
    blocks: list[Block] = []
    heading_lines: list[tuple[int, Line, Line | None]] = []  # block index, heading's last line, next line
    prev: Line | None = None
    prev_kind: str | None = None
    growing: list[str] = []  # pieces of the last block while wrapped lines are still being joined onto it

    def add(block: Block) -> None:
        if growing:
            blocks[-1].text = "".join(growing)
            growing.clear()
        blocks.append(block)

    font_headings: set[int] = set()  # headings known from their font size, not guessed from the text
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.table:
            for cells in line.table:
                add(Block("table_row", row_text(cells), line.page, row=TableRow(cells)))
            prev, prev_kind = line, "table_row"
            i += 1
            continue
        text = BULLET_RE.sub("", line.text).strip() if _is_bullet(line) else line.text
        if not text or re.fullmatch(r"[.\s•·,;:]+", text) or text.lower() in STRAY_LABELS:
            i += 1
            continue
        level = layout.font_level(line)
        if level is not None and not _is_bullet(line) and item_header(text) is None:
            end = i + 1
            # A part heading of a § item ("Beslutsunderlag") is one line; other headings may wrap.
            while part_role(text) is None and end < len(lines) and _wraps_font_heading(lines[end], line, len(text)):
                text += " " + lines[end].text
                end += 1
            font_headings.add(len(blocks))
            add(Block("heading", text, line.page, level=level))
            prev, prev_kind = lines[end - 1], "heading"
            i = end
            continue
        # Where font sizes are known, a line in the body's size is a heading only when set in bold, and a § item's
        # part heading ("Beslutsunderlag") is one line of its own.
        guess = layout.body_size is None or line.bold
        span = _heading_span(lines, i, layout) if guess and _opens_block(prev, prev_kind, line, layout) else 0
        if span and layout.body_size is not None and part_role(text) is not None:
            span = 1
        if span:
            heading = " ".join(ln.text for ln in lines[i : i + span])
            nxt = lines[i + span] if i + span < len(lines) else None
            heading_lines.append((len(blocks), lines[i + span - 1], nxt))
            add(Block("heading", heading, line.page))
            prev, prev_kind = lines[i + span - 1], "heading"
            i += span
            continue
        if _is_bullet(line):
            add(Block("list_item", text, line.page))
            prev_kind = "list_item"
        elif (
            _is_table_row(text, line.columns)
            and (prev_kind != "paragraph" or _opens_table_after_sentence(prev, lines, i))
            or (prev_kind == "table_row" and _is_table_row(text, line.columns))
            or _is_column_header(line, lines[i + 1] if i + 1 < len(lines) else None)
        ):
            add(Block("table_row", text, line.page, row=TableRow(extracted_row_cells(text, line.columns))))
            prev_kind = "table_row"
        elif prev is not None and prev_kind in ("paragraph", "list_item") and _continues(prev, prev_kind, line, layout):
            if not growing:
                growing.append(blocks[-1].text)
            _join(growing, text)
        else:
            add(Block("paragraph", text, line.page))
            prev_kind = "paragraph"
        prev = line
        i += 1
    if growing:
        blocks[-1].text = "".join(growing)
    heading_lines = _demote_heading_chains(blocks, heading_lines, font_headings)
    _assign_levels(blocks, heading_lines, layout)
    return blocks


def _wraps_font_heading(nxt: Line, first: Line, length: int) -> bool:
    """Whether ``nxt`` goes on with a heading ``first`` opened: the same size, no gap, the same page."""
    return (
        nxt.size == first.size
        and nxt.gap == 0
        and nxt.page == first.page
        and not nxt.table
        and length + len(nxt.text) <= MAX_HEADING_CHARS
    )


def _demote_heading_chains(
    blocks: list[Block], heading_lines: list[tuple[int, Line, Line | None]], font_headings: set[int]
) -> list[tuple[int, Line, Line | None]]:
    """Short lines in a run of three or more "headings" are a label's text, not headings.

    ("Stöd till lärare, rektor och enhet / Rekryteringar vårterminen 2020 / Elevhälsa",
    or a signature block at the end: "Beslutet ska skickas till / Alla chefer / ...").
    """
    heading_at = {h[0]: h for h in heading_lines}
    demote: set[int] = set()
    k = 0
    while k < len(blocks):
        if blocks[k].kind != "heading":
            k += 1
            continue
        end = k
        while end + 1 < len(blocks) and blocks[end + 1].kind == "heading":
            end += 1
        at_end = end == len(blocks) - 1
        if at_end and end > k:
            demote.update(range(k + 1, end + 1))
        elif end - k >= 2:
            demote.update(range(k + 1, end))
        k = end + 1
    for k in demote - font_headings:
        blocks[k].kind = "paragraph"
    return [heading_at[k] for k in sorted(heading_at) if k not in demote]


def _assign_levels(blocks: list[Block], heading_lines: list[tuple[int, Line, Line | None]], layout: _Layout) -> None:
    """Give headings levels 1 or 2 from the layout (see the module docstring)."""
    if not layout.interleaved_doc:
        _assign_levels_numbered(blocks, [h[0] for h in heading_lines])
        return
    open_top = False
    previous_level = 1
    previous_was_parent = False
    for idx, (block_index, _last, nxt) in enumerate(heading_lines):
        followed_by_heading = idx + 1 < len(heading_lines) and heading_lines[idx + 1][0] == block_index + 1
        if followed_by_heading or nxt is None:
            level = 1
        elif previous_was_parent:
            level = 2
        elif _body_interleaved(nxt, layout):
            level = 2 if nxt.gap >= 1 and open_top else 1
        else:
            # The cue needs blank-interleaved body text; elsewhere a heading is a sibling.
            level = previous_level if open_top else 1
        blocks[block_index].level = level
        open_top = True
        previous_level = level
        previous_was_parent = followed_by_heading


def _body_interleaved(first_body: Line, layout: _Layout) -> bool:
    """Whether the body lines after ``first_body`` carry a blank line each."""
    lines = layout.lines
    k = layout.index_of[id(first_body)]
    following = [ln for ln in lines[k + 1 : k + 4] if not ln.page_start]
    return bool(following) and sum(ln.gap >= 1 for ln in following) * 2 >= len(following)


def _assign_levels_numbered(blocks: list[Block], heading_indexes: list[int]) -> None:
    """Numbered headings lead; the recurring headings inside numbered sections sit under them."""

    def key(text: str) -> str:
        return " ".join(text.lower().split()[:2])

    numbered = [bool(NUMBERED_HEADING_RE.match(blocks[k].text)) for k in heading_indexes]
    sections: list[int] = []  # numbered section id per heading (-1 before the first)
    current = -1
    for k, is_num in enumerate(numbered):
        if is_num:
            current = k
        sections.append(current)
    keys_by_section: dict[str, set[int]] = {}
    for k, block_index in enumerate(heading_indexes):
        if not numbered[k] and sections[k] >= 0:
            keys_by_section.setdefault(key(blocks[block_index].text), set()).add(sections[k])
    recurring = {kk for kk, secs in keys_by_section.items() if len(secs) >= 2}
    inside = False
    for k, block_index in enumerate(heading_indexes):
        block = blocks[block_index]
        if numbered[k]:
            block.level, inside = 1, True
            continue
        if inside:
            later = [
                key(blocks[heading_indexes[m]].text) in recurring
                for m in range(k, len(heading_indexes))
                if sections[m] == sections[k] and not numbered[m]
            ]
            if any(later):
                block.level = 2
                continue
            inside = False
        block.level = 1
