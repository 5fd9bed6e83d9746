"""Understanding the question: normalise, expand abbreviations, restore diacritics, detect the section."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from rag.diacritics import DiacriticRestorer
from rag.english import english_to_vietnamese, is_english
from rag.question_words import QuestionWords
from tthc.text import fold_diacritics, one_tone_placement, syllables

# Everyday question words are rare in procedure texts; they seed the restorer's statistics.
QUESTION_PHRASES = (
    "cần gì",
    "cần những gì",
    "cần giấy tờ gì",
    "bao nhiêu",
    "bao nhiêu tiền",
    "bao lâu",
    "mấy ngày",
    "ở đâu",
    "nộp ở đâu",
    "làm ở đâu",
    "như thế nào",
    "thế nào",
    "làm sao",
    "làm thế nào",
    "có được không",
    "được không",
    "có mất phí không",
    "có mất tiền không",
    "mất bao lâu",
    "cho con",
    "cho tôi",
    "của tôi",
    "tôi muốn",
    "tôi cần",
    "xin hỏi",
    "ai được",
    "khi nào",
    "cơ quan nào",
    "những gì",
    "giấy gì",
    "làm lại",
    "mới sinh",
    "bị mất",
    "hết hạn",
    "thủ tục gì",
    "nộp hồ sơ",
    "có phải",
    "phải làm gì",
)

# Abbreviations and everyday names -> the wording procedures use. Keys are folded, lower-case.
ABBREVIATIONS: dict[str, str] = {
    "cccd": "căn cước công dân thẻ căn cước",
    "cmnd": "chứng minh nhân dân",
    "cmt": "chứng minh nhân dân",
    "can cuoc": "thẻ căn cước",
    "gks": "giấy khai sinh",
    "hkd": "hộ kinh doanh",
    "dkkd": "đăng ký kinh doanh",
    "dk": "đăng ký",  # "đk tạm trú"; in "đủ đk" it means "điều kiện", where "đăng ký" beside it does little harm
    "dky": "đăng ký",
    "gplx": "giấy phép lái xe",
    "gpkd": "giấy phép kinh doanh",
    "mst": "mã số thuế",
    "tncn": "thu nhập cá nhân",
    "tndn": "thu nhập doanh nghiệp",
    "tnhh": "trách nhiệm hữu hạn",
    "ubnd": "ủy ban nhân dân",
    "tthc": "thủ tục hành chính",
    "gpxd": "giấy phép xây dựng",
    "qsdd": "quyền sử dụng đất",
    "so do": "giấy chứng nhận quyền sử dụng đất sổ đỏ",
    "so hong": "giấy chứng nhận quyền sử dụng đất quyền sở hữu nhà ở sổ hồng",
    "gcn": "giấy chứng nhận",
    "bhxh": "bảo hiểm xã hội",
    "bhyt": "bảo hiểm y tế",
    "bhtn": "bảo hiểm thất nghiệp",
    "hdnd": "hội đồng nhân dân",
    "kt3": "đăng ký tạm trú",
    "ho khau": "đăng ký thường trú hộ khẩu",
    "doc than": "xác nhận tình trạng hôn nhân độc thân",
    "chung tu": "đăng ký khai tử giấy chứng tử",
    "giay bao tu": "đăng ký khai tử",
    "lam giay khai sinh": "đăng ký khai sinh",
    "cong chung": "chứng thực",
    "sao y": "chứng thực bản sao từ bản chính",
    "photo cong chung": "chứng thực bản sao từ bản chính",
    "vneid": "định danh điện tử",
    "dvc": "dịch vụ công",
    "cchc": "cải cách hành chính",
    "online": "trực tuyến",
    "ctv": "cộng tác viên",
    "ho chieu": "hộ chiếu",
    # Shorthand of the trades and offices: "cty", "htx", "thuế gtgt", "hàng nk". Left out where one form stands for
    # several things ("hđ" hợp đồng / hóa đơn, "tk" tài khoản / tờ khai, "ks" khai sinh / khách sạn).
    "cty": "công ty",
    "ctcp": "công ty cổ phần",
    "dn": "doanh nghiệp",
    "dntn": "doanh nghiệp tư nhân",
    "htx": "hợp tác xã",
    "kd": "kinh doanh",
    "xd": "xây dựng",
    "vn": "Việt Nam",
    "gtgt": "giá trị gia tăng",
    "ttdb": "tiêu thụ đặc biệt",
    "nk": "nhập khẩu",
    "xk": "xuất khẩu",
    "xnk": "xuất nhập khẩu",
    "hq": "hải quan",
    "kbnn": "kho bạc nhà nước",
    "nsnn": "ngân sách nhà nước",
    "bds": "bất động sản",
    "sd": "sử dụng",
    "sdd": "sử dụng đất",
    "gpmb": "giải phóng mặt bằng",
    "tdc": "tái định cư",
    "pccc": "phòng cháy chữa cháy",
    "attp": "an toàn thực phẩm",
    "vsattp": "vệ sinh an toàn thực phẩm",
    "tnxp": "thanh niên xung phong",
    "nvqs": "nghĩa vụ quân sự",
    "ccb": "cựu chiến binh",
    "ldtbxh": "lao động thương binh và xã hội",
    "csgt": "cảnh sát giao thông",
    "qppl": "quy phạm pháp luật",
    "pctt": "phòng chống thiên tai",
    "tscd": "tài sản cố định",
    "oto": "ô tô",
    "cavet": "cà vẹt giấy chứng nhận đăng ký xe",
    # everyday words for what records name otherwise
    "tach khau": "tách hộ",
    "ly di": "ly hôn",
    "bia do": "giấy chứng nhận quyền sử dụng đất sổ đỏ",
    "tho cu": "đất ở",
    # someone else going in one's place: "nhờ người nhà đi khai tử" needs the records' "văn bản ủy quyền"
    "nho nguoi": "ủy quyền",
    "nho ban": "ủy quyền",
    "nho anh": "ủy quyền",
    "nho chi": "ủy quyền",
    "nho em": "ủy quyền",
}
# Chat shorthand typed on phones -> the words it stands for. "kết hôn vs ng nước ngoài" kept "vs" and "ng" as words
# no record holds, so every candidate lacked a third of the question, and "cần j" asked for nothing. Whole tokens
# only; one-letter forms that also mark list items or stand for other words ("a", "e", "t", "v") are left alone.
CHAT_SHORTHAND: dict[str, str] = {
    "j": "gì",
    "vs": "với",
    "ng": "người",
    "ko": "không",
    "k": "không",
    "kh": "không",
    "khg": "không",
    "hok": "không",
    "dc": "được",
    "đc": "được",
    "bn": "bao nhiêu",
    "bnhieu": "bao nhiêu",
    "ntn": "như thế nào",
    "r": "rồi",
    "mk": "mình",
    "mik": "mình",
    "cx": "cũng",
    "trc": "trước",
    "vk": "vợ",
    "ck": "chồng",
    "lm": "làm",
    "ms": "mới",
}
_SHORTHAND_RE = re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, CHAT_SHORTHAND), key=len, reverse=True)) + r")(?!\w)")


def expand_shorthand(text: str, accented: bool) -> str:
    """``text`` (lower-case) with chat shorthand written out; without diacritics when the text is typed without them,
    so that the diacritic restorer still reads it as a whole."""

    def written_out(match: re.Match[str]) -> str:
        words = CHAT_SHORTHAND[match.group(1)]
        return words if accented else fold_diacritics(words)

    return _SHORTHAND_RE.sub(written_out, text)


_ABBREVIATION_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True)) + r")\b")

_ACRONYM = re.compile(r"\b[A-ZĐ][A-ZĐ0-9]+\b")


def with_acronyms_spelled_out(text: str) -> str:
    """A procedure's name or phrase with what each acronym stands for written after it ("công ty TNHH trách nhiệm hữu
    hạn một thành viên"): a question's abbreviations are expanded, so a name that abbreviates (64 of the portal's) was
    matched by fewer of the question's words and word pairs than one that spells the same thing out."""

    def spelled_out(match: re.Match[str]) -> str:
        key = fold_diacritics(match.group(0).casefold())
        return f"{match.group(0)} {ABBREVIATIONS[key]}" if key in ABBREVIATIONS else match.group(0)

    return _ACRONYM.sub(spelled_out, text)


# A pause for a stated while ("nghỉ bán 2 tháng", "đóng cửa vài tuần"): the business is suspended, not closed.
_FOR_A_WHILE = r"( \w+){0,2} (\d+|vai|mot|may|hai|ba|bon|sau|mot vai) (ngay|hom|tuan|thang)"

# Everyday ways of saying a sibling marker (folded text): "làm lại giấy khai sinh" asks for the
# "đăng ký lại" procedure, "mất CCCD" for "cấp lại", "chồng người Hàn" for "có yếu tố nước ngoài".
MARKER_PARAPHRASES: dict[str, re.Pattern[str]] = {
    marker: re.compile(pattern)
    for marker, pattern in {
        "dang ky lai": r"\b(lam lai|xin lai|dang ky lai|cap lai|bi mat|danh mat|lam mat|that lac|bi chay|bi rach|rach nat"
        r"|khong con ban chinh)\b",
        "cap lai": r"\b(lam lai|xin lai|cap lai|bi mat|danh mat|lam mat|mat (vi|the|cccd|can cuoc|giay|bang|so)|that lac|bi trom"
        r"|bi moc tui)\b",
        "cap doi": r"\b(cap doi|doi (the|cccd|can cuoc|cmnd|giay|bang|so|sang)|het han|bi hong|sai thong tin|mo chu)\b",
        "nuoc ngoai": r"\b(viet kieu|nguoi nuoc ngoai|o nuoc ngoai|ngoai quoc|nuoc ngoai|quoc tich (han|my|nhat|trung|uc|phap|duc|anh)"
        r"|(chong|vo|nguoi) (han|han quoc|my|nhat|nhat ban|trung|trung quoc|dai loan|uc|phap|duc|anh|lao|campuchia|thai)"
        r"|con lai|(chong|khach) tay)\b",  # not "người tày": an ethnic group of Vietnam, nor "vỗ tay"
        "luu dong": r"\b(tan nha|den nha|xuong nha|tai nha|om nang|liet giuong|khong di lai duoc|khong di duoc"
        r"|xuong (tan )?(ban|thon|lang|xom|ap|buon|phum|soc|to dan pho|khu dan cu)|(den|ve|toi) tan (ban|thon|lang|xom|ap|buon))\b",
        "duoi 14 tuoi": r"\b(duoi 14|([1-9]|1[0-3]) tuoi|tre em|tre nho|con nho|chau be)\b",
        "cham dut": r"\b(cham dut|dong cua|giai the|nghi ban|dep (quan|tiem|cua hang)|thoi kinh doanh|nghi han"
        r"|thoi (lam )?(nguoi )?giam ho)\b(?!" + _FOR_A_WHILE + ")",
        # a birth and an acknowledgement done together ("khai sinh kèm nhận cha", "vừa khai sinh vừa nhận cha"), not
        # an acknowledgement after a birth registered long ago
        "ket hop": r"\bkhai sinh( \w+){0,2} (kem|va|cung|dong thoi)( voi)?( luon)? nhan (cha|me|bo|con)\b(?! nuoi)"
        r"|\bvua (lam )?(giay )?khai sinh vua nhan (cha|me|bo|con)\b",
        "tam ngung": r"\b(tam ngung|tam nghi|tam dong|nghi tam|(nghi|dong cua|ngung|dung)" + _FOR_A_WHILE + r")\b",
        # "Trình báo mất hộ chiếu / giấy thông hành / thẻ ABTC" beside the procedures that issue or restore them: a loss
        # and a report to the police ("làm mất giấy thông hành … phải đi báo trong bao lâu"); folded "mat" alone is
        # also "mất bao lâu", so the loss is named by its verb
        "trinh bao mat": r"(?<!thong )\b(bao mat|trinh bao)\b|\b(lam mat|bi mat|danh mat|danh roi|that lac|bi trom|moc tui)\b.*\b"
        r"(phai|di|den|ra|len|toi|can)( \w+){0,2} bao\b(?! (lau|nhieu|gio))",
        # a death ("Chế độ … bị chết" beside "… bị tai nạn, bị thương"): folded "mất" is also "mất giấy", "mất bao
        # lâu", so it names a death only after "đã / vừa / không may" and before the sentence goes on with a time or
        # a cause, not a thing lost ("mất ví", "mất đồ" fold as "mất vì", "mất do")
        "chet": r"\b(qua doi|tu vong|hy sinh|tu tran|thiet mang|chet|(da|vua|moi|khong may) mat"
        r"(?= *($|[,.;!?]|(roi|khi|trong|nen|thi|luc|o|sau|nam|hom|thang|duoc|cach|vao|va|ma)\b)))",
        "gia han": r"\b(gia han|keo dai)\b",
        "lan dau": r"\b(lan dau|chua tung)\b",
    }.items()
}

# 'phí' of the procedure; not the costs it is about: "chi phí khám chữa bệnh", "viện phí", "học phí", "kinh phí"
_A_FEE = r"(?<!chi )(?<!vien )(?<!hoc )(?<!kinh )phi"

# Verbs of handing a dossier in or passing it on (folded): the "hồ sơ" after them is what is handed in.
_HANDING_IN = ("nop", "gui", "nhan", "chuyen")

# Handing a dossier in, not a paper sent back to the citizen ("gửi cho mình", "gửi về nhà", "gửi lại"): folded text
_HANDS_IN = r"(nop|gui)(?! (cho (minh|toi|em|ban|nguoi)|ve|lai)\b)(?: (?!ve\b)\w+){0,3}"
_BY_POST = _HANDS_IN + r" (qua|bang) (duong )?buu (dien|chinh) (duoc|dc)\b"  # "gửi hồ sơ qua bưu điện được không"
_HANDING_IN_WAY = _HANDS_IN + r" ((bang|theo|qua) (cach|hinh thuc|phuong thuc|duong) nao)|" + _BY_POST

# Section intents, matched on folded text, most specific first.
INTENTS: list[tuple[str, re.Pattern[str]]] = [
    ("legal_basis", re.compile(r"\b(can cu|van ban phap ly|luat nao|nghi dinh nao|theo quy dinh nao|quy dinh tai)\b")),
    (
        "fees",
        re.compile(
            r"\b(le phi|" + _A_FEE + r"|bao nhieu tien|mat tien|ton tien|het bao nhieu|gia bao nhieu|mien phi|tra tien"
            r"|(mat|ton) bao nhieu(?! (ngay|lau|thoi gian|gio|thang|tuan|nam|lan|buoc|anh|ban|nguoi))|(mat|ton) (khoang|tam) bao nhieu"
            r"|(het|mat|ton|tra|dong) (nhieu|it|kha nhieu) tien|ton kem)\b"  # "hết nhiều tiền vậy", "có tốn kém không"
        ),
    ),
    (
        "time",
        re.compile(
            r"\b(bao lau|may ngay|thoi han|thoi gian|bao nhieu ngay|khi nao co|lau khong|trong vong"
            # the same day, asked in everyday words: "trong ngày có xong không", "lấy liền được không", "bao giờ xong";
            # not "chưa bao giờ có", "ở mấy hôm"
            r"|trong ngay (co |duoc |dc |la |thi )?(xong|lay|nhan|co ket qua)"
            r"|(lam|xong|lay|giai quyet|tra) (\w+ )?(ngay )?trong ngay (khong|ko|k|duoc|dc|luon)"
            r"|(lam|xong|lay|giai quyet|tra) (ngay|lien) (duoc|dc) (khong|ko|k)"
            r"|(bao gio|khi nao) (thi )?xong)\b"
        ),
    ),
    (
        "result",
        re.compile(
            r"\b(ket qua|nhan lai gi"
            r"|(?<!xac )(?<!chung )(nhan|duoc|dc) (duoc |dc )?(nhan |cap |tra )?(lai )?(cho )?(toi |minh |em )?(nhung )?"
            r"(giay to |giay |cai |van ban |the |so |phieu |quyet dinh |trich luc )?((chung|xac) nhan )?(gi|nhung gi|nao|theo mau nao)"
            r"|xong (thi )?(\w+ ){0,4}(tra|cap|dua|gui) (lai )?(cho )?(toi |minh |em )?"
            r"(giay|phieu|the|so|van ban|quyet dinh|trich luc) (gi|nao)"
            # what the office sends back: "bị từ chối thì thuế gửi lại giấy gì", "hải quan trả lời bằng văn bản gì"
            r"|(gui|tra) lai (cho )?(\w+ )?(giay to|giay|van ban|thong bao|quyet dinh) (gi|nao)|tra loi bang (van ban )?(gi|nao)"
            # the office hands it back: "cơ quan thuế trả cho mình giấy gì", "kho bạc gửi văn bản gì"; not "tôi gửi giấy gì"
            r"|(co quan( \w+)?|thue|hai quan|kho bac|xa|phuong|ubnd|cong an|so|nguoi ta|ho) (se |con |moi |phai )?"
            r"(tra|cap|dua|gui|phat|giao) (lai )?(cho )?(toi |minh |em |don vi |cty |cong ty |doanh nghiep )?(ban sao )?"
            r"(giay to|giay|van ban|thong bao|quyet dinh|phieu|bien lai|chung tu|trich luc)( \w+)? (gi|nao)"
            r"|cap (cho )?(\w+ )?(giay|the|so|van ban) theo mau"
            r"|(lam|giai quyet|xu ly|dang ky) xong (thi )?(duoc|dc|nhan|co|cap)"
            r"( (cap|nhan|tra))?( (giay|phieu|the|so|van ban) (gi|nao))?)\b"
        ),
    ),
    (
        "agency",
        re.compile(
            r"\b(o dau|noi nao|(o|nop|lam|gui|tai) cho nao|co quan nao|nop dau|lam dau|den dau|(toi|ve|di) dau|ai giai quyet"
            r"|tham quyen|truc tuyen|online"
            r"|kenh nao|(nop|gui|chuyen|dua) (\w+ ){0,4}cho ai"
            # "nộp cho BHXH nào", "ở chi cục hải quan nào"; not "kho bạc xử lý thế nào", "gửi kho bạc khi nào"
            r"|(co quan|bhxh|kho bac|phong|chi cuc|don vi) (\w+ ){0,2}(?<!the )(?<!khi )(?<!luc )(?<!ngay )(?<!cach )nao"
            # the way a dossier goes in: "nộp tờ khai bằng cách nào", "gửi hồ sơ theo hình thức nào", "nộp qua bưu điện được
            # không"; not the result sent back ("giấy mới gửi cho mình bằng cách nào", "gửi về nhà qua bưu điện được không")
            r"|" + _HANDING_IN_WAY + r")\b"
        ),
    ),
    # naming the steps outright beats 'hồ sơ' ("quy trình nộp hồ sơ … gồm mấy bước")
    ("steps", re.compile(r"\b(cac buoc|may buoc|bao nhieu buoc|nhung buoc|buoc nao|quy trinh|trinh tu)\b")),
    (
        "documents",
        re.compile(
            r"\b((ho so|giay to) (gi|nao|gom|bao gom|can)"
            r"|giay to|can gi|can nhung gi|can mang|mang theo|chuan bi|thanh phan|giay gi|nop gi|xuat trinh"
            r"|mau (don|so|to khai|ban khai)|ban ke khai"
            r"|(don|van ban|chung cu|chung tu|tai lieu) (gi|nao)"
            # a kind of paper named, then 'gì': "có cần giấy khám sức khỏe gì không", "nộp thêm bản chụp gì", "cần
            # giấy xác nhận gì", "cần xã xác nhận gì"; not "cần giấy phép gì", which asks which permit (a procedure)
            r"|(can|phai|nop|mang|co|kem|xin) (them )?(giay|ban|van ban|to)(?! phep gi) (\w+ ){1,4}gi"
            r"|(can|phai co|phai xin) (them )?(\w+ ){0,2}(xac|chung) nhan gi)\b"
        ),
    ),
    ("steps", re.compile(r"\b(lam the nao|lam sao|nhu the nao|cach lam|huong dan)\b")),
    ("conditions", re.compile(r"\b(dieu kien|yeu cau|ai duoc|doi tuong|co duoc)\b")),
]
MAX_INTENTS = 2
# A dossier or form named without asking what it holds: the documents when nothing else is asked ("hồ sơ xin cấp lại
# thẻ"), the subject of what is ("hồ sơ bị thiếu thì bao lâu báo lại", "nộp đủ hồ sơ thì thẩm định mất bao lâu"). "hồ sơ"
# right after handing it in is what is handed in ("nộp hồ sơ cho ai", "thứ 7 có nhận hồ sơ không") unless asked what it
# holds ("nộp hồ sơ gì"); so is "hồ sơ" right before it ("hồ sơ nộp ở đâu") unless what it holds is asked ("hồ sơ nộp
# xã gồm gì"); the same of "tờ khai" ("tờ khai nộp ở chỗ nào", not "tờ khai nộp theo mẫu nào").
_DOSSIER_NAMED = re.compile(
    r"\b(" + "".join(f"(?<!{verb} )" for verb in _HANDING_IN) + r"ho so(?! (nop|gui)\b(?!.*\b(gom|gi|bao gom)\b))"
    r"|to khai(?! (nop|gui)\b(?!.*\b(gom|gi|bao gom|mau)\b)))\b"
)
NAME_RUN = 3  # words in a row that a question shares with a procedure's name: it names the procedure
# How long one has to do something ("trong bao lâu phải đi báo", "niêm yết ít nhất mấy ngày", "chậm nhất bao nhiêu
# ngày"), not how long the procedure takes: asked as 'deadline', answered by the record's sentence that says it (the
# processing time, "Thời hạn giải quyết", would read as the answer and is another figure). Waiting ("phải chờ bao
# lâu", "bao lâu thì được cấp") is the processing time.
_DEADLINE = re.compile(
    r"\b(phai|can|duoc|se)( \w+){0,6} (trong|truoc) (vong )?(bao lau|may ngay|bao nhieu ngay|may gio|bao nhieu gio|may thang)"
    r"|\b(trong|truoc) (vong )?(bao lau|may ngay|bao nhieu ngay|may gio|bao nhieu gio) (thi )?(\w+ ){0,3}(phai|can|duoc)\b"
    r"|\b(niem yet|cong khai|han chot|cham nhat|it nhat|toi thieu)\b"
)
# How long a paper stays valid ("giấy xác nhận độc thân có giá trị bao lâu", "thẻ dùng được mấy năm", "bao lâu thì hết
# hạn"), not how long the procedure takes: asked as 'validity'. Not "xây dựng", "tạm dừng", "áp dụng" (folded 'dung').
_VALIDITY = re.compile(
    r"\b((co |con )?(gia tri|hieu luc)( su dung)?( trong| duoc| den)? (bao lau|may (ngay|thang|nam)|bao nhieu (ngay|thang|nam)"
    r"|den (khi nao|bao gio))"
    r"|(su dung|(?<!xay )(?<!tam )(?<!ap )(?<!tuyen )(?<!ngung )dung duoc|xai duoc) (trong )?"
    r"(bao lau|may (nam|thang)|bao nhieu (nam|thang))"
    r"|han (su dung|dung) (la )?(bao lau|may|bao nhieu)"
    r"|(bao lau|khi nao|bao gio|may (nam|thang)) (thi |moi )?(\w+ ){0,3}(se |bi )?het han)\b"
)
# When a dossier or form is due asks for a date, not for the documents: "nộp hồ sơ khi nào"
_HANDED_IN = re.compile(r"\b(" + "|".join(_HANDING_IN) + r") ho so\b")
_WHEN = re.compile(r"\b(khi nao|luc nao|(?<!chua )(?<!khong )bao gio|thoi diem nao|ngay nao|han chot|thang nao)\b")  # not "chưa bao giờ"
# (whole phrases: alone, folded "cho" is also 'for' and "doi" also đổi, 'change')
_WAITING = re.compile(
    r"\b((phai|can|mat) (cho|doi)|cho doi|(cho|doi) (bao lau|may ngay|den|toi)|co ket qua|nhan ket qua|tra ket qua|giai quyet"
    r"|duoc cap|lay duoc|nhan duoc|co the (lay|nhan)|co giay|co so)\b"
)

# Yes/no questions end in 'không' (or 'chưa'), maybe followed by a particle: "… có mất phí không ạ?"
_YES_NO = re.compile(r"\b(khong|ko|k|chua)( (a|vay|nhi|nhe|ha|the))*$")
# A choice whose first half is a yes/no question: "có phải nộp bản chính không hay chỉ bản photo", "có mang sẵn tờ
# khai ko hay nhà mình phải tự in" (folded, and on the restored text)
CHOICE = re.compile(r"\b(khong|ko|k|chua) hay\b")
_CHOICE_RESTORED = re.compile(r"\b(không|ko|k|chưa) hay\b", re.IGNORECASE)
_ASKS_ONLINE = re.compile(r"\b(online|truc tuyen|qua mang|tren mang|dich vu cong|vneid)\b")
_ASKS_POST = re.compile(r"\b" + _BY_POST)
_ASKS_FREE = re.compile(r"\bmien (le )?phi\b")
_ASKS_COST = re.compile(r"\b(" + _A_FEE + r"|le phi|mat tien|ton tien|tra tien|dong tien|nop tien)\b")
# "có cần (phải) mang CCCD không", "phải nộp hợp đồng thuê nhà không": the item between the verb and
# 'không', read on the restored text, where 'cần' (need) and 'căn' (as in căn cước) differ. "photo" stays in the
# item: "có cần photo CCCD không" asks about a copy, which the document's copies answer.
_ASKS_ITEM = re.compile(
    r"\b(?:cần|phải|bắt buộc)(?: phải)?(?: (?:nộp|mang theo|mang|có|xuất trình|chuẩn bị|kèm theo|kèm|đem theo|đem))?"
    r"(?: lại)? (?P<item>.+?)(?: (?:đúng|được|chứ))? (?:không|ko|k|chưa)\b"
)
# "cần giấy tờ gì không", "phải nộp ở đâu không": an item that holds a question word asks what, not whether
# ("sao" is not one of them here: "bản sao")
_ITEM_ASKS_WHAT = re.compile(r"\b(gì|nào|đâu|bao nhiêu|mấy)\b")
# A yes/no about a certification or translation ("có cần chứng thực không", "phải công chứng, chứng thực không", "có
# bắt buộc công chứng mới đăng ký được không") asks about a paper named before it, not whether the list holds one
# (folded content words of the item, by the treatment they ask for; "hay" and what follows is the other half of a choice)
TREATMENTS_ASKED = {"certified": "cong chung|chung thuc|sao y", "legalised": "hop phap hoa|lanh su", "translated": "dich"}
_TREATMENT_WORDS = "|".join(TREATMENTS_ASKED.values())
CERTIFICATION_ASKED = re.compile(rf"^(duoc |phai )?({_TREATMENT_WORDS})(( hoac| va)? ({_TREATMENT_WORDS}|thuat))*( moi .*| hay .*)?$")
MAX_PAPER_WORDS = 8  # more words before the ask are a situation, not a paper's name
# A paper issued abroad ("giấy tờ do nước ngoài cấp", "giấy chứng tử … nước ngoài cấp", "xét nghiệm ADN làm bên nước
# ngoài") and what must be done before it is used ("phải làm gì", "dùng ngay được không", "có phải hợp pháp hóa không"):
# the record's sentence on legalising and translating such papers answers it, not the dossier's list (folded text)
_FOREIGN_PAPER = re.compile(
    r"\bnuoc ngoai( co tham quyen)? (cap|lap|xac nhan|cong chung|chung thuc|chung nhan)\b"
    r"|\bgiay to ((cua|ben|o|tu) ){0,2}(nuoc ngoai|ngoai quoc)\b"
    r"|\b(giay|ban an|bang|van ban|tai lieu|chung chi|xac nhan)\b( \w+){0,6} (lam|cap) (o|ben|tai) nuoc ngoai\b"
)
_WHAT_TO_DO_WITH_IT = re.compile(
    r"\b(lam gi|lam j|thu tuc gi|lam them|phai lam|xu ly|hop phap hoa|lanh su|hop le|(co|con) gia tri"
    r"|dung (duoc|dc|ngay|luon))\b"
)
# Collecting the result ("lúc ra lấy kết quả", "đến lúc nhận sổ") and what to bring then ("mang theo gì", "có phải nộp
# bản chính không"): the record's sentence on what is shown or handed in at collection answers it (folded text)
_AT_COLLECTION = re.compile(r"\b(luc|khi|hom|ngay)( \w+){0,2} (nhan|lay) (ket qua|so|so do|so hong|giay|trich luc|giay phep|bang|the)\b")
_WHAT_TO_BRING = re.compile(r"\b(mang|dem|nop|xuat trinh|cam)( theo)?( nhung)? (gi|j|ban chinh|ban goc|giay to)\b")
# Whether it is done the same day ("xã có làm ngay trong ngày không", "giấy khai sinh có lấy liền được không"): the
# record's sentence on same-day handling answers it, where the time limit in days does not (folded text, a yes/no)
_SAME_DAY = re.compile(
    r"\b(trong ngay(?! (le|nghi|thu|chu nhat)\b)|(lay|co|xong|lam) lien(?! (thong|quan|he|ket|tuc|lac)\b)|(lay|xong) ngay)\b"
)
# What to enclose when handing in by post ("gửi hồ sơ qua bưu điện thì giấy tờ tùy thân gửi kèm bản gì"): the record's
# sentence on the copies sent by post answers it (folded text)
_SENT_BY_POST = re.compile(r"\b(qua|bang|duong) (buu dien|buu chinh)\b")
_WHAT_ENCLOSED = re.compile(r"\b(ban gi|ban nao|kieu gi|loai gi|cai gi|loai ban nao|gui kem gi|kem theo gi|kem gi)\b")
# A yes/no asked with a how-long question in its clause asks the time: "trong bao lâu phải quyết định có thụ lý hay không"
_ASKS_HOW_LONG = re.compile(r"\b(bao lau|may ngay|bao nhieu ngay|may thang)\b")
# "có phải lên công an nhận không", "có phải ký tên vào tờ khai không": an item that starts with a deed asks about a
# step, and the words of a document list ("công an", "tờ khai") cannot settle it
_ITEM_IS_A_DEED = re.compile(r"^(lên|đến|tới|đi|ra|về|chạy|ký|chụp|lấy|nhận|đưa|gặp|chờ|đợi|xếp hàng|trình diện|có mặt|quay lại)\b")

# A claim put to check ends "đúng không", "phải không", "thật không"; what it claims is a sum of money (not a benefit's:
# "trợ cấp 2 triệu") or the time a procedure takes ("mất 3 ngày"), on folded text with the digit marks dropped.
_CLAIM = re.compile(r"\b(dung|phai|that|chuan) (khong|ko|k|chua)( (a|ah|vay|nhi|nhe|ha|the))*$")
_CLAIMED_SUM = re.compile(r"\b\d+ ?(nghin|ngan|k|dong|d|trieu|vnd)\b")
_CLAIMED_TIME = re.compile(r"\b(mat|het|lau|chi|khoang|tam|toi da|trong vong) \d+ (ngay|gio|thang|tuan)\b")
# whole phrases: alone, folded "thuong" is also thường (as in thường trú) and "huong" hướng (as in hướng dẫn)
_BENEFIT = re.compile(r"\b(tro cap|ho tro|duoc huong|muc huong|boi thuong|chi tra|tien luong|thu nhap|tien thuong|vay|tien phat|bi phat)\b")

# An abbreviation's expansion that names a document ("căn cước công dân", "giấy khai sinh"), not a procedure
_NAMES_A_DOCUMENT = re.compile(r"(giay|the|can cuoc|chung minh|so|ho chieu|ban|van ban|hop dong)\b")

# "mất bao lâu", "có mất phí không": 'mất' says what a procedure costs in time or money, not that something was
# lost or someone died (folded text; the verb is dropped from what names the procedure). After "bị", "đã", "vừa"…
# it is a loss again: "sổ bị mất bao lâu thì được cấp lại", "người đã mất bao lâu".
_COST_VERB = re.compile(r"\bmat (?=(bao lau|bao nhieu|may|phi|le phi|tien|thoi gian|khoang|chung|tam|het|nhieu|it nhat|toi da)\b)")
_LOSS_BEFORE = frozenset({"bi", "da", "vua", "moi", "lam", "danh", "nguoi", "chet"})

# The words that may come before the ward's own name, folded and stripped of punctuation: "P." is "p".
_PLACE_KINDS = frozenset({"phuong", "p", "tp", "xa"})

# Function words and question words (accented): they say nothing about which procedure is meant.
STOPWORDS = frozenset(
    " ".join(
        [
            "tôi mình em anh chị ông bà bạn chúng ta cho của là có không ko k được dc đc cần gì nào thế sao làm bao",
            "nhiêu mấy ở đâu thì và với hoặc để khi như muốn xin hỏi phải thủ tục giúp ạ nhé ơi rồi đã đang sẽ này",
            "kia đó đây những các một từ trong ngoài lên xuống ra vào tại về theo nếu còn vậy thôi ai biết luôn nữa",
            "hay ok vui lòng à ừ tao chứ cũng vẫn nha nhỉ vâng dạ mik mk thi va",
            "mn mng ad ah giùm",  # "mọi người", a page's "admin", "giùm" (giúp): how a chat addresses and asks
        ]
    ).split()
)

# Words of question phrases that are no stop words on their own ("cây lâu năm", "giờ làm việc", "chỗ ở"), on folded
# syllables.
_ASKED_AFTER_BAO = frozenset({"lau", "gio"})  # "bao lâu", "bao giờ"
_ASKING_AFTER_LAU = frozenset({"khong", "ko", "k", "chua", "the"})  # "lâu không", "lâu thế"


def _in_question_phrase(folded: list[str], i: int) -> bool:
    word = folded[i]
    if word in _ASKED_AFTER_BAO and i > 0 and folded[i - 1] == "bao":
        return True
    if word == "cho" and i + 1 < len(folded) and folded[i + 1] == "nao":
        return True  # "ở chỗ nào" asks where; "chỗ ở" stays a word
    return word == "lau" and i + 1 < len(folded) and folded[i + 1] in _ASKING_AFTER_LAU


@dataclass(frozen=True)
class Ask:
    """A yes/no question the record can settle: 'online', 'post', 'paid', 'free' or 'document' (with the item asked);
    or a rule of the record asked in other words, which it settles the same way: 'foreign_paper', what must be done with
    a paper issued abroad; 'at_collection', what to bring when collecting the result; 'by_post', what to enclose when
    handing in by post; 'same_day', whether it is done the same day."""

    kind: str
    item: str = ""
    item_words: tuple[str, ...] = ()
    # the paper a certification is asked of ("giấy ủy quyền có cần chứng thực không"): folded words named before 'có'
    paper_words: tuple[str, ...] = ()


@dataclass
class Query:
    """A question made ready for retrieval.

    Its texts are not changed once analysed (only ``intents`` and ``ask`` may be), so the words the retrievers read
    are worked out once per question: the ranker reads them for every candidate.
    """

    original: str
    normalized: str
    restored: str
    folded: str
    intents: list[str] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)
    ask: Ask | None = None
    english: bool = False  # asked in English: ``normalized`` and ``restored`` hold the Vietnamese terms it names
    own_place_names: tuple[tuple[str, ...], ...] = ()  # the ward's own names, folded syllables (settings.ward_place_names)

    @cached_property
    def content_words(self) -> list[str]:
        """Folded syllables that carry meaning: stop words are removed on the accented (restored) text, and so is
        the second word of "bao lâu", "bao giờ", "lâu không" (not the "lâu" of "cây lâu năm")."""
        abbreviations = {key for key in _ABBREVIATION_RE.findall(self.folded) if " " not in key}
        words = syllables(self.search_text)
        folded = [fold_diacritics(w) for w in words]
        kept = [
            fold
            for i, (word, fold) in enumerate(zip(words, folded, strict=True))
            if word.isalpha() and word not in STOPWORDS and len(word) > 1 and not _in_question_phrase(folded, i)
        ]
        return sorted(set(kept) - abbreviations)

    @cached_property
    def search_text(self) -> str:
        """What the retrievers see: the restored question, without a 'mất' of cost or the ward's own name, plus
        abbreviation expansions."""
        return " ".join([_without_own_place(_without_cost_verb(self.restored), self.own_place_names), *self.expansions]).strip()


def _without_own_place(text: str, own_place_names: tuple[tuple[str, ...], ...]) -> str:
    """The text without the ward's own name ("ở phường Nam Gia Nghĩa"): every procedure in the index is the ward's,
    so the name tells none apart, and it only pulled questions towards the plan, which names the ward throughout."""
    words = text.split()
    folded = [fold_diacritics(w.casefold()).strip(",.?!;:") for w in words]
    dropped: set[int] = set()
    for i in range(len(words)):
        for name in own_place_names:
            if tuple(folded[i : i + len(name)]) == name:
                start = i - 1 if i > 0 and folded[i - 1] in _PLACE_KINDS else i
                dropped.update(range(start, i + len(name)))
    return " ".join(w for i, w in enumerate(words) if i not in dropped)


def _without_cost_verb(text: str) -> str:
    """The text without each 'mất' that asks what something costs ("mất bao lâu", "mất phí"), kept otherwise."""
    words = text.split()
    folded = [fold_diacritics(w) for w in words]
    return " ".join(
        w
        for i, w in enumerate(words)
        if not (folded[i] == "mat" and _COST_VERB.match(" ".join(folded[i : i + 3])) and (i == 0 or folded[i - 1] not in _LOSS_BEFORE))
    )


# A way of handing in that the citizen says they cannot or will not use: "không rành online", "không làm khai thuế
# online được", "chứ ko làm online" (folded). The way is no word asked: the sentence about it, or the procedure done
# only that way, is the wrong answer. Not "chưa": folded, it is also "chữa" ("chữa cháy qua cổng dịch vụ công").
_NEGATED_CHANNEL = re.compile(r"\b(?:khong|ko|chang)(?: (?!thi\b|ma\b|nen\b|hay\b)\w+){0,3}? (online|truc tuyen|qua mang)\b")


def without_negated_channels(normalized: str) -> str:
    """The question without the ways of handing in it negates ("không rành online" reads "không rành")."""
    folded = fold_diacritics(normalized)  # NFC text: one character for one, so positions hold
    for match in reversed(list(_NEGATED_CHANNEL.finditer(folded))):
        normalized = normalized[: match.start(1)].rstrip() + normalized[match.end(1) :]
    return normalized


def normalize_question(text: str) -> str:
    """NFC, one tone placement (as the records are stored), casefold, whitespace."""
    text = one_tone_placement(unicodedata.normalize("NFC", text))
    return " ".join(text.casefold().split())


def claimed_section(folded: str) -> str | None:
    """The section a claim put to check is about: 'fees' for "nghe nói 8 nghìn một việc, đúng không", 'time' for
    "mất 3 ngày làm việc phải không"; None when the question checks no sum or duration (or a benefit's sum)."""
    folded = " ".join(bare_words(folded.replace(".", "").replace(",", "")))
    if not _CLAIM.search(folded):
        return None
    if _CLAIMED_SUM.search(folded) and not _BENEFIT.search(folded):
        return "fees"
    return "time" if _CLAIMED_TIME.search(folded) else None


def detect_intents(folded: str) -> list[str]:
    """The sections asked about, most specific first (at most two); ['overview'] when none. A claim put to check
    ("lệ phí 20 nghìn, đúng không") asks for what it claims before anything else it names ("nộp online")."""
    claimed = claimed_section(folded)
    found: list[str] = [claimed] if claimed else []
    for name, pattern in INTENTS:
        if name not in found and pattern.search(folded):
            found.append(name)
            if name == "result":  # "được cấp giấy gì" asks for the result, not the documents to bring
                folded = pattern.sub(" ", folded)
    if not found and _DOSSIER_NAMED.search(folded):
        found.append("documents")
    if "time" in found and _DEADLINE.search(folded) and not _WAITING.search(folded):
        found[found.index("time")] = "deadline"
    if _WHEN.search(folded) and ("documents" in found or _HANDED_IN.search(folded)):  # "nộp hồ sơ khi nào", "hạn chót nộp tờ khai"
        at = found.index("documents") if "documents" in found else len(found)  # in its place, or last
        found = list(dict.fromkeys([*found[:at], "deadline", *found[at + 1 :]]))
    if _VALIDITY.search(folded):  # the paper's validity takes the place of the time it asks
        found = ["validity", *[intent for intent in found if intent not in ("time", "deadline")]]
    return found[:MAX_INTENTS] or ["overview"]


def bare_words(text: str) -> list[str]:
    """The text's words with punctuation taken for spaces: "hồ sơ, giấy tờ" is "hồ sơ giấy tờ"."""
    return re.sub(r"[^\w\s]", " ", text).split()


def intents_beside_name(folded: str, name: str) -> list[str]:
    """The sections asked about, read without the words that only name the procedure: "đăng ký khai sinh cho người
    đã có hồ sơ, giấy tờ cá nhân … tối đa bao lâu" asks the time, not the documents its name mentions. A run of
    ``NAME_RUN`` words the name holds in the same order is the name; a single shared word is not."""
    words, name_words = bare_words(folded), bare_words(fold_diacritics(name.casefold()))
    runs = {tuple(name_words[i : i + NAME_RUN]) for i in range(len(name_words) - NAME_RUN + 1)}
    naming = [False] * len(words)
    for i in range(len(words) - NAME_RUN + 1):
        if tuple(words[i : i + NAME_RUN]) in runs:
            naming[i : i + NAME_RUN] = [True] * NAME_RUN
    return detect_intents(" ".join("|" if is_name else word for word, is_name in zip(words, naming, strict=True)))


def without_yes_no_particle(folded: str) -> str:
    """The folded question without the 'không' / 'chưa' that makes it a yes/no question: that word negates nothing."""
    return _YES_NO.sub("", " ".join(bare_words(folded)))


def detect_ask(folded: str, restored: str) -> Ask | None:
    """The yes/no question asked, when it is one the record can answer (channels, fees, documents); of a choice
    ("… không hay …"), its first half. A rule asked about (what to do with a paper issued abroad, what to bring when
    collecting the result, what to enclose by post) is asked whether yes/no or not."""
    folded = " ".join(bare_words(folded))
    if _FOREIGN_PAPER.search(folded) and _WHAT_TO_DO_WITH_IT.search(folded):
        return Ask("foreign_paper")
    if (collecting := _AT_COLLECTION.search(folded)) and _WHAT_TO_BRING.search(folded, collecting.end()):
        return Ask("at_collection")
    if _SENT_BY_POST.search(folded) and _WHAT_ENCLOSED.search(folded):
        return Ask("by_post")
    choice, restored_choice = CHOICE.search(folded), _CHOICE_RESTORED.search(restored)
    if choice and restored_choice:
        folded, restored = folded[: choice.end(1)], restored[: restored_choice.end(1)]
    if not _YES_NO.search(folded) or claimed_section(folded):  # a claimed sum or time is answered by its section
        return None
    if _SAME_DAY.search(folded):
        return Ask("same_day")
    asked = folded.rsplit(" thi ", 1)[-1]  # "đăng ký online thì chủ xe có phải ký không": 'online' is the case, not the ask
    if _ASKS_ONLINE.search(asked):
        return Ask("online")
    if _ASKS_POST.search(asked):
        return Ask("post")
    # the fee asked about follows the question's 'có' ("làm lại có mất phí không"); one before it names the subject
    # ("hồ sơ quyết toán phí BVMT có gửi bằng bưu điện được không", "lệ phí đã nộp có được trả lại không")
    predicate = asked.rsplit(" co ", 1)[-1]
    if _ASKS_FREE.search(predicate):
        return Ask("free")
    if _ASKS_COST.search(predicate):
        return Ask("paid")
    match = _ASKS_ITEM.search(" ".join(bare_words(restored)))
    if not match:
        return None
    item = match.group("item")
    if _ITEM_ASKS_WHAT.search(item) or _ITEM_IS_A_DEED.match(item) or _time_asked_with_it(restored):
        return None
    abbreviations = _ABBREVIATION_RE.findall(fold_diacritics(item))
    words = [fold_diacritics(w) for w in syllables(item) if w not in STOPWORDS and fold_diacritics(w) not in abbreviations]
    # "CCCD" is matched by the names of the card; "hộ khẩu" is expanded to the procedure it stands for (đăng ký thường
    # trú), whose words fill documents that are not it
    expansions = [fold_diacritics(ABBREVIATIONS[key]) for key in abbreviations]
    words += [w for expansion in expansions if _NAMES_A_DOCUMENT.match(expansion) for w in expansion.split()]
    content = tuple(dict.fromkeys(words))
    if not content:
        return None
    if CERTIFICATION_ASKED.match(" ".join(content)):
        return Ask("document", item, content, _paper_before(restored))
    return Ask("document", item, content)


def _asking_clause(restored: str, breaks: str) -> re.Match[str] | None:
    """The ask in the last clause (``restored`` split at ``breaks``) that asks about an item, on the clause's bare
    words."""
    found = [match for clause in re.split(breaks, restored) if (match := _ASKS_ITEM.search(" ".join(bare_words(clause))))]
    return found[-1] if found else None


def _time_asked_with_it(restored: str) -> bool:
    """The clause of the ask asks how long too: "trong bao lâu phải quyết định có thụ lý hay không" asks the time,
    "mất bao lâu, có cần giấy xác nhận không" asks both."""
    ask = _asking_clause(restored, r"[,;:.?!]")
    return ask is not None and bool(_ASKS_HOW_LONG.search(fold_diacritics(ask.string.casefold())))


def _paper_before(restored: str) -> tuple[str, ...]:
    """The folded content words of the paper named right before the ask, in the ask's clause: after the last 'thì'
    or punctuation mark, without the 'có' that starts the question ("…, giấy ủy quyền có cần …" -> giay, uy, quyen)."""
    ask = _asking_clause(restored, r"\b(?:thì|thi)\b|[,;:.?!]")
    if ask is None:
        return ()
    words = [fold_diacritics(w) for w in syllables(ask.string[: ask.start()].casefold()) if w not in STOPWORDS]
    words = [w for w in words if w not in ("co", "khong", "ko")]
    return tuple(dict.fromkeys(words)) if 0 < len(words) <= MAX_PAPER_WORDS else ()


class QueryAnalyzer:
    """Turns raw questions into :class:`Query` objects (no I/O; built once at start-up)."""

    def __init__(self, vocab: dict, own_place_names: list[str] | None = None, question_words: QuestionWords | None = None) -> None:
        """``vocab`` holds the records' syllable counts; ``question_words`` how citizens write, which restores a question
        typed without diacritics but never makes a pair common enough to read an English question as Vietnamese."""
        self.own_place_names = tuple(tuple(fold_diacritics(w.casefold()) for w in name.split()) for name in own_place_names or [])
        unigrams = dict(vocab.get("unigrams", {}))
        bigrams = dict(vocab.get("bigrams", {}))
        for phrase in QUESTION_PHRASES:
            words = phrase.split()
            for w in words:
                unigrams[w] = unigrams.get(w, 0) + 50
            for a, b in zip(words, words[1:]):
                bigrams[f"{a} {b}"] = bigrams.get(f"{a} {b}", 0) + 50
        records_and_phrases = {"unigrams": unigrams, "bigrams": bigrams}
        decoding = question_words.added_to(records_and_phrases) if question_words else records_and_phrases
        self.restorer = DiacriticRestorer(decoding, common_pairs=bigrams)

    def vietnamese(self, text: str) -> str:
        """The text itself, or the Vietnamese terms it names when it is English ('' when it names none)."""
        return english_to_vietnamese(text, self.restorer.known_pair) if is_english(text) else text

    def analyze(self, question: str) -> Query:
        english = is_english(question)
        normalized = normalize_question(english_to_vietnamese(question, self.restorer.known_pair) if english else question)
        if not english:
            normalized = without_negated_channels(expand_shorthand(normalized, accented=not self.restorer.needs_restoring(normalized)))
        folded = fold_diacritics(normalized)
        restored = self.restorer.restore(normalized) if self.restorer.needs_restoring(normalized) else normalized
        expansions = [ABBREVIATIONS[m.group(1)] for m in _ABBREVIATION_RE.finditer(folded)]
        if re.search(r"\bAI\b", question):  # upper-case only: lower-case 'ai' means 'who'
            expansions.append("ứng dụng AI trí tuệ nhân tạo")
        return Query(
            original=question,
            normalized=normalized,
            restored=restored,
            folded=folded,
            intents=detect_intents(folded),
            expansions=expansions,
            ask=detect_ask(folded, restored),
            english=english,
            own_place_names=self.own_place_names,
        )
