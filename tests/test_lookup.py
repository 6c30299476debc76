"""Decision look-ups: questions naming a dnr or a § with its date, and "Vad beslutade nämnden om …?"."""

from __future__ import annotations

import pytest

from assistant import ask
from assistant.lookup import DecisionReference, is_decision_question, reference_in
from assistant.retrieval import retrieve
from assistant.scope import MeetingMention, QuestionScope


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Vad beslutades 2025-06-17 § 44?", DecisionReference("2025-06-17", 44, None)),
        ("Vad beslutade nämnden den 19 mars 2025 i paragraf 28?", DecisionReference("2025-03-19", 28, None)),
        ("Vad gäller ärendet FG-2025-00108?", DecisionReference(None, None, "FG-2025-00108")),
        ("Vilket beslut har dnr 2025.129 BUN?", DecisionReference(None, None, "2025.129 BUN")),
        (
            "Vad beslutade nämnden under § 98 på oktobermötet 2025?",
            DecisionReference(None, 98, None, QuestionScope((MeetingMention(10, 2025),))),
        ),
        (
            "Vad beslutade FG-nämnden den 14 maj 2025 i § 57?",
            DecisionReference("2025-05-14", 57, None, QuestionScope((), ("grundskola",))),
        ),
        ("Vad säger § 44?", None),
        ("Vad hände 2025-06-17?", None),
    ],
)
def test_references_in_questions(question, expected):
    assert reference_in(question) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Vad beslutade nämnden om kameraövervakning?", True),
        ("Gick S-förslaget om skolfrukost igenom?", True),
        ("Vad blev det av motionen om läxhjälp?", True),
        ("Hur många elever går i årskurs 9?", False),
    ],
)
def test_decision_questions(question, expected):
    assert is_decision_question(question) is expected


def test_decision_by_date_and_paragraph_quotes_the_decision(built, shared_index):
    settings, _ = built
    answer = ask("Vad beslutades 2025-06-17 § 44?", settings=settings, index=shared_index)
    assert not answer.refused
    assert "omfördela resurser från lokalhyror till höjd elevpeng" in answer.answer
    assert "2025-06-17, § 44" in answer.answer and answer.answer.endswith("[1]")
    cited = answer.citations[0]
    assert cited.hit.chunk.doc_id == "alingsas-bun-2025-uppfoljning-inriktning-senare.txt"
    assert "2025-06-17 § 44" in cited.hit.chunk.text


def test_dnr_of_a_document_comes_from_its_own_record(built, shared_index):
    # The report's diarienummer stands in its catalog passage, not in any sentence a selector could pick.
    settings, _ = built
    answer = ask(
        "Vilket diarienummer har uppföljningen av nämndens inriktning per april?", settings=settings, index=shared_index
    )
    assert answer.answer.startswith("Enligt Uppföljning inriktning budget 2025 (per april), Alingsås: ")
    assert answer.answer.endswith(": 2025.129 BUN [1]")
    assert answer.citations[0].hit.chunk.doc_id == "alingsas-bun-2025-uppfoljning-inriktning-april.txt"


def test_unknown_paragraph_is_not_invented(built, shared_index):
    settings, _ = built
    answer = ask("Vad beslutades 2025-06-17 § 99?", settings=settings, index=shared_index)
    assert "§ 99" not in answer.answer or answer.refused


PROTOCOL = """KUNGSBACKA KOMMUN    SAMMANTRÄDESPROTOKOLL
Nämnden för Teknik
Datum
2025-04-15

§ 39 Dnr TE-2025-00170
Bredbandstaxa 2026

Beslut
Nämnden för Teknik föreslår kommunfullmäktige att anta bredbandstaxa 2026.

Sammanfattning av ärendet
Taxan för kapacitet höjs med två procent för att täcka kostnaderna för nätet.

§ 40 Dnr TE-2025-00171
Slamstrategi för avloppsreningsverken

Beslut
Nämnden för Teknik antar en ny slamstrategi för avsättning av slam från reningsverken.
"""


KULTUR = """KUNGSBACKA KOMMUN    SAMMANTRÄDESPROTOKOLL
Nämnden för Kultur & Fritid
Datum
2025-04-23

§ 40 Dnr KFT-2025-00090
Öppettider för biblioteken i sommar

Beslut
Nämnden för Kultur & Fritid fastställer bibliotekens sommaröppettider enligt förvaltningens förslag.

§ 41 Dnr KFT-2025-00091
Föreningsbidrag 2025

Beslut
Nämnden för Kultur & Fritid fördelar föreningsbidragen för 2025 enligt bilaga.

§ 42 Dnr KFT-2025-00092
Sommarlovsaktiviteter 2025

Beslut
Nämnden för Kultur & Fritid godkänner programmet för sommarlovsaktiviteter 2025.

Förslag till beslut på sammanträdet
Anna Berg (SD) yrkar som tillägg att entrén till badhuset ska vara gratis för barn under sommarlovet.

Beslutsgång
Ordföranden frågar om nämnden kan besluta enligt förvaltningens förslag och finner att nämnden bifaller det.
Därefter frågar ordföranden om nämnden kan besluta enligt tilläggsyrkandet om gratis entré till badhuset och
finner att nämnden beslutar att avslå tilläggsyrkandet.
"""


STATSBIDRAG = """KUNGSBACKA KOMMUN    SAMMANTRÄDESPROTOKOLL
Nämnden för Individ & Familjeomsorg
Datum
2025-04-17

§ 41 Dnr IF-2025-00123
Information om sökta statsbidrag 2024

Beslut
Nämnden för Individ & Familjeomsorg noterar informationen till protokollet.

Sammanfattning av ärendet
Enhetschefen redogör för beviljade belopp angående sökta statsbidrag för 2024.

| Statsbidrag | Belopp |
| Habiliteringsersättning, Socialstyrelsen | 2 366 561 |
| Psykisk hälsa och suicidprevention, Regionen | 2 752 263 |
| Kunskapsbaserad vård, Kammarkollegiet | 3 144 865 |
| Totalt | 8 263 689 |

§ 42 Dnr IF-2025-00124
Årets möjliggörare

Beslut
Nämnden för Individ & Familjeomsorg noterar informationen till protokollet.
"""


STATSBIDRAG_2025 = (
    STATSBIDRAG.replace("2025-04-17", "2026-04-16")
    .replace("§ 41 Dnr IF-2025-00123", "§ 53 Dnr IF-2026-00088")
    .replace("§ 42 Dnr IF-2025-00124", "§ 54 Dnr IF-2026-00089")
    .replace("statsbidrag 2024", "statsbidrag 2025")
    .replace("statsbidrag för 2024", "statsbidrag för 2025")
    .replace("| Totalt | 8 263 689 |", "| Totalt | 13 803 657 |")
)


INSATSER = """# Kostnader för insatserna 2025

Nämnden finansierar fyra insatser för elever under 2025.

| Insats | Kostnad (tkr) |
| --- | --- |
| Läxhjälp | 1 200 |
| Simskola | 800 |
| Sommarskola | 450 |
| Totalt | 2 450 |
"""


KALLELSE = """# Kallelse, Nämnden för Gymnasium & Arbetsmarknad, 2025-11-20

| | Ärende | Beteckning | Förslag |
| --- | --- | --- | --- |
| 10. | Delårsrapport augusti 2025 | GA-2025-<br>00150 | Delårsrapporten godkänns. |
| 11. | Interkommunal ersättning<br>vuxenutbildning 2026 | GA-2025-<br>00154 | Ersättningen 2026 fastställs. |
"""


SIMHALL = """KUNGSBACKA KOMMUN    SAMMANTRÄDESPROTOKOLL
Nämnden för Kultur & Fritid
Datum
2025-05-20

§ 60 Dnr KF-2025-00300
Simhall i Åsa

Beslut
Nämnden för Kultur & Fritid beslutar att bygga en simhall i Åsa.

Sammanfattning av ärendet
Förvaltningen har utrett en simhall i Åsa med en bassäng på 25 meter.

Omröstning
Omröstningen utfaller med 7 ja-röster och 4 nej-röster.

Reservation
Anna Berg (V) och Per Ek (V) reserverar sig mot beslutet.

§ 61 Dnr KF-2025-00301
Bidrag till idrottsföreningar

Beslut
Nämnden för Kultur & Fritid fördelar bidragen enligt förvaltningens förslag.
"""


@pytest.fixture(scope="module")
def protocol_index(tmp_path_factory):
    from conftest import small_corpus

    import index

    settings = small_corpus(tmp_path_factory.mktemp("protokoll"))
    (settings.corpus_dir / "teknik-2025-04-15-protokoll.md").write_text(PROTOCOL, encoding="utf-8")
    (settings.corpus_dir / "kultur-2025-04-23-protokoll.md").write_text(KULTUR, encoding="utf-8")
    (settings.corpus_dir / "ifo-2025-04-17-protokoll.md").write_text(STATSBIDRAG, encoding="utf-8")
    (settings.corpus_dir / "ifo-2026-04-16-protokoll.md").write_text(STATSBIDRAG_2025, encoding="utf-8")
    (settings.corpus_dir / "insatser-2025.md").write_text(INSATSER, encoding="utf-8")
    (settings.corpus_dir / "ga-2025-11-20-kallelse.md").write_text(KALLELSE, encoding="utf-8")
    (settings.corpus_dir / "kf-2025-05-20-protokoll.md").write_text(SIMHALL, encoding="utf-8")
    index.build(settings, progress=False)
    return settings, index.open(settings)


def test_dnr_question_is_answered_from_the_register(protocol_index):
    settings, ix = protocol_index
    answer = ask("Vilket diarienummer har ärendet om slamstrategin?", settings=settings, index=ix)
    assert "TE-2025-00171" in answer.answer and "§ 40" in answer.answer and not answer.refused


def test_dnr_of_an_item_on_a_kallelse_agenda_comes_from_its_row(protocol_index):
    settings, ix = protocol_index
    answer = ask(
        "Vilket diarienummer har ärendet om interkommunal ersättning för vuxenutbildningen 2026?",
        settings=settings,
        index=ix,
    )
    assert "GA-2025-00154" in answer.answer and "GA-2025-00150" not in answer.answer, answer.answer
    assert answer.citations[0].hit.chunk.doc_id == "ga-2025-11-20-kallelse.md"


def test_an_item_named_by_a_dnr_only_a_kallelse_lists_is_told_from_its_agenda_row(protocol_index):
    settings, ix = protocol_index
    answer = ask("Vad handlar ärende GA-2025-00154 om?", settings=settings, index=ix)
    assert not answer.refused and not answer.answer.startswith("Sammanfattning"), answer.answer
    assert "”Interkommunal ersättning vuxenutbildning 2026”" in answer.answer, answer.answer
    assert "Ersättningen 2026 fastställs" in answer.answer and "GA-2025-00150" not in answer.answer
    assert [c.hit.chunk.doc_id for c in answer.citations] == ["ga-2025-11-20-kallelse.md"]


def test_a_vote_question_gets_the_items_tally_wherever_it_stands(protocol_index):
    from assistant.lookup import item_fact_answer
    from assistant.models import Answer, Citation
    from index import Hit

    settings, ix = protocol_index
    chunk = next(c for c in ix.chunks if c.doc_id == "kf-2025-05-20-protokoll.md" and c.paragraf == 60)
    picked = "Förvaltningen har utrett en simhall i Åsa med en bassäng på 25 meter."
    extractive = Answer(
        question="Hur föll omröstningen om simhallen i Åsa?",
        answer=picked,
        refused=False,
        mode="extractive",
        citations=[Citation(1, Hit(1, chunk, 0.9, 0.8, 1.0, []), [picked])],
        evidence=0.8,
    )
    answer = item_fact_answer(extractive.question, ix, extractive)
    assert "7 ja-röster och 4 nej-röster" in answer.answer and "§ 60" in answer.answer, answer.answer
    assert answer.citations[0].quotes == ["Omröstningen utfaller med 7 ja-röster och 4 nej-röster."]
    asked = extractive.__dict__ | {"question": "Vilka reserverade sig mot beslutet om simhallen?"}
    reserved = item_fact_answer(asked["question"], ix, Answer(**asked))
    assert reserved.citations[0].quotes == ["Anna Berg (V) och Per Ek (V) reserverar sig mot beslutet."]
    # Any other kind of question, or an answer that already holds a tally, is left as it was.
    other = Answer(**{**extractive.__dict__, "question": "Vad kostar simhallen?"})
    assert item_fact_answer(other.question, ix, other) is other
    # Through the assistant: the tally is in the answer.
    asked = ask("Hur föll omröstningen om simhallen i Åsa?", settings=settings, index=ix)
    assert "7 ja-röster" in asked.answer, asked.answer


def test_who_and_why_of_a_decision_keep_the_units_that_say_so(protocol_index):
    from assistant.lookup import topic_answer
    from assistant.models import Answer, Citation
    from index import Hit

    settings, ix = protocol_index
    chunk = next(c for c in ix.chunks if c.doc_id == "kf-2025-05-20-protokoll.md" and c.paragraf == 60)
    picked = "Förvaltningen har utrett en simhall i Åsa med en bassäng på 25 meter."

    def picked_for(question: str) -> Answer:
        return Answer(question, picked, False, "extractive", [Citation(1, Hit(1, chunk, 0.9, 0.8, 1.0, []), [picked])])

    for question in ("Vem yrkade avslag på simhallen i Åsa?", "Varför beslutade nämnden så om simhallen i Åsa?"):
        extractive = picked_for(question)
        assert topic_answer(question, ix, extractive) is extractive
    decided = topic_answer("Vad beslutade nämnden om simhallen i Åsa?", ix, picked_for("q"))
    assert "§ 60" in decided.answer and picked not in decided.answer, decided.answer


def test_decision_topic_question_quotes_the_whole_decision(protocol_index):
    settings, ix = protocol_index
    answer = ask("Vad beslutade tekniknämnden om bredbandstaxan?", settings=settings, index=ix)
    assert "föreslår kommunfullmäktige att anta bredbandstaxa 2026" in answer.answer
    assert "§ 39" in answer.answer and "TE-2025-00170" in answer.answer


def test_paragraph_and_date_look_up_on_a_protocol(protocol_index):
    settings, ix = protocol_index
    answer = ask("Vad beslutades den 15 april 2025 § 40?", settings=settings, index=ix)
    assert "antar en ny slamstrategi" in answer.answer and answer.citations[0].hit.chunk.paragraf == 40


def test_an_item_is_retrieved_by_its_meetings_date_and_paragraph(protocol_index):
    # "§ 40" stands in two protocols and neither item's text holds its meeting's date: the date and § together
    # name one passage, which retrieval ranks first.
    settings, ix = protocol_index
    for question, doc_id in (
        ("Vad beslutades 2025-04-15 § 40?", "teknik-2025-04-15-protokoll.md"),
        ("Vad beslutades 2025-04-23 § 40?", "kultur-2025-04-23-protokoll.md"),
    ):
        first = retrieve(ix, question, 5).hits[0]
        assert (first.chunk.doc_id, first.chunk.paragraf) == (doc_id, 40), question
        assert sorted(first.reference_hits) == sorted(["§ 40", question.split()[2]])


def test_what_an_item_named_by_its_paragraph_was_about_is_a_summary_of_the_item(protocol_index):
    settings, ix = protocol_index
    answer = ask("Vad handlade § 60 om på kultur och fritids sammanträde den 20 maj 2025?", settings=settings, index=ix)
    assert answer.answer.startswith("Sammanfattning av avsnittet ”§ 60"), answer.answer
    assert "bassäng på 25 meter" in answer.answer and "bygga en simhall i Åsa" in answer.answer
    assert {c.hit.chunk.paragraf for c in answer.citations} == {60}  # nothing of § 61
    asked = ask("Vad beslutades den 20 maj 2025 § 60?", settings=settings, index=ix)
    assert not asked.answer.startswith("Sammanfattning") and "bygga en simhall i Åsa" in asked.answer


def test_a_question_about_a_sum_is_answered_with_the_total_row(protocol_index):
    settings, ix = protocol_index
    answer = ask("Hur mycket kostar insatserna sammanlagt?", settings=settings, index=ix)
    assert "2 450" in answer.answer and "Totalt" in answer.answer
    assert any(q.startswith("| Totalt") for c in answer.citations for q in c.quotes)


def test_paragraph_named_by_its_month_held_by_one_protocol(protocol_index):
    settings, ix = protocol_index
    answer = ask("Vad beslutades under § 39 på aprilmötet 2025?", settings=settings, index=ix)
    assert "bredbandstaxa 2026" in answer.answer and "2025-04-15, § 39" in answer.answer


def test_paragraph_named_by_its_month_held_by_two_protocols_lists_both(protocol_index):
    settings, ix = protocol_index
    answer = ask("Vad beslutades i april 2025 § 40?", settings=settings, index=ix)
    assert "§ 40 finns i 2 protokoll" in answer.answer
    assert "slamstrategi" in answer.answer and "sommaröppettider" in answer.answer
    assert {c.hit.chunk.doc_id for c in answer.citations} == {
        "teknik-2025-04-15-protokoll.md",
        "kultur-2025-04-23-protokoll.md",
    }
    named = ask("Vad beslutade tekniknämnden i april 2025 § 40?", settings=settings, index=ix)
    assert "slamstrategi" in named.answer and "sommaröppettider" not in named.answer


def test_paragraph_of_another_committee_is_not_quoted(protocol_index):
    settings, ix = protocol_index
    answer = ask("Vad beslutade kultur- och fritidsnämnden den 15 april 2025 § 40?", settings=settings, index=ix)
    assert answer.refused and "slamstrategi" not in answer.answer
    assert "Nämnden för Teknik" in answer.answer


def test_a_total_under_an_amount_header_answers_a_question_naming_the_committee(protocol_index):
    settings, ix = protocol_index
    answer = ask("Hur mycket fick IFO in i sökta statsbidrag för 2024 sammanlagt?", settings=settings, index=ix)
    assert not answer.refused, answer.answer
    assert "8 263 689" in answer.answer and "IFO" not in answer.answer


@pytest.mark.parametrize(
    ("year", "total", "other"), [("2024", "8 263 689", "13 803 657"), ("2025", "13 803 657", "8 263 689")]
)
def test_the_total_of_the_year_asked_about(protocol_index, year, total, other):
    settings, ix = protocol_index
    answer = ask(f"Hur mycket statsbidrag fick IFO totalt för {year}?", settings=settings, index=ix)
    assert total in answer.answer and other not in answer.answer, answer.answer


def test_what_became_of_a_proposal_is_told_when_the_decision_does_not_say(protocol_index):
    settings, ix = protocol_index
    answer = ask("Gick SD:s tilläggsyrkande om gratis entré till badhuset igenom?", settings=settings, index=ix)
    assert "avslå tilläggsyrkandet" in answer.answer, answer.answer
