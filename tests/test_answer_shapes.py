"""Answers of other shapes: summaries of a section, and questions with two parts."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest

from assistant import ask
from assistant.models import Answer, Citation
from assistant.parts import join_parts, matter_filters, question_parts
from assistant.questions import asks_for_summary
from assistant.summaries import (
    SummaryWeights,
    lexrank,
    pick,
    read_weights,
    scope_units,
    summary_units,
)
from index import Filters, Hit
from index.chunking import Chunk


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("Vad kostade det och när beslutades det?", ["Vad kostade det?", "När beslutades det?"]),
        (
            "Hur många elever finns och vem är rektor på skolan?",
            ["Hur många elever finns?", "Vem är rektor på skolan?"],
        ),
        ("Vad kostar matematiksatsningen?", ["Vad kostar matematiksatsningen?"]),
        ("Hur många elever och lärare finns det?", ["Hur många elever och lärare finns det?"]),
        ("Vad beslutades 2025-06-17 § 44 och § 47?", ["Vad beslutades 2025-06-17 § 44 och § 47?"]),
        ("Vilka skolor och vilka förskolor?", ["Vilka skolor och vilka förskolor?"]),  # parts too short to stand
    ],
)
def test_question_parts(question, parts):
    assert question_parts(question) == parts


def _hit() -> Hit:
    chunk = Chunk("d#0", "d.md", "Plan", "Alingsås", 2025, ["Ekonomi"], "Text.", 0, 5, None, None)
    return Hit(1, chunk, 0.9, 0.8, 1.0, [])


def test_parts_joined_with_citations_renumbered_and_a_part_not_answered_named():
    first = Answer(
        "a",
        "Den kostar 100 tkr. [1] Och 20 tkr till. [2]",
        False,
        "extractive",
        citations=[Citation(1, _hit()), Citation(2, _hit())],
        evidence=0.8,
    )
    second = Answer("b", "Beslut i maj. [1]", False, "extractive", citations=[Citation(1, _hit())], evidence=0.6)
    refused = Answer("c", "Jag hittar inget", True, "extractive", evidence=0.1)
    joined = join_parts("q", ["Vad kostar den?", "När beslutades den?"], [first, second])
    assert "**När beslutades den?** Beslut i maj. [3]" in joined.answer
    assert [c.n for c in joined.citations] == [1, 2, 3] and joined.evidence == 0.6 and not joined.refused
    partly = join_parts("q", ["Vad kostar den?", "Vem beslutade?"], [first, refused])
    assert "**Vem beslutade?** Det besvarar inte dokumenten." in partly.answer and not partly.refused
    assert join_parts("q", ["A?", "B?"], [refused, refused]).refused


def test_a_later_part_is_first_looked_for_where_the_first_part_was_answered():
    answered = Answer("a", "Programmet avvecklas. [1]", False, "extractive", citations=[Citation(1, _hit())])
    refused = Answer("b", "Jag hittar inget", True, "extractive")
    kommuner = ["Alingsås", "Kungsbacka"]
    scoped = matter_filters(Filters(kommun=["Alingsås"], years=[2025]), [answered], "Hur gick omröstningen?", kommuner)
    assert scoped == Filters(kommun=["Alingsås"], doc_ids=["d.md"], years=[2025])
    assert matter_filters(None, [refused, answered], "Hur gick omröstningen?", kommuner).doc_ids == ["d.md"]
    # Nothing answered yet, or a part that names a municipality of its own: looked for as the user filtered.
    assert matter_filters(None, [refused], "Hur gick omröstningen?", kommuner) is None
    assert matter_filters(None, [answered], "Hur gick det i Kungsbacka?", kommuner) is None


@pytest.mark.parametrize(
    ("question", "summary"),
    [
        ("Sammanfatta uppföljningen av budgetinriktningen 2025.", True),
        ("Kan du sammanfatta vad nämnden fick redovisat?", True),
        ("Vad handlar Svenljungas plan för kvalitetsarbetet om?", True),
        ("Vad kom uppföljningen fram till i stora drag?", True),
        ("Vilka är de viktigaste åtgärderna?", True),
        ("Vad kostar matematiksatsningen?", False),
        ("Vilka åtgärder föreslås?", False),
        ("Vad handlade redovisningen om Samverkan för ökad rörelse om?", True),
        ("Vad går samsjuklighetsreformen ut på?", True),
        ("Vad går budgeten till?", False),
    ],
)
def test_summary_questions(question, summary):
    assert asks_for_summary(question) is summary


def test_a_short_protocol_item_is_summarised_on_its_own_and_a_title_with_its_document():
    def chunk(n: int, heading: str, text: str) -> Chunk:
        return Chunk(f"p#{n}", "p.md", "Protokoll", "Kungsbacka", 2025, [heading], text, n * 100, n * 100 + 90, 1, 1)

    chunks = [
        chunk(0, "Protokoll 2025-06-11", "Nämnden för Förskola & Grundskola sammanträdde i Kungsbacka."),
        chunk(
            1,
            "§ 65 Redovisning klagomål",
            "Under perioden har det hanterats totalt 38 ärenden. "
            "Av dessa var 33 stycken klagomål till huvudmannen. Antalet klagomål är detsamma som förra läsåret.",
        ),
        chunk(
            2,
            "§ 66 Budget",
            "Nämnden godkänner budgetuppföljningen för maj månad. Prognosen visar ett litet överskott för helåret.",
        ),
    ]
    ix = SimpleNamespace(chunks=chunks)
    units, whole = scope_units(Hit(1, chunks[1], 0.9, 0.8, 1.0, []), ix)
    assert not whole and {u.hit.chunk.chunk_id for u in units} == {"p#1"} and len(units) == 3
    units, whole = scope_units(Hit(1, chunks[0], 0.9, 0.8, 1.0, []), ix)
    assert whole and {u.hit.chunk.chunk_id for u in units} == {"p#0", "p#1", "p#2"}


def test_a_tables_header_row_is_no_summary_unit():
    text = (
        "Prognosen för helåret visar ett överskott för nämnden.\n"
        "| Nämnd eller förvaltning | Helårsprognos delår 1 | Helårsprognos delår 2 | Förändring |\n"
        "| Gymnasium och arbetsmarknad i Kungsbacka | 4,1 | 6,4 | 2,3 |"
    )
    chunk = Chunk("d#0", "d.md", "Delårsrapport", "Kungsbacka", 2025, ["Ekonomi"], text, 0, len(text), 1, 1)
    units = summary_units([chunk], Hit(1, chunk, 0.9, 0.8, 1.0, []))
    assert [u.text for u in units] == [
        "Prognosen för helåret visar ett överskott för nämnden.",
        "| Gymnasium och arbetsmarknad i Kungsbacka | 4,1 | 6,4 | 2,3 |",
    ]


def test_lexrank_prefers_the_unit_like_the_others_and_mmr_avoids_repeats():
    # Three units about one topic (one a near-copy) and one outlier.
    v = np.array([[1.0, 0.1, 0.0], [0.95, 0.2, 0.0], [0.9, 0.0, 0.3], [0.0, 0.0, 1.0]], dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    centrality = lexrank(v)
    assert centrality.argmax() in (0, 1, 2) and centrality[3] == centrality.min()
    chosen = pick(centrality, np.zeros(4), v, 2, SummaryWeights(0.0, 0.9))
    assert 3 in chosen  # with novelty weighed heavily the second pick is the outlier, not the near-copy


def test_shipped_summary_weights_are_readable():
    weights = read_weights()
    assert 0.0 <= weights.relevance <= 1.0 and 0.0 <= weights.novelty <= 1.0 and weights.fitted_on


def test_summary_of_a_document_quotes_several_units_in_order(shared_index, built):
    answer = ask("Sammanfatta Alingsås verksamhetsuppföljning för 2022/2023.", settings=built[0], index=shared_index)
    assert not answer.refused, answer.answer
    assert answer.answer.startswith("Sammanfattning av")
    items = re.findall(r"^- .+\[(\d+)\]$", answer.answer, flags=re.MULTILINE)
    assert 3 <= len(items) <= 6
    for c in answer.citations:  # every quoted unit is verbatim in its passage
        assert all(q in c.hit.chunk.text for q in c.quotes)


def test_two_part_question_answers_each_part(shared_index, built):
    answer = ask(
        "Hur mycket kostar matematiksatsningen och vad kostar elevhälsopersonalen?",
        settings=built[0],
        index=shared_index,
    )
    assert not answer.refused
    assert "100 tkr" in answer.answer and "2 400 tkr" in answer.answer, answer.answer
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers == {c.n for c in answer.citations}


def test_running_sentences_from_one_passage_share_one_marker():
    from assistant.extractive import Scored, compose
    from assistant.sentences import Sentence

    def unit(chunk_id: str, text: str, start: int) -> Scored:
        passage = "Nämnden satsar på läxhjälp. Den kostar 100 tkr. Rektorerna följer upp."
        chunk = Chunk(chunk_id, "d.md", "Plan", "Alingsås", 2025, ["Ekonomi"], passage, 0, len(passage), None, None)
        return Scored(Sentence(Hit(1, chunk, 0.9, 0.8, 1.0, []), 1, start, start + len(text), text, False), 0.9, 0.8, 1)

    same = [unit("d#0", "Den kostar 100 tkr.", 28), unit("d#0", "Rektorerna följer upp.", 48)]
    text, citations = compose("Vad kostar läxhjälpen?", same)
    assert text.startswith("Den kostar 100 tkr. Rektorerna följer upp. [1]") and len(citations) == 1
    two = [unit("d#0", "Den kostar 100 tkr.", 28), unit("d#1", "Rektorerna följer upp.", 48)]
    text, citations = compose("Vad kostar läxhjälpen?", two)
    assert text.startswith("Den kostar 100 tkr. [1] Rektorerna följer upp. [2]") and len(citations) == 2


@pytest.mark.parametrize(
    ("passage", "chosen", "quoted"),
    [
        # A sentence right before a bulleted list brings the list, colon or not.
        (
            "Förvaltningen informerar om granskningen.\n\n• Undervisning\n• Trygghet och studiero\n\n"
            "Beslutsgång följer.",
            "Förvaltningen informerar om granskningen.",
            ["Undervisning", "Trygghet och studiero"],
        ),
        # A sentence followed by more running text does not, though a list comes later.
        (
            "Förvaltningen informerar om granskningen. Den pågår i vår.\n\n• Undervisning",
            "Förvaltningen informerar om granskningen.",
            [],
        ),
        # A list item is not the lead-in of the items after it.
        ("Områden:\n\n• Undervisning\n• Trygghet och studiero", "Undervisning", []),
    ],
)
def test_a_sentence_right_before_a_list_brings_the_list(passage, chosen, quoted):
    from assistant.extractive import Scored, select
    from assistant.sentences import passage_sentences

    chunk = Chunk("d#0", "d.md", "Protokoll", "Kungsbacka", 2026, ["§ 30"], passage, 0, len(passage), None, None)
    units = passage_sentences(Hit(1, chunk, 0.9, 0.8, 1.0, []), 1)
    # The chosen unit scores far above the rest, so only what it introduces joins it.
    scored = [Scored(u, 0.9 if u.text == chosen else 0.01, 0.8, 1.0) for u in units]
    scored.sort(key=lambda s: s.total, reverse=True)
    answer = [s.sentence.text for s in select(scored, "Vad ska granskas?", ["Kungsbacka"])]
    assert answer == [chosen, *quoted]
