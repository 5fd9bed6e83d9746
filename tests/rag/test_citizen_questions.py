"""Questions as citizens ask them: everyday sibling markers, life events, follow-ups from any history,
and an honest answer for procedures that are not the ward's. Default corpus, with our vocabulary applied."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import yaml

from ingest import run_ingest
from rag.life_events import LifeEventMatcher, content_words
from rag.logistic import Logistic
from rag.ranking import ANSWER_FEATURE_NAMES, FEATURE_NAMES, RankingModel
from rag.retriever import ProcedureHit, asked_markers, markers_of_name
from rag.service import load_assistant
from tthc.schema import LifeEvent, LifeEventStep
from tthc.text import fold_diacritics


@pytest.mark.parametrize(
    ("question", "marker"),
    [
        ("làm lại giấy khai sinh", "dang ky lai"),
        ("xin lại giấy khai sinh vì bị mất", "dang ky lai"),
        ("mất ví cả căn cước", "cap lai"),
        ("căn cước hết hạn rồi", "cap doi"),
        ("chồng tôi là người Hàn Quốc", "nuoc ngoai"),
        ("Việt kiều về nước muốn kết hôn", "nuoc ngoai"),
        ("khai sinh cho con lai", "nuoc ngoai"),
        ("lấy chồng Tây thì đăng ký ở đâu", "nuoc ngoai"),
        ("bà tôi ốm nặng, cán bộ xuống tận nhà được không", "luu dong"),
        ("cán bộ tư pháp xuống bản làm khai tử cho dân", "luu dong"),
        ("xa ve tan thon dang ky ket hon cho dong bao", "luu dong"),
        ("tổ hợp tác muốn nghỉ bán 2 tháng mùa mưa", "tam ngung"),
        ("quán phải đóng cửa vài tuần để sửa", "tam ngung"),
        ("tiệm tạp hóa nghỉ bán hẳn rồi", "cham dut"),
        ("báo mất hộ chiếu ở công an xã", "trinh bao mat"),
        ("lỡ làm mất giấy thông hành thì phải đi báo trong bao lâu", "trinh bao mat"),
        ("anh tôi đi chữa cháy rừng không may đã mất, gia đình xin chế độ", "chet"),
        ("mẹ tôi vừa mất hôm qua", "chet"),
        ("em trai hy sinh trong đợt lũ", "chet"),
        ("muốn thôi giám hộ cho cháu thì làm sao", "cham dut"),
        ("làm khai sinh cho con kèm nhận cha luôn", "ket hop"),
        ("vừa khai sinh vừa nhận cha một lần được không", "ket hop"),
    ],
)
def test_everyday_words_name_the_sibling_marker(question, marker):
    assert marker in asked_markers(fold_diacritics(question.casefold()))


@pytest.mark.parametrize(
    ("question", "marker"),
    [
        ("tổ hợp tác muốn nghỉ bán 2 tháng mùa mưa", "cham dut"),  # a pause for a while is not a closure
        ("bị mất thẻ, đi làm lại mất bao lâu", "trinh bao mat"),  # "mất bao lâu" asks a duration, not a report
        ("doanh nghiệp thông báo mất tem điện tử", "trinh bao mat"),
        # "mất" of a thing lost or of time taken is no death
        ("tôi vừa mất ví", "chet"),
        ("đã mất giấy khai sinh", "chet"),
        ("làm hồ sơ đã mất 2 ngày rồi", "chet"),
        # an acknowledgement long after the birth was registered is not both done together
        ("lúc làm khai sinh để trống tên bố, giờ bố bé muốn nhận con", "ket hop"),
        ("làm khai sinh và nhận con nuôi", "ket hop"),
        # negated: the citizen says which case it is not
        ("bạn trai Việt kiều, lần đầu đăng ký kết hôn chứ không phải đăng ký lại", "dang ky lai"),
        ("giấy phép vẫn còn, ko mất, chỉ sắp quá hạn, xin kéo dài chứ ko phải cấp lại", "cap lai"),
        ("xe hết niên hạn, không xin cấp lại mà nộp trả giấy phép", "cap lai"),
        ("không phải thôi giám hộ mà là bắt đầu nhận giám hộ", "cham dut"),
    ],
)
def test_everyday_words_do_not_name_a_marker_they_only_resemble(question, marker):
    assert marker not in asked_markers(fold_diacritics(question.casefold()))


def test_a_negated_marker_is_not_stated_but_an_airline_is_foreign():
    assert markers_of_name("dang ky lai phuong tien nhung khong thay doi co quan dang ky") == {"dang ky lai"}
    assert "nuoc ngoai" in asked_markers("khai thue cho hang hang khong nuoc ngoai")
    assert "duoi 14 tuoi" in asked_markers("be nha em chua du 6 tuoi lam can cuoc")  # "chưa" does not negate an age


def test_a_land_certificate_colour_is_not_a_damaged_card():
    assert "cap doi" not in asked_markers("so hong dung ten ai")


def test_an_ethnic_group_of_vietnam_is_not_a_foreign_element():
    assert "nuoc ngoai" not in asked_markers(fold_diacritics("vợ tôi là người Tày, đăng ký kết hôn ở đâu"))


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("làm lại giấy khai sinh", "1.004884"),
        ("cap lai giay khai sinh bi mat", "1.004884"),
        ("tôi bị mất CCCD thì làm lại ở đâu", "1.014064"),
        ("CCCD hết hạn đổi ở đâu", "1.014063"),
    ],
)
def test_sibling_paraphrases_reach_the_right_procedure(assistant, question, code):
    answer = assistant.answer(question)
    assert not answer.refused and answer.focus_code == code, answer.answer[:200]


def test_a_death_in_the_family_lists_the_procedures_in_order(assistant):
    answer = assistant.answer("Bố tôi vừa mất hôm qua ở nhà, gia đình cần làm giấy tờ gì ở phường?")
    assert not answer.refused and answer.focus_code == "1.000656"
    lines = answer.answer.splitlines()
    assert lines[1].startswith("1. ") and "mã 1.000656" in lines[1] and " — " in lines[1]
    assert [o.code for o in answer.options][:2] == ["1.000656", "1.003197"]


def test_a_question_that_names_a_procedure_is_not_turned_into_a_life_event(assistant):
    answer = assistant.answer("thủ tục đăng ký khai tử cần giấy tờ gì")
    assert answer.focus_code == "1.000656" and not answer.options and answer.life_event is None


def test_being_somewhere_does_not_name_a_registration(assistant):
    """The "đang" of "đang ở" folds like the "đăng" of "đăng ký"; the next word tells them apart, accented or not."""

    def names_matched(question: str) -> int:
        hits = assistant.ranker.rank(assistant.ranker.analyzer.analyze(question), None, limit=20)
        return next(h.name_matches for h in hits if h.code == "1.004222")  # Đăng ký thường trú

    assert names_matched("con đang ở với ông bà, còn thường trú thì ở quê") == 2
    assert names_matched("con dang o voi ong ba, con thuong tru thi o que") == 2
    assert names_matched("đăng ký thường trú cho con") == 4
    assert names_matched("dang ky thuong tru cho con") == 4


def test_follow_up_with_only_the_users_earlier_turn(assistant):
    history = [{"role": "user", "content": "Tôi muốn đăng ký giám hộ cho cháu tôi"}]
    first = assistant.answer("Tôi muốn đăng ký giám hộ cho cháu tôi")
    answer = assistant.answer("Làm xong thì được cấp giấy gì?", history)
    assert answer.focus_code == first.focus_code and "giám hộ" in answer.answer.casefold()


def test_a_longer_follow_up_is_read_with_the_users_earlier_turns(assistant):
    """Two earlier turns set the topic; the follow-up says what it asks but not what it is about."""
    history = [
        {"role": "user", "content": "hai đứa em định cưới cuối năm nay"},
        {"role": "user", "content": "muốn đăng ký kết hôn ở phường"},
    ]
    alone = assistant.answer("vậy cần mang những giấy tờ gì, mấy ngày thì xong")
    answer = assistant.answer("vậy cần mang những giấy tờ gì, mấy ngày thì xong", history)
    assert alone.focus_code != "1.000894"
    assert answer.focus_code == "1.000894" and "Hồ sơ gồm" in answer.answer


def test_a_new_procedure_after_user_turns_is_not_a_follow_up(assistant):
    history = [{"role": "user", "content": "Tôi muốn đăng ký giám hộ cho cháu tôi"}]
    answer = assistant.answer("lệ phí đăng ký thành lập hộ kinh doanh bao nhiêu", history)
    assert answer.focus_code == "1.001612"


def _history(first: str, answered_with: str | None) -> list[dict]:
    turns = [{"role": "user", "content": first}]
    if answered_with:  # an API client that sends the assistant's turn too
        turns.append({"role": "assistant", "content": f"Thủ tục (mã {answered_with}): xem hướng dẫn trên Cổng Dịch vụ công."})
    return turns


@pytest.mark.parametrize("answered", [False, True], ids=["user-turns-only", "with-answer"])
@pytest.mark.parametrize(
    ("first", "first_code", "follow_up", "code"),
    [
        ("làm giấy khai sinh cho con mất bao lâu", "1.001193", "còn khai tử thì sao", "1.000656"),  # another procedure
        ("lệ phí cấp đổi căn cước", "1.014063", "thế cấp lại thì bao nhiêu", "1.014064"),  # a sibling's marker
        ("làm căn cước cho người trên 14 tuổi ở đâu", "1.014061", "còn con dưới 14 tuổi thì sao", "1.014062"),
        # "nơi thường trú" is where the child lives, not the procedure "Đăng ký thường trú"
        ("tôi muốn làm thẻ căn cước cho mình", "1.014061", "còn đứa con 9 tuổi thì có phải về quê nơi thường trú làm không", "1.014062"),
        ("đăng ký tạm trú cần giấy tờ gì", "1.004194", "thế lệ phí hết bao nhiêu vậy", "1.004194"),  # more of the same one
        ("tôi bị mất căn cước", "1.014064", "thế có nộp online được không", "1.014064"),
    ],
)
def test_a_follow_up_starting_con_or_the_turns_only_to_what_it_names(assistant, answered, first, first_code, follow_up, code):
    answer = assistant.answer(follow_up, _history(first, first_code if answered else None))
    assert answer.focus_code == code, answer.answer[:200]


def test_a_question_that_names_another_procedure_leaves_the_one_talked_about(assistant):
    # the birth record mentions marriage and foreigners too; the question names another procedure's words
    history = _history("đăng ký khai sinh cần gì", "1.001193")
    answer = assistant.answer("đăng ký kết hôn với người nước ngoài cần giấy tờ gì", history)
    assert answer.focus_code == "2.000806", answer.answer[:200]


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("đăng ký kết hôn có cần giấy xác nhận tình trạng hôn nhân không", "1.000894"),  # not the certificate's own
        ("tách hộ có cần sổ hộ khẩu không", "1.010038"),  # not the residence registration "hộ khẩu" stands for
        ("đăng ký khai tử có cần giấy báo tử không", "1.000656"),
    ],
)
def test_a_document_question_is_about_the_procedure_named_before_the_document(assistant, question, code):
    answer = assistant.answer(question)
    assert answer.focus_code == code and answer.answer.startswith(("Có.", "Không.")), answer.answer[:200]


def test_a_reply_to_a_clarifying_question_picks_the_option(assistant):
    clarification = (
        "Câu hỏi của bạn có thể ứng với nhiều thủ tục. Bạn muốn hỏi thủ tục nào?\n"
        "1. Đăng ký khai sinh (mã 1.001193)\n2. Đăng ký khai sinh có yếu tố nước ngoài (mã 2.000528)"
    )
    history = [{"role": "user", "content": "khai sinh"}, {"role": "assistant", "content": clarification}]
    assert assistant.answer("cái thứ hai", history).focus_code == "2.000528"
    assert assistant.answer("chồng tôi người Hàn Quốc", history).focus_code == "2.000528"


def test_a_procedure_of_another_level_says_who_handles_it(tmp_path, small_corpus, settings, embedder):
    record = small_corpus / "procedures" / "1.014063.yaml"
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    data.update(code="9.000001", name="Cấp giấy phép lái xe", levels=["Cấp tỉnh"], agency="Sở Xây dựng")
    (small_corpus / "procedures" / "9.000001.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embedder)
    answer = load_assistant(settings, embedder).answer("cấp giấy phép lái xe ở đâu")
    assert answer.focus_code == "9.000001" and answer.scope == "other_level"
    assert answer.answer.startswith("Lưu ý: thủ tục này do cấp tỉnh (Sở Xây dựng) giải quyết, không nộp tại phường.")


def test_a_procedure_the_portal_lists_twice_is_answered_not_asked_about(small_corpus, settings, embedder):
    """Asking a citizen to choose between two identical names helps no one: the answer says both codes."""
    record = small_corpus / "procedures" / "1.004194.yaml"
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    data.update(code="9.000002", name=data["name"].replace(" ", "  "))
    (small_corpus / "procedures" / "9.000002.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embedder)
    answer = load_assistant(settings, embedder).answer("đăng ký tạm trú cần giấy tờ gì")
    assert not answer.clarification and not answer.refused
    shown = answer.focus_code
    twin = "9.000002" if shown == "1.004194" else "1.004194"
    assert f"có 2 thủ tục cùng tên này (mã {shown}, {twin}); câu trả lời theo mã {shown}." in answer.answer


def test_a_procedure_listed_at_the_old_district_level_too_is_answered_at_the_wards(small_corpus, settings, embedder):
    """ "Cấp huyện hay cấp xã?" is no question for a citizen of a ward: the ward's own level is meant."""
    record = small_corpus / "procedures" / "1.004194.yaml"
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    name = data["name"]
    record.write_text(yaml.safe_dump({**data, "name": f"{name} (thực hiện tại cấp xã)"}, allow_unicode=True), encoding="utf-8")
    district = {**data, "code": "9.000003", "name": f"{name} (thực hiện tại cấp huyện)"}
    (small_corpus / "procedures" / "9.000003.yaml").write_text(yaml.safe_dump(district, allow_unicode=True), encoding="utf-8")
    run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embedder)
    answer = load_assistant(settings, embedder).answer("đăng ký tạm trú cần giấy tờ gì")
    assert not answer.clarification and not answer.refused and answer.focus_code == "1.004194", answer.answer[:200]


def test_nothing_in_the_data_is_refused_with_the_contact(assistant):
    answer = assistant.answer("cấp giấy phép lái xe")  # not in the default corpus
    assert answer.refused and "Trung tâm Phục vụ hành chính công" in answer.answer and answer.scope == "none"


def test_how_long_a_paper_is_valid_is_not_answered_with_the_processing_time(assistant):
    answer = assistant.answer("giấy xác nhận tình trạng hôn nhân có giá trị bao lâu")
    assert answer.focus_code == "1.004873" and answer.answer.startswith("Cổng Dịch vụ công không nêu rõ"), answer.answer[:200]
    assert "Thời hạn giải quyết" not in answer.answer


def test_handing_in_by_post_is_answered_yes_or_no(assistant):
    answer = assistant.answer("xin xác nhận tình trạng hôn nhân có gửi hồ sơ qua bưu điện được không")
    assert answer.answer.startswith("Có. Thủ tục này nộp qua dịch vụ bưu chính được."), answer.answer[:200]


def test_trigger_words_matched_by_chance_do_not_hide_the_procedure_asked_about(assistant):
    """'… mất … bố mẹ' matches the death triggers 'bố mất', 'mẹ mất', but the question is about a lost certificate."""
    question = "mới mất giấy chứng nhận kết hôn của bố mẹ, xin cấp lại"
    assert assistant.events.match(question).event.title == "Gia đình có người thân qua đời"
    answer = assistant.answer(question)
    assert answer.focus_code == "1.004746" and not answer.options, answer.answer[:200]


def test_function_words_do_not_make_a_life_event():
    """Counted, 'tôi muốn … nhà' matched the trigger 'tôi muốn xây nhà' to a question about the head of household."""
    assert content_words("Tôi muốn xây nhà").words == {"xây", "nhà"}
    assert content_words("toi muon lam the can cuoc").words == {"the", "can", "cuoc"}  # thẻ căn cước, typed plain
    matcher = LifeEventMatcher([_event("Xây nhà", ["tôi muốn xây nhà"])])
    assert matcher.match("nhà tôi muốn đổi chủ hộ") is None
    assert matcher.match("tôi muốn xây nhà") is not None


def test_a_question_with_diacritics_is_matched_on_its_accented_words():
    """'đổi tên … quá' is not 'qua đời'; typed without diacritics, the letters are all there is to go on."""
    matcher = LifeEventMatcher([_event("Có người thân qua đời", ["qua đời"])])
    assert matcher.match("tôi muốn đổi tên vì tên xấu quá") is None
    assert matcher.match("ông tôi qua đời hôm qua") is not None
    assert matcher.match("ong toi qua doi hom qua") is not None


def test_half_a_trigger_is_enough_when_the_question_asks_what_to_do():
    matcher = LifeEventMatcher([_event("Có người thân qua đời", ["nhà có người mất cần làm giấy tờ gì"])])
    assert matcher.match("nha co nguoi mat can lam nhung gi") is not None  # its 3 content words, and asks what to do
    assert matcher.match("người mất rồi cần làm những gì") is not None  # 2 of 3
    assert matcher.match("người mất để lại tài sản") is None  # 2 of 3, asking nothing


@pytest.mark.parametrize(
    "question",
    [
        "ông tôi mới qua đời, gia đình phải làm thủ tục gì",
        "mẹ mất rồi phải làm những thủ tục gì",
        "nhà có người mất cần làm gì",
        "bố tôi vừa mất, gia đình cần lo những giấy tờ nào",
    ],
)
def test_a_death_told_in_few_words_is_the_death_life_event(assistant, question):
    answer = assistant.answer(question)
    assert answer.life_event == "nguoi-than-qua-doi"
    assert answer.answer.startswith("Gia đình có người thân qua đời:") and answer.options[0].code == "1.000656", answer.answer[:200]


def test_a_life_event_answer_leads_with_the_step_the_question_points_at(assistant):
    """The death event's first step is khai tử; a question about a pensioner's death leads with the survivors' allowance."""
    answer = assistant.answer("người mất đang hưởng lương hưu, gia đình cần làm gì")
    codes = [o.code for o in answer.options]
    assert codes[0] == "1.000656" and answer.focus_code == answer.retrieved[0] == "2.000821"


def test_a_single_fact_asked_in_a_life_situation_is_answered_from_its_procedure(assistant):
    answer = assistant.answer("bố tôi mới mất, làm giấy tờ ở phường mất mấy ngày")
    assert answer.focus_code == "1.000656" and "thường cần làm các thủ tục sau" not in answer.answer, answer.answer[:200]


def test_the_documents_of_the_one_procedure_that_leads_are_answered_in_a_life_situation(assistant):
    """'… hồ sơ xin phép gồm những gì' asks for the permit's documents, not which procedures building a house takes."""
    answer = assistant.answer("tôi muốn xây nhà, hồ sơ xin phép gồm những gì")
    assert answer.focus_code == "1.013225" and not answer.options and answer.answer.startswith("Hồ sơ gồm"), answer.answer[:200]


def test_asking_which_papers_to_do_in_a_life_situation_lists_the_procedures(assistant):
    """'… phải làm những giấy tờ gì' asks which procedures to do; so does a documents question no procedure leads."""
    assert [o.code for o in assistant.answer("bố tôi mới mất, gia đình phải làm những giấy tờ gì").options][:2] == ["1.000656", "1.003197"]
    assert [o.code for o in assistant.answer("bố tôi mới mất, hồ sơ gồm những gì").options][:2] == ["1.000656", "1.003197"]


def test_a_close_sibling_with_the_marker_the_question_describes_goes_first(assistant):
    """'chồng người Nhật' asks for the foreign-element sibling even when the plain procedure scores higher, up to a point."""
    plain = ProcedureHit(code="1.000894", score=0.77, name="Thủ tục đăng ký kết hôn")
    foreign = ProcedureHit(code="2.000806", score=0.75, name="Thủ tục đăng ký kết hôn có yếu tố nước ngoài")
    border = ProcedureHit(code="1.000094", score=0.76, name="Thủ tục đăng ký kết hôn có yếu tố nước ngoài tại khu vực biên giới")
    query = assistant.ranker.analyzer.analyze("toi sap lay chong nguoi Nhat, dang ky ket hon theo thu tuc nao")
    assert [h.code for h in assistant._asked_marker_first([plain, border, foreign], query)][0] == "2.000806"
    plain_query = assistant.ranker.analyzer.analyze("đăng ký kết hôn theo thủ tục nào")
    assert assistant._asked_marker_first([plain, foreign], plain_query)[0].code == "1.000894"
    behind = ProcedureHit(code="2.000806", score=0.3, name=foreign.name)
    assert assistant._asked_marker_first([plain, behind], query)[0].code == "2.000806"
    far = ProcedureHit(code="2.000806", score=0.2, name=foreign.name)
    assert assistant._asked_marker_first([plain, far], query)[0].code == "1.000894"  # too far behind: the model's order stands
    # a marker asked that no close name has ("mẹ cháu đã mất", a death) does not keep the one asked too from going first
    orphan = assistant.ranker.analyzer.analyze("mẹ cháu người Thái Lan đã mất, đăng ký giám hộ cho cháu cần giấy gì")
    guardian = ProcedureHit(code="1.004837", score=0.44, name="Thủ tục đăng ký giám hộ")
    foreign_guardian = ProcedureHit(code="1.001669", score=0.19, name="Thủ tục đăng ký giám hộ có yếu tố nước ngoài")
    assert assistant._asked_marker_first([guardian, foreign_guardian], orphan)[0].code == "1.001669"


_MARRIAGE = [("1.000894", "Thủ tục đăng ký kết hôn"), ("1.004746", "Thủ tục đăng ký lại kết hôn")]
_WATER_CRAFT = [
    ("2.001212", "Cấp lại Giấy chứng nhận đăng ký phương tiện vui chơi dưới nước"),
    ("2.001214", "Đăng ký lại phương tiện vui chơi dưới nước"),
]
_CARD = [("1.014063", "Cấp đổi thẻ căn cước"), ("1.014064", "Cấp lại thẻ căn cước")]


@pytest.mark.parametrize(
    ("ranked", "question", "first"),
    [
        # 'bị mất', 'làm mất' name cấp lại and đăng ký lại alike: a name with either has what was asked
        (_MARRIAGE, "giấy đăng ký kết hôn bị mất thì làm sao", "1.004746"),
        (_WATER_CRAFT, "làm mất giấy chứng nhận phương tiện vui chơi dưới nước", "2.001212"),
        # a marker the question spells out is asked for itself
        (_WATER_CRAFT, "đăng ký lại phương tiện vui chơi dưới nước thì bao lâu được cấp lại giấy", "2.001214"),
        # "làm lại" a card that "hết hạn" names cấp lại and cấp đổi: the model's choice of either stands
        (_CARD, "căn cước hết hạn rồi đi làm lại ở đâu", "1.014063"),
        (_CARD[::-1], "căn cước hết hạn rồi thì đi đâu", "1.014063"),
    ],
)
def test_everyday_words_ask_for_either_re_issue_marker(assistant, ranked, question, first):
    hits = [ProcedureHit(code=code, score=0.8 - 0.1 * rank, name=name) for rank, (code, name) in enumerate(ranked)]
    assert assistant._asked_marker_first(hits, assistant.ranker.analyzer.analyze(question))[0].code == first


def test_a_turn_with_a_topic_of_its_own_is_not_read_with_the_earlier_ones(assistant):
    """Read alone, the turn is about a procedure whose name stands out, and more surely than with the earlier turns:
    it changed the subject. A turn whose words fit several names alike takes its subject from the earlier turns."""

    def hit(code: str, name: str, score: float, overlap: float) -> ProcedureHit:
        return ProcedureHit(code=code, score=score, name=name, name_overlap=overlap, name_matches=5, coverage=1.0, answerable=1.0)

    extract = hit("1.010101", "Khai thác thông tin công dân trong Cơ sở dữ liệu quốc gia về dân cư", 0.72, 0.45)
    gathered = hit("1.014065", "Thu thập, cập nhật thông tin của người gốc Việt Nam", 0.24, 0.34)
    card = hit("1.014064", "Cấp lại thẻ căn cước", 0.39, 0.8)
    extracting = assistant.ranker.analyzer.analyze("còn xin trích xuất thông tin trong cơ sở dữ liệu dân cư")
    assert assistant._surer_alone([extract, gathered], [card], extracting)
    assert not assistant._surer_alone([extract, gathered], [replace(card, score=0.8)], extracting)
    birth = hit("1.004884", "Thủ tục đăng ký lại khai sinh", 0.68, 0.6)
    marriage = hit("1.004746", "Thủ tục đăng ký lại kết hôn", 0.53, 0.6)
    again = assistant.ranker.analyzer.analyze("đăng ký lại thì sao")
    assert not assistant._surer_alone([birth, marriage], [replace(card, score=0.1)], again)
    # a name that does not stand out, but a model at least twice as sure of it as of the next
    corrected = hit("1.012564", "Điều chỉnh thông tin trong Cơ sở dữ liệu quốc gia về dân cư", 0.84, 0.38)
    correcting = assistant.ranker.analyzer.analyze("còn sửa thông tin bị sai trong cơ sở dữ liệu dân cư")
    assert assistant._surer_alone([corrected, replace(extract, score=0.07)], [replace(card, score=0.36)], correcting)
    assert not assistant._surer_alone([corrected, replace(extract, score=0.6)], [replace(card, score=0.36)], correcting)
    # the same lead on words that name nothing of it is the model's reading of generic words
    generic = assistant.ranker.analyzer.analyze("thế nộp ở đâu, mất mấy ngày")
    assert not assistant._surer_alone([corrected, replace(extract, score=0.07)], [replace(card, score=0.36)], generic)


def test_a_turn_read_with_earlier_ones_keeps_the_markers_it_does_not_replace(assistant):
    analyze = assistant.ranker.analyzer.analyze
    again = analyze("giấy bị mất rồi, muốn đăng ký lại thì cần nộp gì")
    joined = analyze("Tôi và chồng người Nhật đã đăng ký kết hôn từ lâu. giấy bị mất rồi, muốn đăng ký lại thì cần nộp gì")
    assert {"nuoc ngoai", "dang ky lai"} <= (assistant._turn_markers(again, joined) or set())
    reissue = analyze("thế cấp lại thì bao nhiêu")
    after_exchange = analyze("lệ phí cấp đổi căn cước. thế cấp lại thì bao nhiêu")
    assert "cap doi" not in (assistant._turn_markers(reissue, after_exchange) or set())
    assert assistant._turn_markers(analyze("thế lệ phí bao nhiêu"), after_exchange) is None  # the earlier turns' own


def test_words_shared_by_several_names_do_not_name_one_procedure(assistant):
    """'đăng ký lại' holds as much of each 'đăng ký lại …' name: a follow-up with only those words is read with the
    citizen's earlier turn. The same name twice (at another level, or with 'Thủ tục') is still one procedure."""

    def hit(code: str, name: str, overlap: float, matches: int) -> ProcedureHit:
        return ProcedureHit(code=code, score=0.5, name=name, name_overlap=overlap, name_matches=matches, coverage=1.0, answerable=1.0)

    birth = hit("1.004884", "Thủ tục đăng ký lại khai sinh", 0.6, 3)
    marriage = hit("1.004746", "Thủ tục đăng ký lại kết hôn", 0.6, 3)
    assert not assistant._names_a_procedure([birth, marriage])
    assert assistant._names_a_procedure([birth, replace(marriage, name_overlap=0.4, name_matches=2)])
    same_name = [hit("1.008588", "Nộp dần tiền thuế nợ", 1.0, 5), hit("1.011636", "Thủ tục nộp dần tiền thuế nợ", 1.0, 5)]
    assert assistant._names_a_procedure(same_name)


def _event(title: str, triggers: list[str]) -> LifeEvent:
    return LifeEvent(id="e", title=title, triggers=triggers, procedures=[LifeEventStep(code="1.000656", name="Khai tử", what_for="x")])


def test_a_best_candidate_the_model_all_but_rules_out_is_not_answered(assistant, monkeypatch):
    """Below the floor of the model's probability the answer is "not in our data", however well the words match:
    a wrong procedure stated with 0.3% confidence misleads more than an honest referral to the centre."""
    zeros = {name: np.zeros(len(names)) for name, names in (("rank", FEATURE_NAMES), ("answer", ANSWER_FEATURE_NAMES))}
    model = RankingModel(
        Logistic(zeros["rank"], np.ones(len(FEATURE_NAMES)), zeros["rank"], 0.0),
        Logistic(zeros["answer"], np.ones(len(ANSWER_FEATURE_NAMES)), zeros["answer"], 0.0),
        0.1,
        {"backend": "hashing", "model": "words"},
        {"note": "test"},
    )
    monkeypatch.setattr(assistant.ranker, "model", model)
    floor = assistant.policy.min_top_probability
    matched = ProcedureHit(code="1.001193", score=0.6, name="Thủ tục đăng ký khai sinh", coverage=1.0, dense_similarity=0.9, answerable=1.0)
    assert not assistant._weak(matched)
    assert assistant._weak(replace(matched, score=floor / 3))
    monkeypatch.setattr(assistant.ranker, "model", None)  # without a model the score is no probability: no floor
    assert not assistant._weak(replace(matched, score=floor / 3))


def test_a_marker_asked_after_user_turns_finds_the_sibling_of_what_they_were_about(assistant):
    """The earlier turns on their own say which procedure the citizen talks about; this turn's marker picks its
    sibling: read together, the words of a loss can rank an unrelated "cấp lại …" first."""
    analyze = assistant.ranker.analyzer.analyze
    earlier = ["Tôi đang hỏi đổi thẻ căn cước vì bị sai thông tin"]
    assert assistant._sibling_of_earlier_turns(earlier, analyze("nếu làm mất luôn thẻ đó thì xin lại mất mấy ngày"), None) == "1.014064"
    assert assistant._sibling_of_earlier_turns(earlier, analyze("thì mất mấy ngày"), None) is None  # no marker asked


def test_a_turn_that_points_back_stays_on_what_the_earlier_turns_were_about(assistant):
    """"Cái thẻ đó" is the card the citizen spoke of: the turn's own words ("đăng ký lại") name a marriage
    re-registration better, but the turn is about the card, with or without the assistant's answer in the history."""
    card = "Tôi đang hỏi đổi thẻ căn cước vì bị sai thông tin"
    question = "nếu cái thẻ đó bị mất thì đăng ký lại ở đâu"
    assert assistant.answer(question).focus_code != "1.014064"
    assert assistant.answer(question, [{"role": "user", "content": card}]).focus_code == "1.014064"
    answered = [{"role": "user", "content": card}, {"role": "assistant", "content": "Thủ tục Cấp đổi thẻ căn cước (mã 1.014063)."}]
    assert assistant.answer(question, answered).focus_code == "1.014064"


def test_a_follow_up_that_says_enough_of_its_own_picks_notes_by_its_own_words(assistant):
    """Read with the earlier turn for the procedure, the question's own words pick what leads: the divorce judgment it
    asks about, not the procedure's summary the earlier turn's words match."""
    earlier = "mình ly hôn được 2 năm rồi, giờ muốn xin giấy xác nhận tình trạng hôn nhân để đăng ký kết hôn lại"
    history = [{"role": "user", "content": earlier}]
    question = "có cần đưa thông tin bản án ly hôn không hay chỉ cần căn cước thôi"
    answer = assistant.answer(question, history)
    assert answer.focus_code == "1.004873"
    assert "bản án" in answer.answer.splitlines()[0].casefold()


def test_a_follow_up_names_a_procedure_by_a_pair_of_its_name_not_by_generic_words(assistant):
    """A model's lead on a turn of generic words ("tờ khai", "xin lại") is not the turn naming a procedure of its own:
    such a turn is read with the earlier turns."""
    ranker, analyze = assistant.ranker, assistant.ranker.analyzer.analyze
    share = assistant.policy.naming_pair_share
    birth_again = assistant.index.procedures["1.004884"].name
    assert not ranker.names_by_a_pair(birth_again, analyze("xin lai thi dien to khai mau nao"), share)
    assert ranker.names_by_a_pair(birth_again, analyze("đăng ký lại khai sinh cho con thì cần gì"), share)
    assert not ranker.names_by_a_pair(birth_again, analyze("đăng ký lại thì cần gì"), share)  # a marker names a kind
    online = "Dịch vụ công trực tuyến gửi, nhận đơn khởi kiện, tài liệu, chứng cứ"
    assert not ranker.names_by_a_pair(online, analyze("neu nop online thi co can gui ban chinh ko"), share)  # not its 'online'
    assert ranker.names_by_a_pair(online, analyze("nộp đơn khởi kiện trực tuyến thế nào"), share)
