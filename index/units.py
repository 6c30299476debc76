"""Answer units of a chunk (sentences, list items, table rows) and their vectors, computed at build time.

The extractive answerer scores every unit of the retrieved passages against the question. Embedding
those units when a question first needs them put the model on the request path (over a second for a
question about passages nobody had asked about), so the build embeds every unit once and stores the
matrix beside the chunks; an opened index looks units up by the hash of their text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.chunking import Chunk, sentence_spans
from index.embedcache import EmbeddingCache, text_key

UNIT_VECTORS = "units.npy"
UNIT_KEYS = "units.json"
LIST_BULLET = "• "
MIN_UNIT_CHARS = 3  # shorter spans are stray punctuation or page furniture
UNITS_KEPT = 8192  # passages whose units a process keeps (an index of some thousand passages fits; ~20 MB at most)


@dataclass(frozen=True)
class UnitSpan:
    """One unit of a chunk: its offsets in the chunk text and its text as quoted."""

    start: int
    end: int
    text: str
    is_list_item: bool


# Every question splits the passages it retrieved; the same passages come back often, and splitting one (Punkt
# sentence spans) cost about a tenth of a warm answer. Keyed by the text itself, so a changed passage is split anew.
@lru_cache(maxsize=UNITS_KEPT)
def chunk_units(text: str) -> tuple[UnitSpan, ...]:
    """The sentences, list items and table rows of a chunk text, in order."""
    out = []
    for s, e in sentence_spans(text):
        unit = text[s:e].strip()
        if len(unit) < MIN_UNIT_CHARS:
            continue
        is_item = unit.startswith(LIST_BULLET)
        if is_item:
            unit, s = unit[len(LIST_BULLET) :], s + len(LIST_BULLET)
        out.append(UnitSpan(s, e, unit, is_item))
    return tuple(out)


def unit_texts(chunks: list[Chunk]) -> list[str]:
    """Every distinct unit text of ``chunks``, in first-seen order."""
    return list(dict.fromkeys(u.text for c in chunks for u in chunk_units(c.text)))


class UnitVectors:
    """A build's unit vectors by text hash (empty for a build made before units were stored)."""

    def __init__(self, keys: list[str], matrix: np.ndarray) -> None:
        self.row = {k: i for i, k in enumerate(keys)}
        self.matrix = matrix

    def __len__(self) -> int:
        return len(self.row)

    def get(self, text: str) -> np.ndarray | None:
        i = self.row.get(text_key(text))
        return None if i is None else self.matrix[i]

    @classmethod
    def read(cls, build_dir: Path) -> UnitVectors:
        keys_path, vectors_path = build_dir / UNIT_KEYS, build_dir / UNIT_VECTORS
        if not keys_path.is_file():
            return cls([], np.zeros((0, 0), dtype=np.float32))
        keys = json.loads(keys_path.read_text(encoding="utf-8"))
        matrix = np.load(vectors_path, mmap_mode="r")
        if len(keys) != len(matrix):
            raise ValueError(f"{len(keys)} unit keys but {len(matrix)} unit vectors")
        return cls(keys, matrix)

    def write(self, build_dir: Path) -> None:
        keys = sorted(self.row, key=self.row.__getitem__)
        np.save(build_dir / UNIT_VECTORS, np.asarray(self.matrix, dtype=np.float32))
        (build_dir / UNIT_KEYS).write_text(json.dumps(keys), encoding="utf-8")


def embed_units(
    texts: list[str],
    previous: UnitVectors,
    cache: EmbeddingCache,
    embed_batch: Callable[[list[str]], list[list[float]]],
    batch_size: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[UnitVectors, int]:
    """Vectors for the unit ``texts``: the previous build's, then the cache's, then the embedder's.

    Returns the vectors and how many units went through the embedder."""
    known = {t: v for t in texts if (v := previous.get(t)) is not None}
    todo = [t for t in texts if t not in known]
    matrix, embedded = cache.embed(todo, embed_batch, batch_size, progress)
    known.update(zip(todo, matrix, strict=False))
    dim = next(iter(known.values())).shape[0] if known else 0
    stacked = np.stack([known[t] for t in texts]) if texts else np.zeros((0, dim), dtype=np.float32)
    return UnitVectors([text_key(t) for t in texts], stacked.astype(np.float32)), embedded
