"""The field-level change report of an ingest, on real record shapes: a portal record, a curated record, an official list."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml

from index_store.changes import CHANGES_FILE, read_changes
from index_store.store import VersionStore
from ingest.changes import compare_procedures
from ingest.pipeline import rollback, run_ingest
from tests.conftest import SHARED_PORTAL
from tthc.schema import FieldChange, Procedure

# A portal record trimmed from the national portal's crawl (../shared/corpus/portal/procedures.jsonl, 1.010038):
# the same keys and the same flattened tables ('Hình thức nộpThời gian…', 'Tên giấy tờMẫu đơn…', 'Tên văn bản…').
PORTAL_RECORD = {
    "ma_thu_tuc": "1.010038",
    "detail_url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bf7-7f1e-71e3-be3e-7f22dce4ac4d",
    "ten_thu_tuc": "Tách hộ",
    "so_quyet_dinh": "9354/QĐ-BCA-C06",
    "cap_thuc_hien": "Cấp xã",
    "linh_vuc": "Đăng ký, quản lý cư trú",
    "doi_tuong_thuc_hien": "Công dân Việt Nam",
    "co_quan_co_tham_quyen": "Công an cấp Xã",
    "co_quan_thuc_hien": "Công an cấp Xã",
    "trinh_tu_thuc_hien": (
        "Bước 1: Cá nhân, tổ chức chuẩn bị hồ sơ theo quy định của pháp luật.\n Bước 2: Cá nhân, tổ chức nộp hồ sơ đến Công an cấp xã."
    ),
    "cach_thuc_thuc_hien": (
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp5 Ngày làm việc10,000 Việt Nam Đồng"
        "(Trường hợp công dân nộp hồ sơ trực tiếp thu 10.000 đồng/lần đăng ký;)- Nộp hồ sơ trực tiếp tại Công an cấp xã."
        "Trực tuyến5 Ngày làm việc5,000 Việt Nam Đồng(Trường hợp công dân nộp hồ sơ qua cổng dịch vụ công trực tuyến thu 5.000 "
        "đồng/lần đăng ký)- Nộp hồ sơ trực tuyến qua Cổng dịch vụ công quốc gia."
    ),
    "thanh_phan_ho_so": (
        "Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai thay đổi thông tin cư trú (Mẫu CT01 ban hành kèm theo Thông tư số "
        "53/2025/TT-BCA);1 bản chínhGiấy tờ, tài liệu chứng minh việc ly hôn và việc tiếp tục được sử dụng chỗ ở hợp pháp đó."
        "1 bản chính"
    ),
    "can_cu_phap_ly": "Tên văn bản pháp lýMã văn bảnLuật Cư trú68/2020/QH14",
    "yeu_cau_dieu_kien": "Thành viên hộ gia đình được tách hộ phải có năng lực hành vi dân sự đầy đủ.",
    "ket_qua_xu_ly": "Cập nhật thông tin trong Cơ sở dữ liệu về cư trúMã: KQ.G01.000066",
}
DIVORCE_PAPER = "Giấy tờ, tài liệu chứng minh việc ly hôn và việc tiếp tục được sử dụng chỗ ở hợp pháp đó."


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def _fee_and_document_changed(record: dict) -> dict:
    """The next list: the direct fee goes from 10.000 to 30.000 đồng and the divorce paper is no longer asked for."""
    changed = dict(record)
    channels = changed["cach_thuc_thuc_hien"]
    assert "Trực tiếp5 Ngày làm việc10,000 Việt Nam Đồng" in channels
    changed["cach_thuc_thuc_hien"] = channels.replace("Trực tiếp5 Ngày làm việc10,000", "Trực tiếp5 Ngày làm việc30,000", 1)
    documents = changed["thanh_phan_ho_so"]
    start = documents.index(DIVORCE_PAPER)
    end = documents.index("bản chính", start) + len("bản chính")
    changed["thanh_phan_ho_so"] = documents[:start] + documents[end:]
    return changed


EXPECTED_PORTAL_LINES = [
    "1.010038 Tách hộ — Lệ phí trực tiếp: 10.000 đồng → 30.000 đồng",
    f"1.010038 Tách hộ — Bỏ giấy tờ: {DIVORCE_PAPER}",
]


def test_portal_record_fee_and_document_change(settings, embeddings_factory, tmp_path):
    first = run_ingest(settings, [_write_jsonl(tmp_path / "v1.jsonl", [PORTAL_RECORD])], embeddings_factory=embeddings_factory)
    assert first.change_lines == []  # the first version has nothing to compare with
    initial = read_changes(settings.index_dir / "versions" / str(first.version))
    assert initial is not None and initial.first and initial.procedures == []

    newer = _write_jsonl(tmp_path / "v2.jsonl", [_fee_and_document_changed(PORTAL_RECORD)])
    report = run_ingest(settings, [newer], embeddings_factory=embeddings_factory)
    assert report.changed == ["1.010038"]
    assert report.change_lines == EXPECTED_PORTAL_LINES
    text = report.to_text()
    assert "Chi tiết thay đổi:\n  - 1.010038 Tách hộ — Lệ phí trực tiếp: 10.000 đồng → 30.000 đồng" in text

    stored = read_changes(settings.index_dir / "versions" / str(report.version))
    assert stored is not None and stored.previous == first.version and stored.lines() == EXPECTED_PORTAL_LINES
    fee = stored.procedures[0].changes[0]
    assert (fee.aspect, fee.kind, fee.old, fee.new) == ("fee", "modified", "10.000 đồng", "30.000 đồng")
    assert fee.sentence == "lệ phí trực tiếp đổi từ 10.000 đồng thành 30.000 đồng"
    assert stored.created_at.startswith(stored.date[:4]) and len(stored.date) == 10


def test_real_portal_record_from_the_crawl(settings, embeddings_factory, tmp_path):
    crawl = SHARED_PORTAL / "procedures.jsonl"
    if not crawl.exists():
        pytest.skip("the portal crawl ../shared/corpus/portal/procedures.jsonl is not here")
    with open(crawl, encoding="utf-8") as handle:
        record = next(r for r in map(json.loads, handle) if r.get("ma_thu_tuc") == "1.010038")
    run_ingest(settings, [_write_jsonl(tmp_path / "v1.jsonl", [record])], embeddings_factory=embeddings_factory)
    newer = _write_jsonl(tmp_path / "v2.jsonl", [_fee_and_document_changed(record)])
    report = run_ingest(settings, [newer], embeddings_factory=embeddings_factory)
    assert report.change_lines == EXPECTED_PORTAL_LINES


def _edit_yaml(path: Path, edit) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _direct_time_limit(data: dict, value: str) -> None:
    direct = next(c for c in data["channels"] if c["channel"] == "Trực tiếp")
    direct["time_limit"] = value


def test_curated_record_time_limit_change(settings, small_corpus, embeddings_factory):
    run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    _edit_yaml(small_corpus / "procedures" / "1.004194.yaml", lambda d: _direct_time_limit(d, "2 ngày làm việc"))
    report = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    assert report.change_lines == ["1.004194 Đăng ký tạm trú — Thời hạn trực tiếp: 3 ngày làm việc → 2 ngày làm việc"]


def _write_list(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH THỦ TỤC HÀNH CHÍNH"])
    sheet.append(["Mã số", "Tên", "Cơ quan ban hành", "Cơ quan thực hiện", "Lĩnh vực"])
    for code, name, field in rows:
        sheet.append([code, name, "Bộ Tư pháp", "Ủy ban nhân dân cấp xã", field])
    book.save(path)
    return path


def test_official_list_that_drops_a_procedure(settings, small_corpus, embeddings_factory, tmp_path):
    run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    new_list = _write_list(
        tmp_path / "danh-sach-ho-tich.xlsx",
        [("1.001193", "Đăng ký khai sinh", "Hộ tịch"), ("2.000528", "Đăng ký khai sinh có yếu tố nước ngoài", "Hộ tịch")],
    )
    report = run_ingest(settings, [new_list], remove_missing=True, embeddings_factory=embeddings_factory)
    assert report.removed == ["1.000894"]
    assert report.change_lines == ["1.000894 Đăng ký kết hôn — Bãi bỏ: không còn trong danh sách thủ tục mới công bố"]
    stored = read_changes(settings.index_dir / "versions" / str(report.version))
    assert stored is not None and [(p.code, p.status) for p in stored.procedures] == [("1.000894", "removed")]


def test_the_change_report_survives_a_rollback(settings, small_corpus, embeddings_factory):
    first = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    record = small_corpus / "procedures" / "1.004194.yaml"
    _edit_yaml(record, lambda d: _direct_time_limit(d, "2 ngày làm việc"))
    second = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    store = VersionStore(settings.index_dir)
    assert rollback(settings) == first.version and store.current() == first.version

    # the later version's report is still there and readable by its version after the rollback
    later = read_changes(store.versions_dir / str(second.version))
    assert later is not None and later.lines() == second.change_lines
    assert (store.versions_dir / str(second.version) / CHANGES_FILE).is_file()

    # the next ingest compares with the version rolled back to; the rolled-back change is not in its history
    _edit_yaml(record, lambda d: _direct_time_limit(d, "4 ngày làm việc"))
    third = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    assert third.previous == first.version
    assert third.change_lines == ["1.004194 Đăng ký tạm trú — Thời hạn trực tiếp: 3 ngày làm việc → 4 ngày làm việc"]
    newest = read_changes(store.versions_dir / str(third.version))
    assert newest is not None and [v.version for v in newest.history()] == [third.version]


def test_history_is_carried_forward(settings, small_corpus, embeddings_factory):
    run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    record = small_corpus / "procedures" / "1.004194.yaml"
    _edit_yaml(record, lambda d: _direct_time_limit(d, "2 ngày làm việc"))
    second = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    _edit_yaml(record, lambda d: _direct_time_limit(d, "4 ngày làm việc"))
    third = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    newest = read_changes(VersionStore(settings.index_dir).versions_dir / str(third.version))
    assert newest is not None and [v.version for v in newest.history()] == [third.version, second.version]


def test_a_changed_note_of_the_documents_table_is_reported():
    old = Procedure(code="1.1", name="Đăng ký tạm trú", document_notes=["Lưu ý: Hợp đồng thuê nhà phải công chứng."])
    new = old.model_copy(update={"document_notes": ["Lưu ý: Hợp đồng thuê nhà không bắt buộc phải công chứng."]})
    changes = compare_procedures(old, new)
    assert [(c.aspect, c.kind, c.label) for c in changes] == [("documents", "note", "Lưu ý về thành phần hồ sơ được cập nhật")]
    assert compare_procedures(old, old.model_copy()) == [
        FieldChange(aspect="other", kind="note", label="Cập nhật mô tả, ghi chú (không đổi thời hạn, lệ phí, hồ sơ)")
    ]


def test_a_field_added_to_the_schema_leaves_the_hash_of_records_without_it():
    """Otherwise the ingest after such a release reports every record as changed."""

    class WithALaterField(Procedure):
        added_later: list[str] = []

    proc = Procedure(code="1.1", name="Đăng ký tạm trú", steps=["Bước 1: Nộp hồ sơ."])
    assert WithALaterField(**proc.model_dump()).content_hash() == proc.content_hash()
    assert WithALaterField(**proc.model_dump(), added_later=["Lưu ý"]).content_hash() != proc.content_hash()
