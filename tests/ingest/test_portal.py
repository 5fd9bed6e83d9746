"""Repairing the portal's flattened tables, on samples in the portal's own format."""

import json
import unicodedata
from pathlib import Path

import pytest

from index_store.ids import UNIT_LOST_NOTE
from ingest.planning import plan_contents
from ingest.portal import (
    clean_result,
    parse_channel_rows,
    parse_documents,
    parse_legal_basis,
    parse_record,
    record_to_procedure,
    rejoin_wrapped_lines,
)
from ingest.report import IngestReport
from ingest.sources import read_sources
from tthc.text import empty_if_placeholder, fold_diacritics, normalize_text

HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"


def test_channels_with_units_fees_and_descriptions():
    cell = HEADER + (
        "Trực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(/bản)Nộp qua Cổng Dịch vụ công"
        "Dịch vụ bưu chính7 Ngày làm việcMiễn phí"
        "Trực tiếp45 NgàyKhông có thông tinNộp tại Trung tâm Phục vụ hành chính công"
    )
    rows = parse_channel_rows(cell)
    assert [(r.channel, r.time_text, r.fee) for r in rows] == [
        ("Trực tuyến", "7 ngày làm việc", "10.000 đồng/bản"),
        ("Dịch vụ bưu chính", "7 ngày làm việc", "Miễn phí"),
        ("Trực tiếp", "45 ngày", None),
    ]
    assert rows[0].description == "Nộp qua Cổng Dịch vụ công"
    assert all(r.complete for r in rows)


def test_lost_unit_is_recovered_only_from_the_same_number():
    cell = HEADER + "Trực tuyến1Miễn phíTrực tiếp3Miễn phí"
    rows = parse_channel_rows(cell, context="Trả kết quả trong 01 ngày làm việc kể từ ngày nhận hồ sơ.")
    assert rows[0].time_text == "1 ngày làm việc"
    assert rows[1].unit_lost and rows[1].time_text == f"3 {UNIT_LOST_NOTE}"


def test_fee_glued_to_a_unitless_time_is_split_with_the_note_as_evidence():
    rows = parse_channel_rows(HEADER + "Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)")
    assert rows[0].time_value == "1" and (rows[0].fee or "").startswith("20 đồng")
    assert not parse_channel_rows(HEADER + "Trực tuyến120 VNĐ")[0].complete


def test_decomposed_unicode_is_normalised():
    decomposed = "Đăng ky\u0301 khai sinh"
    assert normalize_text(decomposed) == "Đăng ký khai sinh"
    assert fold_diacritics("Đăng ký") == "Dang ky"
    assert empty_if_placeholder(" Không có thông tin ") == ""


def test_tone_marks_are_put_on_the_first_vowel_of_open_oa_oe_uy():
    written_both_ways = "Uỷ ban nhân dân hoà giải, thoả thuận; giấy tờ tuỳ thân; sức khoẻ"
    assert normalize_text(written_both_ways) == "Ủy ban nhân dân hòa giải, thỏa thuận; giấy tờ tùy thân; sức khỏe"
    # "qu" is a consonant, and a closed syllable keeps its mark where it is
    assert normalize_text("Quỹ quý; hoặc hoạt động; chuyển; khuyến") == "Quỹ quý; hoặc hoạt động; chuyển; khuyến"


def test_documents_keep_group_titles_and_copies():
    cell = (
        "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượng- Tờ khai đăng ký khai sinh theo mẫu1 bản chính"
        "- Giấy chứng sinh1 bản chính* Giấy tờ phải xuất trình:Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "- Hộ chiếu hoặc thẻ căn cước0 bản chính,1 bản sao"
    )
    docs = parse_documents(cell).documents
    assert [(d.name, d.copies) for d in docs] == [
        ("Tờ khai đăng ký khai sinh theo mẫu", "1 bản chính"),
        ("Giấy chứng sinh", "1 bản chính"),
        ("Hộ chiếu hoặc thẻ căn cước", "0 bản chính,1 bản sao"),
    ]
    assert docs[0].note == "Giấy tờ phải nộp" and docs[2].note == "Giấy tờ phải xuất trình"


def test_a_number_that_ends_a_document_name_is_given_back_from_the_count():
    cell = (
        "Tên giấy tờMẫu đơn, tờ khaiSố lượng- Đơn đăng ký biến động đất đai theo Mẫu số 181 bản chính"
        "- Bản kê khai theo Thông tư số 02/2026/TT-BNNMT ngày 01/01/20261 bản chính,1 bản sao"
        "- Giấy chứng sinh1 bản chính- Giấy tờ tùy thân0 bản chính,1 bản sao- 2. Biên lai mẫu:01 bản chính"
    )
    docs = parse_documents(cell).documents
    assert [(d.name, d.copies) for d in docs] == [
        ("Đơn đăng ký biến động đất đai theo Mẫu số 18", "1 bản chính"),
        ("Bản kê khai theo Thông tư số 02/2026/TT-BNNMT ngày 01/01/2026", "1 bản chính,1 bản sao"),
        ("Giấy chứng sinh", "1 bản chính"),
        ("Giấy tờ tùy thân", "0 bản chính,1 bản sao"),
        ("2. Biên lai mẫu:", "01 bản chính"),  # a count written with its leading zero keeps it
    ]


def test_form_file_name_is_split_from_the_document_name():
    cell = "--Tên giấy tờMẫu đơn, tờ khaiSố lượngĐơn đề nghị theo Mẫu số 08 ban hành kèm Nghị định;Mus08.docx1 bản chính"
    doc = parse_documents(cell).documents[0]
    assert doc.name == "Đơn đề nghị theo Mẫu số 08 ban hành kèm Nghị định"
    assert doc.note == "Mẫu: Mus08.docx"


def test_rows_that_are_notes_or_headings_are_cleaned_out_and_counted():
    cell = (
        "--Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "Tờ khai thay đổi thông tin cư trú1 bản chính"
        "Trường hợp đã nộp bản điện tử thì không phải nộp bản giấy.0 bản chính"
        "*Lưu ý: Khi nộp hồ sơ trực tuyến, công dân không đính kèm biểu mẫu CT01.0 bản chính"
        "Số lượng hồ sơ: 01 (một) bộ.1 bản chính"
        "Thành phần hồ sơ đối với người chưa thành niên:0 bản chính"
        "Văn bản đồng ý của cha, mẹ hoặc người giám hộ1 bản chính"
        "Trường hợp ủy quyền thì nộp văn bản ủy quyền1 bản chính"
        "Hóa đơn thương mại: 01 bản chụp0 bản chính"
        "Hộ chiếu hoặc thẻ căn cước0 bản chính,1 bản sao"
    )
    table = parse_documents(cell)
    assert [d.name for d in table.documents] == [
        "Tờ khai thay đổi thông tin cư trú",
        "Văn bản đồng ý của cha, mẹ hoặc người giám hộ",
        "Trường hợp ủy quyền thì nộp văn bản ủy quyền",  # a conditional document: it has a copy count
        "Hóa đơn thương mại: 01 bản chụp",  # the count is in its name
        "Hộ chiếu hoặc thẻ căn cước",
    ]
    assert len(table.cleaned) == 4
    assert table.documents[1].note == "Thành phần hồ sơ đối với người chưa thành niên"  # the heading titles the rows after it
    record = {"ma_thu_tuc": "1.1", "ten_thu_tuc": "Đăng ký tạm trú", "thanh_phan_ho_so": cell}
    parsed = parse_record(record)
    assert parsed.document_rows_cleaned == 4 and len(parsed.procedure.documents) == 5
    assert record_to_procedure(record) == parsed.procedure


def test_note_rows_and_the_text_after_the_last_row_are_kept_as_notes_of_the_documents():
    cell = (
        "--Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "Tờ khai thay đổi thông tin cư trú1 bản chính"
        "*Lưu ý: - Khi nộp hồ sơ trực tuyến, công dân không đính kèm biểu mẫu CT01.0 bản chính"
        "Thành phần hồ sơ đối với người chưa thành niên:0 bản chính"  # a heading: it titles the next row
        "Văn bản đồng ý của cha, mẹ1 bản chính"
        "****0 bản chính"  # says nothing
        "--Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "Giấy tờ chứng minh chỗ ở hợp pháp1 bản chính"
        "*Lưu ý: - Văn bản cho thuê, cho mượn nhà ở không bắt buộc phải công chứng hoặc chứng thực."
    )
    table = parse_documents(cell)
    assert table.notes == [
        "Lưu ý: Khi nộp hồ sơ trực tuyến, công dân không đính kèm biểu mẫu CT01.",
        "Lưu ý: Văn bản cho thuê, cho mượn nhà ở không bắt buộc phải công chứng hoặc chứng thực.",
    ]
    assert [d.name for d in table.documents] == [
        "Tờ khai thay đổi thông tin cư trú",
        "Văn bản đồng ý của cha, mẹ",
        "Giấy tờ chứng minh chỗ ở hợp pháp",
    ]
    procedure = parse_record({"ma_thu_tuc": "1.1", "ten_thu_tuc": "Đăng ký tạm trú", "thanh_phan_ho_so": cell}).procedure
    assert procedure.document_notes == table.notes


def test_legal_basis_pairs_even_when_the_title_repeats_the_number():
    cell = (
        "Tên văn bản pháp lýMã văn bảnLuật 60/2014/QH1360/2014/QH13"
        "Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 của Chính phủ quy định chi tiết Luật Hộ tịch123/2015/NĐ-CP"
    )
    refs = parse_legal_basis(cell)
    assert [(r.number, r.title) for r in refs] == [
        ("60/2014/QH13", "Luật 60/2014/QH13"),
        ("123/2015/NĐ-CP", "Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 của Chính phủ quy định chi tiết Luật Hộ tịch"),
    ]


def test_legal_basis_splits_a_number_glued_to_the_next_title():
    """'…/TT-BTPNghị định …': the next title's capital is not part of the number; '…/TT-BCAngày' is one title."""
    cell = (
        "Tên văn bản pháp lýMã văn bảnHướng dẫn Luật hộ tịch04/2020/TT-BTPNghị định sửa đổi về hộ tịch07/2025/NĐ-CP"
        "Quyết định về cải cách282/2025/QĐ-TTgThông tư số 53/2025/TT-BCAngày 01/7/2025 của Bộ Công an53/2025/TT-BCA"
        "Pháp lệnh ưu đãi người có công26/2005/PL-UBTVQH11"
    )
    assert [r.number for r in parse_legal_basis(cell)] == [
        "04/2020/TT-BTP",
        "07/2025/NĐ-CP",
        "282/2025/QĐ-TTg",
        "53/2025/TT-BCA",
        "26/2005/PL-UBTVQH11",
    ]


def test_result_loses_portal_ui_text():
    raw = "Giấy khai sinhMã: KQ.G01.00263Từ khóaKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốNộp hồ sơ"
    assert clean_result(raw) == "Giấy khai sinh"


def test_result_keeps_every_result_with_refusal_notices_last():
    raw = (
        "Phiếu từ chối tiếp nhận hồ sơ thửMã: KQ.G01.000101Giấy xác nhận thử (mẫu X1)Mã: KQ.G01.000102"
        "Cập nhật cơ sở dữ liệu thửMã: KQ.G01.000103Từ khóaĐăng ký thửMô tảKhông có thông tinChọn cơ quan thực hiệnNộp hồ sơ"
    )
    assert clean_result(raw) == "Giấy xác nhận thử (mẫu X1); Cập nhật cơ sở dữ liệu thử; Phiếu từ chối tiếp nhận hồ sơ thử"
    # list bullets dropped, refusals found in any case, rarer code shapes split too, repeats kept once
    raw = (
        "+ Văn bản từ chối (nêu rõ lý do).Mã: KQ.g12.000201Giấy phép thửMã: KQ-G10.000004"
        "thông báo từ chối cấp lạiMã: KQ0.00.00.G12-0321Giấy phép thửMã: KQ.G12.000202Từ khóa"
    )
    assert clean_result(raw) == "Giấy phép thử; Văn bản từ chối (nêu rõ lý do); thông báo từ chối cấp lại"


def test_result_without_codes_is_kept_as_written():
    raw = "- Giấy phép thử được cấp lại;\n- Văn bản từ chối nêu rõ lý doTừ khóaKhông có thông tin"
    assert clean_result(raw) == "- Giấy phép thử được cấp lại; - Văn bản từ chối nêu rõ lý do"
    assert clean_result("Không có thông tinMã: KQ.G01.000001Từ khóa") == ""


# A record whose scraper cut the steps at a header quoted inside step 1: the steps end at the quote,
# the later steps sit in the documents field, and the documents table is only in raw_text.
CHANNELS = HEADER + "Trực tiếp5 Ngày làm việcMiễn phí"
LATER_STEPS = "Bước 2. Nộp hồ sơ tại bộ phận một cửa.\nBước 3. Nhận kết quả."
TABLE = "--Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai đăng ký thử (mẫu 01)1 bản chínhGiấy ủy quyền (nếu có)0 bản chính,1 bản sao"


def _cut_record(step_one: str, quoted_end: str) -> dict:
    """The broken record in the portal's shape, decomposed (NFD) as parts of the crawl are."""
    raw_text = (
        "Đăng ký thửTên thủ tụcĐăng ký thửMã thủ tục9.000001Trình Tự Thực Hiện"
        f"{step_one} Thành phần hồ sơ{quoted_end}\n{LATER_STEPS}\nCách Thức Thực Hiện{CHANNELS}Thành phần hồ sơ{TABLE}"
        "Căn cứ pháp lýTên văn bản pháp lýMã văn bảnLuật Thử nghiệm12/2020/QH14Cơ quan thực hiệnỦy ban nhân dân cấp xã"
        "Yêu cầu, điều kiện thực hiệnKhông có thông tinKết quả xử lýGiấy xác nhận thửMã: KQ.G01.000001Từ khóa"
    )
    record = {
        "ma_thu_tuc": "9.000001",
        "ten_thu_tuc": "Đăng ký thử",
        "trinh_tu_thuc_hien": step_one,
        "cach_thuc_thuc_hien": CHANNELS,
        "thanh_phan_ho_so": f"{quoted_end}\n{LATER_STEPS}",
        "raw_text": raw_text,
    }
    return {key: unicodedata.normalize("NFD", value) for key, value in record.items()}


@pytest.mark.parametrize(
    ("step_one", "quoted_end"),
    [
        ("Bước 1. Lập hồ sơ theo quy định tại mục", "."),
        ("Bước 1. Lập hồ sơ theo quy định tại tiết 2 điểm 1 Mục", ""),
        ("Bước 1. Lập hồ sơ theo quy định tại mục 4.3 (", ")."),  # steps end on '(': the documents give it away
    ],
    ids=["tai-muc", "tiet-diem-muc", "muc-number"],
)
def test_steps_cut_at_a_quoted_header_are_recut_from_raw_text(step_one, quoted_end):
    parsed = parse_record(_cut_record(step_one, quoted_end))
    assert parsed.split_repaired
    steps = parsed.procedure.steps
    assert steps == [f"{step_one} Thành phần hồ sơ{quoted_end}", "Bước 2. Nộp hồ sơ tại bộ phận một cửa.", "Bước 3. Nhận kết quả."]
    assert [(d.name, d.copies) for d in parsed.procedure.documents] == [
        ("Tờ khai đăng ký thử (mẫu 01)", "1 bản chính"),
        ("Giấy ủy quyền (nếu có)", "0 bản chính,1 bản sao"),
    ]


def test_records_split_right_are_left_alone():
    broken = _cut_record("Bước 1. Lập hồ sơ theo quy định tại mục", ".")
    whole_steps = f"Bước 1. Lập hồ sơ theo quy định tại mục Thành phần hồ sơ.\n{LATER_STEPS}"
    intact = broken | {"trinh_tu_thuc_hien": whole_steps, "thanh_phan_ho_so": TABLE}
    no_raw_text = {k: v for k, v in broken.items() if k != "raw_text"}
    empty_table = intact | {"thanh_phan_ho_so": "--"}  # no documents given, and the steps are whole
    for record in (intact, no_raw_text, empty_table):
        assert not parse_record(record).split_repaired
    assert len(parse_record(intact).procedure.documents) == 2


def test_repaired_splits_are_counted_in_the_ingest_report(tmp_path: Path):
    source = tmp_path / "portal.jsonl"
    source.write_text(json.dumps(_cut_record("Bước 1. Lập hồ sơ theo quy định tại mục", "."), ensure_ascii=False), encoding="utf-8")
    report = IngestReport()
    plan_contents(read_sources([source]), None, False, False, report)
    assert (report.parsed, report.splits_repaired) == (1, 1)
    assert "đã tách lại từ toàn văn: 1 thủ tục" in report.to_text()


def test_lines_broken_mid_sentence_are_joined_and_list_items_are_not():
    lines = [
        "- Hộ tham gia phải đảm bảo các điều kiện về cơ",
        "sở vật chất và cam kết đảm bảo phần",
        "đối ứng thực hiện dự án.",
        "b) Tổ thẩm định gồm:",
        "đại diện Ủy ban nhân dân cấp xã;",
        "c) Nếu hồ sơ chưa hợp lệ thì",
        "đ) trả lại hồ sơ",
        "Bước 2: Nộp hồ sơ",
    ]
    joined, count = rejoin_wrapped_lines(lines)
    assert joined == [
        "- Hộ tham gia phải đảm bảo các điều kiện về cơ sở vật chất và cam kết đảm bảo phần đối ứng thực hiện dự án.",
        "b) Tổ thẩm định gồm:",  # a line after a colon starts an item, even in lower case
        "đại diện Ủy ban nhân dân cấp xã;",
        "c) Nếu hồ sơ chưa hợp lệ thì",
        "đ) trả lại hồ sơ",  # a list item, not the rest of the line before
        "Bước 2: Nộp hồ sơ",  # a capital starts a new line
    ]
    assert count == 2


def test_rejoined_lines_are_counted_in_the_ingest_report(tmp_path: Path):
    record = {
        "ma_thu_tuc": "1.000001",
        "ten_thu_tuc": "Thủ tục thử",
        "trinh_tu_thuc_hien": "Bước 1: Nộp hồ sơ tại Trung tâm phục vụ hành chính\ncông cấp xã.\nBước 2: Nhận kết quả.",
        "yeu_cau_dieu_kien": "Người đề nghị phải cư trú\ntại xã.",
    }
    parsed = parse_record(record)
    assert parsed.procedure.steps == ["Bước 1: Nộp hồ sơ tại Trung tâm phục vụ hành chính công cấp xã.", "Bước 2: Nhận kết quả."]
    assert parsed.procedure.conditions == ["Người đề nghị phải cư trú tại xã."]
    source = tmp_path / "portal.jsonl"
    source.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    report = IngestReport()
    plan_contents(read_sources([source]), None, False, False, report)
    assert report.lines_rejoined == 2
    assert "nối lại 2 dòng bị ngắt giữa câu" in report.to_text()


def test_record_with_broken_fields_is_rejected_with_a_reason():
    with pytest.raises(ValueError, match="ma_thu_tuc"):
        record_to_procedure({"ten_thu_tuc": "Không có mã"})
    with pytest.raises(ValueError, match="cần văn bản"):
        record_to_procedure({"ma_thu_tuc": "1.1", "ten_thu_tuc": "Tên", "cach_thuc_thuc_hien": 42})
    with pytest.raises(ValueError, match="đối tượng JSON"):
        record_to_procedure(["not", "a", "record"])  # type: ignore[arg-type]  # a wrong shape on purpose


def test_steps_cut_at_the_words_co_quan_thuc_hien_are_recut_and_leave_the_agency_empty():
    """The scraper ended the steps at "Cơ quan thực hiện" inside a step; the agency field got the rest of the steps."""
    last_step = "+ Cơ quan thực hiện chứng thực tiến hành chụp bản chính.\nĐối với bản sao từ 02 trang thì ghi lời chứng vào trang cuối."
    raw_text = f"Đăng ký thửTrình Tự Thực Hiện+ Người yêu cầu xuất trình giấy tờ.\n{last_step}\nCách Thức Thực Hiện{CHANNELS}"
    spilled = last_step.removeprefix("+ Cơ quan thực hiện ")
    record = {
        "ma_thu_tuc": "9.000002",
        "ten_thu_tuc": "Chứng thực thử",
        "trinh_tu_thuc_hien": "+ Người yêu cầu xuất trình giấy tờ.\n+",
        "co_quan_thuc_hien": spilled,
        "co_quan_co_tham_quyen": "",
        "cach_thuc_thuc_hien": CHANNELS,
        "raw_text": raw_text,
    }
    parsed = parse_record({key: unicodedata.normalize("NFD", value) for key, value in record.items()})
    assert parsed.split_repaired
    assert parsed.procedure.agency is None
    assert parsed.procedure.steps[-1] == "Đối với bản sao từ 02 trang thì ghi lời chứng vào trang cuối."
    named = record | {"co_quan_thuc_hien": "Ủy ban nhân dân cấp xã"}  # an agency that is one: left alone
    assert parse_record(named).procedure.agency == "Ủy ban nhân dân cấp xã"
    assert not parse_record(named).split_repaired
