"""Process helpers shared by the tests and the benchmarks: a free port, readiness, spawning, job polling, PostgreSQL.

Servers spawned here get a temporary data dir through the environment and stop with SIGTERM.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx
import psycopg

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


def postgres_bin() -> Path | None:
    """The directory with PostgreSQL's `initdb` and `postgres`: on PATH, else Debian's /usr/lib/postgresql/<version>/bin."""
    initdb = shutil.which("initdb")
    if initdb and Path(initdb).with_name("postgres").exists():
        return Path(initdb).parent
    debian = [d for d in Path("/usr/lib/postgresql").glob("*/bin") if (d / "initdb").exists() and (d / "postgres").exists()]
    return max(debian, key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0) if debian else None


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary directory, reachable on 127.0.0.1 without a password.

    initdb and postgres refuse to run as root, so under root they run as the `postgres` user that
    Debian's package creates (``Popen(user=...)``, the same as `runuser -u postgres`).
    """

    USER = "tthc"

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="tthc-pg-"))
        self.port = free_port()
        self._run_as: str | None = None
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise RuntimeError("running as root and there is no 'postgres' user to run PostgreSQL as") from exc
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._run_as = "postgres"
        self.process: subprocess.Popen | None = None
        subprocess.run(
            [str(bin_dir / "initdb"), "-D", str(self.root / "data"), "-U", self.USER, "--auth=trust", "-E", "UTF8", "--no-locale"]
            + ["--no-sync"],
            cwd=self.root,
            user=self._run_as,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.USER}@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 60.0) -> None:
        command = [str(self.bin_dir / "postgres"), "-D", str(self.root / "data"), "-p", str(self.port), "-k", str(self.root)]
        command += ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]
        with (self.root / "server.log").open("ab") as log_file:
            self.process = subprocess.Popen(command, cwd=self.root, user=self._run_as, stdout=log_file, stderr=log_file)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.process.returncode}: {self.log()[-2000:]}")
            try:
                psycopg.connect(self.url(), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                time.sleep(0.2)
        raise RuntimeError(f"postgres did not accept connections in {timeout:.0f} s: {self.log()[-2000:]}")

    def stop(self) -> None:
        """Fast shutdown (SIGINT): open sessions are ended, as when a server restarts."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return (self.root / "server.log").read_text(errors="replace")

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        name = f"tthc_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def terminate_sessions(self, url: str) -> int:
        """End every session on the database of ``url`` (as an administrator or a crash would); returns how many."""
        database = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as connection:
            rows = connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (database,)
            ).fetchall()
        return len(rows)


@contextmanager
def postgres_cluster(bin_dir: Path) -> Iterator[PostgresCluster]:
    """A started throwaway cluster, stopped and deleted when the block ends."""
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)
