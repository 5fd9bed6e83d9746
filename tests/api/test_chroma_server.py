"""Client-server mode: a real `chroma run` on loopback, ingest through it, and `tthc serve` with 2 workers."""

from __future__ import annotations

import sys

import httpx

from index_store.store import IndexVersion
from ingest import run_ingest
from tests.api.conftest import TOKEN
from tests.conftest import FAKE_EMBEDDING_ENV
from tests.processes import free_port, poll_job, service_env, spawn, wait_http
from tthc.settings import PROJECT_ROOT, Settings


def test_ingest_and_query_through_the_server(tmp_path, small_corpus, embedder, chroma_port):
    settings = Settings(data_dir=tmp_path / "data", chroma_mode="server", chroma_host="127.0.0.1", chroma_port=chroma_port)
    first = run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embedder)
    assert first.status == "published" and first.version
    assert not (settings.index_dir / "versions" / first.version / "chroma").exists()  # vectors live on the server
    (small_corpus / "procedures" / "2.000815.yaml").unlink()
    second = run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embedder)
    assert second.removed == ["2.000815"] and second.embedded == 0  # kept vectors copied on the server
    index = IndexVersion.load(settings)
    assert index.collection.name == f"tthc_{second.version}"
    assert not index.collection.get(where={"code": "2.000815"})["ids"]


def test_two_workers_serve_chat_and_ingest_through_the_server(tmp_path, small_corpus, embedder, chroma_port):
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, chroma_mode="server", chroma_host="127.0.0.1", chroma_port=chroma_port)
    run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embedder)
    port = free_port()
    env = service_env(
        data_dir,
        TTHC_CHROMA_MODE="server",
        TTHC_CHROMA_HOST="127.0.0.1",
        TTHC_CHROMA_PORT=str(chroma_port),
        TTHC_ADMIN_TOKEN=TOKEN,
        TTHC_ADMIN_RATE_PER_MINUTE="1000",
        **FAKE_EMBEDDING_ENV,
    )
    command = ["-m", "cli", "serve", "--port", str(port), "--workers", "2"]
    with spawn([sys.executable, *command], env, capture=True) as server:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/readyz", timeout=120, process=server)
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(6):  # spread over both workers
                body = client.post("/api/chat", json={"question": "thời hạn cấp đổi CCCD"}).json()
                assert body["focus_code"] == "1.014063"
            upload = (PROJECT_ROOT / "corpus" / "procedures" / "1.010038.yaml").read_bytes()
            headers = {"Authorization": f"Bearer {TOKEN}"}
            job = client.post("/api/admin/ingest", headers=headers, files={"file": ("1.010038.yaml", upload)}).json()
            assert poll_job(client, job["id"], headers, every=0.3)["status"] == "done"
            for _ in range(6):  # every worker picks up the new version
                assert client.post("/api/chat", json={"question": "thủ tục tách hộ"}).json()["focus_code"] == "1.010038"
    errors = server.stderr.read() if server.stderr else ""
    assert "Started parent process" in errors or "Uvicorn running" in errors
