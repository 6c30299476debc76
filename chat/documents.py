"""The Dokument tab: indexed documents with metadata, and a document's outline."""

from __future__ import annotations

from datetime import datetime

from corpus.sections import outline_rows
from index import Index

COLUMNS = ["Dokument-id", "Titel", "Kommun", "Nämnd", "Typ", "Datum", "Diarienummer", "Avsnitt", "Textavsnitt"]
# Shares of the table's width: every column fits at 1400 px, the long id and title get the most room.
COLUMN_WIDTHS = ["14%", "21%", "9%", "13%", "10%", "8%", "9%", "8%", "8%"]


def documents_table(ix: Index) -> list[list[str | int]]:
    rows = []
    for doc_id, d in sorted(ix.documents.items(), key=lambda kv: (kv[1]["kommun"], kv[1]["title"])):
        rows.append(
            [
                doc_id,
                d["title"],
                d["kommun"],
                d.get("committee", ""),
                d.get("doc_type", ""),
                d.get("date", ""),
                d.get("reference", ""),
                d.get("sections", 0),
                d.get("chunks", 0),
            ]
        )
    return rows


def build_info(ix: Index) -> str:
    m = ix.manifest
    built = datetime.fromisoformat(m["built_at"]).astimezone().strftime("%Y-%m-%d %H:%M")
    return f"Indexet byggdes {built}: {len(m['documents'])} dokument, {m['chunk_count']} textavsnitt."


def outline_text(ix: Index, doc_id: str | None) -> str:
    """The section tree of a document as plain text (heading path, page)."""
    if not doc_id or doc_id not in ix.documents:
        return "Välj ett dokument för att se hur det är uppdelat i avsnitt."
    d = ix.documents[doc_id]
    lines = [f"{d['title']} ({d['kommun']})", ""]
    outline = d.get("outline", [])
    pages = iter(page for _, page in outline)
    for depth, heading, is_section in outline_rows([path for path, _ in outline]):
        page = next(pages) if is_section else None
        suffix = f"  (s. {page})" if page and heading else ""
        lines.append("  " * depth + f"• {heading or '(text före första rubriken)'}{suffix}")
    return "\n".join(lines)


def document_choices(ix: Index) -> list[tuple[str, str]]:
    return [(f"{d['title']} ({d['kommun']})", doc_id) for doc_id, d in sorted(ix.documents.items())]


def municipality_choices(ix: Index) -> list[str]:
    return sorted({d["kommun"] for d in ix.documents.values()})
