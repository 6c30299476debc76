"""Warm `ask` latency (extractive) over 200 questions, next to bare `search` latency.

Target (2 cores): ask p95 under 250 ms. The first pass over the questions warms the
process (as a running server is); the measured passes are warm. A repeated question's vector is
kept (index/searcher.QUERY_VECTORS_KEPT), so the same process is also timed on questions it has
not seen: the evaluation set's, each once.
Run: python -m bench.ask_latency

First-time mode (targets: p95 150 ms first-time, 40 ms warm): a fresh process with an empty
cache folder asks each question of the dev set once, then again.
Run: python -m bench.ask_latency --first-time
"""

from __future__ import annotations

import argparse
import itertools
import time

import index
from assistant import ask
from bench.common import NEW_QUESTIONS_FILE, QUESTIONS_FILE, questions, summary
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
    new_ms = []
    for q in dict.fromkeys(questions(NEW_QUESTIONS_FILE)):
        t = time.perf_counter()
        ask(q, settings=settings, index=ix)
        new_ms.append((time.perf_counter() - t) * 1000)
    print(f"ask, questions this process has not seen: {summary(new_ms)}")


def first_time() -> None:
    from evals.latency import measure

    settings = get_settings().model_copy(update={"answer_mode": "extractive"})
    index.ensure(settings)
    measured = measure(QUESTIONS_FILE, "all", settings)
    print(f"first-time ask (fresh process, empty cache): {summary(measured['first_ms'])}")
    print(f"warm ask (same process, second pass):        {summary(measured['warm_ms'])}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.ask_latency")
    parser.add_argument("--first-time", action="store_true", help="fresh process, empty cache, each question once")
    first_time() if parser.parse_args().first_time else main()
