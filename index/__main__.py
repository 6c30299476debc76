"""python -m index build [--rebuild] | add FILE... | import FOLDER | status"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import index
from corpus import CorpusError
from corpus.budget import ReadBudget
from corpus.intake import add_file
from index.archive import SKIP_LABELS, ImportReport, import_archive
from settings import get_settings


def _print_report(report: index.BuildReport) -> None:
    if report.up_to_date:
        print(f"Indexet är aktuellt ({report.chunks} textavsnitt). Inget behövde byggas om.")
    else:
        print(
            f"Index byggt på {report.seconds:.1f} s: {report.documents} dokument, {report.chunks} textavsnitt, "
            f"{report.embedded} nya inbäddningar."
        )
        for label, items in (("Nya", report.added), ("Ändrade", report.changed), ("Borttagna", report.removed)):
            if items:
                print(f"  {label}: {', '.join(items)}")
    for error in report.errors:
        print(f"  Kunde inte läsas: {error}", file=sys.stderr)


def _print_import(report: ImportReport) -> None:
    resumed = f" ({report.resumed} klara sedan en tidigare, avbruten körning)" if report.resumed else ""
    print(f"Importerade {len(report.imported)} dokument på {report.seconds:.1f} s{resumed}.")
    if report.embedded:
        rate = report.embedded / report.embed_seconds if report.embed_seconds else 0.0
        print(f"  {report.embedded} nya inbäddningar på {report.embed_seconds:.1f} s ({rate:.1f} per sekund).")
    groups = report.skipped_by_reason()
    if groups:
        print(f"Hoppade över {len(report.skipped)} filer:")
    for reason, items in groups.items():
        print(f"  {SKIP_LABELS[reason]}: {len(items)}")
        for item in items:
            print(f"    {item.source}: {item.detail}")
    if report.build is not None:
        _print_report(report.build)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description="Build and inspect the retrieval index.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="build or update the index from the corpus folder")
    p_build.add_argument("--rebuild", action="store_true", help="re-chunk and rebuild everything")
    p_add = sub.add_parser("add", help="add documents to the corpus and the index")
    p_add.add_argument("files", nargs="+", type=Path)
    for flag, help_text in (
        ("--title", "document title"),
        ("--kommun", "municipality"),
        ("--namnd", "committee"),
        ("--typ", "document type"),
        ("--datum", "decision date YYYY-MM-DD"),
        ("--diarienummer", "reference number"),
    ):
        p_add.add_argument(flag, help=help_text)
    p_import = sub.add_parser("import", help="import a whole archive folder tree (resumable)")
    p_import.add_argument("folder", type=Path)
    p_import.add_argument("--kommun", help="municipality of every document (else from the path or the text)")
    p_import.add_argument("--namnd", help="committee of every document (else from the path or the text)")
    p_status = sub.add_parser("status", help="documents, chunks, embedder and index age")
    p_status.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    settings = get_settings()

    try:
        if args.command == "build":
            _print_report(index.build(settings, rebuild=args.rebuild))
            return 0
        if args.command == "import":
            _print_import(import_archive(settings, args.folder, args.kommun, args.namnd))
            return 0
        if args.command == "add":
            metadata = {
                k: v
                for k, v in (
                    ("title", args.title),
                    ("kommun", args.kommun),
                    ("namnd", args.namnd),
                    ("typ", args.typ),
                    ("datum", args.datum),
                    ("diarienummer", args.diarienummer),
                )
                if v
            }
            failed = 0
            for path in args.files:
                try:
                    doc = add_file(
                        path,
                        settings.corpus_dir,
                        settings.catalog_file,
                        metadata or None,
                        budget=ReadBudget(settings.read_timeout_s, settings.read_memory_mb),
                    )
                    print(f"Lade till {Path(doc.path).name} ({len(doc.sections)} avsnitt).")
                except (CorpusError, OSError) as exc:
                    failed += 1
                    print(f"Fel: {exc}", file=sys.stderr)
            _print_report(index.build(settings))
            return 1 if failed else 0
        ix = index.ensure(settings)
        status = ix.status()
        if args.json:
            print(json.dumps(status, ensure_ascii=False, indent=2))
            return 0
        built = datetime.fromisoformat(status["built_at"])
        age = datetime.now(UTC) - built
        print(f"Index {status['build_id']} byggt {status['built_at']} ({age.total_seconds() / 3600:.1f} timmar sedan)")
        print(f"Inbäddning: {status['embedder']}  Sökmotor: {status['backend']}")
        print(f"{status['documents']} dokument, {status['chunks']} textavsnitt:")
        for doc_id, info in status["per_document"].items():
            print(f"  {info['chunks']:4d}  {doc_id}  ({info['title']})")
        return 0
    except (index.BuildError, index.IndexDamaged, index.StoreUnavailable, OSError) as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
