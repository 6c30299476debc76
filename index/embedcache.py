"""On-disk embedding cache keyed by embedder id and text hash (SQLite)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors already computed, so an unchanged chunk is never embedded twice."""

    def __init__(self, path: Path, embedder_id: str) -> None:
        self.path = path
        self.embedder_id = embedder_id
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS embeddings (embedder TEXT, key TEXT, vec BLOB, PRIMARY KEY (embedder, key))"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def get_many(self, texts: list[str]) -> dict[str, np.ndarray]:
        keys = list({text_key(t) for t in texts})
        found: dict[str, np.ndarray] = {}
        with self._connect() as db:
            for i in range(0, len(keys), 500):
                batch = keys[i : i + 500]
                rows = db.execute(
                    f"SELECT key, vec FROM embeddings WHERE embedder = ? AND key IN ({','.join('?' * len(batch))})",
                    [self.embedder_id, *batch],
                )
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                [(self.embedder_id, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def embed(
        self,
        texts: list[str],
        embed_batch: Callable[[list[str]], list[list[float]]],
        batch_size: int = 32,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[np.ndarray, int]:
        """Vectors for ``texts``: cached ones read, the rest embedded and stored. Returns (vectors, embedded)."""
        cached = self.get_many(texts)
        missing = list(dict.fromkeys(t for t in texts if text_key(t) not in cached))
        for i in range(0, len(missing), batch_size):
            batch = missing[i : i + batch_size]
            vectors = embed_batch(batch)
            new = {text_key(t): np.asarray(v, dtype=np.float32) for t, v in zip(batch, vectors, strict=True)}
            self.put_many(new)  # stored per batch, so an interrupted build keeps what it computed
            cached.update(new)
            if progress:
                progress(len(batch))
        return np.stack([cached[text_key(t)] for t in texts]) if texts else np.zeros((0, 0)), len(missing)
