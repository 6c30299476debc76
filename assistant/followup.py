"""How a question is read in its conversation: only an elliptic question takes context from earlier turns.

"Och i Svenljunga?" after "Hur arbetar Alingsås med trygghet och studiero?" becomes
"Hur arbetar Svenljunga med trygghet och studiero?"; "Och § 47?" after a question
about "2025-06-17 § 44" swaps the paragraph; "Och elevhälsopersonalen?" after "Vad
kostar matematiksatsningen?" keeps the question's head; a question that leans on a
pronoun ("När började de?") keeps its own words and carries the previous question's
subject along as a separate topic. A complete question ("Hur mycket kostar den nya
simhallen i Alingsås?") stands alone, whatever came before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bm25s.stopwords import STOPWORDS_SWEDISH

from index.chunking import REFERENCE_PATTERNS

INTERROGATIVES = {
    "vad",
    "hur",
    "vem",
    "vilka",
    "vilken",
    "vilket",
    "när",
    "var",
    "varför",
    "vart",
    "finns",
    "har",
    "är",
    "kan",
    "ska",
}
HEAD_VERBS = {
    "kostar",
    "gör",
    "görs",
    "gjorde",
    "beslutade",
    "beslutades",
    "har",
    "hade",
    "är",
    "var",
    "finns",
    "sker",
    "ska",
    "skall",
    "kommer",
    "innebär",
    "säger",
    "sa",
    "står",
    "gäller",
    "arbetar",
    "följer",
    "många",
    "mycket",
    "ofta",
    "länge",
    "stor",
    "stora",
    "fick",
    "får",
    "blev",
}
PRONOUNS = {
    "de",
    "den",
    "det",
    "dem",
    "deras",
    "dess",
    "där",
    "dit",
    "sådana",
    "dessa",
    "denna",
    "detta",
    "sedan",
    "därefter",
    "hon",
    "han",
    "dom",
}
# A follow-up opening with one of these narrows the previous question rather than naming a new topic.
PREPOSITIONS = {"för", "i", "på", "om", "till", "med", "vid", "inom", "från", "utan", "under", "efter", "före"}
LEADS = ("och ", "men ", "samt ", "än ", "hur är det med ", "hur blir det med ", "gäller det ")
# "den", "det" and "de" open a noun phrase as often as they point back: "den nya simhallen", "det här beslutet".
ARTICLES = {"den", "det", "de"}
DEMONSTRATIVE_ADVERBS = {"här", "där"}
MAX_SHORT_TOKENS = 3  # "Och i Svenljunga?", "Varför då?", "Vad kostade det?"
MAX_ANAPHORIC_TOKENS = 8  # longer questions that lean on a pronoun still carry enough of their own
YEAR = re.compile(r"\b(19|20)\d{2}\b")
WORD = re.compile(r"[\wåäö§]+")


@dataclass(frozen=True)
class Interpretation:
    """A question as read in its conversation.

    ``text`` is the standalone question, in the user's own words where they stand alone; ``carried_topic`` is the
    subject of an earlier question, carried along (never glued into ``text``) when the question leans on a pronoun.
    """

    asked: str
    text: str
    carried_topic: str = ""

    @property
    def rewritten(self) -> bool:
        return self.text != self.asked or bool(self.carried_topic)

    @property
    def search_text(self) -> str:
        """What retrieval looks for: the question and the topic it leans on."""
        return f"{self.text} {self.carried_topic}".strip()

    @property
    def shown(self) -> str:
        """The interpretation as the user reads it ("Vad kostade det? (om: matematiksatsningen)")."""
        return f"{self.text} (om: {self.carried_topic})" if self.carried_topic else self.text


def _strip(q: str) -> str:
    return q.strip().rstrip("?!. ").strip()


def _first_word_upper(q: str) -> str:
    return q[:1].upper() + q[1:] if q else q


def _head_and_topic(question: str) -> tuple[str, str]:
    """Split "Vad kostar matematiksatsningen" into ("Vad kostar", "matematiksatsningen")."""
    tokens = _strip(question).split()
    if not tokens or tokens[0].lower() not in INTERROGATIVES:
        return "", _strip(question)
    cut = 1
    while cut < len(tokens) and cut < 4 and tokens[cut].lower() in HEAD_VERBS:
        cut += 1
    return " ".join(tokens[:cut]), " ".join(tokens[cut:])


def opens_noun_phrase(tokens: list[str], i: int) -> bool:
    """Whether the article at ``i`` opens a noun phrase rather than pointing back: it is followed by "här"/"där"
    and a noun, or by a weak adjective ("nya", "höga", "första") and a noun."""
    after = tokens[i + 1 : i + 3]
    if len(after) < 2 or after[1] in STOPWORDS_SWEDISH:  # "ska det gälla från": a verb, then a preposition
        return False
    return after[0] in DEMONSTRATIVE_ADVERBS or (after[0].endswith(("a", "e")) and after[0] not in PRONOUNS)


def points_back(tokens: list[str]) -> bool:
    """Whether a word of the question refers to something said earlier ("det", "de", "där", "sedan")."""
    return any(t in PRONOUNS and not (t in ARTICLES and opens_noun_phrase(tokens, i)) for i, t in enumerate(tokens))


def starts_with_lead(question: str) -> bool:
    """ "Och …", "Men …", "Hur är det med …": the question continues the previous one."""
    return question.strip().lower().startswith(LEADS)


def is_short(tokens: list[str]) -> bool:
    """Too few words to stand alone ("Och i Svenljunga?", "Varför då?"); "Vad är läsårsplanering?" stands."""
    if len(tokens) > MAX_SHORT_TOKENS:
        return False
    names_its_topic = tokens[0] in INTERROGATIVES and len(tokens) == MAX_SHORT_TOKENS and tokens[-1] not in PRONOUNS
    return not names_its_topic


# The rules that make a question elliptic (it takes context from the conversation); any one suffices.
ELLIPSIS_RULES = {
    "lead": lambda q, tokens: starts_with_lead(q),
    "short": lambda q, tokens: is_short(tokens),
    "points_back": lambda q, tokens: points_back(tokens) and len(tokens) <= MAX_ANAPHORIC_TOKENS,
}


def is_follow_up(question: str) -> bool:
    """Whether the question is elliptic and must be read with the conversation."""
    tokens = WORD.findall(question.strip().lower())
    return bool(tokens) and any(rule(question, tokens) for rule in ELLIPSIS_RULES.values())


def rewrite(question: str, history: Iterable[dict] | None, municipalities: Iterable[str] = ()) -> Interpretation:
    """How ``question`` reads given the earlier turns (as asked when it stands alone)."""
    previous_questions = [
        t.get("content", "") for t in (history or []) if isinstance(t, dict) and t.get("role") == "user"
    ]
    previous_questions = [p for p in previous_questions if isinstance(p, str) and p.strip()]
    if not previous_questions or not is_follow_up(question):
        return Interpretation(question, question)
    # Earlier turns may be follow-ups themselves: resolve them in order, from the last complete question.
    names = list(municipalities)
    standalone = Interpretation(previous_questions[0], previous_questions[0])
    for earlier in previous_questions[1:]:
        standalone = _resolve(earlier, standalone, names)
    return _resolve(question, standalone, names)


def _resolve(question: str, previous: Interpretation, municipalities: list[str]) -> Interpretation:
    if not is_follow_up(question):
        return Interpretation(question, question)
    body = _strip(question)
    for lead in LEADS:
        if body.lower().startswith(lead):
            body = body[len(lead) :]
            break
    prev = _strip(previous.text)

    # A municipality swapped in ("Och i Svenljunga?").
    named = [m for m in municipalities if re.search(rf"\b{re.escape(m)}\b", body, re.IGNORECASE)]
    if named:
        new = named[0]
        old = [m for m in municipalities if re.search(rf"\b{re.escape(m)}\b", prev, re.IGNORECASE)]
        if old:
            swapped = re.sub(rf"\b{re.escape(old[0])}\b", new, prev, flags=re.IGNORECASE)
            return Interpretation(question, swapped + "?", previous.carried_topic)
        return Interpretation(question, f"{prev} i {new}?", previous.carried_topic)

    # A reference or year swapped in ("Och § 47?", "Och 2024?").
    for pattern in [*REFERENCE_PATTERNS, YEAR]:
        new_ref = pattern.search(body)
        old_ref = pattern.search(prev)
        if new_ref and old_ref:
            swapped = prev[: old_ref.start()] + new_ref.group() + prev[old_ref.end() :]
            return Interpretation(question, swapped + "?", previous.carried_topic)

    tokens = WORD.findall(body.lower())
    head, _topic = _head_and_topic(prev)
    if tokens and tokens[0] not in INTERROGATIVES | PREPOSITIONS and not points_back(tokens) and head:
        # "Och elevhälsopersonalen?" -> the previous question's head with the new topic.
        return Interpretation(question, f"{head} {body}?")
    # A pronoun, "sedan" or a phrase that narrows the previous question ("Och för en fristående huvudman?"): the
    # user's own words, with the previous question's subject carried along.
    return Interpretation(question, f"{_first_word_upper(body)}?", previous.carried_topic or _subject(prev))


def _subject(question: str) -> str:
    """The previous question without its question word ("Hur många socialpedagoger ..." -> "socialpedagoger ...")."""
    tokens = _strip(question).split()
    if tokens and tokens[0].lower() in INTERROGATIVES:
        tokens = tokens[1:]
        if tokens and tokens[0].lower() in HEAD_VERBS:
            tokens = tokens[1:]
    return " ".join(tokens) or _strip(question)
