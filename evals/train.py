"""python -m evals train: fit the retrieval preference, the answer selector and the refusal model on the train
split, choose on dev.

The retrieval preference (``assistant/trained/scope.json``): the weight with which passages of the meetings and
committees a question names (``assistant.scope``) are ranked once more among themselves, chosen by the train
split's MRR@10. It is fitted first, since every later model is fitted on what retrieval returns.

The selector (``assistant/trained/selector.json``): a logistic regression over the unit feature rows of
``assistant.features.unit_rows`` for the train split's answerable questions, a unit labelled an answer when it
holds (or is held by) a gold quote. Its regularisation and its runner-up ratios are chosen on the dev split by the
fact recall of the answers they compose; a gradient-boosting model is scored beside it on dev for comparison.

The refusal model: features come from ``assistant.extractive.analyse``, the same call the assistant makes, over
the evaluation corpus's index, for each question after the same follow-up rewriting and retrieval. A logistic regression
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

from assistant import selector
from assistant.extractive import Scored, analyse, compose, select
from assistant.features import FEATURE_NAMES, UnitRow, unit_rows
from assistant.followup import Interpretation, rewrite
from assistant.models import Citation
from assistant.questions import asks_for_summary
from assistant.refusal import MODEL_FILE, RefusalModel, write_model
from assistant.retrieval import MODEL_FILE as PREFERENCE_FILE
from assistant.retrieval import municipalities_of, retrieve, write_preference_weight
from assistant.summaries import MODEL_FILE as SUMMARY_FILE
from assistant.summaries import SummaryWeights, shipped_weights, summarise, write_weights
from corpus.normalise import normalise
from evals.dataset import load_set, select_split
from evals.metrics import contains_quote, fact_recall, first_hit_rank, reciprocal_rank
from evals.runner import RETRIEVAL_K, retrieved_passage
from index import Index
from settings import ROOT, Settings

ANSWERABLE_REFUSED_COST = 3.0  # refusing an answerable question costs as much as missing three unanswerable ones
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.10, 0.91, 0.05))
SELECTOR_C = (0.03, 0.1, 0.3, 1.0, 3.0)
SAME_DOCUMENT_RATIOS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
OTHER_DOCUMENT_RATIOS = (0.6, 0.7, 0.8, 0.9, 1.0)
PREFERENCE_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
SUMMARY_RELEVANCE = (0.0, 0.25, 0.5, 0.75, 1.0)
SUMMARY_NOVELTY = (0.0, 0.25, 0.5, 0.75)
MIN_HELD_QUOTE_CHARS = 20  # a shorter unit inside a gold quote ("2025.") is no answer of its own
# The first version's question set: about the shipped documents only, all of them train-split documents.
EXTRA_TRAINING_SET = ROOT / "evals" / "sets" / "dev.jsonl"


@dataclass
class Prepared:
    """A question as the assistant reads it, its candidate units' feature rows, and which units are gold."""

    item: dict
    question: Interpretation
    rows: list[UnitRow]
    labels: np.ndarray


def is_gold_unit(text: str, quotes: list[str]) -> bool:
    """Whether a unit holds a gold quote or is a substantial part of one (table cell bars read as spaces)."""
    forms = {normalise(text), normalise(text.replace("|", " "))}
    for quote in quotes:
        q = normalise(quote)
        if q and any(q in u or (len(u) >= MIN_HELD_QUOTE_CHARS and u in q) for u in forms):
            return True
    return False


def prepare(items: list[dict], ix: Index, settings: Settings) -> list[Prepared]:
    """Each question rewritten, retrieved and turned into unit rows exactly as ``analyse`` does."""
    kommuner = municipalities_of(ix)
    prepared = []
    for item in items:
        question = rewrite(item["question"], item.get("history"), kommuner)
        result = retrieve(ix, question.search_text, max(settings.top_k, settings.answer_passages))
        rows, _ = unit_rows(question.search_text, result.query_vector, result.hits, ix, kommuner)
        labels = np.array([is_gold_unit(r.sentence.text, item.get("expected_quotes") or []) for r in rows], dtype=int)
        prepared.append(Prepared(item, question, rows, labels))
    return prepared


def _matrix(prepared: list[Prepared]) -> tuple[np.ndarray, np.ndarray]:
    rows = [[r.features[n] for n in FEATURE_NAMES] for p in prepared for r in p.rows]
    labels = [label for p in prepared for label in p.labels]
    return np.array(rows, dtype=float).reshape(-1, len(FEATURE_NAMES)), np.array(labels, dtype=int)


def fit_logistic(prepared: list[Prepared], c: float) -> tuple[dict[str, float], float]:
    """Weights and bias on the raw features (standardised for fitting, the scaling folded back in)."""
    from sklearn.linear_model import LogisticRegression

    x, y = _matrix(prepared)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    fit = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit((x - mean) / scale, y)
    coef = fit.coef_[0] / scale
    bias = float(fit.intercept_[0] - (coef * mean).sum())
    return {n: round(float(w), 4) for n, w in zip(FEATURE_NAMES, coef, strict=True)}, round(bias, 4)


def _scored(p: Prepared, probabilities: np.ndarray) -> list[Scored]:
    scored = [Scored(r.sentence, float(pr), r.dense, r.lexical) for r, pr in zip(p.rows, probabilities, strict=True)]
    return sorted(scored, key=lambda x: x.total, reverse=True)


@dataclass(frozen=True)
class SelectionScore:
    """How a selector does on a split's answerable questions: the composed answers' fact recall, the share of their
    citations in a gold passage or document, and the share of questions whose best unit is gold."""

    fact_recall: float
    citation_support: float
    best_unit_gold: float

    @property
    def objective(self) -> float:
        """What dev chooses by: facts found and citations that hold them, weighed alike."""
        return self.fact_recall + self.citation_support

    def __str__(self) -> str:
        return (
            f"fact recall {self.fact_recall:.3f}, citation support {self.citation_support:.3f}, "
            f"best unit gold {self.best_unit_gold:.3f}"
        )


def _supported(citation: Citation, item: dict) -> bool:
    return contains_quote(citation.hit.chunk.text, item.get("expected_quotes") or []) or (
        citation.hit.chunk.doc_id in (item.get("expected_docs") or [])
    )


def selection_scores(
    prepared: list[Prepared], probabilities: list[np.ndarray], model: selector.SelectorModel, kommuner: list[str]
) -> SelectionScore:
    """The selector's answers scored as ``python -m evals run`` scores them (answering questions only)."""
    recalls, support, top_gold = [], [], []
    for p, pr in zip(prepared, probabilities, strict=True):
        if not p.rows:
            recalls.append(0.0)
            top_gold.append(0.0)
            continue
        text, citations = compose(p.question.text, select(_scored(p, pr), p.question.search_text, kommuner, model))
        recalls.append(fact_recall(text, p.item.get("expected_facts") or []))
        support.append(float(np.mean([_supported(c, p.item) for c in citations])) if citations else 0.0)
        top_gold.append(float(p.labels[int(np.argmax(pr))]))
    return SelectionScore(float(np.mean(recalls)), float(np.mean(support)), float(np.mean(top_gold)))


def train_selector(train_p: list[Prepared], dev_p: list[Prepared], kommuner: list[str]) -> selector.SelectorModel:
    """Fit on train, choose C and the runner-up ratios on dev, write the model file, print the figures."""
    best: tuple[SelectionScore, selector.SelectorModel] | None = None
    for c in SELECTOR_C:
        weights, bias = fit_logistic(train_p, c)
        draft = selector.SelectorModel(weights, bias, 1.0, 1.0)
        dev_probabilities = [np.array([draft.probability(r.features) for r in p.rows]) for p in dev_p]
        for same in SAME_DOCUMENT_RATIOS:
            for other in OTHER_DOCUMENT_RATIOS:
                candidate = selector.SelectorModel(weights, bias, same, other)
                score = selection_scores(dev_p, dev_probabilities, candidate, kommuner)
                if best is None or score.objective > best[0].objective:
                    best = (score, candidate)
                    print(f"  C={c:g} same={same:.1f} other={other:.1f}: dev {score}")
    assert best is not None
    dev_score, chosen = best
    n_train = len(train_p)
    model = selector.SelectorModel(
        chosen.weights,
        chosen.bias,
        chosen.same_document_ratio,
        chosen.other_document_ratio,
        f"weights: the units of {n_train} answerable questions on train-split documents (the train split and "
        f"evals/sets/dev.jsonl), logistic regression (balanced); "
        f"C and ratios: dev split ({len(dev_p)} answerable questions), answers' fact recall + citation support; "
        f"{datetime.now(UTC).date().isoformat()}",
    )
    selector.write_model(model)
    selector.model.cache_clear()
    train_probabilities = [np.array([model.probability(r.features) for r in p.rows]) for p in train_p]
    train_score = selection_scores(train_p, train_probabilities, model, kommuner)
    print(f"Wrote {selector.MODEL_FILE}")
    print(f"selector: train {train_score}; dev {dev_score}")
    _compare_gradient_boosting(train_p, dev_p, model, kommuner)
    return model


def train_summary(items: list[dict], ix: Index, settings: Settings) -> SummaryWeights:
    """Choose the summary's relevance and novelty weights on the train split's answerable summary questions by the
    fact recall of the summaries, write them, and print the dev figure beside."""
    kommuner = municipalities_of(ix)

    def scopes(split: str) -> list[tuple[dict, list[float], object]]:
        out = []
        for item in select_split(items, split):
            question = rewrite(item["question"], item.get("history"), kommuner)
            if not item["answerable"] or not asks_for_summary(question.text):
                continue
            result = retrieve(ix, question.search_text, max(settings.top_k, settings.answer_passages))
            chosen = analyse(question, result.query_vector, result.hits, ix, kommuner).chosen
            if chosen:
                out.append((item, result.query_vector, chosen[0].sentence.hit))
        return out

    def recall(cases, weights: SummaryWeights) -> float:
        found = [fact_recall(summarise(v, hit, ix, weights).answer, item["expected_facts"]) for item, v, hit in cases]
        return float(np.mean(found)) if found else 0.0

    train_cases, dev_cases = scopes("train"), scopes("dev")
    grid = [SummaryWeights(r, n) for r in SUMMARY_RELEVANCE for n in SUMMARY_NOVELTY]
    best = max(grid, key=lambda w: (round(recall(train_cases, w), 9), -w.relevance, -w.novelty))
    weights = SummaryWeights(
        best.relevance,
        best.novelty,
        f"train split's {len(train_cases)} answerable summary questions, summaries' fact recall; "
        f"{datetime.now(UTC).date().isoformat()}",
    )
    write_weights(weights)
    shipped_weights.cache_clear()
    print(
        f"Wrote {SUMMARY_FILE}: relevance {weights.relevance}, novelty {weights.novelty}; fact recall train "
        f"{recall(train_cases, weights):.3f} ({len(train_cases)}), dev {recall(dev_cases, weights):.3f} "
        f"({len(dev_cases)})"
    )
    return weights


def train_preference(items: list[dict], ix: Index, settings: Settings) -> float:
    """Choose the weight of the named meetings' and committees' own ranking by the train split's MRR@10 (the
    smaller weight on a tie), write it, and print the dev figure beside."""
    kommuner = municipalities_of(ix)

    def cases(split: str) -> list[tuple[str, list[str]]]:
        return [
            (rewrite(i["question"], i.get("history"), kommuner).search_text, i["expected_quotes"])
            for i in select_split(items, split)
            if i["answerable"] and i["expected_quotes"]
        ]

    def mrr(split_cases: list[tuple[str, list[str]]], weight: float) -> float:
        ranks = [
            first_hit_rank(
                [retrieved_passage(h.chunk, ix) for h in retrieve(ix, t, RETRIEVAL_K, weight=weight).hits], q
            )
            for t, q in split_cases
        ]
        return float(np.mean([reciprocal_rank(r, RETRIEVAL_K) for r in ranks])) if ranks else 0.0

    train_cases, dev_cases = cases("train"), cases("dev")
    scores = {w: mrr(train_cases, w) for w in PREFERENCE_WEIGHTS}
    best = max(PREFERENCE_WEIGHTS, key=lambda w: (round(scores[w], 9), -w))
    write_preference_weight(
        best,
        f"train split's {len(train_cases)} answerable questions, MRR@{RETRIEVAL_K} of the gold passage; "
        f"{datetime.now(UTC).date().isoformat()}",
    )
    print(
        f"Wrote {PREFERENCE_FILE}: weight {best}; MRR@{RETRIEVAL_K} train "
        + ", ".join(f"{w:g}: {s:.3f}" for w, s in scores.items())
        + f"; dev {mrr(dev_cases, 0.0):.3f} unweighted, {mrr(dev_cases, best):.3f} at {best:g}"
    )
    return best


def _compare_gradient_boosting(
    train_p: list[Prepared], dev_p: list[Prepared], logistic: selector.SelectorModel, kommuner: list[str]
) -> None:
    """Print how gradient boosting would do on dev with the same ratios (the shipped model stays logistic unless
    this wins)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y = _matrix(train_p)
    boosted = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, class_weight="balanced").fit(x, y)
    dev_probabilities = [
        boosted.predict_proba(np.array([[r.features[n] for n in FEATURE_NAMES] for r in p.rows]))[:, 1]
        if p.rows
        else np.array([])
        for p in dev_p
    ]
    print(f"gradient boosting (for comparison): dev {selection_scores(dev_p, dev_probabilities, logistic, kommuner)}")


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
        result = retrieve(ix, question.search_text, max(settings.top_k, settings.answer_passages))
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


def selector_training_items(items: list[dict]) -> list[dict]:
    """The answerable questions the selector learns from: the train split's, and those of the first version's
    question set (``EXTRA_TRAINING_SET``), which asks about train-split documents only, so nothing of the dev or test
    documents is learned from. (The refusal model learns from the train split alone: with this set added, dev chose
    a threshold that refused more answerable dev questions for few more unanswerable ones.)"""
    extra = load_set(EXTRA_TRAINING_SET) if EXTRA_TRAINING_SET.is_file() else []
    return [i for i in select_split(items, "train") + extra if i["answerable"]]


def train(items: list[dict], ix: Index, settings: Settings, c: float = 1.0) -> RefusalModel:
    """Fit the selector, then the refusal model over the selector's answers, on the train split; choose on dev;
    write both model files and print the figures."""
    from sklearn.linear_model import LogisticRegression

    train_items, dev_items = select_split(items, "train"), select_split(items, "dev")
    kommuner = municipalities_of(ix)
    train_preference(items, ix, settings)  # first: every later model is fitted on what retrieval returns
    train_selector(
        prepare(selector_training_items(items), ix, settings),
        prepare([i for i in dev_items if i["answerable"]], ix, settings),
        kommuner,
    )
    train_summary(items, ix, settings)
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
