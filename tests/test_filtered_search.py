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
