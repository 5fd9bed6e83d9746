"""Repairing the portal's flattened tables, on samples in the portal's own format."""

from index_store.ids import UNIT_LOST_NOTE
from ingest.portal import (
    clean_result,
    parse_channel_rows,
    parse_documents,
    parse_legal_basis,
    parse_record,
    record_to_procedure,
)
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


def test_result_loses_portal_ui_text():
    raw = "Giấy khai sinhMã: KQ.G01.00263Từ khóaKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốNộp hồ sơ"
    assert clean_result(raw) == "Giấy khai sinh"


def test_record_with_broken_fields_is_rejected_with_a_reason():
    import pytest

    with pytest.raises(ValueError, match="ma_thu_tuc"):
        record_to_procedure({"ten_thu_tuc": "Không có mã"})
    with pytest.raises(ValueError, match="cần văn bản"):
        record_to_procedure({"ma_thu_tuc": "1.1", "ten_thu_tuc": "Tên", "cach_thuc_thuc_hien": 42})
    with pytest.raises(ValueError, match="đối tượng JSON"):
        record_to_procedure(["not", "a", "record"])  # type: ignore[arg-type]  # a wrong shape on purpose
