"""Every front goes through one service: the Gradio UI shares the API's rate limit and admin lockout.

A real `tthc serve` on loopback; the UI is called over HTTP with gradio_client, as a browser would.
"""

from __future__ import annotations

import httpx
import pytest
from gradio_client import Client

from ingest import run_ingest
from tests.conftest import FAKE_EMBEDDING_ENV
from tests.processes import serve
from tthc.settings import Settings

TOKEN = "one-service-admin-token"
CHAT_RATE = 4
ADMIN_FAILURES = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    from tests.conftest import CORPUS

    data_dir = tmp_path_factory.mktemp("one-service")
    run_ingest(
        Settings(data_dir=data_dir, embedding_backend="hashing"),
        [CORPUS / "procedures" / "1.004194.yaml"],
        embeddings_factory=lambda s: embedder,
    )
    env = {
        "TTHC_ADMIN_TOKEN": TOKEN,
        "TTHC_CHAT_RATE_PER_MINUTE": str(CHAT_RATE),
        "TTHC_ADMIN_MAX_FAILURES": str(ADMIN_FAILURES),
        **FAKE_EMBEDDING_ENV,
    }
    with serve(data_dir, **env) as base:
        yield base


def _reply(ui: Client, question: str) -> str:
    """The text of the last chat message the UI returns (Gradio sends message content as parts)."""
    content = ui.predict(question, [], api_name="/ask")[1][-1]["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def test_a_burst_on_the_ui_chat_uses_the_same_limit_as_the_api(server):
    ui = Client(f"{server}/ui/", verbose=False)
    replies = [_reply(ui, "đăng ký tạm trú") for _ in range(CHAT_RATE)]
    assert all("1.004194" in reply for reply in replies), replies
    limited = _reply(ui, "đăng ký tạm trú")
    assert "Bạn gửi quá nhiều yêu cầu" in limited
    api = httpx.post(f"{server}/api/chat", json={"question": "đăng ký tạm trú"})  # same client, same bucket
    assert api.status_code == 429 and int(api.headers["Retry-After"]) >= 1


def test_wrong_admin_tokens_in_the_ui_are_throttled(server):
    ui = Client(f"{server}/ui/", verbose=False)
    for _ in range(ADMIN_FAILURES):
        assert ui.predict("sai-ma", api_name="/versions") == "Mã quản trị không đúng."
    assert "Nhập sai mã quản trị quá nhiều lần" in ui.predict(TOKEN, api_name="/versions")  # even the right one, for now
    api = httpx.get(f"{server}/api/admin/versions", headers={"Authorization": f"Bearer {TOKEN}"})
    assert api.status_code == 429 and "quá nhiều lần" in api.json()["detail"]
