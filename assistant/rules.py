"""The question kinds as one table: for each kind a question can ask for (``questions.question_kind``), the unit
detector that says whether a sentence, list item or table row holds that kind of fact.

The detectors are the only hand-written reading of units left in answer selection; what they are worth is learned
(``assistant.selector``), never typed in here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.sentences import Sentence
from assistant.tables import holds_value, is_table_row, row_cells, table_header
from index.chunking import find_references

NUMBER_WORDS = r"(två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|tjugo|hundra|tusen|hälften|halvera\w*|dubbl\w*)"
NUMBER_WORD = re.compile(rf"\b{NUMBER_WORDS}\b", re.IGNORECASE)
DIGIT_QUANTITY = re.compile(
    r"(?<![\w§.\-–/])(\d[\d  ]*(?:[.,]\d+)?(?:\s?[–-]\s?\d+)?)\s?(%|[a-zåäö]{2,})", re.IGNORECASE
)
# Words after a number that show it is not a count ("årskurs 9 är", "4 kap.").
NOT_COUNTED = {"till", "och", "kap", "eller", "samt", "av", "från", "är", "var", "i", "som", "det", "att", "på", "för"}
HAS_MONEY = re.compile(r"\d[\d  ]*\s?(tkr|kr|kronor|mnkr|mkr|miljoner|miljarder|sek)\b", re.IGNORECASE)
# A table column of amounts says so in its header even without a currency: "| Statsbidrag | Belopp |".
MONEY_HEADER = re.compile(
    r"\b(tkr|kr|kronor|mnkr|mkr|miljoner|miljarder|sek|\w*belopp\w*|ersättning\w*|kostnad\w*|budget\w*|intäkt\w*|"
    r"utgift\w*)\b",
    re.IGNORECASE,
)
HAS_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b(19|20)\d{2}\b(?!:\d)|\b(januari|februari|mars|april|maj|juni|juli|augusti|september|"
    r"oktober|november|december|vår\w*|höst\w*|sommar\w*|termin\w*|läsår\w*)\b",
    re.IGNORECASE,
)
ROLE = re.compile(
    r"\b(rektor\w*|\w*chef\w*|förvaltningsledning\w*|\w*huvudman\w*|nämnden|samordnar\w*|lärare|pedagog\w*|"
    r"förstelärar\w*|studie- och yrkesvägledar\w*|politisk\w* ledning\w*)\b",
    re.IGNORECASE,
)
# "Vem har certifierat utbildningen?" may be answered by a body: "branschorganisationen Visita", "Skolverket".
ORGANISATION = re.compile(
    r"\b(\w*organisation\w*|\w*förbund\w*|\w*myndighet\w*|\w+verket|\w*inspektion\w*|\w*förening\w*|"
    r"\w*företag\w*|\w*bolag\w*|\w*region\w*)\b",
    re.IGNORECASE,
)
PROPER_NAME = re.compile(r"(?<=\s)[A-ZÅÄÖ][a-zåäö]+\s[A-ZÅÄÖ][a-zåäö]+")
FREQUENCY = re.compile(r"\b(gång\w*|varje|per|årlig\w*|halvårsvis|månatlig\w*|veckovis|dagligen|regelbundet)\b", re.I)
LABEL = re.compile(r"^([A-ZÅÄÖ][\wåäö]+):")
# A capitalised word inside a sentence: a name ("Östlyckeskolan", "Procapita"), not a sentence's first word.
NAME_INSIDE = re.compile(r"(?<=[\wåäö,)] )[A-ZÅÄÖ][\wåäöÅÄÖ-]{2,}")
# A platform or service named by its address ("alingsas.se/pedagogalingsas"), often written in lower case.
WEB_ADDRESS = re.compile(r"\b[\w-]+\.(?:se|nu|com|org|net|eu)(?:/[\w./-]*)?", re.IGNORECASE)
DIGIT = re.compile(r"\d")
# A series of three or more: Swedish writes "A, B och C" without a comma before the last item.
SERIES = re.compile(r",[^,.;:]+\b(och|samt|eller)\b", re.IGNORECASE)
# How a protocol records what became of a proposal: "beslutar att avslå tilläggsyrkandet", "lämnas till
# förvaltningen för beredning", "ska anses vara besvarat", "återremitteras". Not "godkänner": that is what the
# committee did with the whole item, which says nothing of a proposal made in it.
OUTCOME_RECORD = re.compile(
    r"\b(avslå\w*|avslag\w*|bifall\w*|bifaller|besvara[dt]\w*|återremi\w*|bordl[äa]\w*|beredning|"
    r"faller)\b",
    re.IGNORECASE,
)
# How a protocol records a vote: "utfaller med 9 ja-röster och 4 nej-röster", "Peter Lundin (C): Nej".
VOTE_RECORD = re.compile(r"\b\d+\s+(ja|nej)-?röst\w*|\bröstar (ja|nej)\b|\bavstår\b|:\s*(ja|nej)\b", re.IGNORECASE)

# How a text gives a cause or purpose: "på grund av vattenläcka", "Underskottet beror på att …", "Den avser jämna ut
# …", "…, då undervisningen inte kan bedrivas i skolans lokaler" (a comma before "då" makes it causal, not "then").
REASON_RECORD = re.compile(
    r"\b(eftersom|därför|därmed|för att|på grund av|beror\w* på|beroende på|med anledning\w* av|mot bakgrund av|"
    r"till följd av|syfte\w*|avser|orsak\w*|förklaring\w*|anledning\w*|skäl\w*|leder till|bidra\w* till|"
    r"innebär)\b|,\s+då\b",
    re.IGNORECASE,
)


def has_quantity(text: str) -> bool:
    """A count or amount ("fyra socialpedagoger", "100 tkr", "20 procent"), not a year, date or grade."""
    if NUMBER_WORD.search(text):
        return True
    for m in DIGIT_QUANTITY.finditer(text):
        number, word = m.group(1).strip(), m.group(2).lower()
        before = text[max(0, m.start() - 20) : m.start()].lower()  # "årskurs 6 och 9"
        if re.fullmatch(r"(19|20)\d\d", number) or word in NOT_COUNTED or "årskurs" in before:
            continue
        return True
    return False


def has_count_or_frequency(text: str, question: str) -> bool:
    """A count, or for "hur ofta" a frequency ("två gånger per termin")."""
    if "ofta" in question.lower():
        return bool(FREQUENCY.search(text))
    return has_quantity(text)


def counted_in_table_row(s: Sentence) -> bool:
    """A table row with a number that is no year: the cells of a table are counts and amounts ("| Totalt | 852 |")."""
    text = s.text.strip()
    row = row_cells(s.hit.chunk, s.start, text)
    return row is not None and any(holds_value(c) for c in row[1:] if c)


def amount_under_money_header(s: Sentence) -> bool:
    """A table row with a number in a table whose header names the currency ("Kostnad (tkr)")."""
    text = s.text.strip()
    if not is_table_row(s.hit.chunk, s.start, text) or not DIGIT.search(text):
        return False
    return bool(MONEY_HEADER.search(table_header(s.hit.chunk, s.start, text)))


def names_a_person(text: str) -> bool:
    """A person's name ("Anna Svensson"), a role ("rektor", "förvaltningschefen") or a body that acts like one
    ("branschorganisationen Visita", "Skolinspektionen")."""
    return bool(PROPER_NAME.search(" " + text) or ROLE.search(text) or ORGANISATION.search(text))


def _references_held(s: Sentence, question: str) -> bool:
    asked = find_references(question)
    return all(r in s.text for r in asked) if asked else bool(find_references(s.text))


# kind -> whether a unit holds the kind of fact the question asks for.
KIND_DETECTORS: dict[str, Callable[[Sentence, str], bool]] = {
    "money": lambda s, q: bool(HAS_MONEY.search(s.text)) or amount_under_money_header(s),
    "number": lambda s, q: has_count_or_frequency(s.text, q) or counted_in_table_row(s),
    "date": lambda s, q: bool(HAS_DATE.search(s.text)),
    "who": lambda s, q: names_a_person(s.text),
    "list": lambda s, q: s.is_list_item or s.text.count(",") >= 2 or bool(SERIES.search(s.text)),
    "reference": _references_held,
    "vote": lambda s, q: bool(VOTE_RECORD.search(s.text)),
    "outcome": lambda s, q: bool(OUTCOME_RECORD.search(s.text)),
    "reason": lambda s, q: bool(REASON_RECORD.search(s.text)),
    "name": lambda s, q: bool(NAME_INSIDE.search(s.text) or WEB_ADDRESS.search(s.text)),
}


def holds_asked_kind(kind: str, s: Sentence, question: str) -> bool | None:
    """Whether ``s`` holds the kind of fact asked for; None for a kind no detector reads ("open")."""
    detector = KIND_DETECTORS.get(kind)
    return None if detector is None else detector(s, question)
