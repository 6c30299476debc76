"""Scoring primitives: text normalisation, quote matching, retrieval and answer metrics."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from corpus.normalise import normalise


def contains_quote(passage: str, quotes: Iterable[str]) -> bool:
    """Whether the passage contains any of the gold quotes (on normalised text)."""
    p = normalise(passage)
    return any(normalise(q) in p for q in quotes if q.strip())


def first_hit_rank(passages: Sequence[str], quotes: Sequence[str]) -> int | None:
    """1-based rank of the first passage containing a gold quote, or None."""
    for rank, passage in enumerate(passages, start=1):
        if contains_quote(passage, quotes):
            return rank
    return None


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None, k: int = 10) -> float:
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def fact_recall(answer: str, facts: Sequence[str]) -> float:
    """Share of expected facts found in the answer (normalised)."""
    if not facts:
        return 1.0
    a = normalise(answer)
    return sum(normalise(f) in a for f in facts) / len(facts)


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linearly interpolated; 0 for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else 0.0
