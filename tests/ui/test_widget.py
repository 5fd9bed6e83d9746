"""The widget citizens use, in Debian's Chromium against the real server: ask, sources, the card page,
feedback, choices, continuity, error states, keyboard use, axe-core, and the README's iframe snippet.

Set TTHC_SAVE_SCREENSHOTS=1 to write widget-360.png, widget-1280.png and thu-tuc.png to docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from ingest import run_ingest
from tests.conftest import FAKE_EMBEDDING_ENV
from tests.processes import serve
from tests.ui.test_browser import SHOTS, TOKEN
from tthc.settings import Settings

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WAIT = 30000


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, embedder):
    from tests.conftest import CORPUS

    data_dir = tmp_path_factory.mktemp("widget-data")
    run_ingest(Settings(data_dir=data_dir, embedding_backend="hashing"), [CORPUS], embeddings_factory=lambda s: embedder)
    return data_dir


@pytest.fixture(scope="module")
def server(data_dir):
    with serve(data_dir, TTHC_ADMIN_TOKEN=TOKEN, TTHC_CHAT_RATE_PER_MINUTE="1000", **FAKE_EMBEDDING_ENV) as base:
        yield base


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    yield context.new_page()
    context.close()


def _shot(page, name: str, full_page: bool = False) -> None:
    """The widget is a fixed-height app: what the screen shows; the card page is shot whole."""
    if os.environ.get("TTHC_SAVE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=full_page)


def _ask(page, question: str) -> None:
    page.get_by_label("Câu hỏi", exact=True).fill(question)
    page.get_by_role("button", name="Gửi", exact=True).click()


def _answers(page):
    return page.locator("#log .msg.bot:not(#welcome):not(.error)")


def _stats(server: str) -> dict:
    return httpx.get(f"{server}/api/stats", headers={"Authorization": f"Bearer {TOKEN}"}).json()


def test_ask_then_click_a_source_opens_the_card_with_its_checklist(server, phone):
    phone.goto(f"{server}/widget")
    assert phone.get_by_role("group", name="Câu hỏi gợi ý").get_by_role("button").count() >= 3
    _ask(phone, "lam giay khai sinh cho con can gi")
    source = phone.locator(".sources a", has_text="1.001193 — Đăng ký khai sinh")
    source.wait_for(timeout=WAIT)
    assert source.get_attribute("href") == "/thu-tuc/1.001193"
    assert not phone.get_by_role("group", name="Câu hỏi gợi ý").is_visible()
    _shot(phone, "widget-360.png")
    with phone.context.expect_page() as opened:
        source.click()
    card = opened.value
    card.wait_for_load_state()
    assert "Đăng ký khai sinh" in card.get_by_role("heading", level=1).inner_text()
    assert card.locator("#checklist").inner_text().startswith("DANH SÁCH GIẤY TỜ — Đăng ký khai sinh")
    assert card.get_by_role("button", name="In danh sách giấy tờ").is_visible()
    online = card.get_by_role("link", name="Nộp trực tuyến")
    assert online.get_attribute("href").startswith("https://dichvucong.gov.vn/")
    _shot(card, "thu-tuc.png", full_page=True)


def test_the_card_page_escapes_and_answers_a_missing_code_in_vietnamese(server, phone):
    response = phone.goto(f"{server}/thu-tuc/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status == 404
    assert phone.get_by_role("heading", name="Không tìm thấy thủ tục").is_visible()
    assert phone.locator("script:not([src])").count() == 0
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]


def test_thumbs_down_with_a_comment_is_counted_in_the_admin_statistics(server, phone):
    phone.goto(f"{server}/widget")
    _ask(phone, "thời hạn cấp đổi CCCD")
    _answers(phone).first.locator(".sources a").first.wait_for(timeout=WAIT)
    before = _stats(server)
    phone.get_by_role("button", name="Chưa hài lòng").click()
    phone.get_by_label("Câu trả lời chưa đủ").check()
    phone.get_by_label("Góp ý thêm").fill("Thiếu lệ phí khi làm trực tuyến")
    phone.get_by_role("button", name="Gửi góp ý").click()
    phone.get_by_text("Cảm ơn bạn đã đánh giá!").wait_for(timeout=WAIT)
    after = _stats(server)
    assert after["feedback_down"] == before["feedback_down"] + 1
    assert after["feedback_up"] == before["feedback_up"]
    assert after["satisfaction"] is not None and after["satisfaction"] < 1
    latest = after["comments"][0]
    assert latest["rating"] == "down" and latest["comment"] == "Câu trả lời chưa đủ — Thiếu lệ phí khi làm trực tuyến"
    assert latest["question"] == "thời hạn cấp đổi CCCD"


def test_thumbs_up_is_counted_and_the_buttons_are_gone_after_a_reload(server, phone):
    phone.goto(f"{server}/widget")
    _ask(phone, "đăng ký tạm trú nộp ở đâu")
    _answers(phone).first.locator(".sources a").first.wait_for(timeout=WAIT)
    before = _stats(server)["feedback_up"]
    phone.get_by_role("button", name="Hài lòng", exact=True).click()
    phone.get_by_text("Cảm ơn bạn đã đánh giá!").wait_for(timeout=WAIT)
    assert _stats(server)["feedback_up"] == before + 1
    phone.reload()
    _answers(phone).first.wait_for(timeout=WAIT)
    assert phone.get_by_role("button", name="Hài lòng", exact=True).count() == 0


def test_a_clarification_shows_choices_and_a_choice_gets_the_focused_answer(server, phone):
    phone.goto(f"{server}/widget")
    _ask(phone, "chứng thực chữ ký người dịch")
    choices = phone.locator("button.choice")
    choices.first.wait_for(timeout=WAIT)
    codes = [choices.nth(i).get_attribute("data-code") for i in range(choices.count())]
    assert {"2.000992", "2.001008"} <= set(codes)
    chosen = phone.locator("button.choice[data-code='2.001008']")
    name = chosen.inner_text().strip()
    chosen.click()
    _answers(phone).nth(1).locator(".sources a", has_text="2.001008").wait_for(timeout=WAIT)
    assert name in phone.locator("#log .msg.user").nth(1).inner_text()


def test_reload_keeps_the_conversation_and_clear_empties_it(server, phone):
    phone.goto(f"{server}/widget")
    _ask(phone, "đăng ký kết hôn cần gì")
    _answers(phone).first.locator(".sources a").first.wait_for(timeout=WAIT)
    phone.get_by_role("button", name="A+ chữ lớn").click()
    phone.reload()
    _answers(phone).first.wait_for(timeout=WAIT)
    assert phone.locator("#log .msg.user").first.inner_text().endswith("đăng ký kết hôn cần gì")
    assert phone.get_by_role("button", name="A+ chữ lớn").get_attribute("aria-pressed") == "true"
    phone.get_by_role("button", name="Xóa cuộc trò chuyện").click()
    assert _answers(phone).count() == 0 and phone.locator("#log .msg.user").count() == 0
    assert phone.get_by_role("group", name="Câu hỏi gợi ý").is_visible()
    phone.reload()
    phone.get_by_role("group", name="Câu hỏi gợi ý").wait_for()
    assert _answers(phone).count() == 0


def test_a_suggested_question_is_asked_with_one_tap(server, phone):
    phone.goto(f"{server}/widget")
    first = phone.get_by_role("group", name="Câu hỏi gợi ý").get_by_role("button").first
    question = first.inner_text().strip()
    first.click()
    _answers(phone).first.wait_for(timeout=WAIT)
    assert phone.locator("#log .msg.user").first.inner_text().endswith(question)


def test_send_is_disabled_and_the_typing_indicator_shows_while_waiting(server, phone):
    held = []
    phone.route("**/api/chat", lambda route: held.append(route))
    phone.goto(f"{server}/widget")
    _ask(phone, "đăng ký khai sinh")
    phone.get_by_text("Đang soạn câu trả lời").wait_for(timeout=WAIT)
    assert phone.locator("#send").is_disabled()
    while not held:  # Playwright hands the held request over while it processes events
        phone.wait_for_timeout(50)
    assert phone.locator("#send").is_disabled()
    held[0].continue_()
    _answers(phone).first.wait_for(timeout=WAIT)
    assert phone.locator("#send").is_enabled()
    assert not phone.get_by_text("Đang soạn câu trả lời").is_visible()


def test_too_many_questions_show_the_vietnamese_wait_message(data_dir, browser):
    with serve(data_dir, TTHC_CHAT_RATE_PER_MINUTE="1", **FAKE_EMBEDDING_ENV) as base:
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.goto(f"{base}/widget")
        _ask(page, "đăng ký khai sinh")
        _answers(page).first.wait_for(timeout=WAIT)
        _ask(page, "đăng ký kết hôn")
        alert = page.get_by_role("alert")
        alert.wait_for(timeout=WAIT)
        text = alert.inner_text()
        assert text.startswith("Bạn hỏi nhanh quá, vui lòng thử lại sau ") and text.rstrip(".").endswith(" giây")
        assert int(text.split("sau ")[1].split(" ")[0]) > 0
        assert page.get_by_label("Câu hỏi", exact=True).input_value() == "đăng ký kết hôn"  # kept to send again
        page.close()


def test_unavailable_and_offline_show_vietnamese_messages(server, phone):
    phone.goto(f"{server}/widget")
    phone.route("**/api/chat", lambda route: route.fulfill(status=503, json={"detail": "x"}))
    _ask(phone, "đăng ký khai sinh")
    unavailable = phone.get_by_role("alert").get_by_text("Vui lòng thử lại sau ít phút")
    unavailable.wait_for(timeout=WAIT)
    assert unavailable.is_visible()
    phone.unroute("**/api/chat")
    phone.context.set_offline(True)
    _ask(phone, "đăng ký khai sinh")
    offline = phone.get_by_role("alert").get_by_text("mất kết nối mạng")
    offline.wait_for(timeout=WAIT)
    assert offline.is_visible()
    phone.context.set_offline(False)


def test_answers_stay_text(server, phone):
    phone.goto(f"{server}/widget")
    _ask(phone, "<img src=x onerror=alert(1)> đăng ký tạm trú")
    _answers(phone).first.wait_for(timeout=WAIT)
    assert phone.locator("#log img").count() == 0
    assert "<img src=x" in phone.locator("#log .msg.user").first.inner_text()


def test_keyboard_only(server, phone):
    phone.goto(f"{server}/widget")
    for _ in range(12):  # tab from the top to the question box
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.id") == "q":
            break
    assert phone.evaluate("document.activeElement.id") == "q"
    phone.keyboard.type("đăng ký khai sinh")
    phone.keyboard.press("Enter")
    _answers(phone).first.locator(".sources a").first.wait_for(timeout=WAIT)
    assert phone.evaluate("document.activeElement.id") == "q"  # ready for the next question
    before = _stats(server)["feedback_up"]
    for _ in range(20):  # back to the 👍 of the answer
        phone.keyboard.press("Shift+Tab")
        if phone.evaluate("document.activeElement.getAttribute('aria-label')") == "Hài lòng":
            break
    assert phone.evaluate("document.activeElement.matches(':focus-visible')")
    phone.keyboard.press("Enter")
    phone.get_by_text("Cảm ơn bạn đã đánh giá!").wait_for(timeout=WAIT)
    assert _stats(server)["feedback_up"] == before + 1


def _axe(page) -> list[dict]:
    if not AXE.exists():
        message = "axe-core is missing: run `npm ci` in tests/ui/axe (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_no_serious_problems_on_the_widget_and_the_card(server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    page.goto(f"{server}/widget")
    assert _axe(page) == [], json.dumps(_axe(page), ensure_ascii=False)
    _ask(page, "chứng thực chữ ký người dịch")  # an answer with choices, sources and the rating
    page.locator("button.choice").first.wait_for(timeout=WAIT)
    page.get_by_role("button", name="Chưa hài lòng").click()  # and the comment form
    page.get_by_role("button", name="A+ chữ lớn").click()
    problems = _axe(page)
    assert problems == [], json.dumps(problems, ensure_ascii=False)
    page.goto(f"{server}/thu-tuc/1.001193")
    problems = _axe(page)
    assert problems == [], json.dumps(problems, ensure_ascii=False)
    page.goto(f"{server}/thu-tuc/0.000000")
    problems = _axe(page)
    assert problems == [], json.dumps(problems, ensure_ascii=False)
    context.close()


@contextmanager
def ward_site(embed: dict[str, str]) -> Iterator[int]:
    """A stand-in for the ward website on loopback: every page embeds the README's iframe snippet of embed["src"]."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            snippet = (
                f'<iframe src="{embed["src"]}" title="Hỏi đáp thủ tục hành chính" '
                'style="width:380px;height:560px;border:1px solid #ddd;border-radius:12px"></iframe>'
            )
            body = (
                '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Phường Nam Gia Nghĩa</title></head>'
                f"<body><h1>Cổng thông tin phường</h1>{snippet}</body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield site.server_address[1]
    finally:
        site.shutdown()
        site.server_close()


def test_the_readme_iframe_at_1280_px_on_the_ward_site_and_refused_elsewhere(data_dir, browser):
    embed: dict[str, str] = {}
    with ward_site(embed) as site:
        ward = f"http://localhost:{site}"  # the ward website's origin; the same page at 127.0.0.1 is another origin
        with serve(data_dir, TTHC_CORS_ORIGINS=json.dumps([ward]), **FAKE_EMBEDDING_ENV) as base:
            embed["src"] = f"{base}/widget"
            context = browser.new_context(viewport={"width": 1280, "height": 760})
            page = context.new_page()
            page.goto(f"{ward}/")
            frame = page.frame_locator("iframe")
            frame.get_by_label("Câu hỏi", exact=True).fill("làm giấy khai sinh cho con cần gì")
            frame.get_by_role("button", name="Gửi", exact=True).click()
            frame.locator(".sources a", has_text="1.001193").wait_for(timeout=WAIT)
            box = page.locator("iframe").bounding_box()
            assert box is not None and box["width"] == pytest.approx(380, abs=2)
            _shot(page, "widget-1280.png")
            page.goto(f"http://127.0.0.1:{site}/")
            page.wait_for_load_state()
            assert all(f.locator("#q").count() == 0 for f in page.frames)  # CSP frame-ancestors refused the frame
            context.close()
