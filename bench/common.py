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
NEW_QUESTIONS_FILE = ROOT / "evals" / "sets" / "questions.jsonl"  # other questions, in other words


def scratch_settings(name: str, **overrides) -> Settings:
    """Settings whose data and cache live in a fresh temporary folder (cold start)."""
    root = Path(tempfile.mkdtemp(prefix=f"namnd-bench-{name}-"))
    return Settings(data_dir=root / "data", cache_dir=root / "cache", **overrides)


def questions(path: Path = QUESTIONS_FILE) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


def summary(values_ms: list[float]) -> str:
    return (
        f"n={len(values_ms)} p50={percentile(values_ms, 50):.1f} ms p95={percentile(values_ms, 95):.1f} ms "
        f"max={max(values_ms):.1f} ms"
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def launch_app(env: dict[str, str] | None = None, log_path: Path | None = None, timeout: float = 300):
    """Start `python app.py` on a free 127.0.0.1 port and wait until it serves; returns (process, url).

    ``env`` entries are added to this process's environment. The caller stops it with ``stop_app``.
    """
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = log_path.open("wb") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **(env or {})},
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code in (200, 401):
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_app(proc)
    raise RuntimeError("the app did not start in time")


def stop_app(proc) -> None:
    import subprocess

    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
