"""Text around a quote: a section or a PDF page put back together from its chunks, and the quote's context."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from index.chunking import Chunk, sentence_spans

CONTEXT_SENTENCES = 1  # sentences of context shown on each side of a quote
OPENING_SENTENCES = 3  # shown for a passage with no quote (the closest passages of a refusal)


@dataclass(frozen=True)
class Passage:
    """Consecutive chunks joined into one text; ``offsets`` says where each chunk's text starts in it."""

    text: str
    offsets: dict[str, int]


def join_chunks(chunks: Iterable[Chunk]) -> Passage:
    """The chunks in document order as one text, overlaps (chunks share a sentence or two) written once."""
    parts: list[str] = []
    offsets: dict[str, int] = {}
    length, end = 0, None
    for c in sorted(chunks, key=lambda c: c.start):
        exact = len(c.text) == c.end - c.start
        if end is not None and exact and c.start <= end:
            skip = min(end - c.start, len(c.text))
            offsets[c.chunk_id] = length - skip
            piece = c.text[skip:]
        else:
            gap = "\n\n" if parts else ""
            offsets[c.chunk_id] = length + len(gap)
            piece = gap + c.text
        parts.append(piece)
        length += len(piece)
        end = max(end or 0, c.end)
    return Passage("".join(parts), offsets)


def section_chunks(chunks: Iterable[Chunk], of: Chunk) -> list[Chunk]:
    """Every chunk of the section ``of`` belongs to."""
    return [c for c in chunks if c.doc_id == of.doc_id and c.heading_path == of.heading_path]


def is_pdf(chunk: Chunk) -> bool:
    """A document id is its file name, extension included."""
    return chunk.doc_id.lower().endswith(".pdf")


def on_page(chunk: Chunk, page: int) -> bool:
    start = chunk.page_start
    return start is not None and start <= page <= (chunk.page_end or start)


def quote_spans(passage: Passage, chunk_id: str, quotes: list[str]) -> list[tuple[int, int]]:
    """Where each quote stands in the passage: searched from the quoting chunk's start, else anywhere."""
    origin = passage.offsets.get(chunk_id, 0)
    spans = []
    for quote in quotes:
        if not quote:
            continue
        start = passage.text.find(quote, origin)
        if start < 0:
            start = passage.text.find(quote)
        if start >= 0:
            spans.append((start, start + len(quote)))
    return sorted(spans)


def context_windows(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """For each quote, the stretch from the sentence before it to the sentence after it; overlapping stretches
    merged. With no quote, the passage's opening sentences."""
    sentences = sentence_spans(text) or [(0, len(text))]
    if not spans:
        last = sentences[min(OPENING_SENTENCES, len(sentences)) - 1]
        return [(sentences[0][0], last[1])]
    windows: list[tuple[int, int]] = []
    for start, end in spans:
        first = next((i for i, (_, e) in enumerate(sentences) if e > start), len(sentences) - 1)
        last = next((i for i, (_, e) in enumerate(sentences) if e >= end), len(sentences) - 1)
        lo = sentences[max(first - CONTEXT_SENTENCES, 0)][0]
        hi = sentences[min(last + CONTEXT_SENTENCES, len(sentences) - 1)][1]
        windows.append((min(lo, start), max(hi, end)))
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(windows):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged
