"""Client-server mode: a real `chroma run` on loopback, ingest through it, and `tthc serve` with 2 workers."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from eval.bench_serve import free_port, wait_http
from ingest.pipeline import run_ingest
from ingest.store import IndexVersion
from tests.api.conftest import TOKEN
from tthc.settings import PROJECT_ROOT, Settings

CHROMA = Path(sys.executable).with_name("chroma")


_free_port = free_port
_wait_http = wait_http


@pytest.fixture
def chroma_server(tmp_path):
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} not found")
    port = _free_port()
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat")
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def test_ingest_and_query_through_the_server(tmp_path, small_corpus, embedder, chroma_server):
    settings = Settings(data_dir=tmp_path / "data", chroma_mode="server", chroma_host="127.0.0.1", chroma_port=chroma_server)
    first = run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embedder)
    assert first.status == "published"
    assert not (settings.index_dir / "versions" / first.version / "chroma").exists()  # vectors live on the server
    (small_corpus / "procedures" / "2.000815.yaml").unlink()
    second = run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embedder)
    assert second.removed == ["2.000815"] and second.embedded == 0  # kept vectors copied on the server
    index = IndexVersion.load(settings)
    assert index.collection.name == f"tthc_{second.version}"
    assert not index.collection.get(where={"code": "2.000815"})["ids"]


def test_two_workers_serve_chat_and_ingest_through_the_server(tmp_path, small_corpus, embedder, chroma_server):
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, chroma_mode="server", chroma_host="127.0.0.1", chroma_port=chroma_server)
    run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embedder)
    port = _free_port()
    env = {
        **os.environ,
        "TTHC_DATA_DIR": str(data_dir),
        "TTHC_CHROMA_MODE": "server",
        "TTHC_CHROMA_HOST": "127.0.0.1",
        "TTHC_CHROMA_PORT": str(chroma_server),
        "TTHC_ADMIN_TOKEN": TOKEN,
        "TTHC_CHAT_RATE_PER_MINUTE": "1000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "tthc.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base}/healthz")
        _wait_http(f"{base}/readyz", timeout=120)
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(6):  # spread over both workers
                body = client.post("/api/chat", json={"question": "thời hạn cấp đổi CCCD"}).json()
                assert body["focus_code"] == "1.014063"
            upload = (PROJECT_ROOT / "corpus" / "procedures" / "1.010038.yaml").read_bytes()
            headers = {"Authorization": f"Bearer {TOKEN}"}
            job = client.post("/api/admin/ingest", headers=headers, files={"file": ("1.010038.yaml", upload)}).json()
            deadline = time.time() + 120
            while time.time() < deadline:
                status = client.get(f"/api/admin/ingest/{job['id']}", headers=headers).json()
                if status["status"] in ("done", "failed"):
                    break
                time.sleep(0.3)
            assert status["status"] == "done", status
            for _ in range(6):  # every worker picks up the new version
                assert client.post("/api/chat", json={"question": "thủ tục tách hộ"}).json()["focus_code"] == "1.010038"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            _, errors = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, errors = server.communicate()
    assert "Started parent process" in errors or "Uvicorn running" in errors
    shutil.rmtree(data_dir, ignore_errors=True)
