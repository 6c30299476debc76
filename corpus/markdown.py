"""Markdown into blocks: headings, paragraphs, lists and table rows, plus what converted PDFs leave behind.

Committee documents converted from PDF to Markdown (as public archives publish them) carry a YAML front matter
with the source's metadata, ``<!-- sida N -->`` page markers, each page's running header and footer, line breaks
inside paragraphs, ``<br>`` inside table cells, and protocol lines ("§ 100  Dnr …", "Beslut") that are headings
without any ``#``. All of that is read here, in one pass over the lines (linear in the file's length).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from corpus.models import Block, TableRow
from corpus.protocol import item_header, part_role
from corpus.tables import column_years, flattened_row_cells, markdown_cells

PAGE_MARKER_RE = re.compile(r"^<!--\s*sida\s+(\d+)\s*-->$", re.IGNORECASE)
COMMENT_RE = re.compile(r"<!--.*?-->")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
# A bullet, a numbered item, or OCR's reading of "•" as a lone "e" before a capitalised word ("e Trygghet och
# studiero"): no Swedish line starts with a lowercase "e" on its own.
BULLET_RE = re.compile(r"^(?:[-*+•●▪]|\d{1,2}[.)]|e(?=\s+[A-ZÅÄÖ]))\s+(.*)$")
# A list item's line that ends unfinished: a conjunction, a comma, "&" or a hyphen.
UNFINISHED_END_RE = re.compile(r"(?:[,&–-]|\b(?:och|eller|samt|som|att|i|på|för|med|till|av|om))$")
BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
CODE_FENCE_RE = re.compile(r"^(```|~~~)[\w-]*$")
TABLE_RULE_RE = re.compile(r"^\|?(?:\s*:?-{2,}:?\s*\|)+\s*:?-{0,}:?\s*$")
FURNITURE_EDGE = 6  # lines at the top (and bottom) of a page that may be a running header (footer)
FURNITURE_SHARE = 0.5  # a line is furniture when it recurs at the edge of at least this share of pages
HYPHEN_KEEPERS = {"och", "eller", "samt", "som", "till", "respektive", "resp.", "men", "&"}
WRAPPED_LABEL_MAX = 60  # a flattened row's label wrapped onto the line above is at most this long
LABEL_TAIL_MAX = 30  # ... and onto the line below ("kvinnor", "per enhetschef")


@dataclass
class MarkdownText:
    """A Markdown file read: its blocks and the front matter's scalar fields."""

    blocks: list[Block]
    front_matter: dict[str, str] = field(default_factory=dict)
    body: str = ""  # the text after the front matter, as written


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """The YAML front matter's ``key: value`` scalars and the text after it (the whole text if there is none)."""
    if not text.startswith("---"):
        return {}, text
    end = re.search(r"^---\s*$", text[3:], re.MULTILINE)
    if end is None:
        return {}, text
    head, body = text[3 : 3 + end.start()], text[3 + end.end() :]
    fields: dict[str, str] = {}
    for line in head.splitlines():
        match = re.match(r"^([A-Za-z_][\w-]*):\s*(.*?)\s*$", line)
        if match and match[2] not in ("", "null", "~") and not match[2].startswith(("[", "{")):
            fields[match[1]] = match[2].strip("'\"")
    return fields, body


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _pages(body: str) -> list[tuple[int | None, list[str]]]:
    """The body's lines grouped by page marker (page None before the first marker)."""
    pages: list[tuple[int | None, list[str]]] = [(None, [])]
    for raw in body.splitlines():
        marker = PAGE_MARKER_RE.match(raw.strip())
        if marker:
            pages.append((int(marker[1]), []))
        else:
            pages[-1][1].append(COMMENT_RE.sub("", raw).rstrip())
    return [(n, lines) for n, lines in pages if n is not None or any(x.strip() for x in lines)]


def _furniture(pages: list[tuple[int | None, list[str]]]) -> set[str]:
    """Line keys that recur at the top or bottom edge of most pages: running headers and footers."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for _, lines in pages:
        content = [x for x in lines if x.strip()]
        edges = content[:FURNITURE_EDGE] + content[-FURNITURE_EDGE:]
        # A § header or a part heading at the top of many pages is content, however often it recurs.
        counts.update({_key(x) for x in edges if item_header(x) is None and part_role(x) is None})
    return {k for k, n in counts.items() if n >= max(2, FURNITURE_SHARE * len(pages)) and len(k) < 120}


def _strip_edges(lines: list[str], furniture: set[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and (not lines[start].strip() or _key(lines[start]) in furniture):
        start += 1
    while end > start and (not lines[end - 1].strip() or _key(lines[end - 1]) in furniture):
        end -= 1
    return lines[start:end]


class _Builder:
    """Collects blocks; a paragraph's lines are joined once, when it ends."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.page: int | None = None
        self.item_open = False  # the last block is a § header that may continue on the next line
        self.row_open = False  # the last block is a flattened table row whose label may continue on the next line
        self.item_line_open = False  # the last block is a list item whose line may wrap onto the next one
        # A blank line ended the lines of an unfinished sentence: the next line decides whether the paragraph goes on.
        self.break_pending = False

    def flush(self) -> None:
        if self.lines:
            self.blocks.append(Block("paragraph", _join_lines(self.lines), self.page))
            self.lines = []

    def add(self, block: Block) -> None:
        self.flush()
        self.blocks.append(block)
        self.item_open = False
        self.row_open = False
        self.item_line_open = False

    def in_flattened_table(self) -> bool:
        last = self.blocks[-1] if self.blocks else None
        return last is not None and last.kind == "table_row" and last.row is not None and not last.text.startswith("|")


def _join_lines(lines: list[str]) -> str:
    """Wrapped lines joined into one paragraph, line-break hyphenation undone ("kart-" + "läggning")."""
    parts: list[str] = []
    for line in lines:
        text = " ".join(line.split())
        if parts and parts[-1].endswith("-") and parts[-1][-2:-1].isalnum() and text[:1].isdigit():
            parts[-1] += text  # a dnr or a date wrapped at its hyphen ("KS-" + "2025-00086")
            continue
        if parts and parts[-1].endswith("-") and text[:1].islower():
            first = text.split(" ", 1)[0]
            if first not in HYPHEN_KEEPERS and not parts[-1][-2:-1].isspace():
                parts[-1] = parts[-1][:-1] + text
                continue
        parts.append(text)
    return " ".join(parts)


def _table_cells(line: str) -> str:
    """A table row as written, cell separators kept (so quotes of a row still match) and ``<br>`` as spaces."""
    return " ".join(BR_RE.sub(" ", line).split())


def read_markdown(text: str) -> MarkdownText:
    """Read Markdown (plain or PDF-converted) into blocks."""
    front, body = split_front_matter(text)
    pages = _pages(body)
    furniture = _furniture(pages)
    out = _Builder()
    for number, raw_lines in pages:
        lines = _strip_edges(raw_lines, furniture) if furniture else raw_lines
        first = next((x.strip() for x in lines if x.strip()), "")
        # A paragraph cut by the page break goes on, as one cut by a blank line does.
        if not breaks_sentence(out.lines, first):
            out.flush()
            out.page = number
        for raw in lines:
            _read_line(out, raw, number)
    out.flush()
    return MarkdownText(out.blocks, front, body)


def _is_label_part(line: str, limit: int) -> bool:
    return len(line) <= limit and not any(ch.isdigit() for ch in line) and not line.endswith((".", ":"))


def _flattened_row(out: _Builder, raw: str, page: int | None) -> bool:
    """A converted PDF's table row whose columns are set apart by wide gaps, typed as a row: its label joined with
    the parts wrapped onto the lines around it, and, for the table's first row, the years its header lines name
    as the header when there is one per amount column. Its text stays as written, lines joined, so a quote of the
    source still matches it."""
    line = " ".join(raw.split())
    if out.row_open and not out.lines and line[:1].islower() and _is_label_part(line, LABEL_TAIL_MAX):
        last = out.blocks[-1]
        assert last.row is not None
        cells = (f"{last.row.cells[0]} {line}".strip(), *last.row.cells[1:])
        last.text, last.row = f"{last.text} {line}", TableRow(cells, header=last.row.header)
        out.row_open = False
        return True
    cells = flattened_row_cells(raw)
    if not cells:
        return False
    in_table = out.in_flattened_table() and len(out.lines) <= 1
    if out.lines and (not cells[0] or in_table) and _is_label_part(out.lines[-1], WRAPPED_LABEL_MAX):
        above = out.lines.pop()
        cells, line = (f"{above} {cells[0]}".strip(), *cells[1:]), f"{above} {line}"
    if in_table and not out.lines:
        previous = out.blocks[-1].row
        header = previous.header if previous is not None else None
    else:
        # The header lines stand right above the first row, or above it as a paragraph of their own.
        above_lines = out.lines or ([out.blocks[-1].text] if out.blocks and out.blocks[-1].kind == "paragraph" else [])
        years = column_years(" ".join(above_lines))
        header = ("", *years) if len(years) == len(cells) - 1 else None
    out.add(Block("table_row", line, page, row=TableRow(cells, header=header)))
    out.row_open = True
    return True


def continues_list_item(item: str, line: str) -> bool:
    """Whether ``line``, written right under a list item without indentation, is the item's wrapped rest (as
    converted and OCR-read PDFs write it): it starts in lowercase, or the item's line ends unfinished ("… mellan
    Gymnasium &" / "Arbetsmarknad, …"). A capitalised line after a finished item starts a paragraph."""
    return line[:1].islower() or bool(UNFINISHED_END_RE.search(item))


def breaks_sentence(lines: list[str], line: str) -> bool:
    """Whether ``line``, after a blank line, goes on with the paragraph of ``lines``: converted PDFs leave blank
    lines inside sentences ("… prövar om nämnden för Miljö & Hälsoskydd kan" / "" / "godkänna redovisningen …"),
    and a sentence left unfinished that goes on in lowercase is one paragraph."""
    return bool(lines) and line[:1].islower() and not lines[-1].rstrip().endswith((".", ":", "!", "?"))


def _read_line(out: _Builder, raw: str, page: int | None) -> None:
    line = raw.strip()
    if not line:
        out.break_pending = bool(out.lines)
        out.item_open = False
        out.row_open = False
        out.item_line_open = False
        return
    if out.break_pending and not breaks_sentence(out.lines, line):
        out.flush()
    out.break_pending = False
    if not out.lines:
        out.page = page
    if CODE_FENCE_RE.match(line):  # a fence says how to show what it holds; the text inside is read as text
        return
    heading = HEADING_RE.match(line)
    if heading:
        out.add(Block("heading", heading[2], page, level=min(len(heading[1]), 3)))
        return
    if line.startswith("|"):
        last = out.blocks[-1] if out.blocks and not out.lines else None
        if not TABLE_RULE_RE.match(line):
            text = _table_cells(line)
            out.add(Block("table_row", text, page, row=TableRow(markdown_cells(text))))
        elif last is not None and last.kind == "table_row" and last.row is not None:
            # The rule under a table's first row makes that row its header (``tabulate`` has the last word).
            last.row = TableRow(last.row.cells, is_header=True)
        return
    bullet = BULLET_RE.match(line)
    if bullet:
        out.add(Block("list_item", " ".join(bullet[1].split()), page))
        out.item_line_open = True
        return
    if not out.lines and item_header(line) is not None:
        out.add(Block("paragraph", " ".join(line.split()), page))
        out.item_open = True  # the rubrik follows on the next line(s) until a blank line
        return
    if out.item_open:
        if part_role(line) is None:  # the rubrik (or, in a table of contents, the rubrik and its page)
            out.blocks[-1].text += " " + " ".join(line.split())
            return
        out.item_open = False
    if part_role(line) is not None and not out.lines:
        out.add(Block("heading", " ".join(line.split()), page, level=2))
        return
    last_is_item = bool(out.blocks) and out.blocks[-1].kind == "list_item" and not out.lines
    if last_is_item and (raw[:1].isspace() or (out.item_line_open and continues_list_item(out.blocks[-1].text, line))):
        out.blocks[-1].text = _join_lines([out.blocks[-1].text, line])
        return
    if _flattened_row(out, raw, page):
        return
    out.row_open = False
    out.lines.append(line)
