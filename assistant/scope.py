"""Which meetings and committees a question names: "i april 2025", "på oktobermötet", "den 20 november",
"IFO-nämnden", "förskole- och grundskolenämnden".

Politicians and staff name a meeting by its month and a committee by its everyday name far more often than by a
date or a diarienummer. Retrieval then prefers the documents of those meetings and committees (a soft preference,
weighed by a learned weight in ``assistant/trained/scope.json``: a month named for another reason, "delårsrapporten
per augusti", must not hide the right document).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from corpus.metadata import MONTHS

_MONTH = "(" + "|".join(MONTHS) + ")"
_YEAR = r"(?:\s+(20\d\d))?"


@dataclass(frozen=True)
class MeetingMention:
    """A meeting named by its month, and by its year and day when the question gives them."""

    month: int
    year: int | None = None
    day: int | None = None

    def matches(self, iso_date: str) -> bool:
        """Whether a document dated ``iso_date`` (YYYY-MM-DD) can be this meeting's."""
        m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", iso_date or "")
        if m is None:
            return False
        year, month, day = (int(g) for g in m.groups())
        return (
            month == self.month and (self.year is None or year == self.year) and (self.day is None or day == self.day)
        )


# How a question names a meeting. Each row: a name, and a pattern whose groups are (day?, month, year?).
# A month alone is not a meeting: "delårsrapporten per augusti", "sedan april" name a period, not a meeting.
MEETING_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso_date", re.compile(r"\b()(20\d\d-[01]\d-[0-3]\d)()\b")),
    ("day_month", re.compile(r"\b(?:den\s+)?([0-3]?\d)\s+" + _MONTH + _YEAR + r"\b", re.IGNORECASE)),
    (
        "month_meeting",
        re.compile(r"\b()" + _MONTH + r"(?:mötet|möte|sammanträdet|sammanträde)" + _YEAR + r"\b", re.IGNORECASE),
    ),
    ("in_month", re.compile(r"\b(?:i|under|respektive)\s+()" + _MONTH + _YEAR + r"\b", re.IGNORECASE)),
)

# How a question names a committee: (pattern, a word of the committee's name in the index). Abbreviations are
# matched in capitals only ("GA", not the letters in a word); names in any case.
COMMITTEE_ALIASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bIFO\b|(?i:individ- och familjeomsorg|individ (?:och|&) familjeomsorg)"), "familjeomsorg"),
    (re.compile(r"\bFG\b|(?i:förskole- och grundskole|förskola (?:och|&) grundskola)"), "grundskola"),
    (re.compile(r"\bGA\b|(?i:gymnasie- och arbetsmarknad|gymnasium (?:och|&) arbetsmarknad)"), "arbetsmarknad"),
    (re.compile(r"\bVO\b|(?i:vård- och omsorgsnämnd|vård (?:och|&) omsorg)"), "vård & omsorg"),
    (re.compile(r"(?i:kultur- och fritid|kultur (?:och|&) fritid|kulturnämnd|fritidsnämnd)"), "kultur"),
    (re.compile(r"(?i:miljö- och hälsoskydd|miljö (?:och|&) hälsoskydd|miljönämnd)"), "miljö"),
    (re.compile(r"(?i:tekniknämnd|nämnden för teknik)"), "teknik"),
    (re.compile(r"\bBUN\b|(?i:barn- och ungdomsnämnd)"), "ungdom"),
    (re.compile(r"(?i:barn- och utbildningsnämnd)"), "utbildning"),
)


# A diarienummer names its committee's register ("FG-2025-00108", "2025.129 BUN"), not a meeting's committee.
DIARIENUMMER = re.compile(r"\b[A-ZÅÄÖ]{1,8}-\d{4}-\d{3,6}\b|\b\d{4}\.\d{1,5}\s[A-ZÅÄÖ]{2,5}\b")


@dataclass(frozen=True)
class QuestionScope:
    """The meetings and committees a question names (either may be empty)."""

    meetings: tuple[MeetingMention, ...] = ()
    committee_words: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.meetings or self.committee_words)

    def documents(self, documents: Mapping[str, Mapping[str, Any]]) -> frozenset[str]:
        """The ids of the documents of a named meeting of a named committee (of any committee when none is
        named, of any meeting when none is named)."""
        if not self:
            return frozenset()
        return frozenset(
            doc_id
            for doc_id, doc in documents.items()
            if (not self.meetings or any(m.matches(str(doc.get("date", ""))) for m in self.meetings))
            and (
                not self.committee_words
                or any(w in str(doc.get("committee", "")).lower() for w in self.committee_words)
            )
        )


def _mention(name: str, groups: tuple[str | None, ...]) -> MeetingMention:
    day, month, year = groups
    if name == "iso_date":
        y, mo, d = (int(x) for x in str(month).split("-"))
        return MeetingMention(mo, y, d)
    return MeetingMention(MONTHS[str(month).lower()], int(year) if year else None, int(day) if day else None)


def question_scope(question: str) -> QuestionScope:
    """The meetings and committees ``question`` names."""
    meetings: list[MeetingMention] = []
    taken: list[tuple[int, int]] = []
    for name, pattern in MEETING_CUES:
        for m in pattern.finditer(question):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue  # "den 10 december 2025" is one mention, not also "i december"
            taken.append(m.span())
            mention = _mention(name, m.groups())
            if mention not in meetings:
                meetings.append(mention)
    named = DIARIENUMMER.sub(" ", question)
    words = [word for pattern, word in COMMITTEE_ALIASES if pattern.search(named)]
    return QuestionScope(tuple(meetings), tuple(dict.fromkeys(words)))


def scope_documents(question: str, documents: Mapping[str, Mapping[str, Any]]) -> frozenset[str]:
    """The documents of the meetings and committees ``question`` names; empty when it names none or none match."""
    return question_scope(question).documents(documents)


def without_committee_names(question: str) -> str:
    """The question with the committees it names taken out: "IFO" names a committee, not a word the documents
    must use."""
    for pattern, _ in COMMITTEE_ALIASES:
        question = pattern.sub(" ", question)
    return question
