"""Metrics over results.jsonl rows, per system and per kind, and the failure list."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from eval.dataset import EvalItem
from tthc.text import fact_found


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def score_question(item: EvalItem, result: dict) -> dict:
    """Per-question verdicts: rank of the first gold code, facts found, correctness."""
    retrieved = result.get("retrieved", [])[:10]
    rank = next((i + 1 for i, code in enumerate(retrieved) if code in item.gold_codes), None)
    cited = {c["code"] for c in result.get("citations", [])}
    facts_ok = all(fact_found(f, result.get("answer", "")) for f in item.gold_facts)
    citation_ok = not item.gold_codes or bool(cited & set(item.gold_codes))
    return {
        "rank": rank,
        "facts_ok": facts_ok,
        "citation_ok": citation_ok,
        "answer_ok": facts_ok and citation_ok and not result.get("refused"),
        "missing_facts": [f for f in item.gold_facts if not fact_found(f, result.get("answer", ""))],
    }


def compute_metrics(items: list[EvalItem], results: list[dict]) -> dict:
    """Retrieval, answer accuracy, refusals, clarifications and latency, overall, by kind and by style."""
    by_id = {r["id"]: r for r in results}
    groups: dict[str, list[tuple[EvalItem, dict, dict]]] = defaultdict(list)
    for item in items:
        result = by_id[item.id]
        scored = (item, result, score_question(item, result))
        groups["all"].append(scored)
        groups[item.kind].append(scored)
        if item.style:
            groups[f"style:{item.style}"].append(scored)
            if ":" in item.style:  # "life_event:sinh-con": also counted with its family, "life_event"
                groups[f"style:{item.style.split(':')[0]}"].append(scored)
    return {name: _aggregate(rows) for name, rows in groups.items()}


def _aggregate(rows: list[tuple[EvalItem, dict, dict]]) -> dict:
    retrieval = [s for item, _, s in rows if item.gold_codes and not item.expect_refusal]
    facts = [s for item, _, s in rows if item.gold_facts]
    refusals = [r for item, r, _ in rows if item.expect_refusal]
    in_scope = [r for item, r, _ in rows if not item.expect_refusal]
    latencies = [float(r.get("latency_ms", 0.0)) for _, r, _ in rows]
    lengths = [float(len(r.get("answer", ""))) for _, r, _ in rows if not r.get("refused")]

    def share(values: list[bool]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    return {
        "questions": len(rows),
        "hit_at_1": share([s["rank"] == 1 for s in retrieval]),
        "hit_at_3": share([s["rank"] is not None and s["rank"] <= 3 for s in retrieval]),
        "hit_at_5": share([s["rank"] is not None and s["rank"] <= 5 for s in retrieval]),
        "mrr_at_10": round(sum(1 / s["rank"] for s in retrieval if s["rank"]) / len(retrieval), 4) if retrieval else None,
        "answer_accuracy": share([s["answer_ok"] for s in facts]),
        "refusal_recall": share([bool(r.get("refused")) for r in refusals]),
        "false_refusal_rate": share([bool(r.get("refused")) for r in in_scope]),
        "clarification_rate": share([bool(r.get("clarification")) for r in in_scope]),
        # answered with a life event's list of procedures (training/events: wanted for its life_event questions only)
        "life_event_rate": share([bool(r.get("life_event")) for r in in_scope]),
        "latency_p50_ms": round(_percentile(latencies, 50), 2),
        "latency_p95_ms": round(_percentile(latencies, 95), 2),
        "answer_chars_p50": round(_percentile(lengths, 50)) if lengths else None,
        "answer_chars_p95": round(_percentile(lengths, 95)) if lengths else None,
        "n_retrieval": len(retrieval),
        "n_facts": len(facts),
        "n_refusal": len(refusals),
    }


def reliability(items: list[EvalItem], results: list[dict], thresholds: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75)) -> list[dict]:
    """Answer rate against accuracy if answers below a confidence were turned into "ask the ward" replies.

    Over questions that have a gold procedure: at each threshold, the share answered (not refused, confidence
    at or above it) and hit@1 among those. A calibrated confidence gives rising accuracy as the rate falls.
    """
    by_id = {r["id"]: r for r in results}
    rows = [(item, by_id[item.id]) for item in items if item.gold_codes and not item.expect_refusal]
    table = []
    for threshold in thresholds:
        answered = [(i, r) for i, r in rows if not r.get("refused") and float(r.get("confidence") or 0.0) >= threshold]
        correct = [1 for i, r in answered if r.get("retrieved", [None])[:1] and r["retrieved"][0] in i.gold_codes]
        table.append(
            {
                "threshold": threshold,
                "answer_rate": round(len(answered) / len(rows), 4) if rows else None,
                "hit_at_1_answered": round(len(correct) / len(answered), 4) if answered else None,
            }
        )
    return table


def failure_reason(item: EvalItem, result: dict, scored: dict) -> str | None:
    """Why a question failed, in the report's words, or None when it passed."""
    if item.expect_refusal:
        return None if result.get("refused") else "không từ chối (missed refusal)"
    if result.get("refused"):
        return "từ chối nhầm (false refusal)"
    if result.get("clarification") and scored["rank"] != 1:
        return "hỏi lại, thủ tục đúng không đứng đầu (clarification)"
    if item.gold_codes and scored["rank"] != 1:
        return "sai thủ tục (wrong procedure)"
    if item.gold_facts and not scored["facts_ok"]:
        return "thiếu sự kiện (missing fact): " + "; ".join(scored["missing_facts"])
    if item.gold_facts and not scored["citation_ok"]:
        return "không trích dẫn đúng thủ tục (wrong citation)"
    return None


def failure_severity(item: EvalItem, scored: dict) -> tuple[int, int]:
    """Sort key for 'worst first': missed refusals and gold codes far down the list come first."""
    rank = scored["rank"] or 99
    return (0 if item.expect_refusal else 1, -rank)
