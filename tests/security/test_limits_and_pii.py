"""Input limits, rate limits, CORS, admin token handling and PII redaction, through the real app."""

from __future__ import annotations

import io
import logging
import sqlite3
import time
import zipfile

import pytest

from index_store.store import VersionStore
from service.ratelimit import RateLimiter
from tests.security.conftest import TOKEN
from tthc.pii import redact

SAMPLES = {
    "cccd": "079203004567",
    "cmnd": "271234567",
    "phone": "0912 345 678",
    "phone_intl": "+84 912345678",
    "email": "nguyen.van.an@gmail.com",
    "address": "số 12 đường Lê Duẩn",
}


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("CCCD của tôi là 079203004567, cần cấp đổi", "079203004567"),
        ("CMND số 271 234 567 bị mất", "271 234 567"),
        ("gọi giúp tôi 0912.345.678 nhé", "0912.345.678"),
        ("sđt +84 912 345 678", "912 345 678"),
        ("email an.nguyen@gmail.com", "an.nguyen@gmail.com"),
        ("nhà tôi ở số 12 đường Lê Duẩn, phường Nam Gia Nghĩa", "12 đường Lê Duẩn"),
        ("tôi ở 45/7 hẻm Trần Phú", "45/7 hẻm Trần Phú"),
    ],
)
def test_redaction_on_realistic_samples(text, hidden):
    assert hidden not in redact(text)


def test_redaction_keeps_procedure_facts():
    text = "thời hạn 7 ngày làm việc, lệ phí 10.000 đồng, mã 1.001193, Nghị định 123/2015/NĐ-CP"
    assert redact(text) == text


def test_pii_never_reaches_the_question_log_the_feedback_store_or_the_logs(client, api_settings, caplog):
    caplog.set_level(logging.DEBUG)
    question = (
        f"Tôi tên An, CCCD {SAMPLES['cccd']}, điện thoại {SAMPLES['phone']}, email {SAMPLES['email']}, "
        f"ở {SAMPLES['address']}, muốn đăng ký tạm trú"
    )
    body = client.post("/api/chat", json={"question": question}).json()
    comment = f"cán bộ gọi lại số {SAMPLES['phone_intl']} hoặc CMND {SAMPLES['cmnd']}"
    client.post("/api/feedback", json={"answer_id": body["answer_id"], "rating": "down", "comment": comment})
    client.app.state.service.storage.flush()
    with sqlite3.connect(api_settings.database_path) as db:
        stored = " ".join(
            str(v) for row in db.execute("SELECT * FROM answers UNION ALL SELECT *, NULL, NULL, NULL, NULL FROM feedback") for v in row
        )
    for value in SAMPLES.values():
        assert value not in stored, value
        assert value not in caplog.text, value
    assert "[số giấy tờ]" in stored and "[email]" in stored and "[số điện thoại]" in stored


@pytest.mark.parametrize(
    "question",
    ["đăng ký\x00 tạm trú", "đăng ký\x1b[31m tạm trú", "đăng ký tạm trú\U000e0069\U000e0067\U000e006e"],
)
def test_control_and_tag_characters_are_refused(client, question):
    response = client.post("/api/chat", json={"question": question})
    assert response.status_code == 422 and "ký tự điều khiển" in response.json()["detail"]


def test_zero_width_characters_are_stripped(client):
    body = client.post("/api/chat", json={"question": "đăng\u200b ký tạm\u200d trú"}).json()
    assert body["focus_code"] == "1.004194"


def test_rate_limit_answers_429_with_retry_after(api_settings, embedder):
    from fastapi.testclient import TestClient

    from server.app import create_app

    settings = api_settings.model_copy(update={"chat_rate_per_minute": 3, "admin_rate_per_minute": 2})
    with TestClient(create_app(settings, embeddings_factory=lambda s: embedder)) as limited:
        codes = [limited.get("/api/procedures").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3] == 429
        response = limited.get("/api/procedures")
        assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
        assert "quá nhiều yêu cầu" in response.json()["detail"]
        admin_codes = [limited.get("/api/admin/versions", headers={"Authorization": f"Bearer {TOKEN}"}).status_code for _ in range(3)]
        assert admin_codes == [200, 200, 429]


def test_rate_limiter_memory_is_bounded():
    limiter = RateLimiter(10, max_keys=1000)
    for i in range(50_000):
        limiter.check(f"client-{i}")
    assert len(limiter) == 1000
    assert limiter.check("client-49999") == 0.0  # recent clients are still tracked


def test_cors_allows_only_the_configured_origins(client):
    allowed = client.options("/api/chat", headers={"Origin": "https://namgianghia.lamdong.gov.vn", "Access-Control-Request-Method": "POST"})
    assert allowed.headers.get("access-control-allow-origin") == "https://namgianghia.lamdong.gov.vn"
    other = client.options("/api/chat", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in other.headers


def test_failed_admin_attempts_are_logged_without_the_token(client, caplog):
    caplog.set_level(logging.WARNING)
    client.get("/api/admin/versions", headers={"Authorization": "Bearer guess-number-one"})
    assert "wrong token" in caplog.text and "guess-number-one" not in caplog.text


def _wait(client, admin, job_id):
    deadline = time.time() + 60
    while time.time() < deadline:
        job = client.get(f"/api/admin/ingest/{job_id}", headers=admin).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def test_zip_bomb_disguised_as_xlsx_fails_and_leaves_the_index(client, admin, api_settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (210 * 1024 * 1024))
    before = VersionStore(api_settings.index_dir).current()
    job = client.post("/api/admin/ingest", headers=admin, files={"file": ("danh-sach.xlsx", buffer.getvalue())}).json()
    finished = _wait(client, admin, job["id"])
    assert finished["status"] == "failed" and "quá lớn" in finished["error"]
    assert VersionStore(api_settings.index_dir).current() == before


def test_upload_over_the_size_cap_is_refused(api_settings, embedder, admin):
    from fastapi.testclient import TestClient

    from server.app import create_app

    settings = api_settings.model_copy(update={"max_upload_mb": 1})
    with TestClient(create_app(settings, embeddings_factory=lambda s: embedder)) as small:
        response = small.post("/api/admin/ingest", headers=admin, files={"file": ("big.jsonl", b"x" * (1024 * 1024 + 10))})
    assert response.status_code == 413 and "quá lớn" in response.json()["detail"]
