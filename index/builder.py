"""Building the index: incremental (only changed documents are embedded) and atomic."""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

import corpus
from corpus.catalog import CatalogError
from corpus.decisions import Decision, register
from index import layout, pgstore
from index.bm25 import Posting, build_bm25, postings
from index.chunking import Chunk, catalog_chunk, chunk_document
from index.embedcache import EmbeddingCache
from index.embedders import embedder_id, make_embedder, manifest_model, model_identity
from index.embedding_service import EmbeddingServiceError
from index.units import UnitVectors, embed_units, unit_texts
from index.vectors import chroma_client, get_collection, normalised, read_vectors, write_chunks
from settings import Settings

log = logging.getLogger(__name__)


class BuildError(Exception):
    """The build could not finish; the previous index is untouched. Message in Swedish."""


@dataclass
class BuildReport:
    build_id: str | None
    up_to_date: bool = False
    documents: int = 0
    chunks: int = 0
    embedded: int = 0  # chunk texts that went through the embedder
    embedded_units: int = 0  # answer units (sentences, rows) that went through the embedder
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


# Bumped whenever chunking code changes what chunks contain, so existing indexes are rebuilt.
CHUNKER_VERSION = 22
BUILD_LOCK_TIMEOUT_S = 900.0  # a build waits this long for another one to finish
UNIT_CACHE_SUFFIX = ":sentence"  # unit vectors are cached apart from chunk vectors


def chunk_params(settings: Settings) -> dict[str, int]:
    """The chunking knobs, as chunk_document takes them."""
    return {
        "target_words": settings.chunk_target_words,
        "max_words": settings.chunk_max_words,
        "min_words": settings.chunk_min_words,
    }


def chunk_settings(settings: Settings) -> dict[str, int]:
    """What the manifest records about chunking: the knobs and the chunker's version."""
    return {"chunker_version": CHUNKER_VERSION, **chunk_params(settings)}


def _previous(settings: Settings) -> tuple[Path | None, dict[str, Any] | None]:
    try:
        build = layout.current_build(settings.index_dir)
        return (build, layout.read_manifest(build)) if build else (None, None)
    except layout.IndexDamaged as exc:
        log.warning("Previous index unreadable, building from scratch: %s", exc)
        return None, None


def build(settings: Settings, rebuild: bool = False, progress: bool = True) -> BuildReport:
    """Build or update the index from the corpus folder.

    Unchanged documents keep their vectors; only new or changed ones are embedded.
    A changed embedder or chunk setting, or ``rebuild``, starts over. The build is
    written to a fresh directory and swapped in atomically: a crash or error leaves
    the previous index serving.
    """
    with build_lock(settings):
        return build_under_lock(settings, rebuild, progress)


@contextmanager
def service_errors() -> Iterator[None]:
    """An embeddings endpoint's failure as a BuildError: the previous index keeps serving."""
    try:
        yield
    except EmbeddingServiceError as exc:
        raise BuildError(f"{exc} Det tidigare indexet är oförändrat.") from exc


@contextmanager
def build_lock(settings: Settings, timeout_s: float = BUILD_LOCK_TIMEOUT_S) -> Iterator[None]:
    """One build at a time across processes: a build waits for the one running, then reads the corpus afresh,
    so a document added meanwhile is never left out by a build that started before it."""
    try:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        handle = (settings.index_dir / layout.BUILD_LOCK).open("a")
    except OSError as exc:
        raise BuildError(_unwritable(settings, exc)) from exc
    with handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BuildError(
                        "Ett annat bygge av indexet pågår fortfarande. Försök igen om en stund; "
                        "det tidigare indexet används under tiden."
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _unwritable(settings: Settings, exc: OSError) -> str:
    reason = "disken är full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    return f"Indexet kunde inte skrivas till {settings.index_dir} ({reason}). Det tidigare indexet är oförändrat."


@dataclass
class Previous:
    """The build now serving, as far as a new build can reuse it."""

    build_dir: Path | None
    manifest: dict[str, Any] | None
    same_setup: bool  # same embedder, chunking and vector store: its vectors can be carried over

    @property
    def hashes(self) -> dict[str, str]:
        return {k: v["hash"] for k, v in (self.manifest or {}).get("documents", {}).items()}


def read_corpus(settings: Settings) -> tuple[list[corpus.Document], list[str], list[str]]:
    """Step 1: the corpus's documents, the errors of files that could not be read, and those files' names."""
    try:
        docs = corpus.load(settings.corpus_dir, settings.catalog_file)
    except CatalogError as exc:
        raise BuildError(f"{exc.reason} Rätta {exc.path}; det tidigare indexet är oförändrat.") from exc
    errors = [str(e) for e in docs.errors]
    if not docs:
        raise BuildError(
            "Inga dokument kunde läsas från " + str(settings.corpus_dir) + (": " + "; ".join(errors) if errors else ".")
        )
    return list(docs), errors, sorted(e.path.name for e in docs.errors)


def previous_build(settings: Settings) -> Previous:
    """Step 2: the build now serving, and whether it was made with the same embedder, chunking and store."""
    prev_dir, prev = _previous(settings)
    same_setup = (
        bool(prev)
        and manifest_model(prev) == model_identity(settings)
        and prev["chunking"] == chunk_settings(settings)
        and manifest_store(prev) == store_identity(settings)
    )
    return Previous(prev_dir, prev, same_setup)


def store_identity(settings: Settings) -> str:
    """Where a build made with these settings keeps its vectors: a Postgres server, a Chroma server or local."""
    if settings.pg_url:
        return f"{pgstore.STORE}:{pgstore.where(settings.pg_url)}"
    return settings.chroma_url or "local"


def manifest_store(manifest: dict[str, Any]) -> str:
    """``store_identity`` of the settings a build was made with, from its manifest."""
    if manifest.get("store") == pgstore.STORE:
        return f"{pgstore.STORE}:{manifest['pg_server']}"
    return manifest["chroma"]


def reuse_vectors(
    settings: Settings, previous: Previous, docs: list[corpus.Document], chunks_by_doc: dict[str, list[Chunk]]
) -> dict[str, np.ndarray]:
    """Step 4: vectors of unchanged documents, read from the previous build (empty when none can be reused)."""
    if not previous.same_setup or previous.build_dir is None or previous.manifest is None:
        return {}
    if previous.manifest.get("store") == pgstore.STORE:
        return {}  # the embedding cache holds every vector of a Postgres build's texts
    prev_hashes = previous.hashes
    keep = [c.chunk_id for d in docs if prev_hashes.get(d.doc_id) == d.content_hash for c in chunks_by_doc[d.doc_id]]
    try:
        client = chroma_client(settings, previous.build_dir / layout.CHROMA_DIR)
        return read_vectors(get_collection(client, previous.manifest["collection"]), keep)
    except Exception as exc:  # a damaged previous store only costs re-embedding
        log.warning("Could not reuse previous vectors: %s", exc)
        return {}


def embedding_cache(settings: Settings, suffix: str = "") -> EmbeddingCache:
    """The shared embedding cache for the configured embedder (``suffix`` separates unit vectors)."""
    try:
        return EmbeddingCache(settings.cache_dir / "embeddings.sqlite", embedder_id(settings) + suffix)
    except (OSError, sqlite3.Error) as exc:
        raise BuildError(f"Inbäddningscachen i {settings.cache_dir} kan inte skrivas ({exc}).") from exc


def embed_chunks(
    settings: Settings, chunks: list[Chunk], vectors: dict[str, np.ndarray], embedder: Any, progress: bool
) -> int:
    """Step 5: vectors for the chunks not in ``vectors`` (from the cache or the embedder), added to it in place.

    Returns how many chunk texts went through the embedder."""
    todo = [c for c in chunks if c.chunk_id not in vectors]
    cache = embedding_cache(settings)
    bar = tqdm(total=len(todo), desc="Bäddar in textavsnitt", unit="avsnitt", disable=not progress or not todo)
    matrix, embedded = cache.embed(
        [c.indexed_text for c in todo], embedder.get_text_embedding_batch, settings.embed_batch_size, bar.update
    )
    bar.close()
    for c, v in zip(todo, matrix, strict=False):
        vectors[c.chunk_id] = v
    return embedded


def check_dimensions(settings: Settings, previous: Previous, vectors: dict[str, np.ndarray]) -> None:
    """Every vector of the build has one size, the size of the previous build's when its vectors are reused."""
    sizes = {v.shape[0] for v in vectors.values()}
    recorded = (previous.manifest or {}).get("dimension") if previous.same_setup else None
    if len(sizes) > 1 or (recorded and sizes and sizes != {recorded}):
        shown = ", ".join(str(s) for s in sorted(sizes | ({recorded} if recorded else set())))
        raise BuildError(
            f"Vektorerna har olika storlek ({shown} dimensioner) fast modellen {model_identity(settings)} är "
            "densamma. Kontrollera inbäddningstjänstens modell, eller bygg om med --rebuild. "
            "Det tidigare indexet är oförändrat."
        )


def document_records(docs: list[corpus.Document], chunks_by_doc: dict[str, list[Chunk]]) -> dict[str, dict[str, Any]]:
    """Step 7: what the manifest records about each document."""
    return {
        d.doc_id: {
            "hash": d.content_hash,
            "title": d.title,
            "kommun": d.municipality,
            "committee": d.committee,
            "doc_type": d.doc_type,
            "date": d.date,
            "reference": d.reference,
            "file": Path(d.path).name,
            "sections": len(d.sections),
            "chunks": len(chunks_by_doc[d.doc_id]),
            "outline": [[s.heading_path, s.page_start] for s in d.sections],
        }
        for d in docs
    }


def build_under_lock(settings: Settings, rebuild: bool = False, progress: bool = True) -> BuildReport:
    """``build`` for a caller that already holds ``build_lock`` (it is not re-entrant)."""
    started = time.perf_counter()
    docs, errors, skipped = read_corpus(settings)
    previous = previous_build(settings)
    if rebuild:
        previous.same_setup = False
    hashes = {d.doc_id: d.content_hash for d in docs}
    prev_hashes = previous.hashes
    report = BuildReport(build_id=None, documents=len(docs), errors=errors)
    report.added = sorted(set(hashes) - set(prev_hashes))
    report.removed = sorted(set(prev_hashes) - set(hashes))
    report.changed = sorted(k for k in hashes if k in prev_hashes and prev_hashes[k] != hashes[k])
    if previous.same_setup and hashes == prev_hashes:
        assert previous.manifest is not None
        report.up_to_date, report.build_id = True, previous.manifest["build_id"]
        report.chunks = previous.manifest["chunk_count"]
        report.seconds = time.perf_counter() - started
        return report

    chunks_by_doc = chunk_documents(docs, settings, report)
    docs = [d for d in docs if d.doc_id in chunks_by_doc]
    report.documents = len(docs)
    chunks = [c for d in docs for c in chunks_by_doc[d.doc_id]]

    # Vectors of unchanged documents come from the previous build; the rest from the cache or the embedder.
    vectors = reuse_vectors(settings, previous, docs, chunks_by_doc)
    embedder = make_embedder(settings)
    with service_errors():
        report.embedded = embed_chunks(settings, chunks, vectors, embedder, progress)
        units, report.embedded_units = embed_answer_units(
            settings, chunks, previous.build_dir if previous.same_setup else None, embedder, progress
        )
    check_dimensions(settings, previous, vectors)
    documents = document_records(docs, chunks_by_doc)
    try:
        build_id = write_build(
            settings,
            chunks,
            np.stack([vectors[c.chunk_id] for c in chunks]),
            documents,
            errors,
            previous.build_dir,
            previous.manifest,
            decisions=register(docs),
            skipped=skipped,
            units=units,
        )
    except OSError as exc:
        raise BuildError(_unwritable(settings, exc)) from exc
    report.build_id = build_id
    report.chunks = len(chunks)
    report.seconds = time.perf_counter() - started
    return report


def embed_answer_units(
    settings: Settings, chunks: list[Chunk], prev_dir: Path | None, embedder: Any, progress: bool
) -> tuple[UnitVectors, int]:
    """Step 6: vectors of every answer unit, so no question has to embed one; and how many were embedded now."""
    previous = UnitVectors([], np.zeros((0, 0), dtype=np.float32))
    if prev_dir is not None:
        try:
            previous = UnitVectors.read(prev_dir)
        except (OSError, ValueError) as exc:  # a damaged previous file only costs re-embedding
            log.warning("Could not reuse previous unit vectors: %s", exc)
    cache = embedding_cache(settings, UNIT_CACHE_SUFFIX)
    texts = unit_texts(chunks)
    total = sum(1 for t in texts if previous.get(t) is None)
    bar = tqdm(total=total, desc="Bäddar in meningar", unit="meningar", disable=not progress or not total)
    units, embedded = embed_units(
        texts, previous, cache, embedder.get_text_embedding_batch, settings.embed_batch_size, bar.update
    )
    bar.close()
    return units, embedded


def chunk_documents(docs: list[corpus.Document], settings: Settings, report: BuildReport) -> dict[str, list[Chunk]]:
    """Step 3: each document's chunks; a document whose id or chunk ids clash with an earlier one is reported
    and skipped."""
    chunks_by_doc: dict[str, list[Chunk]] = {}
    seen: set[str] = set()
    for d in docs:
        doc_chunks = document_chunks(d, settings)
        ids = {c.chunk_id for c in doc_chunks}
        if d.doc_id in chunks_by_doc or ids & seen or len(ids) < len(doc_chunks):
            report.errors.append(f"{d.path}: dokument-id {d.doc_id} krockar med ett annat dokument; hoppades över.")
            continue
        seen |= ids
        chunks_by_doc[d.doc_id] = doc_chunks
    return chunks_by_doc


def document_chunks(doc: corpus.Document, settings: Settings) -> list[Chunk]:
    """One document's chunks: its catalog chunk (when it has metadata to show) and its section chunks."""
    extra = catalog_chunk(doc)
    return ([extra] if extra else []) + chunk_document(doc, **chunk_params(settings))


def write_build(
    settings: Settings,
    chunks: list[Chunk],
    vectors: np.ndarray,
    documents: dict[str, dict[str, Any]],
    errors: list[str],
    prev_dir: Path | None = None,
    prev: dict[str, Any] | None = None,
    decisions: list[Decision] | None = None,
    skipped: list[str] | None = None,
    units: UnitVectors | None = None,
) -> str:
    """Step 8: write chunks and vectors as a new build directory and swap it in atomically; returns the build id."""
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    out = layout.builds_dir(settings.index_dir) / build_id
    collection_name = f"{settings.chroma_collection}_{build_id.replace('-', '_')}"
    table = pgstore.table_name(build_id) if settings.pg_url else None
    out.mkdir(parents=True)
    try:
        # Also for a Postgres build: its full-text postings come from this model, and the answer step reads the
        # model's vocabulary and document frequencies.
        bm25 = build_bm25(chunks, out / layout.BM25_DIR)
        if settings.pg_url and table:
            write_postgres(settings.pg_url, table, chunks, vectors, postings(bm25))
        else:
            client = chroma_client(settings, out / layout.CHROMA_DIR)
            collection = get_collection(client, collection_name, create=True)
            write_chunks(client, collection, chunks, vectors)
        write_tables(out, chunks, vectors, decisions or [], units)
        manifest = {
            "version": layout.MANIFEST_VERSION,
            "build_id": build_id,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "embedder": embedder_id(settings),
            "model": model_identity(settings),
            "dimension": int(vectors.shape[1]) if vectors.ndim == 2 else 0,
            "chunking": chunk_settings(settings),
            **store_record(settings, collection_name, table),
            "chunk_count": len(chunks),
            "unit_count": len(units) if units is not None else 0,
            "documents": documents,
            "errors": errors,
            "skipped": skipped or [],  # corpus files that could not be read (so a start does not retry them)
        }
        layout.write_json(out / layout.MANIFEST, manifest)
        layout.switch_current(settings.index_dir, out)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        if settings.pg_url and table:
            pgstore.drop_tables(settings.pg_url, [table])
        elif settings.chroma_url:
            _drop_collection(settings, collection_name)
        raise
    # Keep the previous build: a reader that opened it moments ago can finish its request.
    keep = {out.name} | ({prev_dir.name} if prev_dir is not None else set())
    old_tables = layout.removed_tables(settings.index_dir, keep, pgstore.table_name if settings.pg_url else None)
    layout.remove_old_builds(settings.index_dir, keep)
    if settings.pg_url:
        pgstore.drop_tables(settings.pg_url, old_tables)
    if settings.chroma_url and prev and not settings.pg_url:
        _drop_old_collections(settings, {collection_name, prev.get("collection", "")})
    return build_id


def write_postgres(
    url: str, table: str, chunks: list[Chunk], vectors: np.ndarray, full_text: Iterable[Posting]
) -> None:
    """The vectors and the full-text index in the build's own Postgres table; unreachable = BuildError."""
    try:
        pgstore.write_table(url, table, chunks, vectors, full_text)
    except pgstore.StoreUnavailable as exc:
        raise BuildError(f"{exc} Det tidigare indexet är oförändrat.") from exc


def store_record(settings: Settings, collection: str, table: str | None) -> dict[str, Any]:
    """What the manifest says about where the vectors live (a Postgres server by host and database only)."""
    if settings.pg_url and table:
        return {
            "store": pgstore.STORE,
            "pg_table": table,
            "pg_server": pgstore.where(settings.pg_url),
        }
    return {"store": "chroma", "chroma": settings.chroma_url or "local", "collection": collection}


def write_tables(
    out: Path, chunks: list[Chunk], vectors: np.ndarray, decisions: list[Decision], units: UnitVectors | None
) -> None:
    """The chunk table and its vector matrix, the unit vectors and the decision register of a build directory."""
    np.save(out / layout.VECTORS, normalised(np.asarray(vectors, dtype=np.float32)))
    with (out / layout.CHUNKS).open("w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
    if units is not None:
        units.write(out)
    with (out / layout.DECISIONS).open("w", encoding="utf-8") as fh:
        for d in decisions:
            fh.write(json.dumps(d.to_json(), ensure_ascii=False) + "\n")


def _drop_collection(settings: Settings, name: str) -> None:
    try:
        chroma_client(settings, None).delete_collection(name)
    except Exception as exc:
        log.warning("Could not drop Chroma collection %s: %s", name, exc)


def _drop_old_collections(settings: Settings, keep: set[str]) -> None:
    client = chroma_client(settings, None)
    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        if name.startswith(settings.chroma_collection + "_") and name not in keep:
            _drop_collection(settings, name)
