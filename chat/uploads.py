"""Staff uploads: checked, added to the corpus, indexed incrementally; the old index serves meanwhile."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import index
from assistant.engine import reload_index
from corpus import UNKNOWN, CorpusError
from corpus.budget import ReadBudget, read_within_budget
from corpus.intake import UPLOAD_SUFFIXES, add_file
from settings import Settings

log = logging.getLogger(__name__)
_build_lock = threading.Lock()


def prefill(path: str | None, settings: Settings) -> tuple[str, str, str, str]:
    """Title, municipality and date the chosen file states about itself, for staff to confirm or correct,
    and a Swedish note saying where each came from."""
    if not path:
        return "", "", "", ""
    source = Path(path)
    try:
        if source.stat().st_size > settings.max_upload_mb * 1024 * 1024:
            return "", "", "", f"Filen är för stor (högst {settings.max_upload_mb} MB)."
        budget = ReadBudget(settings.read_timeout_s, settings.read_memory_mb)
        doc = read_within_budget(source, None, source.read_bytes(), budget)
    except (CorpusError, OSError) as exc:
        reason = exc.reason if isinstance(exc, CorpusError) else "filen kan inte läsas."
        return "", "", "", f"Filen kan inte läsas: {reason}"
    values = {"title": doc.title, "kommun": doc.municipality, "datum": doc.date}
    shown = {k: ("" if v == UNKNOWN else v) for k, v in values.items()}
    found = [
        f"{label} ({doc.provenance.get(key, '')})"
        for key, label in (("kommun", "kommun"), ("namnd", "nämnd"), ("typ", "dokumenttyp"), ("datum", "datum"))
        if doc.provenance.get(key) not in (None, "hittades inte")
    ]
    note = (
        "Förifyllt ur dokumentet: " + ", ".join(found) + ". Kontrollera och rätta innan du lägger till."
        if found
        else "Dokumentet anger ingen kommun eller datum som kunde läsas ut; fyll i det du vet."
    )
    return shown["title"], shown["kommun"], shown["datum"], note


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
                budget=ReadBudget(settings.read_timeout_s, settings.read_memory_mb),
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
