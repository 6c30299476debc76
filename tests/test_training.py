"""The learned refusal: its model file, the threshold choice on dev, and that training reads no test question."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from assistant.refusal import MODEL_FILE, RefusalModel, read_model, write_model
from evals.train import choose_threshold, rates


def test_shipped_model_file_is_readable_and_says_what_it_was_fitted_on():
    model = read_model(MODEL_FILE)
    assert model.weights and 0.0 < model.threshold < 1.0 and model.fitted_on


def test_model_round_trip_and_score(tmp_path):
    model = RefusalModel({"best": 2.0, "missing_fact": -3.0}, -1.0, 0.45, "test")
    write_model(model, tmp_path / "m.json")
    again = read_model(tmp_path / "m.json")
    assert again == model
    assert again.score({"best": 1.0, "missing_fact": 0.0}) == pytest.approx(1 / (1 + np.exp(-1.0)))
    assert again.score({"best": 0.0, "missing_fact": 1.0}) < 0.05


def test_bad_model_file_is_a_clear_error(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"version": 99}', encoding="utf-8")
    with pytest.raises(ValueError, match="version"):
        read_model(path)
    with pytest.raises(ValueError, match="cannot read"):
        read_model(tmp_path / "missing.json")


def test_threshold_weighs_answerable_refusals_three_times():
    # 40 answerable questions with high evidence (one low), 10 unanswerable with low evidence (two higher than
    # any answerable one, so no threshold within the budget can catch them).
    answerable = np.array([True] * 40 + [False] * 10)
    p = np.array([0.9] * 39 + [0.15] + [0.2] * 8 + [0.95, 0.95])
    t = choose_threshold(p, answerable)
    refused_answerable, refused_unanswerable = rates(p, answerable, t)
    # Refusing the one low answerable question (2.5%) to catch eight unanswerable ones (80%) is worth it.
    assert refused_answerable == pytest.approx(0.025) and refused_unanswerable == pytest.approx(0.8)
    assert 0.2 < t <= 0.9
    # A threshold that refuses every answerable question is never chosen.
    assert rates(p, answerable, choose_threshold(p, answerable))[0] < 0.5


def test_training_reads_only_train_and_dev(monkeypatch):
    import evals.train as train_module

    seen: list[str] = []

    def record(items, ix, settings):
        seen.extend(i.get("split", "extra set") for i in items)
        raise StopIteration

    def record_prepared(items, ix, settings):
        seen.extend(i.get("split", "extra set") for i in items)
        return []

    monkeypatch.setattr(train_module, "municipalities_of", lambda ix: [])
    monkeypatch.setattr(train_module, "prepare", record_prepared)
    monkeypatch.setattr(train_module, "train_selector", lambda train_p, dev_p, kommuner: None)
    monkeypatch.setattr(train_module, "select_split", lambda items, split: [i for i in items if i["split"] == split])
    monkeypatch.setattr(
        train_module,
        "train_summary",
        lambda items, ix, settings: seen.extend(
            i["split"] for split in ("train", "dev") for i in train_module.select_split(items, split)
        ),
    )
    monkeypatch.setattr(train_module, "feature_table", record)
    # The retrieval preference runs for real, on stand-ins for rewriting and retrieval that record what they read.
    monkeypatch.setattr(
        train_module, "rewrite", lambda question, history, kommuner: SimpleNamespace(search_text=question)
    )
    monkeypatch.setattr(
        train_module, "retrieve", lambda ix, text, k, weight=None: seen.append(text) or SimpleNamespace(hits=[])
    )
    monkeypatch.setattr(train_module, "write_preference_weight", lambda weight, fitted_on: None)
    items = [
        {"split": s, "answerable": True, "question": s, "history": [], "expected_quotes": ["citat"]}
        for s in ("train", "dev", "test")
    ]
    with pytest.raises(StopIteration):
        train_module.train(items, None, None)
    assert "test" not in seen and {"train", "dev"} <= set(seen)
