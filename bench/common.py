"""Helpers shared by the benchmarks: settings in a scratch folder, timing, memory."""

from __future__ import annotations

import json
import os
import resource
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from evals.metrics import percentile  # noqa: E402
from settings import ROOT, Settings  # noqa: E402

QUESTIONS_FILE = ROOT / "evals" / "sets" / "dev.jsonl"


def scratch_settings(name: str, **overrides) -> Settings:
    """Settings whose data and cache live in a fresh temporary folder (cold start)."""
    root = Path(tempfile.mkdtemp(prefix=f"namnd-bench-{name}-"))
    return Settings(data_dir=root / "data", cache_dir=root / "cache", **overrides)


def questions() -> list[str]:
    with QUESTIONS_FILE.open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


def summary(values_ms: list[float]) -> str:
    return (
        f"n={len(values_ms)} p50={percentile(values_ms, 50):.1f} ms p95={percentile(values_ms, 95):.1f} ms "
        f"max={max(values_ms):.1f} ms"
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
