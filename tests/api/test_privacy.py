"""Question texts are for administrators only: every route and every UI event, called without the token, is checked.

A distinctive question and comment are planted first; the admin statistics show them (so they are reachable),
and no unauthenticated response from any API route, page or Gradio handler contains them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pandas as pd
from fastapi import FastAPI
from starlette.routing import Mount

from tests.ui.handlers import fake_request, gradio_handler
from tthc.settings import PRIVACY_NOTICE
from ui.app import EXAMPLES

PLANTED = "quokkaxyzzy"
PLANTED_QUESTION = f"con {PLANTED} ăn gì vào buổi sáng"
PLANTED_COMMENT = f"góp ý {PLANTED} bí mật"


def _plant(client) -> str:
    """A refused question (so it lands among the unanswered) with a rated, commented answer; returns its id."""
    answer_id = client.post("/api/chat", json={"question": PLANTED_QUESTION}).json()["answer_id"]
    client.post("/api/feedback", json={"answer_id": answer_id, "rating": "down", "comment": PLANTED_COMMENT})
    return answer_id


def _api_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every HTTP route outside the Gradio mount, including routes left out of the schema."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        # FastAPI keeps included routers as one entry; their routes are listed by effective_route_contexts
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for context in contexts:
            path = getattr(context, "path", "")
            found |= {(method, path) for method in getattr(context, "methods", None) or () if method != "HEAD"}
    for path, operations in app.openapi()["paths"].items():
        found |= {(method.upper(), path) for method in operations}
    return found


def _ui_pages(app: FastAPI) -> list[str]:
    """The Gradio mount's GET routes that take no path parameter (config, page, manifest, monitoring…)."""
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/ui")
    paths = [getattr(r, "path", "") for r in mount.routes if "GET" in (getattr(r, "methods", None) or ())]
    return [f"/ui{path}" for path in paths if "{" not in path]


def test_stats_with_texts_need_the_admin_token_and_public_counts_do_not(client, admin):
    _plant(client)
    assert client.get("/api/stats").status_code == 401
    assert client.get("/api/stats", headers={"Authorization": "Bearer wrong"}).status_code == 403
    full = client.get("/api/stats", headers=admin).json()
    assert any(PLANTED in row["question"] for row in full["unanswered"])
    public = client.get("/api/stats/public")
    assert public.status_code == 200 and PLANTED not in public.text
    body = public.json()
    assert set(body) == {"questions_per_day", "feedback_up", "feedback_down", "satisfaction", "satisfaction_target"}
    today = body["questions_per_day"][0]
    assert (today["questions"], today["refused"], today["feedback_up"], today["feedback_down"]) == (1, 1, 0, 1)
    assert body["feedback_down"] == 1 and body["satisfaction"] == 0.0 and body["satisfaction_target"] == 0.97


def test_no_api_route_or_page_shows_question_texts_without_the_token(client):
    answer_id = _plant(client)
    calls: dict[tuple[str, str], Callable[[], Any]] = {
        ("GET", "/healthz"): lambda: client.get("/healthz"),
        ("GET", "/readyz"): lambda: client.get("/readyz"),
        ("POST", "/api/chat"): lambda: client.post("/api/chat", json={"question": "đăng ký tạm trú"}),
        ("POST", "/api/chat/stream"): lambda: client.post("/api/chat/stream", json={"question": "đăng ký tạm trú"}),
        ("GET", "/api/search"): lambda: client.get("/api/search", params={"q": "tạm trú"}),
        ("GET", "/api/procedures"): lambda: client.get("/api/procedures"),
        ("GET", "/api/procedures/{code}"): lambda: client.get("/api/procedures/1.004194"),
        ("POST", "/api/feedback"): lambda: client.post("/api/feedback", json={"answer_id": answer_id, "rating": "up"}),
        ("GET", "/api/stats"): lambda: client.get("/api/stats"),
        ("GET", "/api/stats/public"): lambda: client.get("/api/stats/public"),
        ("GET", "/api/limits"): lambda: client.get("/api/limits"),
        ("POST", "/api/admin/ingest"): lambda: client.post("/api/admin/ingest", files={"file": ("a.yaml", b"code: x")}),
        ("GET", "/api/admin/ingest/{job_id}"): lambda: client.get("/api/admin/ingest/abc"),
        ("GET", "/api/admin/versions"): lambda: client.get("/api/admin/versions"),
        ("POST", "/api/admin/rollback"): lambda: client.post("/api/admin/rollback"),
        ("GET", "/api/admin/versions/{version}/changes"): lambda: client.get("/api/admin/versions/v1/changes"),
        ("GET", "/api/updates"): lambda: client.get("/api/updates"),
        ("GET", "/openapi.json"): lambda: client.get("/openapi.json"),
        ("GET", "/docs"): lambda: client.get("/docs"),
        ("GET", "/docs/oauth2-redirect"): lambda: client.get("/docs/oauth2-redirect"),
        ("GET", "/redoc"): lambda: client.get("/redoc"),
        ("GET", "/widget"): lambda: client.get("/widget"),
        ("GET", "/widget.js"): lambda: client.get("/widget.js"),
        ("GET", "/widget/static/{name}"): lambda: client.get("/widget/static/widget.js"),
        ("GET", "/thu-tuc/{code:path}"): lambda: client.get("/thu-tuc/1.004194"),
    }
    assert _api_routes(client.app) == set(calls), "a route was added: list it here with an unauthenticated call"
    for route, call in calls.items():
        response = call()
        assert response.status_code < 500, route
        assert PLANTED not in response.text, route
    assert client.get("/api/stats").status_code == 401
    pages = _ui_pages(client.app)
    assert "/ui/config" in pages
    for page in pages:
        assert PLANTED not in client.get(page).text, page


def test_no_gradio_handler_shows_question_texts_without_the_token(client):
    answer_id = _plant(client)
    app, request = client.app, fake_request()
    row = pd.DataFrame([["1.004194", "Đăng ký tạm trú", "Đăng ký, quản lý cư trú", "Cấp xã", ""]])
    calls: dict[str, tuple] = {
        "load_example": ((0, [EXAMPLES[0]]),),
        "ask": ("đăng ký tạm trú", [], [], request),
        "ask_1": ("đăng ký tạm trú", [], [], request),
        "rate": ([answer_id], SimpleNamespace(index=0, liked=True), request),
        "search": ("tạm trú", None, None, request),
        "search_1": ("tạm trú", None, None, request),
        "select_row": (row, SimpleNamespace(index=[0, 0]), request),
        "card": ("1.004194", request),
        "updates": (request,),
        "recent_updates": (request,),
        "upload": ("", None, False, request),
        "job_status": ("", "abc", request),
        "versions": ("", request),
        "do_rollback": ("", request),
        "stats": ("", request),
    }
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/ui")
    published = {fn.api_name for fn in mount.app.get_blocks().fns.values()}  # type: ignore[attr-defined]  # Gradio's own app class
    assert published == set(calls), "a UI event was added: list it here with an unauthenticated call"
    for name, args in calls.items():
        assert PLANTED not in str(gradio_handler(app, name)(*args)), name
    assert PLANTED not in str(gradio_handler(app, "stats")("sai-ma", request))
    assert PLANTED in str(gradio_handler(app, "stats")(client.app.state.service.settings.admin_token, request))


PERSONAL = {"name": "Nguyễn Thị Quỳnh Hoa", "cccd": "079203004567", "phone": "0912345678", "address": "số 12 đường Lê Duẩn"}
PERSONAL_QUESTIONS = [
    f"Tôi là {PERSONAL['name']}, CCCD {PERSONAL['cccd']}, muốn đăng ký tạm trú thì cần giấy tờ gì?",
    f"Con tôi mới sinh, mẹ là {PERSONAL['name']}, điện thoại {PERSONAL['phone']}, làm giấy khai sinh cần gì?",
    f"thời hạn cấp đổi CCCD {PERSONAL['cccd']} bao lâu, tôi ở {PERSONAL['address']}",
    f"{PERSONAL['name']} {PERSONAL['phone']} lệ phí đăng ký kết hôn",
]


def test_answers_never_echo_the_personal_data_in_the_question(client):
    answered = 0
    for question in PERSONAL_QUESTIONS:
        history = [{"role": "user", "content": question}, {"role": "assistant", "content": "Bạn cần hỏi thủ tục nào?"}]
        for response in (
            client.post("/api/chat", json={"question": question}),
            client.post("/api/chat", json={"question": "còn lệ phí thì sao?", "history": history}),
            client.post("/api/chat/stream", json={"question": question}),
        ):
            assert response.status_code == 200, response.text
            for value in PERSONAL.values():
                assert value not in response.text, (question, value)
            answered += '"refused":false' in response.text.replace(" ", "")
    assert answered >= len(PERSONAL_QUESTIONS)  # answered from records, not just refused


def test_the_privacy_notice_sits_beside_both_chat_inputs(client):
    widget = client.get("/widget").text
    composer = widget[widget.index('<footer class="composer">') : widget.index("</footer>")]
    assert composer.index(PRIVACY_NOTICE) < composer.index('id="q"')  # right above the question box
    assert PRIVACY_NOTICE in json.dumps(client.get("/ui/config").json(), ensure_ascii=False)
