"""Reading and validating an evaluation set (JSON lines, schema in DESIGN.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REQUIRED = {"id": str, "question": str, "answerable": bool}
SPLITS = ("train", "dev", "test")
LISTS = ("expected_facts", "expected_quotes", "expected_docs", "history", "tags")


class SetError(Exception):
    """A malformed evaluation set; the message names every bad line."""


def _check(item: Any, number: int, seen: set[str]) -> list[str]:
    if not isinstance(item, dict):
        return [f"line {number}: expected a JSON object"]
    problems = []
    for key, kind in REQUIRED.items():
        if not isinstance(item.get(key), kind):
            problems.append(f"line {number}: '{key}' must be a {kind.__name__}")
    for key in LISTS:
        value = item.get(key, [])
        if not isinstance(value, list):
            problems.append(f"line {number}: '{key}' must be a list")
        elif key != "history" and not all(isinstance(v, str) for v in value):
            problems.append(f"line {number}: '{key}' must be a list of strings")
    for turn in item.get("history", []) if isinstance(item.get("history", []), list) else []:
        if not (
            isinstance(turn, dict)
            and turn.get("role") in ("user", "assistant")
            and isinstance(turn.get("content"), str)
        ):
            problems.append(f"line {number}: each history turn needs role user|assistant and a content string")
            break
    if "split" in item and item["split"] not in SPLITS:
        problems.append(f"line {number}: 'split' must be one of {', '.join(SPLITS)}")
    if item.get("answerable") is True and not item.get("expected_quotes"):
        problems.append(f"line {number}: an answerable question needs expected_quotes")
    if isinstance(item.get("id"), str):
        if item["id"] in seen:
            problems.append(f"line {number}: duplicate id '{item['id']}'")
        seen.add(item["id"])
    return problems


def load_set(path: Path) -> list[dict[str, Any]]:
    """All items of a set, validated first: any malformed line raises SetError and nothing runs."""
    items, problems, seen = [], [], set()
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {number}: not valid JSON ({exc.msg})")
                continue
            problems += _check(item, number, seen)
            if isinstance(item, dict):
                for key in LISTS:
                    item.setdefault(key, [])
                items.append(item)
    if problems:
        raise SetError(f"{path}: " + "; ".join(problems))
    if not items:
        raise SetError(f"{path}: the set is empty")
    return items


def uses_splits(items: list[dict[str, Any]]) -> bool:
    """Whether a set is split by document (every question carries a split) or is a plain extra set."""
    return all("split" in item for item in items)


def select_split(items: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    """The questions of one split ("all" keeps every question)."""
    if split == "all":
        return list(items)
    if split not in SPLITS:
        raise SetError(f"unknown split {split!r}: use one of {', '.join(SPLITS)} or all")
    return [item for item in items if item.get("split") == split]


def split_conflicts(items: list[dict[str, Any]]) -> list[str]:
    """Documents used by questions of more than one split (a split is by document, so this must be empty)."""
    splits_of: dict[str, set[str]] = {}
    for item in items:
        for doc in item.get("expected_docs", []):
            splits_of.setdefault(doc, set()).add(item.get("split", "?"))
    return [f"{doc}: {', '.join(sorted(s))}" for doc, s in sorted(splits_of.items()) if len(s) > 1]
