"""First-time and warm answer latency, measured in a fresh process.

First-time: a new process with an empty cache folder asks every question once (nothing it computes on first use
is there yet, and none of the questions was asked before). Warm: the same process asks them all again.

python -m evals.latency --set FILE [--split S] prints one JSON object: {"first_ms": [...], "warm_ms": [...]}.
The runner starts it with NAMND_CACHE_DIR pointing at a new empty folder.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from settings import ROOT, Settings, get_settings


def _ask_all(items: list[dict[str, Any]], settings: Settings, ix: Any) -> list[float]:
    from assistant import ask

    latencies = []
    for item in items:
        started = time.perf_counter()
        ask(item["question"], item["history"], settings=settings, index=ix)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.latency")
    parser.add_argument("--set", type=Path, required=True)
    parser.add_argument("--split", default="all")
    args = parser.parse_args(argv)
    import index
    from evals.dataset import load_set, select_split, uses_splits
    from evals.evalcorpus import eval_settings

    items = load_set(args.set)
    settings = get_settings()
    if uses_splits(items):
        items = select_split(items, args.split)
        settings = eval_settings(settings)
    ix = index.open(settings)
    first = _ask_all(items, settings, ix)
    warm = _ask_all(items, settings, ix)
    print(json.dumps({"first_ms": first, "warm_ms": warm}))
    return 0


def measure(set_file: Path, split: str, settings: Settings) -> dict[str, list[float]]:
    """Run the measurement in a fresh process with an empty cache folder; the index must already be built."""
    with tempfile.TemporaryDirectory(prefix="namnd-latency-") as cache:
        env = {**os.environ, "NAMND_CACHE_DIR": cache, "NAMND_DATA_DIR": str(settings.data_dir)}
        done = subprocess.run(
            [sys.executable, "-m", "evals.latency", "--set", str(set_file), "--split", split],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"latency measurement failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
