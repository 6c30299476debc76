"""Naive baselines to compare against: raw text split without structure, vector search only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.embedcache import EmbeddingCache
from index.embedders import embedder_id, make_embedder
from settings import Settings


def fixed_windows(text: str, words: int = 120) -> list[str]:
    """Consecutive windows of ``words`` words over raw text, ignoring any structure."""
    tokens = text.split()
    return [" ".join(tokens[i : i + words]) for i in range(0, len(tokens), words)]


def default_splitter_chunks(text: str) -> list[str]:
    """llama-index's default sentence splitter over the raw text."""
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter().split_text(text)


@dataclass
class BaselinePassage:
    doc_id: str
    text: str


class VectorOnlyRetriever:
    """Brute-force cosine search over passages with the assistant's own embedder."""

    def __init__(self, passages: list[BaselinePassage], settings: Settings) -> None:
        self.passages = passages
        self.embedder = make_embedder(settings)
        self.cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite", embedder_id(settings))
        self.matrix, _ = self.cache.embed([p.text for p in passages], self.embedder.get_text_embedding_batch)

    def passage_vectors(self, texts: list[str]) -> np.ndarray:
        """Passage-side vectors for any texts, through the embedding cache."""
        return self.cache.embed(texts, self.embedder.get_text_embedding_batch)[0]

    def search(self, question: str, k: int = 10) -> list[tuple[BaselinePassage, float]]:
        q = np.asarray(self.embedder.get_query_embedding(question), dtype=np.float32)
        scores = self.matrix @ q
        order = np.argsort(-scores)[:k]
        return [(self.passages[i], float(scores[i])) for i in order]
