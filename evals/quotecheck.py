"""Checks an evaluation set against the documents: every gold quote verbatim in an expected document.

python -m evals.quotecheck FILE... prints one line per problem and exits 1 if there is any.
Documents are looked up by id (their file name) in the shipped corpus and the evaluation corpus.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from corpus.normalise import normalise
from evals.dataset import SPLITS, load_set
from settings import ROOT

CORPUS_DIRS = (ROOT / "corpus" / "documents", ROOT / "evals" / "corpus" / "documents")


def document_texts(dirs: tuple[Path, ...] = CORPUS_DIRS) -> dict[str, str]:
    """Normalised raw text of every document, keyed by document id (the file name)."""
    texts: dict[str, str] = {}
    for folder in dirs:
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.startswith("."):
                    texts[path.name] = normalise(path.read_text(encoding="utf-8", errors="replace"))
    return texts


def problems(items: list[dict[str, Any]], texts: dict[str, str]) -> list[str]:
    """Every way the set disagrees with the documents."""
    found: list[str] = []
    for item in items:
        qid = item["id"]
        if item.get("split") not in SPLITS:
            found.append(f"{qid}: split must be one of {', '.join(SPLITS)}")
        for doc in item["expected_docs"]:
            if doc not in texts:
                found.append(f"{qid}: unknown document {doc!r}")
        if not item["answerable"]:
            if item["expected_quotes"] or item["expected_facts"]:
                found.append(f"{qid}: an unanswerable question has no quotes or facts")
            continue
        if not item["expected_docs"]:
            found.append(f"{qid}: an answerable question names its documents")
        docs = [texts[d] for d in item["expected_docs"] if d in texts]
        for quote in item["expected_quotes"]:
            if not any(normalise(quote) in text for text in docs):
                found.append(f"{qid}: quote not verbatim in its documents: {quote!r}")
        for fact in item["expected_facts"]:
            if not any(normalise(fact) in normalise(q) for q in item["expected_quotes"]):
                found.append(f"{qid}: fact {fact!r} is in none of its quotes")
    return found


def main(argv: list[str] | None = None) -> int:
    files = [Path(a) for a in (argv if argv is not None else sys.argv[1:])]
    texts = document_texts()
    bad = []
    for path in files:
        bad += [f"{path.name}: {p}" for p in problems(load_set(path), texts)]
    for line in bad:
        print(line)
    print(f"{len(bad)} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
