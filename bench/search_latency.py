"""Warm search latency over 200 queries (the dev-set questions, cycled), unfiltered and filtered.

Target (2 cores): p95 under 100 ms.
Run: python -m bench.search_latency
"""

from __future__ import annotations

import itertools
import time

import index
from bench.common import questions, summary
from settings import get_settings


def main(n: int = 200) -> None:
    ix = index.ensure(get_settings(), progress=True)
    qs = list(itertools.islice(itertools.cycle(questions()), n))
    for q in qs[:5]:
        ix.search(q)  # warm-up
    plain, filtered = [], []
    for q in qs:
        t = time.perf_counter()
        ix.search(q)
        plain.append((time.perf_counter() - t) * 1000)
    for q in qs:
        t = time.perf_counter()
        ix.search(q, filters=index.Filters(kommun=["Alingsås"]))
        filtered.append((time.perf_counter() - t) * 1000)
    print(f"search, {len(ix.chunks)} chunks: {summary(plain)}")
    print(f"search filtered to one municipality: {summary(filtered)}")


if __name__ == "__main__":
    main()
