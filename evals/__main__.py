"""python -m evals run [--set FILE] [--out DIR] [--mode M] [--baseline] | calibrate [--set FILE]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from settings import ROOT, get_settings

DEFAULT_SET = ROOT / "evals" / "sets" / "dev.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description="Evaluate the assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_cal = sub.add_parser("calibrate", help="fit the refusal evidence weights on a set")
    p_cal.add_argument("--set", type=Path, default=DEFAULT_SET)
    args = parser.parse_args(argv)
    settings = get_settings()
    from evals.dataset import SetError

    try:
        if args.command == "calibrate":
            from assistant.engine import get_index
            from evals.calibrate import calibrate

            calibrate(args.set, get_index(settings), settings)
    except SetError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
