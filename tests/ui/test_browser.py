"""A real headless Chromium (Debian's, driven by Playwright) against the real server: chat, search, feedback.

Set TTHC_SAVE_SCREENSHOTS=1 to write the screenshots of the three tabs and the widget to docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest

from ingest import run_ingest
from tests.conftest import FAKE_EMBEDDING_ENV
from tests.processes import serve
from tthc.settings import PRIVACY_NOTICE, PROJECT_ROOT, Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOKEN = "browser-test-token"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = PROJECT_ROOT / "docs" / "screenshots"

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is installed by the test extras")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium is not installed (.ci/run installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    from tests.conftest import CORPUS

    data_dir = tmp_path_factory.mktemp("ui-data")
    run_ingest(Settings(data_dir=data_dir, embedding_backend="hashing"), [CORPUS], embeddings_factory=lambda s: embedder)
    with serve(data_dir, TTHC_ADMIN_TOKEN=TOKEN, TTHC_CHAT_RATE_PER_MINUTE="1000", **FAKE_EMBEDDING_ENV) as base:
        yield base


def _shot(page, name: str) -> None:
    if os.environ.get("TTHC_SAVE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=True)


def _ask(page, question: str) -> None:
    page.get_by_placeholder("Nhập câu hỏi").fill(question)
    page.locator("#send-button").click()


def test_citizen_asks_and_sees_an_answer_with_a_citation(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(f"{server}/ui/")
    _ask(page, "lam giay khai sinh cho con can gi")
    citation = page.locator("a[href^='https://dichvucong.gov.vn/']", has_text="1.001193 — Đăng ký khai sinh")
    citation.first.wait_for(timeout=30000)
    assert page.get_by_text("Giấy chứng sinh").first.is_visible()
    assert page.get_by_text(PRIVACY_NOTICE).is_visible()
    _shot(page, "hoi-dap.png")


def test_officer_opens_a_procedure_card_from_search(server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{server}/ui/")
    page.get_by_role("tab", name="Tra cứu thủ tục").click()
    page.get_by_label("Từ khóa").fill("cap doi can cuoc")
    page.locator("#search-button").click()
    page.get_by_text("1.014063", exact=True).locator("visible=true").first.click(timeout=30000)
    card = page.locator("#procedure-card")
    card.get_by_text("Cấp đổi thẻ căn cước").first.wait_for(timeout=30000)
    assert card.get_by_text("Thành phần hồ sơ").first.is_visible()
    checklist = page.locator("#checklist textarea")
    assert checklist.input_value().startswith("DANH SÁCH GIẤY TỜ — Cấp đổi thẻ căn cước")
    _shot(page, "tra-cuu-thu-tuc.png")


def test_feedback_is_counted_in_the_admin_stats(server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{server}/ui/")
    _ask(page, "thời hạn cấp đổi CCCD")
    page.locator("a[href^='https://dichvucong.gov.vn/']", has_text="1.014063").first.wait_for(timeout=30000)
    admin = {"Authorization": f"Bearer {TOKEN}"}
    before = httpx.get(f"{server}/api/stats", headers=admin).json()["feedback_up"]
    page.get_by_role("button", name="Hài lòng", exact=True).last.click()
    page.get_by_text("Cảm ơn bạn đã đánh giá!").wait_for(timeout=15000)
    assert httpx.get(f"{server}/api/stats", headers=admin).json()["feedback_up"] == before + 1
    page.get_by_role("tab", name="Quản trị").click()
    page.get_by_label("Mã quản trị").fill(TOKEN)
    page.locator("#stats-button").click()
    page.locator("#stats-text").get_by_text("mục tiêu 97%").wait_for(timeout=15000)
    assert f"{before + 1} hài lòng" in page.locator("#stats-text").inner_text()
    _shot(page, "quan-tri.png")


def test_widget_answers_and_escapes(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 700})
    page.goto(f"{server}/widget")
    page.get_by_label("Câu hỏi", exact=True).fill("<img src=x onerror=alert(1)> đăng ký tạm trú")
    page.get_by_role("button", name="Gửi", exact=True).click()
    page.locator("#log .msg.bot:not(#welcome)").first.wait_for(timeout=30000)  # an answer (here: a polite refusal)
    assert page.locator("img").count() == 0  # the question was shown as text, not HTML
    assert page.get_by_text(PRIVACY_NOTICE).is_visible()
    assert "<img src=x" in page.locator("#log .msg.user").first.inner_text()
    _shot(page, "widget.png")
