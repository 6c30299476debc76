"""Importing a municipality's whole archive: a folder tree of documents -> the corpus and the index, resumably.

An archive is a tree such as ``kungsbacka/fg/2025/2025-03-19/protokoll.md``. Each file is read, its metadata
taken from the command's flags, then its path, then its own text (in that order of precedence), chunked and
embedded in full batches filled across documents; the vectors go into the shared embedding cache batch by
batch, and a file is journalled once the batch holding its last text is stored. A stopped import, run again,
skips every file its journal lists and finds the texts of every finished batch in the cache: it loses at most
the batch being filled (the documents with texts in it are read again). When every file is
done, the catalog is written once, the files are copied into the corpus folder and the index is built from the
cache and swapped in atomically, so the serving index changes once, at the end.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from tqdm import tqdm

from corpus import SUPPORTED_SUFFIXES, UNKNOWN, Document
from corpus.catalog import FIELDS, CatalogError, catalog_text, read_catalog, write_atomically
from corpus.intake import safe_filename
from corpus.loader import corpus_files, owner_of, read_document, tables_beside
from corpus.metadata import ISO_DATE_RE, committee, document_type
from corpus.models import file_hash
from index.builder import (
    UNIT_CACHE_SUFFIX,
    BuildError,
    BuildReport,
    build_lock,
    build_under_lock,
    document_chunks,
    embedding_cache,
    service_errors,
)
from index.chunking import Chunk
from index.embedcache import text_key
from index.embedders import make_embedder
from index.units import unit_texts
from settings import Settings

log = logging.getLogger(__name__)

SkipReason = Literal["duplicate", "unreadable", "empty", "table", "unsupported"]

# How the summary names each reason a file was skipped (Swedish: staff read it).
SKIP_LABELS: dict[SkipReason, str] = {
    "duplicate": "dubbletter (samma innehåll som en annan fil)",
    "unreadable": "kunde inte läsas",
    "empty": "tomma filer",
    "table": "CSV-tabeller (lästa som en del av dokumentet de hör till)",
    "unsupported": "filtyper som inte stöds",
}
YEAR_PART = re.compile(r"(19|20)\d\d")
# Folder names that are neither a date nor a year fill these fields, in order, unless a flag gives the field
# (a folder named like a flag's value is that field's folder) or a folder is named as a committee.
PATH_FIELDS = ("kommun", "namnd")


@dataclass(frozen=True)
class Skipped:
    """A file the import left out, and why (``detail`` in Swedish)."""

    source: str  # the path inside the archive folder
    reason: SkipReason
    detail: str


@dataclass
class ImportReport:
    """What an import did: documents added to the corpus, files skipped, and the build that followed."""

    imported: list[str] = field(default_factory=list)  # corpus file names
    skipped: list[Skipped] = field(default_factory=list)
    resumed: int = 0  # files an earlier, interrupted run had already done
    embedded: int = 0  # texts (chunks and answer units) that went through the embedder in this run
    embed_seconds: float = 0.0  # of which time spent in the embedder (and the cache)
    seconds: float = 0.0
    build: BuildReport | None = None

    def skipped_by_reason(self) -> dict[SkipReason, list[Skipped]]:
        groups: dict[SkipReason, list[Skipped]] = {}
        for s in self.skipped:
            groups.setdefault(s.reason, []).append(s)
        return groups


@dataclass(frozen=True)
class JournalEntry:
    """One finished file of an import, as the journal records it."""

    source: str
    size: int
    mtime_ns: int
    outcome: Literal["imported", "skipped"]
    name: str = ""  # the corpus file name (imported)
    digest: str = ""  # the file's content hash (imported)
    entry: dict[str, str] = field(default_factory=dict)  # its catalog entry (imported)
    reason: SkipReason | None = None
    detail: str = ""
    tables: list[str] = field(default_factory=list)  # the CSV tables read with it, paths inside the archive


class Journal:
    """The files an import has finished, one JSON line each, appended and synced as each file is done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, JournalEntry] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    e = JournalEntry(**json.loads(line))
                except (json.JSONDecodeError, TypeError):
                    continue  # a line cut short by the stop: its file is simply done again
                self.done[e.source] = e

    def append(self, e: JournalEntry) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(e), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.done[e.source] = e

    def finished(self, source: str, stat: os.stat_result) -> JournalEntry | None:
        """The journal's record of ``source`` when the file has not changed since."""
        e = self.done.get(source)
        return e if e and e.size == stat.st_size and e.mtime_ns == stat.st_mtime_ns else None

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def journal_path(settings: Settings, folder: Path) -> Path:
    """Where the import of ``folder`` keeps its journal (one per archive folder and data folder)."""
    key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return settings.data_dir / "imports" / f"{key}.jsonl"


def archive_files(folder: Path) -> list[Path]:
    """Every file of the archive tree, in a stable order; hidden files and folders left out."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def is_date_part(part: str) -> bool:
    """A folder or file name that is a meeting date (2025-03-19)."""
    return ISO_DATE_RE.fullmatch(part) is not None


def is_year_part(part: str) -> bool:
    """A folder that only groups a year's meetings (2025)."""
    return YEAR_PART.fullmatch(part) is not None


def path_metadata(source: Path, kommun: str | None = None, namnd: str | None = None) -> dict[str, str]:
    """Metadata the archive's path states: date and document type from the names, then municipality and
    committee from the remaining folders, in that order, for the fields the flags do not give (flags win)."""
    folders = list(source.parts[:-1])
    found: dict[str, str] = {}
    for part in folders:
        if is_date_part(part):
            found["datum"] = part
    if in_name := ISO_DATE_RE.search(source.stem):
        found["datum"] = in_name[0]
    if kind := document_type(" ".join(re.split(r"[-_ ]", source.stem))):
        found["typ"] = kind
    given = {"kommun": kommun, "namnd": namnd}
    flagged = {_folded(v) for v in given.values() if v}
    named = [p for p in folders if not is_date_part(p) and not is_year_part(p) and _folded(p) not in flagged]
    if not namnd and (committee_folder := next((p for p in named if committee(p)), None)):
        found["namnd"] = _display_name(committee_folder, "namnd")
        named = named[: named.index(committee_folder)]
    for key in PATH_FIELDS:
        if key in found:
            continue
        if given[key]:
            found[key] = given[key]
        elif named:
            found[key] = _display_name(named.pop(0), key)
    return found


def _folded(name: str) -> str:
    """A name as compared with a flag: case, accents and separators ignored ("Alingsås" = "alingsas")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "", ascii_name.lower())


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _display_name(part: str, key: str) -> str:
    text = " ".join(part.replace("_", " ").split())
    if key == "kommun":
        return "-".join(w[:1].upper() + w[1:] for w in text.split("-"))
    return text[:1].upper() + text[1:]


def corpus_name(source: Path) -> str:
    """The corpus file name for an archive path: its parts joined, a year folder dropped beside a date."""
    parts = list(source.parts)
    if any(is_date_part(p) for p in parts[:-1]):
        parts = [p for p in parts[:-1] if not is_year_part(p)] + parts[-1:]
    return safe_filename("-".join(parts))


def archive_title(doc: Document) -> str:
    """A readable title from the document's type, committee and date, as corpus.metadata builds one."""
    parts = [v for v in (doc.doc_type, doc.committee, doc.date) if v and v != UNKNOWN]
    return ", ".join(parts) if doc.doc_type != UNKNOWN and len(parts) >= 2 else doc.title


def catalog_entry(doc: Document) -> dict[str, str]:
    """The document's metadata as a complete catalog entry, so the build reads it exactly as imported."""
    values = {
        "title": doc.title,
        "kommun": doc.municipality,
        "namnd": doc.committee,
        "typ": doc.doc_type,
        "datum": doc.date,
        "diarienummer": doc.reference,
    }
    return {k: values[k] for k in FIELDS}


def embed_batch(embedder: BaseEmbedding, texts: list[str]) -> list[list[float]]:
    """One batch of texts through the embedder (the step a stop interrupts)."""
    return embedder.get_text_embedding_batch(texts)


@dataclass
class _Waiting:
    entry: JournalEntry
    end: int  # the document's texts are all stored once this many queued texts have been embedded


class EmbeddingQueue:
    """The texts of consecutive documents embedded together in full batches.

    Archive documents are often short (a kallelse, a protocol of a few §), and the embedder is several times
    slower per text in small batches, so batches are filled across documents. A document is done, and
    journalled, once the batch holding its last text is stored in the cache: a stop loses at most the texts of
    the batch being filled."""

    def __init__(self, settings: Settings, on_done: Callable[[JournalEntry], None]) -> None:
        self.settings = settings
        self.on_done = on_done
        self.caches = {"chunk": embedding_cache(settings), "unit": embedding_cache(settings, UNIT_CACHE_SUFFIX)}
        self.texts: list[tuple[str, str]] = []  # (cache, text) waiting for a vector, in order
        self.queued: set[tuple[str, str]] = set()
        self.waiting: list[_Waiting] = []
        self.embedder: BaseEmbedding | None = None  # loaded when the first batch needs it
        self.embedded = 0
        self.seconds = 0.0

    def add(self, entry: JournalEntry, chunks: list[Chunk]) -> None:
        """Queue a document's chunk and answer-unit texts that are not in the cache yet."""
        for cache, texts in (("chunk", [c.indexed_text for c in chunks]), ("unit", unit_texts(chunks))):
            known = self.caches[cache].get_many(texts)
            for text in texts:
                if text_key(text) not in known and (cache, text) not in self.queued:
                    self.queued.add((cache, text))
                    self.texts.append((cache, text))
        self.waiting.append(_Waiting(entry, len(self.texts)))
        self._embed(self.settings.embed_batch_size)

    def flush(self) -> None:
        """Embed what is left (the last, partial batch)."""
        self._embed(1)

    def _embed(self, at_least: int) -> None:
        size = self.settings.embed_batch_size
        self._finish(0)
        while self.texts and len(self.texts) >= at_least:
            batch = self.texts[:size]
            started = time.perf_counter()
            if self.embedder is None:
                self.embedder = make_embedder(self.settings)
            vectors = embed_batch(self.embedder, [text for _, text in batch])
            for cache in self.caches:
                found = {
                    text_key(t): np.asarray(v, dtype=np.float32)
                    for (c, t), v in zip(batch, vectors, strict=True)
                    if c == cache
                }
                if found:
                    self.caches[cache].put_many(found)
            self.seconds += time.perf_counter() - started
            self.embedded += len(batch)
            self.texts = self.texts[len(batch) :]
            self.queued.difference_update(batch)
            self._finish(len(batch))

    def _finish(self, embedded: int) -> None:
        still: list[_Waiting] = []
        for w in self.waiting:
            w.end -= embedded
            if w.end <= 0:
                self.on_done(w.entry)
            else:
                still.append(w)
        self.waiting = still


class ArchiveImport:
    """One import of an archive folder into the corpus and index that ``settings`` point to."""

    def __init__(self, settings: Settings, folder: Path, kommun: str | None = None, namnd: str | None = None) -> None:
        self.settings = settings
        self.folder = folder
        self.kommun = kommun
        self.namnd = namnd
        self.journal = Journal(journal_path(settings, folder))
        self.report = ImportReport()
        self.claimed: set[str] = {p.name for p in corpus_files(settings.corpus_dir)}
        # Content already in the corpus, so importing the same archive twice adds nothing.
        self.seen: dict[str, str] = {}
        for p in corpus_files(settings.corpus_dir):
            try:
                self.seen.setdefault(file_hash(p.read_bytes()), f"{p.name} i samlingen")
            except OSError:
                continue
        self.queue = EmbeddingQueue(settings, self._done)

    def run(self, progress: bool = True) -> ImportReport:
        """Import every file (resuming an interrupted run), then add them to the corpus and build the index."""
        started = time.perf_counter()
        if not self.folder.is_dir():
            raise BuildError(f"Mappen {self.folder} finns inte.")
        files = archive_files(self.folder)
        sizes = [_size(p) for p in files]
        bar = tqdm(
            total=sum(sizes), desc="Importerar arkivet", unit="B", unit_scale=True, disable=not progress or not files
        )
        with service_errors():  # a failing endpoint stops the import; run again, it resumes
            for path, size in zip(files, sizes, strict=True):
                bar.set_postfix_str(path.name[-40:], refresh=False)
                self._one(path)
                bar.update(size)
            self.queue.flush()
        bar.close()
        self.report.embedded, self.report.embed_seconds = self.queue.embedded, self.queue.seconds
        if self.report.imported:
            with build_lock(self.settings):
                self._commit()
                self.report.build = build_under_lock(self.settings, rebuild=False, progress=progress)
        self.journal.remove()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _record(self, e: JournalEntry) -> None:
        if e.outcome == "imported":
            self.report.imported.append(e.name)
            self._claim(e)
        else:
            assert e.reason is not None
            self.report.skipped.append(Skipped(e.source, e.reason, e.detail))

    def _claim(self, e: JournalEntry) -> None:
        self.claimed.add(e.name)
        self.seen[e.digest] = e.source

    def _done(self, e: JournalEntry) -> None:
        self.journal.append(e)
        self._record(e)

    def _one(self, path: Path) -> None:
        source = path.relative_to(self.folder)
        try:
            stat = path.stat()
        except OSError as exc:  # vanished or unreadable since the folder was listed: not journalled
            self._record(JournalEntry(str(source), 0, 0, "skipped", reason="unreadable", detail=str(exc)))
            return
        done = self.journal.finished(str(source), stat)
        if done is not None:
            self.report.resumed += 1
            self._record(done)
            return
        outcome = self._import(path, source, stat)
        if isinstance(outcome, JournalEntry):
            self._done(outcome)
            return
        entry, chunks = outcome
        self._claim(entry)  # its name and content are taken while its vectors are on the way
        self.queue.add(entry, chunks)

    def _import(
        self, path: Path, source: Path, stat: os.stat_result
    ) -> JournalEntry | tuple[JournalEntry, list[Chunk]]:
        """A skipped file's journal entry, or an imported document's entry and chunks (still to be embedded)."""

        def skipped(reason: SkipReason, detail: str) -> JournalEntry:
            log.info("Skipping %s: %s", source, detail)  # the summary lists it
            return JournalEntry(str(source), stat.st_size, stat.st_mtime_ns, "skipped", reason=reason, detail=detail)

        suffix = path.suffix.lower()
        owner = owner_of(path)
        if owner is not None:
            return skipped("table", f"läses som en del av dokumentet {owner.name}.")
        if suffix not in SUPPORTED_SUFFIXES:
            return skipped("unsupported", f"filtypen '{suffix or '(ingen)'}' stöds inte.")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            return skipped("unreadable", f"filen kan inte läsas ({exc.strerror or exc}).")
        if not raw.strip():
            return skipped("empty", "filen är tom.")
        digest = file_hash(raw)
        if digest in self.seen:
            return skipped("duplicate", f"samma innehåll som {self.seen[digest]}.")
        name = self._free_name(corpus_name(source))
        target = self.settings.corpus_dir / name
        tables = tables_beside(path)
        try:
            doc = read_document(target, path_metadata(source, self.kommun, self.namnd), raw=raw, tables=tables)
            if not doc.text.strip():
                return skipped("empty", "filen innehåller ingen text.")
            doc.title = archive_title(doc)
            chunks = document_chunks(doc, self.settings)
        except Exception as exc:  # any failure on one bad file must not stop an archive of thousands
            return skipped("unreadable", str(getattr(exc, "reason", None) or exc))
        entry = JournalEntry(
            str(source),
            stat.st_size,
            stat.st_mtime_ns,
            "imported",
            name,
            digest,
            catalog_entry(doc),
            tables=[str(t.relative_to(self.folder)) for t in tables],
        )
        return entry, chunks

    def _free_name(self, name: str) -> str:
        stem, dot, suffix = name.rpartition(".")
        candidate, n = name, 2
        while candidate in self.claimed:
            candidate, n = f"{stem}-{n}{dot}{suffix}", n + 1
        return candidate

    def _commit(self) -> None:
        """The catalog written once with every imported document's entry, then the files copied in.

        Catalog first: a stop between the two leaves entries without files, which nothing reads; files without
        their entries would be indexed with less metadata. Run again, both steps are repeated harmlessly."""
        imported = set(self.report.imported)
        entries = {e.name: e for e in self.journal.done.values() if e.outcome == "imported" and e.name in imported}
        try:
            catalog = read_catalog(self.settings.catalog_file)
        except CatalogError as exc:
            raise BuildError(f"{exc.reason} Rätta {exc.path}; inget har importerats.") from exc
        catalog.update({name: e.entry for name, e in entries.items()})
        self.settings.catalog_file.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.settings.catalog_file, catalog_text([{"file": name, **v} for name, v in catalog.items()]))
        self.settings.corpus_dir.mkdir(parents=True, exist_ok=True)
        for name, e in entries.items():
            # Tables first: a document in the corpus is read with the tables beside it.
            for table in e.tables:
                self._copy(table, corpus_table_name(name, e.source, table))
            self._copy(e.source, name)

    def _copy(self, source: str, name: str) -> None:
        target = self.settings.corpus_dir / name
        if target.exists():
            return
        tmp = target.with_name(f".{name}.part")
        tmp.write_bytes((self.folder / source).read_bytes())
        os.replace(tmp, target)


def corpus_table_name(document_name: str, document_source: str, table_source: str) -> str:
    """The corpus name of a table read with a document: the document's corpus name with the table's own ending
    ("protokoll.kostnader.csv" beside "protokoll.md", imported as "kungsbacka-fg-…-protokoll.md", becomes
    "kungsbacka-fg-…-protokoll.kostnader.csv"), so the corpus reads them together again."""
    ending = Path(table_source).name[len(Path(document_source).stem) :]
    return Path(document_name).stem + ending


def import_archive(
    settings: Settings,
    folder: Path,
    kommun: str | None = None,
    namnd: str | None = None,
    progress: bool = True,
) -> ImportReport:
    """Import an archive folder tree into the corpus and the index; resumes an interrupted import of it."""
    return ArchiveImport(settings, folder, kommun, namnd).run(progress)
