"""The sources of each answer: cards with the quote in its context, the whole section, and a document view.

All document text is escaped; the quoted sentences are wrapped in <mark>.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.models import Answer
from chat.passages import (
    context_windows,
    is_pdf,
    join_chunks,
    on_page,
    quote_spans,
    section_chunks,
)
from corpus import UNKNOWN
from index import Hit
from index.chunking import Chunk

EMPTY_PANEL = '<div class="kallor-tom">Källorna till svaren visas här.</div>'
CITATION_MARK = re.compile(r"\[(\d{1,3})\]")


def relevance_words(score: float) -> str:
    """The relevance score in plain words for a non-technical reader."""
    if score >= 0.8:
        return "Mycket relevant"
    if score >= 0.5:
        return "Relevant"
    if score >= 0.25:
        return "Delvis relevant"
    return "Svagt relevant"


def card_id(answer_number: int, n: int) -> str:
    return f"kalla-{answer_number}-{n}"


def _marked(text: str, spans: list[tuple[int, int]], lo: int, hi: int) -> str:
    """``text[lo:hi]`` as escaped HTML with the parts inside ``spans`` wrapped in <mark>."""
    out, pos = [], lo
    for start, end in spans:
        start, end = max(start, pos), min(end, hi)
        if start >= end:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:hi]))
    return "".join(out).replace("\n", "<br>")


def _excerpt(text: str, spans: list[tuple[int, int]]) -> str:
    """The quotes with a sentence of context on each side, "…" where text is left out."""
    pieces = []
    for lo, hi in context_windows(text, spans):
        before = "… " if lo > 0 else ""
        after = " …" if hi < len(text.rstrip()) else ""
        pieces.append(before + _marked(text, spans, lo, hi) + after)
    return "<br>".join(pieces)


def _where(c: Chunk) -> str:
    page = f" · sida {c.page_start}" if c.page_start else ""
    if c.page_end and c.page_start and c.page_end != c.page_start:
        page = f" · sidorna {c.page_start}–{c.page_end}"
    return html.escape(c.section or "(utan rubrik)") + page


def _card(element_id: str, label: str, hit: Hit, quotes: list[str], chunks: Sequence[Chunk], rated: bool) -> str:
    """One source card; ``rated`` adds the relevance in words (never on the closest passages of a refusal, which
    by definition do not answer the question)."""
    c = hit.chunk
    kommun = c.kommun if c.kommun != UNKNOWN else "kommun okänd"
    relevance = f" · {relevance_words(hit.score)}" if rated else ""
    section = join_chunks(section_chunks(chunks, c) or [c])
    spans = quote_spans(section, c.chunk_id, quotes)
    view = "Visa sidan i dokumentet" if is_pdf(c) and c.page_start else "Visa i dokumentet"
    return (
        f'<article class="kalla" id="{element_id}" tabindex="-1" data-doc="{html.escape(c.doc_id)}">'
        f'<div class="kalla-rubrik"><span class="kalla-nr">{html.escape(label)}</span> '
        f"<strong>{html.escape(c.title)}</strong> ({html.escape(kommun)})</div>"
        f'<div class="kalla-avsnitt">{_where(c)}{relevance}</div>'
        f'<blockquote class="kalla-citat">{_excerpt(section.text, spans)}</blockquote>'
        '<details class="kalla-hela"><summary>Visa hela avsnittet</summary>'
        f'<div class="kalla-text">{_marked(section.text, spans, 0, len(section.text))}</div></details>'
        f'<button type="button" class="visa-dokument" data-chunk="{html.escape(c.chunk_id)}" '
        f'data-quotes="{html.escape(json.dumps(quotes, ensure_ascii=False))}">{view}</button>'
        "</article>"
    )


@dataclass(frozen=True)
class SourceBlock:
    """The sources of one answer in the conversation (``number`` counts answers from 1)."""

    number: int
    question: str
    heading: str
    cards: str


def source_block(answer: Answer, number: int, chunks: Sequence[Chunk]) -> SourceBlock:
    """The cards for an answer: its citations, or the closest passages when it was refused."""
    # One pass over the index keeps only the cited documents' chunks, where each card finds its section.
    cited = {c.hit.chunk.doc_id for c in answer.citations} | {h.chunk.doc_id for h in answer.closest}
    chunks = [c for c in chunks if c.doc_id in cited]
    if answer.citations:
        cards = "".join(
            _card(card_id(number, c.n), f"[{c.n}]", c.hit, c.quotes, chunks, rated=True) for c in answer.citations
        )
        return SourceBlock(number, answer.question, "Källor", cards)
    if answer.closest:
        note = '<p class="kallor-not">Inget av detta besvarar frågan; det är de avsnitt som ligger närmast.</p>'
        cards = "".join(
            _card(f"narmast-{number}-{i}", "Närmast", h, [], chunks, rated=False)
            for i, h in enumerate(answer.closest, 1)
        )
        return SourceBlock(number, answer.question, "Närmast i dokumenten (besvarar inte frågan)", note + cards)
    return SourceBlock(number, answer.question, "Inga källor", '<p class="kallor-not">Svaret har inga källor.</p>')


def sources_panel(blocks: Sequence[SourceBlock]) -> str:
    """Every answer's sources, the newest first and open; earlier answers keep theirs, folded."""
    if not blocks:
        return EMPTY_PANEL
    parts = ['<div class="kallor"><h2 class="kallor-rubrik">Källor</h2>']
    for i, block in enumerate(reversed(blocks)):
        question = block.question if len(block.question) <= 90 else block.question[:89] + "…"
        parts.append(
            f'<details class="svar-kallor" id="svar-{block.number}"{" open" if i == 0 else ""}>'
            f"<summary><span>Fråga {block.number}: {html.escape(question)}</span>"
            f'<span class="svar-kallor-typ">{html.escape(block.heading)}</span></summary>'
            f"{block.cards}</details>"
        )
    return "".join(parts) + "</div>"


def link_citations(escaped_text: str, answer_number: int, numbers: set[int]) -> str:
    """Each "[n]" of an answer (already HTML-escaped) as a link to its source card."""

    def link(m: re.Match) -> str:
        n = int(m.group(1))
        if n not in numbers:
            return m.group(0)
        target = card_id(answer_number, n)
        return f'<a class="kalla-lank" href="#{target}" title="Visa källa {n}">[{n}]</a>'

    return CITATION_MARK.sub(link, escaped_text)


def document_view(chunks: Sequence[Chunk], chunk_id: str, quotes: list[str]) -> str:
    """The cited passage in its document, the quotes (or, with none, the whole passage) highlighted: the page for
    a PDF source, else the whole document, section by section."""
    cited = next((c for c in chunks if c.chunk_id == chunk_id), None)
    if cited is None:
        return '<p class="kallor-not">Dokumentet finns inte längre i indexet.</p>'
    shown = [c for c in chunks if c.doc_id == cited.doc_id]
    where = ""
    if is_pdf(cited) and cited.page_start:
        shown = [c for c in shown if on_page(c, cited.page_start)]
        where = f" – sida {cited.page_start}"
    shown.sort(key=lambda c: c.start)
    runs: list[list[Chunk]] = []
    for c in shown:
        if runs and runs[-1][-1].heading_path == c.heading_path:
            runs[-1].append(c)
        else:
            runs.append([c])
    kommun = cited.kommun if cited.kommun != UNKNOWN else "kommun okänd"
    out = [
        f'<h2 id="dokumentvy-rubrik">{html.escape(cited.title)} ({html.escape(kommun)}){where}</h2>',
        f'<p class="kallor-not">Källan: {_where(cited)}</p>',
    ]
    for run in runs:
        passage = join_chunks(run)
        spans: list[tuple[int, int]] = []
        if any(c.chunk_id == chunk_id for c in run):
            spans = quote_spans(passage, chunk_id, quotes)
            if not spans:
                start = passage.offsets[chunk_id]
                spans = [(start, start + len(cited.text))]
        heading = html.escape(" > ".join(run[0].heading_path) or "(text före första rubriken)")
        cls = ' class="dokumentvy-aktuell"' if spans else ""
        out.append(
            f"<section{cls}><h3>{heading}</h3><p>{_marked(passage.text, spans, 0, len(passage.text))}</p></section>"
        )
    return "".join(out)
