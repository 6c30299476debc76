"""A scripted OpenAI-compatible chat server on 127.0.0.1 for LLM-mode tests (streaming included)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from loopback import LoopbackServer


@dataclass
class Script:
    replies: list[str] = field(default_factory=list)
    delay: float = 0.0
    malformed: bool = False
    word_delay: float = 0.0  # seconds between streamed words (a dripping server)
    endless: bool = False  # stream the reply's words again and again, never ending
    requests: list[dict] = field(default_factory=list)


class FakeLLM(LoopbackServer):
    """Start with ``with FakeLLM() as llm:``; ``llm.url`` is the OpenAI base URL (…/v1), ``llm.root`` Ollama's."""

    def __init__(self) -> None:
        self.script = Script()
        script = self.script

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                try:
                    self._answer()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def _answer(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.path.startswith("/api/show"):  # Ollama asks for the model's details first
                    info = {
                        "model_info": {"general.architecture": "llama", "llama.context_length": 8192},
                        "capabilities": ["completion"],
                        "details": {"family": "llama"},
                    }
                    self._send(200, json.dumps(info).encode(), "application/json")
                    return
                script.requests.append(body)
                if script.delay:
                    time.sleep(script.delay)
                reply = script.replies.pop(0) if script.replies else "Det framgår inte av dokumenten."
                if script.malformed:
                    self._send(200, b"{not json at all", "application/json")
                elif self.path.startswith("/api/chat"):
                    self._ollama(reply, body.get("stream", True))
                elif body.get("stream"):
                    self._stream(reply)
                else:
                    payload = {
                        "id": "fake-1",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": "fake",
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                    self._send(200, json.dumps(payload).encode(), "application/json")

            def _send(self, status: int, data: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _ollama(self, reply: str, stream: bool) -> None:
                """Ollama's /api/chat: newline-delimited JSON when streaming."""
                words = reply.split(" ") if stream else [reply]
                lines = [
                    {
                        "model": "fake",
                        "created_at": "2026-01-01T00:00:00Z",
                        "done": False,
                        "message": {"role": "assistant", "content": w + (" " if i < len(words) - 1 else "")},
                    }
                    for i, w in enumerate(words)
                ]
                lines.append(
                    {
                        "model": "fake",
                        "created_at": "2026-01-01T00:00:00Z",
                        "done": True,
                        "done_reason": "stop",
                        "message": {"role": "assistant", "content": ""},
                    }
                )
                if not stream:
                    lines = [{**lines[0], "done": True}]
                data = "".join(json.dumps(line) + "\n" for line in lines).encode()
                self._send(200, data, "application/x-ndjson")

            def _stream(self, reply: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                words = reply.split(" ")
                endless = script.endless
                i = 0
                while i < len(words) or endless:
                    word = words[i % len(words)]
                    if script.word_delay:
                        time.sleep(script.word_delay)
                    delta = {"content": word + (" " if i < len(words) - 1 or endless else "")}
                    if i == 0:
                        delta["role"] = "assistant"
                    chunk = {
                        "id": "fake-1",
                        "object": "chat.completion.chunk",
                        "created": int(time.time()),
                        "model": "fake",
                        "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    i += 1
                end = {
                    "id": "fake-1",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": "fake",
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                }
                self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        super().__init__(Handler)
