"""Process helpers shared by the tests and the benchmarks: a free port, readiness, spawning, job polling.

Servers spawned here get a temporary data dir through the environment and stop with SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx

from tthc.settings import PROJECT_ROOT

CHROMA = Path(sys.executable).with_name("chroma")


class _Getter(Protocol):
    def get(self, url: str, *, headers: dict[str, str]) -> Any: ...


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 120.0, process: subprocess.Popen | None = None) -> None:
    """Until ``url`` answers 200; fails early when the process it waits for has died."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process serving {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not become ready")


def stop(child: subprocess.Popen, timeout: float = 30.0) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


@contextmanager
def spawn(command: list[str], env: dict[str, str], capture: bool = False) -> Iterator[subprocess.Popen]:
    """A child process in the project root; stopped on exit. ``capture`` keeps stderr for the caller."""
    child = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if capture else subprocess.DEVNULL,
        text=capture,
    )
    try:
        yield child
    finally:
        stop(child)


def service_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a spawned `tthc` process: its own data dir and no chat rate limit unless given."""
    return {**os.environ, "TTHC_DATA_DIR": str(data_dir), "TTHC_CHAT_RATE_PER_MINUTE": "1000000", "TQDM_DISABLE": "1", **extra}


@contextmanager
def serve(data_dir: Path, *args: str, **extra_env: str) -> Iterator[str]:
    """`tthc serve` on a free port until the block ends; yields its base URL once it is ready."""
    port = free_port()
    with spawn([sys.executable, "-m", "cli", "serve", "--port", str(port), *args], service_env(data_dir, **extra_env)) as child:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/readyz", process=child)
        yield base


@contextmanager
def chroma_server(path: Path) -> Iterator[int]:
    """A real `chroma run` on loopback; yields its port."""
    port = free_port()
    with spawn([str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)], dict(os.environ)) as child:
        wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", 60, process=child)
        yield port


def poll_job(client: _Getter, job_id: str, headers: dict[str, str], timeout: float = 120.0, every: float = 0.2) -> dict:
    """An admin ingest job once it is done or failed (works with httpx and FastAPI test clients)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        response = client.get(f"/api/admin/ingest/{job_id}", headers=headers)
        job = response.json()
        if "status" not in job:
            raise AssertionError(f"ingest job {job_id}: HTTP {response.status_code}: {job}")
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(every)
    raise TimeoutError(f"ingest job {job_id} did not finish in {timeout:.0f} s")
