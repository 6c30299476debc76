"""The signals behind refusals: words the documents never use, facts of the asked-for kind, and the note
that tells the user what is missing."""

from __future__ import annotations

import json

import pytest

from assistant import REFUSAL, ask
from assistant.questions import asked_words, question_kind
from assistant.rules import HAS_DATE, has_quantity
from assistant.sentences import helpers_for
from evals.dataset import load_set
from evals.metrics import normalise
from settings import ROOT


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Vilket parti styr i Svenljunga kommun?", ["parti", "svenljunga"]),
        ("Vad tycker vårdnadshavarna om skolmaten?", ["skolmaten"]),
        ("Hur många kameror har installerats?", ["kameror"]),
        ("Vem är ordförande i nämnden?", ["ordförande"]),
        ("Vad har Skolinspektionen kritiserat?", ["skolinspektionen"]),
        ("Vad beslutade nämnden om att införa kameror?", []),
        ("Vilka strategiska fokusområden finns?", ["strategiska"]),
    ],
)
def test_asked_words_are_the_nouns_in_question_positions(question, expected):
    assert asked_words(question) == expected


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Hur lång tid tar det att skapa en bestående förändring?", "number"),
        ("Hur stort statsbidrag beviljades för akutskolan?", "money"),
        ("Vad kostar garantin?", "money"),
        ("Vilket grundbelopp gäller för fritidshem 2026?", "money"),
        ("Vilken ersättning betalas för ett barn på förskolan?", "money"),
        ("Hur stor blir den interkommunala ersättningen per elev?", "money"),
        ("När togs kamerorna i drift?", "date"),
        ("Hur många röster fick förslaget?", "vote"),
        ("Hur slutade omröstningen om motionen?", "vote"),
        ("Röstade Centerns ledamot för eller emot motionen?", "vote"),
        ("Gick Socialdemokraternas tillägg om skolfrukost igenom?", "outcome"),
        ("Vad hände med förslaget om senare skolstart?", "outcome"),
        ("Vem tjänstgjorde i hennes ställe när nämnden röstade?", "who"),
        ("Varför går skolenheterna back i år?", "reason"),
        ("Varför är padelutbildningen så dyr att driva?", "reason"),
        ("Vad beror underskottet på?", "reason"),
        ("Av vilket skäl deltog hon inte?", "reason"),
        ("Vad var syftet med de nya mallarna?", "reason"),
        # A summary asks for an overview, not for the kind of fact a word in it names.
        ("Sammanfatta kort vad planen med kostnader för 2020/2021 handlar om.", "open"),
        ("Vad handlade redovisningen av de nya avgifterna om?", "open"),
    ],
)
def test_question_kinds(question, kind):
    assert question_kind(question) == kind


def test_counts_dates_and_what_only_looks_like_them():
    assert has_quantity("det tar 5-8 år att skapa en förändring")
    assert has_quantity("fyra socialpedagoger har anställts")
    assert not has_quantity("Färre elever i både årskurs 6 och 9 når minst betyg E men för årskurs 9 är det fler")
    assert not has_quantity("enligt 4 kap. skollagen")
    assert HAS_DATE.search("beslutad i februari 2020")
    assert not HAS_DATE.search("2 kap. 8 § skollagen (2010:800) säger att huvudmannen ska utse en skolchef")


def test_lexicon_knows_words_in_any_form_and_where_they_occur(shared_index):
    lexicon, _ = helpers_for(shared_index)
    stem = lexicon.stemmer.stemWord
    assert lexicon.attested(stem("kostar"))  # "kostnad"
    assert lexicon.attested(stem("aprilrapporten"))  # april + rapport
    assert lexicon.attested(stem("frånvaron"))
    for absent in ("skolmaten", "parti", "lön", "lärarlegitimation"):
        assert not lexicon.attested(stem(absent)), absent
    assert "Alingsås" in lexicon.municipalities_using(stem("prov"))
    assert "Svenljunga" not in lexicon.municipalities_using(stem("prov"))
    assert lexicon.municipalities_using(stem("skolmaten")) == set()


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("Vilket parti styr i Svenljunga kommun?", "Ordet ”parti” förekommer inte i dokumenten."),
        # Alingsås's passages found for the question write about the akutskola; Svenljunga's documents never do.
        ("Har Svenljunga en akutskola?", "Dokumenten från Svenljunga nämner inte ”akutskola”."),
    ],
)
def test_refusal_says_which_word_the_documents_lack(shared_index, built, question, note):
    # Whether to refuse is the learned model's call (a missing word is one of its features, not a veto); when it
    # refuses, the refusal names the word. A threshold above any evidence makes it refuse here.
    answer = ask(question, settings=built[0].model_copy(update={"refusal_threshold": 1.0}), index=shared_index)
    assert answer.refused
    assert answer.answer.startswith(f"{REFUSAL} {note}")
    assert "Närmast i dokumenten:" in answer.answer


def test_a_word_only_other_municipalities_use_is_named_only_when_their_passages_were_found(shared_index, built):
    # Every passage found is Alingsås's: that other municipalities use "rensa" or "gamla" says nothing about the
    # topic being covered elsewhere, so the refusal names no word of the question.
    question = "Hur har det gått med att rensa bort gamla dokument i förvaltningens dokumentarkiv i Alingsås?"
    answer = ask(question, settings=built[0].model_copy(update={"refusal_threshold": 1.0}), index=shared_index)
    assert answer.refused
    assert answer.answer.startswith(f"{REFUSAL}\n")


@pytest.mark.parametrize("verb", ["sammanfatta", "beskriv", "berätta"])
def test_a_refusal_never_names_the_verb_that_asks(shared_index, built, verb):
    question = f"{verb.capitalize()} hur Svenljunga arbetar med skolskjutsarnas upphandling."
    answer = ask(question, settings=built[0].model_copy(update={"refusal_threshold": 1.0}), index=shared_index)
    assert answer.refused and f"”{verb}”" not in answer.answer


def test_answered_question_about_a_word_used_elsewhere_is_not_flagged(shared_index, built):
    # "nationella prov" occur in Alingsås' documents: a question about Alingsås is answered.
    answer = ask(
        "Hur har resultaten på de nationella proven i årskurs 3 utvecklats i Alingsås?",
        settings=built[0],
        index=shared_index,
    )
    assert not answer.refused and "nationella prov" in answer.answer


@pytest.mark.parametrize("name", ["dev.jsonl", "heldout.jsonl"])
def test_evaluation_sets_are_valid_and_quote_the_documents(name, shared_index):
    items = load_set(ROOT / "evals" / "sets" / name)
    docs: dict[str, str] = {}
    for chunk in shared_index.chunks:  # document text and its catalog passage ("Datum för beslut: ...")
        docs[chunk.doc_id] = docs.get(chunk.doc_id, "") + " " + normalise(chunk.text)
    ids = [q["id"] for q in items]
    assert len(ids) == len(set(ids))
    for q in items:
        for quote in q["expected_quotes"]:
            assert any(normalise(quote) in docs[d] for d in q["expected_docs"]), (q["id"], quote)
    assert sum(not q["answerable"] for q in items) >= 15


def test_heldout_set_shares_no_question_with_the_dev_set():
    dev = {json.loads(line)["question"] for line in (ROOT / "evals" / "sets" / "dev.jsonl").open(encoding="utf-8")}
    held = load_set(ROOT / "evals" / "sets" / "heldout.jsonl")
    assert not dev & {q["question"] for q in held}
