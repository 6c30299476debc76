"""Conversations: only elliptic questions take context; a complete question always stands alone."""

from __future__ import annotations

import pytest

from assistant.followup import Interpretation, is_follow_up, opens_noun_phrase, points_back, rewrite

KOMMUNER = ["Alingsås", "Kungsbacka", "Svenljunga"]

# (earlier questions, question, expected standalone text, expected carried topic)
CONVERSATIONS = [
    # Complete questions stand alone, whatever came before (the drift the politicians saw).
    (["På vilken skola har kameror satts upp?"], "Hur mycket kostar den nya simhallen i Alingsås?", None, ""),
    (["Vad beslutade nämnden om elevpengen?"], "Vad gör man åt den höga frånvaron?", None, ""),
    (["Vad kostar matematiksatsningen?"], "Hur många elever går i grundskolan i Svenljunga?", None, ""),
    (["Hur arbetar Alingsås med trygghet och studiero?"], "Vilka mål har Kungsbacka för förskolan?", None, ""),
    (["Vad kostar matematiksatsningen?"], "Vad innebär det här beslutet om skolskjuts?", None, ""),
    (["Vad kostar matematiksatsningen?"], "När infördes det nya betygssystemet i grundskolan?", None, ""),
    (["Vad kostar digitaliseringen?"], "Vad är läsårsplanering?", None, ""),
    (["Vad kostar digitaliseringen?"], "Vem är ordförande i nämnden för Förskola & Grundskola?", None, ""),
    (["Vilka satsningar finns i budgeten?"], "Hur stor är budgeten för kultur och fritid 2025?", None, ""),
    (["Vad kostar simhallen?"], "Varför ökar sjukfrånvaron bland personalen i äldreomsorgen?", None, ""),
    (["Vad beslutade nämnden 2025-06-17 § 44?"], "Vilka avgifter gäller för bygglov i Kungsbacka?", None, ""),
    (["Hur arbetar man med trygghet?"], "Vad säger de nya reglerna om mobiltelefoner i skolan?", None, ""),
    # A municipality swapped in.
    (
        ["Hur arbetar Alingsås med trygghet och studiero?"],
        "Och i Svenljunga?",
        "Hur arbetar Svenljunga med trygghet och studiero?",
        "",
    ),
    (["Hur arbetar Alingsås med trygghet och studiero?"], "Svenljunga då?", None, None),
    (
        ["Vad beslutade nämnden om elevpengen?"],
        "Och i Svenljunga?",
        "Vad beslutade nämnden om elevpengen i Svenljunga?",
        "",
    ),
    (
        ["Hur många elever har Alingsås i grundskolan?", "Och i Svenljunga?"],
        "Och i Kungsbacka?",
        "Hur många elever har Kungsbacka i grundskolan?",
        "",
    ),
    (
        ["Hur arbetar Alingsås med trygghet och studiero?"],
        "Hur är det med Svenljunga?",
        "Hur arbetar Svenljunga med trygghet och studiero?",
        "",
    ),
    # A reference or a year swapped in.
    (["Vad beslutade nämnden 2025-06-17 § 44?"], "Och § 47?", "Vad beslutade nämnden 2025-06-17 § 47?", ""),
    (["Hur stor var budgeten 2024?"], "Och 2025?", "Hur stor var budgeten 2025?", ""),
    (["Vad gäller för ärende FG-2024-00593?"], "Och FG-2024-00659?", "Vad gäller för ärende FG-2024-00659?", ""),
    # A new topic under the previous question's head.
    (["Vad kostar matematiksatsningen?"], "Och elevhälsopersonalen?", "Vad kostar elevhälsopersonalen?", ""),
    (["Vad kostar matematiksatsningen?"], "Elevhälsan?", "Vad kostar Elevhälsan?", ""),
    (["Hur många socialpedagoger finns det?"], "Och kuratorer?", "Hur många kuratorer?", ""),
    (
        ["Vad kostar digitaliseringen i planen för 2020/2021?"],
        "Och vilken post är billigast?",
        "Vilken post är billigast?",
        "digitaliseringen i planen för 2020/2021",
    ),
    # A phrase narrowing the previous question keeps its words, with the earlier subject carried beside it.
    (
        ["Vad är grundbeloppet 2026 per elev i anpassad grundskola?"],
        "Och för en fristående huvudman?",
        "För en fristående huvudman?",
        "grundbeloppet 2026 per elev i anpassad grundskola",
    ),
    # A question leaning on a pronoun keeps its words; the earlier subject is carried beside it, not glued in.
    (
        ["Vad innebär garantin för tidiga insatser?"],
        "Vad kostade det?",
        "Vad kostade det?",
        "garantin för tidiga insatser",
    ),
    (
        ["Hur många socialpedagoger anställdes i Alingsås?"],
        "När började de?",
        "När började de?",
        "socialpedagoger anställdes i Alingsås",
    ),
    (["Vad beslutade nämnden om akutskolan?"], "Varför då?", "Varför då?", "nämnden om akutskolan"),
    (
        ["Vad beslutade nämnden om akutskolan?"],
        "Vad hände sedan?",
        "Vad hände sedan?",
        "nämnden om akutskolan",
    ),
    (
        ["Vilka insatser görs mot frånvaro?"],
        "Vem ansvarar för dem?",
        "Vem ansvarar för dem?",
        "insatser görs mot frånvaro",
    ),
    (
        ["Vad kostar matematiksatsningen?"],
        "Vad kostade det totalt?",
        "Vad kostade det totalt?",
        "matematiksatsningen",
    ),
    (
        ["Hur många elever går på Östlyckeskolan?"],
        "Hur många lärare finns där?",
        "Hur många lärare finns där?",
        "elever går på Östlyckeskolan",
    ),
    (
        ["Vilka satsningar innehåller budgeten för 2007?"],
        "Vad kostar dessa?",
        "Vad kostar dessa?",
        "satsningar innehåller budgeten för 2007",
    ),
    (
        ["Vad beslutade nämnden om elevpengen?"],
        "När ska det gälla från?",
        "När ska det gälla från?",
        "nämnden om elevpengen",
    ),
    # A chain: the carried subject is the last complete question's, never a follow-up's own words.
    (
        ["Vad innebär garantin för tidiga insatser?", "Vad kostade det?"],
        "När beslutades det?",
        "När beslutades det?",
        "garantin för tidiga insatser",
    ),
    (
        ["Vad innebär garantin för tidiga insatser?", "Vad kostade det?"],
        "Hur stor är budgeten för kultur och fritid 2025?",
        None,
        "",
    ),
    (
        ["Hur arbetar Alingsås med trygghet och studiero?", "Och i Svenljunga?"],
        "Vem ansvarar för det?",
        "Vem ansvarar för det?",
        "Svenljunga med trygghet och studiero",
    ),
    # No earlier question: nothing to lean on, the question is read as asked.
    ([], "Och i Svenljunga?", None, ""),
    ([], "Vad kostade det?", None, ""),
    ([], "Hur mycket kostar den nya simhallen i Alingsås?", None, ""),
    # Only the user's turns count; an assistant's answer is not a question.
    (["Vad kostar matematiksatsningen?"], "Vad säger planen om killarnas skolresultat?", None, ""),
    (["Vad kostar matematiksatsningen?"], "Sammanfatta uppföljningen av budgetinriktningen 2025.", None, ""),
    (["Vad kostar matematiksatsningen?"], "Vilka två större satsningar innehåller budgeten för 2007?", None, ""),
]


def _history(questions: list[str]) -> list[dict]:
    turns = []
    for q in questions:
        turns += [{"role": "user", "content": q}, {"role": "assistant", "content": "Enligt dokumenten …"}]
    return turns


@pytest.mark.parametrize(("earlier", "question", "text", "topic"), CONVERSATIONS)
def test_conversation_table(earlier, question, text, topic):
    read = rewrite(question, _history(earlier), KOMMUNER)
    if text is None and topic == "":
        assert read == Interpretation(question, question) and not read.rewritten
        return
    if topic is None:  # the question only names a municipality: read with the earlier question's subject
        assert read.rewritten and "Svenljunga" in read.search_text
        return
    assert (read.text, read.carried_topic) == (text, topic)
    assert read.rewritten and read.asked == question


def test_the_table_covers_forty_turns():
    assert sum(len(earlier) + 1 for earlier, *_ in CONVERSATIONS) >= 40


@pytest.mark.parametrize(
    ("tokens", "i", "expected"),
    [
        (["kostar", "den", "nya", "simhallen"], 1, True),
        (["åt", "den", "höga", "frånvaron"], 1, True),
        (["innebär", "det", "här", "beslutet"], 1, True),
        (["kostade", "det"], 1, False),
        (["kostade", "det", "totalt"], 1, False),
        (["gäller", "det", "för", "eleverna"], 1, False),
        (["ska", "det", "gälla", "från"], 1, False),
        (["började", "de"], 1, False),
    ],
)
def test_an_article_opens_a_noun_phrase_or_points_back(tokens, i, expected):
    assert opens_noun_phrase(tokens, i) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Och i Svenljunga?", True),  # lead
        ("Varför då?", True),  # short
        ("Vad kostade det?", True),  # short, points back
        ("Vem ansvarar för det arbetet då?", True),  # points back
        ("Vad är läsårsplanering?", False),
        ("Hur mycket kostar den nya simhallen i Alingsås?", False),
        ("Vad gör man åt den höga frånvaron?", False),
        ("Vilka insatser görs för att minska den psykiska ohälsan bland elever i årskurs 7 till 9?", False),
    ],
)
def test_which_questions_are_elliptic(question, expected):
    assert is_follow_up(question) is expected


def test_points_back_ignores_articles_of_a_noun_phrase():
    assert not points_back(["vad", "gör", "man", "åt", "den", "höga", "frånvaron"])
    assert points_back(["när", "började", "de"])


def test_interpretation_shows_the_carried_topic_apart_from_the_question():
    read = Interpretation("Vad kostade det?", "Vad kostade det?", "garantin för tidiga insatser")
    assert read.shown == "Vad kostade det? (om: garantin för tidiga insatser)"
    assert read.search_text == "Vad kostade det? garantin för tidiga insatser"
