"""Archive import overhead: `index import` against the pure embedding of the same texts.

The evaluation corpus's documents (real Kungsbacka committee text) are laid out as an archive tree
kungsbacka/<nämnd>/<år>/<datum>/<typ>.md; the import runs with an empty embedding cache. The pure embedding
time is the same chunk and answer-unit texts sent through a freshly loaded embedder in full batches. Both are
measured in CPU time of this process (the machine is shared) and in wall-clock time.
Target (2 cores): the import takes at most 10% longer than the pure embedding.
Run: python -m bench.import_speed [DOCUMENTS]   (default 4: the smallest documents, about two minutes)
"""

from __future__ import annotations

import re
import shutil
import sys
import time
from pathlib import Path

from bench.common import scratch_settings
from corpus.loader import read_document
from index.archive import archive_files, catalog_entry, corpus_name, import_archive, path_metadata
from index.builder import document_chunks
from index.embedders import make_embedder
from index.units import unit_texts
from settings import ROOT, Settings

EVAL_DOCUMENTS = ROOT / "evals" / "corpus" / "documents"
NAME = re.compile(r"(?P<kommun>[a-z]+)-(?P<namnd>[a-z]+)-(?P<datum>(?P<year>\d{4})-\d\d-\d\d)-(?P<typ>[a-z]+).*\.md")


def make_archive(folder: Path, documents: int) -> None:
    """The smallest ``documents`` evaluation documents as an archive tree."""
    files = sorted(EVAL_DOCUMENTS.glob("*.md"), key=lambda p: p.stat().st_size)[:documents]
    for path in files:
        m = NAME.fullmatch(path.name)
        assert m, path.name
        target = folder / m["kommun"] / m["namnd"] / m["year"] / m["datum"] / f"{m['typ']}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def archive_texts(settings: Settings, folder: Path) -> list[str]:
    """Every distinct text the import embeds (chunks, then answer units), read as the import reads them."""
    chunk_texts: list[str] = []
    units: list[str] = []
    for path in archive_files(folder):
        source = path.relative_to(folder)
        doc = read_document(settings.corpus_dir / corpus_name(source), path_metadata(source), raw=path.read_bytes())
        doc = read_document(settings.corpus_dir / corpus_name(source), catalog_entry(doc), raw=path.read_bytes())
        chunks = document_chunks(doc, settings)
        chunk_texts += [c.indexed_text for c in chunks]
        units += unit_texts(chunks)
    # Chunk and unit vectors are cached apart, so a text can be embedded once as each.
    return list(dict.fromkeys(chunk_texts)) + list(dict.fromkeys(units))


def main(documents: int = 4) -> None:
    settings = scratch_settings("import")
    root = settings.data_dir.parent
    settings = settings.model_copy(update={"corpus_dir": root / "corpus", "catalog_file": root / "catalog.toml"})
    folder = root / "arkiv"
    try:
        make_archive(folder, documents)
        texts = archive_texts(settings, folder)
        t, cpu = time.perf_counter(), time.process_time()
        embedder = make_embedder(settings)  # loaded on the clock, as the import loads it
        for i in range(0, len(texts), settings.embed_batch_size):
            embedder.get_text_embedding_batch(texts[i : i + settings.embed_batch_size])
        pure, pure_cpu = time.perf_counter() - t, time.process_time() - cpu
        print(
            f"pure embedding: {len(texts)} texts in {pure:.1f} s wall, {pure_cpu:.1f} s CPU "
            f"({len(texts) / pure:.1f} texts/s wall)"
        )

        t, cpu = time.perf_counter(), time.process_time()
        report = import_archive(settings, folder, progress=False)
        total, total_cpu = time.perf_counter() - t, time.process_time() - cpu
        assert report.build is not None
        print(
            f"import: {len(report.imported)} documents, {report.build.chunks} chunks, {report.embedded} texts "
            f"embedded, {total:.1f} s wall, {total_cpu:.1f} s CPU (embedding inside it {report.embed_seconds:.1f} s, "
            f"build and swap {report.build.seconds:.1f} s)"
        )
        # CPU time is the fair measure on a shared machine: other processes stretch wall time at random.
        overhead = 100 * (total_cpu - pure_cpu) / pure_cpu
        print(f"import overhead over pure embedding: {overhead:.1f}% CPU (target <= 10%)")
        print(f"  wall-clock: {100 * (total - pure) / pure:.1f}%")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4)
