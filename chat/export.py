"""A conversation's answers with their sources as Markdown, for pasting into a memo."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from assistant.models import Answer

CITATION = re.compile(r"\\\[(\d{1,3})\\\]")


def _plain(text: str) -> str:
    # Markdown control characters in questions or documents are escaped so they stay text. An escaped "<" is enough
    # to keep HTML out, so ">" (section paths read "Del > Avsnitt") stays as written.
    for ch in "\\`*_[]<#|":
        text = text.replace(ch, "\\" + ch)
    return text


def answer_markdown(answer: Answer) -> str:
    lines = [f"**Fråga:** {_plain(answer.question)}", ""]
    for line in answer.context_lines():
        lines += [f"*{_plain(line)}*", ""]
    # Only the citation markers "[n]" lose their escapes: any other bracket stays text, so a link or an image in
    # a document or an LLM reply never becomes live in the exported Markdown.
    lines += [CITATION.sub(r"[\1]", _plain(answer.answer)), ""]
    if answer.citations:
        lines.append("**Källor**")
        lines.append("")
        for c in answer.citations:
            ch = c.hit.chunk
            page = f", s. {ch.page_start}" if ch.page_start else ""
            lines.append(f"{c.n}. {_plain(ch.title)} ({_plain(ch.kommun)}), {_plain(ch.section)}{page}")
            for quote in c.quotes:
                lines.append(f"   > {_plain(quote)}")
    mode = "språkmodell" if answer.mode == "llm" else "utdrag ur dokumenten"
    lines += ["", f"*Svaret är framtaget av Nämndassistenten ({mode}).*"]
    return "\n".join(lines)


def conversation_markdown(answers: list[str]) -> str:
    """The whole conversation: each answer's Markdown (from ``answer_markdown``) in order."""
    return "\n\n---\n\n".join(answers)


def export_filename(first_question: str, day: date) -> str:
    """ "samtal-vad-kostar-matematiksatsningen-2026-11-25.md": the first question and the date, in safe ASCII."""
    ascii_text = unicodedata.normalize("NFKD", first_question).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = "-".join(words)[:60].rstrip("-") or "fraga"
    return f"samtal-{slug}-{day.isoformat()}.md"
