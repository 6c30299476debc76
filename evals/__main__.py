"""python -m evals run [--split train|dev|test|all] [--set FILE] [--out DIR] [--mode M] [--baseline] [--judge]
python -m evals train [--set FILE]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from settings import ROOT, get_settings

DEFAULT_SET = ROOT / "evals" / "sets" / "questions.jsonl"
DEFAULT_OUT = ROOT / "evals" / "out"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description="Evaluate the assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="run a set through the assistant and write a report")
    p_run.add_argument("--set", type=Path, default=DEFAULT_SET)
    p_run.add_argument(
        "--split",
        choices=["train", "dev", "test", "all"],
        default="dev",
        help="which split of a split set to run (default dev); extra sets without splits run whole",
    )
    p_run.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p_run.add_argument("--mode", choices=["extractive", "llm"], default=None)
    p_run.add_argument("--baseline", action="store_true", help="also run the naive baseline and compare")
    p_run.add_argument("--judge", action="store_true", help="add LLM-judged faithfulness and relevance")
    p_run.add_argument("--no-latency", action="store_true", help="skip the first-time/warm latency measurement")
    p_train = sub.add_parser(
        "train", help="fit the answer selector, summary weights and refusal model on train, choose on dev"
    )
    p_train.add_argument("--set", type=Path, default=DEFAULT_SET)
    args = parser.parse_args(argv)
    settings = get_settings()

    from assistant.engine import get_index
    from evals.dataset import SetError, load_set, select_split, uses_splits

    try:
        if args.command == "train":
            from evals.train import main as train_main

            return train_main(args.set, settings)
        items = load_set(args.set)  # validated before anything runs
        split = args.split if uses_splits(items) else None
        if split is not None:
            items = select_split(items, split)
    except (SetError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    if args.judge and not settings.llm_url:
        print(
            "--judge needs a language model endpoint: set NAMND_LLM_URL (and NAMND_LLM_MODEL) to an "
            "OpenAI-compatible or Ollama server. Nothing was run.",
            file=sys.stderr,
        )
        return 2
    from evals.report import summary_table, write_report
    from evals.runner import run_assistant, run_baseline

    if split is not None:
        from evals.evalcorpus import open_eval_index

        print("Indexing the evaluation corpus (shipped + evals/corpus) into its own data folder ...", flush=True)
        run_settings, ix = open_eval_index(settings)
    else:
        run_settings, ix = settings, get_index(settings)
    print(f"Running {len(items)} questions through the assistant ...", flush=True)
    results = run_assistant(items, ix, run_settings, args.mode)
    baseline = None
    if args.baseline:
        print("Running the naive baseline ...", flush=True)
        baseline = run_baseline(items, run_settings)
    extra: dict = {"split": split, "backend": ix.backend}
    if not args.no_latency:
        from evals.latency import measure

        print("Measuring first-time and warm latency in a fresh process ...", flush=True)
        extra["latency"] = measure(args.set, split or "all", settings)
    if args.judge:
        from evals.judge import judge

        print("Asking the language model to judge the answers (model-judged) ...", flush=True)
        extra["judge"] = judge(results, run_settings)
    summary = write_report(args.out, args.set, results, baseline, extra)
    print()
    print(summary_table(summary["assistant"], summary["baseline"]))
    if summary.get("splits"):
        from evals.report import split_table

        print()
        print(split_table(summary["splits"]))
    print(f"\nReport: {args.out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
