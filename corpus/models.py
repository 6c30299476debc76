"""The document structure every reader produces: blocks, sections and documents."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

# "part": the heading of a part of a protocol's § item ("Beslut", "Beslutsunderlag"), kept inside the item's section.
BlockKind = Literal["heading", "paragraph", "list_item", "table_row", "part"]

UNKNOWN = "okänd"


@dataclass(frozen=True)
class Item:
    """A protocol's § item: its number, reference number as written, and rubrik."""

    paragraf: int
    dnr: str | None
    rubrik: str

    @property
    def heading(self) -> str:
        """The item's section heading as indexed and shown: "§ 5 Riktlinje civil beredskap (Dnr FG-2024-00884)"."""
        dnr = f" (Dnr {self.dnr})" if self.dnr else ""
        return f"§ {self.paragraf} {self.rubrik}".strip() + dnr

    @property
    def written_header(self) -> str:
        """The item's header in the protocol's own order, as quotes copied from it give it:
        "§ 5 Dnr FG-2024-00884 Riktlinje civil beredskap"."""
        dnr = f" Dnr {self.dnr}" if self.dnr else ""
        return f"§ {self.paragraf}{dnr} {self.rubrik}".strip()


@dataclass(frozen=True)
class TableRow:
    """One row of a table, whatever format it came from: its cells, the header it is read against, the table's
    heading.

    A row's text (``Block.text``) stays as the source wrote it, so it can be quoted verbatim: a Markdown row with
    its bars, a PDF's flattened "label … amount" line as extracted. CSV and DOCX rows, which have no written form,
    are written as Markdown rows. The cells carry the structure the text only implies.
    """

    cells: tuple[str, ...]
    header: tuple[str, ...] | None = None  # the table's header row; None for a table without one
    heading: str = ""  # the heading the table stands under (a caption, the heading or label line above it)
    is_header: bool = False  # this row is the table's header row

    def pairs(self) -> list[tuple[str, str]]:
        """(column name, value) for each non-empty cell under a named column, when the header lines up."""
        if self.header is None or self.is_header or len(self.header) != len(self.cells):
            return []
        return [(h, c) for h, c in zip(self.header, self.cells, strict=True) if h and c]


@dataclass
class Block:
    """One unit of text as a reader understood it, before sections are formed."""

    kind: BlockKind
    text: str
    page: int | None = None
    level: int = 1  # only meaningful for headings
    item: Item | None = None  # the § item a protocol heading opens
    row: TableRow | None = None  # a table row's cells, header and table heading


@dataclass
class Paragraph:
    """A paragraph, list item, table row or part heading inside a section's text."""

    start: int  # character offset into the section text
    end: int
    page: int | None
    kind: BlockKind = "paragraph"
    row: TableRow | None = None  # for a table row: its cells, header and table heading


@dataclass
class Section:
    """A run of text under one heading path.

    ``start``/``end`` are character offsets into ``Document.text`` so that
    ``document.text[section.start:section.end] == section.text``.
    """

    heading_path: list[str]
    text: str
    start: int
    end: int
    page_start: int | None
    page_end: int | None
    paragraphs: list[Paragraph] = field(default_factory=list)
    item: Item | None = None  # the protocol § item this section belongs to

    @property
    def heading(self) -> str:
        return self.heading_path[-1] if self.heading_path else ""

    @property
    def level(self) -> int:
        return len(self.heading_path)

    @property
    def path_label(self) -> str:
        return " > ".join(self.heading_path)


@dataclass(frozen=True)
class Person:
    """Someone named in a protocol, as written: "Johan Tolinsson" of party "S"."""

    name: str
    party: str | None = None

    def __str__(self) -> str:
        return f"{self.name} ({self.party})" if self.party else self.name


@dataclass(frozen=True)
class Meeting:
    """Who a protocol's first page says took part: the members deciding (ledamöter), the substitutes present
    (tjänstgörande ersättare first, then those present without a vote), and who checked the minutes."""

    justerare: tuple[Person, ...] = ()
    ledamoter: tuple[Person, ...] = ()
    ersattare: tuple[Person, ...] = ()


@dataclass
class Document:
    """A source file read into sections, with its catalog metadata."""

    doc_id: str
    path: str
    title: str
    municipality: str = UNKNOWN
    committee: str = UNKNOWN
    doc_type: str = UNKNOWN
    date: str = UNKNOWN
    reference: str = UNKNOWN
    text: str = ""
    sections: list[Section] = field(default_factory=list)
    content_hash: str = ""
    file_hash: str = ""  # the bytes alone: the same file under two names is one document
    provenance: dict[str, str] = field(default_factory=dict)  # metadata field -> where its value came from
    meeting: Meeting | None = None  # a protocol's justerare and närvarande, when its first page names them

    @property
    def year(self) -> int | None:
        if self.date[:4].isdigit():
            return int(self.date[:4])
        return None

    def metadata(self) -> dict[str, str]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "kommun": self.municipality,
            "committee": self.committee,
            "doc_type": self.doc_type,
            "date": self.date,
            "reference": self.reference,
        }


def file_hash(raw: bytes) -> str:
    """Stable hash of a file's bytes alone."""
    return hashlib.sha256(raw).hexdigest()[:16]


def content_hash(raw: bytes, catalog_entry: dict[str, str] | None = None) -> str:
    """Stable hash of a file's bytes and its catalog entry (so metadata edits count as changes)."""
    h = hashlib.sha256(raw)
    for key in sorted(catalog_entry or {}):
        h.update(f"\0{key}={catalog_entry[key]}".encode())
    return h.hexdigest()[:16]
