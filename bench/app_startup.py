"""Time from starting `python app.py` (index already built) to its first answer over the API.

Target: under 15 s. Run: python -m bench.app_startup
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

import index
from settings import ROOT, get_settings


def main() -> None:
    index.ensure(get_settings(), progress=True)  # the benchmark is about a start with a built index
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        while True:
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        serving = time.perf_counter() - started
        from gradio_client import Client

        answer = Client(url, verbose=False).predict(question="Vad kostar matematiksatsningen?", api_name="/fraga")
        first = time.perf_counter() - started
        print(f"page served after {serving:.1f} s; first answer after {first:.1f} s ({answer['answer'][:60]}...)")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()
