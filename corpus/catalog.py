"""The corpus catalog (TOML): title and metadata per file, "okänd" where unknown."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from corpus.models import UNKNOWN

FIELDS = ("title", "kommun", "namnd", "typ", "datum", "diarienummer")


def read_catalog(path: Path) -> dict[str, dict[str, str]]:
    """Catalog entries keyed by file name."""
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    entries: dict[str, dict[str, str]] = {}
    for entry in data.get("document", []):
        name = entry.get("file")
        if name:
            entries[name] = {k: str(entry.get(k, UNKNOWN)) or UNKNOWN for k in FIELDS}
    return entries


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def append_entry(path: Path, file_name: str, entry: dict[str, str]) -> None:
    """Add (or replace) one document's entry, keeping the rest of the file as it is."""
    existing = read_catalog(path)
    if file_name in existing:
        remove_entry(path, file_name)
    lines = ["", "[[document]]", f"file = {_toml_string(file_name)}"]
    lines += [f"{key} = {_toml_string(entry.get(key, UNKNOWN) or UNKNOWN)}" for key in FIELDS]
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


def remove_entry(path: Path, file_name: str) -> None:
    """Drop one document's entry from the catalog file."""
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    chunks = re.split(r"(?m)^(?=\[\[document\]\])", text)
    kept = [c for c in chunks if f"file = {_toml_string(file_name)}" not in c]
    path.write_text("".join(kept), encoding="utf-8")
