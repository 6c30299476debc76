"""The PostgreSQL backend: dense (pgvector) and Swedish full-text candidates from one table per build.

Chosen by ``NAMND_PG_URL``. Through llama-index's Postgres vector store (``PGVectorStore``) with hybrid search on
the ``swedish`` text search configuration and the filter fields (kommun, doc, year) as indexed columns; its
full-text query ranks by BM25 from a postings table written beside each build's table (``SwedishPGVectorStore``),
holding the default backend's tokens and term scores, so both backends rank a question's words alike.
The build folder keeps the chunk table, units and decisions; only the vectors and the full-text index live in
Postgres. Readers never write (``perform_setup=False``), so an app process may point at a read replica.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import sqlalchemy as sa
from llama_index.core.schema import TextNode
from llama_index.core.vector_stores.types import (
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
    VectorStoreQueryMode,
)
from llama_index.vector_stores.postgres import PGVectorStore
from psycopg2.extras import execute_values
from pydantic import PrivateAttr
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from index.bm25 import Posting, query_tokens
from index.chunking import Chunk
from index.vectors import EXACT_UNFILTERED_MAX

log = logging.getLogger(__name__)

STORE = "postgres"  # the manifest's "store" value for a build in Postgres
TEXT_SEARCH_CONFIG = "swedish"  # the store's tsvector column (Snowball Swedish); ranking uses BM25_POSTINGS
TABLE_PREFIX = "namnd_chunks"
DATA_PREFIX = "data_"  # PGVectorStore names the SQL table data_<table_name>
# The filter fields as btree-indexed expressions. All as text: the store's IN filter compares
# metadata_->>'key' with text literals, and only a text index expression matches that comparison.
INDEXED_KEYS = {("kommun", "text"), ("doc", "text"), ("year", "text")}
HNSW_BUILD = {"hnsw_m": 16, "hnsw_ef_construction": 64, "hnsw_dist_method": "vector_cosine_ops"}
HNSW_EF_SEARCH = 100  # candidates the graph walk keeps; above the fused candidate count (settings.candidates)
BM25_SUFFIX = "_bm25"  # the build's BM25 postings, beside its table
# Per token of the default backend's BM25 model: the rows holding it and their BM25 term scores.
BM25_POSTINGS = 'CREATE TABLE "{postings}" (word text PRIMARY KEY, ids bigint[] NOT NULL, scores real[] NOT NULL)'
# Session settings of filtered searches. No index scans: see PgSearcher. No nested loops: the full-text scores
# meet the filtered rows in a hash join, since Postgres guesses ten rows from an unnest and would look each of
# ~50,000 scored rows up by key instead (at 100,000 chunks: 400 ms a filtered full-text query, 150 ms hashed).
# No parallel workers: each would sum the scores again; and room to sum them in memory rather than on disk.
EXACT_OPTIONS = "-c enable_indexscan=off -c enable_nestloop=off -c max_parallel_workers_per_gather=0 -c work_mem=32MB"
WRITE_BATCH = 2000
CONNECT_TIMEOUT_S = 5


class StoreUnavailable(Exception):
    """PostgreSQL could not be reached or refused the request. Message in Swedish, without the password."""


def table_name(build_id: str) -> str:
    """The store's table name for a build (lower case: Postgres folds unquoted names)."""
    return f"{TABLE_PREFIX}_{build_id}".lower().replace("-", "_")


def where(url: str) -> str:
    """Host, port and database of ``url``, for messages and the manifest (never the password)."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        return "(ogiltig adress)"
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


def _url(url: str, driver: str) -> URL:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreUnavailable(
            "NAMND_PG_URL är ingen giltig adress till PostgreSQL (väntat: postgresql://användare:lösenord@värd:5432/databas)."
        ) from exc
    if not parsed.drivername.startswith("postgres"):
        raise StoreUnavailable(f"NAMND_PG_URL måste börja med postgresql:// (nu {parsed.drivername}://).")
    return parsed.set(drivername=f"postgresql+{driver}")


def _engines(url: str, options: str = "") -> tuple[sa.Engine, Any]:
    """A sync engine (used) and an async one (the store requires the pair; it connects only when used)."""
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S}
    if options:
        connect_args["options"] = options
    engine = sa.create_engine(_url(url, "psycopg2"), pool_pre_ping=True, connect_args=connect_args)
    return engine, create_async_engine(_url(url, "asyncpg"))


class SwedishPGVectorStore(PGVectorStore):
    """PGVectorStore whose full-text query is BM25, with the default backend's tokens and term scores.

    The store's own sparse query ORs the question's words and orders by ts_rank, which has no inverse document
    frequency: on the dev split that ranked worse than BM25 (MRR@10 0.63 against 0.67). BM25 computed in SQL from
    the ``swedish`` tsvectors came close, but Postgres's parser splits text unlike bm25s (dates, hyphenated words,
    its own stop list), and the answer selector, fitted on bm25s scores, then chose other sentences (dev fact
    recall 0.03 lower). So the build writes, per token of the bm25s model, the rows that hold it and their term
    scores (``_bm25``, from the model's score matrix), and a question sums the postings of its ``query_tokens``:
    the same scores as the default backend, computed in the database under the same filters; ``tokenize`` is the
    default backend's too (a compound the passages never use followed by its parts)."""

    _tokenize: Callable[[str], list[str]] = PrivateAttr(default_factory=lambda: query_tokens)

    def use_tokens(self, tokenize: Callable[[str], list[str]]) -> SwedishPGVectorStore:
        """Read questions with ``tokenize`` (the build's BM25 model's ``tokens``)."""
        self._tokenize = tokenize
        return self

    def _build_sparse_query(
        self, query_str: str | None, limit: int, metadata_filters: MetadataFilters | None = None, **kwargs: Any
    ) -> Any:
        asked = sa.literal(self._tokenize(query_str or ""), ARRAY(sa.Text))
        row = self._table_class
        postings = sa.table(
            row.__tablename__ + BM25_SUFFIX,
            sa.column("word"),
            sa.column("ids"),
            sa.column("scores"),
            schema=self.schema_name,
        )
        entries = (
            sa.func.unnest(postings.c.ids, postings.c.scores).table_valued("id", "score").render_derived(name="entries")
        )
        scores = (
            sa.select(entries.c.id, sa.func.sum(entries.c.score).label("rank"))
            .select_from(postings)
            .join(entries, sa.true())
            .where(postings.c.word == sa.any_(asked))
            .group_by(entries.c.id)
        )
        if metadata_filters is None:  # the best rows first, then their columns (a filter needs all scores)
            scores = scores.order_by(sa.text("rank desc")).limit(limit)
        ranked = scores.subquery("ranked")
        stmt = (
            sa.select(row.id, row.node_id, row.text, row.metadata_, ranked.c.rank)
            .join(ranked, ranked.c.id == row.id)
            .order_by(ranked.c.rank.desc())
        )
        return self._apply_filters_and_limit(stmt, limit, metadata_filters)


def _store(engines: tuple[sa.Engine, Any], table: str, dim: int, **kwargs: Any) -> SwedishPGVectorStore:
    return SwedishPGVectorStore(
        table_name=table,
        embed_dim=dim,
        hybrid_search=True,
        text_search_config=TEXT_SEARCH_CONFIG,
        use_jsonb=True,
        indexed_metadata_keys=INDEXED_KEYS,
        engine=engines[0],
        async_engine=engines[1],
        **kwargs,
    )


@contextmanager
def reachable(url: str, doing: str) -> Iterator[None]:
    """A database error as StoreUnavailable naming the server (not the password) and what was being done."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        raise StoreUnavailable(f"PostgreSQL på {where(url)} kunde inte {doing} ({reason}).") from exc


def _node(chunk: Chunk, vector: np.ndarray) -> TextNode:
    # The full-text index covers title + heading path + text, as the default backend's BM25 does.
    return TextNode(
        id_=chunk.chunk_id,
        text=chunk.indexed_text,
        embedding=vector.tolist(),
        metadata={"doc": chunk.doc_id, "kommun": chunk.kommun, "year": str(chunk.year)},
    )


def write_table(url: str, table: str, chunks: list[Chunk], vectors: np.ndarray, postings: Iterable[Posting]) -> None:
    """Create the build's table, load the chunks, then build the HNSW index (faster than growing it per row) and
    write the BM25 postings table (``postings`` over chunk positions, stored by the rows' ids)."""
    dim = int(vectors.shape[1])
    # Room for the HNSW graph in memory while it is built (Postgres's default is 64 MB).
    engines = _engines(url, options="-c maintenance_work_mem=512MB")
    try:
        with reachable(url, "ta emot indexet"):
            loader = _store(engines, table, dim, initialization_fail_on_error=True)
            for i in range(0, len(chunks), WRITE_BATCH):
                batch = zip(chunks[i : i + WRITE_BATCH], vectors[i : i + WRITE_BATCH], strict=True)
                loader.add([_node(c, v) for c, v in batch])
            # A store with hnsw_kwargs creates its index when first used; an empty add is that first use.
            _store(engines, table, dim, initialization_fail_on_error=True, hnsw_kwargs=dict(HNSW_BUILD)).add([])
            sql_table = DATA_PREFIX + table
            with engines[0].begin() as conn:
                row_ids = dict(conn.execute(sa.text(f'SELECT node_id, id FROM "{sql_table}"')).all())
                ids = np.array([row_ids[c.chunk_id] for c in chunks], dtype=np.int64)
                conn.execute(sa.text(BM25_POSTINGS.format(postings=sql_table + BM25_SUFFIX)))
                cursor = conn.connection.cursor()
                rows = ((p.word, ids[p.rows].tolist(), p.scores.tolist()) for p in postings)
                execute_values(
                    cursor,
                    f'INSERT INTO "{sql_table}{BM25_SUFFIX}" (word, ids, scores) VALUES %s',
                    rows,
                    page_size=1000,
                )
                conn.execute(sa.text(f'ANALYZE "{sql_table}"; ANALYZE "{sql_table}{BM25_SUFFIX}"'))
    finally:
        engines[0].dispose()


def drop_tables(url: str, tables: list[str]) -> None:
    """Drop builds' tables (superseded or failed builds); a failure is logged, never raised."""
    if not tables:
        return
    try:
        engine = _engines(url)[0]
    except StoreUnavailable as exc:
        log.warning("Could not drop Postgres table(s) %s: %s", ", ".join(tables), exc)
        return
    try:
        with engine.begin() as conn:
            for table in tables:
                conn.execute(
                    sa.text(f'DROP TABLE IF EXISTS "{DATA_PREFIX}{table}", "{DATA_PREFIX}{table}{BM25_SUFFIX}"')
                )
    except sa.exc.SQLAlchemyError as exc:
        log.warning("Could not drop Postgres table(s) %s: %s", ", ".join(tables), exc)
    finally:
        engine.dispose()


def _literal(value: str) -> str:
    """A filter value as the store splices it into SQL text: quotes doubled, a colon escaped from SQLAlchemy's
    bind-parameter syntax (the store writes IN lists as literals, not parameters)."""
    return value.replace("'", "''").replace(":", "\\:")


def pg_filters(kommun: list[str], doc_ids: list[str], years: list[int]) -> MetadataFilters | None:
    """The filters as the store's metadata filters on the indexed columns (all must hold)."""
    filters = [
        MetadataFilter(key=key, value=[_literal(str(v)) for v in values], operator=FilterOperator.IN)
        for key, values in (("kommun", kommun), ("doc", doc_ids), ("year", years))
        if values
    ]
    return MetadataFilters(filters=filters) if filters else None


class PgSearcher:
    """Dense and full-text candidates of one build's table."""

    def __init__(self, url: str, table: str, dim: int, tokenize: Callable[[str], list[str]] = query_tokens) -> None:
        self.url = url
        self.table = table
        self._engines = [_engines(url), _engines(url, options=EXACT_OPTIONS)]
        search = {"hnsw_ef_search": HNSW_EF_SEARCH}
        self.graph = _store(self._engines[0], table, dim, perform_setup=False, hnsw_kwargs=search).use_tokens(tokenize)
        # Filtered nearest-neighbour search must be exact: an HNSW walk keeps ef_search rows and filters after,
        # which leaves too few for a narrow filter. Without index scans Postgres reads the filtered rows through
        # the btree columns (a bitmap scan) and sorts them by distance. See EXACT_OPTIONS for the full-text side.
        self.exact = _store(self._engines[1], table, dim, perform_setup=False).use_tokens(tokenize)
        self.rows = EXACT_UNFILTERED_MAX + 1  # the graph until ``count`` has seen the table

    def count(self) -> int:
        """Rows in the table; StoreUnavailable when Postgres cannot be reached, 0 when the table is missing."""
        with reachable(self.url, "nås"):
            with self._engines[0][0].connect() as conn:
                exists = conn.execute(sa.text("SELECT to_regclass(:t)"), {"t": DATA_PREFIX + self.table}).scalar()
                if exists is None:
                    return 0
                self.rows = int(
                    conn.execute(sa.text(f'SELECT count(*) FROM "{DATA_PREFIX}{self.table}"')).scalar() or 0
                )
                return self.rows

    def search(
        self, query: str, vector: list[float], n: int, filters: MetadataFilters | None
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """(chunk id, cosine similarity) and (chunk id, full-text rank) pairs, best first."""
        # Exact for a small table too, as the default backend searches (see EXACT_UNFILTERED_MAX).
        store = self.exact if filters is not None or self.rows <= EXACT_UNFILTERED_MAX else self.graph
        with reachable(self.url, "söka"):
            dense = store.query(VectorStoreQuery(query_embedding=vector, similarity_top_k=n, filters=filters))
            sparse = store.query(
                VectorStoreQuery(query_str=query, sparse_top_k=n, filters=filters, mode=VectorStoreQueryMode.SPARSE)
            )
        return (
            list(zip(dense.ids or [], (float(s) for s in dense.similarities or []), strict=True)),
            list(zip(sparse.ids or [], (float(s) for s in sparse.similarities or []), strict=True)),
        )

    def close(self) -> None:
        for engine, _ in self._engines:
            engine.dispose()
