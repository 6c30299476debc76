"""Where a build lives on disk, the manifest, and the atomic CURRENT pointer."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
DECISIONS = "decisions.jsonl"
VECTORS = "vectors.npy"  # the chunk vectors, normalised, in chunk-table order (filtered search)
CHROMA_DIR = "chroma"
BM25_DIR = "bm25"
CURRENT = "CURRENT"
BUILD_LOCK = "build.lock"
MANIFEST_VERSION = 1


class IndexMissing(Exception):
    """No index has been built yet."""


class IndexDamaged(Exception):
    """The index directory exists but is incomplete or unreadable (message in Swedish)."""


def builds_dir(index_dir: Path) -> Path:
    return index_dir / "builds"


def current_build(index_dir: Path) -> Path | None:
    """The build directory CURRENT points to, or None when there is no index."""
    pointer = index_dir / CURRENT
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    if not name or "/" in name or name.startswith("."):
        raise IndexDamaged(f"Indexpekaren {pointer} är skadad.")
    return builds_dir(index_dir) / name


def switch_current(index_dir: Path, build: Path) -> None:
    """Point CURRENT at ``build`` in one atomic rename, so readers see the old or the new build."""
    tmp = index_dir / f".{CURRENT}.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(build.name)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def read_manifest(build: Path) -> dict[str, Any]:
    path = build / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexDamaged(f"Indexet saknar sin manifestfil ({path}).") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexDamaged(f"Indexets manifestfil är skadad ({path}).") from exc
    if data.get("version") != MANIFEST_VERSION:
        raise IndexDamaged(f"Indexet har ett okänt format ({path}).")
    return data


def remove_old_builds(index_dir: Path, keep: set[str]) -> None:
    """Delete builds other than ``keep`` (interrupted builds and superseded ones)."""
    root = builds_dir(index_dir)
    if not root.exists():
        return
    for child in root.iterdir():
        if child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


def removed_tables(index_dir: Path, keep: set[str], table_of: Callable[[str], str] | None = None) -> list[str]:
    """The Postgres tables of the builds ``remove_old_builds(index_dir, keep)`` removes: as their manifests name
    them, and for a build stopped before it wrote its manifest (killed mid-build), ``table_of`` its build id."""
    root = builds_dir(index_dir)
    tables = []
    for child in root.iterdir() if root.exists() else []:
        if child.name in keep:
            continue
        try:
            table = json.loads((child / MANIFEST).read_text(encoding="utf-8")).get("pg_table")
        except FileNotFoundError:
            table = table_of(child.name) if table_of else None
        except (OSError, ValueError):
            continue
        if table:
            tables.append(table)
    return tables


REQUIRED_FILES = [
    CHUNKS,
    MANIFEST,
    f"{BM25_DIR}/params.index.json",
    f"{BM25_DIR}/vocab.index.json",
    f"{BM25_DIR}/data.csc.index.npy",
    f"{BM25_DIR}/retriever.json",
]
LOCAL_CHROMA_FILE = f"{CHROMA_DIR}/chroma.sqlite3"


def check_files(build: Path, local_chroma: bool) -> None:
    """Raise IndexDamaged naming what is missing or empty in a build directory."""
    required = REQUIRED_FILES + ([LOCAL_CHROMA_FILE] if local_chroma else [])
    missing = [name for name in required if not (build / name).is_file() or (build / name).stat().st_size == 0]
    if missing:
        raise IndexDamaged(f"Indexet i {build} är ofullständigt: {', '.join(missing)} saknas eller är tomt.")
