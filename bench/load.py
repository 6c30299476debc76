"""Load test of the running chat over its HTTP API: concurrent users asking questions and follow-ups.

    python -m bench.load [--url URL | --start] [--users 20] [--seconds 60] [--upload FILE --upload-at 20]

Reports requests, errors and latency p50/p95/p99. With --upload, a document is uploaded through
the app while the load runs; the report says whether any request failed meanwhile and when the
new document was first cited. Target in extractive mode: zero errors and p95 under 1.5 s on 2 cores.
Traffic goes only to the given URL (127.0.0.1 by default) and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.common import launch_app, stop_app
from evals.metrics import percentile
from settings import ROOT

CONVERSATIONS = [
    ["Vad gör nämnden för elever med hög frånvaro?", "När började socialpedagogerna?"],
    ["Vad kostar matematiksatsningen?", "Och elevhälsopersonalen?"],
    ["Hur arbetar Alingsås med trygghet och studiero?", "Och i Svenljunga?"],
    ["Vad beslutade nämnden 2025-06-17 § 44?", "Och § 47?"],
    ["Vilken verksamhet har gjorts om till akutskola i Alingsås?", "Har de fått statsbidrag för den?"],
    ["Hur ofta träffas förvaltningens ledningsgrupp i Svenljunga?"],
    ["Vilket diarienummer har uppföljningen per april?"],
    ["Vad tycker vårdnadshavarna om skolmaten?"],
    ["Vilka mål har Svenljunga för vuxenutbildningen?", "Hur ska det följas upp?"],
]


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    during_upload_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float | None, error: str | None, uploading: bool) -> None:
        with self.lock:
            if error is None:
                self.latencies.append(ms or 0.0)
            else:
                self.errors.append(error)
                if uploading:
                    self.during_upload_errors += 1


def ask_once(client: httpx.Client, url: str, question: str, history: list[dict]) -> dict:
    """One question through the app's /fraga endpoint (Gradio's two-step REST call)."""
    r = client.post(f"{url}/gradio_api/call/fraga", json={"data": [question, history, [], []]})
    r.raise_for_status()
    event_id = r.json()["event_id"]
    event = None
    with client.stream("GET", f"{url}/gradio_api/call/fraga/{event_id}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError(f"app error: {line[5:].strip()[:200]}")
                data = json.loads(line[5:])
                answer = data[0] if isinstance(data, list) else data
                if not isinstance(answer, dict) or not isinstance(answer.get("answer"), str):
                    raise RuntimeError("malformed answer")
                return answer
    raise RuntimeError("stream ended without an answer")


def user(url: str, stop: float, stats: Stats, uploading: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(timeout=30) as client:
        while time.time() < stop:
            history: list[dict] = []
            for question in rng.choice(CONVERSATIONS):
                if time.time() >= stop:
                    return
                during = uploading.is_set()
                started = time.perf_counter()
                try:
                    answer = ask_once(client, url, question, history)
                    stats.add((time.perf_counter() - started) * 1000, None, during)
                    history += [
                        {"role": "user", "content": question},
                        {"role": "assistant", "content": answer["answer"]},
                    ]
                except Exception as exc:  # every failure counts as an error of the run
                    stats.add(None, f"{type(exc).__name__}: {exc}", during)


def upload_during_load(
    url: str, path: Path, stats_out: dict, uploading: threading.Event, stop: float, probe: str, title: str
) -> None:
    from gradio_client import Client, handle_file

    uploading.set()
    started = time.perf_counter()
    try:
        status = Client(url, verbose=False).predict(handle_file(str(path)), "", "Testby", "", api_name="/ladda_upp")
        stats_out["upload_status"] = status
        stats_out["upload_seconds"] = time.perf_counter() - started
    except Exception as exc:
        stats_out["upload_status"] = f"failed: {exc}"
    finally:
        uploading.clear()
    with httpx.Client(timeout=30) as client:
        while time.time() < stop:
            answer = ask_once(client, url, probe, [])
            if any(c["title"] == title for c in answer["citations"]):
                stats_out["searchable_after_s"] = time.perf_counter() - started
                return
            time.sleep(0.5)


def run(
    url: str,
    users: int = 20,
    seconds: float = 60,
    upload: Path | None = None,
    upload_at: float = 20,
    probe: str = "",
    title: str = "",
) -> dict:
    """Drive the app and return the figures (also used by the test suite with a short run)."""
    stats = Stats()
    uploading = threading.Event()
    stop = time.time() + seconds
    threads = [threading.Thread(target=user, args=(url, stop, stats, uploading, i), daemon=True) for i in range(users)]
    upload_info: dict = {}
    for t in threads:
        t.start()
    if upload:
        time.sleep(min(upload_at, seconds / 3))
        up = threading.Thread(target=upload_during_load, args=(url, upload, upload_info, uploading, stop, probe, title))
        up.start()
        up.join(timeout=seconds + 60)
    for t in threads:
        t.join(timeout=seconds + 60)
    lat = stats.latencies
    return {
        "users": users,
        "seconds": seconds,
        "requests": len(lat) + len(stats.errors),
        "errors": len(stats.errors),
        "error_examples": stats.errors[:5],
        "errors_during_upload": stats.during_upload_errors,
        "p50_ms": percentile(lat, 50),
        "p95_ms": percentile(lat, 95),
        "p99_ms": percentile(lat, 99),
        **upload_info,
    }


def _start_app():
    """The app on a free loopback port over a scratch copy of the corpus and the existing index."""
    scratch = Path(tempfile.mkdtemp(prefix="namnd-load-"))
    shutil.copytree(ROOT / "corpus" / "documents", scratch / "corpus")
    shutil.copy(ROOT / "corpus" / "catalog.toml", scratch / "catalog.toml")
    if (ROOT / "data" / "index").exists():
        shutil.copytree(ROOT / "data" / "index", scratch / "data" / "index")
    proc, url = launch_app(
        {
            "NAMND_CORPUS_DIR": str(scratch / "corpus"),
            "NAMND_CATALOG_FILE": str(scratch / "catalog.toml"),
            "NAMND_DATA_DIR": str(scratch / "data"),
        }
    )
    return proc, url, scratch


def demo_upload_file(folder: Path) -> tuple[Path, str, str]:
    """A small DOCX to upload during the run, with a question only it answers."""
    import docx

    path = folder / "laxhjalp-testby.docx"
    d = docx.Document()
    d.add_heading("Läxhjälp i Testby", level=1)
    d.add_paragraph("Nämnden inför läxhjälp på alla skolor i Testby tre eftermiddagar i veckan från januari 2027.")
    d.save(str(path))
    return path, "Hur många eftermiddagar i veckan erbjuds läxhjälp i Testby?", "Läxhjälp i Testby"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running app (default: start one on a free port)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--upload", action="store_true", help="upload a document while the load runs")
    parser.add_argument("--upload-at", type=float, default=20)
    args = parser.parse_args()
    proc = scratch = None
    url = args.url
    if not url:
        proc, url, scratch = _start_app()
    try:
        upload = probe = title = None
        if args.upload:
            upload, probe, title = demo_upload_file(Path(tempfile.mkdtemp()))
        result = run(url, args.users, args.seconds, upload, args.upload_at, probe or "", title or "")
        print(json.dumps(result, ensure_ascii=False, indent=1))
    finally:
        if proc:
            stop_app(proc)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
