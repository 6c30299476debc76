"""The answer and its citations, as the JSON contract of DESIGN.md describes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    rewritten_question: str | None = None
    notices: list[str] = field(default_factory=list)
    model: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    evidence: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "rewritten_question": self.rewritten_question,
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
