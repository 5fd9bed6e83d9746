"""Every route of the API, through the real app."""

from __future__ import annotations

import json
import threading
import time

import pytest
from fastapi.testclient import TestClient

from index_store.store import VersionStore
from server.app import create_app


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_chat_returns_the_answer_object_with_an_id(client):
    body = client.post("/api/chat", json={"question": "lam giay khai sinh cho con can gi"}).json()
    assert body["focus_code"] == "1.001193" and body["answer_id"]
    assert set(body) >= {"answer", "refused", "clarification", "citations", "retrieved", "focus_code", "confidence", "latency_ms"}
    assert body["citations"][0]["url"].startswith("https://")


def test_chat_uses_the_history_it_is_given(client):
    history = [
        {"role": "user", "content": "đăng ký kết hôn cần giấy tờ gì"},
        {"role": "assistant", "content": "Đăng ký kết hôn (mã 1.000894)"},
    ]
    body = client.post("/api/chat", json={"question": "còn lệ phí thì sao?", "history": history}).json()
    assert body["focus_code"] == "1.000894" and body["answer"].startswith("Lệ phí: Miễn phí.")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"question": ""}, "trống"),
        ({"question": "   ?!... "}, "trống"),
        ({"question": "a" * 1001}, "quá dài"),
        ({"question": "hỏi", "history": [{"role": "user", "content": "x"}] * 11}, "Lịch sử hội thoại quá dài"),
        ({"question": "hỏi", "history": [{"role": "system", "content": "x"}]}, "không hợp lệ"),
        ({}, "không hợp lệ"),
    ],
)
def test_bad_chat_input_gets_a_vietnamese_422(client, payload, message):
    response = client.post("/api/chat", json=payload)
    assert response.status_code == 422 and message in response.json()["detail"]


def test_hidden_characters_are_stripped_and_tag_characters_refused(client):
    body = client.post("/api/chat", json={"question": "đăng\u200b ký tạm\u2060 trú"}).json()
    assert body["focus_code"] == "1.004194"
    assert client.post("/api/chat", json={"question": "đăng ký tạm\U000e0041 trú"}).status_code == 422


def test_stream_sends_deltas_then_the_full_answer(client):
    with client.stream("POST", "/api/chat/stream", json={"question": "thời hạn cấp đổi CCCD"}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = [block for block in text.split("\n\n") if block]
    assert events[0].startswith("event: delta") and events[-1].startswith("event: done")
    done = json.loads(events[-1].split("data: ", 1)[1])
    assert done["focus_code"] == "1.014063" and done["answer_id"]


def test_search_with_filters_and_snippets(client):
    hits = client.get("/api/search", params={"q": "cap doi can cuoc"}).json()["hits"]
    assert hits[0]["code"] == "1.014063" and hits[0]["snippet"]
    only = client.get("/api/search", params={"q": "đăng ký", "field": "Hộ tịch", "limit": 5}).json()["hits"]
    assert only and all(h["field"] == "Hộ tịch" for h in only)
    assert client.get("/api/search", params={"q": "***"}).status_code == 422
    assert client.get("/api/search", params={"q": "x", "limit": 500}).status_code == 422


def test_procedure_list_and_card(client):
    page = client.get("/api/procedures", params={"page_size": 2}).json()
    assert page["total"] == 6 and len(page["items"]) == 2
    assert client.get("/api/procedures", params={"field": "Chứng thực"}).json()["total"] == 1
    card = client.get("/api/procedures/1.001193").json()
    assert card["channels"] and card["documents"] and card["steps"] and card["legal_basis"]
    assert card["checklist"].startswith("DANH SÁCH GIẤY TỜ — Đăng ký khai sinh") and "[ ] Giấy chứng sinh" in card["checklist"]
    missing = client.get("/api/procedures/9.999999")
    assert missing.status_code == 404 and "Không tìm thấy" in missing.json()["detail"]


def test_feedback_is_counted_in_the_stats(client, admin):
    answer_id = client.post("/api/chat", json={"question": "đăng ký tạm trú"}).json()["answer_id"]
    assert client.post("/api/feedback", json={"answer_id": answer_id, "rating": "up"}).json() == {"ok": True}
    client.post("/api/feedback", json={"answer_id": answer_id, "rating": "down", "comment": "gọi 0912345678"})
    assert client.post("/api/feedback", json={"answer_id": "nope", "rating": "up"}).status_code == 404
    assert client.post("/api/feedback", json={"answer_id": answer_id, "rating": "meh"}).status_code == 422
    client.post("/api/chat", json={"question": "thời tiết hôm nay"})
    stats = client.get("/api/stats", headers=admin).json()
    assert stats["feedback_up"] == 1 and stats["feedback_down"] == 1 and stats["satisfaction"] == 0.5
    assert stats["satisfaction_target"] == 0.97
    assert stats["questions_per_day"][0]["questions"] == 2 and stats["questions_per_day"][0]["refused"] == 1
    assert stats["most_asked"][0]["code"] == "1.004194" and stats["most_asked"][0]["name"] == "Đăng ký tạm trú"
    assert any("thời tiết" in q["question"] for q in stats["unanswered"])


def test_admin_routes_need_the_token(client, admin):
    assert client.get("/api/admin/versions").status_code == 401
    assert client.get("/api/admin/versions", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/api/admin/versions", headers={"Authorization": "Basic abc"}).status_code == 401
    versions = client.get("/api/admin/versions", headers=admin).json()
    assert versions["current"] in versions["versions"]


def test_admin_routes_stay_off_with_the_default_token(api_settings, embedder):
    from fastapi.testclient import TestClient

    from server.app import create_app

    settings = api_settings.model_copy(update={"admin_token": "change-me"})
    with TestClient(create_app(settings, embeddings_factory=lambda s: embedder)) as test_client:
        response = test_client.get("/api/admin/versions", headers={"Authorization": "Bearer change-me"})
    assert response.status_code == 403 and "TTHC_ADMIN_TOKEN" in response.json()["detail"]


def _wait_for_job(client, admin, job_id: str, timeout: float = 120.0) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = client.get(f"/api/admin/ingest/{job_id}", headers=admin).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


def test_ingest_job_runs_while_chat_keeps_answering(client, admin, api_settings):
    from tests.conftest import CORPUS

    before = VersionStore(api_settings.index_dir).current()
    upload = (CORPUS / "procedures" / "1.010038.yaml").read_bytes()
    errors: list[str] = []
    stop = threading.Event()

    def chat_loop() -> None:
        while not stop.is_set():
            response = client.post("/api/chat", json={"question": "đăng ký tạm trú cần gì"})
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.text[:100]}")

    worker = threading.Thread(target=chat_loop)
    worker.start()
    job = client.post("/api/admin/ingest", headers=admin, files={"file": ("1.010038.yaml", upload, "application/yaml")}).json()
    assert job["status"] in ("queued", "running")
    finished = _wait_for_job(client, admin, job["id"])
    time.sleep(0.5)
    stop.set()
    worker.join()
    assert errors == []
    assert finished["status"] == "done" and finished["report"]["added"] == ["1.010038"]
    assert VersionStore(api_settings.index_dir).current() != before
    # the running service picked up the new version without a restart
    assert client.post("/api/chat", json={"question": "thủ tục tách hộ"}).json()["focus_code"] == "1.010038"
    assert client.get("/readyz").json()["index_version"] == finished["report"]["version"]

    rolled = client.post("/api/admin/rollback", headers=admin).json()
    assert rolled["current"] == before
    assert client.get("/api/procedures/1.010038").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("list.xlsx", b"this is not a spreadsheet", "hỏng"),
        ("records.jsonl", '{"ma_thu_tuc": "1"}\n'.encode("utf-16"), "UTF-8"),
        ("records.json", b'{"unexpected": "shape"}', ""),
    ],
)
def test_broken_uploads_fail_with_a_reason_and_leave_the_index(client, admin, api_settings, name, content, reason):
    before = VersionStore(api_settings.index_dir).current()
    job = client.post("/api/admin/ingest", headers=admin, files={"file": (name, content)}).json()
    finished = _wait_for_job(client, admin, job["id"])
    assert finished["status"] == "failed" and reason in (finished["error"] or "")
    assert VersionStore(api_settings.index_dir).current() == before


def test_upload_names_are_checked(client, admin):
    response = client.post("/api/admin/ingest", headers=admin, files={"file": ("run.sh", b"echo hi")})
    assert response.status_code == 422 and "không được hỗ trợ" in response.json()["detail"]
    job = client.post("/api/admin/ingest", headers=admin, files={"file": ("../../etc/passwd.yaml", b"code: x")}).json()
    assert job["filename"] == "passwd.yaml"


def test_openapi_docs_and_ui_are_served(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/chat",
        "/api/chat/stream",
        "/api/search",
        "/api/procedures",
        "/api/procedures/{code}",
        "/api/feedback",
        "/api/stats",
        "/api/stats/public",
        "/api/admin/ingest",
        "/api/admin/ingest/{job_id}",
        "/api/admin/versions",
        "/api/admin/rollback",
        "/healthz",
        "/readyz",
    ):
        assert path in paths, path
    assert client.get("/ui/").status_code == 200
    widget = client.get("/widget")
    assert widget.status_code == 200 and "/widget/static/widget.js" in widget.text
    script = client.get("/widget/static/widget.js")
    assert script.headers["content-type"].startswith("application/javascript")
    assert "textContent" in script.text and "innerHTML" not in script.text
    assert client.get("/widget/static/..%2Fwidget.py").status_code == 404
    assert client.get("/widget.js").headers["content-type"].startswith("application/javascript")


def test_the_widget_and_the_api_name_the_configured_ward(api_settings, embedder):
    settings = api_settings.model_copy(update={"ward_name": "xã <Đắk> Mil"})
    with TestClient(create_app(settings, embeddings_factory=lambda s: embedder)) as other:
        page = other.get("/widget").text
        assert "Hỏi đáp thủ tục hành chính — xã &lt;Đắk&gt; Mil" in page and "<p>Xã &lt;Đắk&gt; Mil</p>" in page
        assert "Nam Gia Nghĩa" not in page and "__WARD" not in page
        assert other.get("/openapi.json").json()["info"]["title"] == "Trợ lý thủ tục hành chính — xã <Đắk> Mil"


def test_security_headers(client):
    response = client.get("/api/procedures")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'self' https://namgianghia.lamdong.gov.vn" in client.get("/widget").headers["content-security-policy"]
