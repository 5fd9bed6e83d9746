"""The note picker: the record's sentences, their features, the learned choice, its file form and its training."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from rag.composer import FILL_BUDGET, compose_procedure_answer
from rag.logistic import Logistic
from rag.note_training import (
    SECOND_NOTE_PRECISION,
    SECOND_THRESHOLDS,
    THRESHOLDS,
    FactQuestion,
    NoteGroup,
    collect_groups,
    fit_associations,
    highest_keeping_facts,
    lowest_with_precision,
    median_over_resamples,
    train_notes,
)
from rag.notes import (
    ASKS,
    ASSOCIATION_FEATURE_NAMES,
    BASE_NOTE_FEATURE_NAMES,
    FOLDED_TIME_EXPR,
    HELD_FIRST,
    MAX_RELATED,
    MAX_SECOND_NOTE,
    MAX_SURE_ALONE,
    MIN_FILL,
    NOTE_FEATURE_NAMES,
    NOTE_LINE_COST,
    STATES,
    LearnedNotes,
    NoteModel,
    Sentence,
    WordAssociations,
    alone,
    around,
    asks_nothing_in_particular,
    note_features,
    note_question,
    question_case,
    read_on,
    record_sentences,
    unshown,
    word_set,
)
from rag.query import QueryAnalyzer
from rag.ranking import RankingModel
from rag.service import Assistant
from rag.trees import TreeEnsemble, from_lightgbm
from tthc.schema import Channel, Document, Procedure
from tthc.text import fold_diacritics

LOST_PASSPORT = Procedure(
    code="9.000002",
    name="Trình báo mất hộ chiếu phổ thông",
    steps=[
        "Bước 1: Người bị mất hộ chiếu nộp đơn tại Công an cấp xã.",
        "Trong thời hạn 02 ngày làm việc kể từ ngày phát hiện mất, người bị mất nộp đơn báo mất.",
        "Người chưa đủ 14 tuổi thì người đại diện hợp pháp khai và ký thay.",
    ],
    documents=[Document(name="Đơn báo mất hộ chiếu", note="Mẫu TK05")],
)


NO_ASSOCIATIONS = WordAssociations()


def _words_idf(words: list[str]) -> np.ndarray:
    return np.ones(len(words))


def _logistic(weights: dict[str, float], bias: float) -> Logistic:
    vector = np.zeros(len(NOTE_FEATURE_NAMES))
    for name, weight in weights.items():
        vector[NOTE_FEATURE_NAMES.index(name)] = weight
    size = len(NOTE_FEATURE_NAMES)
    return Logistic(np.zeros(size), np.ones(size), vector, bias)


def _model(
    weights: dict[str, float],
    threshold: float = 0.2,
    bias: float = -1.0,
    second_threshold: float = 1.0,
    lead_threshold: float = 0.0,
    order: dict[str, float] | None = None,
) -> NoteModel:
    order_model = _logistic(order, 0.0) if order is not None else None
    return NoteModel(_logistic(weights, bias), threshold, second_threshold, lead_threshold, order_model)


@pytest.fixture(scope="module")
def analyzer(assistant) -> QueryAnalyzer:
    return assistant.ranker.analyzer


def _columns(analyzer: QueryAnalyzer, record: Procedure, question: str, *names: str) -> list[np.ndarray]:
    """The named feature columns of the record's sentences for the question (idf 1, no learned lifts)."""
    asked = note_question(record, analyzer.analyze(question), _words_idf)
    table = note_features(asked, record, record_sentences(record), NO_ASSOCIATIONS)
    return [table[:, NOTE_FEATURE_NAMES.index(name)] for name in names]


def test_sentences_keep_where_they_come_from():
    sentences = record_sentences(LOST_PASSPORT)
    sources = {s.text: s.source for s in sentences}
    assert sources["Người chưa đủ 14 tuổi thì người đại diện hợp pháp khai và ký thay."] == "step"
    assert sources["Đơn báo mất hộ chiếu: Mẫu TK05"] == "document"
    assert len(sentences) == len(sources)  # each sentence once


def test_the_notes_of_the_documents_table_are_sentences_a_note_can_show():
    record = LOST_PASSPORT.model_copy(update={"document_notes": ["Lưu ý: Văn bản cho thuê nhà không bắt buộc phải công chứng."]})
    sources = {s.text: s.source for s in record_sentences(record)}
    assert sources["Lưu ý: Văn bản cho thuê nhà không bắt buộc phải công chứng."] == "document"


def test_short_list_items_stay_with_the_sentence_that_opens_the_list():
    opening = "Nội dung khai báo tạm vắng bao gồm họ và tên, số định danh cá nhân của người khai báo tạm vắng;"
    clause = "trường hợp khai báo qua Cổng dịch vụ công thì người khai báo nhận kết quả qua tài khoản định danh điện tử."
    proc = Procedure(code="9.000005", name="Khai báo tạm vắng thử", steps=[f"{opening} lý do tạm vắng; thời gian tạm vắng; {clause}"])
    texts = [s.text for s in record_sentences(proc)]
    assert f"{opening} lý do tạm vắng; thời gian tạm vắng;" in texts
    assert clause in texts  # a long piece after a semicolon is a sentence of its own
    assert not any(t.startswith(("lý do", "thời gian")) for t in texts)


def test_features_read_what_is_asked_and_what_is_stated(analyzer):
    query = analyzer.analyze("con tôi 10 tuổi mất hộ chiếu thì ai ký đơn")
    question = note_question(LOST_PASSPORT, query, _words_idf)
    sentences = record_sentences(LOST_PASSPORT)
    table = note_features(question, LOST_PASSPORT, sentences, NO_ASSOCIATIONS)
    assert table.shape == (len(sentences), len(NOTE_FEATURE_NAMES))
    column = {name: table[:, i] for i, name in enumerate(NOTE_FEATURE_NAMES)}
    who = [s.text for s in sentences].index("Người chưa đủ 14 tuổi thì người đại diện hợp pháp khai và ký thay.")
    assert column["asks_who"].all() and column["asks_who_states_agent"][who] == 1.0
    assert column["overlap"][who] == column["overlap"].max() and column["is_best_rare"][who] == 1.0


def test_a_count_asked_in_days_matches_a_sentence_counting_days_not_hours(analyzer):
    record = LOST_PASSPORT.model_copy(update={"steps": ["Hồ sơ nộp sau 15 giờ được trả ngày hôm sau.", *LOST_PASSPORT.steps]})
    question = note_question(record, analyzer.analyze("mất hộ chiếu trong vòng bao nhiêu ngày phải báo"), _words_idf)
    sentences = record_sentences(record)
    column = note_features(question, record, sentences, NO_ASSOCIATIONS)[:, NOTE_FEATURE_NAMES.index("unit_asked_stated")]
    stated = {s.text: bool(v) for s, v in zip(sentences, column, strict=True)}
    assert stated["Trong thời hạn 02 ngày làm việc kể từ ngày phát hiện mất, người bị mất nộp đơn báo mất."]
    assert not stated["Hồ sơ nộp sau 15 giờ được trả ngày hôm sau."]
    unasked = note_question(record, analyzer.analyze("mất hộ chiếu báo ở đâu"), _words_idf)
    assert not note_features(unasked, record, sentences, NO_ASSOCIATIONS)[:, NOTE_FEATURE_NAMES.index("unit_asked_stated")].any()


def test_a_number_near_the_words_asked_is_the_number_asked_about(analyzer):
    record = Procedure(
        code="9.000006",
        name="Giải quyết khiếu nại mẫu",
        steps=[
            "Người có thẩm quyền thụ lý trong thời hạn 10 ngày kể từ ngày nhận đơn.",
            "Trong thời hạn 3 ngày làm việc, cơ quan gửi quyết định giải quyết cho người khiếu nại và các bên liên quan.",
        ],
    )
    near, rare = _columns(analyzer, record, "khiếu nại thì trong bao lâu họ phải thụ lý", "number_near_wanted", "rare_near_number")
    assert near.tolist() == [1.0, 0.0] and rare[0] > rare[1]
    (unasked_near,) = _columns(analyzer, record, "khiếu nại thì ai thụ lý", "number_near_wanted")
    assert not unasked_near.any()


def test_the_case_a_question_names_is_matched_against_the_case_a_sentence_states(analyzer):
    record = Procedure(
        code="9.000007",
        name="Hỗ trợ phát triển sản xuất mẫu",
        steps=[
            "Trong thời hạn 05 ngày làm việc, Ủy ban nhân dân cấp huyện thành lập Tổ thẩm định.",
            "Trường hợp hồ sơ không đủ điều kiện trình phê duyệt, sau 03 ngày họp thẩm định, huyện gửi văn bản cho xã.",
            "Trường hợp hồ sơ đủ điều kiện, Tổ thẩm định trình phê duyệt.",
        ],
    )
    question = "hồ sơ không đủ điều kiện thì bao lâu huyện phải báo cho xã"
    names = ("case_rare_share", "case_both_negative", "case_in_both", "case_rare_share_of_best")
    share, negative, both, share_of_best = _columns(analyzer, record, question, *names)
    assert both.tolist() == [0.0, 1.0, 1.0]  # the first sentence states no case
    assert negative.tolist() == [0.0, 1.0, 0.0]
    assert share[1] >= share[2] > 0
    assert share_of_best[1] == 1.0
    (plain_both,) = _columns(analyzer, record, "bao lâu huyện phải báo cho xã", "case_in_both")
    assert not plain_both.any()


def test_what_is_asked_after_the_case_is_looked_for_outside_the_sentence_case(analyzer):
    record = Procedure(
        code="9.000008",
        name="Khôi phục mã số thuế mẫu",
        steps=[
            "Trường hợp hồ sơ không hợp lệ, trong thời hạn 03 ngày làm việc cơ quan thuế thông báo cho người nộp thuế.",
            "Trường hợp hồ sơ hợp lệ, cơ quan thuế khôi phục mã số thuế trong 05 ngày làm việc.",
        ],
    )
    names = ("asked_rare_share", "negation_both", "negation_question_only")
    asked, both, question_only = _columns(analyzer, record, "hồ sơ không hợp lệ thì cơ quan thuế thông báo trong bao lâu", *names)
    assert asked[0] > asked[1]  # "thông báo" is asked after the case, and said by the first sentence only
    assert both.tolist() == [1.0, 0.0] and question_only.tolist() == [0.0, 1.0]
    yes_no = "khôi phục mã số thuế nộp online có được không"
    yes_no_both, yes_no_question_only = _columns(analyzer, record, yes_no, "negation_both", "negation_question_only")
    assert not yes_no_both.any()  # a yes/no question's 'không' negates nothing
    assert not yes_no_question_only.any()


def test_the_way_a_question_hands_in_is_matched_against_the_way_a_sentence_names(analyzer):
    record = Procedure(
        code="9.000009",
        name="Cấp bản sao trích lục mẫu",
        steps=[
            "Trường hợp nộp hồ sơ trực tuyến, người yêu cầu nhận kết quả qua thư điện tử.",
            "Trường hợp nộp hồ sơ trực tiếp tại Ủy ban nhân dân cấp xã, người yêu cầu nhận kết quả trong ngày.",
            "Cơ quan quản lý trực tiếp lưu sổ hộ tịch.",
        ],
    )
    same, other = _columns(analyzer, record, "nop online thi nhan ket qua o dau", "channel_same", "channel_other")
    assert same.tolist() == [1.0, 0.0, 0.0] and other.tolist() == [0.0, 1.0, 0.0]  # "quản lý trực tiếp" hands nothing in
    unasked_same, unasked_other = _columns(analyzer, record, "nhan ket qua o dau", "channel_same", "channel_other")
    assert not unasked_same.any() and not unasked_other.any()


@pytest.mark.parametrize(
    ("question", "case"),
    [
        ("ho so bi thieu thi bao lau bao lai", "ho so bi thieu"),
        ("xin phep thi cong nha thi can gi", "xin phep thi cong nha"),
        ("dang ky du thi can gi", ""),
        ("giay phep xay dung het han", ""),
    ],
)
def test_the_case_a_question_names_comes_before_thi(question, case):
    assert question_case(question).strip() == case


def test_the_order_model_chooses_the_sentence_and_the_probability_gates_it(analyzer):
    query = analyzer.analyze("con tôi 10 tuổi mất hộ chiếu thì ai ký đơn")
    every_step = {"from_step": 4.0}  # each step is as probable as the next: the order model decides
    picked = LearnedNotes(_model(every_step, threshold=0.5, order={"overlap": 3.0}), query, _words_idf).notes(LOST_PASSPORT, "")
    assert picked == [LOST_PASSPORT.steps[2]]
    by_order = LearnedNotes(_model(every_step, threshold=0.5, order={"from_document": 3.0}), query, _words_idf)
    assert by_order.notes(LOST_PASSPORT, "") == []  # its first is a document, which the probabilities leave out


def test_the_learned_picker_shows_its_best_sentence_only_above_its_threshold(analyzer):
    query = analyzer.analyze("mất hộ chiếu trong bao lâu phải báo")
    picks_deadline = LearnedNotes(_model({"time_asked_stated": 4.0}), query, _words_idf)
    assert picks_deadline.notes(LOST_PASSPORT, "") == [LOST_PASSPORT.steps[1]]
    unsure = LearnedNotes(_model({"time_asked_stated": 4.0}, threshold=0.99), query, _words_idf)
    assert unsure.notes(LOST_PASSPORT, "") == []
    # a sentence the answer already shows is never repeated as a note
    assert picks_deadline.notes(LOST_PASSPORT, LOST_PASSPORT.steps[1]) != [LOST_PASSPORT.steps[1]]


def test_a_detail_question_leads_with_the_sentence_that_answers_it(analyzer):
    query = analyzer.analyze("con tôi 10 tuổi mất hộ chiếu thì ai ký đơn")
    picker = LearnedNotes(_model({"asks_who_states_agent": 3.0, "overlap": 1.0}), query, _words_idf)
    lines = compose_procedure_answer(LOST_PASSPORT, ["overview"], query.content_words, None, picker)[0].splitlines()
    assert lines[0] == "Người chưa đủ 14 tuổi thì người đại diện hợp pháp khai và ký thay."
    named = next(i for i, line in enumerate(lines) if line.startswith("Thủ tục: "))  # after the sentences that fit
    assert lines[named].startswith("Thủ tục: Trình báo mất hộ chiếu phổ thông (mã 9.000002). Nơi nộp:")
    assert lines[named + 1].startswith("Xem đầy đủ:")  # how long and how much were not asked: the card has them
    # a question about the procedure as a whole that the picker answers: the sentence, then name and where, as for a
    # detail (the room goes to the sentences ranked next)
    how = LearnedNotes(_model({"overlap": 1.0}), analyzer.analyze("con tôi 10 tuổi mất hộ chiếu thì ký đơn thế nào"), _words_idf)
    led = compose_procedure_answer(LOST_PASSPORT, ["overview"], how.query.content_words, None, how)[0].splitlines()
    assert led[0] == "Người chưa đủ 14 tuổi thì người đại diện hợp pháp khai và ký thay."
    named = next(i for i, line in enumerate(led) if line.startswith("Thủ tục: "))
    assert led[named].startswith("Thủ tục: Trình báo mất hộ chiếu phổ thông") and led[named + 1].startswith("Xem đầy đủ:")
    # a question about the procedure itself ("thủ tục gì") gets its overview first, the sentence as a note
    which = LearnedNotes(_model({"overlap": 1.0}), analyzer.analyze("mất hộ chiếu, đơn trình báo làm thủ tục gì"), _words_idf)
    overview = compose_procedure_answer(LOST_PASSPORT, ["overview"], which.query.content_words, None, which)[0]
    assert overview.startswith("Trình báo mất hộ chiếu phổ thông (mã 9.000002).") and "\nLưu ý: " in overview
    # a section asked for comes first, and the sentence follows it as a note
    documents = compose_procedure_answer(LOST_PASSPORT, ["documents"], query.content_words, None, picker)[0]
    assert documents.startswith("Hồ sơ gồm 1 giấy tờ:") and "Lưu ý: Người chưa đủ 14 tuổi" in documents


def test_a_question_that_only_names_the_procedure_gets_its_overview_not_a_sentence(analyzer):
    """ "cho e hỏi trình báo mất hộ chiếu" asks nothing a sentence answers: the name, where, time and fee lead."""
    query = analyzer.analyze("cho e hỏi trình báo mất hộ chiếu phổ thông")
    picker = LearnedNotes(_model({"from_step": 5.0}, bias=3.0), query, _words_idf)
    assert picker.notes(LOST_PASSPORT, "", most=2) == []
    answer = compose_procedure_answer(LOST_PASSPORT, query.intents, query.content_words, None, picker)[0]
    assert answer.startswith("Trình báo mất hộ chiếu phổ thông (mã 9.000002).")
    asked = analyzer.analyze("trình báo mất hộ chiếu phổ thông thì ai ký đơn thay cho con")
    assert LearnedNotes(_model({"from_step": 5.0}, bias=3.0), asked, _words_idf).notes(LOST_PASSPORT, "") != []


def test_a_question_that_asks_nothing_in_particular_is_led_by_a_sentence_only_from_the_lead_threshold(analyzer):
    """ "mất hộ chiếu của con 10 tuổi" names a case, not a detail: the overview leads unless the model is sure."""
    query = analyzer.analyze("mất hộ chiếu phổ thông của con 10 tuổi")
    weights = {"overlap": 1.0}
    unsure = LearnedNotes(_model(weights, lead_threshold=0.9), query, _words_idf)
    answer = compose_procedure_answer(LOST_PASSPORT, query.intents, query.content_words, None, unsure)[0]
    assert answer.startswith("Trình báo mất hộ chiếu phổ thông (mã 9.000002).") and "\nLưu ý: " in answer
    sure = LearnedNotes(_model(weights, lead_threshold=0.1), query, _words_idf)
    led = compose_procedure_answer(LOST_PASSPORT, query.intents, query.content_words, None, sure)[0]
    assert not led.startswith("Trình báo") and "\nThủ tục: Trình báo mất hộ chiếu phổ thông" in led  # a sentence came first
    # a detail asked ("ai") leads with its sentence whatever the lead threshold
    who = LearnedNotes(_model(weights, lead_threshold=0.9), analyzer.analyze("con 10 tuổi mất hộ chiếu thì ai ký đơn"), _words_idf)
    assert not compose_procedure_answer(LOST_PASSPORT, ["overview"], who.query.content_words, None, who)[0].startswith("Trình báo")
    # so does a choice: "… ký đơn không hay người lớn ký thay" asks which, not what the procedure is
    which = analyzer.analyze("mất hộ chiếu của con 10 tuổi thì con tự ký đơn ko hay bố mẹ ký thay")
    assert which.intents == ["overview"] and not asks_nothing_in_particular(which)


def test_everyday_words_for_the_names_marker_are_not_details_to_look_for(analyzer):
    """ "mất căn cước" is what "Cấp lại" says: a step that happens to say "bị mất" answers nothing more."""
    reissue = Procedure(
        code="9.000006",
        name="Cấp lại thẻ căn cước",
        steps=["Bước 4: Thu nhận vân tay, chụp ảnh khuôn mặt của công dân bị mất thẻ.", "Bước 5: Trả thẻ căn cước."],
    )
    query = analyzer.analyze("mất căn cước")
    assert LearnedNotes(_model({"overlap": 5.0}, bias=0.0), query, _words_idf).notes(reissue, "") == []
    asked = analyzer.analyze("mất căn cước thì có phải chụp ảnh lại không")
    assert LearnedNotes(_model({"overlap": 5.0}, bias=0.0), asked, _words_idf).notes(reissue, "") != []


def test_ones_own_deadline_is_answered_by_the_sentence_not_by_the_time_limit(analyzer):
    """ "Trong bao lâu phải đi báo" asks the citizen's deadline: "Thời hạn giải quyết" is another figure and would
    read as the answer. "Mất bao lâu" asks the time limit, which leads."""
    passport = LOST_PASSPORT
    deadline = analyzer.analyze("mất hộ chiếu thì trong bao lâu phải đi báo")
    assert deadline.intents == ["deadline"]
    picker = LearnedNotes(_model({"time_asked_stated": 3.0, "overlap": 1.0}), deadline, _words_idf)
    lines = compose_procedure_answer(passport, deadline.intents, deadline.content_words, None, picker)[0].splitlines()
    assert lines[0].startswith("Trong thời hạn 02 ngày làm việc kể từ ngày phát hiện mất")
    assert not any("thời hạn giải quyết" in line.casefold() for line in lines)
    how_long = analyzer.analyze("trình báo mất hộ chiếu mất bao lâu")
    assert how_long.intents == ["time"]
    picker = LearnedNotes(_model({"time_asked_stated": 3.0, "overlap": 1.0}), how_long, _words_idf)
    answer = compose_procedure_answer(passport, how_long.intents, how_long.content_words, None, picker)[0]
    assert "thời hạn giải quyết" in answer.splitlines()[0].casefold()


def test_a_second_sentence_leads_too_only_when_the_model_is_sure_enough(analyzer):
    query = analyzer.analyze("mất hộ chiếu thì phải nộp đơn trong bao lâu")
    weights = {"from_step": 3.0}
    one = LearnedNotes(_model(weights, second_threshold=0.99), query, _words_idf).notes(LOST_PASSPORT, "", most=2)
    two = LearnedNotes(_model(weights, second_threshold=0.5), query, _words_idf).notes(LOST_PASSPORT, "", most=2)
    assert len(one) == 1 and len(two) == 2 and two[0] == one[0]
    assert LearnedNotes(_model(weights, second_threshold=0.5), query, _words_idf).notes(LOST_PASSPORT, "") == one  # one unless asked


def test_an_unsure_first_sentence_brings_a_shorter_second_one(analyzer):
    """Below UNSURE_FIRST the next sentence is more often the one that answers: it is shown too, in MAX_SECOND_NOTE."""
    cases = ", ".join(f"trường hợp thứ {i} thì nộp đơn tại cơ quan công an nơi gần nhất" for i in range(6))
    long_step = f"Người bị mất hộ chiếu, {cases}."
    proc = LOST_PASSPORT.model_copy(update={"steps": [*LOST_PASSPORT.steps, long_step]})
    query = analyzer.analyze("mất hộ chiếu thì phải nộp đơn trong bao lâu")
    unsure = _model({"from_step": 0.6}, bias=-1.5, second_threshold=0.99)  # step sentences 0.29, the others 0.18
    notes = LearnedNotes(unsure, query, _words_idf).notes(proc, "", most=2)
    assert len(notes) == 2 and len(notes[1]) <= MAX_SECOND_NOTE
    sure = _model({"from_step": 3.0}, second_threshold=0.99)
    assert len(LearnedNotes(sure, query, _words_idf).notes(proc, "", most=2)) == 1


def test_a_sure_sentence_shown_alone_gets_the_room_of_a_second_one(analyzer):
    """Above SURE_FIRST, alone, a long sentence keeps up to MAX_SURE_ALONE characters; unsure, MAX_RELATED."""
    cases = ", ".join(f"trường hợp thứ {i} thì nộp đơn tại cơ quan công an nơi gần nhất" for i in range(8))
    long_step = f"Người bị mất hộ chiếu, {cases}."
    proc = LOST_PASSPORT.model_copy(update={"steps": [long_step]})
    query = analyzer.analyze("mất hộ chiếu thì phải nộp đơn ở đâu")
    sure = LearnedNotes(_model({"from_step": 4.0}, second_threshold=0.99), query, _words_idf).notes(proc, "", most=2)
    assert len(sure) == 1 and MAX_RELATED < len(sure[0]) <= MAX_SURE_ALONE
    one_asked = LearnedNotes(_model({"from_step": 4.0}, second_threshold=0.99), query, _words_idf).notes(proc, "", most=1)
    assert len(one_asked[0]) <= MAX_RELATED
    unsure = LearnedNotes(_model({"from_step": 1.5}, second_threshold=0.99), query, _words_idf).notes(proc, "", most=2)
    assert len(unsure) == 1 and len(unsure[0]) <= MAX_RELATED


def test_room_in_the_answer_brings_the_sentences_ranked_next_that_reach_the_threshold(analyzer):
    """A short answer gets the further sentences the model would show first, each cut to what is left of the room."""
    query = analyzer.analyze("mất hộ chiếu thì phải nộp đơn trong bao lâu")
    picker = LearnedNotes(_model({"from_step": 3.0}, threshold=0.5, second_threshold=0.99), query, _words_idf)
    alone = picker.notes(LOST_PASSPORT, "", most=2)  # the steps 0.88, the document 0.27
    filled = picker.notes(LOST_PASSPORT, "", most=2, room=1000)
    assert len(alone) == 1 and filled[0] == alone[0] and filled[1:] == [s for s in LOST_PASSPORT.steps if s != alone[0]]
    tight = picker.notes(LOST_PASSPORT, "", most=2, room=len(alone[0]) + NOTE_LINE_COST + MIN_FILL + NOTE_LINE_COST)
    assert len(tight) == 2 and len(tight[1]) <= MIN_FILL
    assert picker.notes(LOST_PASSPORT, "", most=2, room=len(alone[0]) + MIN_FILL) == alone
    below = LearnedNotes(_model({"from_step": 3.0}, threshold=0.99, second_threshold=0.99), query, _words_idf)
    assert below.notes(LOST_PASSPORT, "", most=2, room=1000) == []  # nothing reaches the threshold: no room fills


def test_a_less_sure_first_sentence_only_fills_the_room_the_answer_has_left(analyzer):
    """Below HELD_FIRST the best sentence is shown only as the sentences ranked next are: where it fits."""
    query = analyzer.analyze("mất hộ chiếu thì phải nộp đơn trong bao lâu")
    # the steps at 0.6 x HELD_FIRST, over the threshold; the document 0.5 lower in log-odds, under it
    steps_bias = math.log(0.6 * HELD_FIRST / (1 - 0.6 * HELD_FIRST)) - 0.5
    unsure = LearnedNotes(_model({"from_step": 0.5}, threshold=0.4 * HELD_FIRST, bias=steps_bias), query, _words_idf)
    assert unsure.notes(LOST_PASSPORT, "", most=2) == []
    filled = unsure.notes(LOST_PASSPORT, "", most=2, room=1000)
    assert filled and all(note in LOST_PASSPORT.steps for note in filled)
    sure = LearnedNotes(_model({"from_step": 0.5}, threshold=0.05, bias=-1.0), query, _words_idf)  # steps 0.38
    assert HELD_FIRST < 0.38 and sure.notes(LOST_PASSPORT, "", most=2) != []


def test_a_sentence_that_opens_a_list_reads_on_into_the_list():
    """A sentence ending on a colon says nothing alone: the next one of the same part of the record follows it."""
    proc = LOST_PASSPORT.model_copy(
        update={"conditions": ["Hộ chiếu bị hủy giá trị trong các trường hợp sau:", "a) Bị mất; b) Bị hỏng không sử dụng được."]}
    )
    sentences = record_sentences(proc)
    opening = next(i for i, s in enumerate(sentences) if s.text.endswith(":"))
    assert read_on(sentences, opening) == "Hộ chiếu bị hủy giá trị trong các trường hợp sau: a) Bị mất; b) Bị hỏng không sử dụng được."
    assert read_on(sentences, opening + 1) == sentences[opening + 1].text
    last_step = next(i for i, s in enumerate(sentences) if s.source == "step" and sentences[i + 1].source != "step")
    closing = [*sentences[:last_step], replace(sentences[last_step], text="Người bị mất nộp:")]
    assert read_on([*closing, *sentences[last_step + 1 :]], last_step) == "Người bị mất nộp:"  # not into the documents


def test_a_clause_reads_on_into_the_next_one_for_the_duration_asked():
    """A provision the portal writes as clauses ending on semicolons: a clause without the duration asked for is shown
    with the next clause that states it, and only then."""
    sentences = [
        Sentence("Ủy ban nhân dân cấp xã niêm yết công khai danh sách các hộ được đề xuất hỗ trợ tại nhà văn hóa thôn;", "step", 0),
        Sentence("thông báo qua đài truyền thanh cấp xã (nếu có) trong thời gian 03 ngày;", "step", 1),
        Sentence("Hết thời hạn niêm yết, Ủy ban nhân dân cấp xã tổng hợp danh sách.", "step", 2),
    ]
    both = read_on(sentences, 0, [FOLDED_TIME_EXPR])
    assert both.endswith("trong thời gian 03 ngày;") and both.startswith("Ủy ban nhân dân cấp xã niêm yết")
    assert read_on(sentences, 0) == sentences[0].text  # no duration asked
    assert read_on(sentences, 1, [FOLDED_TIME_EXPR]) == sentences[1].text  # it states one itself
    assert read_on([sentences[0], replace(sentences[1], source="condition")], 0, [FOLDED_TIME_EXPR]) == sentences[0].text


def test_a_sentence_shown_alone_drops_the_marks_of_the_list_it_stood_in():
    """Out of its list a note's letter ("b) …", "+) …") points to nothing, and a note the portal bracketed whole reads
    as one note; a bracket inside the sentence stays."""
    assert alone("b) Trong thời hạn 05 ngày làm việc, Chủ tịch Ủy ban nhân dân cấp xã quyết định.").startswith("Trong thời hạn")
    assert alone("- +) Trường hợp hồ sơ nộp trực tuyến") == "Trường hợp hồ sơ nộp trực tuyến"
    assert alone("(Lưu ý: Lộ trình cấp thẻ không phụ thuộc vào nơi cư trú).") == "Lưu ý: Lộ trình cấp thẻ không phụ thuộc vào nơi cư trú"
    assert alone("Bản sao giấy khai sinh (có chứng thực)") == "Bản sao giấy khai sinh (có chứng thực)"
    assert alone("(Lưu ý: theo mẫu (số 01) hoặc bản sao)") == "(Lưu ý: theo mẫu (số 01) hoặc bản sao)"  # not one bracket


def test_a_case_after_a_semicolon_is_read_after_the_rule_it_qualifies():
    """A clause "…; nếu … sau 15 giờ …" alone states the exception as the rule: it is shown after the clause it goes on from,
    when both fit a note; a clause that goes on with another rule ("chậm nhất là …") or starts a sentence stays alone."""
    sentences = [
        Sentence("Cơ quan đăng ký có trách nhiệm giải quyết hồ sơ đăng ký trong ngày làm việc nhận được hồ sơ hợp lệ;", "step", 0),
        Sentence("nếu thời điểm nhận hồ sơ sau 15 giờ cùng ngày thì có thể hoàn thành việc đăng ký trong ngày tiếp theo.", "step", 1),
        Sentence("chậm nhất là ngày cuối cùng của tháng đầu của quý tiếp theo;", "step", 2),
        Sentence("Trường hợp hồ sơ chưa đầy đủ thì hướng dẫn bổ sung.", "step", 3),
    ]
    assert read_on(sentences, 1) == f"{sentences[0].text} {sentences[1].text}"
    assert read_on(sentences, 2) == sentences[2].text
    assert read_on([sentences[0], replace(sentences[3], text="t" + sentences[3].text[1:], at=1)], 1).startswith("Cơ quan đăng ký")
    assert read_on([sentences[0], replace(sentences[3], at=1)], 1) == sentences[3].text  # a new sentence, not a clause
    # its rule already shown, the case is not read after the clause that stood before the rule
    earlier = Sentence("Người nộp hồ sơ nhận phiếu hẹn trả kết quả;", "step", 0)
    assert read_on([earlier, replace(sentences[1], at=2)], 1) == sentences[1].text
    assert read_on([replace(sentences[0], source="condition"), sentences[1]], 1) == sentences[1].text
    too_long = replace(sentences[0], text="Cơ quan đăng ký " + "giải quyết hồ sơ " * 20 + ";")
    assert read_on([too_long, sentences[1]], 1) == sentences[1].text


def test_the_room_is_what_the_answer_leaves_of_its_budget():
    """The composer offers the picker FILL_BUDGET less the answer's lines and what the service adds around them."""

    class RoomSeen:
        room = -1

        def notes(self, proc: Procedure, shown: str, most: int = 1, room: int = 0) -> list[str]:
            self.room = room
            return []

        def asks_a_detail(self) -> bool:
            return False

        def leads(self, proc: Procedure, shown: str) -> bool:
            return False

    picker = RoomSeen()
    answer = compose_procedure_answer(LOST_PASSPORT, ["steps"], [], None, picker)[0]
    assert picker.room == FILL_BUDGET - len(answer)
    compose_procedure_answer(LOST_PASSPORT, ["steps"], [], None, picker, taken=100)
    assert picker.room == FILL_BUDGET - len(answer) - 100


def test_note_model_round_trips_in_the_ranker_file():
    model = _model({"overlap": 1.5, "from_step": -0.5}, threshold=0.15, second_threshold=0.3, order={"pairs": 2.0})
    again = NoteModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again is not None and (again.threshold, again.second_threshold) == (0.15, 0.3)
    assert again.logistic.weights.tolist() == model.logistic.weights.tolist()
    # a logistic order, as in the model files of index versions before the trees
    assert isinstance(again.order, Logistic) and isinstance(model.order, Logistic)
    assert again.order.weights.tolist() == model.order.weights.tolist()
    leaves = {"left_child": {"leaf_value": -1.0}, "right_child": {"leaf_value": 1.0}}
    split = {"split_feature": NOTE_FEATURE_NAMES.index("pairs"), "threshold": 0.5, "decision_type": "<=", **leaves}
    by_trees = replace(model, order=from_lightgbm({"tree_info": [{"tree_structure": split}]}, len(NOTE_FEATURE_NAMES)))
    assert (read_trees := NoteModel.from_dict(json.loads(json.dumps(by_trees.to_dict())))) is not None
    assert isinstance(read_trees.order, TreeEnsemble) and read_trees.order.to_dict() == by_trees.to_dict()["order"]
    without_order = {key: value for key, value in model.to_dict().items() if key != "order"}
    assert (older := NoteModel.from_dict(without_order)) is not None and older.order is None  # probabilities order then
    lifts = replace(model, associations=WordAssociations({"lau": {"ngay": 1.23456}}))
    assert (read := NoteModel.from_dict(json.loads(json.dumps(lifts.to_dict())))) is not None
    assert read.associations.lifts == {"lau": {"ngay": 1.235}}
    ranker = RankingModel(model.logistic, model.logistic, 0.1, {"backend": "hashing", "model": "words"}, {}, model)
    assert "notes" in json.loads(ranker.to_json())


@pytest.mark.parametrize(
    "change",
    [
        {"schema": 0},
        {"features": list(reversed(NOTE_FEATURE_NAMES))},
        {"threshold": 1.5},
        {"second_threshold": None},
        {"model": {"mean": [0.0]}},
        {"associations": {"lau": "ngay many"}},
        {"associations": {"lau": "ngay -1.0"}},
        {"associations": {"lau": "ngay 1.0 thang"}},
        {"associations": {"lau": {"ngay": 1.0}}},
        {"associations": ["lau", "ngay"]},
    ],
)
def test_a_note_model_for_other_features_is_ignored(change):
    data = _model({"overlap": 1.0}).to_dict() | change
    assert NoteModel.from_dict(data) is None


def test_training_learns_which_feature_marks_the_answer():
    rng = np.random.default_rng(0)
    groups = []
    for number in range(60):
        features = rng.normal(size=(6, len(BASE_NOTE_FEATURE_NAMES)))
        labels = np.zeros(6, dtype=int)
        labels[number % 6] = 1
        features[:, 0] = labels * 3.0 + rng.normal(scale=0.3, size=6)  # "overlap" marks the answer
        words = [frozenset({"mot"})] * 6
        groups.append(NoteGroup(f"c{number % 10}", features, labels, ("ai",), words, lead_has_facts=False, rule_finds=False))
    model, figures = train_notes(groups)
    assert model is not None
    assert model.logistic.weights[0] > 0 and model.threshold in THRESHOLDS and model.second_threshold <= 1.0
    assert isinstance(model.order, TreeEnsemble)
    fresh = np.zeros((6, len(NOTE_FEATURE_NAMES)))
    fresh[:, 0] = [0.1, 0.2, 3.1, -0.2, 0.0, 0.3]
    assert int(np.argmax(model.order.scores(fresh))) == 2
    assert figures["note_cross_validated_facts_found"] >= 55 and figures["note_rule_facts_found"] == 0


def test_a_threshold_is_the_median_of_the_rule_over_resamples_of_the_questions():
    """Half of the sure picks are right and one in ten of the unsure ones: the rule asks for a third, so it leaves the
    unsure ones out (0.15), and so do the resamples; the result is one of the grid's thresholds, the same on every run."""
    picks = [(0.1, i % 10 == 0) for i in range(100)] + [(0.35, i % 2 == 0) for i in range(100)]
    rule = lowest_with_precision(THRESHOLDS, 1 / 3)
    assert rule(picks) == median_over_resamples(rule, picks) == 0.15
    answers = [(0.5, True, False)] * 300 + [(0.0, False, True)] * 40
    # no sentence below 0.5 shows a question's facts: the highest threshold of the grid below it costs none
    assert median_over_resamples(highest_keeping_facts, answers) == highest_keeping_facts(answers) == 0.4
    # one question in three hundred found only at 0.05: the threshold comes down to keep it
    assert highest_keeping_facts([*answers, (0.05, True, False)]) == 0.05
    assert median_over_resamples(rule, []) == 1.0


def test_a_second_sentence_threshold_is_looked_for_above_0_4():
    """Runner-up sentences that hold the facts a third of the time only from 0.5 up get a threshold there, not none."""
    picks = [(p, i % 10 == 0) for p in (0.3, 0.45) for i in range(100)] + [(0.55, i % 2 == 0) for i in range(100)]
    assert lowest_with_precision(THRESHOLDS, SECOND_NOTE_PRECISION)(picks) == 1.0  # a grid that stops at 0.4 gives none
    assert lowest_with_precision(SECOND_THRESHOLDS, SECOND_NOTE_PRECISION)(picks) == 0.5


def test_questions_about_a_procedure_as_a_whole_raise_only_the_lead_threshold():
    """Sure sentences for questions that name no fact: leading with them is wrong, showing them is another matter."""

    def group(number: int, names_facts: bool) -> NoteGroup:
        # no other signal: noise in the other features let a few questions of either kind stand out by chance
        features = np.zeros((6, len(BASE_NOTE_FEATURE_NAMES)))
        labels = np.zeros(6, dtype=int)
        labels[number % 6] = names_facts
        features[:, 0] = (labels if names_facts else np.eye(6)[number % 6]) * 3.0  # "overlap" marks the best sentence
        words: list[frozenset[str]] = [frozenset()] * 6
        return NoteGroup(f"c{number % 10}", features, labels, (), words, not names_facts, False, names_facts, nothing_in_particular=True)

    facts = [group(n, True) for n in range(60)]
    alone, alone_figures = train_notes(facts)
    with_plain, figures = train_notes(facts + [group(n, False) for n in range(120)])
    assert alone is not None and with_plain is not None
    assert alone.lead_threshold <= 0.1 and with_plain.lead_threshold == 1.0  # two in three leading would be wrong
    assert figures["note_questions"] == alone_figures["note_questions"] == 60 and figures["note_lead_questions"] == 180
    assert with_plain.threshold == alone.threshold  # the questions naming no fact teach nothing else


def test_groups_label_the_sentences_that_show_the_missing_fact(analyzer):
    questions = [FactQuestion("con tôi 10 tuổi mất hộ chiếu thì ai ký đơn", LOST_PASSPORT.code, ["người đại diện hợp pháp"])]
    [group] = collect_groups(questions, {LOST_PASSPORT.code: LOST_PASSPORT}, analyzer, _words_idf)
    assert not group.lead_has_facts and group.labels.sum() == 1
    assert group.features.shape == (len(group.labels), len(BASE_NOTE_FEATURE_NAMES))  # the lifts are fitted later
    assert "ai" in group.asked and "ho" not in group.asked  # "hộ chiếu" is the name
    assert len(group.sentence_words) == len(group.labels)


def _days_groups(count: int) -> list[NoteGroup]:
    """Questions asking "bao lâu" whose answering sentence says "ngày" without repeating a word of the question; the
    base features carry no signal."""
    rng = np.random.default_rng(1)
    groups = []
    for number in range(count):
        labels = np.zeros(5, dtype=int)
        labels[number % 5] = 1
        words = [frozenset({"ngay", "nop"}) if label else frozenset({"nop", "tai", "cong", "an"}) for label in labels]
        features = rng.normal(size=(5, len(BASE_NOTE_FEATURE_NAMES)))
        groups.append(NoteGroup(f"c{number % 10}", features, labels, ("bao", "lau"), words, False, False))
    return groups


def test_lifts_say_which_words_answer_a_word_asked():
    associations = fit_associations(_days_groups(40))
    assert associations.lifts["lau"]["ngay"] > 0 and "tai" not in associations.lifts["lau"]  # "tại" is in the others
    features = associations.features(("bao", "lau", "phi"), [frozenset({"15", "ngay"}), frozenset({"tai", "xa"})])
    column = dict(zip(ASSOCIATION_FEATURE_NAMES, features.T, strict=True))
    assert column["association_mean"][0] > column["association_mean"][1] == 0.0
    assert column["association_strong_share"][0] == pytest.approx(2 / 3) and column["association_of_best"].tolist() == [1.0, 0.0]
    assert WordAssociations().features(("lau",), [frozenset({"ngay"})]).tolist() == [[0.0, 0.0, 0.0, 0.0]]


def test_training_learns_the_words_that_answer_out_of_fold():
    model, figures = train_notes(_days_groups(60))
    assert model is not None and model.associations.lifts["lau"]["ngay"] > 0
    assert figures["note_cross_validated_right_first"] >= 55  # only the lifts tell the answering sentence apart
    assert model.logistic.weights[NOTE_FEATURE_NAMES.index("association_mean")] > 0


def test_a_picker_with_lifts_answers_how_long_with_the_sentence_that_counts_days(analyzer):
    record = Procedure(
        code="9.000007",
        name="Trình báo mất giấy mẫu",
        steps=["Nộp đơn tại Công an cấp xã nơi cư trú.", "Công an cấp xã xử lý trong 05 ngày làm việc."],
    )
    query = analyzer.analyze("trình báo mất giấy thì bao lâu xong")
    lifts = WordAssociations({"lau": {"ngay": 1.5}})
    picker = LearnedNotes(replace(_model({"association_mean": 4.0}, bias=-2.0), associations=lifts), query, _words_idf)
    assert picker.notes(record, "") == ["Công an cấp xã xử lý trong 05 ngày làm việc."]
    assert LearnedNotes(_model({"association_mean": 4.0}, bias=-2.0), query, _words_idf).notes(record, "") == []


def test_an_index_with_a_note_model_answers_with_it(corpus_settings, assistant, embedder, monkeypatch):
    model = _model({"overlap": 1.0}, threshold=0.25)
    index = replace(assistant.index, ranker=(assistant.index.ranker or {}) | {"notes": model.to_dict()})
    with_notes = Assistant(index, embedder, corpus_settings)
    assert with_notes.notes is not None and with_notes.notes.to_dict() == model.to_dict()
    seen: list[tuple[str, float]] = []

    def record(self: LearnedNotes, proc: Procedure, shown: str, most: int = 1, room: int = 0) -> list[str]:
        seen.append((proc.code, self.model.threshold))
        return []

    monkeypatch.setattr(LearnedNotes, "notes", record)
    answer = with_notes.answer("đăng ký khai sinh cần giấy tờ gì")
    assert seen == [(answer.citations[0].code, 0.25)]


def test_too_few_questions_with_facts_leave_the_rule_in_place():
    model, figures = train_notes([])
    assert model is None and figures == {"note_questions": 0, "note_learnable": 0}


@pytest.mark.parametrize(
    ("question", "detail"),
    [
        ("phải hơn con nuôi bao nhiêu tuổi", True),
        ("mat ho chieu thi trong bao lau phai bao", True),
        ("ai ký đơn thay cho con dưới 14 tuổi", True),
        ("khai theo mẫu nào", True),
        ("đại lý xổ số thì trường hợp nào phải tự khai thuế năm", True),
        ("mua xe may cu thi lam thu tuc gi", False),  # "xe máy", not "mấy"
        ("may anh em chia dat bo me de lai thi lam gi", False),  # "mấy anh em": who asks, not what
        ("ra phuong chung thuc di chuc dc ko", False),
        ("làm giấy khai sinh thế nào", False),
    ],
)
def test_which_questions_ask_for_a_detail(analyzer, question, detail):
    assert LearnedNotes(_model({}), analyzer.analyze(question), _words_idf).asks_a_detail() is detail


def test_a_long_sentence_is_cut_to_the_clauses_that_hold_the_duration_asked_for() -> None:
    """The words asked about come early, the number late: the window keeps the number, not the first match."""
    opening = "Hộ kinh doanh tạm ngừng kinh doanh, " + ", ".join(f"trường hợp thứ {i} theo quy định của pháp luật" for i in range(6))
    sentence = opening + ", gửi thông báo đến cơ quan đăng ký kinh doanh chậm nhất 03 ngày làm việc trước ngày tạm ngừng."
    assert len(sentence) > MAX_RELATED
    shown = around(sentence, {"tam", "ngung"}, [FOLDED_TIME_EXPR])
    assert "03 ngày làm việc" in shown and len(shown) <= MAX_RELATED
    assert around(sentence, {"tam", "ngung"}, []).startswith("Hộ kinh doanh tạm ngừng")


def test_a_duration_late_in_one_long_clause_is_kept_after_its_start() -> None:
    """No comma to cut at: the start, then "…" and the words from just before the duration ("03 (ba) ngày" too)."""
    sentence = (
        "Cơ quan thuế gửi Thông báo chấp nhận/không chấp nhận hồ sơ đề nghị hoàn thuế theo mẫu số 02/TB-HT ban hành kèm "
        "theo Phụ lục I Thông tư số 80/2021/TT-BTC trong thời hạn 03 (ba) ngày làm việc kể từ ngày tiếp nhận hồ sơ."
    )
    shown = around(sentence, {"chap", "nhan"}, [FOLDED_TIME_EXPR], 150)
    assert shown.startswith("Cơ quan thuế gửi Thông báo") and "trong thời hạn 03 (ba) ngày làm việc" in shown
    assert len(shown) <= 150
    assert "03 (ba) ngày" not in around(sentence, {"chap", "nhan"}, [], 150)  # nothing asked of a duration: a plain cut


@pytest.mark.parametrize(
    ("question", "state", "sentence", "kept"),
    [
        (
            "hạn chót nộp tờ khai là ngày nào",
            "date",
            "Người nộp thuế khai thuế theo tháng, nộp hồ sơ khai thuế cho cơ quan thuế quản lý trực tiếp bằng phương thức "
            "điện tử qua Cổng thông tin điện tử chậm nhất là ngày thứ 20 của tháng tiếp theo tháng phát sinh nghĩa vụ thuế",
            "ngày thứ 20 của tháng tiếp theo",
        ),
        (
            "người đang chờ hưởng trợ cấp thì nộp hồ sơ ở đâu",
            "handed_in",
            "Người lao động có quyết định hoặc giấy chứng nhận chờ đủ điều kiện về tuổi đời để hưởng trợ cấp hằng tháng: "
            "lập hồ sơ theo quy định tại mục thành phần hồ sơ và nộp cho cơ quan bảo hiểm xã hội nơi cư trú.",
            "nộp cho cơ quan bảo hiểm xã hội",
        ),
        (
            "không đủ điều kiện thì họ báo kết quả qua đâu",
            "means",
            "Trường hợp hồ sơ không đủ điều kiện giải quyết, cơ quan tiếp nhận có trách nhiệm kiểm tra lại toàn bộ thông tin "
            "và thông báo cho người đề nghị bằng văn bản hoặc qua tài khoản định danh điện tử của người đó.",
            "qua tài khoản định danh",
        ),
    ],
    ids=["day", "where-handed-in", "means"],
)
def test_a_cut_keeps_what_the_question_asks_for(analyzer, question, state, sentence, kept):
    """The day of "hạn chót là ngày nào", where the dossier goes for "nộp ở đâu", the means of "báo qua đâu": late in a
    long sentence, a plain cut loses them."""
    asked = note_question(LOST_PASSPORT, analyzer.analyze(question), _words_idf)
    assert STATES[state] in asked.kept
    assert kept in around(sentence, set(), asked.kept, 150)
    assert kept not in around(sentence, set(), [], 150)


def test_a_duration_amount_day_or_form_is_typed_a_place_or_means_only_kept(analyzer):
    """The features read what is typed; the place and the means are kept in the answer's cut only."""
    form = note_question(LOST_PASSPORT, analyzer.analyze("đơn trình báo làm theo mẫu nào"), _words_idf)
    assert STATES["form"] in form.typed and STATES["date"] not in form.typed
    where = note_question(LOST_PASSPORT, analyzer.analyze("nộp hồ sơ ở đâu"), _words_idf)
    assert STATES["handed_in"] in where.kept and STATES["handed_in"] not in where.typed
    plain = note_question(LOST_PASSPORT, analyzer.analyze("hồ sơ gồm những giấy tờ gì"), _words_idf)
    assert plain.kept == plain.typed


def test_a_long_rule_keeps_what_follows_its_case_whole() -> None:
    """'<case> thì <what follows>': the question names the case, the answer is after 'thì'."""
    rule = (
        "Trường hợp giấy tờ, tài liệu chứng minh chỗ ở hợp pháp để đăng ký tạm trú là văn bản cho thuê, cho mượn, cho ở "
        "nhờ nhà ở, nhà khác của cá nhân, tổ chức thì văn bản đó không bắt buộc phải công chứng hoặc chứng thực."
    )
    shown = around(rule, {"thue", "nha", "hop", "dong"}, [], 150)
    assert shown.startswith("Trường hợp giấy tờ, tài liệu chứng minh chỗ ở hợp pháp") and len(shown) <= 150
    assert shown.endswith(" … thì văn bản đó không bắt buộc phải công chứng hoặc chứng thực.")
    # what follows too long to leave MIN_CASE characters of the case: the clauses that hold the words asked
    assert not around(rule, {"cho", "muon"}, [], 100).startswith("Trường hợp")
    # a case cut that would lose the duration asked for gives way to the clauses that hold it
    timed = (
        "Nếu người đề nghị thẩm định không bổ sung, khắc phục hồ sơ trong thời hạn 20 ngày kể từ ngày nhận được yêu cầu, "
        "thì cơ quan chuyên môn về xây dựng dừng việc thẩm định."
    )
    assert around(timed, set(), [], 120).endswith("… thì cơ quan chuyên môn về xây dựng dừng việc thẩm định.")
    assert "20 ngày" in around(timed, set(), [FOLDED_TIME_EXPR], 120)


def test_a_cut_does_not_state_a_rules_exception_without_the_rule() -> None:
    """"<rule>; nếu <case> thì …": the window, the cut around a duration and the case cut all keep the rule first;
    the exception alone ("… nếu … sau 15 giờ … trong ngày làm việc tiếp theo") reads as the rule."""
    rule = (
        "Cơ quan đăng ký có trách nhiệm giải quyết hồ sơ đăng ký trong ngày làm việc nhận được hồ sơ hợp lệ; nếu thời "
        "điểm nhận hồ sơ sau 15 giờ cùng ngày thì có thể hoàn thành việc đăng ký trong ngày làm việc tiếp theo."
    )
    for typed in ([], [FOLDED_TIME_EXPR]):
        shown = around(rule, {"ngay", "xong", "hoan", "thanh", "dang", "ky"}, typed, 128)
        assert shown.startswith("Cơ quan đăng ký có trách nhiệm giải quyết hồ sơ đăng ký trong ngày làm việc nhận được")
        assert len(shown) <= 128
    # a question whose case names the exception by a word the rule does not say gets the exception
    refused = (
        "Trong thời hạn 02 ngày làm việc kể từ ngày nhận được hồ sơ trình của cơ quan chuyên môn về nông nghiệp và môi "
        "trường cấp xã, Chủ tịch Ủy ban nhân dân cấp xã quyết định hỗ trợ; trường hợp không hỗ trợ thì có ngay văn bản "
        "thông báo và nêu rõ lý do cho tổ chức, cá nhân."
    )
    asked = around(refused, {"tra", "loi"}, [], 128, frozenset({"xa", "khong", "y"}))
    assert asked == "… trường hợp không hỗ trợ thì có ngay văn bản thông báo và nêu rõ lý do cho tổ chức, cá nhân."
    assert not around(refused, {"tra", "loi"}, [], 128, frozenset({"xa", "quyet", "dinh"})).startswith("…")


def test_a_sentence_shown_without_its_label_or_last_stop_is_not_offered_again():
    note = "- Thời hạn giải quyết: + Không quá 8 giờ làm việc, kể từ khi nhận đủ hồ sơ hợp lệ. Nộp hồ sơ qua bưu chính."
    proc = Procedure(code="9.000001", name="Thử", channels=[Channel(channel="Trực tuyến", note=note)])
    left = [s.text for s in unshown(proc, "Thời hạn giải quyết: không quá 8 giờ làm việc, kể từ khi nhận đủ hồ sơ hợp lệ.")]
    assert left == ["Nộp hồ sơ qua bưu chính."]
    assert len(unshown(proc, "Thời hạn giải quyết: 8 giờ.")) == 2


def test_a_document_shown_with_its_note_in_the_list_is_not_offered_again():
    """The list item "- <name> — 1 bản chính (<note>)" says the sentence "<name>: <note>" in other punctuation."""
    doc = Document(name="Tờ khai thay đổi thông tin cư trú (Mẫu CT01)", copies="1 bản chính", note="Chủ hộ ký đồng ý.")
    other = Document(name="Giấy tờ chứng minh việc ly hôn", copies="1 bản chính", note="Bản sao có chứng thực.")
    proc = Procedure(code="9.000002", name="Tách hộ thử", documents=[doc, other])
    shown = "Hồ sơ gồm 2 giấy tờ:\n- Tờ khai thay đổi thông tin cư trú (Mẫu CT01) — 1 bản chính (Chủ hộ ký đồng ý)"
    assert [s.text for s in unshown(proc, shown)] == ["Giấy tờ chứng minh việc ly hôn: Bản sao có chứng thực."]


def test_a_number_is_matched_without_its_leading_zeros():
    # citizens write "2 ngày"; the record says "02 ngày làm việc"
    assert {"2", "ngay"} <= word_set("trong thời hạn 02 ngày làm việc")
    assert "0" in word_set("0 đồng") and "10" in word_set("10 ngày")


@pytest.mark.parametrize(
    ("sentence", "hands_in"),
    [
        ("Thân nhân nộp hồ sơ cho cơ quan BHXH nơi đang chi trả lương hưu", True),
        ("Bước 2: Nộp hồ sơ tại Công an cấp xã nơi công dân đăng ký thường trú", True),
        ("Đơn vị gửi hồ sơ theo quy định tại phần (4) thủ tục này đến Kho bạc Nhà nước nơi mở tài khoản.", True),
        ("Bước 4: Nhận văn bản trả lời tại Công an cấp xã nơi tiếp nhận hồ sơ", False),  # where the result is given
        ("Nộp 01 bộ hồ sơ.", False),
    ],
)
def test_a_sentence_that_says_where_a_dossier_is_handed_in(sentence, hands_in):
    """What "nộp hồ sơ ở đâu" asks for: the sentence of the steps that says it, not the agency that decides."""
    assert bool(STATES["handed_in"].search(fold_diacritics(sentence.casefold()))) is hands_in


@pytest.mark.parametrize("question", ["nộp hồ sơ cho BHXH nào", "gửi tờ khai tới đâu", "nộp ở kho bạc nào", "làm ở xã nào"])
def test_where_is_asked_in_several_ways(question):
    assert ASKS["where"].search(fold_diacritics(question.casefold()))


@pytest.mark.parametrize(
    ("sentence", "state"),
    [
        ("Chủ xe gửi chứng nhận đăng ký xe, biển số xe thông qua dịch vụ bưu chính", "means"),
        ("Cơ quan thuế thông báo bằng văn bản, tin nhắn hoặc qua tài khoản định danh", "means"),
        ("Thời gian tiếp nhận: từ thứ 2 đến thứ 6 và sáng thứ 7", "schedule"),
        ("Nộp trực tuyến: 24 giờ/7 ngày", "schedule"),
    ],
)
def test_a_sentence_that_says_how_or_when_an_office_works(sentence, state):
    """What "gửi bằng cách nào" and "thứ 7 có nhận không" ask for, whatever words the question uses."""
    folded = fold_diacritics(sentence.casefold())
    assert STATES[state].search(folded)
    assert not STATES["schedule" if state == "means" else "means"].search(folded)


@pytest.mark.parametrize(
    ("question", "ask"),
    [("gửi cho công an bằng cách nào", "how"), ("báo kết quả qua đâu", "how"), ("thứ 7 có trả kết quả không", "what_time")],
)
def test_how_and_at_what_time_are_asked(question, ask):
    assert ASKS[ask].search(fold_diacritics(question.casefold()))


@pytest.mark.parametrize(
    ("sentence", "state"),
    [
        ("Trong thời hạn 03 (ba) ngày làm việc, cơ quan thuế thông báo", "duration"),
        ("Người yêu cầu xác nhận tối đa một ngày sau khi nhận", "duration"),
        ("Báo cáo cơ quan thuế không quá năm (05) ngày làm việc", "duration"),
        ("Đăng ký trước ít nhất ba mươi (30) ngày làm việc", "duration"),
        ("Cổng gửi thông báo tiếp nhận chậm nhất 15 phút sau khi nhận hồ sơ", "duration"),
        ("Thẻ được trả trong ngày", "duration"),
        ("Hạn nộp chậm nhất là ngày thứ 20 của tháng tiếp theo", "date"),
        ("Hạn nộp là ngày cuối cùng của tháng đầu của quý tiếp theo", "date"),
        ("Gửi dữ liệu trước ngày mùng 5 của tháng kế tiếp", "date"),
        ("Theo Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 của Chính phủ", None),  # a law's date is no deadline
    ],
)
def test_a_sentence_that_states_a_duration_or_a_day(sentence, state):
    """What "bao lâu" and "hạn chót là ngày nào" ask for: a duration in any unit or words, a day of the calendar."""
    folded = fold_diacritics(sentence.casefold())
    if state is None:
        assert not STATES["duration"].search(folded) and not STATES["date"].search(folded)
    else:
        assert STATES[state].search(folded)
