"""Answer benchmark: latency over the evaluation set with the index loaded, throughput with N concurrent
callers, peak RSS, and the naive LangChain RAG timed in the same run."""

from __future__ import annotations

import resource
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from eval.dataset import load_dataset
from eval.machine import machine_section
from tthc.settings import Settings

GOALS = {"p50_ms": 50.0, "p95_ms": 150.0}


def _latencies(answer, questions: list[tuple[str, list[dict]]]) -> list[float]:
    values = []
    for question, history in questions:
        started = time.perf_counter()
        answer(question, history)
        values.append((time.perf_counter() - started) * 1000)
    return values


def bench_answer(settings: Settings, dataset: Path, out_dir: Path, callers: tuple[int, ...] = (1, 2, 4)) -> str:
    from eval.baselines import NaiveRAGBaseline
    from rag.service import load_assistant

    started = time.perf_counter()
    assistant = load_assistant(settings)
    assistant.warm()  # as the server does before serving; counted in the load time
    load_s = time.perf_counter() - started
    questions = [(i.question, [t.model_dump() for t in i.history]) for i in load_dataset(dataset)]
    assistant.answer("khởi động")  # warm caches once
    ours = _latencies(assistant.answer, questions)
    rows = [f"| ours | {np.percentile(ours, 50):.1f} | {np.percentile(ours, 95):.1f} | {np.mean(ours):.1f} |"]
    ratio = ""
    if len(assistant.index.procedures) <= 500:
        naive = NaiveRAGBaseline(assistant.index, assistant.ranker.embeddings, settings.data_dir / "baselines")
        theirs = _latencies(naive.answer, questions)
        rows.append(f"| naive LangChain RAG | {np.percentile(theirs, 50):.1f} | {np.percentile(theirs, 95):.1f} | {np.mean(theirs):.1f} |")
        ratio = f"Naive RAG p50 / ours p50 = {np.percentile(theirs, 50) / np.percentile(ours, 50):.2f}."
    throughput = []
    for n in callers:
        begin = time.perf_counter()
        with ThreadPoolExecutor(max_workers=n) as pool:
            list(pool.map(lambda qh: assistant.answer(*qh), questions))
        elapsed = time.perf_counter() - begin
        throughput.append(f"| {n} | {len(questions) / elapsed:.1f} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = "\n".join(
        [
            f"# Answer benchmark — {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            "",
            f"Index: {assistant.version} ({len(assistant.index.procedures)} procedures) at `{settings.data_dir}`; "
            f"{len(questions)} questions from `{dataset}`; no LLM. Index and model load: {load_s:.1f} s (once).",
            "Command: `tthc bench answer" + (f" --data-dir {settings.data_dir}" if str(settings.data_dir) != "data" else "") + "`.",
            "",
            "| system | p50 ms | p95 ms | mean ms |",
            "|---|---|---|---|",
            *rows,
            "",
            f"Goals: p50 ≤ {GOALS['p50_ms']:.0f} ms, p95 ≤ {GOALS['p95_ms']:.0f} ms. {ratio}",
            "",
            "| concurrent callers (threads) | answers/s |",
            "|---|---|",
            *throughput,
            "",
            f"Peak RSS of the benchmark process: {peak:.0f} MiB.",
            "",
            *machine_section(),
        ]
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    name = "bench-answer.md" if str(settings.data_dir) == "data" else "bench-answer-portal.md"
    (out_dir / name).write_text(text, encoding="utf-8")
    print(text)
    return text
