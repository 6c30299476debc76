"""Input handling: cleaning a question and deciding what it asks for."""

from __future__ import annotations

import re
import unicodedata
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


# What kind of fact a question asks for, so sentences carrying it are preferred.
NUMBER_Q = re.compile(r"\b(hur (många|mycket|stor|stora|länge|ofta)|vilket antal|hur stor andel|procent)\b")
DATE_Q = re.compile(r"^(när)\b|\b(vilket datum|vilken dag|vilket år|vilken månad|vilken termin)\b")
WHO_Q = re.compile(r"\b(vem|vilka personer|vem är|vilken person)\b")
LIST_Q = re.compile(r"\b(vilka|vilket|lista|vad ingår|vilka delar)\b")
REFERENCE_Q = re.compile(r"\b(diarienummer|dnr|paragraf)\b|§")
MONEY_Q = re.compile(
    r"\b(kostar|kostnad\w*|pengar|kronor|lön|lönen|belopp|avsätt\w*|vilken budget|hur stor budget|budgeten för)\b"
)
META_Q = re.compile(
    r"\b(diarienummer|dnr|paragraf|datum|beslutade|beslutades|beslutsdatum|vilken nämnd|när beslut\w*)\b|§"
)


def question_kind(text: str) -> str:
    """One of: reference, money, number, date, who, list, open."""
    t = text.lower()
    if REFERENCE_Q.search(t):
        return "reference"
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
    return "open"


def asks_for_metadata(text: str) -> bool:
    """Questions about dates, paragraphs or reference numbers may be answered from the catalog."""
    return bool(META_Q.search(text.lower()))
