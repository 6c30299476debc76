"""Optional LLM-as-judge scores (model-judged, not measured): faithfulness and answer relevance."""

from __future__ import annotations

import re

from llama_index.core.base.llms.types import ChatMessage, MessageRole

from assistant.llm import make_llm
from evals.metrics import mean
from evals.runner import QuestionResult
from settings import Settings

FAITHFULNESS = (
    "Du granskar ett svar och dess källor. Stöds varje mening i svaret av den källa den hänvisar till med [n]? "
    "Svara bara med ett tal mellan 0 (inget stöds) och 1 (allt stöds)."
)
RELEVANCE = "Hur väl besvarar svaret frågan? Svara bara med ett tal mellan 0 (inte alls) och 1 (helt)."


def _score(llm, system: str, user: str) -> float | None:
    reply = (
        llm.chat(
            [ChatMessage(role=MessageRole.SYSTEM, content=system), ChatMessage(role=MessageRole.USER, content=user)]
        ).message.content
        or ""
    )
    m = re.search(r"\d+(?:[.,]\d+)?", reply)
    if not m:
        return None
    value = float(m.group().replace(",", "."))
    return value if 0.0 <= value <= 1.0 else None


def judge(results: list[QuestionResult], settings: Settings) -> dict[str, float]:
    """Mean faithfulness and relevance over the answered questions, as judged by the configured LLM."""
    llm = make_llm(settings)
    faithful, relevant = [], []
    for r in results:
        if r.refused or not r.citations:
            continue
        sources = "\n\n".join(f"[{c['n']}] {c['text']}" for c in r.citations)
        f = _score(llm, FAITHFULNESS, f"KÄLLOR:\n{sources}\n\nSVAR:\n{r.answer}")
        v = _score(llm, RELEVANCE, f"FRÅGA: {r.item['question']}\n\nSVAR:\n{r.answer}")
        if f is not None:
            faithful.append(f)
            r.scores["judge_faithfulness"] = f
        if v is not None:
            relevant.append(v)
            r.scores["judge_relevance"] = v
    return {"faithfulness": mean(faithful), "relevance": mean(relevant), "judged": float(len(faithful))}
