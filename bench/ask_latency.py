"""Warm `ask` latency (extractive) over 200 questions, next to bare `search` latency.

Target (2 cores): ask p95 under 250 ms. The first pass over the questions fills the
sentence-vector cache (as a running server does); the measured passes are warm.
Run: python -m bench.ask_latency
"""

from __future__ import annotations

import itertools
import time

import index
from assistant import ask
from bench.common import questions, summary
from settings import get_settings


def main(n: int = 200) -> None:
    settings = get_settings().model_copy(update={"answer_mode": "extractive"})
    ix = index.ensure(settings)
    qs = list(itertools.islice(itertools.cycle(questions()), n))
    t = time.perf_counter()
    for q in dict.fromkeys(qs):
        ask(q, settings=settings, index=ix)
    print(f"warm-up over {len(set(qs))} distinct questions: {time.perf_counter() - t:.1f} s")
    search_ms, ask_ms, answer_ms = [], [], []
    for q in qs:
        t = time.perf_counter()
        ix.search(q, k=settings.answer_passages)
        search_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        answer = ask(q, settings=settings, index=ix)
        ask_ms.append((time.perf_counter() - t) * 1000)
        answer_ms.append(answer.timings_ms.get("answer", 0.0))
    print(f"search: {summary(search_ms)}")
    print(f"ask:    {summary(ask_ms)}")
    print(f"answer composition alone: {summary(answer_ms)}")


if __name__ == "__main__":
    main()
