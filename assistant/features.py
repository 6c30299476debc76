"""One feature row per candidate answer unit (sentence, list item, table row) of the retrieved passages.

The learned selector (``assistant.selector``) weighs these rows; ``python -m evals train`` fits it on the rows of
the train split's questions, made by this same function, so what is fitted is what runs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from assistant.questions import asks_for_metadata, asks_for_total, is_total_row, municipalities_named, question_kind
from assistant.rules import KIND_DETECTORS, LABEL, holds_asked_kind
from assistant.sentences import Lexicon, Sentence, helpers_for, passage_sentences
from assistant.tables import is_header_row, is_table_row, table_header
from corpus.protocol import has_dot_leader
from index import Hit, Index

# The feature table: name -> what it measures. The selector's model file holds one weight per name.
FEATURES: dict[str, str] = {
    "dense": "cosine similarity of the unit and the question (multilingual-e5 vectors, computed at build time)",
    "dense_neighbours": "the better similarity of the unit before and the unit after it in its passage",
    "dense_gap": "the unit's similarity minus the best similarity among all candidates (0 for the best)",
    "lexical": "IDF-weighted share of the question's words that the unit uses (inflections and compounds match)",
    "lexical_context": "the same share over the unit and what it is read under: its section heading, and for a "
    "table row its table's heading and header row",
    "heading_match": "the unit is among the first of a section whose heading is mostly the question's words",
    "label_match": 'the unit opens with a label naming a question word ("Syfte:", "Kostnad:")',
    "passage_score": "the passage's fused retrieval score (0..1)",
    "passage_rank": "1 / the passage's rank in retrieval",
    # Shared by every kind, so a kind with few training questions ("vote") still learns what holding it is worth;
    # the per-kind features below learn how each kind differs.
    "holds_kind": "the question asks for a kind of fact, and the unit holds that kind",
    "lacks_kind": "the question asks for a kind of fact, and the unit lacks that kind",
    **{f"holds_{kind}": f"a {kind} question, and the unit holds that kind of fact" for kind in KIND_DETECTORS},
    **{f"lacks_{kind}": f"a {kind} question, and the unit lacks that kind of fact" for kind in KIND_DETECTORS},
    "total_row": "the question asks for a sum and the unit is a table's total row",
    "list_item": "the unit is a list item",
    "table_row": "the unit is a table row",
    "header_row": "the unit is a table's header row: it names columns and holds no value",
    "lead_in": "the unit ends with a colon: it introduces what follows",
    "position": "where the unit starts in its passage (0 first, 1 last)",
    "length": "log of the unit's word count",
    "named_match": "the question names a municipality and the unit's document is that municipality's",
    "named_other": "the question names a municipality and the unit's document is another's",
}
FEATURE_NAMES = tuple(FEATURES)
WORD = re.compile(r"\w+")


@dataclass
class UnitRow:
    """A candidate unit with its features and the two scores later steps read directly."""

    sentence: Sentence
    features: dict[str, float]
    dense: float
    lexical: float


def _opens_matching_section(s: Sentence, weights: dict[str, float], lexicon: Lexicon, within: int = 200) -> bool:
    """The first sentences of a section whose own heading is, for the most part, what the question asks about."""
    chunk = s.hit.chunk
    if not chunk.heading_path or s.start > within:
        return False
    heading = set(lexicon.stems(chunk.heading_path[-1]))
    if not heading:
        return False
    matched = sum(1 for st in heading if any(lexicon.matches(q, {st}) for q in weights))
    return matched / len(heading) >= 0.5


def unit_context(s: Sentence) -> str:
    """What a unit is read under: its section's heading, and for a table row its table's header row and heading
    ("| Statsbidrag | Belopp |" says what "| Totalt | 8 263 689 |" is a total of)."""
    text = s.text.strip()
    chunk = s.hit.chunk
    if not is_table_row(chunk, s.start, text):
        return chunk.section
    typed = chunk.row_at(s.start)
    return " ".join(p for p in (chunk.section, typed.heading if typed else "", table_header(chunk, s.start, text)) if p)


def candidate_units(hits: list[Hit], question: str) -> list[Sentence]:
    """Every unit of the passages, in passage order, but table-of-contents lines; catalog passages only for date and
    reference questions."""
    metadata_ok = asks_for_metadata(question)
    return [
        s
        for rank, h in enumerate(hits, start=1)
        if metadata_ok or h.chunk.start >= 0
        for s in passage_sentences(h, rank)
        if not has_dot_leader(s.text)
    ]


def unit_rows(
    question: str, query_vector: list[float], hits: list[Hit], ix: Index, municipalities: list[str]
) -> tuple[list[UnitRow], dict[str, float]]:
    """The feature rows of every candidate unit, and the question's term weights (IDF by stem)."""
    lexicon, vectors = helpers_for(ix)
    q_stems = list(dict.fromkeys(lexicon.stems(question)))
    weights = {st: lexicon.idf(st) for st in q_stems}
    total_weight = sum(weights.values()) or 1.0
    kind = question_kind(question)
    total_asked = asks_for_total(question)
    named = set(municipalities_named(question, municipalities))
    units = candidate_units(hits, question)
    if not units:
        return [], weights
    dense = vectors.get([s.text for s in units]) @ np.asarray(query_vector, dtype=np.float32)
    best_dense = float(dense.max())
    rows = []
    for i, (s, d) in enumerate(zip(units, dense, strict=True)):
        chunk = s.hit.chunk
        stems = set(lexicon.stems(s.text))
        context = stems | set(lexicon.stems(unit_context(s)))  # the lexicon keeps a shared heading's stems
        lexical = sum(w for st, w in weights.items() if lexicon.matches(st, stems)) / total_weight
        neighbours = [float(dense[j]) for j in (i - 1, i + 1) if 0 <= j < len(units) and units[j].hit is s.hit] or [
            float(d)
        ]
        label = LABEL.match(s.text)
        held = holds_asked_kind(kind, s, question)
        features = {
            "dense": float(d),
            "dense_neighbours": max(neighbours),
            "dense_gap": float(d) - best_dense,
            "lexical": lexical,
            "lexical_context": sum(w for st, w in weights.items() if lexicon.matches(st, context)) / total_weight,
            "heading_match": float(_opens_matching_section(s, weights, lexicon)),
            "label_match": float(bool(label and set(lexicon.stems(label.group(1))) & set(weights))),
            "passage_score": float(s.hit.score),
            "passage_rank": 1.0 / s.passage_rank,
            "holds_kind": float(held is True),
            "lacks_kind": float(held is False),
            **{f"holds_{k}": float(k == kind and held is True) for k in KIND_DETECTORS},
            **{f"lacks_{k}": float(k == kind and held is False) for k in KIND_DETECTORS},
            "total_row": float(total_asked and is_total_row(s.text)),
            "list_item": float(s.is_list_item),
            "table_row": float(is_table_row(chunk, s.start, s.text)),
            "header_row": float(is_header_row(chunk, s.start, s.text)),
            "lead_in": float(s.text.rstrip().endswith(":")),
            "position": s.start / max(1, len(chunk.text)),
            "length": math.log1p(len(WORD.findall(s.text))),
            "named_match": float(bool(named) and chunk.kommun in named),
            "named_other": float(bool(named) and chunk.kommun not in named),
        }
        rows.append(UnitRow(s, features, float(d), lexical))
    return rows, weights
