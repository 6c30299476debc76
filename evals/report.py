"""The evaluation report: results.json, report.md, PNG plots, and a summary table for the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.metrics import percentile
from evals.runner import QuestionResult, by_tag, summarise, write_results

METRICS = [
    ("hit@1", "Träff@1"),
    ("hit@3", "Träff@3"),
    ("hit@5", "Träff@5"),
    ("mrr@10", "MRR@10"),
    ("fact_recall", "Faktatäckning"),
    ("citation_support", "Källstöd"),
    ("refusal_recall", "Vägran, recall"),
    ("refusal_precision", "Vägran, precision"),
    ("answerable_refused", "Besvarbara vägrade"),
    ("latency_p50_ms", "Latens p50 (ms)"),
    ("latency_p95_ms", "Latens p95 (ms)"),
]


def _fmt(value: float | None, key: str) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if key.endswith("_ms") else f"{value:.3f}"


def summary_table(assistant: dict[str, float], baseline: dict[str, float] | None) -> str:
    """A Markdown table of the overall metrics, with the baseline and the difference when there is one."""
    if baseline is None:
        rows = ["| Mått | Assistenten |", "|---|---|"]
        rows += [f"| {label} | {_fmt(assistant.get(key), key)} |" for key, label in METRICS]
        return "\n".join(rows)
    rows = ["| Mått | Assistenten | Baslinje | Skillnad |", "|---|---|---|---|"]
    for key, label in METRICS:
        a, b = assistant.get(key), baseline.get(key)
        diff = "–" if a is None or b is None else (f"{a - b:+.0f}" if key.endswith("_ms") else f"{a - b:+.3f}")
        rows.append(f"| {label} | {_fmt(a, key)} | {_fmt(b, key)} | {diff} |")
    return "\n".join(rows)


def tag_table(tags: dict[str, dict[str, float]], baseline_tags: dict[str, dict[str, float]] | None) -> str:
    keys = ["questions", "hit@5", "mrr@10", "fact_recall", "citation_support", "refusal_recall"]
    head = "| Tagg | Frågor | Träff@5 | MRR@10 | Faktatäckning | Källstöd | Vägran, recall |"
    if baseline_tags:
        head += " Baslinje träff@5 | Baslinje faktatäckning |"
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for tag, m in tags.items():
        cells = [f"{m['questions']:.0f}"] + [_fmt(m.get(k), k) for k in keys[1:]]
        if baseline_tags:
            b = baseline_tags.get(tag, {})
            cells += [_fmt(b.get("hit@5"), "hit@5"), _fmt(b.get("fact_recall"), "fact_recall")]
        rows.append(f"| {tag} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


SPLIT_ORDER = ("train", "dev", "test")


def split_summaries(results: list[QuestionResult], baseline: list[QuestionResult] | None) -> dict[str, dict[str, Any]]:
    """Assistant and baseline metrics (overall and per tag) for each split present in the results."""
    out: dict[str, dict[str, Any]] = {}
    for split in SPLIT_ORDER:
        mine = [r for r in results if r.item.get("split") == split]
        if not mine:
            continue
        base = [r for r in baseline or [] if r.item.get("split") == split]
        out[split] = {
            "assistant": summarise(mine),
            "assistant_by_tag": by_tag(mine),
            "baseline": summarise(base) if base else None,
            "baseline_by_tag": by_tag(base) if base else None,
        }
    return out


def split_table(splits: dict[str, dict[str, Any]]) -> str:
    """The splits side by side, each with its baseline."""
    names = list(splits)
    head = "| Mått | " + " | ".join(f"{n} | {n} baslinje" for n in names) + " |"
    rows = [head, "|" + "---|" * (1 + 2 * len(names))]
    counts = " | ".join(
        f"{splits[n]['assistant']['questions']:.0f} | "
        + (f"{splits[n]['baseline']['questions']:.0f}" if splits[n]["baseline"] else "–")
        for n in names
    )
    rows.append(f"| Frågor | {counts} |")
    for key, label in METRICS:
        cells = []
        for n in names:
            base = splits[n]["baseline"] or {}
            cells += [_fmt(splits[n]["assistant"].get(key), key), _fmt(base.get(key), key)]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def latency_summary(latency: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """p50, p95 and max of first-time and warm latencies."""
    return {
        kind: {
            "p50_ms": percentile(values, 50),
            "p95_ms": percentile(values, 95),
            "max_ms": max(values, default=0.0),
            "questions": float(len(values)),
        }
        for kind, values in (("first", latency.get("first_ms", [])), ("warm", latency.get("warm_ms", [])))
    }


def latency_table(summary: dict[str, dict[str, float]]) -> str:
    rows = ["| Svarstid | Frågor | p50 (ms) | p95 (ms) | max (ms) |", "|---|---|---|---|---|"]
    for kind, label in (("first", "Första gången (ny process, tomma cacher)"), ("warm", "Varm (samma frågor igen)")):
        m = summary[kind]
        rows.append(f"| {label} | {m['questions']:.0f} | {m['p50_ms']:.0f} | {m['p95_ms']:.0f} | {m['max_ms']:.0f} |")
    return "\n".join(rows)


def worst(results: list[QuestionResult], n: int = 12) -> list[QuestionResult]:
    def badness(r: QuestionResult) -> float:
        s = r.scores
        return (
            3.0 * ("answered a question the documents do not answer" in r.problems)
            + 3.0 * ("refused an answerable question" in r.problems)
            + (1.0 - s.get("fact_recall", 1.0)) * 2
            + (1.0 - s.get("mrr@10", 1.0))
            + (1.0 - s.get("citation_support", 1.0))
        )

    return [r for r in sorted(results, key=badness, reverse=True) if r.problems][:n]


def plot(
    out: Path,
    tags: dict[str, dict[str, float]],
    baseline_tags: dict[str, dict[str, float]] | None,
    results: list[QuestionResult],
    baseline: list[QuestionResult] | None,
) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    files = []
    names = [t for t in tags if t != "ej-besvarbar"]
    for key, label in (("hit@5", "Träff@5"), ("fact_recall", "Faktatäckning")):
        fig, ax = plt.subplots(figsize=(9, 4.5))
        x = np.arange(len(names))
        ax.bar(x - 0.2, [tags[t].get(key, 0) for t in names], 0.4, label="Assistenten", color="#1d4e89")
        if baseline_tags:
            ax.bar(
                x + 0.2, [baseline_tags.get(t, {}).get(key, 0) for t in names], 0.4, label="Baslinje", color="#b8c2cc"
            )
        ax.set_xticks(x, names, rotation=20)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel(label)
        ax.set_title(f"{label} per tagg")
        ax.legend()
        fig.tight_layout()
        name = f"per_tagg_{key.replace('@', '_')}.png"
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        files.append(name)
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.hist([r.latency_ms for r in results], bins=30, alpha=0.8, label="Assistenten", color="#1d4e89")
    if baseline:
        ax.hist([r.latency_ms for r in baseline], bins=30, alpha=0.6, label="Baslinje", color="#b8c2cc")
    ax.set_xlabel("Svarstid per fråga (ms)")
    ax.set_ylabel("Antal frågor")
    ax.set_title("Svarstider")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "latens.png", dpi=110)
    plt.close(fig)
    files.append("latens.png")
    return files


def write_report(
    out: Path,
    set_file: Path,
    results: list[QuestionResult],
    baseline: list[QuestionResult] | None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write all report files into ``out`` and return the summary (also saved in summary.json)."""
    out.mkdir(parents=True, exist_ok=True)
    overall = summarise(results)
    tags = by_tag(results)
    base_overall = summarise(baseline) if baseline else None
    base_tags = by_tag(baseline) if baseline else None
    write_results(out / "results.json", results)
    if baseline:
        write_results(out / "baseline_results.json", baseline)
    plots = plot(out, tags, base_tags, results, baseline)
    extra = dict(extra or {})
    latency = extra.pop("latency", None)
    splits = split_summaries(results, baseline)
    summary = {
        "set": str(set_file),
        "assistant": overall,
        "assistant_by_tag": tags,
        "baseline": base_overall,
        "baseline_by_tag": base_tags,
        "splits": splits,
        "latency": latency_summary(latency) if latency else None,
        **extra,
    }
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    scope = f", delmängd {extra['split']}" if extra.get("split") else ""
    lines = [
        "# Utvärdering av Nämndassistenten",
        "",
        f"Frågeuppsättning: `{set_file.name}` ({len(results)} frågor{scope}).",
        *([f"Index: {extra['backend']}."] if extra.get("backend") else []),
        "",
        "## Sammanfattning",
        "",
        summary_table(overall, base_overall),
        "",
    ]
    if splits:
        lines += ["## Per delmängd (train, dev, test)", "", split_table(splits), ""]
    if summary["latency"]:
        lines += ["## Svarstider", "", latency_table(summary["latency"]), ""]
    lines += ["## Per tagg", "", tag_table(tags, base_tags), ""]
    for split, parts in splits.items() if len(splits) > 1 else ():
        lines += [f"### Per tagg, {split}", "", tag_table(parts["assistant_by_tag"], parts["baseline_by_tag"]), ""]
    if extra and extra.get("judge"):
        judge = extra["judge"]
        lines += [
            "## Modellbedömt (LLM som domare)",
            "",
            "*Dessa mått är bedömda av en språkmodell, inte uppmätta mot facit.*",
            "",
            f"- Trohet mot källorna: {judge['faithfulness']:.3f}",
            f"- Svarsrelevans: {judge['relevance']:.3f}",
            "",
        ]
    lines += ["## Sämsta frågorna", ""]
    for r in worst(results):
        lines.append(f"- **{r.item['id']}** ({', '.join(r.item['tags'])}): {r.item['question']}")
        lines.append(f"  - Problem: {'; '.join(r.problems)}")
        lines.append(f"  - Svar: {r.answer[:300].replace(chr(10), ' ')}")
    lines += ["", "## Diagram", ""] + [f"![{p}]({p})" for p in plots]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return summary
