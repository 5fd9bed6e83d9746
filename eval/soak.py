"""`tthc bench load`: bounded loopback load and soak of the real server.

60 s at 20, 50 and 100 concurrent users, then a steady-rate soak (10 minutes by default) with an
admin ingest in the middle; zero 5xx expected, p95 reported, the server's memory sampled.
Targets are loopback only and every phase stops by itself.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from eval.bench_serve import _ingest
from eval.dataset import load_dataset
from eval.load import HEADER, LoadResult, run_load
from eval.machine import machine_section
from tests.processes import free_port, poll_job, service_env, spawn, wait_http
from tthc.settings import PROJECT_ROOT

TOKEN = "soak-test-token"


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _sampler(pid: int, samples: list[tuple[float, float]], stop: threading.Event, every: float = 5.0) -> None:
    started = time.monotonic()
    while not stop.is_set():
        samples.append((time.monotonic() - started, _rss_mib(pid)))
        stop.wait(every)


async def _steady(base: str, rate: float, seconds: float, questions: list[str]) -> LoadResult:
    """A fixed request rate (not closed-loop), so the soak measures stability, not saturation."""
    result = LoadResult(users=0, seconds=seconds)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        started = time.monotonic()
        tasks = []
        i = 0

        async def one(question: str) -> None:
            begin = time.perf_counter()
            try:
                response = await client.post("/api/chat", json={"question": question})
                result.statuses[response.status_code] += 1
                result.latencies_ms.append((time.perf_counter() - begin) * 1000)
                result.requests += 1
            except httpx.HTTPError:
                result.errors += 1

        while time.monotonic() - started < seconds:
            tasks.append(asyncio.create_task(one(questions[i % len(questions)])))
            i += 1
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)
    return result


def _ingest_midway(base: str, delay: float, outcome: dict) -> None:
    time.sleep(delay)
    upload = (PROJECT_ROOT / "corpus" / "procedures" / "1.010038.yaml").read_bytes()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, timeout=60) as client:
        job = client.post("/api/admin/ingest", headers=headers, files={"file": ("1.010038-soak.yaml", upload)}).json()
        outcome.update(poll_job(client, job["id"], headers, timeout=300, every=1))


def bench_load(
    out_dir: Path,
    steps: tuple[int, ...] = (20, 50, 100),
    step_seconds: float = 60.0,
    soak_seconds: float = 600.0,
    soak_rate: float = 10.0,
    dataset: Path = Path("eval/datasets"),
) -> str:
    import shutil
    import tempfile

    questions = [item.question for item in load_dataset(dataset)]
    scratch = Path(tempfile.mkdtemp(prefix="tthc-soak-"))
    rows: list[str] = []
    samples: list[tuple[float, float]] = []
    outcome: dict = {}
    try:
        env = service_env(scratch / "data", TTHC_ADMIN_TOKEN=TOKEN)
        # start from the default corpus without 1.010038, so the mid-soak ingest really adds a procedure
        corpus = scratch / "corpus"
        shutil.copytree(PROJECT_ROOT / "corpus", corpus)
        (corpus / "procedures" / "1.010038.yaml").unlink()
        env["TTHC_CORPUS_DIR"] = str(corpus)
        _ingest(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with spawn([sys.executable, "-m", "cli", "serve", "--port", str(port)], env) as server:
            wait_http(f"{base}/readyz")
            stop = threading.Event()
            sampler = threading.Thread(target=_sampler, args=(server.pid, samples, stop), daemon=True)
            sampler.start()
            for users in steps:
                result = asyncio.run(run_load(base, users, step_seconds, questions))
                rows.append(result.row())
            ingest = threading.Thread(target=_ingest_midway, args=(base, soak_seconds / 2, outcome), daemon=True)
            ingest.start()
            soak = asyncio.run(_steady(base, soak_rate, soak_seconds, questions))
            ingest.join(timeout=60)
            stop.set()
            sampler.join()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    soak_part = [s for s in samples if s[0] >= len(steps) * step_seconds]
    first, last = (soak_part[0][1], soak_part[-1][1]) if soak_part else (0.0, 0.0)
    peak = max((m for _, m in samples), default=0.0)
    text = "\n".join(
        [
            f"# Load and soak — {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            "",
            "Real server (`tthc serve`, 1 worker, embedded store, default corpus) on loopback; command: `tthc bench load`.",
            "",
            "## Load steps (closed loop, each user sends its next question when the last is answered)",
            "",
            HEADER,
            *rows,
            "",
            f"## Soak: {soak_rate:.0f} questions/s for {soak_seconds:.0f} s, an admin ingest after {soak_seconds / 2:.0f} s",
            "",
            HEADER,
            soak.row().replace("| 0 |", "| steady |", 1),
            "",
            f"Ingest during the soak: {outcome.get('status', 'did not finish')}"
            + (f", version {outcome['report']['version']}" if outcome.get("report") else ""),
            f"Server RSS: {first:.0f} MiB at the start of the soak, {last:.0f} MiB at its end, peak {peak:.0f} MiB.",
            "",
            *machine_section(),
        ]
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "load-soak.md").write_text(text, encoding="utf-8")
    print(text)
    return text
