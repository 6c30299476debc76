"""Reciprocal rank fusion of dense and BM25 candidates, with exact-reference boosting.

Written here rather than with llama-index's QueryFusionRetriever because the answer
step needs each candidate's dense similarity and BM25 score kept (that retriever
overwrites scores), and because passages that contain a reference named in the
question (a date, "§ 44", "2025.129 BUN") must come first. Passages of the meetings and committees a question
names ("i april 2025", "IFO-nämnden") are ranked once more among themselves, and that ranking is added with a
learned weight.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Candidate:
    chunk_index: int
    fused: float = 0.0
    dense: float | None = None
    dense_rank: int | None = None
    bm25: float | None = None
    bm25_rank: int | None = None
    reference_hits: list[str] = field(default_factory=list)


def reciprocal_rank_fusion(
    dense: list[tuple[int, float]],
    bm25: list[tuple[int, float]],
    k: int = 60,
    reference_matches: dict[int, list[str]] | None = None,
    references: list[str] | None = None,
    preferred: tuple[list[tuple[int, float]], list[tuple[int, float]]] | None = None,
    preferred_weight: float = 0.0,
) -> list[Candidate]:
    """Fuse two ranked lists of (chunk index, score); passages holding every asked-for reference rank above all
    others, partial matches get a smaller bonus. ``preferred`` holds the dense and
    BM25 rankings among the preferred passages only; their reciprocal ranks count ``preferred_weight`` times."""
    candidates: dict[int, Candidate] = {}
    for rank, (idx, score) in enumerate(dense, start=1):
        c = candidates.setdefault(idx, Candidate(idx))
        c.dense, c.dense_rank = score, rank
        c.fused += 1.0 / (k + rank)
    for rank, (idx, score) in enumerate(bm25, start=1):
        c = candidates.setdefault(idx, Candidate(idx))
        c.bm25, c.bm25_rank = score, rank
        c.fused += 1.0 / (k + rank)
    if preferred is not None and preferred_weight > 0:
        preferred_dense, preferred_bm25 = preferred
        for rank, (idx, score) in enumerate(preferred_dense, start=1):
            c = candidates.setdefault(idx, Candidate(idx))
            c.dense = score if c.dense is None else c.dense
            c.fused += preferred_weight / (k + rank)
        for rank, (idx, score) in enumerate(preferred_bm25, start=1):
            c = candidates.setdefault(idx, Candidate(idx))
            c.bm25 = score if c.bm25 is None else c.bm25
            c.fused += preferred_weight / (k + rank)
    if references and reference_matches:
        # The best possible fused score: first in both rankings, and in both preferred rankings when there are any.
        unit = (2.0 + (2.0 * preferred_weight if preferred is not None else 0.0)) / (k + 1)
        for idx, hits in reference_matches.items():
            c = candidates.setdefault(idx, Candidate(idx))
            c.reference_hits = hits
            # A share of the unit for each reference held, and one unit more for holding them all, so that a
            # passage holding every reference ("2026-01-28 § 11") ranks above one holding only some (the date).
            c.fused += unit * len(hits) / len(references) + (unit if len(hits) == len(references) else 0.0)
    return sorted(candidates.values(), key=lambda c: c.fused, reverse=True)
