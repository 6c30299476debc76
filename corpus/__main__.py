"""python -m corpus outline FILE | check: see how documents were read."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from corpus.catalog import read_catalog
from corpus.loader import load, read_document
from corpus.models import Document
from corpus.readers import CorpusError
from corpus.sections import outline_rows

LONG_SECTION_WORDS = 1500


def outline(doc: Document) -> str:
    """The section tree as text: heading path, pages and first words."""
    rows = [f"{doc.title} [{doc.doc_id}] kommun: {doc.municipality}, datum: {doc.date}"]
    if doc.meeting is not None:
        people = (
            ("justerare", doc.meeting.justerare, "justerare"),
            ("ledamöter", doc.meeting.ledamoter, "närvarande"),
            ("ersättare", doc.meeting.ersattare, "närvarande"),
        )
        for label, persons, field in people:
            if persons:
                names = ", ".join(str(p) for p in persons)
                rows.append(f"{label}: {names} (källa: {doc.provenance.get(field, 'hittades inte')})")
    sections = iter(doc.sections)
    for depth, heading, is_section in outline_rows([s.heading_path for s in doc.sections]):
        if not is_section:
            rows.append(f"{'  ' * depth}- {heading}")
            continue
        s = next(sections)
        indent = "  " * depth
        label = heading or "(utan rubrik)"
        pages = (
            ""
            if s.page_start is None
            else (f" s. {s.page_start}" if s.page_start == s.page_end else f" s. {s.page_start}-{s.page_end}")
        )
        first = " ".join(s.text.split()[:10])
        rows.append(f"{indent}- {label}{pages} ({len(s.text.split())} ord): {first} ...")
    return "\n".join(rows)


def check(doc: Document) -> list[str]:
    """Things worth a look: very long or empty sections, leftover page numbers."""
    problems = []
    for s in doc.sections:
        words = len(s.text.split())
        if words == 0:
            problems.append(f"tom sektion: {s.path_label}")
        if words > LONG_SECTION_WORDS:
            problems.append(f"mycket lång sektion ({words} ord): {s.path_label}")
        for line in s.text.split("\n"):
            if re.fullmatch(r"\s*\d{1,4}(\s*\(\d+\))?\s*", line):
                problems.append(f"kvarlämnat sidnummer '{line.strip()}' i {s.path_label}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpus", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_outline = sub.add_parser("outline", help="print the section tree a document was read as")
    p_outline.add_argument("file", type=Path)
    sub.add_parser("check", help="report sections and anything suspicious per document")
    args = parser.parse_args(argv)

    if args.command == "outline":
        from settings import get_settings

        catalog = read_catalog(get_settings().catalog_file)
        try:
            doc = read_document(args.file, catalog.get(args.file.name))
        except CorpusError as exc:
            print(f"Fel: {exc}", file=sys.stderr)
            return 1
        print(outline(doc))
        return 0

    corpus = load()
    for doc in corpus:
        problems = check(doc)
        status = "OK" if not problems else f"{len(problems)} att titta på"
        print(f"{doc.doc_id}: {len(doc.sections)} sektioner, {len(doc.text.split())} ord - {status}")
        for problem in problems:
            print(f"    {problem}")
    for error in corpus.errors:
        print(f"FEL {error}")
    return 1 if corpus.errors else 0


if __name__ == "__main__":
    sys.exit(main())
