"""Redaction of citizens' personal data: the annotated sets, then one focused check per kind of data."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from eval.bench_privacy import damage, leaks, load
from tthc.pii import redact

PERSONAL = load("personal.jsonl")
LOOKALIKE = load("lookalike.jsonl")
MAX_DAMAGED_SHARE = 0.02


def test_the_sets_are_large_and_annotated_with_substrings_of_their_text():
    assert len(PERSONAL) >= 110 and len(LOOKALIKE) >= 110
    assert all(item in row["text"] for row in PERSONAL for item in row["personal"])
    assert all(token in row["text"] for row in LOOKALIKE for token in row["keep"])
    unaccented = [row for row in PERSONAL if row["text"].isascii()]
    assert len(unaccented) >= 20, "questions typed without diacritics"


def test_no_personal_item_survives():
    assert leaks(PERSONAL) == []


def test_lookalike_questions_keep_their_facts():
    damaged = damage(LOOKALIKE)
    share = len(damaged) / len(LOOKALIKE)
    print(f"look-alike questions damaged: {len(damaged)}/{len(LOOKALIKE)} = {share:.1%}")
    assert share < MAX_DAMAGED_SHARE, damaged


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tôi là Trần Thị Mai, muốn làm căn cước", "Tôi là [họ tên], muốn làm căn cước"),
        ("con tôi tên Lê Văn Bình", "con tôi tên [họ tên]"),
        ("tôi tên là Hoa", "tôi tên là [họ tên]"),
        ("toi ten la tran thi mai", "toi ten la [họ tên]"),
        ("con toi ten le van binh", "con toi ten [họ tên]"),
        ("chị Hoa và anh Tuấn đăng ký kết hôn", "chị [họ tên] và anh [họ tên] đăng ký kết hôn"),
        ("hồ sơ của cháu Ngô Bảo Châu", "hồ sơ của cháu [họ tên]"),
        ("Hồ sơ của Nguyễn Văn A đã xong chưa", "Hồ sơ của [họ tên] đã xong chưa"),
        ("ho so cua tran thi mai bi tra lai", "ho so cua [họ tên] bi tra lai"),
        ("Ông Y Bih Niê cần làm sổ đỏ", "Ông [họ tên] cần làm sổ đỏ"),
        ("kết hôn cho Trần Văn Hòa", "kết hôn cho [họ tên]"),
        ("Họ và tên người khai: TRẦN VĂN BÌNH", "Họ và tên người khai: [họ tên]"),
    ],
)
def test_names(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Phiếu Lý Lịch Tư Pháp số 2",
        "HỒ SƠ ĐĂNG KÝ THƯỜNG TRÚ",
        "Công an phường Nam Gia Nghĩa",
        "Sở Tư pháp ở đường Trần Hưng Đạo",
        "Trường THPT Nguyễn Du",
        "chuyển từ Hà Nội về Lâm Đồng",
        "ten thu tuc dang ky thuong tru la gi",
        "Thay đổi họ tên cho con dưới 18 tuổi",
        "Ngày mai phường có làm việc không",
        "Kho bạc Nhà nước",
        "Chủ trì thực hiện: Phòng Văn hóa – Xã hội",
        "QUY ĐỊNH CHI TIẾT MỘT SỐ ĐIỀU",
        "Lệ phí 10 USD/bản\n  Ghi chú: Tại Ủy ban nhân dân cấp xã",
        "(họ, chữ đệm và tên;\nLưu ý: Người chưa thành niên",
        "Hằng năm\tTrung tâm Phục vụ hành chính công",
    ],
)
def test_names_of_places_agencies_and_procedures_stay(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sinh ngày 3/4/2024", "sinh ngày [ngày sinh]"),
        ("ngày sinh 03-04-1990", "ngày sinh [ngày sinh]"),
        ("sn 1990", "sn [ngày sinh]"),
        ("sinh ngay 15 thang 8 nam 2023", "sinh ngay [ngày sinh]"),
        ("bé sinh tháng 3/2024", "bé sinh tháng [ngày sinh]"),
        ("Lê Văn Bình (03/04/2024)", "[họ tên] ([ngày sinh])"),
        ("ông mất ngày 12/05/2025", "ông mất ngày [ngày]"),
    ],
)
def test_dates_of_a_person(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "nộp trước ngày 31/12/2026",
        "hạn 15/01",
        "Nghị định 123/2015/NĐ-CP ngày 15/11/2015",
        "có hiệu lực từ ngày 01/7/2021",
        "Người sinh năm 1975 trở về trước",
        "trả kết quả sau 05 ngày làm việc",
    ],
)
def test_deadlines_and_law_dates_stay(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tôi ở tổ 5", "tôi ở [địa chỉ]"),
        ("tổ dân phố 3 phường Nam Gia Nghĩa", "[địa chỉ] phường Nam Gia Nghĩa"),
        ("o thon 3, xom 2", "o [địa chỉ], [địa chỉ]"),
        ("số nhà 12, ấp 4", "[địa chỉ], [địa chỉ]"),
        ("thôn Tân Lập, xã Đắk Nia", "[địa chỉ], xã Đắk Nia"),
        ("ở 45/7 hẻm Trần Phú muốn đăng ký tạm trú", "ở [địa chỉ] muốn đăng ký tạm trú"),
        ("so nha 25 to 7", "[địa chỉ] [địa chỉ]"),
    ],
)
def test_local_addresses(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STK 0451000123456 Vietcombank", "STK [số tài khoản] Vietcombank"),
        ("số tài khoản Agribank 5300205123456", "số tài khoản Agribank [số tài khoản]"),
        ("stk mb bank 0123456789999", "stk mb bank [số tài khoản]"),
        ("xe 49A-123.45", "xe [biển số xe]"),
        ("biển số 49A1 12345", "biển số [biển số xe]"),
        ("biển 49-A1 123.45", "biển [biển số xe]"),
        ("hộ chiếu C1234567", "hộ chiếu [số hộ chiếu]"),
        ("passport b1234567", "passport [số hộ chiếu]"),
        ("mã số BHXH 7912345678", "mã số BHXH [số BHXH]"),
        ("bao hiem xa hoi so 0112345678", "bao hiem xa hoi so [số BHXH]"),
        ("thẻ BHYT GD4666012345678", "thẻ BHYT [số BHXH]"),
        ("CCCD 066 090 001 234", "CCCD [số giấy tờ]"),
        ("CMND 245123456", "CMND [số giấy tờ]"),
        ("gọi 0912.345.678 hoặc +84 905 123 456", "gọi [số điện thoại] hoặc [số điện thoại]"),
        ("email an.nguyen@gmail.com", "email [email]"),
    ],
)
def test_numbers(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "mã thủ tục 1.001193",
        "lệ phí 8.000 đồng, 50.000đ hoặc 100.000.000 VNĐ",
        "Luật 60/2014/QH13, Thông tư 04/2020/TT-BTP, Quyết định 1234/QĐ-UBND",
        "trẻ 6 tuổi và 14 tuổi",
        "VNeID mức 2, thẻ BHYT",
        "Biển số xe máy 5 số",
        "Đường dây nóng 1900 0368",
    ],
)
def test_procedure_facts_stay(text):
    assert redact(text) == text


def test_redaction_is_the_same_from_many_threads():
    texts = [row["text"] for row in PERSONAL + LOOKALIKE]
    sequential = [redact(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(redact, texts)) == sequential


def test_the_tagger_loads_lazily_and_without_network():
    """Importing tthc.pii loads no model; the first name it tags loads underthesea's bundled CRF model offline."""
    script = (
        "import socket, sys\n"
        "def refuse(*args, **kwargs): raise OSError('network is off in this test')\n"
        "socket.socket.connect = socket.socket.connect_ex = socket.create_connection = refuse\n"
        "from tthc import pii\n"
        "assert 'underthesea' not in sys.modules\n"
        "assert pii._ner_names('Hồ sơ của anh Hùng và chị Lan') != []\n"
        "assert 'underthesea' in sys.modules\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_citizen_cannot_forge_the_internal_markers():
    forged = "\ue000\ue100\ue001 tôi là Trần Văn An ở Lâm Đồng \ue000\ue100\ue101\ue001"
    assert redact(forged) == "\ue100 tôi là [họ tên] ở Lâm Đồng \ue100\ue101"
