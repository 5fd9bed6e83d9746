"""Answer length figures: answers are read on phones, so length is a quality figure of its own.

Usage: ``python -m eval.answer_length QUESTIONS.txt [--data-dir DIR] [--dump OUT.txt]`` runs the
answering chain over one question per line and prints median, p95 and max characters of the
answers that were not refused.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from collections.abc import Iterable
from pathlib import Path

from tthc.schema import Answer


def answer_lengths(answers: Iterable[Answer]) -> dict[str, float]:
    """Median, p95 (nearest rank) and max characters of the non-refused answers, and their count."""
    lengths = sorted(len(a.answer) for a in answers if not a.refused)
    if not lengths:
        return {"count": 0, "median": 0, "p95": 0, "max": 0}
    p95 = lengths[max(0, math.ceil(0.95 * len(lengths)) - 1)]
    return {"count": len(lengths), "median": statistics.median(lengths), "p95": p95, "max": lengths[-1]}


def main() -> None:
    from rag.service import load_assistant
    from tthc.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path, help="one question per line")
    parser.add_argument("--data-dir", type=Path, default=None, help="index data directory (default: settings)")
    parser.add_argument("--dump", type=Path, default=None, help="write every question and answer here")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    assistant = load_assistant(settings)
    questions = [q.strip() for q in args.questions.read_text(encoding="utf-8").splitlines() if q.strip()]
    answers = [assistant.answer(q) for q in questions]
    if args.dump:
        blocks = [f"### {q}\n{a.answer}\n[{len(a.answer)} ký tự]" for q, a in zip(questions, answers)]
        args.dump.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    print(json.dumps(answer_lengths(answers), ensure_ascii=False))


if __name__ == "__main__":
    main()
