"""Ingest benchmark: cold ingest of the portal set, a re-ingest with nothing changed, and one with one record changed.

Each phase runs `tthc ingest` in its own process, so its wall time includes start-up
and its peak RSS is that process's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from eval.machine import machine_section

GOALS = {"cold": 300.0, "unchanged": 10.0, "one_changed": 5.0}


@dataclass
class Phase:
    name: str
    wall_s: float
    ingest_s: float
    peak_rss_mib: float
    chunks: int
    embedded: int
    status: str


def _run_phase(name: str, source: Path, data_dir: Path) -> Phase:
    command = [sys.executable, "-m", "cli", "ingest", "--json", "--source", str(source), "--data-dir", str(data_dir)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "TQDM_DISABLE": "1"})
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"phase {name} failed: {output[-500:]!r}")
    report = json.loads(output)
    return Phase(name, wall, report["seconds"], usage.ru_maxrss / 1024, report["chunks"], report["embedded"], report["status"])


def _one_record_changed(source: Path, target: Path) -> None:
    lines = source.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[len(lines) // 2])
    record["ten_thu_tuc"] = record["ten_thu_tuc"] + " (bản sửa đổi để đo)"
    lines[len(lines) // 2] = json.dumps(record, ensure_ascii=False)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def bench_ingest(source: Path, out_dir: Path) -> list[Phase]:
    """Run the three phases in a scratch data dir and write a Markdown table under ``out_dir``."""
    with tempfile.TemporaryDirectory(prefix="tthc-bench-") as scratch:
        data_dir = Path(scratch) / "data"
        changed = Path(scratch) / "one-changed.jsonl"
        _one_record_changed(source, changed)
        phases = [
            _run_phase("cold", source, data_dir),
            _run_phase("unchanged", source, data_dir),
            _run_phase("one_changed", changed, data_dir),
        ]
    cold = phases[0]
    rows = [
        f"| {p.name} | {p.status} | {p.wall_s:.1f} | {p.ingest_s:.1f} | {p.embedded} | {p.chunks} | "
        f"{p.chunks / p.ingest_s if p.ingest_s else 0:.0f} | {p.peak_rss_mib:.0f} | ≤ {GOALS[p.name]:.0f} | "
        f"{'đạt' if p.ingest_s <= GOALS[p.name] else 'chưa đạt'} |"
        for p in phases
    ]
    text = "\n".join(
        [
            f"# Ingest benchmark — {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            "",
            f"Source: `{source}` ({cold.chunks} chunks). Command: `tthc bench ingest --source {source}`.",
            "",
            "| phase | status | wall s (with start-up) | ingest s | embedded | chunks | chunks/s | peak RSS MiB | goal s | |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            *machine_section(),
        ]
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench-ingest.md").write_text(text, encoding="utf-8")
    print(text)
    return phases
