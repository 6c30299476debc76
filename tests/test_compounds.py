"""Question compounds the documents never use are searched by their parts (index/compounds.py)."""

from __future__ import annotations

import pytest
import Stemmer

from index.compounds import split_compound, with_compound_parts

# Document frequencies of a small vocabulary of stems, as an index would have them.
VOCABULARY = {
    "restaurang": 4,
    "programmet": 9,
    "digitalisering": 3,
    "tjänst": 12,
    "bygg": 5,
    "bygge": 1,
    "elev": 40,
    "lev": 1,
    "septemb": 6,
    "sammanträdet": 20,
    "förskol": 30,
    "klass": 8,
}
normal = Stemmer.Stemmer("swedish").stemWord


def frequency(stem: str) -> int:
    return VOCABULARY.get(stem, 0)


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("restaurangprogrammet", ("restaurang", "programmet")),
        ("digitaliseringstjänst", ("digitalisering", "tjänst")),  # a linking "s" between the parts
        ("byggelev", ("bygg", "elev")),  # of two splits, the one with the more frequent parts
        ("septembersammanträdet", ("septemb", "sammanträdet")),  # the first part stemmed as a word of its own
        ("förskoleklass", ("förskol", "klass")),  # a linking "e"
        ("padelhall", None),  # a part the vocabulary does not have
        ("elklass", None),  # "el" is too short to be a part
    ],
)
def test_a_compound_splits_into_the_vocabularys_words(word, parts):
    assert split_compound(word, frequency, normal) == parts


def test_only_words_the_index_lacks_are_split():
    assert with_compound_parts(["restaurang", "restaurangprogrammet", "kost"], frequency, normal) == [
        "restaurang",
        "restaurangprogrammet",
        "restaurang",
        "programmet",
        "kost",
    ]


def test_bm25_finds_a_row_by_the_parts_of_a_compound_the_documents_do_not_use(shared_index):
    # "digitaliseringstjänsterna" is in no passage; the cost table says "Verksamhetsutvecklare digitalisering".
    found = [
        shared_index.chunks[shared_index.position[cid]].text
        for cid, _ in shared_index.bm25.search("digitaliseringstjänsterna kostnad", 5)
    ]
    assert any("Verksamhetsutvecklare digitalisering 1 300 tkr" in text for text in found)
