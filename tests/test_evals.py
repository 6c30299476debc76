"""Evaluation: metrics on hand-made cases, set validation, report files, and the regression guard."""

from __future__ import annotations

import json
import tomllib

import pytest

from evals.dataset import SetError, load_set, select_split
from evals.metrics import contains_quote, fact_recall, first_hit_rank, hit_at, normalise, percentile, reciprocal_rank
from evals.report import write_report
from evals.runner import retrieved_passage, run_assistant, run_baseline, score_question, summarise
from settings import ROOT


def test_normalisation_of_case_space_quotes_and_hyphenation():
    assert normalise("En förvaltningsövergripande kart-\nläggning") == normalise(
        "en förvaltningsövergripande KARTläggning"
    )
    assert normalise("”Bärande  pedagogisk\tidé”") == "bärande pedagogisk idé"
    assert contains_quote("Resultaten från kart- läggningen används.", ["resultaten från kartläggningen"])
    assert not contains_quote("Resultaten används.", ["kartläggningen"])


def test_retrieval_metrics_known_results():
    passages = ["inget här", "inte heller", "Nämnden satsar 100 tkr på matte.", "100 tkr igen"]
    rank = first_hit_rank(passages, ["satsar 100 tkr"])
    assert rank == 3
    assert (hit_at(rank, 1), hit_at(rank, 3), hit_at(rank, 5)) == (0.0, 1.0, 1.0)
    assert reciprocal_rank(rank) == pytest.approx(1 / 3)
    assert reciprocal_rank(None) == 0.0 and reciprocal_rank(11) == 0.0


def test_fact_recall_and_percentile():
    assert fact_recall("Fyra socialpedagoger anställdes hösten 2025.", ["fyra", "2025", "rektor"]) == pytest.approx(
        2 / 3
    )
    assert fact_recall("x", []) == 1.0
    assert percentile([10, 20, 30, 40], 50) == 25.0 and percentile([], 95) == 0.0


def _item(qid, answerable=True, tags=("fakta",)):
    return {
        "id": qid,
        "question": "q",
        "answerable": answerable,
        "expected_facts": ["100 tkr"] if answerable else [],
        "expected_quotes": ["satsar 100 tkr"] if answerable else [],
        "expected_docs": ["d1"] if answerable else [],
        "history": [],
        "tags": list(tags),
    }


def test_question_scores_and_summary_known_results():
    good = score_question(
        _item("a"),
        "Den kostar 100 tkr [1].",
        False,
        [{"doc_id": "d1", "text": "Nämnden satsar 100 tkr."}, {"doc_id": "d9", "text": "annat"}],
        ["annat", "Nämnden satsar 100 tkr."],
        10.0,
    )
    assert good.rank == 2 and good.scores["citation_support"] == 0.5 and good.scores["fact_recall"] == 1.0
    refused = score_question(_item("b"), "Jag hittar inget", True, [], ["annat"], 20.0)
    assert refused.scores["fact_recall"] == 0.0 and "refused an answerable question" in refused.problems
    unanswerable_refused = score_question(_item("c", False, ("ej-besvarbar",)), "Jag hittar inget", True, [], [], 30.0)
    unanswerable_answered = score_question(_item("d", False, ("ej-besvarbar",)), "Svar [1]", False, [], [], 40.0)
    s = summarise([good, refused, unanswerable_refused, unanswerable_answered])
    assert s["hit@1"] == 0.0 and s["hit@3"] == 0.5 and s["mrr@10"] == 0.25
    assert s["refusal_recall"] == 0.5 and s["refusal_precision"] == 0.5 and s["answerable_refused"] == 0.5
    assert s["latency_p50_ms"] == 25.0


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ['{"id": "a", "question": "q", "answerable": true, "expected_quotes": ["x"]}', "not json"],
            "line 2: not valid JSON",
        ),
        (['{"id": "a", "answerable": true, "expected_quotes": ["x"]}'], "line 1: 'question' must be a str"),
        (['{"id": "a", "question": "q", "answerable": "ja"}'], "'answerable' must be a bool"),
        (['{"id": "a", "question": "q", "answerable": true}'], "needs expected_quotes"),
        (['{"id": "a", "question": "q", "answerable": false, "history": [{"role": "x"}]}'], "history turn"),
        (
            ['{"id": "a", "question": "q", "answerable": false}', '{"id": "a", "question": "r", "answerable": false}'],
            "line 2: duplicate id",
        ),
        (["[1, 2]"], "line 1: expected a JSON object"),
    ],
)
def test_set_validation_names_the_bad_line(tmp_path, lines, message):
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SetError, match=message):
        load_set(path)


def test_cli_refuses_a_malformed_set_and_runs_nothing(tmp_path, capsys):
    from evals.__main__ import main

    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a"}\n', encoding="utf-8")
    assert main(["run", "--set", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "line 1" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_judge_without_endpoint_explains(tmp_path, capsys, monkeypatch):
    from evals.__main__ import main
    from settings import get_settings

    monkeypatch.delenv("NAMND_LLM_URL", raising=False)
    get_settings.cache_clear()
    assert main(["run", "--judge", "--out", str(tmp_path / "out")]) == 2
    assert "needs a language model endpoint" in capsys.readouterr().err


@pytest.mark.slow
def test_small_run_writes_every_report_file(built, shared_index, dev_set, tmp_path):
    settings, _ = built
    ids = {"alingsas-beslut-44", "plan-matematik-kostnad", "uppf-kostnad-1", "ej-skolmat", "svenljunga-klimat-1"}
    items = [q for q in dev_set if q["id"] in ids]
    set_file = tmp_path / "small.jsonl"
    set_file.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in items), encoding="utf-8")
    results = run_assistant(load_set(set_file), shared_index, settings)
    baseline = run_baseline(items, settings)
    out = tmp_path / "report"
    summary = write_report(out, set_file, results, baseline)
    for name in (
        "results.json",
        "baseline_results.json",
        "summary.json",
        "report.md",
        "per_tagg_hit_5.png",
        "per_tagg_fact_recall.png",
        "latens.png",
    ):
        assert (out / name).stat().st_size > 0, name
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| Mått | Assistenten | Baslinje | Skillnad |" in report and "## Per tagg" in report
    rows = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {r["id"] for r in rows} == ids and all("scores" in r for r in rows)
    assert summary["assistant"]["hit@5"] >= summary["baseline"]["hit@5"]


@pytest.mark.slow
def test_dev_set_scores_stay_above_thresholds(built, shared_index, dev_set):
    settings, _ = built
    limits = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text(encoding="utf-8"))["sets"]["dev.jsonl"]
    summary = summarise(run_assistant(dev_set, shared_index, settings))
    for key, minimum in limits["minimum"].items():
        assert summary[key] >= minimum, (key, summary[key], minimum)
    for key, maximum in limits["maximum"].items():
        assert summary[key] <= maximum, (key, summary[key], maximum)


def test_llm_judge_scores_are_model_judged(built, shared_index, dev_set, tmp_path):
    from fake_llm import FakeLLM

    from evals.judge import judge

    settings, _ = built
    items = [q for q in dev_set if q["id"] in ("plan-matematik-kostnad", "ej-skolmat")]
    results = run_assistant(items, shared_index, settings)
    answered = [r for r in results if not r.refused]
    with FakeLLM() as llm:
        llm.script.replies = ["0.9", "Svaret är relevant: 1"] * len(answered)
        scores = judge(results, settings.model_copy(update={"llm_url": llm.url, "llm_model": "domare"}))
    assert scores["judged"] == len(answered) >= 1
    assert scores["faithfulness"] == pytest.approx(0.9) and scores["relevance"] == pytest.approx(1.0)
    summary = write_report(tmp_path / "out", ROOT / "x.jsonl", results, None, {"judge": scores})
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "Modellbedömt" in report and "bedömda av en språkmodell" in report and summary["judge"] == scores


@pytest.fixture(scope="session")
def eval_index(tmp_path_factory):
    """The evaluation corpus (shipped + evals/corpus) indexed once for the session, as the runner does."""
    from conftest import TEST_CACHE

    from evals.evalcorpus import open_eval_index
    from settings import Settings

    base = Settings(data_dir=tmp_path_factory.mktemp("eval-index"), cache_dir=TEST_CACHE)
    return open_eval_index(base, progress=False)


@pytest.mark.slow
def test_test_split_scores_stay_within_thresholds(eval_index):
    settings, ix = eval_index
    limits = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text(encoding="utf-8"))["splits"]["test"]
    items = select_split(load_set(ROOT / "evals" / "sets" / "questions.jsonl"), "test")
    summary = summarise(run_assistant(items, ix, settings))
    for key, minimum in limits["minimum"].items():
        assert summary[key] >= minimum, (key, summary[key], minimum)
    for key, maximum in limits["maximum"].items():
        assert summary[key] <= maximum, (key, summary[key], maximum)


@pytest.mark.slow
def test_a_protocol_item_is_retrieved_with_its_header_as_the_protocol_writes_it(eval_index):
    _, ix = eval_index
    quote = ["Dnr FG-2024-00884 Riktlinje civil beredskap"]  # "§ 5  Dnr FG-2024-00884 / Riktlinje …" in the protocol
    item = [c for c in ix.chunks if c.doc_id == "kungsbacka-fg-2025-01-22-protokoll.md" and c.paragraf == 5]
    assert item and not contains_quote(f"{item[0].section}\n{item[0].text}", quote)
    assert all(contains_quote(retrieved_passage(c, ix), quote) for c in item)
    unnumbered = next(c for c in ix.chunks if c.paragraf is None)
    assert retrieved_passage(unnumbered, ix) == "\n".join(p for p in (unnumbered.section, unnumbered.text) if p)
