"""corpus.load(): every file in the corpus folder read into Documents."""

from __future__ import annotations

import logging
from pathlib import Path

from corpus.catalog import read_catalog
from corpus.metadata import infer, merged
from corpus.models import UNKNOWN, Document, content_hash, file_hash
from corpus.readers import SUPPORTED_SUFFIXES, CorpusError, read_file
from corpus.sections import build_sections

log = logging.getLogger(__name__)


class Corpus(list[Document]):
    """The documents that could be read, plus an error for each file that could not."""

    def __init__(self, documents: list[Document], errors: list[CorpusError]) -> None:
        super().__init__(documents)
        self.errors = errors


def read_document(path: Path, entry: dict[str, str] | None = None, raw: bytes | None = None) -> Document:
    """Read one file into a Document; raises CorpusError with a Swedish reason."""
    path = Path(path)
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CorpusError(path, f"filen kan inte läsas ({exc.strerror or exc}).") from exc
    reading = read_file(path, raw)
    text, sections = build_sections(reading.blocks)
    values, sources = merged(entry, infer(reading.text, path, reading.front_matter))
    title = values["title"]
    if title == UNKNOWN:
        first_heading = next((b.text for b in reading.blocks if b.kind == "heading"), "")
        title = first_heading or path.stem.replace("-", " ").replace("_", " ")
        sources["title"] = "första rubriken" if first_heading else "filnamnet"
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
        content_hash=content_hash(raw, entry),
        file_hash=file_hash(raw),
        provenance=sources,
    )


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


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files of the corpus folder, in a stable order (hidden files skipped)."""
    if not corpus_dir.is_dir():
        return []
    return sorted(p for p in corpus_dir.iterdir() if p.is_file() and not p.name.startswith("."))


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
    errors: list[CorpusError] = []
    for path in corpus_files(corpus_dir):
        try:
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise CorpusError(path, f"filtypen '{path.suffix or '(ingen)'}' stöds inte.")
            documents.append(read_document(path, catalog.get(path.name)))
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
