"""The whole flow with no network but loopback (run inside `unshare -n` by test_reliability.py).

Builds an index from scratch (fresh embedding cache, so the embedder really loads), answers a
question, starts the chat app on 127.0.0.1 and asks it over its API. Exits 0 only if all worked.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.update(
    {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
)
sys.path.insert(0, str(Path(__file__).parent))

from app_server import AppServer  # noqa: E402
from conftest import small_corpus  # noqa: E402

import index  # noqa: E402
from assistant import ask  # noqa: E402


def main(tmp: Path) -> int:
    (tmp / "flow").mkdir(parents=True, exist_ok=True)
    settings = small_corpus(tmp / "flow", cache_dir=tmp / "fresh-cache")
    index.build(settings, progress=False)
    answer = ask("Hur långt ska eleverna i årskurs 3 kunna simma?", settings=settings, index=index.open(settings))
    assert "200 meter" in answer.answer, answer.answer
    with AppServer(tmp / "app") as server:
        from gradio_client import Client

        data = Client(server.url, verbose=False).predict(question="Vad kostar matematiksatsningen?", api_name="/fraga")
        assert "100 tkr" in data["answer"], data
    print("offline flow ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
