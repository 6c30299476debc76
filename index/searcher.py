"""An opened index: read-only, shared across requests, searched by fusion of dense and BM25."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from corpus.decisions import Decision
from corpus.intake import ISO_DATE
from index import layout, pgstore
from index.bm25 import BM25Searcher
from index.chunking import Chunk, find_references
from index.embedders import make_query_embedder, manifest_model, model_identity
from index.fusion import reciprocal_rank_fusion
from index.units import UnitVectors
from index.vectors import (
    EXACT_UNFILTERED_MAX,
    DenseSearcher,
    ExactSearcher,
    chroma_client,
    chroma_filters,
    get_collection,
)
from settings import Settings

# Question vectors a process keeps. Embedding a question is most of a warm answer's time (some 20 ms of 30 on two
# cores), and the same questions come back: a chat's follow-ups re-read earlier turns, evaluators rerun their sets.
QUERY_VECTORS_KEPT = 2048  # ~3 MB of 384-dimensional float32 vectors


@dataclass
class Filters:
    """Restrict retrieval to municipalities, documents and/or years (empty = no restriction)."""

    kommun: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.kommun or self.doc_ids or self.years)


@dataclass
class Hit:
    """A retrieved passage with its scores."""

    rank: int
    chunk: Chunk
    score: float  # fused score scaled to 0..1 (1 = first in both rankings)
    dense: float | None
    bm25: float | None
    reference_hits: list[str]

    def to_json(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "rank": self.rank,
            "chunk_id": c.chunk_id,
            "doc_id": c.doc_id,
            "title": c.title,
            "kommun": c.kommun,
            "section": c.section,
            "page": c.page_start,
            "page_end": c.page_end,
            "text": c.text,
            "score": round(self.score, 4),
            "dense": None if self.dense is None else round(self.dense, 4),
            "bm25": None if self.bm25 is None else round(self.bm25, 3),
        }


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    query_vector: list[float]
    retrieve_ms: float


class Index:
    """The built index, opened read-only; safe to share between threads."""

    def __init__(self, settings: Settings, build_dir: Path) -> None:
        self.settings = settings
        self.build_dir = build_dir
        self.manifest = layout.read_manifest(build_dir)
        layout.check_files(build_dir, local_chroma=self.manifest.get("chroma") == "local")
        if manifest_model(self.manifest) != model_identity(settings):
            raise layout.IndexDamaged(
                f"Indexet byggdes med en annan inbäddningsmodell ({manifest_model(self.manifest)}) än den som är "
                f"inställd ({model_identity(settings)})."
            )
        try:
            with (build_dir / layout.CHUNKS).open(encoding="utf-8") as fh:
                self.chunks = [Chunk.from_dict(json.loads(line)) for line in fh]
            # A Postgres build searches there, but keeps the BM25 model: the answer step reads its vocabulary and
            # document frequencies (assistant/sentences.Lexicon).
            self.bm25 = BM25Searcher(build_dir / layout.BM25_DIR)
            self.pg = self._open_postgres() if self.manifest.get("store") == pgstore.STORE else None
            stored = self.pg.count() if self.pg else self._open_local()
        except (layout.IndexDamaged, pgstore.StoreUnavailable):
            raise
        except Exception as exc:
            raise layout.IndexDamaged(f"Indexet i {build_dir} är skadat eller ofullständigt ({exc}).") from exc
        expected = self.manifest["chunk_count"]
        if not (len(self.chunks) == stored == expected == len(self.bm25.ids)) or (
            self.exact is not None and len(self.exact) != expected
        ):
            raise layout.IndexDamaged(
                f"Indexet i {build_dir} är ofullständigt: {len(self.chunks)} textavsnitt, "
                f"{stored} vektorer och {len(self.bm25.ids)} BM25-poster, men {expected} väntade."
            )
        self.position = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        if [self.position.get(cid) for cid in self.bm25.ids] != list(range(len(self.chunks))):
            raise layout.IndexDamaged(f"Indexet i {build_dir} är inkonsekvent (BM25 och textavsnitt skiljer sig).")
        # Filter fields as integer codes: a mask over 100,000 chunks is then a millisecond, not a string sort.
        self._kommun_code, self._kommun = _codes([c.kommun for c in self.chunks])
        self._doc_code, self._doc = _codes([c.doc_id for c in self.chunks])
        self._year = np.array([c.year for c in self.chunks])
        self._refs: dict[str, list[int]] = {}
        for i, c in enumerate(self.chunks):
            for ref in self._citable_as(c):
                self._refs.setdefault(ref, []).append(i)
        try:
            self.units = UnitVectors.read(build_dir)
        except (OSError, ValueError) as exc:
            raise layout.IndexDamaged(f"Indexet i {build_dir} har skadade meningsvektorer ({exc}).") from exc
        self.embedder = make_query_embedder(settings)
        self._query_vector = lru_cache(maxsize=QUERY_VECTORS_KEPT)(self._embed_query)
        self.decisions = _read_decisions(build_dir / layout.DECISIONS)
        # A protocol's own decision per (document, §), for answers that start from a retrieved passage.
        self.item_decisions = {(d.doc_id, d.paragraf): d for d in reversed(self.decisions) if d.kalla == "protokoll"}

    def _citable_as(self, chunk: Chunk) -> list[str]:
        """The references a passage answers to: those in its text, and for a protocol's § item its meeting's date,
        since a decision is cited as "2026-01-28 § 11" and the item's own text seldom repeats the date."""
        refs = list(chunk.references)
        date = str(self.documents.get(chunk.doc_id, {}).get("date", ""))
        if chunk.paragraf is not None and ISO_DATE.fullmatch(date) and date not in refs:
            refs.append(date)
        return refs

    def _open_local(self) -> int:
        """Chroma and the vector matrix of the build folder; the stored vector count."""
        client = chroma_client(self.settings, self.build_dir / layout.CHROMA_DIR)
        self.dense = DenseSearcher(get_collection(client, self.manifest["collection"]))
        # Builds made before the matrix was stored search filtered queries in Chroma.
        matrix = self.build_dir / layout.VECTORS
        self.exact = ExactSearcher(matrix) if matrix.is_file() else None
        return self.dense.count()

    def _open_postgres(self) -> pgstore.PgSearcher:
        """The build's Postgres table, through this process's NAMND_PG_URL (a read replica is fine)."""
        if not self.settings.pg_url:
            raise layout.IndexDamaged(
                f"Indexet ligger i PostgreSQL ({self.manifest['pg_server']}), men NAMND_PG_URL är inte satt."
            )
        self.exact = None
        return pgstore.PgSearcher(
            self.settings.pg_url, self.manifest["pg_table"], self.manifest["dimension"], self.bm25.tokens
        )

    @property
    def backend(self) -> str:
        """Where the build's vectors and full-text index live, for status output."""
        m = self.manifest
        if m.get("store") == pgstore.STORE:
            return f"PostgreSQL {m['pg_server']} (tabell {pgstore.DATA_PREFIX}{m['pg_table']})"
        return f"Chroma {m['chroma']} + BM25"

    @property
    def documents(self) -> dict[str, dict[str, Any]]:
        return self.manifest["documents"]

    def embed_query(self, text: str) -> list[float]:
        """The question's vector (kept per index, so a reopened index with another model embeds anew)."""
        return self._query_vector(text).tolist()

    def _embed_query(self, text: str) -> np.ndarray:
        # float32 as the embedders compute: 1.5 kB a question where a tuple of Python floats takes 12 kB.
        return np.asarray(self.embedder.get_query_embedding(text), dtype=np.float32)

    def _mask(self, filters: Filters | None) -> np.ndarray | None:
        if not filters:
            return None
        mask = np.ones(len(self.chunks), dtype=bool)
        if filters.kommun:
            mask &= np.isin(self._kommun, [self._kommun_code.get(k, -1) for k in filters.kommun])
        if filters.doc_ids:
            mask &= np.isin(self._doc, [self._doc_code.get(d, -1) for d in filters.doc_ids])
        if filters.years:
            mask &= np.isin(self._year, filters.years)
        return mask

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        query_vector: list[float] | None = None,
        prefer_docs: frozenset[str] = frozenset(),
        prefer_weight: float = 0.0,
    ) -> SearchResult:
        """The ``k`` best passages for ``query``: dense + BM25 candidates fused, references boosted, and passages
        of ``prefer_docs`` ranked once more among themselves and weighed in with ``prefer_weight``."""
        started = time.perf_counter()
        k = k or self.settings.top_k
        n = max(k, self.settings.candidates)
        mask = self._mask(filters)
        if mask is not None and not mask.any():
            return SearchResult(query, [], query_vector or [], (time.perf_counter() - started) * 1000)
        vector = query_vector or self.embed_query(query)
        if self.pg is not None:
            where = pgstore.pg_filters(filters.kommun, filters.doc_ids, filters.years) if filters else None
            found = self.pg.search(query, vector, n, where)
            dense, sparse = ([(self.position[cid], s) for cid, s in pairs if cid in self.position] for pairs in found)
        else:
            dense, sparse = self._local_candidates(query, vector, n, filters, mask)
        preferred = self._preferred(query, vector, n, mask, filters, prefer_docs) if prefer_weight > 0 else None
        references = find_references(query)
        matches: dict[int, list[str]] = {}
        for ref in references:
            for idx in self._refs.get(ref, []):
                if mask is None or mask[idx]:
                    matches.setdefault(idx, []).append(ref)
        fused = reciprocal_rank_fusion(
            dense, sparse, self.settings.rrf_k, matches, references, preferred, prefer_weight
        )
        best = 2.0 / (self.settings.rrf_k + 1)
        hits = [
            Hit(
                rank=r,
                chunk=self.chunks[c.chunk_index],
                score=min(1.0, c.fused / best),
                dense=c.dense,
                bm25=c.bm25,
                reference_hits=c.reference_hits,
            )
            for r, c in enumerate(fused[:k], start=1)
        ]
        return SearchResult(query, hits, vector, (time.perf_counter() - started) * 1000)

    def _preferred(
        self,
        query: str,
        vector: list[float],
        n: int,
        mask: np.ndarray | None,
        filters: Filters | None,
        prefer_docs: frozenset[str],
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]] | None:
        """Dense and BM25 rankings among the passages of ``prefer_docs`` (within the filters), or None."""
        if not prefer_docs or (self.exact is None and self.pg is None):
            return None
        preferred = np.isin(self._doc, [self._doc_code[d] for d in prefer_docs if d in self._doc_code])
        if mask is not None:
            preferred &= mask
        if not preferred.any():
            return None
        if self.pg is not None:
            # The preferred passages as one more filter on the store: its documents, kommun and years as asked.
            docs = sorted({self.chunks[i].doc_id for i in np.flatnonzero(preferred)})
            where = pgstore.pg_filters(filters.kommun if filters else [], docs, filters.years if filters else [])
            found = self.pg.search(query, vector, n, where)
            dense, sparse = ([(self.position[cid], s) for cid, s in pairs if cid in self.position] for pairs in found)
            return dense, sparse
        dense = self.exact.search(vector, n, preferred)
        sparse = [(self.position[cid], s) for cid, s in self.bm25.search(query, n, preferred.astype(np.float32))]
        return dense, sparse

    def _local_candidates(
        self, query: str, vector: list[float], n: int, filters: Filters | None, mask: np.ndarray | None
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """Dense (the exact matrix under a filter or for a small index, else Chroma's graph) and BM25 candidates as
        (chunk position, score)."""
        if self.exact is not None and (mask is not None or len(self.exact) <= EXACT_UNFILTERED_MAX):
            dense = self.exact.search(vector, n, mask if mask is not None else np.ones(len(self.exact), dtype=bool))
        else:
            where = chroma_filters(filters.kommun, filters.doc_ids, filters.years) if filters else None
            dense = [(self.position[cid], s) for cid, s in self.dense.search(vector, n, where) if cid in self.position]
        sparse = [
            (self.position[cid], s)
            for cid, s in self.bm25.search(query, n, mask.astype(np.float32) if mask is not None else None)
        ]
        return dense, sparse

    def status(self) -> dict[str, Any]:
        m = self.manifest
        return {
            "build_id": m["build_id"],
            "built_at": m["built_at"],
            "embedder": m["embedder"],
            "model": manifest_model(m),
            "chunking": m["chunking"],
            "store": m.get("store", "chroma"),
            "backend": self.backend,
            "chroma": m.get("chroma"),
            "documents": len(m["documents"]),
            "chunks": m["chunk_count"],
            "per_document": {k: {"title": v["title"], "chunks": v["chunks"]} for k, v in m["documents"].items()},
            "errors": m.get("errors", []),
        }


def _codes(values: list[str]) -> tuple[dict[str, int], np.ndarray]:
    """Each distinct value's code, and the values as codes."""
    code: dict[str, int] = {}
    return code, np.array([code.setdefault(v, len(code)) for v in values], dtype=np.int32)


def _read_decisions(path: Path) -> list[Decision]:
    """The build's decision register (empty for a build made before the register existed)."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [Decision(**json.loads(line)) for line in fh if line.strip()]
