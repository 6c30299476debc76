"""Extractive answers: the sentences of the retrieved passages that answer the question, cited.

No language model is involved: every sentence of an answer is copied from a cited
passage. When the evidence is weak the answer is an honest refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from assistant.features import unit_context, unit_rows
from assistant.followup import Interpretation
from assistant.models import REFUSAL, Answer, Citation
from assistant.questions import (
    TOPICLESS_WORDS,
    TOTAL_Q,
    asked_words,
    asks_for_extreme,
    asks_for_total,
    is_comparison,
    is_total_row,
    municipalities_named,
    question_kind,
    words,
)
from assistant.refusal import model as refusal_model
from assistant.rules import LABEL, NUMBER_WORD, has_quantity, holds_asked_kind
from assistant.scope import DIARIENUMMER, without_committee_names
from assistant.selector import SelectorModel
from assistant.selector import model as selector_model
from assistant.sentences import Lexicon, Sentence, helpers_for
from assistant.tables import is_table_row, row_amount, table_row_text
from corpus import UNKNOWN
from corpus.normalise import normalise
from index import Hit, Index

BLOCK_LABELS = {"syfte", "mål", "åtgärder"}
MAX_SENTENCES = 3
MAX_LIST_SENTENCES = 5
TOTAL_FROM_PASSAGES = 3  # a total row (or a table's largest or smallest row) is looked for in the best three passages
EXTREME_MIN_ROWS = 3  # a "which is largest" question is answered from a table of at least this many amount rows


@dataclass
class Scored:
    sentence: Sentence
    total: float
    dense: float
    lexical: float
    twins: list[Scored] = field(default_factory=list)  # the same words in sibling documents, cited alongside


def score_sentences(
    question: str, query_vector: list[float], hits: list[Hit], ix: Index, municipalities: list[str]
) -> tuple[list[Scored], dict[str, float]]:
    """Every candidate unit scored by the learned selector, best first; also the question's term weights."""
    rows, weights = unit_rows(question, query_vector, hits, ix, municipalities)
    chooser = selector_model()
    scored = [Scored(r.sentence, chooser.probability(r.features), r.dense, r.lexical) for r in rows]
    scored.sort(key=lambda x: x.total, reverse=True)
    return scored, weights


YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def totals_year_matches(c: Scored, question: str) -> bool:
    """Whether a total row's table is of a year the question names (its section, table heading or header say
    so); true when the question names no year."""
    asked = set(YEAR.findall(question))
    if not asked:
        return True
    context = unit_context(c.sentence)
    return bool(asked & set(YEAR.findall(DIARIENUMMER.sub(" ", context))))  # "Dnr IF-2025-00123" names no year


def select(
    scored: list[Scored], question: str, municipalities: list[str], chooser: SelectorModel | None = None
) -> list[Scored]:
    """The sentences to answer with: the best, close runners-up (by ``chooser``'s ratios, the shipped selector's by
    default), one per document for comparisons, and what a chosen sentence introduces (its list, its
    "Syfte:/Mål:/Åtgärder:" block); sentences worded exactly like one already chosen are dropped."""
    named = set(municipalities_named(question, municipalities))
    comparison = is_comparison(question, municipalities)
    if named and not comparison:
        # A question about one municipality is answered from that municipality's documents when it has any.
        own = [c for c in scored if c.sentence.hit.chunk.kommun in named]
        scored = own or scored
    if not scored:
        return []
    best = scored[0]
    chooser = chooser or selector_model()
    total_asked = asks_for_total(question)
    totals: list[Scored] = []
    if total_asked:
        # A sum is answered with the table's total row when one of the best passages has one.
        totals = [c for c in scored if c.sentence.passage_rank <= TOTAL_FROM_PASSAGES and is_total_row(c.sentence.text)]
        # Two tables of a kind from two years ("statsbidrag 2024", "… 2025"): the total of the year asked about.
        totals = [c for c in totals if totals_year_matches(c, question)] or totals
        best = max(totals, key=lambda c: c.total) if totals else best
    extreme = asks_for_extreme(question) if not totals else None
    if extreme:
        best = _extreme_row(scored, extreme) or best
    kind = question_kind(question)
    limit = MAX_LIST_SENTENCES if kind == "list" else MAX_SENTENCES
    chosen: list[Scored] = [best]
    seen = {normalise(best.sentence.text): best}

    def take(candidate: Scored) -> None:
        key = normalise(candidate.sentence.text)
        if key not in seen:
            seen[key] = candidate
            chosen.append(candidate)

    for year in sorted(set(YEAR.findall(question))) if len(totals) > 1 else []:
        # "mer 2025 än 2024": each year's total.
        of_year = [c for c in totals if totals_year_matches(c, year)]
        if of_year:
            take(max(of_year, key=lambda c: c.total))
    if comparison:
        # Each other document's best sentence that says something the chosen ones do not.
        by_doc: dict[str, Scored] = {}
        for c in scored:
            doc = c.sentence.hit.chunk.doc_id
            if doc != best.sentence.hit.chunk.doc_id and doc not in by_doc and normalise(c.sentence.text) not in seen:
                by_doc[doc] = c
        for c in sorted(by_doc.values(), key=lambda x: x.total, reverse=True)[:2]:
            # The question asks about each: another document's best sentence is held to the laxer ratio.
            if c.total >= chooser.same_document_ratio * best.total:
                take(c)
    for c in scored[1:]:
        if len(chosen) >= limit:
            break
        same_doc = c.sentence.hit.chunk.doc_id == best.sentence.hit.chunk.doc_id
        ratio = chooser.same_document_ratio if same_doc or comparison else chooser.other_document_ratio
        other_years_total = total_asked and is_total_row(c.sentence.text) and not totals_year_matches(c, question)
        if c.total >= ratio * best.total and c.lexical > 0 and not other_years_total:
            take(c)
    for c in list(chosen):
        for extra in _introduced_by(c, scored, kind):
            take(extra)
    _cite_twins(chosen, scored, seen, chooser.other_document_ratio * best.total)
    return chosen


def _extreme_row(scored: list[Scored], extreme: str) -> Scored | None:
    """For "Vilken post är störst/billigast?": the row with the largest or smallest amount of the table the best
    scored amount row belongs to, in the best passages; None when no table there has ``EXTREME_MIN_ROWS`` rows."""
    rows = [
        (c, amount)
        for c in scored
        if c.sentence.passage_rank <= TOTAL_FROM_PASSAGES
        and not is_total_row(c.sentence.text)
        and (amount := row_amount(c.sentence.hit.chunk, c.sentence.start, c.sentence.text)) is not None
    ]
    if not rows:
        return None
    anchor = max(rows, key=lambda r: r[0].total)[0]
    table = [(c, amount) for c, amount in rows if _same_table(c, anchor)]
    if len(table) < EXTREME_MIN_ROWS:
        return None
    pick = (max if extreme == "max" else min)(table, key=lambda r: r[1])[0]
    # Picked for its amount, the row answers with the evidence of its table's best-scored row: its own words need
    # not be the question's ("Elevhälsopersonal" for "Vilken post är störst?").
    return replace(pick, total=max(pick.total, anchor.total), dense=max(pick.dense, anchor.dense))


def _same_table(a: Scored, b: Scored) -> bool:
    """Rows of one table: in one passage, under the same typed header and heading (rows no reader typed: in one
    passage)."""
    chunk = a.sentence.hit.chunk
    if chunk.chunk_id != b.sentence.hit.chunk.chunk_id:
        return False
    ra, rb = chunk.row_at(a.sentence.start), chunk.row_at(b.sentence.start)
    if ra is None or rb is None:
        return ra is rb
    return (ra.header, ra.heading) == (rb.header, rb.heading)


def _cite_twins(chosen: list[Scored], scored: list[Scored], by_text: dict[str, Scored], floor: float) -> None:
    """A chosen sentence worded the same in another document (two follow-ups of one report) is quoted once and
    cited to both."""
    taken = {id(c) for c in chosen}
    for c in scored:
        if c.total < floor or id(c) in taken:
            continue
        same = by_text.get(normalise(c.sentence.text))
        docs = {same.sentence.hit.chunk.doc_id, *(t.sentence.hit.chunk.doc_id for t in same.twins)} if same else set()
        if same is not None and c.sentence.hit.chunk.doc_id not in docs:
            same.twins.append(c)


def opens_list(c: Scored, after: list[Scored]) -> bool:
    """A sentence right before a bulleted list introduces it, colon or not: "Förvaltningen informerar om
    Skolinspektionens planerade granskning." is followed by the areas it will look at, as items."""
    return bool(after) and after[0].sentence.is_list_item and not c.sentence.is_list_item


def _introduced_by(c: Scored, scored: list[Scored], kind: str) -> list[Scored]:
    """Units that belong with ``c``: the list it introduces, or the rest of its labelled block."""
    units = sorted((x for x in scored if x.sentence.hit is c.sentence.hit), key=lambda x: x.sentence.start)
    after = [x for x in units if x.sentence.start > c.sentence.start]
    extra: list[Scored] = []
    text = c.sentence.text.rstrip()
    introduces = text.endswith(":") or kind == "list" or opens_list(c, after)
    if after and kind == "list" and after[0].sentence.text.rstrip().endswith(":") and not c.sentence.is_list_item:
        extra.append(after[0])
        after = after[1:]
    if introduces or extra:
        for x in after:
            if not x.sentence.is_list_item or len(extra) >= 7:
                break
            extra.append(x)
    label = LABEL.match(text)
    if label and label.group(1).lower() in BLOCK_LABELS:
        for x in after:
            if x.sentence.start - c.sentence.end > 500 or len(extra) >= 6:
                break
            next_label = LABEL.match(x.sentence.text)
            if next_label and next_label.group(1).lower() not in BLOCK_LABELS:
                break
            if next_label or x.sentence.is_list_item:
                extra.append(x)
    return extra


def focus_stems(
    own: str, weights: dict[str, float], lexicon: Lexicon, municipalities: tuple[str, ...] = ()
) -> list[str]:
    """The question's two rarest words that the documents use: what the asked-for fact is about.

    ``own`` is the question in the user's own words: a topic carried over from an earlier question is left out.
    """
    own_stems = _own_stems(own, lexicon, municipalities)
    known = [(w, st) for st, w in weights.items() if lexicon.known(st) and st in own_stems and not st.isdigit()]
    return [st for _, st in sorted(known, reverse=True)[:2]]


def _own_stems(own: str, lexicon: Lexicon, municipalities: tuple[str, ...]) -> set[str]:
    """The stems of the user's own words about the topic: municipality and committee names, and the words asking
    for a sum ("sammanlagt"), aside."""
    return set(lexicon.stems(_topic_text(own))) - set(lexicon.stems(" ".join(municipalities)))


@lru_cache(maxsize=256)
def _topic_text(own: str) -> str:
    """The question without committee names and sum words; cached, since every candidate unit asks for it."""
    return TOTAL_Q.sub(" ", without_committee_names(own).lower())


def _carries_asked_fact(
    c: Scored, own: str, weights: dict[str, float], lexicon: Lexicon, municipalities: tuple[str, ...]
) -> bool:
    """Whether a sentence holds the kind of fact asked for (an amount, a count, a date, a name) about the
    question's focus; questions of other kinds always pass."""
    kind = question_kind(own)
    text = c.sentence.text
    if kind not in ("money", "number", "date", "who"):
        return True
    if not holds_asked_kind(kind, c.sentence, own):
        return False
    focus = focus_stems(own, weights, lexicon, municipalities)
    if not focus:
        # No word of the question's own is in the documents: a fact found is about something else.
        return not any(not lexicon.attested(st) for st in _own_stems(own, lexicon, municipalities) if not st.isdigit())
    if kind == "number" and re.search(r"\b(många|antal\w*)\b", own.lower()):
        return _count_near_focus(text, focus, lexicon)
    near = set(lexicon.stems(text)) | set(lexicon.stems(unit_context(c.sentence)))
    return any(lexicon.matches(st, near) for st in focus)


def _count_near_focus(text: str, focus: list[str], lexicon: Lexicon, window: int = 4) -> bool:
    """A count is about the focus when it stands within a few words of it ("fyra socialpedagoger")."""
    tokens = re.findall(r"[\wåäöÅÄÖ%]+", text)
    stems = [lexicon.stemmer.stemWord(t.lower()) for t in tokens]
    counts = [i for i, t in enumerate(tokens) if NUMBER_WORD.fullmatch(t) or has_quantity(" ".join(tokens[i : i + 2]))]
    hits = [i for i, st in enumerate(stems) if any(lexicon.matches(f, {st}) for f in focus)]
    return any(abs(i - j) <= window for i in counts for j in hits)


def _focus_missing(
    chosen: list[Scored], own: str, weights: dict[str, float], lexicon: Lexicon, municipalities: tuple[str, ...]
) -> bool:
    focus = focus_stems(own, weights, lexicon, municipalities)
    if not focus:
        return False
    near: set[str] = set()
    for c in chosen:
        near |= set(lexicon.stems(c.sentence.text)) | set(lexicon.stems(unit_context(c.sentence)))
    return not any(lexicon.matches(st, near) for st in focus)


@dataclass
class Absence:
    """A word the question turns on that the documents, or the asked-about municipality's, never use."""

    word: str
    kommun: str | None = None

    def note(self) -> str:
        if self.kommun:
            return f"Dokumenten från {self.kommun} nämner inte ”{self.word}”."
        return f"Ordet ”{self.word}” förekommer inte i dokumenten."


def absences(
    own: str,
    weights: dict[str, float],
    lexicon: Lexicon,
    municipalities: tuple[str, ...],
    hits: list[Hit] | None = None,
) -> tuple[Absence | None, Absence | None]:
    """(the asked-for word the documents never use, the focus word the named municipality's documents
    never use while a passage in ``hits`` from another municipality does): "Vilket parti styr...", "...om
    skolmaten"; "nationella prov" asked of Svenljunga.

    Money questions are left to the amount check: "pengar" and "kronor" are rarely written out.
    """
    unused = None
    if question_kind(own) != "money":
        unused = next(
            (
                Absence(w)
                for w in asked_words(without_committee_names(own))
                if any(not lexicon.attested(st) for st in lexicon.stems(w))
            ),
            None,
        )
    named = municipalities_named(own, municipalities)
    elsewhere = None
    if len(named) == 1 and not is_comparison(own, municipalities):
        # What the question is about: its rarest word that a passage found for it from another municipality uses
        # ("kameraövervakning" asked of Svenljunga, found in Alingsås's), verbs like "går" aside. A word no other
        # municipality's passage uses says nothing about the topic being elsewhere ("kom", "rensa").
        own_stems = _own_stems(own, lexicon, municipalities)
        other: set[str] = set()
        for h in hits or []:
            if h.chunk.kommun != named[0]:
                other |= set(lexicon.stems(h.chunk.text))
        topic = max(
            (
                (weights.get(st, 0.0), w, st)
                for w in words(own)
                if w not in TOPICLESS_WORDS
                for st in lexicon.stems(w)
                if lexicon.known(st) and st in own_stems and not st.isdigit() and lexicon.matches(st, other)
            ),
            default=None,
        )
        if topic and named[0] not in lexicon.municipalities_using(topic[2]):
            elsewhere = Absence(topic[1], named[0])
    return unused, elsewhere


def evidence_features(
    chosen: list[Scored],
    weights: dict[str, float],
    lexicon: Lexicon,
    own: str,
    municipalities: list[str],
    absent: tuple[Absence | None, Absence | None] | None = None,
) -> dict[str, float]:
    """What the refusal decision looks at (see ``evidence_score``), for the question in the user's ``own`` words;
    ``absent`` is ``absences(...)`` when the caller has it already."""
    best = chosen[0]
    total_weight = sum(weights.values()) or 1.0
    covered: set[str] = set()
    for c in chosen:
        covered |= set(lexicon.stems(c.sentence.text)) | set(lexicon.stems(c.sentence.hit.chunk.section))
    missing = not any(_carries_asked_fact(c, own, weights, lexicon, tuple(municipalities)) for c in chosen)
    top = chosen[0].sentence.hit.chunk
    passage_stems = set(lexicon.stems(top.text)) | set(lexicon.stems(top.context))
    known = {st: w for st, w in weights.items() if lexicon.known(st)}
    known_weight = sum(known.values()) or 1.0
    unused, elsewhere = absent or absences(own, weights, lexicon, tuple(municipalities))
    return {
        "best": best.total,
        "dense": best.dense,
        "coverage": sum(w for st, w in weights.items() if st in covered) / total_weight,
        "unknown": sum(w for st, w in weights.items() if not lexicon.attested(st)) / total_weight,
        "passage_coverage": sum(w for st, w in known.items() if st in passage_stems) / known_weight,
        "missing_fact": float(missing),
        "focus_missing": float(_focus_missing(chosen, own, weights, lexicon, tuple(municipalities))),
        "asked_unused": float(unused is not None),
        "focus_absent_in_named": float(elsewhere is not None),
    }


def source_label(hit: Hit) -> str:
    """A short label for running text: the document's title, with its municipality when known and not in the
    title already."""
    c = hit.chunk
    if c.kommun == UNKNOWN or c.kommun.lower() in c.title.lower():
        return c.title
    return f"{c.title}, {c.kommun}"


def _document_order(chosen: list[Scored]) -> dict[str, list[Scored]]:
    """The chosen units by document: the best unit (the asked-for fact) first, then the rest of its document and
    the other documents in retrieval and text order."""
    best, rest = chosen[0], sorted(chosen[1:], key=lambda c: (c.sentence.passage_rank, c.sentence.start))
    by_doc: dict[str, list[Scored]] = {best.sentence.hit.chunk.doc_id: [best]}
    for c in rest:
        by_doc.setdefault(c.sentence.hit.chunk.doc_id, []).append(c)
    return by_doc


def compose(question: str, chosen: list[Scored]) -> tuple[str, list[Citation]]:
    """A short Swedish answer: the asked-for fact first, each claim with its [n] (one per source passage, twins
    cited together), list items as a Markdown list, and the source named by a short label."""
    citations: dict[str, Citation] = {}

    def marker(c: Scored) -> str:
        numbers = []
        for unit in (c, *c.twins):
            cid = unit.sentence.hit.chunk.chunk_id
            if cid not in citations:
                citations[cid] = Citation(len(citations) + 1, unit.sentence.hit)
            citations[cid].quotes.append(unit.sentence.text)
            numbers.append(citations[cid].n)
        return "".join(f"[{n}]" for n in dict.fromkeys(numbers))

    by_doc = _document_order(chosen)
    bodies = []
    for items in by_doc.values():
        lines: list[str] = []
        markers = [marker(c) for c in items]
        for i, c in enumerate(items):
            # Running sentences from one passage share one marker, after the last of them.
            runs_on = i + 1 < len(items) and not c.sentence.is_list_item and not items[i + 1].sentence.is_list_item
            shown = "" if runs_on and markers[i + 1] == markers[i] else f" {markers[i]}"
            claim = f"{_as_sentence(c.sentence)}{shown}"
            if c.sentence.is_list_item:
                lines.append(f"- {claim}")
            elif lines and not lines[-1].startswith("- "):
                lines[-1] += f" {claim}"
            else:
                lines.append(claim)
        bodies.append("\n".join(lines))
    labels = [source_label(items[0].sentence.hit) for items in by_doc.values()]
    if len(by_doc) == 1:
        return f"{bodies[0]}\n\nKälla: {labels[0]}.", list(citations.values())
    parts = [f"Svaret bygger på {len(by_doc)} dokument: " + ", ".join(labels[:-1]) + f" och {labels[-1]}."]
    parts += [f"Enligt {label}: {body}" for label, body in zip(labels, bodies, strict=True)]
    return "\n\n".join(parts), list(citations.values())


def _as_sentence(s: Sentence) -> str:
    text = s.text.strip()
    if is_table_row(s.hit.chunk, s.start, text):
        return table_row_text(s.hit.chunk, s.start, text)
    return text if text[-1:] in ".!?:" else text + "."


@dataclass
class Analysis:
    """What the extractive step makes of retrieved passages: the sentences it would quote, the evidence features
    the refusal model weighs, and the words the documents lack. Training fits on exactly this."""

    chosen: list[Scored]
    features: dict[str, float] | None
    absent: tuple[Absence | None, Absence | None]


def analyse(
    question: Interpretation, query_vector: list[float], hits: list[Hit], ix: Index, municipalities: list[str]
) -> Analysis:
    """Score and select sentences and compute the evidence features; shared by answering and by training.

    Sentences are scored against what was searched for; what the question asks (its kind, its focus, the words
    the documents lack) is read from the question's own words."""
    scored, weights = score_sentences(question.search_text, query_vector, hits, ix, municipalities)
    lexicon, _ = helpers_for(ix)
    chosen = select(scored, question.search_text, municipalities)
    own = question.text
    absent = absences(own, weights, lexicon, tuple(municipalities), hits)
    features = evidence_features(chosen, weights, lexicon, own, municipalities, absent) if chosen else None
    return Analysis(chosen, features, absent)


def answer_extractive(
    question: Interpretation,
    query_vector: list[float],
    hits: list[Hit],
    ix: Index,
    threshold: float,
    municipalities: list[str],
) -> Answer:
    """The extractive answer for retrieved ``hits`` (refused below ``threshold``)."""
    analysis = analyse(question, query_vector, hits, ix, municipalities)
    evidence = refusal_model().score(analysis.features) if analysis.features else 0.0
    if not analysis.chosen or evidence < threshold:
        return refusal(question.text, hits, evidence, [a.note() for a in analysis.absent if a])
    text, citations = compose(question.text, analysis.chosen)
    return Answer(
        question=question.text, answer=text, refused=False, mode="extractive", citations=citations, evidence=evidence
    )


def refusal(question: str, hits: list[Hit], evidence: float = 0.0, notes: list[str] | None = None) -> Answer:
    """The honest "not in the documents" answer, saying what is missing when known and offering the
    closest documents."""
    closest = hits[:3]
    text = " ".join([REFUSAL, *(notes or [])])
    if closest:
        seen: list[str] = []
        for h in closest:
            label = f"{source_label(h)}, avsnittet ”{h.chunk.section}”" if h.chunk.section else source_label(h)
            if label not in seen:
                seen.append(label)
        text += "\n\nNärmast i dokumenten:\n" + "\n".join(f"- {label}" for label in seen)
    return Answer(question=question, answer=text, refused=True, mode="extractive", closest=closest, evidence=evidence)
