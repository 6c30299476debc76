"""Decision look-ups: questions naming a dnr or a § with its date, and "Vad beslutade nämnden om …?"."""

from __future__ import annotations

import pytest

from assistant import ask
from assistant.lookup import DecisionReference, is_decision_question, reference_in


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Vad beslutades 2025-06-17 § 44?", DecisionReference("2025-06-17", 44, None)),
        ("Vad beslutade nämnden den 19 mars 2025 i paragraf 28?", DecisionReference("2025-03-19", 28, None)),
        ("Vad gäller ärendet FG-2025-00108?", DecisionReference(None, None, "FG-2025-00108")),
        ("Vilket beslut har dnr 2025.129 BUN?", DecisionReference(None, None, "2025.129 BUN")),
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


def test_unknown_paragraph_is_not_invented(built, shared_index):
    settings, _ = built
    answer = ask("Vad beslutades 2025-06-17 § 99?", settings=settings, index=shared_index)
    assert "§ 99" not in answer.answer or answer.refused
