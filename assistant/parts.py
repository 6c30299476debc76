"""Two-part questions ("Vad kostade det och när beslutades det?"): each part answered on its own, the later parts
read in the light of the earlier ones and first looked for in the documents the first part was answered from, and
the answers joined with their citations renumbered."""

from __future__ import annotations

import dataclasses
import re

from assistant.models import REFUSAL, Answer, Citation
from assistant.questions import municipalities_named
from index import Filters

# A second question joined by "och"/"samt": the conjunction followed by a question word.
PART_BOUNDARY = re.compile(
    r",?\s+(?:och|samt)\s+(?=(?:när|vad|hur|vem|vilken|vilket|vilka|varför|var|vart)\b)", re.IGNORECASE
)
MIN_PART_WORDS = 3  # "och vad" alone is no question of its own
MAX_PARTS = 3
MARKER = re.compile(r"\[(\d{1,3})\]")


def question_parts(question: str) -> list[str]:
    """The questions a question holds, each ending with "?" (one item when it asks one thing)."""
    pieces = [p.strip(" ?") for p in PART_BOUNDARY.split(question.strip())]
    if not 1 < len(pieces) <= MAX_PARTS or any(len(p.split()) < MIN_PART_WORDS for p in pieces):
        return [question]
    return [p[0].upper() + p[1:] + "?" for p in pieces]


def matter_filters(
    filters: Filters | None, earlier: list[Answer], part: str, municipalities: list[str]
) -> Filters | None:
    """Where a later part is first looked for: the documents the first answered part cites, within the user's
    filters ("Lades programmet ner, och hur gick omröstningen?" asks about one matter, so the vote of another
    meeting is no answer). None when no earlier part was answered or the part names a municipality of its own."""
    answered = next((a for a in earlier if not a.refused and a.citations), None)
    if answered is None or municipalities_named(part, municipalities):
        return None
    docs = list(dict.fromkeys(c.hit.chunk.doc_id for c in answered.citations))
    base = filters or Filters()
    return Filters(kommun=list(base.kommun), doc_ids=docs, years=list(base.years))


def _renumbered(answer: Answer, offset: int) -> tuple[str, list[Citation]]:
    text = MARKER.sub(lambda m: f"[{int(m.group(1)) + offset}]", answer.answer)
    return text, [dataclasses.replace(c, n=c.n + offset) for c in answer.citations]


def join_parts(question: str, parts: list[str], answers: list[Answer]) -> Answer:
    """One answer for a multi-part question: each part's answer under the part it answers; a part the documents
    do not answer is named as such. Refused as a whole only when no part is answered."""
    sections, citations = [], []
    for part, answer in zip(parts, answers, strict=True):
        if answer.refused:
            sections.append(f"**{part}** Det besvarar inte dokumenten.")
            continue
        text, renumbered = _renumbered(answer, len(citations))
        citations += renumbered
        sections.append(f"**{part}** {text}")
    refused = all(a.refused for a in answers)
    return Answer(
        question=question,
        answer=REFUSAL if refused else "\n\n".join(sections),
        refused=refused,
        mode=answers[0].mode,
        citations=citations,
        closest=answers[0].closest if refused else [],
        evidence=min(a.evidence for a in answers),
    )
