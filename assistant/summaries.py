"""Extractive summaries: "Sammanfatta …", "Vad handlar … om?", "Vilka är de viktigaste …?".

The scope is the section or document the best passage belongs to; its units are ranked by centrality over their
build-time vectors (LexRank: PageRank over the cosine-similarity graph) blended with their similarity to the
question, picked by maximal marginal relevance so no two say the same, and quoted in document order, each cited.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.modelfile import TRAINED_DIR, read_model_file, write_model_file
from assistant.models import Answer, Citation
from assistant.questions import asks_for_summary
from assistant.sentences import Sentence, helpers_for, passage_sentences
from assistant.tables import is_header_row
from index import Hit, Index
from index.chunking import Chunk

DAMPING = 0.85  # LexRank's (and PageRank's) usual damping factor
ITERATIONS = 50
MAX_SCOPE_UNITS = 400  # a larger scope is cut to the units closest to the question
MIN_UNIT_WORDS = 5  # headings and table furniture are not summary sentences
SUMMARY_UNITS = 5
MIN_SCOPE_UNITS = 3  # a summary quotes 3 to 6 units: a smaller section (a title) is summarised with its document
MODEL_FILE = TRAINED_DIR / "summary.json"
MODEL_VERSION = 1


@dataclass(frozen=True)
class SummaryWeights:
    """How the summary weighs a unit's centrality against its similarity to the question (``relevance``) and
    against what is already chosen (``novelty``); chosen by ``python -m evals train`` on the train split."""

    relevance: float
    novelty: float
    fitted_on: str = ""

    def to_json(self) -> dict:
        return {
            "version": MODEL_VERSION,
            "relevance": self.relevance,
            "novelty": self.novelty,
            "fitted_on": self.fitted_on,
        }


def read_weights(path: Path = MODEL_FILE) -> SummaryWeights:
    """The weights in ``path``; raises ValueError (English, for developers) when missing or malformed."""
    data = read_model_file(path, MODEL_VERSION)
    return SummaryWeights(float(data["relevance"]), float(data["novelty"]), str(data.get("fitted_on", "")))


@lru_cache(maxsize=1)
def shipped_weights() -> SummaryWeights:
    """The shipped weights, read once."""
    return read_weights()


def write_weights(weights: SummaryWeights, path: Path = MODEL_FILE) -> None:
    write_model_file(path, weights.to_json())


def summary_units(chunks: list[Chunk], best: Hit) -> list[Sentence]:
    """The units of ``chunks`` long enough to stand in a summary (headings, table furniture and tables' header rows,
    which name columns and say nothing, left out)."""
    units: list[Sentence] = []
    for chunk in chunks:
        hit = Hit(0, chunk, best.score if chunk.chunk_id == best.chunk.chunk_id else 0.0, None, None, [])
        units += [
            s
            for s in passage_sentences(hit, 0)
            if len(s.text.split()) >= MIN_UNIT_WORDS and not is_header_row(chunk, s.start, s.text)
        ]
    return list({(u.hit.chunk.chunk_id, u.start): u for u in units}.values())


def scope_units(best: Hit, ix: Index) -> tuple[list[Sentence], bool]:
    """The units of the best passage's top-level section (a protocol's § item, a report's chapter), or of its
    whole document when that section has too little to summarise (a title heading, a document without headings);
    and whether it is the whole document."""
    document = [c for c in ix.chunks if c.doc_id == best.chunk.doc_id and c.start >= 0]
    head = best.chunk.heading_path[:1]
    section = summary_units([c for c in document if head and c.heading_path[:1] == head], best)
    return (section, False) if len(section) >= MIN_SCOPE_UNITS else (summary_units(document, best), True)


def lexrank(vectors: np.ndarray) -> np.ndarray:
    """Centrality of each row: the stationary distribution of a random walk over positive cosine similarities
    (each row's similarity above the mean similarity, so near-universal closeness of embeddings does not count)."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, 0.0)
    graph = np.clip(sims - sims.mean(), 0.0, None)
    rows = graph.sum(axis=1, keepdims=True)
    n = len(vectors)
    walk = np.divide(graph, rows, out=np.full_like(graph, 1.0 / n), where=rows > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(ITERATIONS):
        rank = (1 - DAMPING) / n + DAMPING * rank @ walk
    return rank / rank.max()


def pick(centrality: np.ndarray, relevance: np.ndarray, vectors: np.ndarray, k: int, weights: SummaryWeights):
    """Indices of ``k`` units by maximal marginal relevance over the blended score."""
    score = (1 - weights.relevance) * centrality + weights.relevance * relevance
    chosen: list[int] = []
    while len(chosen) < min(k, len(score)):
        redundancy = (vectors @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(score))
        mmr = (1 - weights.novelty) * score - weights.novelty * redundancy
        mmr[chosen] = -np.inf
        chosen.append(int(np.argmax(mmr)))
    return chosen


def summarise(question_vector: list[float], best: Hit, ix: Index, weights: SummaryWeights | None = None) -> Answer:
    """An extractive summary of the best passage's section, its units cited in document order."""
    weights = weights or shipped_weights()
    _, unit_vectors = helpers_for(ix)
    units, whole = scope_units(best, ix)
    if not units:
        units = passage_sentences(best, 1)
    vectors = unit_vectors.get([u.text for u in units])
    relevance = vectors @ np.asarray(question_vector, dtype=np.float32)
    if len(units) > MAX_SCOPE_UNITS:
        keep = np.sort(np.argsort(-relevance)[:MAX_SCOPE_UNITS])
        units, vectors, relevance = [units[i] for i in keep], vectors[keep], relevance[keep]
    spread = relevance.max() - relevance.min()
    relevance_n = (relevance - relevance.min()) / spread if spread > 0 else np.ones_like(relevance)
    chosen = sorted(
        pick(lexrank(vectors), relevance_n, vectors, SUMMARY_UNITS, weights),
        key=lambda i: (units[i].hit.chunk.start, units[i].start),
    )
    citations: dict[str, Citation] = {}
    lines = []
    for i in chosen:
        u = units[i]
        cid = u.hit.chunk.chunk_id
        if cid not in citations:
            citations[cid] = Citation(len(citations) + 1, u.hit)
        citations[cid].quotes.append(u.text)
        text = u.text.strip()
        lines.append(f"- {text if text[-1:] in '.!?:' else text + '.'} [{citations[cid].n}]")
    c = best.chunk
    where = c.title if whole or not c.heading_path else f"avsnittet ”{c.heading_path[0]}” i {c.title}"
    return Answer(
        question="",
        answer=f"Sammanfattning av {where}:\n" + "\n".join(lines),
        refused=False,
        mode="extractive",
        citations=list(citations.values()),
    )


def summary_answer(question: str, question_vector: list[float], extractive: Answer, ix: Index) -> Answer:
    """A summary of the section the extractive answer's first citation comes from; the extractive answer itself
    when it was refused (the evidence check decides for summaries too) or the question asks for a fact."""
    if extractive.refused or not extractive.citations or not asks_for_summary(question):
        return extractive
    summary = summarise(question_vector, extractive.citations[0].hit, ix)
    summary.question, summary.evidence = question, extractive.evidence
    return summary
