"""The Beslut tab: the decision register as a filterable, sortable table, a row's source, and CSV export."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from assistant.register import RegisterQuery, select, to_csv
from corpus.decisions import Decision
from index import Index

COLUMNS = ["Datum", "§", "Dnr", "Nämnd", "Kommun", "Rubrik", "Beslut", "Dokument"]
DATE_HELP = "Skriv datum som ÅÅÅÅ-MM-DD, till exempel 2025-03-19."


def valid_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def query_from(kommun: list[str] | None, namnd: str, fran: str, till: str, sok: str) -> RegisterQuery | str:
    """The register query for the tab's filters, or a Swedish message when a date is not ÅÅÅÅ-MM-DD."""
    for label, value in (("Från", fran), ("Till", till)):
        if value.strip() and not valid_date(value.strip()):
            return f"{label}-datumet ”{value.strip()}” går inte att läsa. {DATE_HELP}"
    return RegisterQuery(tuple(kommun or ()), namnd.strip(), fran.strip(), till.strip(), sok.strip())


def rows(decisions: list[Decision]) -> list[list[str | int]]:
    return [
        [d.datum, d.paragraf, d.dnr or "", d.namnd, d.kommun, d.rubrik, d.beslut[:400], d.doc_id] for d in decisions
    ]


def filtered(ix: Index, kommun: list[str] | None, namnd: str, fran: str, till: str, sok: str) -> tuple[list, str]:
    """The table's rows and a status line for the filters."""
    query = query_from(kommun, namnd, fran, till, sok)
    if isinstance(query, str):
        return [], query
    found = select(ix.decisions, query)
    return rows(found), f"{len(found)} beslut." if found else "Inga beslut matchar filtren."


def source_text(ix: Index, row: list | None) -> str:
    """A chosen row's decision in full with where it stands (document, section, page), as Markdown."""
    if not row:
        return ""
    datum, paragraf, doc_id = str(row[0]), int(row[1]), str(row[7])
    match = next((d for d in ix.decisions if d.doc_id == doc_id and d.datum == datum and d.paragraf == paragraf), None)
    if match is None:
        return ""
    title = ix.documents.get(doc_id, {}).get("title", doc_id)
    page = f", sida {match.page}" if match.page else ""
    kind = "" if match.kalla == "protokoll" else " (beslutet omnämns i dokumentet)"
    return f"**{title}**{kind}  \n{match.section}{page}\n\n" + "\n".join(
        f"> {line}" for line in match.beslut.splitlines() or [""]
    )


def csv_file(ix: Index, kommun: list[str] | None, namnd: str, fran: str, till: str, sok: str) -> str | None:
    """The filtered register as a CSV file for download (None when the filters are not valid)."""
    query = query_from(kommun, namnd, fran, till, sok)
    if isinstance(query, str):
        return None
    folder = Path(tempfile.mkdtemp(prefix="beslut-"))
    path = folder / f"beslut-{date.today().isoformat()}.csv"
    path.write_text(to_csv(select(ix.decisions, query)), encoding="utf-8")
    return str(path)
