"""Building and querying the retrieval index: chunks, embeddings, Chroma and Swedish BM25.

Entry points: ``build(settings)`` and ``open(settings)`` (``ensure`` opens, building first
when there is no usable index).
"""

from __future__ import annotations

import logging

from corpus.loader import corpus_files
from index import pgstore
from index.builder import BuildError, BuildReport, build, chunk_settings
from index.chunking import Chunk
from index.layout import IndexDamaged, IndexMissing, current_build
from index.pgstore import StoreUnavailable
from index.searcher import Filters, Hit, Index, SearchResult
from settings import Settings

log = logging.getLogger(__name__)

__all__ = [
    "BuildError",
    "BuildReport",
    "Chunk",
    "Filters",
    "Hit",
    "Index",
    "IndexDamaged",
    "IndexMissing",
    "SearchResult",
    "StoreUnavailable",
    "build",
    "ensure",
    "waiting_documents",
    "open",
]


def open(settings: Settings) -> Index:  # noqa: A001 - the package's documented entry point
    """Open the current index; raises IndexMissing or IndexDamaged."""
    build_dir = current_build(settings.index_dir)
    if build_dir is None:
        raise IndexMissing("Inget index är byggt ännu.")
    if not build_dir.is_dir():
        raise IndexDamaged(f"Indexkatalogen {build_dir} saknas.")
    return Index(settings, build_dir)


def waiting_documents(settings: Settings, ix: Index) -> list[str]:
    """Corpus files the index neither holds nor knows to be unreadable: added while no build ran (a build
    killed after an upload was saved, a file copied in by hand)."""
    known = set(ix.documents) | set(ix.manifest.get("skipped", []))
    return [p.name for p in corpus_files(settings.corpus_dir) if p.name not in known and not p.name.endswith(".part")]


def ensure(settings: Settings, progress: bool = True) -> Index:
    """Open the index, building it first when none exists or the existing one is damaged, and indexing any
    document that reached the corpus without being indexed, or all of them when the index was made by an older
    version of the chunker (a new version reads documents differently)."""
    try:
        ix = open(settings)
        waiting = waiting_documents(settings, ix)
        # A backend switched by NAMND_PG_URL (set or unset) also builds anew, into the backend now chosen.
        outdated = ix.manifest.get("chunking") != chunk_settings(settings) or ix.manifest.get("store", "chroma") != (
            pgstore.STORE if settings.pg_url else "chroma"
        )
        if not waiting and not outdated:
            return ix
        if outdated:
            log.info("The index was built with other chunking settings: rebuilding it")
        else:
            log.info("Indexing %d document(s) not yet in the index: %s", len(waiting), ", ".join(waiting))
        try:
            build(settings, progress=progress)
        except BuildError as exc:
            log.warning("Could not index the waiting documents, serving the current index: %s", exc)
            return ix
        return open(settings)
    except IndexMissing:
        log.info("No index yet: building it from %s", settings.corpus_dir)
    except IndexDamaged as exc:
        log.warning("%s Bygger om indexet från dokumenten.", exc)
        print(f"Varning: {exc} Indexet byggs om från dokumenten.", flush=True)
    build(settings, rebuild=True, progress=progress)
    return open(settings)
