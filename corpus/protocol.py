"""Sammanträdesprotokoll: § items, their parts, and the table of contents that only lists them.

A protocol is a run of § items ("§ 100  Dnr FG-2024-00656" then the rubrik), each with parts under fixed
headings ("Beslut", "Sammanfattning av ärendet", "Beslutsunderlag", ...). Readers turn lines into blocks; this
module names what a protocol's lines are, and ``structure`` turns a protocol's blocks into one section per
§ item with its parts ("Beslut", …) marked inside it, so a citation can read "Protokoll 2024-10-16, § 100" and
the register can list every decision.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Literal

from corpus.metadata import PROTOCOL_NAMES
from corpus.models import Block, Item

PartRole = Literal[
    "decision", "proposal", "summary", "basis", "procedure", "motions", "reservation", "note", "recipients", "vote"
]

# The part headings of a § item, as one table: (pattern matched against the whole line, role).
PART_HEADINGS: tuple[tuple[str, PartRole], ...] = (
    (r"beslut", "decision"),
    (r"nämndens beslut", "decision"),
    (r"[\wåäö&\- ]{3,60}s beslut", "decision"),
    (r"beslut i [\wåäö&\- ]{3,60}", "decision"),
    # The motions made at the meeting itself, as Kungsbacka's protocols head them.
    (r"förslag till beslut på sammanträdet|yrkanden på sammanträdet", "motions"),
    (r"förslag till beslut(?: i [\wåäö&\- ]{3,60})?", "proposal"),
    (r"förvaltningens förslag till beslut", "proposal"),
    # What a committee proposes another body to decide: "Nämnden för Vård & omsorgs förslag till beslut i
    # kommunfullmäktige".
    (r"[\wåäö&\- ]{3,60}s förslag till beslut (?:i|till) [\wåäö&\- ]{3,60}", "proposal"),
    (r"sammanfattning(?: av ärendet)?", "summary"),
    (r"ärendebeskrivning|ärendet|bakgrund|motivering|beskrivning av ärendet", "summary"),
    (r"beslutsunderlag|underlag", "basis"),
    (r"beslutsgång|propositionsordning|proposition", "procedure"),
    (r"yrkanden?|förslag och yrkanden", "motions"),
    (r"reservation(?:er)?", "reservation"),
    (r"protokollsanteckning(?:ar)?|särskil(?:t|da) yttranden?|jäv|deltar inte i beslutet", "note"),
    (r"beslutet (?:ska )?(?:skickas|expedieras) till|expediering", "recipients"),
    (r"omröstning(?:sresultat)?|votering", "vote"),
)
_PART_RES = tuple((re.compile(rf"(?:{pattern})\s*:?", re.IGNORECASE), role) for pattern, role in PART_HEADINGS)

# "§ 100", "§ 100  Dnr FG-2024-00656", "§ 12 Dnr 2025.129 BUN Rubrik"; the rubrik may follow on the same line.
# OCR misreads the § sign as "$" or drops it ("$ 31 Dnr FG-2026-00113", "35 Dnr FG-2026-00083"): such a line opens
# an item only with its Dnr (see ``item_header``).
ITEM_RE = re.compile(
    r"^(?P<sign>§|\$)?\s*(?P<number>\d{1,4})(?![\d:])\s*(?:[-–.,]\s*)?"
    r"(?:Dnr\.?:?\s*(?P<dnr>[A-ZÅÄÖ]{1,8}[ -]\d{4}[-.:/ ]\d{1,6}|\d{2,4}[-.:/]\d{1,6}(?:\s+[A-ZÅÄÖ]{2,6}\b)?))?"
    r"\s*(?P<rubrik>.*)$"
)
# A contents line: the rubrik, a dot leader and a page number.
TOC_RE = re.compile(r"(?:\.{4,}|…{2,}|(?:\. ){4,})\s*\d{1,4}\s*$")
# A dot leader anywhere in a line: a table of contents' entry even where OCR noise stands for its page number
# ("Information - ämnesveckor KapareskOlan.............sssssresss").
DOT_LEADER = re.compile(r"\.{6,}|…{3,}|(?:\. ){5,}")
# A line ending in a statute's chapter ("enligt 27 kap"): a "§ 5" opening the next line continues the reference.
LAW_CHAPTER_END = re.compile(r"\bkap\.?\s*$", re.IGNORECASE)
MIN_ITEMS = 2  # fewer § headers than this and a document is not read as a protocol (unless it says it is one)
PROTOCOL_WORD = re.compile(rf"\b(?:{PROTOCOL_NAMES})", re.IGNORECASE)
LETTERHEAD_BLOCKS = 30  # where a document's letterhead and first page stand
MAX_RUBRIK_CHARS = 200  # a rubrik on its own line after the § header is no longer than this


def part_role(line: str) -> PartRole | None:
    """The role of a § item's part heading ("Beslut" -> decision), or None for any other line."""
    text = " ".join(line.split())
    if not text or len(text) > 80:
        return None
    for pattern, role in _PART_RES:
        if pattern.fullmatch(text):
            return role
    return None


def is_toc_entry(text: str) -> bool:
    """Whether a block is a table-of-contents line (rubrik, dot leader, page number)."""
    return bool(TOC_RE.search(text.strip()))


def has_dot_leader(text: str) -> bool:
    """Whether a line holds a dot leader anywhere, as a table of contents' entry does (its page number may be lost
    to OCR noise, so unlike ``is_toc_entry`` none is required)."""
    return bool(DOT_LEADER.search(text))


def item_header(text: str) -> Item | None:
    """The § item a line opens (number, dnr as written, rubrik), or None."""
    match = ITEM_RE.match(" ".join(text.split()))
    if not match or is_toc_entry(text) or (match["sign"] != "§" and not match["dnr"]):
        return None
    rubrik = match["rubrik"].strip(" -–")
    return Item(paragraf=int(match["number"]), dnr=(match["dnr"] or "").strip() or None, rubrik=rubrik)


def declares_protocol(blocks: list[Block]) -> bool:
    """Whether the document calls itself a protocol or an extract of one in its letterhead ("SAMMANTRÄDESPROTOKOLL",
    "Protokollsutdrag")."""
    return any(PROTOCOL_WORD.search(b.text) for b in blocks[:LETTERHEAD_BLOCKS])


def looks_like_protocol(blocks: list[Block]) -> bool:
    """At least MIN_ITEMS § items opened outside a table of contents; or, in a document that calls itself a protocol,
    one item with its Dnr (an extract of a single §: "§ 179  Dnr VO-2025-00378")."""
    items = [item for b in blocks if b.kind != "table_row" and (item := item_header(b.text)) is not None]
    if len(items) >= MIN_ITEMS:
        return True
    return len(items) == 1 and items[0].dnr is not None and declares_protocol(blocks)


def _item_heading(item: Item, page: int | None) -> Block:
    return Block("heading", item.heading, page, level=1, item=item)


def _opens_contents_entry(blocks: list[Block], i: int) -> bool:
    """Whether the § header at ``i`` heads a table of contents' entry: the next line holds the rubrik with a dot
    leader ("§ 72 Dnr FG-2025-00007", then "Delegeringsbeslut antagna av nämnden 2025 ........ 16")."""
    following = next((b for b in blocks[i + 1 :] if b.text.strip()), None)
    return following is not None and has_dot_leader(following.text)


def structure(blocks: list[Block]) -> list[Block]:
    """A protocol's blocks with each § item as a level-1 heading (carrying its Item) and its part headings as
    "part" blocks inside the item's section; other headings inside an item move below it, and the table of
    contents is left out. Blocks of a document that is no protocol are returned as they are."""
    if not looks_like_protocol(blocks):
        return blocks
    out: list[Block] = []
    in_item = False
    in_contents = False  # inside a table of contents' entry: its "§ 72 Dnr …" line, then rubrik and page number
    for i, block in enumerate(blocks):
        if is_toc_entry(block.text) or (in_contents and has_dot_leader(block.text)):
            continue  # the table of contents repeats the items' rubriks with page numbers: nothing to quote
        in_contents = False
        item = item_header(block.text) if block.kind != "table_row" else None
        if item is not None and _opens_contents_entry(blocks, i):
            in_contents = True
            continue
        if item is not None and i > 0 and LAW_CHAPTER_END.search(blocks[i - 1].text):
            item = None  # "… enligt 27 kap" then "§ 5 SoL …": a statute's paragraph, wrapped onto a new line
        if item is not None:
            in_item = True
            out.append(_item_heading(item, block.page))
            continue
        last = out[-1] if out else None
        if (
            last is not None
            and last.item is not None
            and not last.item.rubrik
            and block.kind in ("heading", "paragraph")
            and len(block.text) <= MAX_RUBRIK_CHARS
            and part_role(block.text) is None
            and "§" not in block.text
            and not re.search(r"\.{4,}|…{2,}", block.text)
        ):
            # The rubrik on a line of its own after "§ 12 Dnr …" (as DOCX and PDF protocols have it).
            out[-1] = _item_heading(replace(last.item, rubrik=" ".join(block.text.split())), last.page)
            continue
        role = part_role(block.text) if block.kind in ("heading", "paragraph") else None
        if in_item and role is not None:
            # The parts stay in the item's section, so a passage keeps the decision with what it is about.
            out.append(Block("part", " ".join(block.text.split()).rstrip(":"), block.page))
        elif in_item and block.kind == "heading":
            out.append(replace(block, level=max(block.level, 3)))
        else:
            out.append(block)
    return out
