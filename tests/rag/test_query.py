"""Understanding the question: normalisation, diacritics, abbreviations, section intents."""

import pytest

from rag.diacritics import DiacriticRestorer
from rag.query import (
    QueryAnalyzer,
    detect_intents,
    intents_beside_name,
    normalize_question,
    with_acronyms_spelled_out,
    without_negated_channels,
)
from tthc.text import fold_diacritics


def test_normalize_nfc_casefold_whitespace():
    assert normalize_question("  Đăng  KY\u0301\tkhai sinh ") == "đăng ký khai sinh"


def test_a_question_spells_tone_marks_as_the_records_are_stored():
    assert normalize_question("Uỷ quyền làm thủ tục hoà giải") == "ủy quyền làm thủ tục hòa giải"


@pytest.fixture(scope="module")
def analyzer(assistant) -> QueryAnalyzer:
    return assistant.ranker.analyzer


@pytest.mark.parametrize(
    ("typed", "restored"),
    [
        ("lam giay khai sinh cho con can gi", "làm giấy khai sinh cho con cần gì"),
        ("dang ky tam tru o dau", "đăng ký tạm trú ở đâu"),
        ("xin giay xac nhan tinh trang hon nhan", "xin giấy xác nhận tình trạng hôn nhân"),
        ("le phi dang ky ket hon bao nhieu", "lệ phí đăng ký kết hôn bao nhiêu"),
    ],
)
def test_diacritics_are_restored_from_corpus_statistics(analyzer, typed, restored):
    assert analyzer.analyze(typed).restored == restored


def test_text_with_diacritics_is_left_alone(analyzer):
    assert analyzer.analyze("Đăng ký khai sinh").restored == "đăng ký khai sinh"
    assert not DiacriticRestorer.needs_restoring("đăng ký khai sinh cho con")
    assert DiacriticRestorer.needs_restoring("dang ky khai sinh cho con")


@pytest.mark.parametrize(
    ("question", "expansion"),
    [
        ("thời hạn cấp đổi CCCD", "căn cước công dân"),
        ("mất CMND thì sao", "chứng minh nhân dân"),
        ("đăng ký HKD", "hộ kinh doanh"),
        ("xin GPXD", "giấy phép xây dựng"),
        ("làm sổ đỏ", "quyền sử dụng đất"),
        ("hưởng BHXH một lần", "bảo hiểm xã hội"),
        ("UBND phường", "ủy ban nhân dân"),
        ("đk tạm trú lệ phí bao nhiêu", "đăng ký"),
        ("mat gplx thi lam sao", "giấy phép lái xe"),
        ("quyết toán thuế TNCN", "thu nhập cá nhân"),
        ("cty em hoàn thuế gtgt", "công ty"),
        ("HTX đổi địa chỉ trụ sở", "hợp tác xã"),
        ("thuế TTĐB hàng nk", "tiêu thụ đặc biệt"),
        ("điều chỉnh giấy phép xd", "xây dựng"),
        ("mở quán có cần giấy attp", "an toàn thực phẩm"),
    ],
)
def test_abbreviations_are_expanded(analyzer, question, expansion):
    assert expansion in analyzer.analyze(question).search_text


def test_an_expanded_abbreviation_is_not_a_content_word_of_its_own(analyzer):
    """ "cty" is in no record: kept as a word, every candidate would lack it, and the question would look out of scope."""
    words = analyzer.analyze("cty em nhap khau hang nk").content_words
    assert {"cty", "nk"}.isdisjoint(words)
    assert {"cong", "ty", "nhap", "khau"} <= set(words)


def test_a_name_that_abbreviates_is_read_with_its_acronyms_spelled_out():
    """The question's "tnhh" is expanded; so is the name's "TNHH", in place, so that its word pairs match too."""
    spelled = with_acronyms_spelled_out("Đăng ký thành lập công ty TNHH một thành viên")
    assert spelled == "Đăng ký thành lập công ty TNHH trách nhiệm hữu hạn một thành viên"
    assert with_acronyms_spelled_out("Cấp sổ BHXH, thẻ BHYT") == "Cấp sổ BHXH bảo hiểm xã hội, thẻ BHYT bảo hiểm y tế"
    # lower-case words are not acronyms: "so do" in a name is not "sổ đỏ" expanded again
    assert with_acronyms_spelled_out("Cấp sổ đỏ") == "Cấp sổ đỏ"


def test_a_shorthand_that_stands_for_several_things_is_not_expanded(analyzer):
    assert analyzer.analyze("sửa chỗ ghi sai trong hđ đã chứng thực").expansions == []


@pytest.mark.parametrize(
    ("question", "normalized"),
    [
        ("dang ky ket hon vs ng nuoc ngoai can j", "dang ky ket hon voi nguoi nuoc ngoai can gi"),  # stays unaccented
        ("Kết hôn vs ng nước ngoài cần j, đc ko", "kết hôn với người nước ngoài cần gì, được không"),
        ("vk ck mk ms cuoi, lm giay ket hon ntn", "vo chong minh moi cuoi, lam giay ket hon nhu the nao"),
        ("căn cứ điểm a, mục e khoản 2 thì sao", "căn cứ điểm a, mục e khoản 2 thì sao"),  # one-letter list marks stay
        ("lệ phí 50k hay 24h", "lệ phí 50k hay 24h"),  # inside a token: left alone
    ],
)
def test_chat_shorthand_is_written_out(analyzer, question, normalized):
    assert analyzer.analyze(question).normalized == normalized


def test_written_out_shorthand_reaches_intents_and_content_words(analyzer):
    query = analyzer.analyze("dang ky ket hon vs ng nuoc ngoai can giay to j")
    assert "documents" in query.intents
    assert not {"vs", "ng", "j"} & set(query.content_words)
    assert "gì" in query.restored.split()  # the restorer read the written-out words with the rest


def test_english_is_not_read_as_chat_shorthand(analyzer):
    assert "với" not in analyzer.analyze("passport vs ID card, which one do I need?").normalized


def test_lower_case_ai_means_who_not_artificial_intelligence(analyzer):
    assert "trí tuệ nhân tạo" not in analyzer.analyze("ai được đăng ký khai sinh").search_text
    assert "trí tuệ nhân tạo" in analyzer.analyze("ứng dụng AI của phường").search_text


@pytest.mark.parametrize(
    ("question", "names_a_loss"),
    [
        ("đăng ký thường trú mất bao lâu", False),
        ("dang ky thuong tru mat bao lau", False),
        ("đổi căn cước có mất phí không", False),
        ("làm khai sinh mất mấy ngày", False),
        ("sổ bảo hiểm bị mất bao lâu thì cấp lại được", True),
        ("lương hưu của người đã mất bao lâu thì được truy lĩnh", True),
        ("mất căn cước thì làm lại ở đâu", True),
    ],
)
def test_mat_of_time_or_money_does_not_name_a_loss(analyzer, question, names_a_loss):
    """'Mất bao lâu' asks what it takes; 'bị mất', 'đã mất' speak of a loss or a death and point at their procedures."""
    assert ("mat" in analyzer.analyze(question).content_words) is names_a_loss


@pytest.mark.parametrize(
    ("question", "content"),
    [
        ("khai sinh mất bao lâu", ["khai", "sinh"]),
        ("khai sinh bao lau", ["khai", "sinh"]),
        ("bao giờ có giấy khai sinh", ["giay", "khai", "sinh"]),
        ("làm khai sinh có lâu không", ["khai", "sinh"]),
        ("trồng cây lâu năm gần kênh", ["cay", "gan", "kenh", "lau", "nam", "trong"]),
        ("khai sinh nộp ở chỗ nào", ["khai", "nop", "sinh"]),
        ("chứng minh chỗ ở hợp pháp", ["cho", "chung", "hop", "minh", "phap"]),
    ],
)
def test_the_words_of_how_long_when_and_where_are_not_content(analyzer, question, content):
    """'Bao lâu', 'bao giờ', 'lâu không' ask for a time, 'chỗ nào' for a place: their 'lâu', 'giờ' and 'chỗ' would
    count against every record."""
    assert analyzer.analyze(question).content_words == content


@pytest.mark.parametrize(
    ("question", "content"),
    [
        ("chuyển nhà về phường Nam Gia Nghĩa thì phải làm gì", ["chuyen", "nha"]),
        ("mo quan o p. nam gia nghia", ["mo", "quan"]),
        ("kế hoạch cải cách hành chính của Gia Nghĩa", ["cach", "cai", "chinh", "hanh", "hoach", "ke"]),
        ("gia đình tôi có nghĩa vụ gì", ["dinh", "gia", "nghia", "vu"]),
    ],
)
def test_the_wards_own_name_is_not_content(analyzer, question, content):
    """Every procedure in the index is the ward's: its name tells none apart, and it pulled questions to the plan."""
    assert analyzer.analyze(question).content_words == content


def test_another_wards_names_come_from_settings(assistant):
    """A ward that sets TTHC_WARD_PLACE_NAMES drops its own names, and no longer ours."""
    other = QueryAnalyzer(assistant.ranker.index.vocabulary(), ["Đắk Mil"])
    assert other.analyze("mở quán ở xã Đắk Mil").content_words == ["mo", "quan"]
    assert other.analyze("mở quán ở Nam Gia Nghĩa").content_words == ["gia", "mo", "nam", "nghia", "quan"]


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("làm giấy khai sinh cần giấy tờ gì", "documents"),
        ("ho so dang ky ket hon gom nhung gi", "documents"),
        ("đăng ký giám sát việc giám hộ cần văn bản gì", "documents"),
        ("nhan cha con thi can chung cu gi", "documents"),
        ("cấp đổi căn cước mất bao lâu", "time"),
        ("mấy ngày thì có kết quả tạm trú", "time"),
        ("lệ phí chứng thực bản sao", "fees"),
        ("dang ky ho kinh doanh het bao nhieu tien", "fees"),
        ("làm căn cước mất bao nhiêu", "fees"),
        ("chứng thực chữ ký tốn khoảng bao nhiêu", "fees"),
        ("chứng thực chữ ký mất bao nhiêu ngày", "time"),
        ("nộp hồ sơ tách hộ ở đâu", "agency"),
        ("cơ quan nào giải quyết khai tử", "agency"),
        ("các bước đăng ký thường trú", "steps"),
        ("quy trình cấp giấy phép xây dựng", "steps"),
        ("quy trình nộp hồ sơ đăng ký khai sinh gồm mấy bước", "steps"),
        ("làm hộ chiếu có bao nhiêu bước", "steps"),
        ("điều kiện công nhận hòa giải viên", "conditions"),
        ("căn cứ pháp lý của thủ tục khai sinh", "legal_basis"),
        ("đăng ký khai sinh", "overview"),
        ("Làm xong thì được nhận giấy gì?", "result"),
        ("xong thi dc cap giay gi", "result"),
        ("Làm xong thì công an cấp cho giấy theo mẫu nào?", "result"),
        ("đi khai tử xong thì xã trả cho mình giấy gì", "result"),
        ("khai bao tam vang xong thi duoc nhan phieu gi", "result"),
        ("thông quan xong thì người dân nhận lại giấy tờ gì", "result"),
        ("bị từ chối thì bên thuế gửi lại giấy gì", "result"),
        ("hải quan trả lời bằng văn bản gì", "result"),
        ("nộp tờ khai xong thì cơ quan thuế trả cho mình giấy gì", "result"),
        ("tat toan xong thi kho bac tra lai cho don vi giay gi", "result"),
        ("không đủ điều kiện thì công an xã đưa mình giấy gì", "result"),
        ("gửi hồ sơ qua bưu điện thì cần gửi giấy gì", "documents"),
        ("tôi phải gửi cho cơ quan thuế giấy gì", "documents"),
        ("nghe nói xin văn bản xác nhận 8 nghìn một việc, đúng không ạ", "fees"),
        ("gia han tam tru lam online, nguoi ta bao 7.000d, dung khong", "fees"),
        ("đăng ký giám hộ mất 3 ngày làm việc phải không", "time"),
        ("nghe nói tối đa 60 ngày, đúng không ạ", "time"),
        ("trợ cấp mai táng 2 triệu đúng không", "overview"),
        ("xin hỗ trợ viện phí thì cần giấy gì", "documents"),
        # a kind of paper, then 'gì': what to bring; "xác nhận gì" is no "nhận gì"
        ("ngoài hộ chiếu thì có cần giấy khám sức khỏe gì không", "documents"),
        ("nộp thêm bản chụp gì", "documents"),
        ("phải có giấy xác nhận gì bên thuế", "documents"),
        ("cần xã xác nhận gì", "documents"),
        ("mở quán karaoke cần giấy phép gì", "overview"),
        ("làm xong thì được cấp giấy chứng nhận gì", "result"),
        ("nhận được giấy xác nhận gì", "result"),
        ("thanh toán chi phí khám chữa bệnh BHYT ở đâu", "agency"),
        ("mat giay thong hanh thi trong bao lau phai di bao cong an", "deadline"),
        ("đổi địa chỉ trên đăng ký thuế thì trong bao lâu phải báo", "deadline"),
        ("kết quả rà soát hộ nghèo niêm yết mấy ngày", "deadline"),
        ("nộp hồ sơ thai sản chậm nhất bao nhiêu ngày", "deadline"),
        ("phải chờ bao lâu mới có thẻ", "time"),
        ("chấm dứt hộ kinh doanh thì nộp hồ sơ khi nào", "deadline"),
        ("hạn chót nộp tờ khai thuế là ngày nào", "deadline"),
        ("đất chưa bao giờ có giấy tờ thì làm sổ cần hồ sơ gì", "documents"),
        ("đăng ký khai sinh trong bao lâu thì được cấp", "time"),
        ("đăng ký thường trú 20 nghìn đúng không", "fees"),
        # everyday words for the fee and for the same day
        ("het nhieu tien vay", "fees"),
        ("làm lại có tốn kém không", "fees"),
        ("lam trong ngay co xong dc ko", "time"),
        ("giấy khai sinh có lấy liền được không", "time"),
        ("bao giờ thì xong", "time"),
        ("khách ở mấy hôm thì có phải báo không", "overview"),
        # how long the paper stays valid, not how long the office takes
        ("giấy xác nhận tình trạng hôn nhân có giá trị bao lâu", "validity"),
        ("the bhyt dung duoc may nam", "validity"),
        ("bao lâu thì giấy phép hết hạn", "validity"),
        ("xây dựng nhà mất bao lâu", "time"),
        ("tạm dừng kinh doanh được bao lâu", "time"),
    ],
)
def test_section_intent(question, intent):
    assert detect_intents(fold_diacritics(normalize_question(question)))[0] == intent


@pytest.mark.parametrize(
    ("question", "intents"),
    [
        ("gia đình nộp hồ sơ tử tuất cho ai", ["agency"]),
        ("nghỉ hưu rồi thì nộp hồ sơ cho BHXH nào", ["agency"]),
        ("khai thuế thì nộp ở chi cục thuế nào", ["agency"]),
        ("hồ sơ xin trợ cấp nộp ở xã xong thì chuyển đi đâu", ["agency"]),  # the dossier is the subject
        ("công an xã thứ 7 có nhận hồ sơ không", ["overview"]),
        ("nộp hồ sơ lúc 4 giờ chiều thì trong ngày có xong không", ["time"]),
        ("nộp hồ sơ tạm trú thì mất bao lâu", ["time"]),
        # "hồ sơ" before handing it in: the subject of the question, not what it asks for
        ("hồ sơ nộp ở đâu vậy", ["agency"]),
        ("sổ đỏ ghi sai tên thì mang hồ sơ nộp ở đâu", ["agency"]),
        ("hồ sơ gửi rồi thì bao lâu có kết quả", ["time", "result"]),
        ("ho so nop xa gom gi", ["documents"]),
        ("Tờ khai nộp ở chỗ nào?", ["agency"]),
        ("tờ khai nộp theo mẫu nào", ["documents"]),
        ("han chot nop ho so khai thue la ngay nao", ["deadline"]),
        # what the dossier holds is still asked
        ("nộp hồ sơ gì để đăng ký tạm trú", ["documents"]),
        ("cần nộp mấy bộ hồ sơ", ["documents"]),
        ("hồ sơ đăng ký kết hôn có cần ảnh không", ["documents"]),
        # the way it goes in is asked: "bằng cách nào", "qua bưu điện được không"; not when it is only the case
        ("nop to khai bang cach nao", ["agency"]),
        ("gửi hồ sơ theo hình thức nào", ["agency"]),
        ("nộp hồ sơ qua bưu điện được không", ["agency"]),
        ("nộp hồ sơ qua bưu điện thì mất bao lâu", ["time"]),
        # "thế nào", "khi nào" after an office ask how or when, not which office
        ("gửi hồ sơ sai thì kho bạc xử lý thế nào", ["overview"]),
    ],
)
def test_a_dossier_handed_in_is_not_a_question_about_its_documents(question, intents):
    assert detect_intents(fold_diacritics(normalize_question(question))) == intents


def test_asking_what_paper_one_gets_is_not_asking_what_papers_to_bring():
    assert detect_intents(fold_diacritics(normalize_question("khai sinh xong thì nhận được những giấy gì"))) == ["result"]
    both = detect_intents(fold_diacritics(normalize_question("làm xong được giấy gì, cần mang giấy tờ gì")))
    assert both == ["result", "documents"]


def test_intents_ignore_words_that_only_name_the_procedure():
    name = "Thủ tục đăng ký khai sinh cho người đã có hồ sơ, giấy tờ cá nhân"
    asked = fold_diacritics("đăng ký khai sinh cho người đã có hồ sơ giấy tờ cá nhân thì mất bao lâu")
    assert detect_intents(asked) == ["time", "documents"]
    assert intents_beside_name(asked, name) == ["time"]
    # the documents asked for outside the name still count
    assert intents_beside_name(fold_diacritics("hồ sơ đăng ký khai sinh cho người đã có giấy tờ gồm gì"), name) == ["documents"]
    # only the name: the procedure as a whole
    assert intents_beside_name(fold_diacritics("đăng ký khai sinh cho người đã có hồ sơ giấy tờ cá nhân"), name) == ["overview"]


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("mình không rành online, muốn nộp trực tiếp tờ khai", "mình không rành, muốn nộp trực tiếp tờ khai"),
        ("bố lớn tuổi không làm khai thuế online được thì nộp ở đâu", "bố lớn tuổi không làm khai thuế được thì nộp ở đâu"),
        ("mẹ tôi không biết làm trực tuyến", "mẹ tôi không biết làm"),
        ("ra công an làm lại chứ ko làm online", "ra công an làm lại chứ ko làm"),
        # asked, not negated: "không" after the way, or a clause before it
        ("nộp online được không", "nộp online được không"),
        ("không biết thì nộp online ở đâu", "không biết thì nộp online ở đâu"),
        ("nop ho so chua chay qua mang", "nop ho so chua chay qua mang"),  # "chữa cháy", not "chưa"
    ],
)
def test_a_way_of_handing_in_the_citizen_negates_is_not_asked(question, read):
    assert without_negated_channels(question) == read
