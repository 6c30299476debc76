"""The versioned JSON files in ``assistant/trained/`` that hold what ``python -m evals train`` fitted."""

from __future__ import annotations

import json
from pathlib import Path

TRAINED_DIR = Path(__file__).resolve().parent / "trained"


def read_model_file(path: Path, version: int) -> dict:
    """The file's JSON; raises ValueError (English, for developers) when it is missing, malformed or of another
    version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read the model file {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != version:
        found = data.get("version") if isinstance(data, dict) else None
        raise ValueError(f"{path}: model version {found!r}, expected {version}")
    return data


def write_model_file(path: Path, data: dict) -> None:
    """Write ``data`` as indented JSON (a small file that reads well in a diff)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
