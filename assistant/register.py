"""The decision register: every § decision of the indexed protocols (and decisions other documents cite),
filtered by municipality, committee, date range and free text."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from corpus.decisions import Decision
from corpus.normalise import normalise

CSV_FIELDS = ("kommun", "namnd", "datum", "paragraf", "dnr", "rubrik", "beslut", "doc_id", "section", "page", "kalla")


@dataclass(frozen=True)
class RegisterQuery:
    """What to list; empty fields do not filter. Dates are ÅÅÅÅ-MM-DD and inclusive."""

    kommun: tuple[str, ...] = ()
    namnd: str = ""
    fran: str = ""
    till: str = ""
    sok: str = ""


def matches(decision: Decision, query: RegisterQuery) -> bool:
    """Whether one decision passes every filter of the query."""
    if query.kommun and normalise(decision.kommun) not in {normalise(k) for k in query.kommun}:
        return False
    if query.namnd and normalise(query.namnd) not in normalise(decision.namnd):
        return False
    if query.fran and decision.datum < query.fran:
        return False
    if query.till and decision.datum > query.till:
        return False
    if query.sok:
        haystack = normalise(" ".join((decision.rubrik, decision.beslut, decision.dnr or "")))
        if not all(word in haystack for word in normalise(query.sok).split()):
            return False
    return True


def select(decisions: list[Decision], query: RegisterQuery) -> list[Decision]:
    """The matching decisions, newest meeting first, then by §."""
    found = [d for d in decisions if matches(d, query)]
    return sorted(found, key=lambda d: (d.datum, -d.paragraf), reverse=True)


def to_csv(decisions: list[Decision]) -> str:
    """The decisions as CSV (comma-separated, a header row, UTF-8), for spreadsheets."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for d in decisions:
        writer.writerow(d.to_json())
    return out.getvalue()
