"""python -m assistant ask "FRÅGA" [--json] [--kommun K] [--mode M] | search "FRÅGA" [--json] [-k 5]
python -m assistant decisions [--kommun K] [--namnd N] [--fran DATUM] [--till DATUM] [--sok TEXT] [--json|--csv]

ask and search take --batch FILE (one JSON object a line in, one JSON line out).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from assistant.engine import get_index
from assistant.models import Answer
from assistant.pipeline import ask
from assistant.retrieval import retrieve
from index import BuildError, Filters, StoreUnavailable
from settings import get_settings


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(kommun=args.kommun or [], doc_ids=args.dokument or [], years=args.ar or [])


def search_json(question: str, k: int, filters: Filters) -> dict[str, Any]:
    result = retrieve(get_index(), question, k, filters)
    return {
        "question": question,
        "results": [h.to_json() for h in result.hits],
        "timings_ms": {"retrieve": round(result.retrieve_ms, 1)},
    }


def _print_search(data: dict[str, Any]) -> None:
    print(f"Fråga: {data['question']}")
    if not data["results"]:
        print("Inga träffar.")
    for r in data["results"]:
        page = f", s. {r['page']}" if r["page"] else ""
        print(f"\n[{r['rank']}] {r['title']} ({r['kommun']}) - {r['section']}{page}  relevans {r['score']:.2f}")
        print("    " + r["text"][:400].replace("\n", "\n    "))


def _print_answer(answer: Answer) -> None:
    for line in answer.context_lines():
        print(line)
    for notice in answer.notices:
        print(f"OBS: {notice}")
    print(answer.answer)
    if answer.citations:
        print("\nKällor:")
    for c in answer.citations:
        ch = c.hit.chunk
        page = f", s. {ch.page_start}" if ch.page_start else ""
        print(f"  [{c.n}] {ch.title} ({ch.kommun}) - {ch.section}{page}")
        for quote in c.quotes:
            print(f"      ”{quote}”")
    print(f"\n({answer.mode}, {answer.timings_ms.get('total', 0):.0f} ms)")


def batch_lines(path: str) -> Iterator[tuple[int, str]]:
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    with stream:
        for number, line in enumerate(stream, start=1):
            if line.strip():
                yield number, line


def run_batch(path: str, handle: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
    """One JSON object per input line -> one JSON line out, in order; a bad line yields {"error": ...}."""
    for number, line in batch_lines(path):
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise ValueError('every line needs a "question" string')
            history = item.get("history", [])
            if not isinstance(history, list):
                raise ValueError('"history" must be a list')
            out = handle(item)
        except (ValueError, TypeError) as exc:
            out = {"error": f"line {number}: {exc}"}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


def _date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"ogiltigt datum {value!r}: skriv ÅÅÅÅ-MM-DD") from None


def _decisions(args: argparse.Namespace) -> int:
    from assistant.register import RegisterQuery, select, to_csv

    query = RegisterQuery(tuple(args.kommun or ()), args.namnd, args.fran or "", args.till or "", args.sok)
    found = select(get_index().decisions, query)
    if args.json:
        print(json.dumps({"decisions": [d.to_json() for d in found]}, ensure_ascii=False))
    elif args.csv:
        sys.stdout.write(to_csv(found))
    else:
        for d in found:
            dnr = f", {d.dnr}" if d.dnr else ""
            print(f"{d.datum} § {d.paragraf}{dnr} ({d.namnd}, {d.kommun}) {d.rubrik}".rstrip())
            print(f"    {d.beslut[:300]}")
        print(f"{len(found)} beslut.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Ask and search the documents.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_ask = sub.add_parser("ask", help="answer a question from the documents, with citations")
    p_ask.add_argument("question", nargs="?")
    p_ask.add_argument("--mode", choices=["extractive", "llm"], default=None)
    p_search = sub.add_parser("search", help="retrieve the best passages for a question")
    p_search.add_argument("question", nargs="?")
    p_search.add_argument("-k", type=int, default=None, help="number of passages (default: settings.top_k)")
    for p in (p_ask, p_search):
        p.add_argument("--json", action="store_true")
        p.add_argument("--batch", metavar="FILE", help="JSON lines with a question each ('-' for stdin)")
        p.add_argument("--kommun", action="append", help="only this municipality (repeatable)")
        p.add_argument("--dokument", action="append", help="only this document id (repeatable)")
        p.add_argument("--ar", action="append", type=int, help="only documents from this year (repeatable)")
    p_dec = sub.add_parser("decisions", help="list the decisions (§) of the indexed protocols")
    p_dec.add_argument("--kommun", action="append", help="only this municipality (repeatable)")
    p_dec.add_argument("--namnd", default="", help="only committees whose name contains this")
    p_dec.add_argument("--fran", type=_date, help="from this meeting date, ÅÅÅÅ-MM-DD")
    p_dec.add_argument("--till", type=_date, help="up to this meeting date, ÅÅÅÅ-MM-DD")
    p_dec.add_argument("--sok", default="", help="words that must occur in the rubrik, decision or dnr")
    out = p_dec.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true")
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        if args.command == "decisions":
            return _decisions(args)
        filters = _filters(args)

        if args.command == "ask":

            def handle(item: dict[str, Any]) -> dict[str, Any]:
                return ask(item["question"], item.get("history"), filters, args.mode, settings).to_json()

            if args.batch:
                return run_batch(args.batch, handle)
            if args.question is None:
                parser.error("a question is required (or --batch FILE)")
            answer = ask(args.question, None, filters, args.mode, settings)
            if args.json:
                print(json.dumps(answer.to_json(), ensure_ascii=False))
            else:
                _print_answer(answer)
            return 0
        if args.command == "search":
            k = args.k or settings.top_k
            if args.batch:
                return run_batch(args.batch, lambda item: search_json(item["question"], k, filters))
            if not args.question or not args.question.strip():
                parser.error("a question is required (or --batch FILE)")
            data = search_json(args.question, k, filters)
            if args.json:
                print(json.dumps(data, ensure_ascii=False))
            else:
                _print_search(data)
        return 0
    except (BuildError, StoreUnavailable) as exc:  # no index could be built, or its Postgres server is down
        print(f"Fel: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
