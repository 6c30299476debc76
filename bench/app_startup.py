"""Time from starting `python app.py` (index already built) to its first answer over the API.

Target: under 15 s. Run: python -m bench.app_startup
"""

from __future__ import annotations

import time

import index
from bench.common import launch_app, stop_app
from settings import get_settings


def main() -> None:
    index.ensure(get_settings(), progress=True)  # the benchmark is about a start with a built index
    started = time.perf_counter()
    proc, url = launch_app()
    try:
        serving = time.perf_counter() - started
        from gradio_client import Client

        answer = Client(url, verbose=False).predict(question="Vad kostar matematiksatsningen?", api_name="/fraga")
        first = time.perf_counter() - started
        print(f"page served after {serving:.1f} s; first answer after {first:.1f} s ({answer['answer'][:60]}...)")
    finally:
        stop_app(proc)


if __name__ == "__main__":
    main()
