"""Chunking procedures and the plan."""

from pathlib import Path

from ingest.chunking import MAX_WORDS, chunk_plan, chunk_procedure, procedure_dense_units
from ingest.curated import load_curated_file
from ingest.reform_plan import CLOSING_HEADING, parse_plan, read_plan_text
from tests.conftest import CORPUS
from tthc.schema import Document, Procedure


def test_one_chunk_per_section_each_starting_with_the_name():
    proc = load_curated_file(CORPUS / "procedures" / "1.001193.yaml")
    chunks = chunk_procedure(proc)
    sections = {c.section for c in chunks}
    assert {"overview", "documents", "steps", "time_fees", "legal_basis", "result"} <= sections
    assert all(c.text.startswith(proc.name + "\n") for c in chunks)
    assert all(c.doc_id == "1.001193" and c.url == proc.url and c.content_hash for c in chunks)


def test_long_section_is_split_at_items_and_keeps_its_header():
    docs = [Document(name=f"Giấy tờ số {i} " + "chữ " * 40, copies="1 bản chính") for i in range(30)]
    proc = Procedure(code="9.999999", name="Thủ tục thử", field="Thử", documents=docs)
    pieces = [c for c in chunk_procedure(proc) if c.section == "documents"]
    assert len(pieces) > 1
    for piece in pieces:
        assert piece.text.startswith("Thủ tục thử\nThành phần hồ sơ:\n")
        assert len(piece.text.split()) <= MAX_WORDS + 10
    joined = "\n".join(p.text for p in pieces)
    assert all(f"Giấy tờ số {i} " in joined for i in range(30))


def test_dense_units_are_short():
    proc = load_curated_file(CORPUS / "procedures" / "1.001193.yaml")
    units = procedure_dense_units(proc)
    assert units[0].text.startswith("Đăng ký khai sinh")
    assert len(units) == 1 + len(proc.aliases) + (1 if proc.summary else 0)
    assert all(len(u.text.split()) <= 60 for u in units)


def test_plan_chunks_carry_heading_paths_and_appendix_rows():
    sections, rows = parse_plan(read_plan_text(next((CORPUS / "plan").glob("*.txt"))))
    chunks = chunk_plan(sections, rows)
    headings = [c.heading for c in chunks]
    assert "II. CHỈ TIÊU, NHIỆM VỤ > 1. Cải cách thể chế > a) Mục tiêu" in headings
    appendix = [c for c in chunks if (c.heading or "").startswith("Phụ lục")]
    assert len(appendix) == len(rows) > 40
    spilled = next(c for c in appendix if "1441/QĐ-UBND" in c.text and "Nhiệm vụ: Tiếp tục" in c.text)
    assert "Quyết định số 1441/QĐ-UBND" in spilled.text  # the row split by a page break is joined
    assert "<p>" not in "".join(c.text for c in chunks)
    assert all("Chủ trì thực hiện:" in c.text for c in appendix)


def test_the_plan_keeps_whom_it_is_sent_to_and_who_signed_it():
    text = "I. MỤC TIÊU\nPhấn đấu đạt 97%.\nNơi nhận:\n- Sở Nội vụ (b/c);\n- Các tổ dân phố;\nCHỦ TỊCH\nPhan Văn Quốc"
    sections, _ = parse_plan(text)
    assert sections[-1].path == [CLOSING_HEADING]
    assert sections[-1].paragraphs == ["Nơi nhận: Sở Nội vụ (b/c); Các tổ dân phố;", "Người ký: CHỦ TỊCH Phan Văn Quốc"]
    assert sections[0].paragraphs == ["Phấn đấu đạt 97%."]  # the closing block is not read as the last heading's text
    assert [s.path for s in parse_plan("I. MỤC TIÊU\nPhấn đấu đạt 97%.")[0]] == [["I. MỤC TIÊU"]]  # no closing block, no section for it


def test_docx_plan_is_read(tmp_path: Path):
    import docx

    document = docx.Document()
    document.add_paragraph("I. MỤC TIÊU")
    document.add_paragraph("1. Mục tiêu chung")
    document.add_paragraph("Phấn đấu mức độ hài lòng đạt tối thiểu 97%.")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["STT", "Nhiệm vụ", "Sản phẩm"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "Triển khai ứng dụng AI", "Ứng dụng AI"]):
        cell.text = text
    path = tmp_path / "plan.docx"
    document.save(str(path))
    sections, rows = parse_plan(read_plan_text(path))
    assert sections[0].heading == "I. MỤC TIÊU > 1. Mục tiêu chung"
    assert rows[0].cells["Nhiệm vụ"] == "Triển khai ứng dụng AI"


def test_the_notes_of_the_documents_table_are_searchable_with_the_documents():
    proc = Procedure(
        code="1.1",
        name="Đăng ký tạm trú",
        documents=[Document(name="Tờ khai CT01")],
        document_notes=["Lưu ý: Văn bản cho thuê nhà không bắt buộc phải công chứng."],
    )
    documents = next(c for c in chunk_procedure(proc) if c.section == "documents")
    assert "Lưu ý: Văn bản cho thuê nhà không bắt buộc phải công chứng." in documents.text
