"""The curated corpus: schema, coverage, and time limits and fees that match the portal records."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from ingest.curated import load_curated_file
from ingest.portal import parse_channel_rows
from tests.conftest import CORPUS, SHARED_PORTAL
from tthc.text import normalize_text

CURATED = sorted((CORPUS / "procedures").glob("*.yaml"))


def _numbers(text: str | None) -> list[str]:
    return [re.sub(r"[.,]", "", n).lstrip("0") or "0" for n in re.findall(r"\d+(?:[.,]\d+)*", text or "")]


@pytest.fixture(scope="module")
def procs():
    """Every curated record, parsed once for the module (YAML parsing is the slow part)."""
    return [load_curated_file(p) for p in CURATED]


def test_at_least_sixty_valid_records_with_required_fields(procs):
    assert len(procs) >= 60
    for proc, path in zip(procs, CURATED):
        assert path.stem == proc.code
        assert proc.name and proc.field and proc.levels and proc.url and proc.last_checked
        assert proc.channels and proc.documents and proc.steps and proc.result and proc.legal_basis
        assert proc.url.startswith("https://dichvucong.gov.vn/")
        assert unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "needle",
    [
        "khai sinh",
        "khai tử",
        "kết hôn",
        "xác nhận tình trạng hôn nhân",
        "bản sao trích lục",
        "cải chính",
        "giám hộ",
        "nhận cha, mẹ, con",
        "bản sao từ bản chính",
        "chữ ký",
        "giao dịch",
        "di chúc",
        "thường trú",
        "đăng ký tạm trú",
        "gia hạn tạm trú",
        "tạm vắng",
        "xác nhận thông tin về cư trú",
        "tách hộ",
        "cấp thẻ căn cước",
        "cấp đổi thẻ căn cước",
        "cấp lại thẻ căn cước",
        "thành lập hộ kinh doanh",
        "thay đổi nội dung đăng ký hộ kinh doanh",
        "tạm ngừng kinh doanh",
        "chấm dứt hoạt động hộ kinh doanh",
        "đất đai",
        "giấy phép xây dựng",
        "nuôi con nuôi",
        "hộ nghèo",
        "hòa giải viên",
        "bảo hiểm xã hội",
    ],
)
def test_coverage(needle, procs):
    names = [p.name.casefold() + " " + p.field.casefold() for p in procs]
    assert any(needle in n for n in names), needle


def _portal_records() -> dict[str, dict]:
    path = SHARED_PORTAL / "procedures.jsonl"
    if not path.exists():
        pytest.skip(f"portal data not found at {path}; the fact check needs ../shared/corpus/portal")
    wanted = {p.stem for p in CURATED}
    records = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("ma_thu_tuc") in wanted:
                records[record["ma_thu_tuc"]] = record
    return records


def test_time_limits_and_fees_match_the_portal():
    records = _portal_records()
    checked = 0
    for path in CURATED:
        proc = load_curated_file(path)
        record = records.get(proc.code)
        if record is None:
            continue
        rows = parse_channel_rows(record["cach_thuc_thuc_hien"], normalize_text(record.get("trinh_tu_thuc_hien")))
        assert [c.channel for c in proc.channels] == [r.channel for r in rows], proc.code
        for channel, row in zip(proc.channels, rows):
            if row.time_value is not None:
                assert _numbers(channel.time_limit)[:1] == _numbers(row.time_value), (proc.code, channel)
            elif row.time_text is None:
                assert channel.time_limit is None, (proc.code, channel)
            if row.fee is None:
                assert channel.fee is None, (proc.code, channel)
            elif row.fee == "Miễn phí":
                assert channel.fee == "Miễn phí", (proc.code, channel)
            else:
                assert _numbers(channel.fee)[:1] == _numbers(row.fee)[:1], (proc.code, channel)
            checked += 1
    assert checked >= 100
