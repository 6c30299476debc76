"""The evaluation corpus: the shipped documents plus the real documents in evals/corpus/, indexed on their own.

The runner mirrors both folders (and merges both catalogs) into ``<data_dir>/evals/`` and builds an index there,
so ``make run`` never serves the evaluation documents and the evaluation never touches the served index. The
embedding cache is shared, so documents already embedded for the served index are not embedded again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import index
from corpus.catalog import FIELDS, catalog_text, read_catalog, write_atomically
from corpus.loader import corpus_files
from settings import ROOT, Settings

EVAL_CORPUS = ROOT / "evals" / "corpus"
EVAL_DOCUMENTS = EVAL_CORPUS / "documents"
EVAL_CATALOG = EVAL_CORPUS / "catalog.toml"
SHIPPED_DOCUMENTS = ROOT / "corpus" / "documents"
SHIPPED_CATALOG = ROOT / "corpus" / "catalog.toml"


def eval_settings(settings: Settings) -> Settings:
    """Settings whose corpus, catalog and index live under ``<data_dir>/evals``."""
    home = settings.data_dir / "evals"
    return settings.model_copy(
        update={"corpus_dir": home / "corpus", "catalog_file": home / "catalog.toml", "data_dir": home}
    )


def sources() -> list[tuple[Path, Path]]:
    """The (documents folder, catalog) pairs the evaluation corpus is made of."""
    return [(SHIPPED_DOCUMENTS, SHIPPED_CATALOG), (EVAL_DOCUMENTS, EVAL_CATALOG)]


def sync(target: Settings, folders: list[tuple[Path, Path]] | None = None) -> int:
    """Mirror the source folders into ``target.corpus_dir`` and merge their catalogs; returns the file count.

    Files are copied only when their bytes differ, and files no longer in any source are removed, so an
    unchanged corpus leaves the index up to date.
    """
    target.corpus_dir.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, Path] = {}
    entries: list[dict[str, str]] = []
    for folder, catalog in folders or sources():
        for path in corpus_files(folder):
            if path.name in wanted:
                raise ValueError(f"{path.name} is in two evaluation source folders")
            wanted[path.name] = path
        for name, entry in read_catalog(catalog).items():
            entries.append({"file": name, **{k: entry[k] for k in FIELDS}})
    for existing in corpus_files(target.corpus_dir):
        if existing.name not in wanted:
            existing.unlink()
    for name, source in wanted.items():
        copy = target.corpus_dir / name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            shutil.copyfile(source, copy)
    text = catalog_text(entries)
    if not target.catalog_file.exists() or target.catalog_file.read_text(encoding="utf-8") != text:
        write_atomically(target.catalog_file, text)
    return len(wanted)


def open_eval_index(settings: Settings, progress: bool = True) -> tuple[Settings, index.Index]:
    """The evaluation corpus's index, built or updated first; with the settings that point at it."""
    target = eval_settings(settings)
    sync(target)
    index.build(target, progress=progress)
    return target, index.open(target)
