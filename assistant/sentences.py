"""Candidate sentences of retrieved passages, with what is needed to score them.

Sentence vectors come from the build (``index.units``); a text the build did not embed
(an index built before units were stored) is embedded once and kept in memory and in the
on-disk cache.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
import weakref
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_SWEDISH

from index import Hit, Index
from index.embedcache import EmbeddingCache
from index.embedders import embedder_id
from index.units import chunk_units

TOKEN = re.compile(r"(?u)\b\w\w+\b")
# Question words carry no topic: "hur många", "hur stor", "vilken" must not count as matches.
QUESTION_WORDS = {
    "hur",
    "många",
    "mycket",
    "stor",
    "stora",
    "ofta",
    "länge",
    "lång",
    "långt",
    "långa",
    "stort",
    "vilken",
    "vilket",
    "vilka",
    "vad",
    "när",
    "vem",
    "var",
    "varför",
    "finns",
    "fick",
    "del",
    "gjorts",
    "görs",
    "sker",
}
STOPWORDS = (
    set(STOPWORDS_SWEDISH) | QUESTION_WORDS | {"nämnden", "kommun", "kommunen", "dokumenten", "dokumentet", "enligt"}
)
# Endings the Swedish stemmer sometimes leaves on a word ("frånvaron", "garantin", "statsbidraget").
INFLECTIONS = ("n", "en", "et", "na", "t", "er", "ar", "or")
STEMS_KEPT = 16384  # texts whose stems a lexicon keeps (a few thousand units and passages; at most some 20 MB)


@dataclass
class Sentence:
    hit: Hit
    passage_rank: int
    start: int  # offsets into the chunk text
    end: int
    text: str
    is_list_item: bool


def passage_sentences(hit: Hit, passage_rank: int) -> list[Sentence]:
    """The sentences, list items and table rows of a passage, in order."""
    return [Sentence(hit, passage_rank, u.start, u.end, u.text, u.is_list_item) for u in chunk_units(hit.chunk.text)]


class Lexicon:
    """Swedish stems and their IDF over the index, from the BM25 model."""

    def __init__(self, ix: Index) -> None:
        self.stemmer = Stemmer.Stemmer("swedish")
        bm25 = ix.bm25.retriever.bm25
        self.vocab: dict[str, int] = bm25.vocab_dict
        self.sorted_vocab = sorted(self.vocab)
        self.indptr = np.asarray(bm25.scores["indptr"])
        self.indices = np.asarray(bm25.scores["indices"])
        self.df = np.diff(self.indptr)
        # BM25 rows are in the chunk table's order (the search filter mask relies on the same).
        self.kommun = np.array([c.kommun for c in ix.chunks], dtype=object)
        self.n = int(bm25.scores["num_docs"])
        self.max_idf = math.log(1 + (self.n + 0.5) / 0.5)
        # The same passages, headings and questions come back across questions; kept per lexicon, so a
        # reopened index's lexicon and its stems go together.
        self._stems_kept = lru_cache(maxsize=STEMS_KEPT)(self._stems)

    def stems(self, text: str) -> tuple[str, ...]:
        """The Swedish stems of ``text``'s words, stopwords left out."""
        return self._stems_kept(text)

    def _stems(self, text: str) -> tuple[str, ...]:
        tokens = [t for t in TOKEN.findall(text.lower()) if t not in STOPWORDS]
        return tuple(self.stemmer.stemWords(tokens))

    def idf(self, stem: str) -> float:
        tid = self.vocab.get(stem)
        if tid is None or tid >= len(self.df):
            return self.max_idf
        df = int(self.df[tid])
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def known(self, stem: str) -> bool:
        return stem in self.vocab

    def attested(self, stem: str) -> bool:
        """Whether the documents use the word in some form: as is, inflected ("kostar" for "kostnad",
        "frånvaron" for "frånvaro") or as a compound of two words they use ("aprilrapport")."""
        return self._inflected(stem) or any(
            self._inflected(stem[:i]) and self._inflected(stem[i:]) for i in range(4, len(stem) - 2)
        )

    def municipalities_using(self, stem: str) -> set[str]:
        """The municipalities whose documents use the word in a form ``matches`` accepts."""
        terms = [stem] if len(stem) < 5 else self._prefixed(stem)
        terms += [stem[:-cut] for cut in (1, 2, 3) if len(stem) - cut >= 5]
        ids = [tid for t in terms if 0 <= (tid := self.vocab.get(t, -1)) < len(self.df)]
        rows = [self.indices[self.indptr[tid] : self.indptr[tid + 1]] for tid in ids]
        return set(self.kommun[np.concatenate(rows)]) if rows else set()

    def _prefixed(self, prefix: str, limit: int | None = None) -> list[str]:
        """Vocabulary stems starting with ``prefix`` (at most ``limit``), from the sorted vocabulary."""
        start = bisect.bisect_left(self.sorted_vocab, prefix)
        out: list[str] = []
        for term in self.sorted_vocab[start:]:
            if not term.startswith(prefix) or len(out) == limit:
                break
            out.append(term)
        return out

    def _inflected(self, stem: str) -> bool:
        if stem in self.vocab:
            return True
        if len(stem) < 4:
            return False
        if self._prefixed(stem, limit=1):
            return True
        return any(
            stem.endswith(ending) and stem[: -len(ending)] in self.vocab
            for ending in INFLECTIONS
            if len(stem) - len(ending) >= 4
        )

    @staticmethod
    def matches(stem: str, stems: set[str]) -> bool:
        """Exact stem, or the first part of a Swedish compound ("kostnad" in "kostnadsberäkning")."""
        if stem in stems:
            return True
        if len(stem) < 5:
            return False
        # A compound's first part ("kostnad" in "kostnadsberäkning"), or an inflection the stemmer
        # left on one side ("garantin"/"garanti", "statsbidraget"/"statsbidrag").
        return any(
            t.startswith(stem) or (len(t) >= 5 and stem.startswith(t) and len(stem) - len(t) <= 3) for t in stems
        )


class SentenceVectors:
    """Passage-side vectors for sentences: the build's, then memory, then disk cache, then the embedder."""

    def __init__(self, ix: Index) -> None:
        self.ix = ix
        self.memory: dict[str, np.ndarray] = {}
        self.lock = threading.Lock()
        self.cache = EmbeddingCache(ix.settings.cache_dir / "embeddings.sqlite", embedder_id(ix.settings) + ":sentence")

    def get(self, texts: list[str]) -> np.ndarray:
        for t in texts:
            if t not in self.memory and (v := self.ix.units.get(t)) is not None:
                self.memory[t] = v
        missing = [t for t in dict.fromkeys(texts) if t not in self.memory]
        if missing:
            with self.lock:
                missing = [t for t in missing if t not in self.memory]
                if missing:
                    vectors, _ = self.cache.embed(missing, self.ix.embedder.get_text_embedding_batch)
                    for t, v in zip(missing, vectors, strict=True):
                        self.memory[t] = v
        return np.stack([self.memory[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)


_helpers: weakref.WeakKeyDictionary[Index, tuple[Lexicon, SentenceVectors]] = weakref.WeakKeyDictionary()
_helpers_lock = threading.Lock()


def helpers_for(ix: Index) -> tuple[Lexicon, SentenceVectors]:
    """The lexicon and sentence-vector store of an opened index (dropped with the index)."""
    with _helpers_lock:
        if ix not in _helpers:
            _helpers[ix] = (Lexicon(ix), SentenceVectors(ix))
        return _helpers[ix]
