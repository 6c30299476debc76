"""Retrieval quality on the standalone answerable questions of the dev set, against a naive baseline."""

from __future__ import annotations

import pytest

from evals.baseline import BaselinePassage, VectorOnlyRetriever, fixed_windows
from evals.metrics import first_hit_rank, hit_at, mean, reciprocal_rank


@pytest.mark.slow
def test_hybrid_retrieval_beats_fixed_window_vector_baseline(built, dev_set):
    settings, ix = built
    questions = [q for q in dev_set if q["answerable"] and not q["history"]]
    assert len(questions) >= 40

    ranks = [
        first_hit_rank([h.chunk.text for h in ix.search(q["question"], k=10).hits], q["expected_quotes"])
        for q in questions
    ]
    hit5, mrr = mean(hit_at(r, 5) for r in ranks), mean(reciprocal_rank(r, 10) for r in ranks)

    passages = [
        BaselinePassage(p.stem, window)
        for p in sorted(settings.corpus_dir.iterdir())
        for window in fixed_windows(p.read_text(encoding="utf-8"), 120)
    ]
    baseline = VectorOnlyRetriever(passages, settings)
    base_ranks = [
        first_hit_rank([p.text for p, _ in baseline.search(q["question"], 10)], q["expected_quotes"]) for q in questions
    ]
    base_hit5, base_mrr = mean(hit_at(r, 5) for r in base_ranks), mean(reciprocal_rank(r, 10) for r in base_ranks)

    print(f"\nhybrid: hit@5 {hit5:.3f} MRR@10 {mrr:.3f} | baseline: hit@5 {base_hit5:.3f} MRR@10 {base_mrr:.3f}")
    assert hit5 >= 0.95
    assert mrr >= 0.85
    assert hit5 >= base_hit5 + 0.05
    assert mrr >= base_mrr + 0.10
