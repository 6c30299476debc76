"""The learned answer selector: unit detectors per question kind, the feature table, gold labels and the model."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import selector
from assistant.features import FEATURE_NAMES, FEATURES, unit_rows
from assistant.questions import question_kind
from assistant.rules import KIND_DETECTORS, holds_asked_kind
from assistant.sentences import Sentence
from evals.train import Prepared, fit_logistic, is_gold_unit
from index import Hit
from index.chunking import Chunk


def _sentence(text: str, passage: str | None = None, is_list_item: bool = False) -> Sentence:
    passage = passage if passage is not None else text
    chunk = Chunk(
        chunk_id="d#0",
        doc_id="d.md",
        title="Protokoll",
        kommun="Kungsbacka",
        year=2025,
        heading_path=["Ekonomi"],
        text=passage,
        start=0,
        end=len(passage),
        page_start=None,
        page_end=None,
    )
    start = passage.index(text)
    return Sentence(Hit(1, chunk, 0.5, 0.8, 1.0, []), 1, start, start + len(text), text, is_list_item)


# (question, unit text, passage holding it (None: the unit alone), list item, expected)
DETECTOR_CASES = [
    ("Vad kostar matematiksatsningen?", "Matematiksatsning 100 tkr", None, False, True),
    ("Vad kostar matematiksatsningen?", "Matematiksatsningen startar i höst.", None, False, False),
    ("Vad kostar lokalerna?", "| Lokaler | 340 |", "| Post | Kostnad (tkr) |\n| Lokaler | 340 |", False, True),
    (
        "Hur mycket statsbidrag kom in?",
        "| Totalt | 8 263 689 |",
        "| Statsbidrag | Belopp |\n| Totalt | 8 263 689 |",
        False,
        True,
    ),
    ("Vad kostar lokalerna?", "| Lokaler | 340 |", "| Post | Antal rum |\n| Lokaler | 340 |", False, False),
    ("Hur många socialpedagoger anställdes?", "Fyra socialpedagoger anställdes.", None, False, True),
    ("Hur många elever går i årskurs 9?", "Eleverna i årskurs 9 är nöjda.", None, False, False),
    ("Hur många anställda finns totalt?", "| Totalt | 852 |", "| Grupp | Anställda |\n| Totalt | 852 |", False, True),
    ("Hur många anställda fanns 2025?", "| År | 2025 |", None, False, False),
    ("Hur ofta följs resultaten upp?", "Resultaten följs upp två gånger per termin.", None, False, True),
    ("När började projektet?", "Projektet började i augusti 2024.", None, False, True),
    ("När började projektet?", "Projektet har börjat.", None, False, False),
    ("Vem leder arbetet?", "Arbetet leds av förvaltningschefen.", None, False, True),
    ("Vem har certifierat utbildningen?", "Den certifierades av branschorganisationen Visita.", None, False, True),
    ("Vem har certifierat utbildningen?", "Utbildningen certifierades i våras.", None, False, False),
    ("Vilka åtgärder föreslås?", "Fler vuxna i skolan", None, True, True),
    ("Vilka åtgärder föreslås?", "Åtgärderna beskrivs nedan.", None, False, False),
    ("Vilka föreläsare har anlitats?", "Anna Lund, Per Berg och Eva Ek har anlitats.", None, False, True),
    ("Vilka föreläsare har anlitats?", "Anna Lund och Per Berg har anlitats.", None, False, False),
    ("Vad gäller för dnr FG-2025-00123?", "Dnr FG-2025-00123 Budget 2026", None, False, True),
    ("Vad gäller för dnr FG-2025-00123?", "Dnr FG-2025-00999 Budget 2026", None, False, False),
    ("På vilken skola har kameror satts upp?", "Kameror har satts upp i Östlyckeskolans lokaler.", None, False, True),
    ("På vilken skola har kameror satts upp?", "Kameror har satts upp på skolan.", None, False, False),
    ("Vilken plattform har skapats?", "En plattform (alingsas.se/pedagogalingsas) har skapats.", None, False, True),
    (
        "Hur föll omröstningen om yttrandet?",
        "Omröstningen utfaller med 6 ja-röster och 3 nej-röster.",
        None,
        False,
        True,
    ),
    ("Hur föll omröstningen om yttrandet?", "Omröstning begärs och genomförs.", None, False, False),
    ("Hur röstade Centerns ledamot?", "| Peter Lundin (C) | | X |", None, False, False),
    ("Hur röstade Centerns ledamot?", "Peter Lundin (C): Nej", None, False, True),
    ("Gick SD:s förslag igenom?", "Nämnden beslutar att avslå tilläggsyrkandet.", None, False, True),
    ("Vad blev det av initiativet?", "Initiativet ska anses vara besvarat.", None, False, True),
    ("Vad blev det av initiativet?", "Susanne Andersson (SD) lämnar ett initiativ.", None, False, False),
    ("Varför flyttade barnen ut?", "Barnen evakuerades på grund av vattenläcka.", None, False, True),
    ("Varför går verksamheten back?", "Underskottet beror på att elevantalet har minskat.", None, False, True),
    ("Varför är utbildningen dyr?", "Den är dyr, då undervisningen kräver externa lokaler.", None, False, True),
    ("Varför gjordes nya mallar?", "Ett annat syfte är att minska dokumentationen.", None, False, True),
    ("Varför flyttade barnen ut?", "Barnen flyttade ut i januari och då var det kallt.", None, False, False),
    ("Varför går verksamheten back?", "Skolenheterna prognostiserar ett underskott på -10,2 mkr.", None, False, False),
]


@pytest.mark.parametrize(("question", "text", "passage", "is_item", "expected"), DETECTOR_CASES)
def test_each_kind_detector(question, text, passage, is_item, expected):
    kind = question_kind(question)
    assert kind in KIND_DETECTORS
    assert holds_asked_kind(kind, _sentence(text, passage, is_item), question) is expected


def test_an_open_question_has_no_detector():
    assert holds_asked_kind("open", _sentence("Nämnden arbetar med trygghet."), "Hur arbetar nämnden?") is None


@pytest.mark.parametrize(
    ("unit", "quotes", "gold"),
    [
        ("Matematiksatsning    100 tkr", ["Matematiksatsning 100 tkr"], True),
        ("| Matematiksatsning | 100 tkr |", ["Matematiksatsning 100 tkr"], True),
        ("Nämnden beslutar att anta budgeten.", ["beslutar att anta budgeten"], True),
        ("2025.", ["Budgeten antogs 2025."], False),  # too short to answer on its own
        ("Nämnden beslutar att anta budgeten för verksamheten.", ["Nämnden beslutar att anta budgeten"], True),
        ("Skolan har ny rektor.", ["Matematiksatsning 100 tkr"], False),
    ],
)
def test_gold_units(unit, quotes, gold):
    assert is_gold_unit(unit, quotes) is gold


def test_shipped_selector_weighs_every_feature_and_says_what_it_was_fitted_on():
    model = selector.read_model()
    assert set(model.weights) == set(FEATURE_NAMES) and model.fitted_on
    assert 0.0 < model.same_document_ratio <= 1.0 and 0.0 < model.other_document_ratio <= 1.0


def test_selector_round_trip(tmp_path):
    model = selector.SelectorModel({"dense": 3.0}, -2.0, 0.7, 0.9, "test")
    selector.write_model(model, tmp_path / "s.json")
    assert selector.read_model(tmp_path / "s.json") == model
    assert model.probability({"dense": 1.0}) == pytest.approx(1 / (1 + np.exp(-1.0)))
    with pytest.raises(ValueError, match="version"):
        (tmp_path / "bad.json").write_text('{"version": 0}', encoding="utf-8")
        selector.read_model(tmp_path / "bad.json")


def test_unit_rows_have_every_feature_and_prefer_the_answer(shared_index, built):
    question = "Hur mycket kostar matematiksatsningen?"
    result = shared_index.search(question, k=8)
    rows, weights = unit_rows(question, result.query_vector, result.hits, shared_index, ["Alingsås", "Svenljunga"])
    assert rows and weights
    assert all(tuple(r.features) == FEATURE_NAMES for r in rows)
    assert set(FEATURES) == set(FEATURE_NAMES)
    model = selector.read_model()
    best = max(rows, key=lambda r: model.probability(r.features))
    assert "100 tkr" in best.sentence.text, best.sentence.text


def test_fitted_weights_are_on_the_raw_features():
    # Units whose "dense" is high are the answers: the folded-back weights must rank raw rows the same way.
    rng = np.random.default_rng(0)
    rows, labels = [], []
    for _ in range(200):
        dense = float(rng.uniform(0.7, 0.9))
        features = dict.fromkeys(FEATURE_NAMES, 0.0) | {"dense": dense, "length": float(rng.uniform(1, 4))}
        rows.append(features)
        labels.append(int(dense > 0.85))

    class Row:
        def __init__(self, features):
            self.features = features

    prepared = [Prepared({}, None, [Row(f) for f in rows], np.array(labels))]
    weights, bias = fit_logistic(prepared, c=1.0)
    model = selector.SelectorModel(weights, bias, 1.0, 1.0)
    high = model.probability(dict.fromkeys(FEATURE_NAMES, 0.0) | {"dense": 0.89, "length": 2.0})
    low = model.probability(dict.fromkeys(FEATURE_NAMES, 0.0) | {"dense": 0.72, "length": 2.0})
    assert high > 0.5 > low


@pytest.mark.parametrize(
    ("row", "total"),
    [
        ("| Totalt | 8 464 |", True),
        ("Totalt 8 464 tkr", True),
        ("Summa kostnader 1 200", True),
        ("Totalt sett är eleverna nöjda.", False),
        ("Anställda totalt 758      776         806        831        852", True),
        ("| Anställda totalt | 852 |", True),
        ("Totalt 8 464 tkr (2024: 7 900)", True),
        ("Nämnden har totalt 45 elever i kö.", False),
        ("Totalt har 45 elever sökt.", False),
        ("| Matematiksatsning | 100 |", False),
    ],
)
def test_total_rows(row, total):
    from assistant.questions import is_total_row

    assert is_total_row(row) is total


def test_a_sum_is_answered_with_the_total_row(shared_index, built):
    from assistant import ask

    answer = ask("Vad kostar alla insatserna tillsammans?", settings=built[0], index=shared_index)
    assert "8 464 tkr" in answer.answer, answer.answer
