"""Over HTTP, as a browser or a script would: no Gradio API endpoint returns question texts without the token.

A real `tthc serve`; a distinctive question is planted through the API, then every endpoint Gradio publishes
is called with gradio_client and no token (tests/api/test_privacy.py calls the same handlers in process).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gradio_client import Client

from ingest import run_ingest
from tests.conftest import CORPUS, FAKE_EMBEDDING_ENV
from tests.processes import serve
from tthc.settings import Settings

TOKEN = "privacy-over-http-token"
PLANTED = "quokkaxyzzy"


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    data_dir = tmp_path_factory.mktemp("privacy-http")
    run_ingest(
        Settings(data_dir=data_dir, embedding_backend="hashing"),
        [CORPUS / "procedures" / "1.004194.yaml"],
        embeddings_factory=lambda s: embedder,
    )
    with serve(data_dir, TTHC_ADMIN_TOKEN=TOKEN, TTHC_ADMIN_RATE_PER_MINUTE="1000", **FAKE_EMBEDDING_ENV) as base:
        yield base


def _outcome(ui: Client, endpoint: str, args: tuple) -> str:
    """What the endpoint returns, or the error it reports: both must be free of question texts."""
    try:
        result: Any = ui.predict(*args, api_name=endpoint)
    except Exception as exc:  # an endpoint refusing odd input is fine; what it says is checked like a result
        return str(exc)
    return str(result)


def test_no_gradio_endpoint_returns_question_texts_without_the_token(server):
    answer = httpx.post(f"{server}/api/chat", json={"question": f"con {PLANTED} ăn gì vào buổi sáng"}).json()
    assert answer["answer_id"]
    ui = Client(f"{server}/ui/", verbose=False)
    table = {"headers": ["Mã", "Tên thủ tục", "Lĩnh vực", "Cấp", "Đoạn khớp"], "data": [["1.004194", "", "", "", ""]]}
    calls: dict[str, tuple] = {
        "/ask": ("đăng ký tạm trú", []),
        "/rate": (),
        "/search": ("tạm trú", None, None),
        "/select_row": (table,),
        "/card": ("1.004194",),
        "/updates": (),
        "/upload": ("", None, False),
        "/job_status": ("", "abc"),
        "/versions": ("",),
        "/do_rollback": ("",),
        "/stats": ("",),
    }
    published = set(ui.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert published == set(calls), "a UI endpoint was added: list it here with an unauthenticated call"
    for endpoint, args in calls.items():
        assert PLANTED not in _outcome(ui, endpoint, args), endpoint
    assert "Mã quản trị không đúng." in _outcome(ui, "/stats", ("sai-ma",))
    assert PLANTED in _outcome(ui, "/stats", (TOKEN,))  # the text is there, for administrators
