"""Cold build of the shipped corpus (empty cache) and a rebuild with nothing changed.

Targets (2 cores): cold build under 45 s (the answers issue), unchanged rebuild under 3 s.
Run: python -m bench.build_speed
"""

from __future__ import annotations

import shutil
import time

import index
from bench.common import scratch_settings


def main() -> None:
    settings = scratch_settings("build")
    try:
        t = time.perf_counter()
        report = index.build(settings, progress=False)
        cold = time.perf_counter() - t
        print(
            f"cold build: {cold:.1f} s ({report.documents} documents, {report.chunks} chunks, "
            f"{report.embedded} embedded)"
        )
        t = time.perf_counter()
        again = index.build(settings, progress=False)
        print(f"rebuild, nothing changed: {time.perf_counter() - t:.2f} s (up to date: {again.up_to_date})")
        t = time.perf_counter()
        index.build(settings, rebuild=True, progress=False)
        print(f"forced full rebuild with warm embedding cache: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        index.open(settings)
        print(f"open index: {(time.perf_counter() - t) * 1000:.0f} ms")
    finally:
        shutil.rmtree(settings.data_dir.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
