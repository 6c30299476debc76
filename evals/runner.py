"""Running an evaluation set through the assistant (and optionally the naive baseline) and scoring it."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant import ask
from assistant.models import Answer
from assistant.retrieval import retrieve
from corpus.models import Item
from evals.baseline import BaselinePassage, VectorOnlyRetriever, default_splitter_chunks
from evals.metrics import contains_quote, fact_recall, first_hit_rank, hit_at, mean, percentile, reciprocal_rank
from index import Index
from index.chunking import Chunk, sentence_spans
from settings import Settings

RETRIEVAL_K = 10


@dataclass
class QuestionResult:
    """One question's outcome and scores."""

    item: dict[str, Any]
    answer: str
    refused: bool
    citations: list[dict[str, Any]]
    rank: int | None
    latency_ms: float
    rewritten: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.item["id"],
            "question": self.item["question"],
            "tags": self.item["tags"],
            "answerable": self.item["answerable"],
            "rewritten_question": self.rewritten,
            "answer": self.answer,
            "refused": self.refused,
            "citations": self.citations,
            "retrieval_rank": self.rank,
            "latency_ms": round(self.latency_ms, 1),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "problems": self.problems,
        }


def score_question(
    item: dict[str, Any],
    answer: str,
    refused: bool,
    citations: list[dict[str, Any]],
    passages: list[str],
    latency_ms: float,
    rewritten: str | None = None,
) -> QuestionResult:
    """Per-question scores: retrieval rank, fact recall, citation support; and what went wrong."""
    result = QuestionResult(item, answer, refused, citations, None, latency_ms, rewritten)
    if item["answerable"]:
        result.rank = first_hit_rank(passages[:RETRIEVAL_K], item["expected_quotes"])
        result.scores = {
            "hit@1": hit_at(result.rank, 1),
            "hit@3": hit_at(result.rank, 3),
            "hit@5": hit_at(result.rank, 5),
            "mrr@10": reciprocal_rank(result.rank, RETRIEVAL_K),
            "fact_recall": 0.0 if refused else fact_recall(answer, item["expected_facts"]),
        }
        supported = [
            contains_quote(c["text"], item["expected_quotes"]) or c["doc_id"] in item["expected_docs"]
            for c in citations
        ]
        if supported:
            result.scores["citation_support"] = mean(float(s) for s in supported)
        if refused:
            result.problems.append("refused an answerable question")
        if result.rank is None or result.rank > 5:
            result.problems.append(f"gold passage not in the top 5 (rank {result.rank})")
        if not refused and result.scores["fact_recall"] < 1.0:
            missing = [f for f in item["expected_facts"] if fact_recall(answer, [f]) < 1.0]
            result.problems.append(f"answer lacks: {', '.join(missing)}")
        if supported and not all(supported):
            result.problems.append(f"{supported.count(False)} citation(s) outside the expected evidence")
    elif not refused:
        result.problems.append("answered a question the documents do not answer")
    return result


def summarise(results: list[QuestionResult]) -> dict[str, float]:
    """Metrics over a group of questions."""
    answerable = [r for r in results if r.item["answerable"]]
    unanswerable = [r for r in results if not r.item["answerable"]]
    refused = [r for r in results if r.refused]
    summary: dict[str, float] = {"questions": float(len(results))}
    for key in ("hit@1", "hit@3", "hit@5", "mrr@10", "fact_recall"):
        if answerable:
            summary[key] = mean(r.scores[key] for r in answerable)
    cited = [r.scores["citation_support"] for r in answerable if "citation_support" in r.scores]
    if cited:
        summary["citation_support"] = mean(cited)
    if unanswerable:
        summary["refusal_recall"] = mean(float(r.refused) for r in unanswerable)
    if refused:
        summary["refusal_precision"] = mean(float(not r.item["answerable"]) for r in refused)
    if answerable:
        summary["answerable_refused"] = mean(float(r.refused) for r in answerable)
    latencies = [r.latency_ms for r in results]
    summary["latency_p50_ms"] = percentile(latencies, 50)
    summary["latency_p95_ms"] = percentile(latencies, 95)
    return summary


def by_tag(results: list[QuestionResult]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[QuestionResult]] = defaultdict(list)
    for r in results:
        for tag in r.item["tags"] or ["(utan tagg)"]:
            groups[tag].append(r)
    return {tag: summarise(group) for tag, group in sorted(groups.items())}


def retrieved_passage(chunk: Chunk, ix: Index) -> str:
    """What a retrieved passage is, for the retrieval metrics: its section heading (for a § item its number, rubrik
    and dnr) and its text, as they are indexed and shown. A § item's passage also carries the item's header in the
    protocol's own order ("§ 5 Dnr FG-2024-00884 Riktlinje civil beredskap"): gold quotes are copied from the
    protocol, and the heading shown reorders it ("§ 5 Riktlinje civil beredskap (Dnr FG-2024-00884)")."""
    decision = ix.item_decisions.get((chunk.doc_id, chunk.paragraf)) if chunk.paragraf is not None else None
    header = Item(decision.paragraf, decision.dnr, decision.rubrik).written_header if decision else ""
    return "\n".join(p for p in (header, chunk.section, chunk.text) if p)


def run_assistant(
    items: list[dict[str, Any]], ix: Index, settings: Settings, mode: str | None = None
) -> list[QuestionResult]:
    results = []
    for item in items:
        started = time.perf_counter()
        answer: Answer = ask(item["question"], item["history"], mode=mode, settings=settings, index=ix)
        latency = (time.perf_counter() - started) * 1000
        query = answer.interpretation.search_text if answer.interpretation else answer.question or item["question"]
        passages = [retrieved_passage(h.chunk, ix) for h in retrieve(ix, query, RETRIEVAL_K).hits]
        results.append(
            score_question(
                item,
                answer.answer,
                answer.refused,
                [c.to_json() for c in answer.citations],
                passages,
                latency,
                answer.rewritten_question,
            )
        )
    return results


class NaivePipeline:
    """The baseline: llama-index's default sentence splitter over the raw files, vector search only with the same
    embedder, the single best sentence of the best passage as the answer, no refusal, no follow-up handling."""

    def __init__(self, settings: Settings) -> None:
        passages = [
            BaselinePassage(path.name, text)
            for path in sorted(settings.corpus_dir.iterdir())
            if path.suffix.lower() in (".txt", ".md")
            for text in default_splitter_chunks(path.read_text(encoding="utf-8", errors="replace"))
        ]
        self.retriever = VectorOnlyRetriever(passages, settings)

    def answer(self, question: str) -> tuple[str, list[BaselinePassage]]:
        import numpy as np

        found = [p for p, _ in self.retriever.search(question, RETRIEVAL_K)]
        top = found[0]
        sentences = [top.text[s:e] for s, e in sentence_spans(top.text)] or [top.text]
        vectors = self.retriever.passage_vectors(sentences)
        query = np.asarray(self.retriever.embedder.get_query_embedding(question), dtype=np.float32)
        return sentences[int(np.argmax(vectors @ query))].strip(), found


def run_baseline(items: list[dict[str, Any]], settings: Settings) -> list[QuestionResult]:
    pipeline = NaivePipeline(settings)
    results = []
    for item in items:
        started = time.perf_counter()
        sentence, found = pipeline.answer(item["question"])
        latency = (time.perf_counter() - started) * 1000
        citation = {"n": 1, "doc_id": found[0].doc_id, "text": found[0].text, "quote": sentence}
        results.append(score_question(item, sentence + " [1]", False, [citation], [p.text for p in found], latency))
    return results


def write_results(path: Path, results: list[QuestionResult]) -> None:
    import json

    path.write_text(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=1), encoding="utf-8")
