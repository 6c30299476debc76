"""Scale run: 100,000 chunks of real committee text through the real build path, then searched.

The chunks are the evaluation corpus's and the shipped corpus's own chunks (real text, chunked as a build
chunks it), laid out again and again as the meetings of ten municipalities' committees over eight years.
Their vectors are real where the embedding cache holds them (a sample is embedded now, which also measures the
embedding rate) and reused from another real chunk for the rest, with a little noise so no two are identical.
Searches run unfiltered, by municipality, by municipality and year, and by one committee meeting (its
documents), with the questions of the shipped evaluation set.

Targets (2 cores, default backend): search p95 <= 60 ms unfiltered and <= 150 ms under every filter,
max <= 300 ms; peak memory <= 2 GB.

With ``--backend postgres`` the build goes into PostgreSQL: the server NAMND_PG_URL names, else a throwaway
cluster started for the run (then the server's memory is measured too: the peak over the run of the summed
proportional set size, PSS, of the postmaster and its backends, so shared buffers count once).
Run: python -m bench.scale [--chunks N] [--backend chroma|postgres] [--json]   (with --json the last line is one
JSON object)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import threading
import time
from contextlib import ExitStack
from dataclasses import replace

import numpy as np

import corpus
import index
from bench.common import peak_rss_mb, questions, scratch_settings
from bench.pgcluster import ThrowawayCluster
from evals.metrics import percentile
from index import pgstore
from index.builder import document_chunks, write_build
from index.chunking import Chunk
from index.embedcache import EmbeddingCache, text_key
from index.embedders import embedder_id, make_embedder
from settings import ROOT, Settings

KOMMUNER = [
    "Alingsås",
    "Svenljunga",
    "Borås",
    "Lerum",
    "Vårgårda",
    "Herrljunga",
    "Ulricehamn",
    "Mark",
    "Tranemo",
    "Bollebygd",
]
YEARS = list(range(2019, 2027))
SOURCES = [
    (ROOT / "evals" / "corpus" / "documents", ROOT / "evals" / "corpus" / "catalog.toml"),
    (ROOT / "corpus" / "documents", ROOT / "corpus" / "catalog.toml"),
]
EMBED_SAMPLE = 64  # real chunks embedded now, to measure the rate
NOISE = 0.02  # per-dimension noise on a reused vector, so copies are near, not identical


def real_chunks(settings: Settings) -> list[tuple[corpus.Document, list[Chunk]]]:
    """The real documents and their chunks, as a build makes them."""
    out = []
    for folder, catalog in SOURCES:
        for doc in corpus.load(folder, catalog):
            out.append((doc, document_chunks(doc, settings)))
    return out


def real_vectors(settings: Settings, chunks: list[Chunk], sample: int) -> tuple[np.ndarray, float]:
    """A vector per chunk: the cached real one, a sample embedded now, else a real one reused; and the rate."""
    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite", embedder_id(settings))
    texts = [c.indexed_text for c in chunks]
    found = cache.get_many(texts)
    rng = random.Random(7)
    todo = rng.sample(texts, min(sample, len(texts)))
    embedder = make_embedder(settings)
    embedder.get_text_embedding_batch(["uppvärmning"])  # the model is loaded before the clock starts
    started = time.perf_counter()
    for i in range(0, len(todo), settings.embed_batch_size):
        batch = todo[i : i + settings.embed_batch_size]
        found.update(
            {
                text_key(t): np.asarray(v, dtype=np.float32)
                for t, v in zip(batch, embedder.get_text_embedding_batch(batch), strict=True)
            }
        )
    rate = len(todo) / (time.perf_counter() - started)
    known = list(found.values())
    vectors = np.stack([found.get(text_key(t), known[rng.randrange(len(known))]) for t in texts])
    print(f"{len(chunks)} real chunks, {sum(text_key(t) in found for t in texts)} with their own real vector")
    return vectors.astype(np.float32), rate


def scaled(
    docs: list[tuple[corpus.Document, list[Chunk]]], vectors: np.ndarray, n: int
) -> tuple[list[Chunk], np.ndarray, dict[str, dict], dict[tuple[str, str], list[str]]]:
    """``n`` chunks: the real documents again and again as other municipalities' meetings; the documents'
    manifest records; and each meeting's (committee, date) documents."""
    rng = np.random.default_rng(7)
    chunks: list[Chunk] = []
    rows: list[int] = []
    documents: dict[str, dict] = {}
    meetings: dict[tuple[str, str], list[str]] = {}
    offsets = np.cumsum([0] + [len(c) for _, c in docs])
    copy = 0
    while len(chunks) < n:
        for j, (doc, doc_chunks) in enumerate(docs):
            if len(chunks) >= n:
                break
            kommun = KOMMUNER[(copy + j) % len(KOMMUNER)]
            year = YEARS[copy % len(YEARS)]
            datum = f"{year}-{1 + (copy // len(YEARS)) % 12:02d}-{10 + j % 18:02d}"
            doc_id = f"{kommun}-{copy:04d}-{doc.doc_id}"
            title = f"{doc.doc_type}, {doc.committee}, {datum}"
            taken = doc_chunks[: n - len(chunks)]
            for i, c in enumerate(taken):
                chunks.append(
                    replace(
                        c, chunk_id=f"{copy:04d}-{j:03d}-{i:04d}", doc_id=doc_id, title=title, kommun=kommun, year=year
                    )
                )
                rows.append(int(offsets[j]) + i)
            documents[doc_id] = {
                "hash": "",
                "title": title,
                "kommun": kommun,
                "committee": doc.committee,
                "date": datum,
                "chunks": len(taken),
            }
            meetings.setdefault((f"{kommun} {doc.committee}", datum), []).append(doc_id)
        copy += 1
    out = vectors[rows] + rng.normal(0, NOISE, (len(rows), vectors.shape[1])).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return chunks, out.astype(np.float32), documents, meetings


def timed_searches(ix: index.Index, qs: list[str], filters: list[index.Filters | None]) -> list[float]:
    times = []
    for q, f in zip(qs, filters, strict=True):
        t = time.perf_counter()
        ix.search(q, filters=f)
        times.append((time.perf_counter() - t) * 1000)
    return times


class ServerMemory:
    """The peak memory of a Postgres server's processes, sampled twice a second in a thread while the run lasts."""

    def __init__(self, cluster: ThrowawayCluster) -> None:
        self.cluster = cluster
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.peak_mb = max(self.peak_mb, self.cluster.server_pss_mb())

    def __enter__(self) -> ServerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--backend", choices=["chroma", "postgres"], default="chroma")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object, last")
    args = parser.parse_args(argv)

    with ExitStack() as stack:
        pg_url = Settings().pg_url
        memory = None
        if args.backend == "postgres" and not pg_url:
            cluster = stack.enter_context(ThrowawayCluster())
            memory = stack.enter_context(ServerMemory(cluster))
            pg_url = cluster.url
        figures = run(args.chunks, pg_url if args.backend == "postgres" else None)
        if memory is not None:
            stack.close()  # the last sample taken, the cluster stopped
            figures["server_peak_rss_mb"] = round(memory.peak_mb)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))


def run(n: int, pg_url: str | None) -> dict:
    """Build ``n`` chunks into the default backend, or into Postgres at ``pg_url``, and time searches."""
    settings = scratch_settings("scale").model_copy(update={"cache_dir": Settings().cache_dir, "pg_url": pg_url})
    try:
        docs = real_chunks(settings)
        vectors, rate = real_vectors(settings, [c for _, cs in docs for c in cs], EMBED_SAMPLE)
        print(f"embedding: {rate:.1f} chunks/s")
        chunks, matrix, documents, meetings = scaled(docs, vectors, n)
        del vectors
        t = time.perf_counter()
        write_build(settings, chunks, matrix, documents, [])
        build_s = time.perf_counter() - t
        print(f"build of {len(chunks)} chunks ({'Postgres' if pg_url else 'Chroma'} + BM25 + tables): {build_s:.1f} s")
        del chunks, matrix
        t = time.perf_counter()
        ix = index.open(settings)
        print(f"open: {time.perf_counter() - t:.1f} s")

        rng = random.Random(11)
        qs = questions() * 2
        by_meeting = [m for m in meetings.values()]
        cases = {
            "unfiltered": [None] * len(qs),
            "kommun": [index.Filters(kommun=[rng.choice(KOMMUNER)]) for _ in qs],
            "kommun_year": [index.Filters(kommun=[rng.choice(KOMMUNER)], years=[rng.choice(YEARS)]) for _ in qs],
            "namnd_datum": [index.Filters(doc_ids=rng.choice(by_meeting)) for _ in qs],
        }
        timed_searches(ix, qs[:5], [None] * 5)  # warm-up: the query model and the stores' first reads
        p95: dict[str, float] = {}
        worst = 0.0
        for label, filters in cases.items():
            times = timed_searches(ix, qs, filters)
            p95[label] = round(percentile(times, 95), 1)
            worst = max(worst, max(times))
            print(
                f"search {label}: p50 {percentile(times, 50):.1f} ms, p95 {p95[label]:.1f} ms, max {max(times):.1f} ms"
            )
        figures = {
            "backend": "postgres" if pg_url else "chroma+bm25",
            "chunks": ix.manifest["chunk_count"],
            "build_s": round(build_s, 1),
            "search_p95_ms": p95,
            "search_max_ms": round(worst, 1),
            "peak_rss_mb": round(peak_rss_mb()),
            "embed_chunks_per_s": round(rate, 2),
        }
        print(f"peak memory (RSS): {figures['peak_rss_mb']} MB; load average {os.getloadavg()[0]:.1f} on 2 cores")
        if pg_url:
            ix.pg.close()
            pgstore.drop_tables(pg_url, [ix.manifest["pg_table"]])
        return figures
    finally:
        shutil.rmtree(settings.data_dir.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
