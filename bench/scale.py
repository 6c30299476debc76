"""Scale run: 100,000 synthetic chunks (synthetic vectors, real BM25 text) through the real build path.

Reports build time, search p95 (unfiltered and filtered) and peak memory.
Targets: search p95 under 250 ms, peak memory under 3 GB.
Run: python -m bench.scale [N]
"""

from __future__ import annotations

import random
import shutil
import sys
import time

import numpy as np

import corpus
import index
from bench.common import peak_rss_mb, questions, scratch_settings, summary
from index.builder import write_build
from index.chunking import Chunk

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


def synthetic_chunks(n: int, seed: int = 7) -> list[Chunk]:
    """Chunks whose text is drawn from the shipped corpus' vocabulary, ~150 words each."""
    rng = random.Random(seed)
    words = " ".join(d.text for d in corpus.load()).split()
    chunks = []
    for i in range(n):
        start = rng.randrange(0, len(words) - 150)
        text = " ".join(words[start : start + 150])
        kommun = KOMMUNER[i % len(KOMMUNER)]
        doc = f"syntetisk-{i // 50:05d}"
        chunks.append(
            Chunk(
                f"s{i:07d}",
                doc,
                f"Syntetiskt dokument {i // 50}",
                kommun,
                2020 + i % 6,
                ["Avsnitt", f"Del {i % 50}"],
                text,
                0,
                len(text),
                1 + i % 30,
                1 + i % 30,
            )
        )
    return chunks


def main(n: int = 100_000) -> None:
    settings = scratch_settings("scale")
    try:
        t = time.perf_counter()
        chunks = synthetic_chunks(n)
        rng = np.random.default_rng(7)
        vectors = rng.standard_normal((n, 384), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        print(f"generated {n} chunks in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        documents = {c.doc_id: {"hash": "", "title": c.title, "kommun": c.kommun, "chunks": 50} for c in chunks[::50]}
        write_build(settings, chunks, vectors, documents, [])
        print(f"build (Chroma + BM25 + chunk table): {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        ix = index.open(settings)
        print(f"open: {time.perf_counter() - t:.1f} s")
        qs = questions()[:100]
        for q in qs[:5]:
            ix.search(q)
        for label, filters in (
            ("unfiltered", None),
            ("filtered kommun", index.Filters(kommun=["Borås"])),
            ("filtered kommun+year", index.Filters(kommun=["Borås", "Lerum"], years=[2024])),
        ):
            times = []
            for q in qs * 2:
                t = time.perf_counter()
                ix.search(q, filters=filters)
                times.append((time.perf_counter() - t) * 1000)
            print(f"search {label}: {summary(times)}")
        print(f"peak memory (RSS): {peak_rss_mb():.0f} MB")
    finally:
        shutil.rmtree(settings.data_dir.parent, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
