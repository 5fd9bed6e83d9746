"""Safe, incremental, reversible ingest on a small corpus in a temporary data dir."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml

from index_store.embeddings import EmbeddingSpec
from index_store.store import EmbeddingMismatchError, IndexVersion, IngestBusyError, Manifest, VersionStore
from ingest.chunking import procedure_dense_units
from ingest.pipeline import rollback, run_ingest
from tests.conftest import CORPUS, SMALL_CODES, kill_ingest_mid_build


def _edit(path: Path, **changes) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_first_ingest_then_nothing_changed(settings, small_corpus, embeddings_factory):
    first = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    assert first.status == "published" and first.parsed == len(SMALL_CODES)
    assert len(first.added) == len(SMALL_CODES) + 1  # + the plan
    index = IndexVersion.load(settings)
    assert set(SMALL_CODES) <= set(index.procedures)
    assert any(c.source == "plan" for c in index.chunks)

    again = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    assert again.status == "no_changes" and again.version == first.version
    assert again.unchanged == len(SMALL_CODES) + 1 and again.embedded == 0


def test_changing_one_record_re_embeds_only_its_changed_text(settings, small_corpus, embeddings_factory):
    first = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    record = small_corpus / "procedures" / "1.014063.yaml"
    _edit(record, name="Cấp đổi thẻ căn cước (đã cập nhật)")
    second = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    assert second.status == "published" and second.previous == first.version
    assert second.changed == ["1.014063"] and second.unchanged == len(SMALL_CODES)
    # exactly that record's vectors that carry the name (name, aliases, summary) are embedded again; its
    # situations (our vocabulary, unchanged) and every other record's vectors are reused
    stored = IndexVersion.load(settings).procedures["1.014063"]
    assert stored.situations, "the vocabulary in corpus/situations is applied at ingest"
    changed_units = [u for u in procedure_dense_units(stored) if u.heading != "situation"]
    assert second.embedded == len(changed_units)
    assert second.reused_vectors == second.dense_units - len(changed_units)

    _edit(record, channels=[{"channel": "Trực tiếp", "time_limit": "8 ngày làm việc", "fee": None, "note": None}])
    third = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    assert third.changed == ["1.014063"] and third.embedded == 0  # the fee/time text is not embedded
    index = IndexVersion.load(settings)
    assert index.procedures["1.014063"].channels[0].time_limit == "8 ngày làm việc"


def test_removed_record_leaves_the_new_version(settings, small_corpus, embeddings_factory):
    run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    (small_corpus / "procedures" / "2.000815.yaml").unlink()
    report = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    assert report.removed == ["2.000815"]
    index = IndexVersion.load(settings)
    assert "2.000815" not in index.procedures
    assert not index.collection.get(where={"code": "2.000815"})["ids"]
    assert index.dense_units == index.collection.count() > 0  # what queries size their search by, without asking Chroma


def _write_list(path: Path, rows: list[tuple[str, str, str]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nDANH SÁCH THỦ TỤC HÀNH CHÍNH"])
    sheet.append(["Mã số", "Tên", "Cơ quan ban hành", "Cơ quan thực hiện", "Lĩnh vực"])
    for code, name, field in rows:
        sheet.append([code, name, "Bộ Tư pháp", "Ủy ban nhân dân cấp xã", field])
    book.save(path)


def test_newer_list_reports_missing_procedures_and_removes_them_on_request(settings, small_corpus, embeddings_factory, tmp_path):
    run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    new_list = tmp_path / "danh-sach-moi.xlsx"
    # the new Hộ tịch list drops 1.000894 (kết hôn) and adds a code we have no record for
    _write_list(
        new_list,
        [("1.001193", "Đăng ký khai sinh", "Hộ tịch"), ("2.000528", "Khai sinh NN", "Hộ tịch"), ("9.000001", "Thủ tục mới", "Hộ tịch")],
    )
    reported = run_ingest(settings, [small_corpus, new_list], embeddings_factory=embeddings_factory)
    assert reported.not_in_list == ["1.000894"] and reported.removed == []
    assert reported.listed_not_indexed == ["9.000001"]

    removed = run_ingest(settings, [new_list], remove_missing=True, embeddings_factory=embeddings_factory)
    assert removed.removed == ["1.000894"]
    assert "1.000894" not in IndexVersion.load(settings).procedures
    assert "1.014063" in IndexVersion.load(settings).procedures  # other fields are not touched


def test_rollback_restores_the_previous_version(settings, small_corpus, embeddings_factory):
    first = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    (small_corpus / "procedures" / "1.004194.yaml").unlink()
    second = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    assert "1.004194" not in IndexVersion.load(settings).procedures
    assert rollback(settings) == first.version
    assert "1.004194" in IndexVersion.load(settings).procedures
    assert VersionStore(settings.index_dir).versions() == [first.version, second.version]


def test_bad_records_are_reported_and_skipped(settings, small_corpus, embeddings_factory, tmp_path):
    portal = tmp_path / "portal.jsonl"
    good = {
        "ma_thu_tuc": "9.000002",
        "ten_thu_tuc": "Thủ tục hợp lệ",
        "cap_thuc_hien": "Cấp xã",
        "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp5 Ngày làm việcMiễn phí",
    }
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({"ten_thu_tuc": "thiếu mã"}),
        json.dumps({"ma_thu_tuc": "9.000003", "ten_thu_tuc": "Sai kiểu", "thanh_phan_ho_so": ["x"]}),
    ]
    portal.write_text("\n".join(lines), encoding="utf-8")
    (small_corpus / "procedures" / "broken.yaml").write_text("code: [unclosed", encoding="utf-8")
    (small_corpus / "procedures" / "latin1.yaml").write_bytes("name: Đăng ký".encode("cp1258", "replace") + b"\xff")
    report = run_ingest(settings, [small_corpus, portal], embeddings_factory=embeddings_factory)
    assert report.status == "published"
    reasons = {(f.source, f.item): f.reason for f in report.failed}
    assert ("portal.jsonl", "line 2") in reasons and "JSON không hợp lệ" in reasons[("portal.jsonl", "line 2")]
    assert ("portal.jsonl", "line 3") in reasons
    assert "cần văn bản" in reasons[("portal.jsonl", "9.000003")]
    assert ("broken.yaml", "*") in reasons and ("latin1.yaml", "*") in reasons
    assert "9.000002" in IndexVersion.load(settings).procedures


def test_query_with_another_model_is_refused(settings, small_corpus, embeddings_factory):
    run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    manifest = IndexVersion.load(settings).manifest
    with pytest.raises(EmbeddingMismatchError, match="được tạo bằng hashing"):
        manifest.check_embedding(EmbeddingSpec("sentence-transformers", "other", 384))


def test_a_second_ingest_waits_for_the_lock(settings):
    store = VersionStore(settings.index_dir)
    with store.lock(), pytest.raises(IngestBusyError), store.lock():
        pass


def test_kill_during_ingest_keeps_the_previous_version(settings, small_corpus, embeddings_factory):
    first = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    # the full corpus adds ~60 procedures: a build of several seconds, long enough to be killed in
    kill_ingest_mid_build(settings.data_dir, CORPUS)
    versions_dir = settings.index_dir / "versions"

    index = IndexVersion.load(settings)
    assert index.name == first.version and "1.001193" in index.procedures
    from rag.service import Assistant

    answer = Assistant(index, embeddings_factory(settings), settings).answer("đăng ký khai sinh cần giấy tờ gì")
    assert answer.focus_code == "1.001193"

    after = run_ingest(settings, [CORPUS], embeddings_factory=embeddings_factory)
    assert after.status == "published" and after.previous == first.version
    assert not any(p.name.startswith(".build-") for p in versions_dir.iterdir())


def test_the_vector_search_breadth_is_set_on_each_version(settings, small_corpus, embeddings_factory):
    """The setting reaches the version's collection; changing it alone makes a new version, vectors reused."""
    first = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    index = IndexVersion.load(settings)
    assert index.manifest.vector_search_ef == settings.vector_search_ef
    assert _search_ef(index) == settings.vector_search_ef

    wider = settings.model_copy(update={"vector_search_ef": settings.vector_search_ef + 100})
    second = run_ingest(wider, [small_corpus], embeddings_factory=embeddings_factory)
    assert second.status == "published" and second.previous == first.version and second.embedded == 0
    assert _search_ef(IndexVersion.load(wider)) == wider.vector_search_ef


def _search_ef(index: IndexVersion) -> int | None:
    hnsw = index.collection.configuration.get("hnsw") or {}
    return hnsw.get("ef_search")


def test_the_ranking_model_is_kept_with_its_version(settings, small_corpus, embeddings_factory, caplog):
    """A new model alone makes a new version; a rollback brings the old model back; a broken file is left out."""
    model = settings.data_dir.parent / "ranker.json"
    model.write_text(json.dumps({"schema": 1, "weights": [1.0]}), encoding="utf-8")
    settings = settings.model_copy(update={"ranker_path": model})
    first = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    assert IndexVersion.load(settings).ranker == {"schema": 1, "weights": [1.0]}

    model.write_text(json.dumps({"schema": 1, "weights": [2.0]}), encoding="utf-8")
    second = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    assert second.status == "published" and second.embedded == 0
    current = IndexVersion.load(settings)
    assert current.ranker == {"schema": 1, "weights": [2.0]}
    assert first.version
    assert current.manifest.ranker_hash != Manifest.read(VersionStore(settings.index_dir).versions_dir / first.version).ranker_hash

    rollback(settings)
    assert IndexVersion.load(settings).ranker == {"schema": 1, "weights": [1.0]}

    model.write_text("{not json", encoding="utf-8")
    third = run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    assert third.status == "published" and IndexVersion.load(settings).ranker is None
    assert f"ranker model {model} is unreadable, building without it (RRF fallback)" in caplog.text
