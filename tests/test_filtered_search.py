"""Filtered dense search: exact over the build's vector matrix, agreeing with Chroma's filtered search."""

from __future__ import annotations

import numpy as np
import pytest

import index


@pytest.mark.parametrize(
    "filters",
    [
        index.Filters(kommun=["Alingsås"]),
        index.Filters(kommun=["Svenljunga", "Alingsås"], years=[2025, 2026]),
        index.Filters(doc_ids=["alingsas-bun-huvudmannens-verksamhetsuppfoljning-2022-2023.txt"]),
    ],
)
def test_exact_filtered_search_finds_what_chroma_finds(shared_index, filters):
    ix = shared_index
    assert ix.exact is not None and len(ix.exact) == len(ix.chunks)
    vector = ix.embed_query("Hur följs elevernas frånvaro upp?")
    mask = ix._mask(filters)
    exact = ix.exact.search(vector, 10, mask)
    # Chroma's ranking of every chunk, then the filter: what a filtered search must return.
    ranked = [(ix.position[cid], s) for cid, s in ix.dense.search(vector, len(ix.chunks), None)]
    chroma = [(row, s) for row, s in ranked if mask[row]][:10]
    assert exact and all(mask[row] for row, _ in exact)
    assert [row for row, _ in exact] == [row for row, _ in chroma]
    assert np.allclose([s for _, s in exact], [s for _, s in chroma], atol=1e-3)


def test_a_filter_nothing_matches_finds_nothing(shared_index):
    assert not shared_index.search("frånvaro", filters=index.Filters(kommun=["Ingenstans"])).hits


def test_chroma_filters_by_document(shared_index):
    """Chroma keeps the chunk's document under its own key (llama-index overwrites "doc_id" with "None")."""
    from index.vectors import chroma_filters

    doc = "alingsas-bun-huvudmannens-verksamhetsuppfoljning-2022-2023.txt"
    found = shared_index.dense.search(shared_index.embed_query("frånvaro"), 5, chroma_filters(None, [doc], None))
    assert found and {shared_index.chunks[shared_index.position[cid]].doc_id for cid, _ in found} == {doc}


def test_a_small_index_searches_unfiltered_exactly_and_a_large_one_walks_the_graph(shared_index, monkeypatch):
    ix = shared_index
    question = "Hur följs elevernas frånvaro upp?"
    vector = ix.embed_query(question)
    exact = [row for row, _ in ix.exact.search(vector, 5, np.ones(len(ix.chunks), dtype=bool))]
    walked: list[int] = []
    graph_search = ix.dense.search

    def counted(*args, **kwargs):
        walked.append(1)
        return graph_search(*args, **kwargs)

    monkeypatch.setattr(ix.dense, "search", counted)
    dense, _ = ix._local_candidates(question, vector, 5, None, None)
    assert [row for row, _ in dense] == exact and not walked
    monkeypatch.setattr("index.searcher.EXACT_UNFILTERED_MAX", len(ix.chunks) - 1)
    dense, _ = ix._local_candidates(question, vector, 5, None, None)
    assert walked and dense
