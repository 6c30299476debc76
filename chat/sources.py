"""The sources panel: one card per citation, all text escaped, the quoted sentences highlighted."""

from __future__ import annotations

import html

from assistant.models import Answer
from corpus import UNKNOWN
from index import Hit


def relevance_words(score: float) -> str:
    """The relevance score in plain words for a non-technical reader."""
    if score >= 0.8:
        return "Mycket relevant"
    if score >= 0.5:
        return "Relevant"
    if score >= 0.25:
        return "Delvis relevant"
    return "Svagt relevant"


def _highlight(text: str, quotes: list[str]) -> str:
    """The passage as escaped HTML with each quoted sentence wrapped in <mark>."""
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        start = text.find(quote)
        if start >= 0:
            spans.append((start, start + len(quote)))
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def _card(label: str, hit: Hit, quotes: list[str], rated: bool = True) -> str:
    """One source card; ``rated`` adds the relevance in words (never on the closest passages of a refusal, which
    by definition do not answer the question)."""
    c = hit.chunk
    kommun = c.kommun if c.kommun != UNKNOWN else "kommun okänd"
    page = f" · sida {c.page_start}" if c.page_start else ""
    if c.page_end and c.page_start and c.page_end != c.page_start:
        page = f" · sidorna {c.page_start}–{c.page_end}"
    section = html.escape(c.section or "(utan rubrik)")
    relevance = f" · {relevance_words(hit.score)}" if rated else ""
    return (
        f'<div class="kalla" data-doc="{html.escape(c.doc_id)}">'
        f'<div class="kalla-rubrik"><span class="kalla-nr">{html.escape(label)}</span> '
        f"<strong>{html.escape(c.title)}</strong> ({html.escape(kommun)})</div>"
        f'<div class="kalla-avsnitt">{section}{page}{relevance}</div>'
        f'<div class="kalla-text">{_highlight(c.text, quotes)}</div></div>'
    )


def render_sources(answer: Answer | None) -> str:
    """HTML for the sources panel of an answer (closest passages when it was refused)."""
    if answer is None:
        return '<div class="kallor-tom">Källorna till svaret visas här.</div>'
    if answer.citations:
        cards = [_card(f"[{c.n}]", c.hit, c.quotes) for c in answer.citations]
        return '<div class="kallor"><h3>Källor</h3>' + "".join(cards) + "</div>"
    if answer.closest:
        cards = [_card("Närmast", h, [], rated=False) for h in answer.closest]
        return (
            '<div class="kallor"><h3>Närmast i dokumenten (besvarar inte frågan)</h3>'
            '<p class="kallor-not">Inget av detta besvarar frågan; det är de avsnitt som ligger närmast.</p>'
            + "".join(cards)
            + "</div>"
        )
    return '<div class="kallor-tom">Inga källor för det här svaret.</div>'


CSS = """
.kalla { border: 1px solid #c9ced6; border-radius: 8px; padding: 10px 12px; margin: 8px 0; background: #fff; }
.kalla-rubrik { font-size: 1rem; }
.kalla-nr { display: inline-block; min-width: 2.2em; font-weight: 700; color: #1d4e89; }
.kalla-avsnitt { color: #4a5361; font-size: 0.9rem; margin: 2px 0 6px; }
.kalla-text { font-size: 0.92rem; line-height: 1.45; white-space: normal; }
.kalla-text mark { background: #ffe58a; padding: 0 2px; }
.kallor-not, .kallor-tom { color: #4a5361; }
"""
