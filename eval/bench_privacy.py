"""Privacy benchmark: what personal data survives :func:`tthc.pii.redact`, what it wrongly removes, and its cost.

Runs the two annotated sets in ``tests/privacy/``: citizen questions carrying personal data (every
annotated item must disappear) and look-alike questions carrying none (every annotated token must
survive). Latency is measured per question after a warm-up, so the one-off load of the NER model
is not counted; it runs on every stored question, so its cost matters.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path

from tthc.pii import redact

DATA = Path(__file__).resolve().parents[1] / "tests" / "privacy"
ROUNDS = 5


def load(name: str) -> list[dict]:
    """One annotated set: ``personal.jsonl`` (text, personal) or ``lookalike.jsonl`` (text, keep)."""
    with (DATA / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def survives(item: str, text: str) -> bool:
    """Whether ``item`` is still in ``text`` as a whole word: "hoa" does not survive in "thoai"."""
    return re.search(rf"(?<!\w){re.escape(item)}(?!\w)", text) is not None


def leaks(rows: list[dict]) -> list[dict]:
    """Personal items still present after redaction, with the redacted text to show why."""
    found = []
    for row in rows:
        redacted = redact(row["text"])
        found += [{"item": item, "redacted": redacted} for item in row["personal"] if survives(item, redacted)]
    return found


def damage(rows: list[dict]) -> list[dict]:
    """Look-alike questions that lost at least one token that is not personal."""
    found = []
    for row in rows:
        redacted = redact(row["text"])
        lost = [token for token in row["keep"] if token not in redacted]
        if lost:
            found.append({"lost": lost, "redacted": redacted})
    return found


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench_privacy(out: Path) -> dict:
    """Run both sets, write ``privacy.json`` into ``out`` and return the same figures."""
    personal, lookalike = load("personal.jsonl"), load("lookalike.jsonl")
    questions = [row["text"] for row in personal + lookalike]
    for text in questions:  # warm-up: loads the tagger once
        redact(text)
    per_question: list[float] = []
    for text in questions:
        runs = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            redact(text)
            runs.append((time.perf_counter() - started) * 1000)
        per_question.append(statistics.median(runs))
    leaked, damaged = leaks(personal), damage(lookalike)
    report = {
        "personal_questions": len(personal),
        "personal_items": sum(len(row["personal"]) for row in personal),
        "personal_items_surviving": len(leaked),
        "lookalike_questions": len(lookalike),
        "lookalike_damaged": len(damaged),
        "lookalike_damaged_share": round(len(damaged) / len(lookalike), 4),
        "latency_ms_p50": round(_percentile(per_question, 0.50), 3),
        "latency_ms_p95": round(_percentile(per_question, 0.95), 3),
        "latency_ms_max": round(max(per_question), 3),
        "leaks": leaked,
        "damaged": damaged,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "privacy.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report
