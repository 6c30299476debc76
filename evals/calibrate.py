"""Fit the refusal evidence score on an evaluation set: python -m evals calibrate [--set FILE].

Prints logistic-regression weights for ``assistant.extractive.EVIDENCE_WEIGHTS`` and, per
threshold, how many answerable questions would be refused and how many unanswerable ones caught:
on the set the weights were fitted to, and leave-one-out (each question scored by weights fitted
without it), which is the fairer estimate for questions not in the set.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.extractive import evidence_features, score_sentences, select
from assistant.followup import rewrite
from assistant.pipeline import municipalities_of, search_query
from assistant.sentences import helpers_for
from evals.dataset import load_set
from index import Index
from settings import Settings


def feature_table(items: list[dict], ix: Index, settings: Settings) -> tuple[list[str], np.ndarray, np.ndarray]:
    kommuner = municipalities_of(ix)
    lexicon, _ = helpers_for(ix)
    rows, labels, names = [], [], []
    for item in items:
        question = rewrite(item["question"], item.get("history"), kommuner)
        result = ix.search(search_query(question), k=max(settings.top_k, settings.answer_passages))
        scored, weights = score_sentences(question, result.query_vector, result.hits, ix)
        chosen = select(scored, question, kommuner)
        if not chosen:
            continue
        features = evidence_features(chosen, weights, lexicon, question, kommuner)
        names = list(features)
        rows.append(list(features.values()))
        labels.append(int(item["answerable"]))
    return names, np.array(rows), np.array(labels)


def calibrate(set_file: Path, ix: Index, settings: Settings, C: float = 1.0) -> None:  # noqa: N803
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneOut, cross_val_predict

    names, x, y = feature_table(load_set(set_file), ix, settings)
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=1000)
    fitted = model.fit(x, y).predict_proba(x)[:, 1]
    held_out = cross_val_predict(model, x, y, cv=LeaveOneOut(), method="predict_proba")[:, 1]
    print("EVIDENCE_WEIGHTS = {")
    for name, weight in zip(names, model.coef_[0], strict=True):
        print(f'    "{name}": {weight:.2f},')
    print("}")
    print(f"EVIDENCE_BIAS = {model.intercept_[0]:.2f}")
    answerable, unanswerable = int((y == 1).sum()), int((y == 0).sum())

    def counts(p: np.ndarray, t: float) -> str:
        return (
            f"answerable refused {int(((p < t) & (y == 1)).sum())}/{answerable}, "
            f"unanswerable refused {int(((p < t) & (y == 0)).sum())}/{unanswerable}"
        )

    for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.6):
        print(f"threshold {t:.2f}: fitted: {counts(fitted, t)}; leave-one-out: {counts(held_out, t)}")
