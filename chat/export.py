"""An answer with its sources as Markdown, for pasting into a memo."""

from __future__ import annotations

import re

from assistant.models import Answer

CITATION = re.compile(r"\\\[(\d{1,3})\\\]")


def _plain(text: str) -> str:
    # Markdown control characters in questions or documents are escaped so they stay text.
    for ch in "\\`*_[]<>#|":
        text = text.replace(ch, "\\" + ch)
    return text


def answer_markdown(answer: Answer) -> str:
    lines = [f"**Fråga:** {_plain(answer.question)}", ""]
    if answer.rewritten_question:
        lines += [f"*Tolkad som:* {_plain(answer.rewritten_question)}", ""]
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
