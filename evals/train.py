"""python -m evals train: fit the refusal model on the train split and choose its threshold on the dev split.

Features come from ``assistant.extractive.analyse``, the same call the assistant makes, over the evaluation
corpus's index, for each question after the same follow-up rewriting and retrieval. A logistic regression
(balanced classes) is fitted on the train split's questions; the threshold is the one that maximises, on the dev
split, the share of unanswerable questions refused minus ``ANSWERABLE_REFUSED_COST`` times the share of answerable
ones refused. (A hard cap of 3% refused answerable questions allows one of dev's 47: a single question then moves
the threshold from refusing 40% of unanswerable dev questions to 10%.) The result is written to
``assistant/trained/refusal.json``. The test split is not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from assistant.extractive import analyse
from assistant.followup import rewrite
from assistant.pipeline import municipalities_of, search_query
from assistant.refusal import MODEL_FILE, RefusalModel, write_model
from evals.dataset import load_set, select_split
from index import Index
from settings import Settings

ANSWERABLE_REFUSED_COST = 3.0  # refusing an answerable question costs as much as missing three unanswerable ones
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.10, 0.91, 0.05))


@dataclass
class FeatureTable:
    """One row per question: its features (None when no sentence was chosen, which is always a refusal)."""

    names: list[str]
    rows: list[list[float] | None]
    answerable: np.ndarray


def feature_table(items: list[dict], ix: Index, settings: Settings) -> FeatureTable:
    kommuner = municipalities_of(ix)
    names: list[str] = []
    rows: list[list[float] | None] = []
    for item in items:
        question = rewrite(item["question"], item.get("history"), kommuner)
        result = ix.search(search_query(question.search_text), k=max(settings.top_k, settings.answer_passages))
        analysis = analyse(question, result.query_vector, result.hits, ix, kommuner)
        if analysis.features is None:
            rows.append(None)
            continue
        names = list(analysis.features)
        rows.append(list(analysis.features.values()))
    return FeatureTable(names, rows, np.array([bool(i["answerable"]) for i in items]))


def probabilities(table: FeatureTable, model: RefusalModel) -> np.ndarray:
    return np.array(
        [0.0 if row is None else model.score(dict(zip(table.names, row, strict=True))) for row in table.rows]
    )


def rates(p: np.ndarray, answerable: np.ndarray, threshold: float) -> tuple[float, float]:
    """(share of answerable questions refused, share of unanswerable questions refused)."""
    refused = p < threshold
    return float(refused[answerable].mean()), float(refused[~answerable].mean())


def choose_threshold(p: np.ndarray, answerable: np.ndarray) -> float:
    """The threshold with the best trade-off; on a tie, the lower one (fewer answerable questions refused)."""

    def gain(t: float) -> float:
        refused_answerable, refused_unanswerable = rates(p, answerable, t)
        return refused_unanswerable - ANSWERABLE_REFUSED_COST * refused_answerable

    return max(THRESHOLDS, key=lambda t: (round(gain(t), 9), -t))


def train(items: list[dict], ix: Index, settings: Settings, c: float = 1.0) -> RefusalModel:
    """Fit on the train split, choose the threshold on dev, write the model file, print the figures."""
    from sklearn.linear_model import LogisticRegression

    train_items, dev_items = select_split(items, "train"), select_split(items, "dev")
    train_table = feature_table(train_items, ix, settings)
    dev_table = feature_table(dev_items, ix, settings)
    kept = [i for i, row in enumerate(train_table.rows) if row is not None]
    x = np.array([train_table.rows[i] for i in kept])
    y = train_table.answerable[kept].astype(int)
    fit = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(x, y)
    weights = {n: round(float(w), 3) for n, w in zip(train_table.names, fit.coef_[0], strict=True)}
    draft = RefusalModel(weights, round(float(fit.intercept_[0]), 3), 0.5)
    dev_p = probabilities(dev_table, draft)
    threshold = choose_threshold(dev_p, dev_table.answerable)
    model = RefusalModel(
        weights,
        draft.bias,
        threshold,
        f"weights: train split of evals/sets/questions.jsonl ({len(train_items)} questions); threshold: dev split "
        f"({len(dev_items)} questions), unanswerable refused minus {ANSWERABLE_REFUSED_COST:g} x answerable refused; "
        f"{datetime.now(UTC).date().isoformat()}",
    )
    write_model(model)
    train_p = probabilities(train_table, model)
    print(f"Wrote {MODEL_FILE}")
    print("weights:", weights, "bias:", model.bias, "threshold:", threshold)
    print("dev, per threshold (answerable refused, unanswerable refused):")
    for t in THRESHOLDS:
        a, u = rates(dev_p, dev_table.answerable, t)
        print(f"  {t:.2f}: {a:.3f} {u:.3f}")
    for name, p, table in (("train", train_p, train_table), ("dev", dev_p, dev_table)):
        refused_answerable, refused_unanswerable = rates(p, table.answerable, threshold)
        print(
            f"{name}: answerable refused {refused_answerable:.3f}, unanswerable refused {refused_unanswerable:.3f} "
            f"({int(table.answerable.sum())} answerable, {int((~table.answerable).sum())} unanswerable)"
        )
    return model


def main(set_file, settings: Settings) -> int:
    from evals.evalcorpus import open_eval_index

    run_settings, ix = open_eval_index(settings)
    train(load_set(set_file), ix, run_settings)
    return 0
