"""Decisions a document records: each § item of a protocol, and decisions other documents refer to by date and §.

A protocol's decision is the text under its decision heading ("Beslut", "Nämndens beslut"); without one, the
proposal ("Förslag till beslut …", as an arbetsutskott's protocol words what it sends on), and without either,
the item's first sentence saying what someone "beslutar". A reference such as "Nämnden beslutade 2025-06-17 § 44
att omfördela resurser …" in a follow-up becomes a register entry of its own, marked as a reference, and is
linked to the protocol when that protocol is indexed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from corpus.models import UNKNOWN, Document, Section
from corpus.protocol import part_role

DecisionSource = Literal["protokoll", "hänvisning"]
REFERENCE_RE = re.compile(r"(?P<datum>(?:19|20)\d\d-[01]\d-[0-3]\d)\s*,?\s*§\s*(?P<paragraf>\d{1,4})(?![\d:])")
DECIDES_RE = re.compile(r"\bbeslut(?:ar|ade|at|et)\b", re.IGNORECASE)
SENTENCE_RE = re.compile(r"[^.!?]+(?:[.!?]+|$)")
MAX_DECISION_CHARS = 1500
# Bodies a reference may name, as (pattern, the body's name); a reference naming none is the document's own
# committee when it says "nämnden", and unknown otherwise.
REFERENCED_BODIES: tuple[tuple[str, str], ...] = (
    (r"(?i:\bkommunfullmäktige)|\bKF\b", "Kommunfullmäktige"),
    (r"(?i:\bkommunstyrelsens arbetsutskott)|\bKSAU\b", "Kommunstyrelsens arbetsutskott"),
    (r"(?i:\bkommunstyrelsen\b)|\bKS\b", "Kommunstyrelsen"),
    (r"(?i:\bbyggnadsnämnden\b)|\bBN\b", "Byggnadsnämnden"),
    (r"(?i:\bantagningsnämnden)", "Antagningsnämnden"),
    (r"\bGöteborgsregionen\b", "Göteborgsregionen"),
)


@dataclass(frozen=True)
class Decision:
    """One row of the decision register."""

    kommun: str
    namnd: str
    datum: str
    paragraf: int
    dnr: str | None
    rubrik: str
    beslut: str
    doc_id: str
    section: str
    page: int | None
    kalla: DecisionSource = "protokoll"
    protokoll_doc_id: str | None = None  # for a reference: the indexed protocol that holds the decision

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _sentence_with(text: str, pattern: re.Pattern[str], start: int = 0) -> str:
    for match in SENTENCE_RE.finditer(text):
        if match.end() > start and pattern.search(match.group()):
            return " ".join(match.group().split())
    return ""


@dataclass(frozen=True)
class _Part:
    role: str | None  # None: text before the item's first part heading
    text: str
    page: int | None


def _parts(section: Section) -> list[_Part]:
    """A § item's section cut at its part headings."""
    parts: list[_Part] = []
    role, pieces, page = None, [], section.page_start
    for paragraph in section.paragraphs:
        text = section.text[paragraph.start : paragraph.end]
        if paragraph.kind == "part":
            if pieces:
                parts.append(_Part(role, " ".join(pieces), page))
            role, pieces, page = part_role(text), [], paragraph.page
        else:
            pieces.append(" ".join(text.split()))
    if pieces:
        parts.append(_Part(role, " ".join(pieces), page))
    return parts


def _decision_text(sections: list[Section]) -> tuple[str, Section, int | None]:
    parts = [(part, section) for section in sections for part in _parts(section)]
    for wanted in ("decision", "proposal"):
        for part, section in parts:
            if part.role == wanted and part.text:
                return part.text[:MAX_DECISION_CHARS], section, part.page
    for part, section in parts:
        sentence = _sentence_with(part.text, DECIDES_RE)
        if sentence:
            return sentence, section, part.page
    first = sections[0]
    return " ".join(first.text.split())[:MAX_DECISION_CHARS], first, first.page_start


def protocol_decisions(doc: Document) -> list[Decision]:
    """One decision per § item of a protocol, in document order."""
    by_item: dict[int, list[Section]] = {}
    for section in doc.sections:
        if section.item is not None:
            by_item.setdefault(section.item.paragraf, []).append(section)
    decisions = []
    for parts in by_item.values():
        # A § number may head more than one section (an attendance line "§ 50" before the item itself): the
        # fullest header, with its dnr and rubrik, names the item.
        item = max((p.item for p in parts if p.item is not None), key=lambda i: (i.dnr is not None, bool(i.rubrik)))
        beslut, where, page = _decision_text(parts)
        decisions.append(
            Decision(
                kommun=doc.municipality,
                namnd=doc.committee,
                datum=doc.date,
                paragraf=item.paragraf,
                dnr=item.dnr,
                rubrik=item.rubrik,
                beslut=beslut,
                doc_id=doc.doc_id,
                section=where.path_label,
                page=page,
            )
        )
    return decisions


def referenced_decisions(doc: Document) -> list[Decision]:
    """Decisions a document mentions by date and § ("beslut 2025-06-17 § 44"), once each."""
    seen: set[tuple[str, int]] = set()
    found = []
    for section in doc.sections:
        # Paragraph by paragraph: a heading without a full stop ("Beslutsunderlag") is no part of the next sentence.
        paragraphs = [section.text[p.start : p.end] for p in section.paragraphs if p.kind != "part"]
        for text, match in ((t, m) for t in paragraphs for m in REFERENCE_RE.finditer(t)):
            key = (match["datum"], int(match["paragraf"]))
            if key in seen:
                continue
            seen.add(key)
            sentence = _sentence_with(text, re.compile(re.escape(match.group())), match.start())
            found.append(
                Decision(
                    kommun=doc.municipality,
                    namnd=reference_body(sentence, doc.committee),
                    datum=key[0],
                    paragraf=key[1],
                    dnr=None,
                    rubrik="",
                    beslut=sentence[:MAX_DECISION_CHARS],
                    doc_id=doc.doc_id,
                    section=section.path_label,
                    page=section.page_start,
                    kalla="hänvisning",
                )
            )
    return found


def reference_body(sentence: str, own_committee: str) -> str:
    """Whose decision a reference is: a body the sentence names, else the document's own committee."""
    for pattern, body in REFERENCED_BODIES:
        if re.search(pattern, sentence):
            return body
    if re.search(r"nämnd", sentence, re.IGNORECASE) or own_committee.lower() in sentence.lower():
        return own_committee
    return UNKNOWN


def register(documents: list[Document]) -> list[Decision]:
    """Every decision of the documents: protocols' own, then references, linked to an indexed protocol."""
    own = [d for doc in documents for d in protocol_decisions(doc)]
    held = {(d.kommun, d.datum, d.paragraf): d.doc_id for d in own}
    referenced = []
    own_keys = {(d.datum, d.paragraf, d.doc_id) for d in own}
    for doc in documents:
        for ref in referenced_decisions(doc):
            if (ref.datum, ref.paragraf, ref.doc_id) in own_keys:
                continue
            protocol = held.get((ref.kommun, ref.datum, ref.paragraf))
            referenced.append(ref if protocol is None else replace(ref, protokoll_doc_id=protocol))
    return own + referenced
