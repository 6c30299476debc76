"""The corpus catalog (TOML): title and metadata per file, "okänd" where unknown.

Written only through a TOML library, atomically (temporary file + rename), with control characters removed
from every value on the way in, so one bad upload can never make the catalog unreadable.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import tomli_w

from corpus.models import UNKNOWN

FIELDS = ("title", "kommun", "namnd", "typ", "datum", "diarienummer")
HEADER = (
    "# Catalog of the corpus: one [[document]] per file in the corpus folder.\n"
    '# Values are as the documents themselves state them; "okänd" where they do not say.\n'
    "# Files without an entry here are still read, with unknown metadata.\n\n"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
MAX_VALUE = 300


class CatalogError(Exception):
    """The catalog file cannot be read; ``reason`` is Swedish and names the line."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def clean_value(value: object) -> str:
    """A catalog value as one line of printable text (control and direction characters removed)."""
    text = _CONTROL.sub(" ", str(value if value is not None else ""))
    text = re.sub(r"\s+", " ", text).strip()[:MAX_VALUE]
    return text or UNKNOWN


def _load(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CatalogError(path, f"katalogen är inte UTF-8-text (byte {exc.start}).") from exc
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's error carries the position only in its (English) message.
        at = re.search(r"line (\d+), column (\d+)", str(exc))
        where = f" på rad {at[1]} (tecken {at[2]})" if at else ""
        raise CatalogError(path, f"katalogen är skadad{where} och kan inte läsas.") from exc
    entries = data.get("document", [])
    if not isinstance(entries, list):
        raise CatalogError(path, "katalogen ska bestå av [[document]]-poster.")
    return [e for e in entries if isinstance(e, dict)]


def read_catalog(path: Path) -> dict[str, dict[str, str]]:
    """Catalog entries keyed by file name; raises CatalogError for a damaged file."""
    entries: dict[str, dict[str, str]] = {}
    for entry in _load(path):
        name = entry.get("file")
        if isinstance(name, str) and name:
            entries[name] = {k: clean_value(entry.get(k, UNKNOWN)) for k in FIELDS}
    return entries


def catalog_text(entries: list[dict[str, str]]) -> str:
    """The catalog file's text for these entries (each a dict with "file" and the FIELDS)."""
    body = tomli_w.dumps({"document": entries}) if entries else ""
    return HEADER + body


def updated_text(path: Path, file_name: str, entry: dict[str, str] | None) -> str:
    """The catalog's text with one file's entry replaced (or removed when ``entry`` is None)."""
    kept = [
        {"file": str(e["file"]), **{k: clean_value(e.get(k, UNKNOWN)) for k in FIELDS}}
        for e in _load(path)
        if isinstance(e.get("file"), str) and e["file"] != file_name
    ]
    if entry is not None:
        kept.append({"file": file_name, **{k: clean_value(entry.get(k, UNKNOWN)) for k in FIELDS}})
    text = catalog_text(kept)
    tomllib.loads(text)  # never write what cannot be read back
    return text


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content all at once: a crash leaves the old or the new file, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def append_entry(path: Path, file_name: str, entry: dict[str, str]) -> None:
    """Add (or replace) one document's entry."""
    write_atomically(path, updated_text(path, file_name, entry))
