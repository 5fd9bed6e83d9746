"""Fault tests: a killed ingest, a damaged index version, a locked feedback store, a stopped Chroma server."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from index_store.store import VersionStore
from ingest.pipeline import run_ingest
from server.app import create_app
from service.core import INDEX_UNAVAILABLE
from tests.conftest import CORPUS, kill_ingest_mid_build
from tests.processes import CHROMA, free_port, stop, wait_http
from tests.ui.handlers import fake_request, gradio_handler
from tthc.settings import Settings


def test_sigkill_during_ingest_service_keeps_answering_and_next_ingest_succeeds(client, api_settings, embeddings_factory):
    before = VersionStore(api_settings.index_dir).current()
    kill_ingest_mid_build(api_settings.data_dir, CORPUS)
    assert VersionStore(api_settings.index_dir).current() == before
    body = client.post("/api/chat", json={"question": "thời hạn cấp đổi CCCD"}).json()
    assert body["focus_code"] == "1.014063"
    assert client.get("/readyz").status_code == 200
    report = run_ingest(api_settings, [CORPUS], embeddings_factory=embeddings_factory)
    assert report.status == "published" and report.previous == before
    assert client.post("/api/chat", json={"question": "thủ tục tách hộ"}).json()["focus_code"] == "1.010038"


def test_damaged_version_fails_readiness_and_rollback_restores_service(client, admin, api_settings, small_corpus, embeddings_factory):
    first = VersionStore(api_settings.index_dir).current()
    (small_corpus / "procedures" / "2.000815.yaml").unlink()
    second = run_ingest(api_settings, [small_corpus], embeddings_factory=embeddings_factory).version
    assert client.get("/readyz").json()["index_version"] == second
    (api_settings.index_dir / "versions" / second / "keywords" / "counts.npz").unlink()
    damaged = client.get("/readyz")
    assert damaged.status_code == 503 and "counts.npz" in damaged.json()["reason"]
    assert client.post("/api/admin/rollback", headers=admin).json()["current"] == first
    restored = client.get("/readyz")
    assert restored.status_code == 200 and restored.json()["index_version"] == first
    assert client.post("/api/chat", json={"question": "chứng thực bản sao từ bản chính"}).json()["focus_code"] == "2.000815"


def test_a_restarted_service_on_a_damaged_version_says_so_clearly(api_settings, embedder):
    current = VersionStore(api_settings.index_dir).current_dir()
    (current / "manifest.json").write_text("{not json", encoding="utf-8")
    with TestClient(create_app(api_settings, embeddings_factory=lambda s: embedder)) as fresh:
        ready = fresh.get("/readyz")
        assert ready.status_code == 503 and "manifest" in ready.json()["reason"]
        chat = fresh.post("/api/chat", json={"question": "đăng ký tạm trú"})
        assert chat.status_code == 503 and "chưa sẵn sàng" in chat.json()["detail"]


def test_locked_feedback_store_delays_but_loses_nothing(client, api_settings):
    answer_id = client.post("/api/chat", json={"question": "đăng ký tạm trú"}).json()["answer_id"]
    client.app.state.service.storage.flush()
    blocker = sqlite3.connect(api_settings.database_path, timeout=1, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.perf_counter()
        chat = client.post("/api/chat", json={"question": "thời hạn cấp đổi CCCD"})
        feedback = client.post("/api/feedback", json={"answer_id": answer_id, "rating": "up"})
        assert chat.status_code == 200 and feedback.status_code == 200
        assert time.perf_counter() - started < 5  # nobody waited for the lock
        time.sleep(0.5)
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    assert client.app.state.service.storage.flush(timeout=30)
    with sqlite3.connect(api_settings.database_path) as db:
        assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 2
        assert db.execute("SELECT rating FROM feedback WHERE answer_id = ?", (answer_id,)).fetchone()[0] == "up"


def test_stopped_chroma_server_gives_503_in_the_api_and_the_ui_then_recovers(tmp_path, small_corpus, embedder):
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} not found")
    port = free_port()
    command = [str(CHROMA), "run", "--path", str(tmp_path / "chroma"), "--host", "127.0.0.1", "--port", str(port)]

    def start() -> subprocess.Popen:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", process=process)
        return process

    server = start()
    settings = Settings(data_dir=tmp_path / "data", chroma_mode="server", chroma_host="127.0.0.1", chroma_port=port)
    run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embedder)
    try:
        with TestClient(create_app(settings, embeddings_factory=lambda s: embedder)) as app:
            assert app.post("/api/chat", json={"question": "đăng ký tạm trú"}).status_code == 200
            stop(server)
            down = app.post("/api/chat", json={"question": "đăng ký tạm trú"})
            assert down.status_code == 503 and "chưa sẵn sàng" in down.json()["detail"]
            ui_chat = gradio_handler(cast(FastAPI, app.app), "ask")
            _, chat, _ = ui_chat("đăng ký tạm trú", [], [], fake_request())
            assert chat[-1]["content"] == INDEX_UNAVAILABLE  # the UI says the same, in Vietnamese
            assert app.get("/readyz").status_code == 503
            server = start()
            deadline = time.time() + 30
            while time.time() < deadline and app.get("/readyz").status_code != 200:
                time.sleep(0.5)
            assert app.get("/readyz").status_code == 200
            assert app.post("/api/chat", json={"question": "đăng ký tạm trú"}).json()["focus_code"] == "1.004194"
    finally:
        stop(server)
