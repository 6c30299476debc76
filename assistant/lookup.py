"""Answers from the decision register and the structure of protocols: "Vad beslutades 2025-03-19 § 28?", "Vad
gäller FG-2025-00108?", "Vilket diarienummer har ärendet om …?" (a § item or a kallelse's agenda row), and, when
the best passage is part of a protocol's § item, "Vad beslutade nämnden om …?", "Hur föll omröstningen om …?" and
"Vilka reserverade sig …?" from that item.

An explicit reference (a dnr, or a § with its meeting date) that the register holds is answered with the decision
itself, quoted whole and cited by date, § and dnr. A decision question about a topic keeps the extractive
answer's evidence check (so an unanswerable one is still refused) and only replaces the quoted sentences with the
decision of the § item the cited passage belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.extractive import refusal, source_label
from assistant.models import Answer, Citation
from assistant.questions import VOTE_Q, question_kind
from assistant.rules import OUTCOME_RECORD
from assistant.scope import QuestionScope, question_scope
from assistant.sentences import helpers_for
from corpus import UNKNOWN
from corpus.decisions import Decision
from corpus.metadata import MONTHS
from corpus.protocol import part_role
from index import Hit, Index
from index.units import chunk_units

DNR_Q = re.compile(r"\b(?:[A-ZÅÄÖ]{1,8}-\d{4}-\d{3,6}|\d{4}\.\d{1,5}(?:\s[A-ZÅÄÖ]{2,5})?)\b")
PARAGRAF_Q = re.compile(r"§\s?(\d{1,4})\b|\bparagraf(?:en)?\s(\d{1,4})\b", re.IGNORECASE)
ISO_DATE_Q = re.compile(r"\b(20\d\d-[01]\d-[0-3]\d)\b")
SWEDISH_DATE_Q = re.compile(r"\b([0-3]?\d) (" + "|".join(MONTHS) + r") (20\d\d)\b", re.IGNORECASE)
# A question about what was decided: the kind of question whose answer is a § item's decision.
DECISION_Q = re.compile(
    r"\bbeslut(?:ade|ades|at|et|s)?\b|\bbesluta\b|\bbifall|\bavslag|\bavslog|\bantog|\bantogs|\bgick .* igenom\b"
    r"|\bblev det (?:något )?av\b|\bvad hände med\b",
    re.IGNORECASE,
)


# Kinds of decision question the decision's own words do not answer: who proposed or voted ("Vem yrkade avslag?"),
# and why ("Varför avslogs motionen?"); the selector's units answer them.
DECISION_TELLS_NOT = frozenset({"who", "reason"})

# A question asking for an item's reference number.
ASKS_DNR_Q = re.compile(r"\bdiarienummer|\bdnr\b|\bärendenummer", re.IGNORECASE)
DNR_FROM_TOP = 5  # how many of the best passages may name the item whose dnr is asked for
# A dnr as an agenda table cell writes it, wrapped or not ("GA-2025-00154", "GA-2025- 00154").
WRITTEN_DNR = re.compile(r"([A-ZÅÄÖ]{1,8}-\d{4})-\s?(\d{3,6})")


@dataclass(frozen=True)
class DecisionReference:
    """What a question names of a decision: its meeting date, its §, its dnr (any may be missing), or instead of
    the date the meeting's month and committee ("§ 98 på oktobermötet 2025")."""

    datum: str | None
    paragraf: int | None
    dnr: str | None
    scope: QuestionScope = QuestionScope()


def reference_in(question: str) -> DecisionReference | None:
    """The decision a question names explicitly (a dnr, or a § with a date), or None."""
    dnr = DNR_Q.search(question)
    paragraf = PARAGRAF_Q.search(question)
    date = ISO_DATE_Q.search(question)
    swedish = SWEDISH_DATE_Q.search(question)
    datum = date[1] if date else None
    if datum is None and swedish:
        datum = f"{swedish[3]}-{MONTHS[swedish[2].lower()]:02d}-{int(swedish[1]):02d}"
    number = int(paragraf[1] or paragraf[2]) if paragraf else None
    scope = question_scope(question)
    if datum is not None:
        scope = QuestionScope((), scope.committee_words)  # the date says more than its month
    if dnr is None and (number is None or (datum is None and not scope.meetings)):
        return None
    return DecisionReference(datum, number, " ".join(dnr.group().split()) if dnr else None, scope)


def is_decision_question(question: str) -> bool:
    """Whether the question asks what was decided."""
    return bool(DECISION_Q.search(question))


def _key(text: str) -> str:
    return re.sub(r"[\s-]+", "", text).upper()


def find(ix: Index, ref: DecisionReference) -> list[Decision]:
    """The register's decisions matching a reference; a protocol's own record before a mention elsewhere."""
    found = [
        d
        for d in ix.decisions
        if (ref.dnr is None or (d.dnr is not None and _key(d.dnr) == _key(ref.dnr)))
        and (ref.paragraf is None or d.paragraf == ref.paragraf)
        and (ref.datum is None or d.datum == ref.datum)
        and (not ref.scope.meetings or any(m.matches(d.datum) for m in ref.scope.meetings))
        and (not ref.scope.committee_words or any(w in d.namnd.lower() for w in ref.scope.committee_words))
    ]
    return sorted(found, key=lambda d: d.kalla != "protokoll")


MAX_SAME_NUMBER = 4  # a § named by its month alone, held by more protocols than this, is too vague to list


def _protocols_holding(ref: DecisionReference, found: list[Decision]) -> list[Decision]:
    """For a § named by its meeting's month only: each protocol's own decision under that number."""
    if ref.datum is not None or ref.dnr is not None:
        return []
    return [d for d in found if d.kalla == "protokoll"]


def _hit_for(ix: Index, decision: Decision) -> Hit | None:
    """The passage holding a decision's text, as a citable hit."""
    same_item = [
        c
        for c in ix.chunks
        if c.doc_id == decision.doc_id and (decision.kalla != "protokoll" or c.paragraf == decision.paragraf)
    ]
    best = next((c for c in same_item if c.section == decision.section and decision.beslut[:60] in c.text), None)
    best = best or next((c for c in same_item if decision.beslut[:60] in c.text), None)
    best = best or next((c for c in same_item if c.section == decision.section), None)
    if best is None:
        return None
    return Hit(rank=1, chunk=best, score=1.0, dense=None, bm25=None, reference_hits=[])


def label(decision: Decision) -> str:
    """ "2025-03-19, § 28 (Dnr FG-2025-00108)" """
    dnr = f" (Dnr {decision.dnr})" if decision.dnr else ""
    return f"{decision.datum}, § {decision.paragraf}{dnr}"


def _body(decision: Decision, hit: Hit) -> str:
    if decision.kalla != "protokoll":
        return f"Beslut {decision.datum}, § {decision.paragraf}, enligt {hit.chunk.title}: {decision.beslut} [1]"
    who = decision.namnd if decision.namnd and decision.namnd != "okänd" else "Nämnden"
    rubrik = f" i ärendet ”{decision.rubrik}”" if decision.rubrik else ""
    return f"{who}, {label(decision)}{rubrik}: {decision.beslut} [1]"


def _answer(question: str, decision: Decision, hit: Hit, evidence: float) -> Answer:
    first_sentence = decision.beslut.split(". ")[0]
    quote = next(
        (q for q in (decision.beslut, first_sentence) if q and q in hit.chunk.text),
        hit.chunk.text[:400],
    )
    return Answer(
        question=question,
        answer=_body(decision, hit),
        refused=False,
        mode="extractive",
        citations=[Citation(1, hit, [quote])],
        evidence=evidence,
    )


def explicit_answer(question: str, ix: Index) -> Answer | None:
    """The answer to a question naming a decision the register holds, or None."""
    ref = reference_in(question)
    if ref is None:
        return None
    found = find(ix, ref)
    if not found:
        return _other_committee(question, ref, ix) or _agenda_item(question, ref, ix)
    same_number = _protocols_holding(ref, found)
    if len(same_number) > 1:
        return _several(question, same_number, ix) if len(same_number) <= MAX_SAME_NUMBER else None
    decision = found[0]
    hit = _hit_for(ix, decision)
    return _answer(question, decision, hit, 1.0) if hit is not None else None


def _other_committee(question: str, ref: DecisionReference, ix: Index) -> Answer | None:
    """The refusal for a § and date the register holds, but of another committee than the one the question names:
    quoting that other committee's decision would answer a question nobody asked."""
    if ref.datum is None or ref.paragraf is None or not ref.scope.committee_words:
        return None
    others = find(ix, DecisionReference(ref.datum, ref.paragraf, ref.dnr))
    holders = sorted({d.namnd for d in others if d.kalla == "protokoll" and d.namnd and d.namnd != "okänd"})
    if not holders:
        return None
    note = (
        f"Protokollet från {ref.datum} med § {ref.paragraf} är från {' och '.join(holders)}, "
        "inte från den nämnd frågan gäller."
    )
    return refusal(question, [], notes=[note])


def _agenda_item(question: str, ref: DecisionReference, ix: Index) -> Answer | None:
    """For a dnr no protocol in the index decided on: the agenda row of a kallelse that lists it ("Vad handlar
    ärende FG-2025-00332 om?"), the item's title and what the row proposes."""
    if ref.dnr is None:
        return None
    serial = ref.dnr.rsplit("-", 1)[-1]  # a wrapped dnr ("GA-2025- 00154") still writes its serial whole
    wanted = _key(ref.dnr)
    for chunk in ix.chunks:
        if serial not in chunk.text:
            continue
        for row in chunk.rows:
            at = next((i for i, c in enumerate(row.cells) if _key(c) == wanted), None)
            if at is None or at == 0 or row.is_header:
                continue
            header = row.header if row.header and len(row.header) == len(row.cells) else [""] * len(row.cells)
            told = [f"{h}: {c}" if h else c for h, c in zip(header[at + 1 :], row.cells[at + 1 :], strict=True) if c]
            hit = Hit(1, chunk, 1.0, None, None, [ref.dnr])
            text = f"Ärendet ”{row.cells[at - 1]}” ({ref.dnr}) står på dagordningen i {source_label(hit)}."
            if told:
                text += " " + " ".join(t if t.endswith(".") else t + "." for t in told)
            return Answer(
                question=question,
                answer=text + " [1]",
                refused=False,
                mode="extractive",
                citations=[Citation(1, hit, [chunk.text[row.start : row.end]])],
                evidence=1.0,
            )
    return None


def _several(question: str, decisions: list[Decision], ix: Index) -> Answer | None:
    """Each protocol's decision under the § a question names by its month: two committees met that month."""
    cited = [(d, h) for d in decisions if (h := _hit_for(ix, d)) is not None]
    if len(cited) < 2:
        return None
    lines = [f"§ {cited[0][0].paragraf} finns i {len(cited)} protokoll från den tiden:"]
    citations = []
    for n, (decision, hit) in enumerate(cited, start=1):
        single = _answer(question, decision, hit, 1.0)
        lines.append("- " + single.answer.removesuffix(" [1]") + f" [{n}]")
        citations.append(Citation(n, hit, single.citations[0].quotes))
    return Answer(
        question=question, answer="\n".join(lines), refused=False, mode="extractive", citations=citations, evidence=1.0
    )


def topic_answer(question: str, ix: Index, extractive: Answer) -> Answer:
    """For a decision question answered from a protocol's § item, that item's decision instead of the sentences
    the extractive step picked; any other answer as it was."""
    if extractive.refused or not extractive.citations or not is_decision_question(question):
        return extractive
    if question_kind(question) in DECISION_TELLS_NOT:
        return extractive
    chunk = extractive.citations[0].hit.chunk
    if chunk.paragraf is None:
        return extractive
    own = ix.item_decisions.get((chunk.doc_id, chunk.paragraf))
    if own is None or _outcome_told_elsewhere(question, own, extractive):
        return extractive
    hit = _hit_for(ix, own)
    return _answer(question, own, hit, extractive.evidence) if hit is not None else extractive


@dataclass(frozen=True)
class ItemFact:
    """A fact a protocol's § item records in a part of its own: the questions that ask for it, the units that
    state it."""

    asked: re.Pattern[str]
    stated: re.Pattern[str]


# What a question about a § item may ask for that stands in its own part of the item, away from the sentences
# that match the question's topic: the vote's tally, the members who reserved themselves.
ITEM_FACTS = {
    "vote": ItemFact(VOTE_Q, re.compile(r"\b\d+\s+ja-?röst\w*", re.IGNORECASE)),
    "reservation": ItemFact(
        re.compile(r"\breserver\w*|\breservation\w*", re.IGNORECASE),
        re.compile(r"\breserver(?:ar|ade) sig\b|\breservation\w*", re.IGNORECASE),
    ),
}


def item_fact_answer(question: str, ix: Index, extractive: Answer) -> Answer:
    """For "Hur föll omröstningen om …?" or "Vilka reserverade sig mot beslutet om …?" answered from a protocol's §
    item: the item's units that state it (its tally, its reservations), wherever in the item they stand, when the
    picked sentences state none; any other answer as it was (so an unanswerable question is still refused by the
    extractive step)."""
    fact = next((f for f in ITEM_FACTS.values() if f.asked.search(question.lower())), None)
    if fact is None or extractive.refused or not extractive.citations:
        return extractive
    if any(fact.stated.search(q) for c in extractive.citations for q in c.quotes):
        return extractive
    cited = extractive.citations[0].hit
    if cited.chunk.paragraf is None:
        return extractive
    for chunk in ix.chunks:
        if chunk.doc_id != cited.chunk.doc_id or chunk.paragraf != cited.chunk.paragraf:
            continue
        # The part's heading ("Reservation") names the fact; the sentences under it state it.
        stated = [u.text for u in chunk_units(chunk.text) if fact.stated.search(u.text) and part_role(u.text) is None]
        if stated:
            hit = Hit(rank=cited.rank, chunk=chunk, score=cited.score, dense=None, bm25=None, reference_hits=[])
            own = ix.item_decisions.get((chunk.doc_id, chunk.paragraf))
            where = f"{own.namnd}, {label(own)}, i ärendet ”{own.rubrik}”" if own is not None else chunk.section
            return Answer(
                question=question,
                answer=f"{where}: {' '.join(stated)} [1]",
                refused=False,
                mode="extractive",
                citations=[Citation(1, hit, stated)],
                evidence=extractive.evidence,
            )
    return extractive


def _outcome_told_elsewhere(question: str, decision: Decision, extractive: Answer) -> bool:
    """For "Gick SD:s tilläggsyrkande igenom?": the item's decision ("godkänner verksamhetsanpassningen") does not
    say what became of the proposal, and the sentences the extractive step picked do ("beslutar att avslå
    tilläggsyrkandet")."""
    if question_kind(question) != "outcome" or OUTCOME_RECORD.search(decision.beslut):
        return False
    return any(OUTCOME_RECORD.search(q) for c in extractive.citations for q in c.quotes)


def _agenda_items(hits: list[Hit]) -> list[tuple[Hit, str, str]]:
    """(passage, item title, dnr) of the agenda table rows in ``hits`` that give an item's dnr: a kallelse lists
    "| 11. | Interkommunal ersättning vuxenutbildning 2026 | GA-2025- 00154 | Förslag till beslut … |", the title
    in the cell before the dnr."""
    items = []
    for hit in hits:
        for row in hit.chunk.rows:
            for i, cell in enumerate(row.cells[1:], start=1):
                written = WRITTEN_DNR.fullmatch(cell.strip())
                if written and not row.is_header:
                    items.append((hit, row.cells[i - 1], f"{written[1]}-{written[2]}"))
    return items


def _document_references(ix: Index, hits: list[Hit]) -> list[tuple[Hit, str, str]]:
    """(passage, document title, the line that gives it) for the documents in ``hits`` whose own diarienummer (from
    the catalog or the first page) the passage writes out: a report's "Diarienummer: 2025.129 BUN"."""
    found = []
    for hit in hits:
        record = ix.documents.get(hit.chunk.doc_id, {})
        dnr = record.get("reference") or ""
        if not dnr or dnr == UNKNOWN:
            continue
        line = next((u.text for u in chunk_units(hit.chunk.text) if dnr in u.text), None)
        if line is not None:
            found.append((hit, str(record.get("title") or hit.chunk.title), line))
    return found


def dnr_answer(question: str, ix: Index, hits: list[Hit]) -> Answer | None:
    """For "Vilket diarienummer har ärendet om …?": the dnr of the item among the best passages whose title shares
    most of the question's words, weighed by how rare they are: a protocol's § item, a row of a kallelse's
    agenda table, or a document's own diarienummer. The words such questions share with every item ("ärendet",
    "diarienummer") weigh little, and a tie goes to the passage closest in meaning."""
    if not ASKS_DNR_Q.search(question) or DNR_Q.search(question):
        return None
    lexicon, _ = helpers_for(ix)
    asked = {st: lexicon.idf(st) for st in set(lexicon.stems(question))}

    def shared(title: str) -> float:
        stems = set(lexicon.stems(title))
        return sum(w for st, w in asked.items() if lexicon.matches(st, stems))

    found: list[tuple[float, float, Hit, str, str]] = []
    for h in hits[:DNR_FROM_TOP]:
        d = ix.item_decisions.get((h.chunk.doc_id, h.chunk.paragraf)) if h.chunk.paragraf is not None else None
        if d is not None and d.dnr:
            text = f"Ärendet ”{d.rubrik}” har diarienummer {d.dnr} ({d.namnd}, {d.datum}, § {d.paragraf}). [1]"
            found.append((shared(h.chunk.section), h.dense or 0.0, h, text, h.chunk.section))
    for h, title, dnr in _agenda_items(hits[:DNR_FROM_TOP]):
        text = f"Ärendet ”{title}” har diarienummer {dnr} ({source_label(h)}). [1]"
        found.append((shared(title), h.dense or 0.0, h, text, title))
    for h, title, line in _document_references(ix, hits[:DNR_FROM_TOP]):
        text = f"Enligt {source_label(h)}: {line} [1]"
        found.append((shared(title), h.dense or 0.0, h, text, line))
    if not found:
        return None
    _, _, hit, text, quote = max(found, key=lambda f: (f[0], f[1]))
    return Answer(
        question=question,
        answer=text,
        refused=False,
        mode="extractive",
        citations=[Citation(1, hit, [quote])],
        evidence=hit.score,
    )
