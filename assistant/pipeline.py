"""assistant.ask: question -> standalone question -> retrieval -> cited Swedish answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from assistant.engine import get_index
from assistant.extractive import answer_extractive, refusal
from assistant.followup import Interpretation, rewrite
from assistant.lookup import dnr_answer, explicit_answer, item_fact_answer, topic_answer
from assistant.models import Answer
from assistant.parts import join_parts, matter_filters, question_parts
from assistant.questions import clean_question
from assistant.refusal import model as refusal_model
from assistant.retrieval import municipalities_of, retrieve
from assistant.summaries import summary_answer
from index import Filters, Index
from settings import Settings, get_settings

log = logging.getLogger(__name__)


def refusal_threshold(settings: Settings) -> float:
    """The configured threshold, or the learned model's."""
    return settings.refusal_threshold if settings.refusal_threshold is not None else refusal_model().threshold


def filter_label(filters: Filters | None, ix: Index) -> str | None:
    """ "Alingsås, 2025" — the current restriction, in words, or None."""
    if not filters:
        return None
    parts = list(filters.kommun)
    parts += [ix.documents.get(d, {}).get("title", d) for d in filters.doc_ids]
    parts += [str(y) for y in filters.years]
    return ", ".join(parts)


def _clean_history(history: object) -> list[dict]:
    if not isinstance(history, list):
        return []
    return [
        {"role": t["role"], "content": clean_question(t["content"]).text}
        for t in history
        if isinstance(t, dict) and t.get("role") in ("user", "assistant") and isinstance(t.get("content"), str)
    ]


def ask(
    question: object,
    history: list[dict] | None = None,
    filters: Filters | None = None,
    mode: str | None = None,
    settings: Settings | None = None,
    index: Index | None = None,
) -> Answer:
    """Answer a question from the documents, with numbered citations; never raises on bad input."""
    answers = list(ask_stream(question, history, filters, mode, settings, index))
    return answers[-1]


def ask_stream(
    question: object,
    history: list[dict] | None = None,
    filters: Filters | None = None,
    mode: str | None = None,
    settings: Settings | None = None,
    index: Index | None = None,
) -> Iterator[Answer]:
    """Like ``ask``, yielding partial answers as the text grows (LLM mode streams); the last one is final."""
    settings = settings or get_settings()
    mode = mode if mode in ("extractive", "llm") else settings.answer_mode
    started = time.perf_counter()
    cleaned = clean_question(question, settings.max_question_chars)
    turns = _clean_history(history)
    if cleaned.problem:
        yield Answer(
            question=cleaned.text,
            answer=cleaned.problem,
            refused=True,
            mode=mode,
            notices=cleaned.notices,
            timings_ms={"retrieve": 0.0, "answer": 0.0, "total": (time.perf_counter() - started) * 1000},
        )
        return
    if settings.log_content:
        log.info("Fråga: %s", cleaned.text)
    ix = index or get_index(settings)
    parts = question_parts(cleaned.text) if mode == "extractive" else [cleaned.text]
    if len(parts) > 1:
        # Each part on its own, later parts read after the earlier ones ("… och när beslutades det?").
        answers: list[Answer] = []
        for i, part in enumerate(parts):
            earlier = [{"role": "user", "content": p} for p in parts[:i]]
            scoped = matter_filters(filters, answers, part, municipalities_of(ix))
            answer = ask(part, turns + earlier, scoped, mode, settings, ix) if scoped else None
            if answer is None or answer.refused:
                answer = ask(part, turns + earlier, filters, mode, settings, ix)
            answers.append(answer)
        joined = join_parts(cleaned.text, parts, answers)
        joined.notices = list(cleaned.notices)
        joined.scope = filter_label(filters, ix)
        total = (time.perf_counter() - started) * 1000
        retrieve_ms = sum(a.timings_ms.get("retrieve", 0.0) for a in answers)
        joined.timings_ms = {"retrieve": retrieve_ms, "answer": total - retrieve_ms, "total": total}
        yield joined
        return
    municipalities = municipalities_of(ix)
    interpretation = rewrite(cleaned.text, turns, municipalities)
    deadline = time.monotonic() + settings.llm_timeout  # the whole LLM answer, rewriting included
    if mode == "llm" and interpretation.rewritten and settings.llm_url:
        from assistant.llm import rewrite_with_llm

        by_llm = rewrite_with_llm(cleaned.text, turns, settings, deadline)
        interpretation = Interpretation(cleaned.text, by_llm) if by_llm else interpretation
    standalone = interpretation.text
    result = retrieve(ix, interpretation.search_text, max(settings.top_k, settings.answer_passages), filters)
    retrieved = time.perf_counter()
    notices = list(cleaned.notices)

    def finish(answer: Answer) -> Answer:
        answer.question = cleaned.text
        answer.interpretation = interpretation if interpretation.rewritten else None
        answer.scope = filter_label(filters, ix)
        answer.notices = notices + answer.notices
        now = time.perf_counter()
        answer.timings_ms = {
            "retrieve": result.retrieve_ms,
            "answer": (now - retrieved) * 1000,
            "total": (now - started) * 1000,
        }
        return answer

    looked_up = explicit_answer(standalone, ix)
    if looked_up is not None:
        # "Vad handlade § 116 om?" names the item to summarise; its decision alone ("noterar informationen") is no
        # account of what it was about. An item named ambiguously (several protocols) keeps the list of decisions,
        # and an agenda row (no § section of its own) is the whole item.
        if len(looked_up.citations) == 1 and looked_up.citations[0].hit.chunk.paragraf is not None:
            looked_up = summary_answer(standalone, result.query_vector, looked_up, ix)
        yield finish(looked_up)
        return
    if not result.hits:
        yield finish(refusal(standalone, []))
        return
    by_dnr = dnr_answer(standalone, ix, result.hits)
    if by_dnr is not None:
        yield finish(by_dnr)
        return
    threshold = refusal_threshold(settings)
    extractive = answer_extractive(interpretation, result.query_vector, result.hits, ix, threshold, municipalities)
    extractive = item_fact_answer(standalone, ix, topic_answer(standalone, ix, extractive))
    extractive = summary_answer(standalone, result.query_vector, extractive, ix)
    if mode != "llm":
        yield finish(extractive)
        return
    from assistant.llm import answer_with_llm

    for partial in answer_with_llm(standalone, result.hits[: settings.top_k], extractive, settings, turns, deadline):
        yield finish(partial)
