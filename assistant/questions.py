"""Input handling: cleaning a question and deciding what it asks for."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

# Bidirectional controls and zero-width characters: invisible, and a way to disguise text.
INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
ENGLISH = {
    "what",
    "how",
    "who",
    "when",
    "where",
    "which",
    "why",
    "the",
    "is",
    "are",
    "does",
    "did",
    "do",
    "of",
    "for",
    "about",
    "many",
    "much",
    "has",
    "have",
    "school",
    "students",
    "there",
    "and",
    "in",
    "to",
}
SWEDISH = {
    "vad",
    "hur",
    "vem",
    "när",
    "var",
    "vilka",
    "vilken",
    "vilket",
    "varför",
    "är",
    "och",
    "det",
    "som",
    "för",
    "med",
    "har",
    "nämnden",
    "om",
    "i",
    "på",
    "till",
    "av",
    "en",
    "ett",
    "de",
    "den",
}


@dataclass
class CleanQuestion:
    text: str
    notices: list[str] = field(default_factory=list)
    problem: str | None = None  # a Swedish reply when there is nothing to search for


def clean_question(raw: object, max_chars: int = 2000) -> CleanQuestion:
    """Normalise a user's question; never raises."""
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    text = unicodedata.normalize("NFC", text.translate(INVISIBLE))
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") else ch for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    notices: list[str] = []
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0]
        notices.append(f"Frågan var längre än {max_chars:,} tecken och har kortats.".replace(",", " "))
    if not text:
        return CleanQuestion(
            "", notices, "Skriv en fråga om dokumenten, till exempel: ”Vad gör nämnden för elever med hög frånvaro?”"
        )
    if not any(ch.isalnum() for ch in text):
        return CleanQuestion(
            text,
            notices,
            "Jag förstår inte frågan. Skriv den gärna med ord, till exempel: ”Vad kostar matematiksatsningen?”",
        )
    if looks_english(text):
        notices.append("Frågan verkar vara på engelska. Jag svarar på svenska utifrån de svenska dokumenten.")
    return CleanQuestion(text, notices)


def words(text: str) -> list[str]:
    return re.findall(r"[\wåäöÅÄÖ]+", text.lower())


def looks_english(text: str) -> bool:
    tokens = words(text)
    en = sum(t in ENGLISH for t in tokens)
    sv = sum(t in SWEDISH for t in tokens) + sum(ch in "åäö" for ch in text.lower())
    return len(tokens) >= 3 and en >= 2 and en > sv


# A question that compares ("jämfört med", "skillnaden mellan … och …", "båda"): each side is answered.
COMPARISON = re.compile(
    r"\b(jämför\w*|skillnad\w*|skiljer|respektive|förändrat\w*|utvecklat\w*|mellan .+ och|båda|olika kommuner)\b",
    re.IGNORECASE,
)


def municipalities_named(text: str, municipalities: Iterable[str]) -> list[str]:
    """The municipalities ``text`` names, in the order of ``municipalities``; a genitive ("Svenljungas plan")
    names its municipality too."""
    return [m for m in municipalities if re.search(rf"\b{re.escape(m)}s?\b", text, re.IGNORECASE)]


def is_comparison(question: str, municipalities: Iterable[str]) -> bool:
    """Whether the question compares: two municipalities named, or a comparing word."""
    return len(municipalities_named(question, municipalities)) >= 2 or bool(COMPARISON.search(question))


# What kind of fact a question asks for, so sentences carrying it are preferred.
NUMBER_Q = re.compile(
    r"\b(hur (många|mycket|stor|stort|stora|länge|lång|långt|långa|ofta|hög|högt|höga)|vilket antal|procent)\b"
)
DATE_Q = re.compile(r"^(när)\b|\b(vilket datum|vilken dag|vilket år|vilken månad|vilken termin)\b")
WHO_Q = re.compile(r"\b(vem|vilka personer|vem är|vilken person)\b")
LIST_Q = re.compile(r"\b(vilka|vilket|lista|vad ingår|vilka delar)\b")
# "På vilken skola …", "Vilket journalsystem …": a question for one named thing.
NAME_Q = re.compile(r"\b(vilken|vilket)\s+(?!år\b|datum\b|dag\b|månad\b|termin\b|antal\b)\w+")
# A question about a sum ("sammanlagt", "totalt", "hur mycket … allt") and the table rows that hold one.
TOTAL_Q = re.compile(r"\b(sammanlagt|totalt|total[a-z]*|summa[n]?|sammantaget|tillsammans|allt som allt|i allt)\b")
TOTAL_LABEL = re.compile(r"\b(totalt|total|summa|sammanlagt|samtliga|hela nämnden)\b", re.IGNORECASE)
# What may follow a flattened row's label: numbers, amounts and their units ("758 776 806", "8 464 tkr", "12,5 %").
ROW_VALUE = re.compile(r"[-−+]?[\d.,:%()–]+|tkr|kr|kronor|mkr|mnkr|milj|miljoner|st|procent", re.IGNORECASE)
REFERENCE_Q = re.compile(r"\b(diarienummer|dnr|paragraf)\b|§")
# A question about how a vote went ("Hur föll omröstningen?", "Röstade C för eller emot?"); "vem … när nämnden
# röstade" asks for a person.
VOTE_Q = re.compile(
    r"\b(?:hur|så) (?:föll|gick|slutade|utföll|blev) omröstning\w*|\bomröstning\w* (?:föll|gick|slutade|utföll)\b"
    r"|\bhur röstade\b|^röstade\b|\bhur många röster\b|\bröstsiffr\w*|\bröster åt\b"
)
# A question about what became of a proposal ("Gick SD:s förslag igenom?", "Vad blev det av initiativet?").
OUTCOME_Q = re.compile(
    r"\bgick\b.*\bigenom\b|\bvad blev det (?:något )?av\b|\bvad hände med\b|\bbifölls\b|\bavslogs\b"
    r"|\bfick\b.*\b(?:gehör|bifall)\b|\bhur (?:ställde|ställer) sig\b"
)
# A question for a cause or purpose ("Varför går skolenheterna back?", "Av vilket skäl …?", "Vad beror … på?").
REASON_Q = re.compile(
    r"\bvarför\b|\bav vilk(?:en|et) (?:anledning|skäl|orsak)\b|\bvad (?:är|var) (?:skälet|orsaken|anledningen|syftet)\b"
    r"|\bi vilket syfte\b|\bvad beror\b"
)
MONEY_Q = re.compile(
    r"\b(kosta[rtd]\w*|kostnad\w*|pengar|kronor|lön|lönen|\w*belopp\w*|ersättning\w*|avgift\w*|taxan?|"
    r"avsätt\w*|vilken budget|hur stor budget|budgeten för|"
    r"hur (stor|stort|stora|mycket) \w*(bidrag|anslag)\w*)\b"
)
META_Q = re.compile(
    r"\b(diarienummer|dnr|paragraf|datum|beslutade|beslutades|beslutsdatum|vilken nämnd|när beslut\w*)\b|§"
)


# "Sammanfatta …", "Vad handlade redovisningen om?", "Vad går reformen ut på?", "… i stora drag?", "Vilka är de
# viktigaste …?": a question for an overview of one matter, not for one fact in it.
SUMMARY_Q = re.compile(
    r"^(kan du )?(sammanfatta|summera)\b|\bvad handla(r|de)\b.*\bom\b|\bvad (går|gick)\b.*\but på\b|"
    r"\bi (stora|korta) drag\b|\bi korthet\b|"
    r"\b(vilka|vad) (är|var) (de|det) (viktigaste|huvudsakliga|centrala|främsta)\b",
    re.IGNORECASE,
)


def asks_for_summary(question: str) -> bool:
    """Whether the question asks for an overview rather than a fact."""
    return bool(SUMMARY_Q.search(question.strip()))


def question_kind(text: str) -> str:
    """One of: reference, vote, outcome, reason, money, number, date, who, list, name, open. A summary question
    asks for no kind of fact ("Sammanfatta … kostnader …" is no money question)."""
    t = text.lower()
    if asks_for_summary(t):
        return "open"
    if REFERENCE_Q.search(t):
        return "reference"
    if VOTE_Q.search(t):
        return "vote"
    if OUTCOME_Q.search(t):
        return "outcome"
    if REASON_Q.search(t):
        return "reason"
    if MONEY_Q.search(t):
        return "money"
    if NUMBER_Q.search(t):
        return "number"
    if DATE_Q.search(t):
        return "date"
    if WHO_Q.search(t):
        return "who"
    if t.startswith("vilka") or LIST_Q.search(t) and t.startswith(("vilka", "vad ingår")):
        return "list"
    if NAME_Q.search(t):
        return "name"
    return "open"


# Common verbs and prepositions that say nothing about a question's topic ("Hur många elever går i...",
# "...bland personalen"), and the verbs that ask for a kind of answer ("Sammanfatta …", "Beskriv …").
TOPICLESS_WORDS = set(
    "går gick gör gjorde får fick blir blev ligger kommer saknar saknas tycker anser sker skedde finns fanns "
    "ska skulle kan kunde har hade bland mellan genom inom kring utifrån gällande varje alla olika "
    "sammanfatta summera beskriv berätta förklara redogör handlar kort korta stora drag".split()
)
# Words skipped when looking for the noun a question asks about ("om den senare uppföljningen").
DETERMINERS = {"den", "det", "de", "en", "ett", "sin", "sitt", "sina", "alla", "olika"}


NAME_IN_QUESTION = re.compile(r"(?<=[\wåäö,] )[A-ZÅÄÖ][\wåäö]+")


def asked_words(text: str) -> list[str]:
    """The nouns naming what a question asks for or about: the word after a question-initial
    "vilken/vilket/vilka", after "hur många/mycket", after "vem är", after "om" ("om skolmaten"),
    and names written with a capital inside the question ("Skolinspektionen").

    Swedish questions put the finite verb in second place, so these positions hold nouns rather
    than verbs; the refusal check asks whether the documents use such a word at all.
    """
    tokens = words(text)
    found: list[str] = []
    for i, token in enumerate(tokens):
        rest = [t for t in tokens[i + 1 : i + 4] if t not in DETERMINERS]
        if not rest:
            continue
        after_question_word = (
            (i == 0 and token in ("vilken", "vilket", "vilka"))
            or (token in ("många", "mycket") and i > 0 and tokens[i - 1] == "hur")
            or (token == "är" and i > 0 and tokens[i - 1] == "vem")
        )
        if after_question_word or (token == "om" and rest[0] != "att"):
            found.append(rest[0])
    # A name inside the question ("Vad har Skolinspektionen kritiserat?") is asked about as well.
    found += [w.lower() for w in NAME_IN_QUESTION.findall(text)]
    return list(dict.fromkeys(found))


def asks_for_metadata(text: str) -> bool:
    """Questions about dates, paragraphs or reference numbers may be answered from the catalog."""
    return bool(META_Q.search(text.lower()))


# A question for a table's largest or smallest entry: "Vilken enskild post är störst?", "Och vilken är billigast?".
EXTREME_Q = {
    "max": re.compile(r"\b(störst\w*|högst\w*|dyrast\w*)\b"),
    "min": re.compile(r"\b(minst\w*|lägst\w*|billigast\w*)\b"),
}
WHICH_Q = re.compile(r"\b(vilk(?:en|et|a)|vad)\b")


def asks_for_extreme(text: str) -> str | None:
    """ "max" or "min" for a question asking which entry is largest or smallest, else None."""
    t = text.lower()
    if not WHICH_Q.search(t):
        return None
    return next((end for end, pattern in EXTREME_Q.items() if pattern.search(t)), None)


def asks_for_total(text: str) -> bool:
    """Whether a question asks for a sum."""
    return bool(TOTAL_Q.search(text.lower()))


def is_total_row(text: str) -> bool:
    """Whether a table row is a total: a Markdown row whose label names one ("| Totalt | 8 464 |", "| Anställda
    totalt | 852 |") or a flattened line of extracted text whose label does and whose rest is values ("Totalt 8 464
    tkr", "Anställda totalt 758 776 806")."""
    text = text.strip()
    if text.startswith("|"):
        return bool(TOTAL_LABEL.search(text.strip("|").split("|")[0]))
    first_digit = re.search(r"[-−]?\d", text)
    if first_digit is None:
        return False
    label, values = text[: first_digit.start()], text[first_digit.start() :].split()
    return bool(TOTAL_LABEL.search(label)) and all(ROW_VALUE.fullmatch(v) for v in values)
