"""Staff uploads: checked, added to the corpus, indexed incrementally; the old index serves meanwhile."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import index
from assistant.engine import reload_index
from corpus import CorpusError
from corpus.intake import UPLOAD_SUFFIXES, add_file
from settings import Settings

log = logging.getLogger(__name__)
_build_lock = threading.Lock()


def upload(path: str | None, title: str, kommun: str, datum: str, settings: Settings) -> Iterator[str]:
    """Progress messages in Swedish; the last one says how it went."""
    if not path:
        yield "Välj en fil att ladda upp först."
        return
    source = Path(path)
    name = source.name  # Gradio keeps the browser's file name as the temporary file's name
    yield f"Kontrollerar {name} …"
    metadata = {k: v.strip() for k, v in (("title", title), ("kommun", kommun), ("datum", datum)) if v and v.strip()}
    if not _build_lock.acquire(blocking=False):
        yield "En annan uppladdning indexeras just nu. Försök igen om en stund."
        return
    try:
        try:
            document = add_file(
                source,
                settings.corpus_dir,
                settings.catalog_file,
                metadata or None,
                original_name=name,
                max_bytes=settings.max_upload_mb * 1024 * 1024,
                allowed=UPLOAD_SUFFIXES,
            )
        except CorpusError as exc:
            yield f"Filen lades inte till: {exc.reason}"
            return
        except OSError as exc:
            log.warning("Upload failed: %s", exc)
            yield "Filen kunde inte sparas (kontrollera att datakatalogen är skrivbar). Inget har ändrats."
            return
        yield f"{document.title}: {len(document.sections)} avsnitt hittades. Indexerar …"
        try:
            report = index.build(settings, progress=False)
            fresh = reload_index(settings)
        except Exception as exc:
            log.error("Indexing after upload failed: %s", exc)
            yield "Dokumentet sparades men kunde inte indexeras. De tidigare dokumenten fungerar som vanligt."
            return
        passages = fresh.documents.get(document.doc_id, {}).get("chunks", 0)
        yield (
            f"Klart: {document.title} är sökbart ({passages} textavsnitt). Indexet har nu {report.documents} dokument."
        )
    finally:
        _build_lock.release()
