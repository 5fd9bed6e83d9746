"""The optional LLM path against a scripted OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.llm import check_grounding
from rag.service import Assistant

FAITHFUL = "Lệ phí đăng ký thành lập hộ kinh doanh là 150.000 đồng khi nộp trực tuyến hoặc qua bưu chính."
INVENTED = "Lệ phí đăng ký thành lập hộ kinh doanh chỉ là 20.000 đồng cho mọi hình thức nộp."


class _ScriptedServer(ThreadingHTTPServer):
    replies: list[str]
    requests: list[dict]


class _Handler(BaseHTTPRequestHandler):
    server: _ScriptedServer

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        content = self.server.replies.pop(0)
        payload = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "scripted"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def scripted_llm() -> Iterator[_ScriptedServer]:
    server = _ScriptedServer(("127.0.0.1", 0), _Handler)
    server.replies, server.requests = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture
def llm_assistant(assistant, corpus_settings, embedder, scripted_llm):
    host, port = scripted_llm.server_address
    settings = corpus_settings.model_copy(update={"llm_base_url": f"http://{host}:{port}/v1", "llm_timeout": 5.0})
    return Assistant(assistant.index, embedder, settings)


def test_faithful_reply_is_used_with_our_source_line(llm_assistant, scripted_llm):
    scripted_llm.replies.append(FAITHFUL)
    answer = llm_assistant.answer("lệ phí đăng ký thành lập hộ kinh doanh")
    assert answer.answer.startswith(FAITHFUL)
    assert "Nguồn: Đăng ký thành lập hộ kinh doanh, mã 1.001612" in answer.answer
    sent = scripted_llm.requests[0]["messages"]
    assert "150.000 đồng" in sent[-1]["content"] and sent[0]["role"] == "system"


def test_reply_with_an_invented_fee_is_replaced_by_the_composed_answer(llm_assistant, scripted_llm, caplog):
    scripted_llm.replies.append(INVENTED)
    answer = llm_assistant.answer("lệ phí đăng ký thành lập hộ kinh doanh")
    assert "20.000" not in answer.answer
    assert answer.answer.startswith("Lệ phí: 150.000 đồng")  # the composed answer, fee first
    assert "number 20000 is not in the sources" in caplog.text


def test_unreachable_llm_falls_back_silently(assistant, corpus_settings, embedder):
    settings = corpus_settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_timeout": 1.0})
    answer = Assistant(assistant.index, embedder, settings).answer("lệ phí đăng ký thành lập hộ kinh doanh")
    assert "150.000 đồng" in answer.answer


def test_grounding_check_rejects_invented_list_items_and_numbers():
    sources = "Hồ sơ gồm:\n- Giấy chứng sinh — 1 bản chính\nThời hạn: 3 ngày làm việc"
    assert check_grounding("Cần:\n- Giấy chứng sinh (1 bản chính)\nXong trong 3 ngày làm việc.", sources).ok
    assert not check_grounding("Xong trong 5 ngày.", sources).ok
    assert not check_grounding("Cần:\n- Sổ hộ khẩu bản gốc có công chứng", sources).ok
