"""Adding files to the corpus: checked first, safely named, never overwriting another file."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from corpus.catalog import append_entry
from corpus.loader import read_document
from corpus.models import Document
from corpus.readers import SUPPORTED_SUFFIXES, CorpusError

UPLOAD_SUFFIXES = (".pdf", ".docx", ".txt", ".md")
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


def add_file(
    source: Path | None,
    corpus_dir: Path,
    catalog_file: Path,
    metadata: dict[str, str] | None = None,
    original_name: str | None = None,
    max_bytes: int | None = None,
    raw: bytes | None = None,
    allowed: tuple[str, ...] = SUPPORTED_SUFFIXES,
) -> Document:
    """Check a file and copy it into the corpus folder; returns the Document as read.

    The file is read completely before anything is written; a file that cannot be read
    raises CorpusError and leaves the corpus unchanged.
    """
    name = safe_filename(original_name or (source.name if source else "dokument"))
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
    target = _free_name(corpus_dir, name)
    document = read_document(target, metadata, raw=raw)  # raises before anything is written
    tmp = corpus_dir / f".{target.name}.part"
    try:
        tmp.write_bytes(raw)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    if metadata:
        append_entry(catalog_file, target.name, metadata)
    return document
