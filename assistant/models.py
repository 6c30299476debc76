"""The answer and its citations, as the JSON contract of DESIGN.md describes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.followup import Interpretation
from index import Hit

REFUSAL = "Jag hittar inget i dokumenten som besvarar frågan."


@dataclass
class Citation:
    """A numbered source: the passage, and the sentence(s) of it the answer uses."""

    n: int
    hit: Hit
    quotes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        c = self.hit.chunk
        return {
            "n": self.n,
            "doc_id": c.doc_id,
            "title": c.title,
            "kommun": c.kommun,
            "section": c.section,
            "page": c.page_start,
            "page_end": c.page_end,
            "quote": " ".join(self.quotes),
            "quotes": self.quotes,
            "text": c.text,
            "score": round(self.hit.score, 3),
        }


@dataclass
class Answer:
    """What ``assistant.ask`` returns."""

    question: str
    answer: str
    refused: bool
    mode: str
    citations: list[Citation] = field(default_factory=list)
    closest: list[Hit] = field(default_factory=list)  # shown instead of citations when refused
    interpretation: Interpretation | None = None  # set when the conversation changed how the question reads
    scope: str | None = None  # the filters in words ("Alingsås, 2025"), when the search was restricted
    notices: list[str] = field(default_factory=list)
    model: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    evidence: float = 0.0

    @property
    def rewritten_question(self) -> str | None:
        """The standalone question searched for, when it differs from the one asked."""
        return self.interpretation.text if self.interpretation else None

    def context_lines(self) -> list[str]:
        """What the user should read before the answer: the restriction searched under and how the question was
        read in its conversation ("Söker i: Alingsås", "Tolkad som: Vad kostade det? (om: matematiksatsningen)")."""
        lines = [f"Söker i: {self.scope}"] if self.scope else []
        if self.interpretation:
            lines.append(f"Tolkad som: {self.interpretation.shown}")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "rewritten_question": self.rewritten_question,
            "carried_topic": self.interpretation.carried_topic or None if self.interpretation else None,
            "scope": self.scope,
            "answer": self.answer,
            "refused": self.refused,
            "mode": self.mode,
            "model": self.model,
            "notices": self.notices,
            "citations": [c.to_json() for c in self.citations],
            "closest": [h.to_json() for h in self.closest],
            "evidence": round(self.evidence, 3),
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
