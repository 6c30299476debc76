"""Swedish BM25 (Snowball stemmer, Swedish stop words) through llama-index's BM25 retriever."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from llama_index.core.schema import TextNode
from llama_index.retrievers.bm25 import BM25Retriever

from index.chunking import Chunk

LANGUAGE = "swedish"


def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer(LANGUAGE)


def _node(chunk: Chunk) -> TextNode:
    # Only the id and the indexed text are needed: the chunk table holds the rest.
    return TextNode(id_=chunk.chunk_id, text=chunk.indexed_text)


def build_bm25(chunks: list[Chunk], path: Path) -> None:
    """Index the chunks' title + heading path + text and persist beside the vector store."""
    retriever = BM25Retriever.from_defaults(
        nodes=[_node(c) for c in chunks], stemmer=_stemmer(), language=LANGUAGE, similarity_top_k=10
    )
    path.mkdir(parents=True, exist_ok=True)
    retriever.persist(str(path))


class BM25Searcher:
    """BM25 search with a per-query filter mask over the chunk table's order."""

    def __init__(self, path: Path) -> None:
        self.retriever = BM25Retriever.from_persist_dir(str(path), show_progress=False)
        self.stemmer = _stemmer()
        self.ids = [row["node_id"] for row in self.retriever.corpus]

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) pairs with a positive score, best first."""
        tokens = bm25s.tokenize(query, stopwords=LANGUAGE, stemmer=self.stemmer, return_ids=False, show_progress=False)
        if not tokens or not tokens[0]:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.retriever.bm25.retrieve(tokens, k=k, weight_mask=mask, show_progress=False)
        # bm25s returns the persisted corpus rows (dicts) when it loaded them, else row numbers.
        return [
            (d["node_id"] if isinstance(d, dict) else self.ids[int(d)], float(s))
            for d, s in zip(docs[0], scores[0], strict=True)
            if s > 0
        ]
