"""Retrieval as the assistant does it: the question's search text, a money question widened to cost tables, and
the documents of the meetings and committees it names preferred with the learned weight."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from assistant.modelfile import TRAINED_DIR, read_model_file, write_model_file
from assistant.questions import is_comparison, municipalities_named, question_kind
from assistant.scope import scope_documents
from corpus import UNKNOWN
from index import Filters, Index, SearchResult

MODEL_FILE = TRAINED_DIR / "scope.json"
MODEL_VERSION = 1


# What an answer to a money question is written with. The shipped document's title word "kostnadsberäkning" was
# in this list until 2026-12-05: fitted to the shipped corpus, and on the new train and dev splits no better.
MONEY_SEARCH_WORDS = "kostnad tkr kronor"
# How many of the named municipality's passages lead when retrieval found none of its own.
NAMED_FIRST = 3


def search_query(question: str) -> str:
    """The text to retrieve with: a question about money also looks for the amounts' words."""
    if question_kind(question) == "money":
        return f"{question} {MONEY_SEARCH_WORDS}"
    return question


@lru_cache(maxsize=1)
def preference_weight() -> float:
    """The weight of the named meetings' and committees' own ranking, as ``python -m evals train`` fitted it."""
    return float(read_model_file(MODEL_FILE, MODEL_VERSION)["weight"])


def write_preference_weight(weight: float, fitted_on: str) -> None:
    """Store a fitted weight (``python -m evals train``)."""
    write_model_file(MODEL_FILE, {"version": MODEL_VERSION, "weight": weight, "fitted_on": fitted_on})
    preference_weight.cache_clear()


def municipalities_of(ix: Index) -> list[str]:
    """The municipalities the index has documents of, in alphabetical order."""
    return sorted({d["kommun"] for d in ix.documents.values() if d["kommun"] and d["kommun"] != UNKNOWN})


def retrieve(ix: Index, text: str, k: int, filters: Filters | None = None, weight: float | None = None) -> SearchResult:
    """The ``k`` best passages for a question's search ``text``; ``weight`` overrides the learned one.

    A question about one municipality ("Varför får skolorna i Alingsås ett fast grundbelopp?") whose passages all
    come from others also gets the named municipality's best passages, first: the answer step answers from that
    municipality's passages, or says that its documents do not cover the matter."""
    prefer = scope_documents(text, ix.documents)
    weight = preference_weight() if weight is None else weight
    if not prefer:
        weight = 0.0
    query = search_query(text)
    result = ix.search(query, k=k, filters=filters, prefer_docs=prefer, prefer_weight=weight)
    if filters is not None and filters.kommun:
        return result  # the user chose the municipalities to search
    kommuner = municipalities_of(ix)
    named = municipalities_named(text, kommuner)
    if len(named) != 1 or is_comparison(text, kommuner) or any(h.chunk.kommun == named[0] for h in result.hits):
        return result
    own_filters = dataclasses.replace(filters or Filters(), kommun=named)
    own = ix.search(query, k=NAMED_FIRST, filters=own_filters, query_vector=result.query_vector)
    if not own.hits:
        return result
    hits = [*own.hits, *result.hits][:k]
    ranked = [dataclasses.replace(h, rank=r) for r, h in enumerate(hits, start=1)]
    return dataclasses.replace(result, hits=ranked, retrieve_ms=result.retrieve_ms + own.retrieve_ms)
