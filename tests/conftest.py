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


import socket  # noqa: E402

import index  # noqa: E402

# One embedding cache for the whole test run (and across local runs): unchanged texts are never re-embedded.
TEST_CACHE = ROOT / "data" / "test-cache"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> tuple[Settings, index.Index]:
    """The shipped corpus built once for the session; tests only read it."""
    settings = Settings(
        corpus_dir=SHIPPED,
        catalog_file=ROOT / "corpus" / "catalog.toml",
        data_dir=tmp_path_factory.mktemp("shared-index"),
        cache_dir=TEST_CACHE,
    )
    index.build(settings, progress=False)
    return settings, index.open(settings)


@pytest.fixture(scope="session")
def shared_index(built) -> index.Index:
    return built[1]


@pytest.fixture(scope="session")
def dev_set() -> list[dict]:
    import json

    with (ROOT / "evals" / "sets" / "dev.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def small_corpus(tmp_path: Path, cache_dir: Path | None = None, **overrides) -> Settings:
    """A two-document corpus (one shipped text, one Markdown file) with its own data folder."""
    corpus_dir = tmp_path / "small-corpus"
    corpus_dir.mkdir(exist_ok=True)
    shipped = SHIPPED / "alingsas-bun-huvudmannens-verksamhetsuppfoljning-2022-2023.txt"
    (corpus_dir / shipped.name).write_bytes(shipped.read_bytes())
    (corpus_dir / "simskola.md").write_text(
        "# Simundervisning\n\nAlla elever i årskurs 3 ska kunna simma 200 meter. Nämnden satsar 300 tkr på "
        "extra simlektioner under 2026.\n\n## Uppföljning\n\nSimkunnigheten följs upp varje vår av rektorerna.\n",
        encoding="utf-8",
    )
    return Settings(
        corpus_dir=corpus_dir,
        catalog_file=tmp_path / "catalog.toml",
        data_dir=tmp_path / "data",
        cache_dir=cache_dir or tmp_path / "cache",
        **overrides,
    )


@pytest.fixture(scope="session")
def pg_url():
    """A throwaway PostgreSQL cluster (pgvector, Swedish stemmer) on 127.0.0.1 for the session. Its package
    (pgserver) is a dev dependency: when it is missing the Postgres tests fail rather than skip."""
    from bench.pgcluster import ThrowawayCluster

    with ThrowawayCluster() as cluster:
        yield cluster.url
