"""Adding files to the corpus: checked first, safely named, never overwriting another file."""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import date
from pathlib import Path

from corpus.budget import ReadBudget, read_within_budget
from corpus.catalog import CatalogError, read_catalog, updated_text, write_atomically
from corpus.loader import corpus_files, owner_of, read_document
from corpus.models import Document, file_hash
from corpus.readers import SUPPORTED_SUFFIXES, CorpusError

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

UPLOAD_SUFFIXES = (".pdf", ".docx", ".txt", ".md", ".csv")  # a CSV joins the document it is named after
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
MAX_NAME = 100


def safe_filename(name: str) -> str:
    """A file name with no directories, no traversal, no reserved or hidden names, and a sane length."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base).replace("\x00", "")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem)
    stem = re.sub(r"-{2,}", "-", stem).strip(".-_").lower() or "dokument"
    if stem in WINDOWS_RESERVED:
        stem = f"{stem}-dokument"
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix).lower()[:8]
    stem = stem[: MAX_NAME - len(suffix) - 1]
    return f"{stem}.{suffix}" if suffix else stem


def _free_name(directory: Path, name: str) -> Path:
    target = directory / name
    stem, suffix = target.stem, target.suffix
    n = 2
    while target.exists():
        target = directory / f"{stem}-{n}{suffix}"
        n += 1
    return target


def date_problem(value: str) -> str | None:
    """Why a decision date as typed is not a date ÅÅÅÅ-MM-DD (None when it is one, or empty)."""
    value = value.strip()
    if not value:
        return None
    try:
        if ISO_DATE.fullmatch(value):
            date.fromisoformat(value)
            return None
    except ValueError:
        return f"datumet {value} finns inte i almanackan. Skriv det som ÅÅÅÅ-MM-DD, till exempel 2025-09-23."
    return f"datumet ska skrivas ÅÅÅÅ-MM-DD, till exempel 2025-09-23 (inte ”{value}”)."


def add_file(
    source: Path | None,
    corpus_dir: Path,
    catalog_file: Path,
    metadata: dict[str, str] | None = None,
    original_name: str | None = None,
    max_bytes: int | None = None,
    raw: bytes | None = None,
    allowed: tuple[str, ...] = SUPPORTED_SUFFIXES,
    budget: ReadBudget | None = None,
) -> Document:
    """Check a file and copy it into the corpus folder; returns the Document as read.

    The file is read completely before anything is written; a file that cannot be read
    raises CorpusError and leaves the corpus unchanged.
    """
    name = safe_filename(original_name or (source.name if source else "dokument"))
    problem = date_problem((metadata or {}).get("datum", ""))
    if problem:
        raise CorpusError(name, problem)
    if Path(name).suffix.lower() not in allowed:
        shown = ", ".join(s.lstrip(".").upper() for s in allowed)
        raise CorpusError(name, f"filtypen stöds inte. Tillåtna typer: {shown}.")
    if raw is None:
        assert source is not None
        size = source.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise CorpusError(name, f"filen är för stor ({size / 1e6:.1f} MB, högst {max_bytes / 1e6:.0f} MB).")
        raw = source.read_bytes()
    elif max_bytes is not None and len(raw) > max_bytes:
        raise CorpusError(name, f"filen är för stor ({len(raw) / 1e6:.1f} MB, högst {max_bytes / 1e6:.0f} MB).")
    corpus_dir.mkdir(parents=True, exist_ok=True)
    try:
        existing = _same_content(corpus_dir, catalog_file, file_hash(raw))
    except CatalogError as exc:
        raise CorpusError(name, exc.reason) from exc
    if existing is not None:
        raise CorpusError(name, f"dokumentet finns redan i samlingen som {existing}.")
    target = _free_name(corpus_dir, name)
    # Read completely (within the budget, when one is given) before anything is written.
    document = read_within_budget(target, metadata, raw, budget) if budget else read_document(target, metadata, raw=raw)
    try:
        _commit(target, raw, catalog_file, metadata)
    except CatalogError as exc:
        raise CorpusError(name, exc.reason) from exc
    owner = owner_of(target)
    if owner is not None:
        # A table named after a document in the corpus is that document's: what was added is the document with it.
        return read_document(owner, read_catalog(catalog_file).get(owner.name))
    return document


def _same_content(corpus_dir: Path, catalog_file: Path, digest: str) -> str | None:
    """The name (and title, when catalogued) of a corpus file with exactly these bytes, if any."""
    for path in corpus_files(corpus_dir):
        try:
            if file_hash(path.read_bytes()) != digest:
                continue
        except OSError:
            continue
        title = read_catalog(catalog_file).get(path.name, {}).get("title")
        return f"{path.name} ({title})" if title and title != "okänd" else path.name
    return None


def _commit(target: Path, raw: bytes, catalog_file: Path, metadata: dict[str, str] | None) -> None:
    """Write the file and its catalog entry together or not at all.

    The new catalog text is made (and checked) before anything is written; the file is staged under a
    hidden name, the catalog replaced, and only then the file renamed into place. A failure at any step
    undoes the steps before it.
    """
    new_catalog = updated_text(catalog_file, target.name, metadata) if metadata else None
    old_catalog = catalog_file.read_text(encoding="utf-8") if new_catalog and catalog_file.exists() else None
    tmp = target.with_name(f".{target.name}.part")
    try:
        tmp.write_bytes(raw)
        if new_catalog is not None:
            write_atomically(catalog_file, new_catalog)
        try:
            os.replace(tmp, target)
        except OSError:
            if new_catalog is not None:
                if old_catalog is None:
                    catalog_file.unlink(missing_ok=True)
                else:
                    write_atomically(catalog_file, old_catalog)
            raise
    finally:
        tmp.unlink(missing_ok=True)
