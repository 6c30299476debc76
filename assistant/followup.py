"""Rule-based rewriting of elliptical follow-up questions into standalone ones.

"Och i Svenljunga?" after "Hur arbetar Alingsås med trygghet och studiero?" becomes
"Hur arbetar Svenljunga med trygghet och studiero?"; "Och § 47?" after a question
about "2025-06-17 § 44" swaps the paragraph; "Och elevhälsopersonalen?" after "Vad
kostar matematiksatsningen?" keeps the question's head; a question that leans on a
pronoun ("När började de?") carries the previous question's topic along.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
LEADS = ("och ", "men ", "samt ", "än ", "hur är det med ", "hur blir det med ", "gäller det ")
YEAR = re.compile(r"\b(19|20)\d{2}\b")


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
    for i, tok in enumerate(tokens[1:4], start=1):
        if tok.lower() in HEAD_VERBS:
            cut = i + 1
    return " ".join(tokens[:cut]), " ".join(tokens[cut:])


def is_follow_up(question: str) -> bool:
    q = question.strip().lower()
    tokens = re.findall(r"[\wåäö§]+", q)
    if not tokens:
        return False
    if q.startswith(LEADS):
        return True
    if len(tokens) <= 3 and not (tokens[0] in INTERROGATIVES and len(tokens) == 3 and tokens[-1] not in PRONOUNS):
        return True
    return any(t in PRONOUNS for t in tokens) and len(tokens) <= 8


def rewrite(question: str, history: Iterable[dict] | None, municipalities: Iterable[str] = ()) -> str:
    """A standalone version of ``question`` given the earlier turns (unchanged if it already stands alone)."""
    previous_questions = [
        t.get("content", "") for t in (history or []) if isinstance(t, dict) and t.get("role") == "user"
    ]
    previous_questions = [p for p in previous_questions if isinstance(p, str) and p.strip()]
    if not previous_questions or not is_follow_up(question):
        return question
    # Earlier turns may be follow-ups themselves: resolve them in order.
    standalone = previous_questions[0]
    for earlier in previous_questions[1:]:
        standalone = _resolve(earlier, standalone, list(municipalities))
    return _resolve(question, standalone, list(municipalities))


def _resolve(question: str, previous: str, municipalities: list[str]) -> str:
    if not is_follow_up(question):
        return question
    q = _strip(question)
    body = q
    for lead in LEADS:
        if body.lower().startswith(lead):
            body = body[len(lead) :]
            break
    prev = _strip(previous)

    # A municipality swapped in ("Och i Svenljunga?").
    named = [m for m in municipalities if re.search(rf"\b{re.escape(m)}\b", body, re.IGNORECASE)]
    if named:
        new = named[0]
        old = [m for m in municipalities if re.search(rf"\b{re.escape(m)}\b", prev, re.IGNORECASE)]
        if old:
            return re.sub(rf"\b{re.escape(old[0])}\b", new, prev, flags=re.IGNORECASE) + "?"
        return f"{prev} i {new}?"

    # A reference or year swapped in ("Och § 47?", "Och 2024?").
    for pattern in [*REFERENCE_PATTERNS, YEAR]:
        new_ref = pattern.search(body)
        old_ref = pattern.search(prev)
        if new_ref and old_ref:
            return prev[: old_ref.start()] + new_ref.group() + prev[old_ref.end() :] + "?"

    tokens = re.findall(r"[\wåäö§]+", body.lower())
    head, _topic = _head_and_topic(prev)
    if tokens and tokens[0] not in INTERROGATIVES and not any(t in PRONOUNS for t in tokens) and head:
        # "Och elevhälsopersonalen?" -> the previous question's head with the new topic.
        return f"{head} {body}?"
    # A pronoun or "sedan": keep the new question and carry the previous question's subject along.
    return f"{_first_word_upper(body)} – {_subject(prev)}?"


def _subject(question: str) -> str:
    """The previous question without its question word ("Hur många socialpedagoger ..." -> "socialpedagoger ...")."""
    tokens = _strip(question).split()
    if tokens and tokens[0].lower() in INTERROGATIVES:
        tokens = tokens[1:]
        if tokens and tokens[0].lower() in HEAD_VERBS:
            tokens = tokens[1:]
    return " ".join(tokens) or _strip(question)
