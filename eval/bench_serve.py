"""`tthc bench serve`: answers/s and p95 of /api/chat with 1 worker (embedded store) and 2 workers (Chroma server)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from eval.dataset import load_dataset
from eval.load import HEADER, run_load
from eval.machine import machine_section
from tests.processes import chroma_server, free_port, service_env, spawn, wait_http
from tthc.settings import PROJECT_ROOT


def _ingest(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "cli", "ingest"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def bench_serve(out_dir: Path, seconds: float = 20.0, users: int = 8, dataset: Path = Path("eval/datasets")) -> str:
    questions = [item.question for item in load_dataset(dataset)]
    rows: list[str] = []
    scratch = Path(tempfile.mkdtemp(prefix="tthc-serve-"))
    try:
        env = service_env(scratch / "embedded")
        _ingest(env)
        port = free_port()
        with spawn([sys.executable, "-m", "cli", "serve", "--port", str(port)], env):
            wait_http(f"http://127.0.0.1:{port}/readyz")
            result = asyncio.run(run_load(f"http://127.0.0.1:{port}", users, seconds, questions))
            rows.append("| 1 (embedded) " + result.row())
        with chroma_server(scratch / "chroma") as chroma_port:
            env = service_env(
                scratch / "server", TTHC_CHROMA_MODE="server", TTHC_CHROMA_HOST="127.0.0.1", TTHC_CHROMA_PORT=str(chroma_port)
            )
            _ingest(env)
            port = free_port()
            with spawn([sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", "2"], env):
                wait_http(f"http://127.0.0.1:{port}/readyz")
                result = asyncio.run(run_load(f"http://127.0.0.1:{port}", users, seconds, questions))
                rows.append("| 2 (Chroma server) " + result.row())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    text = "\n".join(
        [
            f"# Serve benchmark — {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            "",
            f"`/api/chat` on loopback, {users} concurrent clients for {seconds:.0f} s each, questions from `{dataset}`, "
            "default corpus, no LLM. Command: `tthc bench serve`. Goal: ≥ 50 answers/s with 2 workers.",
            "",
            "| workers " + HEADER.split("\n")[0],
            "|---" + HEADER.split("\n")[1],
            *rows,
            "",
            *machine_section(),
        ]
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench-serve.md").write_text(text, encoding="utf-8")
    print(text)
    return text
