"""corpus.load(): every file in the corpus folder read into Documents."""

from __future__ import annotations

import logging
from pathlib import Path

from corpus.attendance import meeting
from corpus.catalog import read_catalog
from corpus.metadata import infer, merged
from corpus.models import UNKNOWN, Document, content_hash, file_hash
from corpus.readers import SUPPORTED_SUFFIXES, CorpusError, read_file
from corpus.sections import build_sections
from corpus.tables import TABLE_SUFFIX, owners

log = logging.getLogger(__name__)
PROTOCOL_TYPE = "Protokoll"  # the document type whose first page names who took part


class Corpus(list[Document]):
    """The documents that could be read, plus an error for each file that could not."""

    def __init__(self, documents: list[Document], errors: list[CorpusError]) -> None:
        super().__init__(documents)
        self.errors = errors


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CorpusError(path, f"filen kan inte läsas ({exc.strerror or exc}).") from exc


def read_document(
    path: Path, entry: dict[str, str] | None = None, raw: bytes | None = None, tables: list[Path] | None = None
) -> Document:
    """Read one file into a Document; raises CorpusError with a Swedish reason.

    ``tables``: the CSV files that belong to it (see ``corpus.tables``); by default those beside it in its folder.
    A table that cannot be read raises a CorpusError naming the table.
    """
    path = Path(path)
    if raw is None:
        raw = _read_bytes(path)
    table_files = tables_beside(path) if tables is None else tables
    table_bytes = [(t, _read_bytes(t)) for t in table_files]
    reading = read_file(path, raw, table_bytes)
    text, sections = build_sections(reading.blocks)
    values, sources = merged(entry, infer(reading.text, path, reading.front_matter))
    title = values["title"]
    if title == UNKNOWN:
        first_heading = next((b.text for b in reading.blocks if b.kind == "heading"), "")
        title = first_heading or path.stem.replace("-", " ").replace("_", " ")
        sources["title"] = "första rubriken" if first_heading else "filnamnet"
    attendance = meeting(reading.text) if values["typ"] == PROTOCOL_TYPE else None
    if attendance is not None:
        if attendance.justerare:
            sources["justerare"] = "första sidan"
        if attendance.ledamoter or attendance.ersattare:
            sources["närvarande"] = "första sidan"
    return Document(
        doc_id=document_id(path),
        path=str(path),
        title=title,
        municipality=values["kommun"],
        committee=values["namnd"],
        doc_type=values["typ"],
        date=values["datum"],
        reference=values["diarienummer"],
        text=text,
        sections=sections,
        # A table's bytes count as the document's: an edited CSV is a changed document.
        content_hash=content_hash(raw + b"".join(b"\0" + t.name.encode() + b"\0" + b for t, b in table_bytes), entry),
        file_hash=file_hash(raw),
        provenance=sources,
        meeting=attendance,
    )


def _read_with_tables(
    path: Path, entry: dict[str, str] | None, tables: list[Path], errors: list[CorpusError]
) -> Document:
    """A document with its tables; a table that cannot be read is reported and the document read without it."""
    remaining = list(tables)
    while True:
        try:
            return read_document(path, entry, tables=remaining)
        except CorpusError as exc:
            if exc.path not in remaining:
                raise
            log.warning("Skipping %s", exc)
            errors.append(exc)
            remaining.remove(exc.path)


def document_id(path: Path) -> str:
    """A document's id: its file name, extension included, so "protokoll.txt" and "protokoll.md" never collide."""
    return Path(path).name


def _later_copies(documents: list[Document]) -> dict[str, Document]:
    """Ids of documents whose bytes repeat an older file's, each mapped to the one that came first (time, name)."""

    def age(doc: Document) -> tuple[float, str]:
        try:
            return Path(doc.path).stat().st_mtime, doc.doc_id
        except OSError:
            return float("inf"), doc.doc_id

    first: dict[str, Document] = {}
    copies: dict[str, Document] = {}
    for doc in sorted(documents, key=age):
        if doc.file_hash in first:
            copies[doc.doc_id] = first[doc.file_hash]
        else:
            first[doc.file_hash] = doc
    return copies


def _folder_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The document files of the corpus folder, in a stable order: hidden files skipped, and CSV tables that
    belong to a document left to it; a CSV table that belongs to none is a document of its own."""
    files = _folder_files(corpus_dir)
    documents = [p for p in files if p.suffix.lower() != TABLE_SUFFIX]
    tables = [p for p in files if p.suffix.lower() == TABLE_SUFFIX]
    owned = owners(tables, documents)
    return sorted(documents + [t for t in tables if t not in owned])


def tables_by_document(corpus_dir: Path, documents: list[Path]) -> dict[Path, list[Path]]:
    """Each document's CSV tables in the corpus folder."""
    owned: dict[Path, list[Path]] = {}
    tables = [p for p in _folder_files(corpus_dir) if p.suffix.lower() == TABLE_SUFFIX]
    for table, document in sorted(owners(tables, documents).items()):
        owned.setdefault(document, []).append(table)
    return owned


def owner_of(table: Path) -> Path | None:
    """The document in ``table``'s folder that a CSV table belongs to, if any."""
    if table.suffix.lower() != TABLE_SUFFIX or not table.parent.is_dir():
        return None
    documents = [p for p in _folder_files(table.parent) if p.suffix.lower() != TABLE_SUFFIX]
    return owners([table], documents).get(table)


def tables_beside(path: Path) -> list[Path]:
    """The CSV tables in ``path``'s folder that belong to it (none for a file not yet in a folder, or a table)."""
    if not path.parent.is_dir() or path.suffix.lower() == TABLE_SUFFIX:
        return []
    documents = [p for p in _folder_files(path.parent) if p.suffix.lower() != TABLE_SUFFIX]
    return tables_by_document(path.parent, sorted({*documents, path})).get(path, [])


def load(corpus_dir: Path | None = None, catalog_file: Path | None = None) -> Corpus:
    """Read every document in the corpus folder.

    A file that cannot be read, or whose bytes repeat an earlier file's, is reported in
    ``Corpus.errors`` (and logged); all other documents are still returned. A damaged
    catalog raises ``CatalogError``.
    """
    if corpus_dir is None or catalog_file is None:
        from settings import get_settings

        settings = get_settings()
        corpus_dir = corpus_dir or settings.corpus_dir
        catalog_file = catalog_file or settings.catalog_file
    catalog = read_catalog(catalog_file)
    documents: list[Document] = []
    files = corpus_files(corpus_dir)
    errors: list[CorpusError] = []
    tables = tables_by_document(corpus_dir, [p for p in files if p.suffix.lower() != TABLE_SUFFIX])
    for path in files:
        try:
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise CorpusError(path, f"filtypen '{path.suffix or '(ingen)'}' stöds inte.")
            documents.append(_read_with_tables(path, catalog.get(path.name), tables.get(path, []), errors))
        except CorpusError as exc:
            log.warning("Skipping %s", exc)
            errors.append(exc)
    duplicates = _later_copies(documents)
    for doc in documents:
        if doc.doc_id in duplicates:
            original = duplicates[doc.doc_id]
            reason = f"samma innehåll som {original.doc_id} ({original.title}); hoppades över."
            exc = CorpusError(Path(doc.path), reason)
            log.warning("Skipping %s", exc)
            errors.append(exc)
    documents = [d for d in documents if d.doc_id not in duplicates]
    return Corpus(documents, errors)
