"""Shared fixtures. The offline switches are set before anything imports a library."""

from __future__ import annotations

import os

os.environ.update(
    {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
)

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

import corpus  # noqa: E402
from settings import ROOT, Settings  # noqa: E402

SHIPPED = ROOT / "corpus" / "documents"


@pytest.fixture(scope="session")
def shipped_corpus() -> corpus.Corpus:
    return corpus.load(SHIPPED, ROOT / "corpus" / "catalog.toml")


@pytest.fixture(scope="session")
def shipped_docs(shipped_corpus: corpus.Corpus) -> dict[str, corpus.Document]:
    return {d.doc_id: d for d in shipped_corpus}


@pytest.fixture()
def tmp_settings(tmp_path: Path) -> Settings:
    """Settings with a private corpus folder and data folder (copies of the shipped corpus)."""
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    for f in SHIPPED.iterdir():
        (corpus_dir / f.name).write_bytes(f.read_bytes())
    catalog = tmp_path / "catalog.toml"
    catalog.write_bytes((ROOT / "corpus" / "catalog.toml").read_bytes())
    return Settings(corpus_dir=corpus_dir, catalog_file=catalog, data_dir=tmp_path / "data")
