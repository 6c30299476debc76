"""The evaluation corpus and the split question set: provenance, verbatim quotes, a split by document."""

from __future__ import annotations

import re
import tomllib
from collections import Counter

import pytest

from corpus.catalog import read_catalog
from evals.dataset import SetError, load_set, select_split, split_conflicts, uses_splits
from evals.evalcorpus import EVAL_CATALOG, EVAL_CORPUS, EVAL_DOCUMENTS, eval_settings, sync
from evals.quotecheck import document_texts, problems
from settings import ROOT, Settings

QUESTIONS = ROOT / "evals" / "sets" / "questions.jsonl"


@pytest.fixture(scope="module")
def questions() -> list[dict]:
    return load_set(QUESTIONS)


def _sources() -> dict[str, dict[str, str]]:
    rows = {}
    lines = (EVAL_CORPUS / "SOURCES.md").read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| file"))
    names = [c.strip() for c in header.strip("|").split("|")]
    for line in lines[lines.index(header) + 2 :]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = dict(zip(names, cells, strict=True))
    return rows


def test_every_expected_quote_is_verbatim_in_its_documents(questions):
    assert problems(questions, document_texts()) == []


def test_set_size_unanswerable_share_and_coverage(questions):
    assert len(questions) >= 300
    assert sum(not q["answerable"] for q in questions) / len(questions) >= 0.25
    tags = Counter(t for q in questions for t in q["tags"])
    for tag in ("fakta", "siffror", "tabell", "beslut", "uppslag", "vem-när", "lista", "varför"):
        assert tags[tag] >= 10, tag
    for tag in ("sammanfattning", "jämförelse", "uppföljning"):
        assert tags[tag] >= 8, tag
    assert sum(bool(q["history"]) for q in questions) >= 20


def test_split_is_by_document_and_test_holds_a_third_and_an_unseen_committee(questions):
    assert uses_splits(questions) and split_conflicts(questions) == []
    split_of = {d: q["split"] for q in questions for d in q["expected_docs"]}
    every_doc = set(document_texts())
    assert every_doc == set(split_of), "every document is used by some question"
    by_split = Counter(split_of.values())
    assert by_split["test"] >= len(every_doc) / 3
    catalog = read_catalog(EVAL_CATALOG) | read_catalog(ROOT / "corpus" / "catalog.toml")
    committees = {name: entry["namnd"] for name, entry in catalog.items()}
    seen = {committees.get(d) for d, s in split_of.items() if s in ("train", "dev")}
    unseen = {committees[d] for d, s in split_of.items() if s == "test"} - seen
    assert unseen, "the test split needs a committee no train or dev document comes from"


def test_evaluation_corpus_has_provenance_and_no_held_back_source():
    files = sorted(p.name for p in EVAL_DOCUMENTS.iterdir())
    assert len(files) >= 30
    sources = _sources()
    catalog = read_catalog(EVAL_CATALOG)
    assert set(files) == set(sources) == set(catalog)
    for name, row in sources.items():
        assert row["repository"] and re.fullmatch(r"[0-9a-f]{40}", row["commit"]), name
        assert row["path"].startswith("data/"), name
        assert row["kommun"] == catalog[name]["kommun"] and row["datum"] == catalog[name]["datum"], name
        held_back = (
            "nacka" in row["path"].lower()
            or "tyres" in row["path"].lower()
            or row["path"].startswith("data/kungsbacka/fg/2024/")
        )
        assert not held_back, name
    kinds = Counter(entry["typ"] for entry in catalog.values())
    assert kinds["Protokoll"] >= 15 and len(kinds) >= 4


def test_select_split_and_bad_split_name(questions):
    test = select_split(questions, "test")
    assert test and all(q["split"] == "test" for q in test)
    assert len(select_split(questions, "all")) == len(questions)
    with pytest.raises(SetError):
        select_split(questions, "prod")


def test_sync_mirrors_both_folders_and_merges_catalogs(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "x.txt").write_text("X", encoding="utf-8")
    (second / "y.md").write_text("# Y", encoding="utf-8")
    (tmp_path / "a.toml").write_text('[[document]]\nfile = "x.txt"\ntitle = "Ex"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('[[document]]\nfile = "y.md"\ntitle = "Yps"\n', encoding="utf-8")
    target = eval_settings(Settings(data_dir=tmp_path / "data"))
    folders = [(first, tmp_path / "a.toml"), (second, tmp_path / "b.toml")]
    assert sync(target, folders) == 2
    assert sorted(p.name for p in target.corpus_dir.iterdir()) == ["x.txt", "y.md"]
    assert {k: v["title"] for k, v in read_catalog(target.catalog_file).items()} == {"x.txt": "Ex", "y.md": "Yps"}
    (second / "y.md").unlink()
    assert sync(target, folders) == 1 and [p.name for p in target.corpus_dir.iterdir()] == ["x.txt"]
    assert target.data_dir == tmp_path / "data" / "evals"


def test_thresholds_file_guards_the_test_split():
    limits = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text(encoding="utf-8"))
    assert {"minimum", "maximum"} <= set(limits["splits"]["test"])
