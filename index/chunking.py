"""Sections -> chunks that never cross a section boundary, split on Swedish sentences."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from corpus import UNKNOWN, Document, Section


@dataclass
class RowSpan:
    """A table row inside a chunk's text, with the structure its reader found: where it stands (offsets into the
    chunk's text), the table's header cells (None for a table without a header), the table's heading and the
    row's own cells. A table
    split between chunks keeps its header in every part, though the header row is written in the first only."""

    start: int
    end: int
    header: list[str] | None = None
    heading: str = ""
    is_header: bool = False
    cells: list[str] = field(default_factory=list)  # the row's own cells, as its reader split them


@dataclass
class Chunk:
    """A passage of one section, with everything a citation needs."""

    chunk_id: str
    doc_id: str
    title: str
    kommun: str
    year: int
    heading_path: list[str]
    text: str
    start: int  # offsets into Document.text
    end: int
    page_start: int | None
    page_end: int | None
    references: list[str] = field(default_factory=list)
    paragraf: int | None = None  # the protocol § item the passage belongs to
    rows: list[RowSpan] = field(default_factory=list)  # the table rows in ``text``

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)

    @property
    def context(self) -> str:
        """The title and heading path that is embedded and BM25-indexed with the text."""
        head = self.title if self.kommun == UNKNOWN else f"{self.title} ({self.kommun})"
        return f"{head}\n{self.section}" if self.heading_path else head

    @property
    def indexed_text(self) -> str:
        return f"{self.context}\n{self.text}"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        rows = [RowSpan(**r) for r in data.get("rows", [])]
        return cls(**{**data, "rows": rows})

    def row_at(self, offset: int) -> RowSpan | None:
        """The table row that holds ``offset`` of the text, if any."""
        return next((r for r in self.rows if r.start <= offset < r.end), None)


# Abbreviations of committee documents that punkt's Swedish model lacks: "kl. 16.00", "ca. 5 tkr", "s. 47–58" do
# not end a sentence. (Its model has "bl.a", "t.ex", "resp", "åk" and others already.)
ABBREVIATIONS = {"kl", "ca", "fr.o.m", "dnr", "nr", "jfr", "inkl", "exkl", "ev", "enl", "dvs", "d.v.s", "s", "sid"}


@lru_cache(maxsize=1)
def _sentence_tokenizer():
    """NLTK's Swedish punkt model, as shipped inside llama-index-core (no download)."""
    import llama_index.core
    import nltk
    from nltk.tokenize.punkt import PunktTokenizer

    cache = os.path.join(os.path.dirname(llama_index.core.__file__), "_static", "nltk_cache")
    if cache not in nltk.data.path:
        nltk.data.path.append(cache)
    tokenizer = PunktTokenizer("swedish")
    tokenizer._params.abbrev_types.update(ABBREVIATIONS)
    return tokenizer


def is_table_line(line: str) -> bool:
    """A Markdown table row ("| 2. | Val av justerare | FG-2025-00001 | Digital justering. Jenny T (KD) |")."""
    stripped = line.strip()
    return len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``; paragraph breaks (newlines) always end a sentence, and a table row is one span
    whatever its cells say (a cell's sentences belong to its row)."""
    spans: list[tuple[int, int]] = []
    tokenizer = _sentence_tokenizer()
    for m in re.finditer(r"[^\n]+", text):
        if is_table_line(m.group()):
            spans.append(m.span())
            continue
        for s, e in tokenizer.span_tokenize(m.group()):
            spans.append((m.start() + s, m.start() + e))
    return spans


REFERENCE_PATTERNS = [
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),  # dates
    re.compile(r"§§?\s?\d+"),  # paragraphs
    re.compile(r"\b\d{4}\.\d{1,5}(?:\s[A-ZÅÄÖ]{2,5})?\b"),  # diarienummer, e.g. 2025.129 BUN
    re.compile(r"\b[A-ZÅÄÖ]{1,8}-\d{4}-\d{3,6}\b"),  # diarienummer, e.g. FG-2024-00656
    re.compile(r"\bSOU\s\d{4}:\d+\b|\b\d{4}:\d{1,4}\b"),  # SOU and SFS numbers
]


def find_references(text: str) -> list[str]:
    """Exact references (dates, paragraphs, diarienummer, SOU/SFS) in normalised form."""
    found: list[str] = []
    for pattern in REFERENCE_PATTERNS:
        for m in pattern.finditer(text):
            ref = normalise_reference(m.group())
            if ref not in found:
                found.append(ref)
    return found


def normalise_reference(ref: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"§\s?", "§ ", ref)).strip()


def _document_year(doc: Document) -> int:
    if doc.year:
        return doc.year
    m = re.search(r"\b(19|20)\d{2}\b", doc.title)
    return int(m.group()) if m else 0


def _section_units(section: Section) -> list[tuple[int, int, int | None]]:
    """Sentence spans of a section with the page each falls on."""
    units = []
    for s, e in sentence_spans(section.text):
        page = next((p.page for p in section.paragraphs if p.start <= s < p.end + 1), section.page_start)
        units.append((s, e, page))
    return units


def _words(text: str) -> int:
    return len(text.split())


def chunk_document(doc: Document, target_words: int = 260, max_words: int = 300, min_words: int = 40) -> list[Chunk]:
    """Pack each section's sentences into chunks of about ``target_words``, never more than ``max_words``
    unless one sentence is longer; a short tail is merged into the chunk before it."""
    chunks: list[Chunk] = []
    year = _document_year(doc)
    for section in doc.sections:
        if not section.text.strip():
            continue
        units = _section_units(section)
        groups: list[list[tuple[int, int, int | None]]] = []
        current: list[tuple[int, int, int | None]] = []
        count = 0
        for unit in units:
            n = _words(section.text[unit[0] : unit[1]])
            if current and (count + n > max_words or count >= target_words):
                groups.append(current)
                current, count = [], 0
            current.append(unit)
            count += n
        if current:
            if groups and count < min_words and _words_of(section, groups[-1]) + count <= max_words:
                groups[-1].extend(current)
            else:
                groups.append(current)
        for number, group in enumerate(groups):
            # Each chunk repeats the sentence before it, so a sentence that leans on the previous
            # one ("Två av dessa är ...") is still understandable and findable.
            lead = [groups[number - 1][-1]] if number > 0 and _words_of(section, groups[number - 1][-1:]) < 60 else []
            group = lead + group
            start, end = group[0][0], group[-1][1]
            text = section.text[start:end]
            pages = [p for _, _, p in group if p is not None]
            key = f"{doc.doc_id}:{section.start + start}:{hashlib.sha1(text.encode()).hexdigest()[:8]}"
            chunks.append(
                Chunk(
                    chunk_id=hashlib.sha1(key.encode()).hexdigest()[:16],
                    doc_id=doc.doc_id,
                    title=doc.title,
                    kommun=doc.municipality,
                    year=year,
                    heading_path=list(section.heading_path),
                    text=text,
                    start=section.start + start,
                    end=section.start + end,
                    page_start=min(pages) if pages else None,
                    page_end=max(pages) if pages else None,
                    # The § and dnr stand in the heading: every passage of the item answers to them.
                    references=find_references(" ".join([*section.heading_path, text])),
                    paragraf=section.item.paragraf if section.item else None,
                    rows=_row_spans(section, start, end),
                )
            )
    return chunks


def _row_spans(section: Section, start: int, end: int) -> list[RowSpan]:
    """The typed table rows of ``section.text[start:end]``, with offsets into that text."""
    return [
        RowSpan(
            p.start - start,
            p.end - start,
            list(p.row.header) if p.row.header is not None else None,
            p.row.heading,
            p.row.is_header,
            list(p.row.cells),
        )
        for p in section.paragraphs
        if p.row is not None and start <= p.start < end
    ]


def catalog_chunk(doc: Document) -> Chunk | None:
    """A passage with the catalog facts (date, reference, committee), so they can be found and cited.

    Its offsets are -1: the text comes from the catalog, which records what the document states.
    """
    facts = [
        ("Kommun", doc.municipality),
        ("Beslutande nämnd", doc.committee),
        ("Dokumenttyp", doc.doc_type),
        ("Datum för beslut", doc.date),
        ("Diarienummer eller paragraf", doc.reference),
    ]
    known = [f"{label}: {value}" for label, value in facts if value and value != UNKNOWN]
    if not known:
        return None
    text = "\n".join([f"Dokument: {doc.title}", *known])
    return Chunk(
        chunk_id=hashlib.sha1(f"{doc.doc_id}:catalog:{text}".encode()).hexdigest()[:16],
        doc_id=doc.doc_id,
        title=doc.title,
        kommun=doc.municipality,
        year=_document_year(doc),
        heading_path=["Dokumentuppgifter"],
        text=text,
        start=-1,
        end=-1,
        page_start=None,
        page_end=None,
        references=find_references(text),
    )


def _words_of(section: Section, group: list[tuple[int, int, int | None]]) -> int:
    return _words(section.text[group[0][0] : group[-1][1]])
