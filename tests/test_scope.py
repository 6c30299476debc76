"""Meetings and committees named in a question, and the retrieval preference for their documents."""

from __future__ import annotations

import pytest

from assistant.retrieval import preference_weight, retrieve
from assistant.scope import MeetingMention, QuestionScope, question_scope, without_committee_names
from index import Filters, Hit, SearchResult
from index.chunking import Chunk
from index.fusion import reciprocal_rank_fusion

# (question, meetings named, committee words)
CASES = [
    ("Vad beslutade nämnden i april 2025 om förberedelserna?", [MeetingMention(4, 2025)], []),
    ("Vad beslutade nämnden under § 98 på oktobermötet 2025?", [MeetingMention(10, 2025)], []),
    ("Vilket ärende ströks från dagordningen på junimötet?", [MeetingMention(6)], []),
    ("Vem skulle dra delårsrapporten på septembersammanträdet?", [MeetingMention(9)], []),
    ("Vem föreslås justera protokollet från mötet den 20 november?", [MeetingMention(11, None, 20)], []),
    ("Vad beslutades den 10 december 2025 under § 136?", [MeetingMention(12, 2025, 10)], []),
    ("Vad beslutades på FG-nämnden 2026-01-28 § 11?", [MeetingMention(1, 2026, 28)], ["grundskola"]),
    (
        "Vem var justerare på förskole- och grundskolenämndens möten i januari respektive mars 2026?",
        [MeetingMention(1), MeetingMention(3, 2026)],
        ["grundskola"],
    ),
    ("Vad föreslog IFO-nämnden om gruppbostäderna?", [], ["familjeomsorg"]),
    ("Vad tycker Nämnden för Vård & Omsorg om tiggeri?", [], ["vård & omsorg"]),
    # A month that names a period, not a meeting, and capitals inside a word, are no scope.
    ("Vilket diarienummer har delårsrapporten per augusti 2025?", [], []),
    ("Hur har det gått med arkivet sedan april?", [], []),
    ("Vad kostar Gamla stan-projektet?", [], []),
]


@pytest.mark.parametrize(("question", "meetings", "words"), CASES)
def test_question_scope(question, meetings, words):
    scope = question_scope(question)
    assert list(scope.meetings) == meetings
    assert list(scope.committee_words) == words


DOCUMENTS = {
    "fg-okt.md": {"date": "2025-10-15", "committee": "Nämnden för Förskola & Grundskola"},
    "ga-okt.md": {"date": "2025-10-16", "committee": "Nämnden för Gymnasium & Arbetsmarknad"},
    "fg-dec.md": {"date": "2025-12-10", "committee": "Nämnden för Förskola & Grundskola"},
    "plan.txt": {"date": "okänd", "committee": "okänd"},
}


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (QuestionScope((MeetingMention(10, 2025),)), {"fg-okt.md", "ga-okt.md"}),
        (QuestionScope((MeetingMention(10, 2024),)), set()),
        (QuestionScope((MeetingMention(10, None, 16),)), {"ga-okt.md"}),
        (QuestionScope((), ("grundskola",)), {"fg-okt.md", "fg-dec.md"}),
        (QuestionScope((MeetingMention(10),), ("grundskola",)), {"fg-okt.md"}),
        (QuestionScope(), set()),
    ],
)
def test_scope_documents(scope, expected):
    assert scope.documents(DOCUMENTS) == expected


def test_preferred_ranking_lifts_a_passage_and_keeps_its_scores():
    dense, bm25 = [(0, 0.9), (1, 0.8)], [(0, 5.0), (1, 4.0)]
    plain = reciprocal_rank_fusion(dense, bm25, k=10)
    assert plain[0].chunk_index == 0
    lifted = reciprocal_rank_fusion(dense, bm25, k=10, preferred=([(2, 0.5)], [(2, 3.0)]), preferred_weight=4.0)
    assert lifted[0].chunk_index == 2
    assert (lifted[0].dense, lifted[0].bm25) == (0.5, 3.0)
    ignored = reciprocal_rank_fusion(dense, bm25, k=10, preferred=([(2, 0.5)], [(2, 3.0)]), preferred_weight=0.0)
    assert [c.chunk_index for c in ignored] == [0, 1]


def test_a_passage_holding_every_reference_ranks_first_whatever_the_preferred_rankings():
    # Passage 0 leads every ranking and holds the date; passage 3 holds the date and the §, and no ranking has it.
    dense, bm25 = [(0, 0.9), (1, 0.8)], [(0, 5.0), (1, 4.0)]
    preferred = ([(0, 0.9), (1, 0.8)], [(0, 5.0), (1, 4.0)])
    matches = {0: ["2026-01-28"], 1: ["2026-01-28"], 2: ["§ 11"], 3: ["2026-01-28", "§ 11"]}
    for weight in (0.0, 2.0, 8.0):
        fused = reciprocal_rank_fusion(dense, bm25, 10, matches, ["2026-01-28", "§ 11"], preferred, weight)
        assert [c.chunk_index for c in fused][:2] == [3, 0], weight
        assert fused[0].reference_hits == ["2026-01-28", "§ 11"]


def test_named_meeting_is_preferred_in_retrieval(shared_index):
    documents = shared_index.documents
    dated = {d: v for d, v in documents.items() if str(v.get("date", "")).count("-") == 2}
    doc_id, doc = next(iter(sorted(dated.items())))
    year, month, _ = (int(x) for x in doc["date"].split("-"))
    months = "januari februari mars april maj juni juli augusti september oktober november december".split()
    question = f"Vad tog nämnden upp på mötet i {months[month - 1]} {year}?"
    assert doc_id in question_scope(question).documents(documents)
    unweighted = retrieve(shared_index, question, 8, weight=0.0).hits
    preferred = retrieve(shared_index, question, 8, weight=4.0).hits
    share = [sum(h.chunk.doc_id == doc_id for h in hits) for hits in (unweighted, preferred)]
    assert share[1] >= share[0] and preferred[0].chunk.doc_id == doc_id


def test_shipped_weight_is_read():
    assert preference_weight() >= 0.0


def test_committee_names_are_not_words_the_documents_must_use():
    assert without_committee_names("Hur många anställda hade IFO totalt?").split() == [
        "Hur",
        "många",
        "anställda",
        "hade",
        "totalt?",
    ]
    assert "tekniknämnd" not in without_committee_names("Vad beslutade tekniknämnden?")


class _TwoMunicipalities:
    """An index stand-in: unfiltered search finds only Kungsbacka's passage; a search filtered to a municipality
    finds that municipality's passage."""

    def __init__(self) -> None:
        self.documents = {"a.txt": {"kommun": "Alingsås"}, "k.md": {"kommun": "Kungsbacka"}}
        self.calls: list[Filters | None] = []

    def search(self, query, k=None, filters=None, query_vector=None, prefer_docs=frozenset(), prefer_weight=0.0):
        self.calls.append(filters)
        doc, kommun = ("a.txt", "Alingsås") if filters and filters.kommun == ["Alingsås"] else ("k.md", "Kungsbacka")
        chunk = Chunk(f"{doc}-1", doc, doc, kommun, 2025, ["Budget"], "Grundbelopp 2026.", 0, 17, 1, 1)
        return SearchResult(query, [Hit(1, chunk, 1.0, 0.9, 4.0, [])], query_vector or [0.1], 1.0)


@pytest.mark.parametrize(
    ("question", "first", "searches"),
    [
        ("Varför får skolorna i Alingsås ett fast grundbelopp?", "Alingsås", 2),
        ("Varför får Alingsås skolor ett fast grundbelopp?", "Alingsås", 2),
        # Kungsbacka's own passages were found: one search. A comparison or no municipality named: one search.
        ("Varför får skolorna i Kungsbacka ett fast grundbelopp?", "Kungsbacka", 1),
        ("Hur skiljer sig grundbeloppet i Alingsås från Kungsbackas?", "Kungsbacka", 1),
        ("Varför får skolorna ett fast grundbelopp?", "Kungsbacka", 1),
    ],
)
def test_a_named_municipality_none_of_whose_passages_were_found_is_searched_on_its_own(question, first, searches):
    ix = _TwoMunicipalities()
    hits = retrieve(ix, question, 5).hits
    assert hits[0].chunk.kommun == first and len(ix.calls) == searches
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    if searches == 2:
        assert ix.calls[1] == Filters(kommun=["Alingsås"]) and [h.chunk.kommun for h in hits] == [
            "Alingsås",
            "Kungsbacka",
        ]


def test_a_named_municipality_is_not_searched_outside_the_users_own_choice_of_municipalities():
    ix = _TwoMunicipalities()
    hits = retrieve(ix, "Varför får skolorna i Alingsås ett fast grundbelopp?", 5, Filters(kommun=["Kungsbacka"])).hits
    assert len(ix.calls) == 1 and [h.chunk.kommun for h in hits] == ["Kungsbacka"]
