"""Swedish BM25 (Snowball stemmer, Swedish stop words) through llama-index's BM25 retriever.

The same tokens and term scores serve the PostgreSQL backend: its full-text ranking reads the postings of the
model built here (``postings``) and a question's ``query_tokens``, so both backends rank passages alike.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from llama_index.core.schema import TextNode
from llama_index.retrievers.bm25 import BM25Retriever

from index.chunking import Chunk
from index.compounds import with_compound_parts

LANGUAGE = "swedish"
_local = threading.local()  # a PyStemmer stemmer is not safe to share between threads


def _stemmer() -> Stemmer.Stemmer:
    if not hasattr(_local, "stemmer"):
        _local.stemmer = Stemmer.Stemmer(LANGUAGE)
    return _local.stemmer


def _node(chunk: Chunk) -> TextNode:
    # Only the id and the indexed text are needed: the chunk table holds the rest.
    return TextNode(id_=chunk.chunk_id, text=chunk.indexed_text)


def build_bm25(chunks: list[Chunk], path: Path) -> bm25s.BM25:
    """Index the chunks' title + heading path + text, persist beside the vector store; the model."""
    retriever = BM25Retriever.from_defaults(
        nodes=[_node(c) for c in chunks], stemmer=_stemmer(), language=LANGUAGE, similarity_top_k=10
    )
    path.mkdir(parents=True, exist_ok=True)
    retriever.persist(str(path))
    return retriever.bm25


def query_tokens(query: str) -> list[str]:
    """A question's words as the model's tokens: lower case, stop words out, Snowball stems."""
    tokens = bm25s.tokenize(query, stopwords=LANGUAGE, stemmer=_stemmer(), return_ids=False, show_progress=False)
    return list(tokens[0]) if tokens else []


@dataclass(frozen=True)
class Posting:
    """One token's passages (chunk positions, ascending) and their BM25 term scores."""

    word: str
    rows: np.ndarray
    scores: np.ndarray


def postings(model: bm25s.BM25) -> Iterator[Posting]:
    """Each token's posting from the model's precomputed score matrix (one column per token)."""
    data, indices, indptr = model.scores["data"], model.scores["indices"], model.scores["indptr"]
    for word, token in model.vocab_dict.items():
        if token + 1 < len(indptr) and indptr[token + 1] > indptr[token]:
            span = slice(indptr[token], indptr[token + 1])
            yield Posting(word, indices[span], data[span])


class BM25Searcher:
    """BM25 search with a per-query filter mask over the chunk table's order."""

    def __init__(self, path: Path) -> None:
        self.retriever = BM25Retriever.from_persist_dir(str(path), show_progress=False)
        self.ids = [row["node_id"] for row in self.retriever.corpus]
        model = self.retriever.bm25
        self._vocab: dict[str, int] = model.vocab_dict
        self._df = np.diff(np.asarray(model.scores["indptr"]))

    def frequency(self, token: str) -> int:
        """How many passages use ``token`` (a stem), 0 for one the index does not have."""
        tid = self._vocab.get(token)
        return int(self._df[tid]) if tid is not None and tid < len(self._df) else 0

    def tokens(self, query: str) -> list[str]:
        """A question's tokens, a compound the passages never use followed by its parts (``index.compounds``)."""
        return with_compound_parts(query_tokens(query), self.frequency, _stemmer().stemWord)

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) pairs with a positive score, best first."""
        tokens = self.tokens(query)
        if not tokens:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.retriever.bm25.retrieve([tokens], k=k, weight_mask=mask, show_progress=False)
        # bm25s returns the persisted corpus rows (dicts) when it loaded them, else row numbers.
        return [
            (d["node_id"] if isinstance(d, dict) else self.ids[int(d)], float(s))
            for d, s in zip(docs[0], scores[0], strict=True)
            if s > 0
        ]
