"""Composed answers fit a phone: what was asked first, capped lists, the card link, the source line last."""

import json

import pytest

from index_store.ids import UNIT_LOST_NOTE
from ingest.curated import load_curated_file
from ingest.portal import record_to_procedure
from rag.composer import (
    CARD_PATH,
    MAX_DOCUMENTS,
    compose_checklist,
    compose_procedure_answer,
    compose_section,
    distinct_documents,
    for_everyone_first,
    in_list_order,
    refusal_text,
    step_list,
)
from rag.notes import WordOverlapNotes
from rag.query import Ask, detect_ask, normalize_question
from tests.conftest import CORPUS, SHARED_PORTAL
from tthc.schema import SECTION_TITLES, Channel, Document, LegalRef, Procedure
from tthc.settings import Settings
from tthc.text import fold_diacritics, shorten, without_attachments

CURATED = sorted((CORPUS / "procedures").glob("*.yaml"))
INTENTS = [
    ["overview"],
    ["documents"],
    ["steps"],
    ["time"],
    ["validity"],
    ["fees"],
    ["agency"],
    ["conditions"],
    ["result"],
    ["legal_basis"],
]
PHONE_LIMIT = 2000


def _answer(proc: Procedure, intents: list[str], ask: Ask | None = None) -> str:
    return compose_procedure_answer(proc, intents, [], ask)[0]


def _ask(question: str) -> Ask | None:
    normalized = normalize_question(question)
    return detect_ask(fold_diacritics(normalized), normalized)


def _portal_records(min_documents: int, limit: int) -> list[Procedure]:
    """Real portal records with long document lists (the shared corpus is not in every checkout)."""
    path = SHARED_PORTAL / "procedures.jsonl"
    if not path.exists():
        pytest.skip("../shared portal corpus is not present")
    found = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            proc = record_to_procedure(json.loads(line))
            if len(proc.documents) >= min_documents:
                found.append(proc)
            if len(found) == limit:
                break
    return found


def _procedure(**fields) -> Procedure:
    return Procedure(**{"code": "9.000001", "name": "Đăng ký thử", **fields})


@pytest.mark.parametrize("path", CURATED, ids=lambda p: p.stem)
def test_every_curated_answer_fits_a_phone_and_ends_with_its_source(path):
    proc = load_curated_file(path)
    for intents in INTENTS:
        lines = _answer(proc, intents).split("\n")
        assert sum(map(len, lines)) + len(lines) - 1 <= PHONE_LIMIT, intents
        assert lines[-1].startswith(f"Nguồn: {proc.name[:40]}") and f"mã {proc.code}" in lines[-1]
        assert lines[-2] == "Xem đầy đủ: " + CARD_PATH.format(code=proc.code)
    overview = _answer(proc, ["overview"]).split("\n")
    assert len(overview) <= 6  # five lines at most, then the source


def test_long_portal_document_lists_are_capped_with_a_pointer_to_the_card():
    for proc in _portal_records(min_documents=15, limit=20):
        answer = _answer(proc, ["documents"])
        distinct = len(distinct_documents(proc))
        assert len(answer) <= PHONE_LIMIT
        assert answer.startswith(f"Hồ sơ gồm {distinct} giấy tờ:")
        assert answer.count("\n- ") == min(distinct, MAX_DOCUMENTS)
        if distinct > MAX_DOCUMENTS:
            assert f"… và {distinct - MAX_DOCUMENTS} giấy tờ khác (xem đầy đủ)." in answer


def test_a_document_the_portal_repeats_for_each_case_is_listed_once():
    doc = Document(name="Tờ khai đăng ký", copies="1 bản chính")
    other = Document(name="Giấy tờ chứng minh chỗ ở hợp pháp", copies="1 bản sao")
    proc = Procedure(code="9.000002", name="Đăng ký thử", documents=[doc, other, Document(name="tờ khai đăng ký.", copies="1 bản chính")])
    answer = _answer(proc, ["documents"])
    assert answer.startswith("Hồ sơ gồm 2 giấy tờ:") and answer.count("\n- ") == 2 and "giấy tờ khác" not in answer


def test_a_document_name_ending_in_a_colon_leads_into_its_copies():
    doc = Document(name="Tờ khai hải quan nhập khẩu:", copies="02 bản chính")
    proc = Procedure(
        code="9.000003", name="Chuyển tiêu thụ nội địa thử", documents=[doc, Document(name="Văn bản đề nghị", copies="01 bản chính")]
    )
    answer = _answer(proc, ["documents"])
    assert "- Tờ khai hải quan nhập khẩu: 02 bản chính\n" in answer and "- Văn bản đề nghị — 01 bản chính" in answer
    assert "[ ] Tờ khai hải quan nhập khẩu: 02 bản chính" in compose_checklist(proc)


def test_a_document_line_drops_the_stray_marks_the_portal_typed_before_it():
    doc = Document(name=". Tại ô chứng từ đi kèm, ghi rõ lượng hàng", copies="1 bản chính")
    proc = Procedure(code="9.000004", name="Thủ tục thử", documents=[doc, Document(name="- * Bản sao hợp đồng", copies="1 bản sao")])
    answer = _answer(proc, ["documents"])
    assert "\n- Tại ô chứng từ đi kèm" in answer and "\n- Bản sao hợp đồng — 1 bản sao" in answer


def test_steps_question_leads_with_the_number_of_steps(assistant):
    answer = assistant.answer("quy trình nộp hồ sơ đăng ký khai sinh gồm mấy bước?")
    assert answer.focus_code == "1.001193"
    assert answer.answer.startswith("Gồm 6 bước:\n1. ")
    assert all(len(line) <= 170 for line in answer.answer.split("\n")[1:7])


def test_numbered_portal_steps_are_counted_by_their_markers():
    proc = _procedure(
        source="portal",
        steps=["- Bước 1: Nộp hồ sơ.", "Trường hợp nộp trực tuyến thì ký số.", "- Bước 2: Thẩm định.", "Bước 3: Trả kết quả."],
    )
    assert step_list(proc) == ["Nộp hồ sơ. Trường hợp nộp trực tuyến thì ký số.", "Thẩm định.", "Trả kết quả."]
    assert _answer(proc, ["steps"]).startswith("Gồm 3 bước:\n1. Nộp hồ sơ.")
    unnumbered = _procedure(source="portal", steps=["a) Nộp hồ sơ:", "Người yêu cầu nộp hồ sơ."])
    assert step_list(unnumbered) is None and _answer(unnumbered, ["steps"]).startswith("Trình tự thực hiện:")


def test_unnumbered_steps_keep_one_bullet_when_the_portal_gave_its_own():
    proc = _procedure(
        source="portal", steps=["a) Nộp hồ sơ:", "- Nếu nộp trực tiếp, người yêu cầu nộp tại Trung tâm.", "• Nếu nộp trực tuyến thì ký số."]
    )
    lines = _answer(proc, ["steps"]).split("\n")
    assert lines[2:4] == ["- Nếu nộp trực tiếp, người yêu cầu nộp tại Trung tâm.", "- Nếu nộp trực tuyến thì ký số."]


def test_a_note_keeps_one_label_when_the_record_wrote_its_own():
    proc = _procedure(source="portal", steps=["Lưu ý: Văn bản cho thuê nhà không bắt buộc phải công chứng hoặc chứng thực."])
    answer, _ = compose_procedure_answer(
        proc,
        ["overview"],
        ["cho", "thue", "nha", "cong", "chung"],
        None,
        WordOverlapNotes(["cho", "thue", "nha", "cong", "chung"], ["overview"]),
    )
    assert "Lưu ý: Văn bản cho thuê nhà không bắt buộc" in answer and "Lưu ý: Lưu ý" not in answer


def test_an_overview_names_a_short_dossier_and_counts_a_long_one():
    short = _procedure(documents=[Document(name="Phiếu khai báo tạm trú (mẫu NA17).", copies="1 bản chính")])
    assert "Hồ sơ gồm: Phiếu khai báo tạm trú (mẫu NA17)." in _answer(short, ["overview"])
    long = _procedure(documents=[Document(name=f"Giấy tờ số {i}", copies="1 bản sao") for i in range(1, 5)])
    assert "Hồ sơ: 4 giấy tờ." in _answer(long, ["overview"])


def test_fee_question_leads_with_the_fee(assistant):
    answer = assistant.answer("đăng ký thành lập hộ kinh doanh hết bao nhiêu tiền")
    assert answer.focus_code == "1.001612"
    assert answer.answer.startswith("Lệ phí: 150.000 đồng (trực tuyến, bưu chính); 50.000 đồng (trực tiếp).")


def test_time_question_leads_with_the_time_limit(assistant):
    assert assistant.answer("thời hạn cấp đổi CCCD").answer.startswith("Thời hạn giải quyết: 7 ngày làm việc")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("đăng ký khai sinh có mất phí không?", "paid"),
        ("lam giay khai sinh co mat tien khong", "paid"),
        ("chứng thực có miễn phí không ạ", "free"),
        ("có nộp online được không", "online"),
        ("đăng ký tạm trú làm trực tuyến được không", "online"),
        ("có cần mang CCCD không", "document"),
        ("đăng ký khai sinh cần giấy tờ gì", None),
        ("khai báo tạm vắng cần giấy tờ gì không ạ", None),  # asks what to bring, not whether
        ("làm ở đâu thì phải nộp ở đâu không", None),
        ("lệ phí đăng ký kết hôn bao nhiêu", None),
        # a choice asks its first half: "… không hay …"
        ("co lam online dc ko hay bat buoc phai len phuong", "online"),
        ("xin điều chỉnh giấy phép thì có phải nộp lại giấy phép cũ không hay chỉ bản photo", "document"),
        # a fee before the question's 'có' names the subject, not what is asked
        ("hồ sơ quyết toán phí bảo vệ môi trường có gửi bằng bưu điện được không hay phải lên thuế", "post"),
        ("hồ sơ bị từ chối thì lệ phí đã nộp có được trả lại không", None),
        ("làm lại có mất phí không hay miễn", "paid"),
        # handing in by post; a result sent back by post is no way of handing in
        ("gửi hồ sơ qua bưu điện được không", "post"),
        ("nop qua duong buu dien dc ko", "post"),
        ("có nhận kết quả qua bưu điện được không", None),
    ],
)
def test_yes_no_questions_are_detected(question, kind):
    ask = _ask(question)
    assert (ask.kind if ask else None) == kind


def test_yes_no_answers_lead_with_co_or_khong():
    free = _procedure(channels=[Channel(channel="Trực tiếp", fee="Miễn phí"), Channel(channel="Trực tuyến", fee="Miễn phí")])
    paid = _procedure(channels=[Channel(channel="Trực tiếp", fee="10.000 đồng")])
    assert _answer(free, ["fees"], _ask("có mất phí không")).startswith("Không. Lệ phí: Miễn phí.")
    assert _answer(free, ["fees"], _ask("có miễn phí không")).startswith("Có. Lệ phí: Miễn phí.")
    assert _answer(paid, ["fees"], _ask("có mất tiền không")).startswith("Có. Lệ phí: 10.000 đồng.")
    assert _answer(free, ["agency"], _ask("có nộp online được không")).startswith("Có. ")
    offline = _answer(paid, ["agency"], _ask("có nộp online được không"))
    assert offline.startswith("Không. Theo Cổng Dịch vụ công, thủ tục này chỉ nộp trực tiếp.")
    by_post = _procedure(channels=[Channel(channel="Trực tiếp"), Channel(channel="Dịch vụ bưu chính")])
    assert _answer(by_post, ["agency"], _ask("gửi hồ sơ qua bưu điện được không")).startswith("Có. Thủ tục này nộp qua dịch vụ bưu chính")
    assert _answer(paid, ["agency"], _ask("gửi hồ sơ qua bưu điện được không")).startswith("Không. Theo Cổng Dịch vụ công")
    unknown = _procedure(channels=[Channel(channel="Trực tiếp")])
    assert not _answer(unknown, ["fees"], _ask("có mất phí không")).startswith(("Có.", "Không."))


def test_no_to_a_way_of_handing_in_says_where_it_goes_in_instead():
    post_only = _procedure(
        channels=[Channel(channel="Trực tiếp"), Channel(channel="Dịch vụ bưu chính")],
        steps=["Bước 1: Người lao động nộp hồ sơ trực tiếp hoặc gửi qua đường bưu điện đến Ủy ban nhân dân cấp xã."],
    )
    lines = _answer(post_only, ["agency"], _ask("có nộp online được không")).splitlines()
    assert lines[0].startswith("Không.") and lines[1].startswith("Cách nộp:") and "bưu điện đến Ủy ban nhân dân cấp xã" in lines[1]


def test_a_fee_table_that_says_free_against_its_own_description_is_not_answered_free():
    # the portal's fee table says "Miễn phí" while the description at the head of the channel's note names the fee
    described = "(Lệ phí cấp giấy phép: 135.000 đồng/lần (trực tuyến 115.000 đồng/lần))- Nộp hồ sơ tại Sở."
    proc = _procedure(channels=[Channel(channel="Trực tiếp", fee="Miễn phí", note=described)])
    fee = _answer(proc, ["fees"])
    assert fee.startswith("Lệ phí: bảng phí trên Cổng ghi “Miễn phí”, nhưng phần mô tả ghi: Lệ phí cấp giấy phép: 135.000 đồng/lần")
    assert "Nộp hồ sơ tại Sở" not in fee.split("\n")[0]  # the description ends where its parenthesis closes
    assert _answer(proc, ["fees"], _ask("có mất phí không")).startswith("Tùy trường hợp. Lệ phí: bảng phí")
    assert "Lệ phí: Miễn phí theo bảng phí; mô tả trên Cổng ghi: Lệ phí cấp giấy phép: 135.000 đồng/lần" in _answer(proc, ["overview"])
    # a description that leaves the sum to another rule: the table's "Miễn phí" is a blank, not a waiver
    elsewhere = "(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định. Miễn lệ phí cho người thuộc hộ nghèo.)"
    channels = [
        Channel(channel="Trực tiếp", fee="Miễn phí", note=elsewhere),
        Channel(channel="Trực tuyến", fee="Miễn phí", note=f"({elsewhere})"),
    ]
    set_by_province = _procedure(channels=channels)
    answer = _answer(set_by_province, ["fees"], _ask("có mất phí không"))
    assert answer.startswith(
        "Tùy trường hợp. Lệ phí: bảng phí trên Cổng ghi “Miễn phí”, nhưng phần mô tả ghi: Mức lệ phí cụ thể do Hội đồng"
    )
    assert answer.count("Mức lệ phí cụ thể") == 1  # the channel that repeats it in double brackets adds nothing
    by_circular = "(Thông tư số 60/2023/TT-BTC quy định mức thu lệ phí đăng ký, cấp biển số phương tiện)"
    plates = _procedure(channels=[Channel(channel="Trực tiếp", fee="Miễn phí", note=by_circular)])
    assert _answer(plates, ["fees"], _ask("có mất phí không")).startswith("Tùy trường hợp. Lệ phí: bảng phí trên Cổng ghi “Miễn phí”")
    assert "Lệ phí: Cổng không ghi mức cụ thể." in _answer(set_by_province, ["overview"])  # the summary stays short
    # a waiver for some applicants beside a free table: the others may pay
    exempt = _procedure(channels=[Channel(channel="Trực tiếp", fee="Miễn phí", note="(Miễn lệ phí cho hộ nghèo)- Nộp tại xã.")])
    assert _answer(exempt, ["fees"], _ask("có mất phí không")).startswith("Tùy trường hợp. Lệ phí: Miễn lệ phí cho hộ nghèo.")
    waived = _procedure(channels=[Channel(channel="Trực tiếp", fee="Miễn phí", note="(Miễn lệ phí. Phí cấp bản sao theo Thông tư 281.)")])
    assert _answer(waived, ["fees"], _ask("có mất phí không")).startswith("Không. Lệ phí: Miễn lệ phí. Phí cấp bản sao")
    # a description that states the table's sum and says per what: given instead of the bare sum
    paid = _procedure(channels=[Channel(channel="Trực tiếp", fee="10.000 đồng", note="(thu 10.000 đồng/lần đăng ký)")])
    assert _answer(paid, ["fees"]).startswith("Lệ phí: thu 10.000 đồng/lần đăng ký.")
    # a description that adds nothing to the sum changes nothing
    plain = _procedure(channels=[Channel(channel="Trực tiếp", fee="50.000 đồng", note="(Lệ phí cấp giấy chứng nhận)")])
    assert _answer(plain, ["fees"]).startswith("Lệ phí: 50.000 đồng.\n")


def test_a_fee_description_is_given_once_in_whole_sentences():
    per_case = (
        "(Mức thu lệ phí: 400.000đ/trường hợp. Miễn lệ phí cho cô, cậu, dì, chú, bác ruột nhận cháu làm con nuôi. "
        + ("Miễn lệ phí cho người có công với cách mạng nhận con nuôi; " * 4)
        + ")"
    )
    channels = [Channel(channel="Trực tiếp", fee="400.000 đồng", note=per_case)]
    channels.append(Channel(channel="Trực tuyến", fee="400.000 đồng", note="(Lệ phí : 400.000 Đồng " + per_case + ")"))
    fee = _answer(_procedure(channels=channels), ["fees"]).split("\n")[0]
    assert fee.startswith("Lệ phí: 400.000đ/trường hợp. Miễn lệ phí cho cô, cậu, dì, chú, bác ruột nhận cháu làm con nuôi.")
    assert fee.count("400.000đ/trường hợp") == 1  # the channel that repeats the description with a label adds nothing
    assert fee.endswith("nhận con nuôi …")  # cut after a whole sentence, and said so


def test_a_fee_table_sum_its_description_does_not_name_is_shown_with_the_description():
    lost_thousands = _procedure(channels=[Channel(channel="Trực tiếp", fee="20 đồng", note="(20.000 đ/tờ khai)")])
    assert "Lưu ý: Lệ phí: bảng phí trên Cổng ghi “20 đồng”" in compose_checklist(lost_thousands)  # the officer sees it too
    assert _answer(lost_thousands, ["fees"]).startswith("Lệ phí: bảng phí trên Cổng ghi “20 đồng”, nhưng phần mô tả ghi: 20.000 đ/tờ khai.")
    halved = "(áp dụng mức phí 2.000.000 đồng/hồ sơ kể từ ngày 01/7/2025 đến hết ngày 31/12/2026)"
    assert "nhưng phần mô tả ghi: áp dụng mức phí 2.000.000" in _answer(
        _procedure(channels=[Channel(channel="Trực tiếp", fee="4.000.000 đồng", note=halved)]), ["fees"]
    )
    # a long description is cut around its sum, not before it
    long_described = (
        "(Phí thẩm định cấp giấy chứng nhận an toàn thực phẩm đối với cơ sở sản xuất kinh doanh thực phẩm nông, lâm, "
        "thủy sản do cơ quan kiểm tra địa phương thực hiện: 700.000 đồng/cơ sở.)"
    )
    cut = _answer(_procedure(channels=[Channel(channel="Trực tiếp", fee="700 VNĐ", note=long_described)]), ["fees"])
    assert "700.000 đồng/cơ sở" in cut.split("\n")[0]
    # the same sum in other words, or a channel the description does not speak of, is no disagreement
    in_words = _procedure(channels=[Channel(channel="Trực tiếp", fee="2.000.000 đồng", note="(02 triệu đồng/lần cấp)")])
    one_described = _procedure(
        channels=[
            Channel(channel="Trực tuyến", fee="10.000 đồng", note="(Nộp trực tuyến thu 10.000 đồng/lần đăng ký)"),
            Channel(channel="Trực tiếp", fee="20.000 đồng"),
        ]
    )
    assert _answer(in_words, ["fees"]).startswith("Lệ phí: 2.000.000 đồng.")
    assert _answer(one_described, ["fees"]).startswith("Lệ phí: 10.000 đồng (trực tuyến); 20.000 đồng (trực tiếp).")


def test_a_fee_conflict_keeps_what_the_other_channels_descriptions_say():
    # one channel's table lost its thousands ("40"), the other's agrees with its description: both descriptions shown
    channels = [
        Channel(channel="Trực tuyến", fee="5.000 đồng", note="(5.000đ/giấy thông hành)+ Trực tuyến: nộp qua Cổng."),
        Channel(channel="Trực tiếp", fee="40 đồng", note="(4.000 đ/giấy thông hành)+ Trực tiếp: nộp tại Công an xã."),
    ]
    fee = _answer(_procedure(channels=channels), ["fees"]).split("\n")[0]
    assert fee == (
        "Lệ phí: bảng phí trên Cổng ghi “5.000 đồng (trực tuyến); 40 đồng (trực tiếp)”, nhưng phần mô tả ghi: "
        "4.000 đ/giấy thông hành. Cổng ghi thêm: 5.000đ/giấy thông hành."
    )


def test_an_unclosed_fee_description_runs_to_the_end_of_the_note():
    proc = _procedure(channels=[Channel(channel="Trực tiếp", fee="Miễn phí", note="(2.400.000 đồng (cấp lại do mất; 15.000.000 đồng")])
    assert "nhưng phần mô tả ghi: 2.400.000 đồng (cấp lại do mất; 15.000.000 đồng." in _answer(proc, ["fees"])


def test_do_i_need_a_document_is_answered_from_the_document_list():
    proc = _procedure(
        documents=[
            Document(name="Tờ khai theo mẫu", copies="1 bản chính"),
            Document(name="Thẻ căn cước hoặc hộ chiếu", copies="0 bản chính, 1 bản sao", note="Xuất trình, không nộp."),
        ]
    )
    yes = _answer(proc, ["overview"], _ask("có cần mang CCCD không"))
    assert yes.startswith("Có. Hồ sơ có:\n- Thẻ căn cước hoặc hộ chiếu — 1 bản sao (Xuất trình, không nộp.)")
    no = _answer(proc, ["overview"], _ask("có cần giấy khai sinh không"))
    assert no.startswith("Không. Thành phần hồ sơ trên Cổng không có giấy tờ nào tên “giấy khai sinh”.")
    not_a_document = _answer(proc, ["overview"], _ask("có cần cả hai người có mặt không"))
    assert not not_a_document.startswith(("Có.", "Không."))
    a_step = _answer(proc, ["overview"], _ask("làm lại thẻ có phải chụp ảnh lấy vân tay lại không"))
    assert not a_step.startswith(("Có.", "Không.")), "a photo taken at the counter is a step, not a missing document"
    permit = _procedure(documents=[Document(name="Bản chính giấy phép xây dựng đã được cấp", copies="1 bản chính")])
    handed_back = _answer(permit, ["overview"], _ask("gia hạn có phải nộp lại giấy phép cũ không"))
    assert handed_back.startswith("Có. Hồ sơ có:\n- Bản chính giấy phép xây dựng"), "'nộp lại' hands in; 'lại' is no part of the item"
    for generic in ("lúc nhận kết quả có phải mang bản chính theo không", "xin cấp lại có phải nộp lại giấy cũ không"):
        answer = _answer(proc, ["overview"], _ask(generic))
        assert not answer.startswith("Không."), "the original or the old paper is a paper of the list, named by its form"


def test_of_documents_naming_the_paper_asked_the_one_that_names_it_first_answers():
    proc = _procedure(
        documents=[
            Document(name="Giấy tờ về việc xếp hạng di tích của cơ quan đã cấp giấy phép cũ", copies="1 bản sao"),
            Document(name="Bản chính giấy phép xây dựng cũ đã được cấp", copies="1 bản chính"),
        ]
    )
    answer = _answer(proc, ["overview"], _ask("điều chỉnh thì có phải nộp lại giấy phép cũ không"))
    assert answer.startswith("Có. Hồ sơ có:\n- Bản chính giấy phép xây dựng cũ đã được cấp — 1 bản chính\n- Giấy tờ về việc")


def test_whether_a_copy_will_do_is_answered_by_the_copies_the_portal_lists():
    """ "có cần photo căn cước không" is not settled by "Có" for a card shown as the original, and "bản photo" alone
    names no document the list lacks."""
    proc = _procedure(
        documents=[
            Document(name="Tờ khai theo mẫu", copies="1 bản chính"),
            Document(name="Thẻ căn cước hoặc hộ chiếu", copies="1 bản chính", note="Giấy tờ phải xuất trình"),
            Document(name="Bản sao giấy chứng tử", copies="0 bản chính, 1 bản sao"),
        ]
    )
    original = _answer(proc, ["overview"], _ask("có cần photo căn cước không"))
    assert original.startswith("Theo Cổng Dịch vụ công, giấy tờ này nộp như sau:\n- Thẻ căn cước hoặc hộ chiếu — 1 bản chính")
    copy = _answer(proc, ["overview"], _ask("cần bản sao giấy chứng tử đúng không"))
    assert copy.startswith("Có. Hồ sơ có:\n- Bản sao giấy chứng tử — 1 bản sao")
    form_only = _answer(proc, ["overview"], _ask("giấy tờ chỉ cần bản photo được không"))
    assert not form_only.startswith(("Có.", "Không.", "Theo Cổng"))


def test_whether_a_paper_must_be_certified_is_answered_from_its_row_and_the_waivers():
    """ "giấy ủy quyền có cần chứng thực không" asks about the power of attorney: the list holding a paper whose name says
    "chứng thực" is no "Có", and a sentence that waives it for relatives makes it depend on the case."""
    waived = _procedure(
        documents=[
            Document(name="Tờ khai đăng ký khai sinh theo mẫu", copies="1 bản chính"),
            Document(name="Văn bản ủy quyền (được chứng thực) trong trường hợp ủy quyền", copies="1 bản chính"),
        ],
        conditions=["Trường hợp người được ủy quyền là anh, chị, em ruột của người ủy quyền thì văn bản ủy quyền không phải chứng thực."],
    )
    for question in (
        "em nhờ chị ruột đi làm thì giấy ủy quyền có cần chứng thực không",
        "tôi nhờ chị ruột đi làm, giấy ủy quyền có phải chứng thực không",
    ):
        relative = _answer(waived, ["overview"], _ask(question)).split("\n")
        assert relative[0].startswith("Tùy trường hợp. Trường hợp người được ủy quyền là anh, chị, em ruột")
        assert relative[0].endswith("thì văn bản ủy quyền không phải chứng thực.")
        assert relative[1:3] == ["Hồ sơ có:", "- Văn bản ủy quyền (được chứng thực) trong trường hợp ủy quyền — 1 bản chính"]
    residence = "Bản gốc (hoặc bản sao đã được chứng thực) giấy chứng nhận cư trú đã được hợp pháp hóa lãnh sự"
    legalised = _procedure(documents=[Document(name=residence)])
    answer = _answer(legalised, ["overview"], _ask("giấy chứng nhận cư trú có cần hợp pháp hóa lãnh sự không"))
    assert answer.startswith("Có. Hồ sơ có:"), "the other form offered is the copy's, not the legalisation's"
    certified = _procedure(documents=[Document(name="Văn bản ủy quyền có công chứng", copies="1 bản chính")])
    assert _answer(certified, ["overview"], _ask("giấy ủy quyền có phải công chứng không")).startswith("Có. Hồ sơ có:\n- Văn bản ủy quyền")
    either = _procedure(documents=[Document(name="Bản sao có chứng thực hợp đồng thuê nhà hoặc bản chụp kèm bản chính để đối chiếu")])
    assert _answer(either, ["overview"], _ask("hợp đồng thuê nhà có cần chứng thực không")).startswith(
        "Tùy trường hợp. Hồ sơ có:\n- Bản sao"
    )
    silent = _procedure(documents=[Document(name="Giấy tờ hợp pháp về đất đai chứng minh mục đích sử dụng đất", copies="1 bản chính")])
    plain = _answer(silent, ["overview"], _ask("giấy tờ đất đai có cần chứng thực không"))
    assert plain.startswith("Theo Cổng Dịch vụ công, giấy tờ này nộp như sau:"), "'mục đích' is no translation"
    unnamed = _answer(silent, ["overview"], _ask("có cần chứng thực không"))
    assert not unnamed.startswith(("Có.", "Không.", "Tùy", "Theo Cổng")), "no paper named: the note picker answers"


def test_a_waiver_shown_first_is_not_shown_again_with_its_rows_group():
    group = "Trường hợp ủy quyền thực hiện thủ tục thì hồ sơ phải kèm theo một trong những giấy tờ sau"
    proc = _procedure(
        documents=[
            Document(name="Văn bản ủy quyền cho cá nhân thực hiện thủ tục", copies="1 bản sao", note=group),
            Document(name="Văn bản ủy quyền này không bắt buộc phải công chứng, chứng thực", note=group),
        ]
    )
    question = "giấy ủy quyền có phải công chứng không"
    answer = compose_procedure_answer(proc, ["overview"], ["giay", "uy", "quyen", "phai", "cong", "chung"], _ask(question))[0]
    assert answer.startswith("Tùy trường hợp. Văn bản ủy quyền này không bắt buộc phải công chứng, chứng thực.\n")
    assert answer.count("không bắt buộc phải công chứng") == 1


def test_what_a_shown_case_is_followed_by_is_shown_when_it_is_no_rows_group():
    case = "Người hưởng lương hưu đề nghị cập nhật thông tin nhân thân theo căn cước công dân"
    proc = _procedure(
        documents=[Document(name=f"Bản chính Mẫu 2-CBH trong trường hợp {case.casefold()}", copies="1 bản chính")],
        steps=[f"{case}: nộp hồ sơ cho cơ quan bảo hiểm xã hội nơi đang chi trả lương hưu."],
    )
    content_words = ["thong", "tin", "nhan", "than", "luong", "huu", "cap", "nhat", "nop", "noi", "chi", "tra"]
    answer = compose_procedure_answer(proc, ["documents"], content_words)[0]
    assert "nơi đang chi trả lương hưu" in answer


def test_a_paper_the_record_waives_for_some_cases_is_no_plain_yes():
    proc = _procedure(
        documents=[
            Document(name="Tờ khai khai tử", copies="1 bản chính"),
            Document(name="Giấy báo tử. Trường hợp đã nộp bản điện tử Giấy báo tử thì không phải nộp bản giấy", copies="1 bản chính"),
        ],
        steps=["Trường hợp đã có dữ liệu trên hệ thống thì không phải nộp bản sao giấy khai sinh."],
    )
    question = "đã nộp bản điện tử giấy báo tử rồi thì có phải nộp thêm bản giấy nữa không"
    content_words = ["nop", "ban", "dien", "tu", "giay", "bao", "tu", "nop", "them", "ban", "giay"]
    answer = compose_procedure_answer(proc, ["overview"], content_words, _ask(question))[0]
    waiver = "Trường hợp đã nộp bản điện tử Giấy báo tử thì không phải nộp bản giấy."
    assert answer.startswith(f"Tùy trường hợp. {waiver}\nHồ sơ có:\n- Giấy báo tử."), "the case the question states"
    plain = _answer(proc, ["overview"], _ask("có phải nộp tờ khai khai tử không"))
    assert plain.startswith("Có. Hồ sơ có:\n- Tờ khai khai tử"), "a waiver of another paper"


def test_what_to_do_with_a_paper_issued_abroad_is_the_records_rule_on_legalising_it():
    """ "giấy tờ nước ngoài cấp … có phải làm gì thêm không" names papers, but asks what must be done with them first: the
    record's sentence on legalisation answers it, not the dossier's list."""
    rule = (
        "Giấy tờ do cơ quan có thẩm quyền của nước ngoài cấp, công chứng hoặc xác nhận để sử dụng cho việc đăng ký hộ "
        "tịch tại Việt Nam phải được hợp pháp hóa lãnh sự, trừ trường hợp được miễn theo điều ước quốc tế."
    )
    proc = _procedure(
        documents=[Document(name="Tờ khai đăng ký lại kết hôn theo mẫu", copies="1 bản chính")],
        steps=["Người yêu cầu nộp hồ sơ tại Trung tâm Phục vụ hành chính công.", rule],
    )
    for question in (
        "giay to ben nuoc ngoai cap thi dem ve VN dung de dang ky lai ket hon co phai lam gi them khong",
        "giấy chứng tử do nước ngoài cấp thì cần làm gì với giấy đó",
        "còn giấy tờ của bên nước ngoài cần hợp pháp hóa không",
    ):
        ask = _ask(question)
        assert ask == Ask("foreign_paper"), question
        assert _answer(proc, ["documents"], ask).startswith(rule + "\n")
    assert _ask("tôi sinh ở nước ngoài thì đăng ký khai sinh cần giấy gì") is None, "living abroad names no paper from there"
    assert _ask("giấy tờ nước ngoài cấp thì nộp ở đâu") is None, "asks where, which the sections answer"
    silent = _procedure(documents=[Document(name="Tờ khai theo mẫu", copies="1 bản chính")])
    assert _answer(silent, ["documents"], Ask("foreign_paper")).startswith("Hồ sơ"), "no rule in the record: the sections"


def test_what_to_bring_when_collecting_the_result_is_the_records_rule_on_it():
    rule = (
        "Trường hợp nộp bản sao các loại giấy tờ thì khi nhận kết quả giải quyết thủ tục hành chính người yêu cầu đăng "
        "ký phải nộp bản chính các giấy tờ thuộc thành phần hồ sơ theo quy định, trừ các giấy tờ là giấy phép xây dựng, "
        "quyết định phê duyệt dự án đầu tư, quyết định đầu tư, giấy phép đầu tư, giấy chứng nhận đầu tư, quyết định phê "
        "duyệt hoặc quyết định phê duyệt điều chỉnh quy hoạch chi tiết xây dựng, văn bản chấp thuận chủ trương đầu tư."
    )
    proc = _procedure(
        documents=[Document(name="Đơn đăng ký đất đai", copies="1 bản chính, 1 bản sao")],
        steps=["Khi nộp hồ sơ, người yêu cầu được lựa chọn nộp bản sao giấy tờ và xuất trình bản chính để đối chiếu.", rule],
    )
    for question in (
        "công ty nộp bản sao giấy tờ khi đăng ký đất lần đầu, đến lúc nhận sổ có phải nộp bản chính không",
        "luc ra lay ket qua thi phai mang theo gi vay a",
    ):
        ask = _ask(question)
        assert ask == Ask("at_collection"), question
        content_words = ["nop", "ban", "sao", "giay", "to", "nhan", "so", "ban", "chinh"]
        lines = compose_procedure_answer(proc, ["documents"], content_words, ask)[0].split("\n")
        assert lines[0].startswith("Trường hợp nộp bản sao các loại giấy tờ thì khi nhận kết quả") and lines[0].endswith("…")
        assert sum("khi nhận kết quả" in line for line in lines) == 1, "the rule cut to fit is not shown again whole"
    assert _ask("muốn lấy giấy kết hôn thì cần mang những gì") != Ask("at_collection"), "getting married, not collecting"


def test_what_to_enclose_by_post_is_the_records_sentence_on_it_not_the_whole_list():
    by_post = "Trường hợp gửi hồ sơ qua hệ thống bưu chính thì phải gửi kèm theo bản sao có chứng thực các giấy tờ phải xuất trình."
    proc = _procedure(
        documents=[
            Document(name="Giấy tờ tùy thân", copies="1 bản chính", note="Giấy tờ phải xuất trình"),
            Document(name="Tờ khai ghi chú kết hôn theo mẫu", copies="1 bản chính"),
        ],
        steps=[by_post],
    )
    ask = _ask("gửi hồ sơ qua bưu điện thì giấy tờ tùy thân gửi kèm là bản gì")
    assert ask == Ask("by_post")
    assert _answer(proc, ["documents"], ask).startswith(by_post + "\n")
    assert _ask("có gửi hồ sơ qua bưu điện được không") == Ask("post"), "whether it may go by post is another question"


def test_whether_it_is_done_the_same_day_is_the_records_sentence_on_it_before_the_time_limit():
    same_day = "Công chức tư pháp - hộ tịch đăng ký khai sinh cho trẻ em ngay trong ngày tiếp nhận hồ sơ."
    proc = _procedure(
        steps=["Người yêu cầu nộp hồ sơ tại Trung tâm Phục vụ hành chính công.", same_day],
        channels=[Channel(channel="Trực tiếp", time_limit="20 ngày làm việc")],
    )
    for question in ("giấy khai sinh có lấy liền được không", "xã có làm ngay trong ngày không"):
        ask = _ask(question)
        assert ask == Ask("same_day"), question
        lines = _answer(proc, ["time"], ask).split("\n")
        assert lines[0] == same_day and lines[1].startswith("Thời hạn giải quyết: 20 ngày làm việc")
    assert _ask("làm liên thông khai sinh có nộp online được không") == Ask("online"), "'liên thông' is no 'liền'"
    assert _ask("nộp hồ sơ trong ngày lễ có được không") != Ask("same_day")
    silent = _procedure(channels=[Channel(channel="Trực tiếp", time_limit="3 ngày làm việc")])
    assert _answer(silent, ["time"], Ask("same_day")).startswith("Thời hạn giải quyết: 3 ngày làm việc")


def test_a_yes_or_no_asked_with_a_time_is_a_time_question():
    assert _ask("trong bao lâu công an phải quyết định có thụ lý hay không") is None
    assert _ask("đăng ký kết hôn mất bao lâu, có cần giấy xác nhận tình trạng hôn nhân không") is not None, "both asked"
    assert _ask("có cần giấy khai sinh không") is not None


@pytest.mark.parametrize(
    ("question", "item"),
    [
        ("phải nộp bản án ly hôn bản gốc, đúng không", "bản án ly hôn bản gốc"),
        ("có cần photo căn cước không", "photo căn cước"),
        ("gửi qua bưu điện có cần bản sao chứng thực không", "bản sao chứng thực"),
        ("giấy tờ đất chỉ cần bản photo được không", "bản photo"),
    ],
)
def test_the_item_asked_about_leaves_out_the_words_that_ask(question, item):
    ask = _ask(question)
    assert ask is not None and ask.item == item


def test_a_document_asked_about_is_not_found_in_names_that_only_share_its_folded_words():
    """ "Sổ hộ khẩu" folds to the words of "hồ sơ", and stands for "đăng ký thường trú": neither names it."""
    proc = _procedure(
        name="Đăng ký thường trú",
        documents=[
            Document(name="Văn bản xác nhận người đăng ký thường trú thuộc hộ nghèo", copies="1 bản chính"),
            Document(name="Tờ khai thay đổi thông tin cư trú, nộp kèm hồ sơ", copies="1 bản chính"),
        ],
    )
    for question in ("có cần sổ hộ khẩu không", "có cần bản photo sổ hộ khẩu không"):
        assert not _answer(proc, ["overview"], _ask(question)).startswith("Có."), question


def test_a_deed_asked_about_is_not_looked_up_in_the_document_list():
    """ "Có phải lên công an nhận không" asks about a step: "công an" in a document's name says nothing about it."""
    proc = _procedure(documents=[Document(name="Giấy khai đăng ký xe (mẫu ban hành kèm Thông tư của Bộ Công an)", copies="1 bản chính")])
    for question in ("đăng ký xong có phải lên công an nhận không", "chủ xe có phải ký tên vào tờ khai không"):
        assert _ask(question) is None
        assert not _answer(proc, ["overview"], _ask(question)).startswith(("Có.", "Không."))


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("thủ tục này nộp online được không", "online"),
        ("ở xa thì có làm trên VNeID được không", "online"),
        ("đăng ký xe lần đầu online thì chủ xe có phải ký tên vào giấy khai không", None),
        ("làm online thì có mất phí không", "paid"),
        ("nộp trực tuyến thì có được miễn phí không", "free"),
        ("gia hạn tạm trú làm online thì lệ phí 7 nghìn đúng không", None),
        ("đăng ký xe tạm thời online mất 8 giờ, đúng không ạ", None),
        ("người nhà có được nộp hồ sơ thanh toán chi phí khám chữa bệnh BHYT không", None),  # a cost, not the fee
        ("xin hỗ trợ viện phí có mất phí không", "paid"),
    ],
)
def test_the_yes_or_no_asked_is_the_one_after_the_case_it_sets(question, kind):
    """ "X thì Y không": Y is asked; a channel or sum named in X is the case. A claimed sum or time is answered by its
    section, not by "Có. Thủ tục này nộp trực tuyến được"."""
    ask = _ask(question)
    assert (ask.kind if ask else None) == kind


def test_asking_whether_a_permit_is_needed_is_not_answered_from_the_dossier():
    """The dossier holds what one brings; whether the procedure itself is needed is another question."""
    shop = _procedure(
        name="Đăng ký thành lập hộ kinh doanh", documents=[Document(name="Giấy đề nghị đăng ký hộ kinh doanh", copies="1 bản chính")]
    )
    assert not _answer(shop, ["overview"], _ask("mở tiệm tóc có cần giấy phép không")).startswith(("Có.", "Không."))
    permit = _procedure(
        name="Cấp giấy phép xây dựng sửa chữa, cải tạo",
        documents=[Document(name="Giấy tờ hợp pháp về đất đai để cấp phép xây dựng", copies="1 bản sao")],
    )
    assert not _answer(permit, ["overview"], _ask("sửa nhà có cần giấy phép xây dựng không")).startswith(("Có.", "Không."))
    renewal = _procedure(name="Cấp đổi thẻ căn cước", documents=[Document(name="Thẻ căn cước đang sử dụng", copies="1 bản chính")])
    assert _answer(renewal, ["overview"], _ask("đổi thẻ có cần nộp thẻ căn cước cũ không")).startswith("Có. Hồ sơ có:")


def test_a_yes_or_no_is_followed_by_the_note_that_settles_it():
    """ "Có cần mang CCCD không" is answered by the document list and settled by the record's note on it."""
    proc = _procedure(
        documents=[Document(name="Thẻ căn cước", copies="1 bản sao"), Document(name="Tờ khai", copies="1 bản chính")],
        conditions=["Không phải nộp bản sao thẻ căn cước nếu thông tin đã có trong Cơ sở dữ liệu quốc gia về dân cư."],
    )
    answer = compose_procedure_answer(proc, ["documents"], ["can", "cuoc", "mang"], _ask("có cần mang CCCD không"))[0]
    assert answer.startswith("Có. Hồ sơ có:") and "Lưu ý: Không phải nộp bản sao thẻ căn cước nếu" in answer


def test_a_related_sentence_that_fits_is_shown_whole():
    """The deadline at the start of the sentence stays, though the words asked come later in it."""
    sentence = "Trong thời hạn 02 ngày làm việc kể từ ngày phát hiện mất, người bị mất trực tiếp nộp đơn tại công an."
    proc = _procedure(steps=["Bước 1: Chuẩn bị hồ sơ.", sentence])
    answer = compose_procedure_answer(proc, ["overview"], ["cong", "an", "don"])[0]
    assert f"Lưu ý: {sentence}" in answer


def test_a_document_sentence_and_its_note_read_as_one_sentence():
    waiver = Document(name="Văn bản ủy quyền không phải chứng thực.", note="Giấy tờ phải nộp")
    proc = _procedure(documents=[Document(name="Tờ khai"), Document(name="Giấy chứng tử"), waiver])
    answer = compose_procedure_answer(proc, ["overview"], ["uy", "quyen", "chung", "thuc"])[0]
    assert "Lưu ý: Văn bản ủy quyền không phải chứng thực: Giấy tờ phải nộp" in answer and ".:" not in answer
    listed = compose_procedure_answer(_procedure(documents=[waiver]), ["overview"], ["uy", "quyen", "chung", "thuc"])[0]
    assert "Hồ sơ gồm: Văn bản ủy quyền không phải chứng thực." in listed and "Lưu ý" not in listed, "said once"


def test_where_to_submit_comes_from_the_steps_when_the_record_names_no_agency():
    proc = _procedure(steps=["Bước 1: Chuẩn bị hồ sơ.", "Bước 2: Cá nhân nộp hồ sơ đến Ủy ban nhân dân cấp xã nơi cư trú."])
    answer = _answer(proc, ["agency"])
    assert answer.startswith("Cơ quan thực hiện: theo trình tự trên Cổng, nộp hồ sơ đến Ủy ban nhân dân cấp xã nơi cư trú.")
    assert "Nơi nộp: Cổng Dịch vụ công không ghi." in _answer(_procedure(steps=["Bước 1: Chuẩn bị hồ sơ."]), ["overview"])


def test_a_step_that_says_more_than_the_place_gives_the_place_alone():
    """The overview names the place, not the whole step, so the rest of the answer has room for what was asked;
    asked where, the answer keeps the whole step."""
    step = "Bước 1: Người yêu cầu nộp hồ sơ tại Trung tâm Phục vụ hành chính công có thẩm quyền, nộp lệ phí nếu có."
    answer = _answer(_procedure(steps=[step]), ["overview"])
    assert "Nơi nộp: Trung tâm Phục vụ hành chính công có thẩm quyền (theo trình tự trên Cổng)." in answer
    signed = "Bước 1: Nộp hồ sơ cho Ủy ban nhân dân cấp xã thì các bên phải ký trước mặt người tiếp nhận."
    assert "Nơi nộp: Ủy ban nhân dân cấp xã (theo trình tự trên Cổng)." in _answer(_procedure(steps=[signed]), ["overview"])
    assert _answer(_procedure(steps=[step]), ["agency"]).startswith(
        "Cơ quan thực hiện: theo trình tự trên Cổng, nộp hồ sơ tại Trung tâm Phục vụ hành chính công có thẩm quyền, nộp lệ phí"
    )
    unnamed = "Bước 1: Cá nhân nộp thuế tại " + "nước ký kết hiệp định thuế với Việt Nam và số thuế đã nộp đúng quy định " * 2
    assert "Nơi nộp: theo trình tự trên Cổng, nộp thuế tại nước ký kết" in _answer(_procedure(steps=[unnamed]), ["overview"])


def test_a_file_sent_to_the_agency_says_where_to_submit_and_a_reply_sent_back_does_not():
    sent = _procedure(steps=["Bước 1: Chủ hộ gửi hồ sơ đăng ký đến Cơ quan đăng ký kinh doanh cấp xã."])
    assert _answer(sent, ["agency"]).startswith("Cơ quan thực hiện: theo trình tự trên Cổng, gửi hồ sơ đăng ký đến Cơ quan đăng ký")
    reply = _procedure(steps=["Bước 2: Cơ quan gửi cho doanh nghiệp văn bản trả lời."])
    assert _answer(reply, ["agency"]).startswith("Cơ quan thực hiện: Cổng Dịch vụ công không ghi.")
    # the portal's khai sinh record lost "sinh tại Trung" from its first step; a later step says who receives the file
    status = "Cơ quan gửi thông báo về tình trạng hồ sơ tới Trung tâm Phục vụ hành chính công để thông báo cho người nộp."
    received = "Cán bộ tiếp nhận hồ sơ tại Trung tâm Phục vụ hành chính công có trách nhiệm kiểm tra tính hợp lệ của hồ sơ."
    answer = _answer(_procedure(steps=[status, received]), ["agency"])
    assert answer.startswith("Cơ quan thực hiện: theo trình tự trên Cổng, tiếp nhận hồ sơ tại Trung tâm Phục vụ hành chính công.\n")


def test_which_law_lists_the_laws_first():
    proc = _procedure(
        legal_basis=[
            LegalRef(number="123/2015/NĐ-CP", title="Nghị định 123/2015/NĐ-CP hướng dẫn Luật hộ tịch"),
            LegalRef(number="52/2014/QH13", title="Luật Hôn nhân và gia đình"),
        ]
    )
    answer = compose_procedure_answer(proc, ["legal_basis"], ["dang", "ky", "ket", "hon", "luat"])[0]
    assert answer.splitlines()[1] == "- Luật Hôn nhân và gia đình (52/2014/QH13)"


def test_yes_no_through_the_chain(assistant):
    assert assistant.answer("đăng ký khai sinh có mất phí không").answer.startswith("Không. Lệ phí: Miễn phí.")
    assert assistant.answer("có nộp online đăng ký khai sinh được không").answer.startswith("Có. ")


def test_lost_time_unit_is_explained_in_plain_words():
    plain = "Cổng không ghi rõ ngày hay giờ; hãy hỏi cán bộ tiếp nhận"
    curated = load_curated_file(CORPUS / "procedures" / "1.004873.yaml")
    answer = _answer(curated, ["time"])
    assert answer.startswith(f"Thời hạn giải quyết: 3 ({plain}).") and "đơn vị không ghi rõ trên Cổng" not in answer
    portal = _procedure(source="portal", channels=[Channel(channel="Trực tiếp", time_limit=f"1 {UNIT_LOST_NOTE}")])
    assert _answer(portal, ["overview"]).split("\n")[2].startswith(f"Thời hạn: 1 ({plain}).")


def test_a_time_limit_is_given_with_what_it_runs_from_when_the_record_says():
    note = "- Thời hạn giải quyết: + Không quá 8 giờ làm việc, kể từ khi nhận đủ hồ sơ hợp lệ. + Trả kết quả qua bưu chính."
    proc = _procedure(channels=[Channel(channel="Trực tuyến", time_limit="8 giờ", note=note)])
    answer = _answer(proc, ["time"])
    assert answer.startswith("Thời hạn giải quyết: Không quá 8 giờ làm việc, kể từ khi nhận đủ hồ sơ hợp lệ.\n")
    assert "Lưu ý: Thời hạn giải quyết" not in answer  # the sentence is said once, without its label
    # a sentence about another duration, or two time limits, leave the table's value
    other = _procedure(
        channels=[Channel(channel="Trực tiếp", time_limit="5 ngày làm việc", note="Trong thời hạn 30 ngày kể từ ngày nhận.")]
    )
    assert _answer(other, ["time"]).startswith("Thời hạn giải quyết: 5 ngày làm việc.")
    two = [
        Channel(channel="Trực tiếp", time_limit="5 ngày", note="5 ngày kể từ ngày nhận."),
        Channel(channel="Trực tuyến", time_limit="3 ngày"),
    ]
    assert _answer(_procedure(channels=two), ["time"]).startswith("Thời hạn giải quyết: 5 ngày (trực tiếp); 3 ngày (trực tuyến).")


def test_portal_rows_that_are_notes_are_not_listed_as_documents():
    path = SHARED_PORTAL / "procedures.jsonl"
    if not path.exists():
        pytest.skip("../shared portal corpus is not present")
    with path.open(encoding="utf-8") as lines:
        record = next(r for r in map(json.loads, lines) if r["ma_thu_tuc"] == "1.010041")
    answer = _answer(record_to_procedure(record), ["documents"])
    assert "Lưu ý" not in answer and "0 bản chính" not in answer


def test_a_clarifying_question_names_what_tells_the_procedures_apart():
    from rag.composer import compose_clarification, name_differences

    assert name_differences(["Cấp lại thẻ căn cước", "Cấp đổi thẻ căn cước"]) == ["cấp lại", "cấp đổi"]
    assert name_differences(["Thủ tục đăng ký khai sinh", "Đăng ký khai sinh có yếu tố nước ngoài"]) == ["", "có yếu tố nước ngoài"]
    # a negation alone says nothing: it goes on to what it negates
    negated = name_differences(["Đăng ký khoản vay được Chính phủ bảo lãnh", "Đăng ký khoản vay không được Chính phủ bảo lãnh"])
    assert negated == ["", "không được chính phủ bảo lãnh"]
    # a determiner tells nothing apart, and a phrase that differs twice is said once
    joint = [
        "Liên thông các thủ tục về đăng ký khai sinh, cấp thẻ BHYT",
        "Liên thông thủ tục về đăng ký khai sinh, đăng ký thường trú, cấp thẻ BHYT",
    ]
    assert name_differences(joint) == ["", "thường trú"]
    poor = ["Công nhận hộ nghèo, hộ cận nghèo thường xuyên", "Công nhận hộ nghèo, hộ cận nghèo; hộ thoát nghèo, hộ thoát cận nghèo định kỳ"]
    assert name_differences(poor) == ["thường xuyên", "hộ thoát, định kỳ"]
    # "đóng" and "động" fold alike, and differ
    assert name_differences(["Công bố đóng cảng, bến thủy nội địa", "Công bố hoạt động bến thủy nội địa"]) == ["đóng cảng", "hoạt động"]
    options = [
        Procedure(code="1.001193", name="Thủ tục đăng ký khai sinh"),
        Procedure(code="2.000528", name="Thủ tục đăng ký khai sinh có yếu tố nước ngoài"),
    ]
    text, citations = compose_clarification(options)
    assert citations == []  # no picker: nothing from the records, nothing cited
    assert text.splitlines()[0] == (
        "Có 2 thủ tục gần giống nhau, khác nhau ở: trường hợp thông thường hay “có yếu tố nước ngoài”. Trường hợp của bạn là thủ tục nào?"
    )
    assert text.splitlines()[1:] == [
        "1. Thủ tục đăng ký khai sinh (mã 1.001193)",
        "2. Thủ tục đăng ký khai sinh có yếu tố nước ngoài (mã 2.000528)",
    ]


def test_a_clarifying_question_about_a_detail_gives_each_choice_its_answer_and_cites_it():
    from rag.composer import OPTION_NOTE_LEAD, compose_clarification

    class OneSentencePicker:
        """What the note picker would show first, for the records that have it."""

        def __init__(self, by_code: dict[str, str]) -> None:
            self.by_code = by_code

        def notes(self, proc: Procedure, shown: str, most: int = 1, room: int = 0) -> list[str]:
            assert proc.code in shown  # the choice's own line is what the answer already shows of it
            return [self.by_code[proc.code]] if proc.code in self.by_code else []

        def asks_a_detail(self) -> bool:
            return True

        def leads(self, proc: Procedure, shown: str) -> bool:
            return True

    options = [
        Procedure(code="1.000593", name="Thủ tục đăng ký kết hôn lưu động", url="https://example.org/a"),
        Procedure(code="1.000894", name="Thủ tục đăng ký kết hôn"),
    ]
    picker = OneSentencePicker({"1.000593": "Lưu ý: Hai bên nam, nữ có thể khai chung vào một Tờ khai đăng ký kết hôn."})
    text, citations = compose_clarification(options, picker)
    assert text.splitlines()[1:] == [
        "1. Thủ tục đăng ký kết hôn lưu động (mã 1.000593)",
        f"{OPTION_NOTE_LEAD}Hai bên nam, nữ có thể khai chung vào một Tờ khai đăng ký kết hôn.",  # the record's label dropped
        "2. Thủ tục đăng ký kết hôn (mã 1.000894)",
    ]
    assert [(c.code, c.url) for c in citations] == [("1.000593", "https://example.org/a")]  # only what the answer says


def test_a_clarifying_question_about_the_time_gives_each_choice_its_time_limit_and_cites_it():
    from rag.composer import compose_clarification

    mobile, plain = Channel(channel="Trực tiếp", time_limit="5 ngày làm việc"), Channel(channel="Trực tiếp", time_limit="Ngay trong ngày")
    options = [
        Procedure(code="1.000593", name="Thủ tục đăng ký kết hôn lưu động", channels=[mobile]),
        Procedure(code="1.000894", name="Thủ tục đăng ký kết hôn", channels=[plain]),
    ]
    text, citations = compose_clarification(options, None, ["time"])
    lines = text.splitlines()
    assert lines[1].startswith("1. ") and "5 ngày làm việc" in lines[2] and lines[2].startswith("   ")
    assert lines[3].startswith("2. ") and "Ngay trong ngày" in lines[4]
    assert [(c.code, c.section) for c in citations] == [(p.code, SECTION_TITLES["time_fees"]) for p in options]
    assert len(compose_clarification(options, None, ["documents"])[0].splitlines()) == 3  # other sections: the choices


def test_names_that_differ_only_in_spacing_are_asked_apart_by_their_field():
    from rag.composer import compose_clarification, name_key

    tax = Procedure(code="1.011042", name="Đăng ký/ Thay đổi chứng từ điện tử /Ủy nhiệm lập biên lai", field="Thuế")
    customs = Procedure(code="1.013653", name="Đăng ký/Thay đổi chứng từ điện tử/Ủy nhiệm lập biên lai", field="Hải quan")
    assert name_key(tax.name) == name_key(customs.name) == "dang ky thay doi chung tu dien tu uy nhiem lap bien lai"
    question = compose_clarification([tax, customs])[0].splitlines()[0]
    assert question == "Có 2 thủ tục cùng tên, thuộc lĩnh vực “Thuế” hay “Hải quan”. Trường hợp của bạn là thủ tục nào?"


def test_only_the_two_documents_named_most_closely_are_given_whole():
    """A question whose words occur in every document name would otherwise get every long name whole."""
    tail = " kèm theo bản vẽ thiết kế được phê duyệt theo quy định của pháp luật về xây dựng và các văn bản liên quan khác" * 2
    names = [f"Bản vẽ thiết kế nhà ở số {i}{tail}" for i in range(4)]
    proc = Procedure(code="9.000003", name="Cấp phép thử", documents=[Document(name=n, copies="1 bản chính") for n in names])
    # (no notes: a note that gives a cut item whole takes its place)
    answer = compose_procedure_answer(proc, ["documents"], ["ban", "ve", "thiet", "ke", "nha"], None, _OneNote(None))[0]
    items = [line for line in answer.split("\n") if line.startswith("- ")]
    assert len(items) == 4 and sum(len(item) > 150 for item in items) == 2


def test_the_source_line_names_the_procedure_only_when_the_answer_has_not():
    proc = _procedure(summary=None)
    documents = _answer(proc, ["documents"]).split("\n")
    assert documents[-1].startswith(f"Nguồn: {proc.name}, mã {proc.code}")
    overview = _answer(proc, ["overview"])
    assert overview.startswith(f"{proc.name} (mã {proc.code}).")
    assert overview.split("\n")[-1].startswith("Nguồn: Cổng Dịch vụ công, mục")


def test_the_source_line_shortens_a_long_name_and_keeps_its_code_and_link():
    name = "Chứng thực chữ ký trong các giấy tờ, văn bản (áp dụng cho cả trường hợp chứng thực điểm chỉ và trường hợp khác)"
    proc = Procedure(code="9.000004", name=name, url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/x", summary=None)
    source = _answer(proc, ["documents"]).split("\n")[-1]
    assert source.startswith("Nguồn: Chứng thực chữ ký") and name not in source
    assert "mã 9.000004" in source and source.endswith("— https://dichvucong.gov.vn/thu-tuc-hanh-chinh/x")


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("Mẫu: Mẫu số 13.docx", "Mẫu: Mẫu số 13"),
        ("Trường hợp cấp lại giấy phép; Mẫu: mau so 20.doc", "Trường hợp cấp lại giấy phép; Mẫu: mau so 20"),
        (
            "Tờ khai (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA);1.MuCT01banhnhkm (3).doc",
            "Tờ khai (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA)",
        ),
        ("Đơn đăng ký mua nhà ở xã hộiMau so 01 ND 261.docx", "Đơn đăng ký mua nhà ở xã hội; Mau so 01 ND 261"),
        (
            "trừ trường hợp đã có ý kiến đồng ý bằng văn bản.1.MuCT01banhnhkmtheoThngts53 (4).doc",
            "trừ trường hợp đã có ý kiến đồng ý bằng văn bản.",
        ),
        ("Tờ khai (mẫu NA5) của Bộ Công an.NA5 (1).doc", "Tờ khai (mẫu NA5) của Bộ Công an."),
        ("Đơn đề nghị (Mẫu số 01). Bản sao 1.5 bản", "Đơn đề nghị (Mẫu số 01). Bản sao 1.5 bản"),
    ],
)
def test_portal_attachment_file_names_are_left_out_of_what_a_citizen_reads(text, clean):
    """A form's file keeps the name that says which form it is; extensions and unreadable names go."""
    assert without_attachments(text) == clean


def test_a_document_line_shows_no_attachment_file_name():
    doc = Document(name="Tờ khai thay đổi thông tin cư trú;1.MuCT01banhnhkm (3).doc", copies="1 bản chính", note="Mẫu: Mau CT01.docx")
    answer = _answer(_procedure(documents=[doc]), ["documents"])
    assert "- Tờ khai thay đổi thông tin cư trú — 1 bản chính (Mẫu: Mau CT01)\n" in answer and ".doc" not in answer


def test_a_document_line_leads_with_the_short_name_the_law_gives_it():
    """ "… (sau đây gọi tắt là giấy tờ tùy thân) …" is the name a citizen is told at the counter; cut to one line, the
    long name would lose it. A short name that is not a paper ("… gọi tắt là Luật …") is left in place."""
    ids = Document(
        name="Hộ chiếu/Thẻ căn cước công dân/Thẻ căn cước/Căn cước điện tử/Giấy chứng nhận căn cước hoặc các giấy tờ khác "
        "có dán ảnh và thông tin cá nhân do cơ quan có thẩm quyền cấp, còn giá trị sử dụng (sau đây gọi tắt là giấy tờ tùy "
        "thân) để chứng minh về nhân thân khi làm thủ tục trực tiếp.",
        copies="1 bản chính",
    )
    law = Document(name="Văn bản theo Luật Các tổ chức tín dụng (sau đây gọi tắt là Luật Các tổ chức tín dụng)")
    answer = _answer(_procedure(documents=[ids, law]), ["documents"])
    assert "- Giấy tờ tùy thân: Hộ chiếu/Thẻ căn cước công dân/" in answer and "gọi tắt là giấy" not in answer
    assert "- Văn bản theo Luật Các tổ chức tín dụng (sau đây gọi tắt là Luật" in answer


def test_bullet_marks_the_portal_typed_before_an_item_are_not_shown():
    """The portal's "+ Nộp trực tiếp …" and "- * Bản sao …" read as stray signs on a line of their own."""
    doc = Document(name="- * Bản sao giấy khai sinh", copies="1 bản sao")
    proc = _procedure(documents=[doc], steps=["+ Nộp trực tiếp tại Công an cấp xã vào giờ hành chính từ thứ 2 đến sáng thứ 7."])
    assert "- Bản sao giấy khai sinh — 1 bản sao" in _answer(proc, ["documents"])
    note = WordOverlapNotes(["sang", "thu", "7"], ["overview"]).notes(proc, "")
    assert note and note[0].startswith("Nộp trực tiếp")
    conditions = _procedure(conditions=["- Đảm bảo tỷ lệ tham gia của người dân", "+ Có phương án sản xuất"])
    assert compose_section(conditions, "conditions")[1:] == ["- Đảm bảo tỷ lệ tham gia của người dân", "- Có phương án sản xuất"]


def test_lettered_documents_are_listed_in_list_order():
    """The portal shuffles a law's lettered list (đ, b, a…); a citizen reads it as a, b, đ."""
    names = ("đ) Giấy ra viện", "Trường hợp ủy quyền thì kèm văn bản ủy quyền", "b) Bản sao giấy chứng tử", "a) Sổ BHXH")
    shuffled = [Document(name=n) for n in names]
    assert [d.name[:2] for d in in_list_order(shuffled)] == ["a)", "b)", "đ)", "Tr"]
    per_case = [Document(name=n) for n in ("a) Tờ khai", "b) Ảnh", "a) Tờ khai của người đại diện", "b) Giấy ủy quyền")]
    assert in_list_order(per_case) == per_case  # one list per case: left as it came
    answer = _answer(_procedure(documents=shuffled), ["documents"])
    assert answer.index("a) Sổ BHXH") < answer.index("b) Bản sao") < answer.index("đ) Giấy ra viện")


def test_documents_numbered_in_roman_numerals_or_digits_are_listed_in_order():
    """ "(iv), (v), (ii), (iii), (i)" reads (i) to (v); "(i)" is a numeral in such a list, a letter in "a) … i)"."""
    names = (
        "(iv) Trường hợp ủy quyền cho bưu chính",
        "(v) Người ủy quyền chịu trách nhiệm",
        "(ii) Hợp đồng dịch vụ",
        "(iii) Phiếu gửi hồ sơ",
        "(i) Văn bản ủy quyền",
        "Giấy đề nghị đăng ký hộ kinh doanh",
    )
    listed = [d.name.split(")")[0] for d in in_list_order([Document(name=n) for n in names])]
    assert listed == ["(i", "(ii", "(iii", "(iv", "(v", "Giấy đề nghị đăng ký hộ kinh doanh"]
    numbered = [Document(name=n) for n in ("3. Ảnh 4x6", "1. Tờ khai", "2. Bản sao giấy khai sinh")]
    assert [d.name[:2] for d in in_list_order(numbered)] == ["1.", "2.", "3."]
    lettered = [Document(name=n) for n in ("i) Giấy khám", "a) Tờ khai", "b) Ảnh")]
    assert [d.name[:2] for d in in_list_order(lettered)] == ["a)", "b)", "i)"]


def test_a_document_under_a_case_heading_comes_after_those_everyone_brings():
    """The portal's table "Trường hợp ủy quyền thực hiện thủ tục" holds documents that do not say the case themselves."""
    authorised = Document(name="(v) Người ủy quyền chịu trách nhiệm về việc ủy quyền", note="Trường hợp ủy quyền thực hiện thủ tục")
    remark = Document(name="Sổ BHXH", note="(Trường hợp không quy định là bản chính thì có thể nộp bản sao)")
    form = Document(name="Giấy đề nghị đăng ký hộ kinh doanh")
    assert for_everyone_first([authorised, remark, form]) == [remark, form, authorised]


def test_a_numbered_document_of_a_case_comes_after_those_everyone_brings():
    names = [
        "(i) Trường hợp ủy quyền cho cá nhân thì kèm văn bản ủy quyền",
        "2. Đối với người nước ngoài: hộ chiếu",
        "Giấy đề nghị đăng ký hộ kinh doanh",
    ]
    listed = [d.name for d in for_everyone_first([Document(name=n) for n in names])]
    assert listed == [names[2], names[0], names[1]]


def test_the_checklist_says_the_notes_of_the_documents_table():
    proc = _procedure(
        documents=[Document(name="Tờ khai CT01", copies="1 bản chính")],
        document_notes=["Lưu ý: Văn bản cho thuê nhà không bắt buộc phải công chứng."],
    )
    checklist = compose_checklist(proc)
    assert "[ ] Tờ khai CT01 — 1 bản chính" in checklist
    assert "Lưu ý: Văn bản cho thuê nhà không bắt buộc phải công chứng." in checklist
    assert "[ ] Lưu ý" not in checklist  # a note is not a document to tick


def test_a_shortened_text_with_its_ellipsis_keeps_to_its_limit():
    text = "Người bị mất hộ chiếu nộp đơn tại cơ quan công an nơi gần nhất " * 5
    for limit in range(20, 120):
        cut = shorten(text, limit)
        assert len(cut) <= limit and cut.endswith(" …")
    assert shorten("Ngắn gọn.", 20) == "Ngắn gọn."


def test_a_refusal_names_the_configured_ward_and_where_to_ask():
    text = refusal_text("off_topic", "xã Đắk Mil", "Bộ phận một cửa xã Đắk Mil")
    assert "Kế hoạch cải cách hành chính của xã Đắk Mil," in text
    assert text.endswith("Bạn có thể liên hệ Bộ phận một cửa xã Đắk Mil để được hướng dẫn trực tiếp.")
    assert "Nam Gia Nghĩa" not in text and "{ward}" not in refusal_text("weak_evidence", "x", "y")


def test_the_contact_centre_follows_the_ward_unless_it_is_set():
    assert Settings(ward_name="xã Đắk Mil").contact_centre == "Trung tâm Phục vụ hành chính công xã Đắk Mil"
    assert Settings(ward_contact="Bộ phận một cửa xã Đắk Mil").contact_centre == "Bộ phận một cửa xã Đắk Mil"


def test_the_documents_everyone_brings_come_before_those_of_a_case():
    """The capped list must not hide the application form behind "Trường hợp trẻ em bị bỏ rơi …"."""
    names = [
        "Trường hợp trẻ em bị bỏ rơi thì phải có biên bản về việc trẻ bị bỏ rơi",
        "Văn bản ủy quyền theo quy định của pháp luật trong trường hợp ủy quyền",
        "Giấy chứng sinh",
        "Đối với người nước ngoài: bản sao hộ chiếu",
        "Tờ khai đăng ký khai sinh theo mẫu",
    ]
    listed = [d.name for d in for_everyone_first([Document(name=n) for n in names])]
    assert listed == [names[2], names[4], names[0], names[1], names[3]]


class _OneNote:
    """A note picker that always picks ``note`` (None: nothing): what the composer does with it is under test."""

    def __init__(self, note: str | None) -> None:
        self.note = note

    def notes(self, proc: Procedure, shown: str, most: int = 1, room: int = 0) -> list[str]:
        return [self.note] if self.note else []

    def asks_a_detail(self) -> bool:
        return False

    def leads(self, proc: Procedure, shown: str) -> bool:
        return False


def test_a_note_that_gives_a_cut_list_item_whole_takes_its_place():
    long_name = "Giấy tờ chứng minh việc trẻ em nhập cảnh hợp pháp vào Việt Nam (như: hộ chiếu, giấy tờ có giá trị đi lại quốc tế)"
    proc = Procedure(
        code="9.000004",
        name="Khai sinh thử",
        documents=[Document(name="Tờ khai đăng ký khai sinh", copies="1 bản chính"), Document(name=long_name, copies="1 bản chính")],
    )
    answer = compose_procedure_answer(proc, ["documents"], [], None, _OneNote(long_name))[0]
    assert f"- {long_name} — 1 bản chính" in answer.splitlines()
    assert "Lưu ý" not in answer and answer.count("nhập cảnh hợp pháp") == 1
    # a note that is not a cut item's whole text stays a note
    other = compose_procedure_answer(proc, ["documents"], [], None, _OneNote("Trẻ em sinh ở nước ngoài nộp bản dịch."))[0]
    assert "Lưu ý: Trẻ em sinh ở nước ngoài nộp bản dịch." in other


def test_a_note_that_is_a_document_row_is_said_to_be_in_the_dossier():
    """Under "Lưu ý:" a bare document name reads as a warning; it is one of the papers the dossier holds."""
    proc = Procedure(
        code="9.000005",
        name="Cấp bản sao tài liệu thử",
        channels=[Channel(channel="Trực tiếp", fee="Miễn phí")],
        documents=[Document(name="a) Đơn đăng ký cấp sao tài liệu", copies="1 bản chính")],
    )
    answer = compose_procedure_answer(proc, ["fees"], [], None, _OneNote("Đơn đăng ký cấp sao tài liệu."))[0]
    assert "Hồ sơ có: Đơn đăng ký cấp sao tài liệu." in answer.splitlines() and "Lưu ý" not in answer
    other = compose_procedure_answer(proc, ["fees"], [], None, _OneNote("Phí nộp khi nhận kết quả."))[0]
    assert "Lưu ý: Phí nộp khi nhận kết quả." in other.splitlines()


def test_where_to_hand_in_is_said_in_the_records_words():
    """A question of where ("nộp ở đâu") gets the place the channel notes name, not only "trực tiếp"; a channel the question names picks
    the sentence about it; a fee or a particular case is not a place."""
    in_person = "(Lệ phí 10.000 đồng) Nộp hồ sơ trực tiếp tại Trung tâm Phục vụ hành chính công cấp xã."
    online = "Nộp hồ sơ trực tuyến qua Cổng Dịch vụ công quốc gia. Thời hạn 3 ngày."
    proc = _procedure(
        agency="Ủy ban nhân dân cấp xã",
        channels=[Channel(channel="Trực tuyến", note=online), Channel(channel="Trực tiếp", note=in_person)],
        steps=["Bước 1: Trường hợp hồ sơ chưa đủ thì công chức gửi thông báo tới Trung tâm."],
    )
    where = compose_section(proc, "agency", ["nop", "dau"])
    assert where[-1] == "Cách nộp: Nộp hồ sơ trực tiếp tại Trung tâm Phục vụ hành chính công cấp xã."
    assert compose_section(proc, "agency", ["nop", "online", "dau"])[-1] == "Cách nộp: Nộp hồ sơ trực tuyến qua Cổng Dịch vụ công quốc gia."
    # nothing said of where the applicant hands it in (a time limit; what the office does with it): the agency and
    # the channels only
    passed_on = "Sau khi tiếp nhận hồ sơ theo hình thức nộp trực tiếp, cán bộ tiếp nhận hồ sơ tại Trung tâm chuyển hồ sơ đến xã."
    bare = _procedure(agency="Công an cấp xã", channels=[Channel(channel="Trực tiếp", note=f"Thời hạn 3 ngày. {passed_on}")])
    assert compose_section(bare, "agency", ["nop", "dau"]) == ["Cơ quan thực hiện: Công an cấp xã.", "Hình thức nộp: trực tiếp."]
    # a note under the channel asked about that speaks of another one is not its place
    misfiled = _procedure(agency="Công an cấp xã", channels=[Channel(channel="Trực tiếp", note="Nộp hồ sơ qua dịch vụ bưu chính.")])
    assert compose_section(misfiled, "agency", ["nop", "truc", "tiep", "dau"])[-1] == "Hình thức nộp: trực tiếp."
    # the steps say where the applicant hands it in, when no channel note does
    stepped = _procedure(agency="Công an cấp xã", steps=["Bước 2: Người yêu cầu nộp hồ sơ tại Công an cấp xã nơi cư trú."])
    assert compose_section(stepped, "agency", ["nop", "dau"])[-1] == "Cách nộp: Người yêu cầu nộp hồ sơ tại Công an cấp xã nơi cư trú."
    # an office guiding the applicant to hand in more is no place to hand it in, bullet or not
    guided = _procedure(
        agency="Ủy ban nhân dân cấp xã",
        steps=[
            "- Hướng dẫn người nộp hồ sơ bổ sung hồ sơ và nộp lại cho cơ quan chuyên môn cấp xã.",
            "Bước 1: Người đề nghị nộp hồ sơ đến Trung tâm Phục vụ hành chính công.",
        ],
    )
    assert (
        compose_section(guided, "agency", ["nop", "xa"])[-1] == "Cách nộp: Người đề nghị nộp hồ sơ đến Trung tâm Phục vụ hành chính công."
    )


def test_a_question_asking_which_form_gets_the_dossiers_form_first():
    """A question of which form ("dùng mẫu nào") gets the document that names its form, the one holding the words
    asked when there are several; not said twice when the answer lists it, nor when no form is asked for."""
    documents = [
        Document(name="Đơn trình báo mất thẻ (mẫu TK07) ban hành kèm theo Quyết định số 09/2023/QĐ-TTg", copies="1 bản chính"),
        Document(name="Tờ khai đề nghị cấp lại thẻ (mẫu TK01)", copies="1 bản chính"),
        Document(name="Giấy tờ tùy thân", copies="1 bản sao"),
    ]
    proc = _procedure(documents=documents)
    answer = compose_procedure_answer(proc, ["overview"], ["don", "trinh", "bao", "mat", "mau"], asks_form=True)[0]
    assert answer.splitlines()[0].startswith("Mẫu: Đơn trình báo mất thẻ (mẫu TK07)")
    assert "Mẫu:" not in compose_procedure_answer(proc, ["overview"], ["don", "trinh", "bao", "mat", "mau"])[0]
    # several forms and none of the words asked: none is guessed
    assert "Mẫu:" not in compose_procedure_answer(proc, ["overview"], ["mau", "nao"], asks_form=True)[0]
    listed = compose_procedure_answer(proc, ["documents"], ["don", "trinh", "bao", "mau"], asks_form=True)[0]
    assert "Mẫu:" not in listed and "mẫu TK07" in listed


def test_a_form_is_read_by_the_paper_it_is_for_not_the_paragraph_around_it():
    """A form named deep in a long document ("Một số giấy tờ khác: … giấy xác nhận hồ sơ xe (theo mẫu ĐKX14/79)")
    is matched by the words of its own paper, not by the paragraph's, and shown from its list item's start."""
    other = "Một số giấy tờ khác: a) Xe cải tạo thì phải có thêm chứng nhận nguồn gốc. " + "b) Xe đổi màu sơn. " * 8
    documents = [
        Document(name="Giấy khai đăng ký xe (theo mẫu ĐKX10/79 ban hành kèm theo Thông tư số 13/2025/TT-BCA).", copies="1 bản chính"),
        Document(name=other + "c) Khi đổi nơi cư trú phải có thêm giấy xác nhận hồ sơ xe (theo mẫu ĐKX14/79).", copies="1 bản chính"),
    ]
    proc = _procedure(documents=documents)
    khai = compose_procedure_answer(proc, ["overview"], ["doi", "xe", "son", "dang", "ky", "khai", "mau"], asks_form=True)[0]
    assert not khai.startswith("Mẫu:") and "mẫu ĐKX10/79" in khai  # the overview lists it: not said twice
    file_form = compose_procedure_answer(proc, ["overview"], ["giay", "xac", "nhan", "ho", "so", "xe", "mau"], asks_form=True)[0]
    assert file_form.splitlines()[0] == "Mẫu: c) Khi đổi nơi cư trú phải có thêm giấy xác nhận hồ sơ xe (theo mẫu ĐKX14/79"
    # a long paper's name keeps its start and the reference
    long_name = "Tờ khai cổ tức được chia cho phần vốn nhà nước " + "ban hành kèm theo Phụ lục I Nghị định " * 4 + "mẫu số 01/CTLNDC."
    dividend = _procedure(documents=[*documents, Document(name=long_name, copies="1 bản chính")])
    line = compose_procedure_answer(dividend, ["overview"], ["to", "khai", "co", "tuc", "von", "mau"], asks_form=True)[0].splitlines()[0]
    assert line.startswith("Mẫu: Tờ khai cổ tức được chia") and line.endswith(" … mẫu số 01/CTLNDC.") and len(line) <= 6 + 160


def test_validity_is_the_records_sentence_or_that_the_portal_does_not_say():
    """'có giá trị bao lâu' is not answered with the time the office takes, which would read as the answer."""
    stated = _procedure(
        channels=[Channel(channel="Trực tiếp", time_limit="3 ngày làm việc")],
        result="Giấy chứng nhận",
        conditions=[
            "Người dự tuyển đủ 18 tuổi.",
            "Trường hợp xe di chuyển từ nhà máy đến kho: giấy chứng nhận sức khỏe có giá trị 6 tháng tính đến ngày nộp hồ sơ.",
        ],
    )
    answer = _answer(stated, ["validity"])  # from the clause that says it, not the case before it
    assert answer.startswith("Giấy chứng nhận sức khỏe có giá trị 6 tháng") and "3 ngày" not in answer
    unstated = _procedure(
        channels=[Channel(channel="Trực tiếp", time_limit="3 ngày làm việc")],
        result="Giấy xác nhận",
        conditions=["Trong thời hạn 03 ngày làm việc, cơ quan trả lời."],
    )
    answer = _answer(unstated, ["validity"])
    assert answer.startswith("Cổng Dịch vụ công không nêu rõ giấy tờ được cấp (Giấy xác nhận) có giá trị trong bao lâu;")


def test_a_note_that_repeats_the_cut_hand_in_line_takes_its_place():
    """The hand-in sentence is cut to fit its line; the same sentence picked as a note is shown once, whole."""
    sentence = (
        "Người đề nghị lập hồ sơ theo quy định tại mục thành phần hồ sơ và nộp cho cơ quan bảo hiểm xã hội nơi đã chi trả "
        "trợ cấp trước khi thôi hưởng trợ cấp mất sức lao động hàng tháng hoặc nơi đã quyết định thôi hưởng trợ cấp."
    )
    proc = _procedure(channels=[Channel(channel="Trực tiếp", note=sentence)])
    words = ["quyet", "dinh", "thoi", "huong"]
    lines = compose_procedure_answer(proc, ["agency"], words, None, WordOverlapNotes(words, ["agency"]))[0].splitlines()
    assert f"Cách nộp: {sentence}" in lines
    assert not [line for line in lines if line.startswith("Lưu ý") and "Người đề nghị lập hồ sơ" in line]
