"""The citizen's procedure card page: links only to allowed https hosts, every record value escaped."""

from __future__ import annotations

from tthc.schema import Document, ProcedureCard
from ui.card import allowed_link, card_html, error_html

HOSTS = ["dichvucong.gov.vn", "namgianghia.lamdong.gov.vn"]
WARD = "Phường <i>Thử</i>"


def test_only_https_links_to_allowed_hosts_become_links():
    assert allowed_link("https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc.html?ma=1", HOSTS)
    assert allowed_link("https://thutuc.dichvucong.gov.vn/x", HOSTS)
    assert allowed_link("https://namgianghia.lamdong.gov.vn/", HOSTS)
    for url in (
        "http://dichvucong.gov.vn/x",
        "https://dichvucong.gov.vn.evil.example/x",
        "https://evildichvucong.gov.vn/x",
        "https://user@dichvucong.gov.vn/x",
        "javascript:alert(1)",
        "//dichvucong.gov.vn/x",
        "",
        None,
    ):
        assert allowed_link(url, HOSTS) is None, url


def _card(**fields) -> ProcedureCard:
    base = {"code": "9.999999", "name": "Thủ tục <b>thử</b>", "checklist": "DANH SÁCH <script>x</script>"}
    return ProcedureCard(**{**base, **fields})


def test_record_values_are_escaped_and_other_hosts_stay_text():
    page = card_html(_card(documents=[Document(name="<img src=x onerror=alert(1)>")], url="https://evil.example/nop"), HOSTS, WARD)
    assert "<b>thử</b>" not in page and "&lt;b&gt;thử&lt;/b&gt;" in page
    assert "<script>x</script>" not in page and "<img" not in page
    assert 'href="https://evil.example' not in page and "Nộp trực tuyến" not in page
    assert "https://evil.example/nop" in page  # shown as text


def test_the_notes_of_the_documents_table_are_on_the_card_escaped():
    page = card_html(
        _card(documents=[Document(name="Tờ khai CT01")], document_notes=["Lưu ý: <b>không</b> bắt buộc công chứng."]), HOSTS, WARD
    )
    assert "Lưu ý: &lt;b&gt;không&lt;/b&gt; bắt buộc công chứng." in page and "<b>không</b>" not in page


def test_the_portal_address_becomes_the_submit_online_button():
    page = card_html(_card(url="https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc.html?ma=9&x=1"), HOSTS, WARD)
    assert 'id="submit-online" href="https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc.html?ma=9&amp;x=1"' in page


def test_the_error_page_is_vietnamese_and_escaped():
    page = error_html(404, "Không tìm thấy thủ tục có mã <x>.", WARD)
    assert "Không tìm thấy thủ tục" in page and "&lt;x&gt;" in page and '<html lang="vi">' in page


def test_the_page_heading_names_the_configured_ward_escaped():
    page = card_html(_card(), HOSTS, WARD)
    assert "Phường &lt;i&gt;Thử&lt;/i&gt; · Thủ tục hành chính" in page and "Nam Gia Nghĩa" not in page
