"""Redaction of citizens' personal data before anything is stored or logged.

Citizens type names, dates of birth, hamlets and all kinds of numbers into the chat, with or
without diacritics. :func:`redact` replaces them with Vietnamese placeholders while keeping
what makes a question useful: procedure names and codes, fees, law numbers, deadlines and the
names of agencies and administrative units.

How it works, in order:

1. Facts that look like personal data but are not (law numbers, fees, procedure codes, dates
   tied to a law or a deadline) are swapped for opaque sentinels so no later rule can touch them.
2. Rules remove e-mails and numbers (bank accounts, passports, BHXH, plates, phones, IDs),
   dates of birth and local addresses, each anchored on the words citizens use around them.
3. Names of places and agencies ("phường Nam Gia Nghĩa", "Lâm Đồng") are protected, then names
   of people are found by rules (cue phrases such as "tôi là", "tên", "chị"; surname-led
   capitalised runs; lower-case names typed without diacritics) and by underthesea's CRF named
   entity tagger, which ships inside the wheel and runs offline. The tagger is loaded lazily once
   per process and only called when a capitalised word is left that the rules did not explain.
4. Sentinels are restored.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from functools import lru_cache

EMAIL = "[email]"
PHONE = "[số điện thoại]"
ID_NUMBER = "[số giấy tờ]"
ACCOUNT = "[số tài khoản]"
PLATE = "[biển số xe]"
PASSPORT = "[số hộ chiếu]"
SOCIAL_INSURANCE = "[số BHXH]"
BIRTH_DATE = "[ngày sinh]"
PERSONAL_DATE = "[ngày]"
ADDRESS = "[địa chỉ]"
NAME = "[họ tên]"

# --- character classes ------------------------------------------------------------------------
# Python's re has no \p{Lu}; build the upper-case class once from the Latin blocks Vietnamese uses.
_UPPER_CHARS = "".join(c for c in map(chr, range(0x41, 0x1F00)) if c.isupper() and c.isalpha())
_UP = "[" + re.escape(_UPPER_CHARS) + "]"
_WORD = r"[^\W\d_]+"
_CAP = rf"{_UP}[^\W\d_]*"
_CAP_RUN = rf"{_CAP}(?:[ \t]+{_CAP}){{0,4}}"
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")
_SENTINEL = re.compile("\ue000([\ue100-\uf8ff])\ue001")

# --- dates ------------------------------------------------------------------------------------
_FULL_DATE = r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*(?:19|20)?\d{2}(?!\d)"
_WORD_DATE = r"(?:ngày\s+|ngay\s+)?\d{1,2}\s+(?:tháng|thang)\s+\d{1,2}(?:\s*(?:,\s*)?(?:năm|nam)\s+\d{4})?"
_ANY_DATE = (
    rf"(?:{_FULL_DATE}|{_WORD_DATE}|(?:tháng|thang)\s+\d{{1,2}}\s*(?:/|năm|nam)\s*\d{{4}}"
    r"|\d{1,2}\s*/\s*(?:19|20)\d{2}(?!\d)|\d{1,2}\s*[/.-]\s*\d{1,2}(?![\d/.-])|(?:19|20)\d{2}(?!\d))"
)

# --- things that must survive -----------------------------------------------------------------
_PROTECTED = re.compile(
    "|".join(
        [
            # law and decision numbers: 13/2023/NĐ-CP, 60/2014/QH13, 1234/QĐ-UBND, and their dates
            rf"\d{{1,5}}/(?:\d{{4}}/)?(?:[A-ZĐ][A-ZĐ0-9]*)(?:-[A-ZĐ0-9]+)*(?:\s+(?:ngày|ngay)\s+{_FULL_DATE})?",
            # links, whose ids look like plates and ID numbers
            r"(?i:https?://|www\.)\S+",
            # procedure codes: 1.001193, 2.000986.000.00.00.H38
            r"(?<![\d.])\d\.\d{6}(?:\.[\dA-Z]+)*(?![\d])",
            # fees and amounts: 8.000 đồng, 50.000đ, 100.000.000 VNĐ
            r"(?<![\d.])\d{1,3}(?:[.,]\d{3})+\s*(?:đồng|dong|đ|vnđ|vnd|VNĐ|VND)(?!\w)|(?<![\d.])\d+\s*(?:đồng|dong|VNĐ|VND|vnđ)(?!\w)",
        ]
    )
)
# Deadlines and effective dates: "trước ngày 31/12/2026", "hạn 15/01", "từ ngày 01/7/2025". Each date is
# checked for a cue just before it, cheaper than trying every cue word at every position of a long answer.
_DAY = re.compile(rf"{_FULL_DATE}|(?<![\d/])\d{{1,2}}\s*/\s*\d{{1,2}}(?![\d/])")
_DEADLINE_CUE = re.compile(
    r"(?i:(?<!\w)(?:trước|truoc|hạn|han|hạn chót|han chot|đến|den|tới|từ|tu|kể từ|ke tu|hết|het|hiệu lực|hieu luc|"
    r"ban hành|ban hanh|chậm nhất|cham nhat|muộn nhất|muon nhat|trễ nhất|tre nhat|ký|ky|hẹn|hen|nộp|nop|"
    r"trả kết quả|tra ket qua)\s*(?:ngày|ngay|là|la|:)?\s*)$"
)
# Account and insurance numbers have at least six digits; most texts have none, so their costlier rules are skipped.
_LONG_NUMBER = re.compile(r"\d(?:[ .-]?\d){5}")

# --- numbers ----------------------------------------------------------------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_BANKS = (
    r"vietcombank|vcb|vietinbank|vietin|agribank|bidv|techcombank|tcb|mb ?bank|mbbank|acb|sacombank|tpbank|vpbank|"
    r"shb|hdbank|ocb|msb|vib|seabank|eximbank|lienvietpostbank|lpbank|scb|abbank|bac a bank|kienlongbank|"
    r"namabank|pvcombank|dongabank|oceanbank|ngân hàng|ngan hang"
)
_ACCOUNT = re.compile(
    rf"(?i:(?:stk|số tài khoản|so tai khoan|số tk|so tk|tài khoản|tai khoan|tk|account|{_BANKS})\b)"
    r"((?:(?!cccd|cmnd|căn cước|can cuoc|sđt|sdt|điện thoại|dien thoai|bhxh)[^\d\n]){0,30}?)"
    r"(?<!\d)(\d(?:[ .-]?\d){5,18})(?!\d)",
)
_SOCIAL_INSURANCE = re.compile(
    r"(?i:(?:bhxh|bhyt|bảo hiểm|bao hiem|mã số|ma so|mã bảo hiểm|ma bao hiem)\b)"
    r"((?:(?!cccd|cmnd|căn cước|can cuoc|sđt|sdt|điện thoại|dien thoai)[^\d\n]){0,30}?)"
    r"(?<!\d)(\d(?:[ .]?\d){9})(?!\d)"
)
_HEALTH_CARD = re.compile(r"(?<![\w])[A-Za-z]{2}\d{13}(?!\w)")
_PASSPORT = re.compile(r"(?<![\w.])[A-Za-z]\d{7}(?![\w])")
_PLATE = re.compile(
    r"(?<![\w./])\d{2}(?:[A-Za-z]{1,2}\d?|\s*-\s*[A-Za-z]{1,2}\d?|\s[A-Za-z]{1,2}\d)"
    r"\s*[-.]?\s*(?:\d{3}\.\d{2}|\d{4,5})(?![\w])"
)
_PHONE = re.compile(r"(?<![\d])(?:\+84|0084|0)(?:[ .-]?\d){8,10}(?!\d)")
# CCCD (12 digits) and CMND (9 digits), possibly grouped with spaces or dots; CCCD goes before phones,
# which would otherwise take the first ten digits of "066 090 001 234", and CMND after them.
_CCCD = re.compile(r"(?<!\d)(?:\d[ .]?){11}\d(?!\d)")
_CMND = re.compile(r"(?<!\d)(?:\d[ .]?){8}\d(?!\d)")

# --- dates of birth and other dates of a person's life --------------------------------------------
_BIRTH_DATE = re.compile(
    r"(?i:((?<!\w)(?:ngày\s+tháng\s+năm\s+sinh|ngay\s+thang\s+nam\s+sinh|ngày\s+sinh|ngay\s+sinh|năm\s+sinh|nam\s+sinh|"
    r"sinh\s+(?:(?:con|cháu|chau|bé|be)\s+)?(?:vào\s+|vao\s+)?(?:ngày|ngay|năm|nam|hôm|hom|tháng|thang)|sinh|sn|ns|dob)"
    r"\s*(?:là|la|:)?\s*(?:(?:vào|vao)\s+)?(?:ngày|ngay|năm|nam)?\s*))"
    rf"({_ANY_DATE})(?!\s*(?:trở|tro|về trước|ve truoc)\b)"
)
_LIFE_EVENT_DATE = re.compile(
    r"(?i:((?<!\w)(?:mất|mat|chết|chet|qua đời|qua doi|từ trần|tu tran|kết hôn|ket hon|cưới|cuoi|cấp|cap)"
    r"\s*(?:vào\s+|vao\s+)?(?:ngày|ngay)?\s*))"
    rf"({_FULL_DATE}|{_WORD_DATE})"
)
_DATE_AFTER_NAME = re.compile(rf"({re.escape(NAME)}\s*(?:,|\(|-)?\s*)({_FULL_DATE})")

# --- addresses --------------------------------------------------------------------------------
_LOWER_STREET = (
    r"(?!(?:muốn|muon|cần|can|để|de|thì|thi|phường|phuong|xã|xa|và|va|làm|lam|đăng|dang|xin|hỏi|hoi|"
    r"nhé|nhe|thuộc|thuoc|có|co|đã|da|ạ)\b)[^\W\d_]+"
)
_STREET_NAME = rf"(?:{_CAP_RUN}|\d+[A-Za-z]?|{_LOWER_STREET}(?:[ \t]+{_LOWER_STREET}){{0,2}})"
_STREET_ADDRESS = re.compile(
    r"(?i:(?<!\w)(?:(?:số\s*nhà|so\s*nha|nhà\s*số|nha\s*so|số|so)\s*)?)\d{1,4}[a-zA-Z]?(?:/\d{1,4})*\s*,?\s*"
    rf"(?i:(?:đường|duong|phố|pho|ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|kiet)\s+){_STREET_NAME}"
)
_HOUSE_NUMBER = re.compile(r"(?i:(?<!\w)(?:số\s+nhà|so\s+nha|nhà\s+số|nha\s+so)\s*:?\s*)\d{1,4}[a-zA-Z]?(?:/\d{1,4})*")
_LOCAL_UNIT = re.compile(
    r"(?i:(?<!\w)(?:tổ\s+dân\s+phố|to\s+dan\s+pho|tdp|tổ|to|khu\s+phố|khu\s+pho|kp|khối|khoi|ấp|ap|thôn|thon|xóm|xom|"
    r"buôn|buon|bon|bản)[ \t]+(?:số[ \t]+|so[ \t]+)?)\d{1,3}[A-Za-z]?(?!\w)"
)
_NAMED_LOCAL_UNIT = re.compile(
    r"(?i:(?<![\w/])(?<!văn )(?<!van )(?<!phiên )(?:tổ\s+dân\s+phố|khu\s+phố|ấp|thôn|thon|xóm|xom|buôn|buon|bon|bản|làng)[ \t]+)"
    rf"{_CAP}(?:[ \t]+{_CAP}){{0,2}}"
)


def _phrases(*texts: str) -> list[str]:
    """Comma-separated phrases, written as text so long word lists stay readable."""
    return [p.strip() for p in ", ".join(texts).split(",") if p.strip()]


# --- places and agencies, which are not personal ------------------------------------------------
_PLACES = _phrases(
    "Lâm Đồng, Đắk Nông, Đắk Lắk, Gia Nghĩa, Nam Gia Nghĩa, Bắc Gia Nghĩa, Đông Gia Nghĩa, Đà Lạt, Bảo Lộc, Hà Nội, "
    "Hồ Chí Minh, Hải Phòng, Đà Nẵng, Cần Thơ, Huế, Hà Giang, Hà Tĩnh, Hà Nam, Hòa Bình, Cao Bằng, Lạng Sơn, Lào Cai, "
    "Thái Nguyên, Thái Bình, Ninh Bình, Ninh Thuận, Bình Thuận, Bình Dương, Bình Phước, Bình Định, Quảng Ninh, Quảng Nam, "
    "Quảng Ngãi, Quảng Bình, Quảng Trị, Nghệ An, Thanh Hóa, Gia Lai, Kon Tum, Khánh Hòa, Phú Yên, Đồng Nai, Đồng Tháp, "
    "Bà Rịa, Vũng Tàu, Long An, Tiền Giang, Bến Tre, Vĩnh Long, Trà Vinh, Sóc Trăng, Bạc Liêu, Cà Mau, Kiên Giang, An Giang, "
    "Hậu Giang, Tây Ninh, Tuyên Quang, Yên Bái, Phú Thọ, Vĩnh Phúc, Bắc Ninh, Bắc Giang, Bắc Kạn, Hưng Yên, Hải Dương, "
    "Nam Định, Sơn La, Điện Biên, Lai Châu, Tây Nguyên, Việt Nam, Đắk Mil, Đắk Song, Đắk R'Lấp, Tuy Đức, Krông Nô, Cư Jút, "
    "Nghĩa Đức, Nghĩa Trung, Nghĩa Tân, Nghĩa Thành, Quảng Thành, Đắk Nia, Đắk R'Moan, Quảng Tín, Quảng Khê, "
    "Thái Lan, Đồng Xoài, Đồng Hới, Lý Sơn, Cao Lãnh, Hồ Tây, Mai Châu"
)
_PLACE_NAMES = re.compile(r"(?<!\w)(?:" + "|".join(sorted({re.escape(p) for p in _PLACES}, key=len, reverse=True)) + r")(?!\w)")
_PLACE_AFTER_WORD = re.compile(
    r"(?i:(?<!\w)(?:phường|phuong|xã|thị trấn|thi tran|thị xã|thi xa|quận|quan|huyện|huyen|tỉnh|tinh|thành phố|thanh pho|"
    r"tp\.?|đường|duong|phố|hẻm|ngõ|trường|truong|bệnh viện|benh vien|chợ|cầu|sông|đại học|thpt|thcs|tiểu học|"
    r"mầm non|công ty|cong ty|doanh nghiệp|khu công nghiệp)\s+)"
    rf"(?-i:{_CAP_RUN})"
)

# --- names of people --------------------------------------------------------------------------
_SURNAMES = (
    "nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh đoàn trương lâm mai trịnh đào cao "
    "lưu hà tạ tô châu lương phùng triệu quách thái vương kiều hứa chu lã đàm tăng từ khúc nông lò hầu tống mạc "
    "âu doãn thân nghiêm diệp tiêu la ninh lục bạch cù tôn lại đồng giáp kha thạch y ksor nay rơ"
)
_MIDDLES = (
    "văn thị hữu đức đình công thế bá gia khắc trọng viết phước ngọc thanh minh xuân kim quốc hoàng quang "
    "thu bảo anh hải hồng thuý thúy mạnh tiến duy như trung tuấn"
)
_GIVEN = (
    "an anh ánh bảo bắc bích bình cát cảnh chi chiến chinh chính châu cúc cường diễm diệp diệu dung dũng duy duyên "
    "dương đại đan đào đạt điệp định đông đức gấm giang hà hải hạnh hào hảo hằng hân hậu hiền hiển hiếu hiệp hòa hoà "
    "hoài hoan hoàn hoàng hồng hợp huệ hùng hưng hương hường huy huyền khang khánh khải khoa khôi kiên kiệt kim kỳ "
    "lam lan linh loan lộc lợi long luân lực ly lý mai mạnh minh my mỹ nam nga ngân nghĩa ngọc nguyên nhàn nhân nhi "
    "nhung như oanh phát phong phú phúc phụng phương phượng quân quang quốc quý quyên quỳnh sang sơn sương tài tâm "
    "tân thanh thành thảo thắng thi thịnh thơ thu thuận thủy thuỷ thúy thuý thùy thuỳ thư thương tiến tín toàn trang "
    "trâm trí trinh trung trúc tú tuấn tùng tuyết tường uyên vân việt vinh vĩnh vũ vy xuân yến lệ tiên thoa tuyền hạ "
    "thái na nhật hoa cầm chung cương lành lập luyến mến mơ mùi nở sen thêm út xinh yên bằng biên châm đoan ngà "
    "nguyệt nhiên phi sỹ sĩ thạch thiện thông thuần tịnh trà trường tuệ vỹ đăng duyệt hậu khuê lưu nhàn thiên tiệp "
    "thắm trân hiên hòa khương bih niê h'luôn kpă"
)


@lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    """Lower-case and strip diacritics: how a citizen types a word without Vietnamese input."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c))
    return stripped.replace("đ", "d")


def _lexicon(*texts: str) -> tuple[frozenset[str], frozenset[str]]:
    """Words as written, and folded for text typed without diacritics."""
    words = " ".join(texts).split()
    return frozenset(words), frozenset(_fold(w) for w in words)


_SURNAME_LEX = _lexicon(_SURNAMES)
# Without a cue, a lower-case name needs a surname that is not also a common word once diacritics are
# gone ("lai", "ho", "do", "dang" are lại, hộ, đô, đang) and a middle name that marks a name.
_PLAIN_SURNAME_LEX = _lexicon(
    "nguyễn trần lê phạm hoàng huỳnh phan vũ võ bùi ngô dương đinh đoàn trương trịnh lương phùng triệu quách vương kiều nghiêm"
)
_MARKER_LEX = _lexicon("văn thị hữu đức đình ngọc")
_GIVEN_LEX = _lexicon(_GIVEN, _MIDDLES, _SURNAMES)

# Two-word terms that look like names when capitalised ("Hồ Sơ", "Lý Lịch", "Công an"), joined by "_".
_STOP_PAIRS = _lexicon(
    *(
        p.replace(" ", "_")
        for p in _phrases(
            "hồ sơ, lý lịch, đăng ký, công an, ủy ban, uỷ ban, nhân dân, hộ tịch, hộ khẩu, hộ chiếu, khai sinh, khai tử, kết hôn, "
            "căn cước, tạm trú, thường trú, lệ phí, bảo hiểm, xã hội, y tế, tư pháp, hành chính, chứng thực, chứng minh, "
            "doanh nghiệp, dịch vụ, trung tâm, công dân, cơ quan, mai táng, trợ cấp, thị trấn, thị xã, gia đình, giải quyết, "
            "xác nhận, quốc tịch, quốc gia, an sinh, an toàn, thanh toán, thanh niên, thủ tục, giấy tờ, thu phí, văn phòng, văn bản, "
            "hộ nghèo, phục vụ, công chứng, công an, quốc phòng, hòa giải, thông tin, dân tộc, gia hạn, thời hạn, lâm nghiệp, "
            "nông nghiệp, đất đai, tài nguyên, môi trường, giao thông, trật tự, an ninh, kinh doanh, hải quan, đồng bào, đông y, "
            "ban hành, phó chủ, chủ tịch, hoàng sa, trường sa, mai sau, ngày mai, sáng mai, tô giới, tôn giáo, vũ trang, võ trang, "
            "phan thiết, thanh hóa, lý do, lê phí, lê phi, phí lê, thư viện, thư điện, vĩnh viễn, vĩnh cửu, chu kỳ, hà khắc, "
            "cao nhất, cao đẳng, cao tuổi, giang mai, đào tạo, lương hưu, mai mốt, từ ngày, từ khi, tạ ơn, lại giấy, lại thẻ, đồng ý, "
            "đồng thời, đồng hồ, lâm thời, hà nội, thái độ, bạch kim, hầu hết, tống đạt, ninh bình, thân nhân, thành phố, cơ sở, "
            "dân cư, chính phủ, chính quyền, quân đội, quân sự, bảo trợ, bảo vệ, công nghệ, công thương, công báo, việt nam, "
            "trung ương, công khai, công việc, công tác, công nhận, dân số, quân nhân, thành viên, thành lập, thành phần, văn hóa, "
            "văn hoá, thông tư, thông báo, công trình, công chức, hạ tầng, chi nhánh, hợp đồng, khoa học, hiệp định, tín ngưỡng, "
            "sĩ quan, quốc hội, biên bản, giáo dục, hòa bình, thanh tra, bảo tàng, tài chính, tài sản, kế hoạch, phòng ban"
        )
    )
)
# Capitalised words of titles and agency names that are never a person's name.
_STOP_WORDS = _lexicon(
    "ủy uỷ ban sở bộ phòng cục luật nghị quyết giấy thẻ phiếu sổ ký cấp hộ tịch khẩu căn cước chứng xác tờ đơn mẫu "
    "số ngày tháng phường xã tỉnh huyện quận phố thôn tổ ấp xóm đường hẻm ngõ trường bệnh viện tòa án thủ tục phí "
    "điều khoản chương mục vneid cccd cmnd ubnd hđnd bhxh bhyt qđ nđ tt cp đăng khai tạm thường kết hôn ly nhận "
    "cho của và hoặc tại theo về với trong được không có là thì nào gì sao đâu xin hỏi cần muốn làm nộp tôi em mình người "
    "chúng anh chị ông bà cháu bé con vợ chồng mẹ bố cha cô chú bác cụ dì thím mợ dượng"
)
_HONORIFICS = _lexicon("ông bà anh chị cháu bé em cô chú bác cụ dì thím mợ dượng")
# Cue phrases (folded): a name follows. Strong cues accept any plausible name, weak ones a full name.
_CUES = {tuple(cue.split()): "weak" for cue in _phrases("toi la, em la, e la, minh la, chau la, con toi la, toi")} | {
    tuple(cue.split()): "strong"
    for cue in _phrases(
        "ten, ten la, ho ten, ho va ten, ten goi, ten goi la, ten toi, ten toi la, ten em, ten em la, ten minh la, "
        "ten con la, ten chau la, ten be la, ten cua toi la"
    )
}
_CUE_LENGTHS = sorted({len(cue) for cue in _CUES}, reverse=True)
_TOKEN = re.compile(rf"{_WORD}(?:'{_WORD})?")


def _is_stop(word: str) -> bool:
    """Title and function words; typed without diacritics, a word that may be a name ("thi" for Thị) is not one."""
    return _in(_STOP_WORDS, word) and not (word.lower() == _fold(word) and _in(_GIVEN_LEX, word))


def _is_capitalised(word: str) -> bool:
    return word[0].isupper()


def _in(lexicon: tuple[frozenset[str], frozenset[str]], word: str) -> bool:
    """Accented words must match exactly ("chủ" is not "Chu"); words typed without diacritics match folded."""
    lower = word.lower()
    if lower == _fold(word):
        return lower in lexicon[1]
    return lower in lexicon[0] or unicodedata.normalize("NFC", lower) in lexicon[0]


class _Tokens:
    """Words of a text with offsets, and whether each is joined to the previous one by spaces only."""

    def __init__(self, text: str) -> None:
        self.spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        self.words = [text[s:e] for s, e in self.spans]
        self.folded = [_fold(w) for w in self.words]
        self.gaps = [""] + [text[self.spans[i - 1][1] : self.spans[i][0]] for i in range(1, len(self.spans))]
        self.joined = [False] + [gap.strip(" \t") == "" for gap in self.gaps[1:]]

    def __len__(self) -> int:
        return len(self.words)

    def pair_is_term(self, i: int) -> bool:
        """Whether words i and i+1 form a term such as "hồ sơ"; with diacritics, "Văn Hòa" is not "văn hóa"."""
        return _in(_STOP_PAIRS, f"{self.words[i]}_{self.words[i + 1]}")

    def stops_at(self, i: int, first: bool = True) -> bool:
        """True where a name cannot continue: a stop word, or the first word of a stop pair.

        Inside a run, a pair counts only when both words share their case: "Văn An sinh" is a name
        followed by a verb, not the term "an sinh".
        """
        if _is_stop(self.words[i]):
            return True
        if i + 1 >= len(self) or not self.joined[i + 1] or not self.pair_is_term(i):
            return False
        return first or _is_capitalised(self.words[i]) == _is_capitalised(self.words[i + 1])

    def _label_ends_before(self, i: int) -> bool:
        """Whether the words on the same line just before word i's colon include "tên"."""
        j = i - 1
        while j >= max(0, i - 4):
            if self.folded[j] == "ten":
                return True
            if not self.joined[j]:
                return False
            j -= 1
        return False

    def cue_before(self, i: int) -> str | None:
        """'strong', 'weak' or 'honorific' when a cue phrase ends right before word i."""
        for n in _CUE_LENGTHS:  # the longest cue wins: "tên tôi là" over "tôi là"
            kind = _CUES.get(tuple(self.folded[i - n : i])) if i >= n else None
            if kind and all(self.joined[i - n + 1 : i + 1]):
                return kind
        if i >= 1 and self.gaps[i].strip(" \t") == ":" and self._label_ends_before(i):
            return "strong"  # a labelled field: "họ tên người khai: …"
        honorific = self.words[i - 1] if i >= 1 and self.joined[i] else ""
        if _in(_HONORIFICS, honorific) and not honorific.isupper():  # "CHI TIẾT" in a title is no "chị"
            return "honorific"
        return None


def _name_run(tokens: _Tokens, i: int, accept: Callable[[int, int], bool]) -> int:
    """Index after the longest run (≤ 4 words) from word i that `accept(index, position)` allows."""
    j = i
    while j < len(tokens) and j - i < 4 and (j == i or tokens.joined[j]) and not tokens.stops_at(j, j == i) and accept(j, j - i):
        j += 1
    return j


def _rule_names(text: str) -> list[tuple[int, int]]:
    """Spans of people's names found by cue phrases, surname-led capitalised runs and lower-case full names."""
    tokens = _Tokens(text)
    words = tokens.words
    found: list[tuple[int, int]] = []

    def lexical(j: int, pos: int) -> bool:
        return _is_capitalised(words[j]) or _in(_GIVEN_LEX, words[j])

    def capitalised(j: int, pos: int) -> bool:
        return _is_capitalised(words[j])

    def lower_after_cue(j: int, pos: int) -> bool:
        return not _is_capitalised(words[j]) and (_in(_PLAIN_SURNAME_LEX, words[j]) if pos == 0 else _in(_GIVEN_LEX, words[j]))

    def lower_full(j: int, pos: int) -> bool:
        if _is_capitalised(words[j]):
            return False
        return _in((_PLAIN_SURNAME_LEX, _MARKER_LEX, _GIVEN_LEX)[min(pos, 2)], words[j])

    i = 0
    while i < len(tokens):
        cue = tokens.cue_before(i)
        if cue and tokens.folded[i] == "la":  # "tên là …": the name starts after "là"
            i += 1
            continue
        end = i
        if cue == "strong":
            end = _name_run(tokens, i, lexical)
        elif cue and _is_capitalised(words[i]):
            end = _name_run(tokens, i, capitalised)
        elif cue == "weak":
            run = _name_run(tokens, i, lower_after_cue)
            end = run if run - i >= 2 else i
        if end == i and _is_capitalised(words[i]) and _in(_SURNAME_LEX, words[i]):
            run = _name_run(tokens, i, capitalised)
            end = run if run - i >= 2 else i
        if end == i:
            run = _name_run(tokens, i, lower_full)
            end = run if run - i >= 3 else i
        if end > i:
            found.append((tokens.spans[i][0], tokens.spans[end - 1][1]))
            i = end
        else:
            i += 1
    return found


# --- the NER model, loaded lazily once per process ---------------------------------------------
_ner_lock = threading.Lock()
_ner: Callable[[str], list[tuple[str, str, str, str]]] | None = None


def _tagger() -> Callable[[str], list[tuple[str, str, str, str]]]:
    """underthesea's CRF tagger; its model files ship in the wheel, so loading never reaches the network."""
    global _ner
    if _ner is None:
        from underthesea import ner

        _ner = ner
    return _ner


def _ner_names(text: str) -> list[tuple[int, int]]:
    """Spans the CRF tagger marks as persons, kept only when they look like a name and not like an agency."""
    with _ner_lock:  # underthesea's singletons and CRF taggers are not documented as thread-safe
        tagged = _tagger()(text)
    found: list[tuple[int, int]] = []
    cursor = 0
    inside = False
    for word, _pos, _chunk, tag in tagged:
        start = text.find(word, cursor)  # the tagger returns words, not offsets
        if start < 0:
            inside = False
            continue
        cursor = start + len(word)
        if tag == "I-PER" and inside:
            found[-1] = (found[-1][0], cursor)
        elif tag == "B-PER":
            found.append((start, cursor))
        inside = tag.endswith("-PER")
    return [s for s in found if _plausible_name(text[s[0] : s[1]], _segment_start(text, s[0]))]


def _segment_start(text: str, start: int) -> bool:
    """Whether a word opens a sentence, a line or a cell, where capitals say nothing ("Hằng năm")."""
    before = text[:start].rstrip(" ")
    return not before or before[-1] in ".!?:;\n\t-–•"


def _plausible_name(span: str, at_segment_start: bool) -> bool:
    """Capitalised words, none of them a title word; a single word must be a known given name mid-sentence."""
    tokens = _Tokens(span)
    if not len(tokens) or not all(_is_capitalised(w) for w in tokens.words):
        return False
    if any(tokens.stops_at(i) for i in range(len(tokens))):
        return False
    return len(tokens) >= 2 or (not at_segment_start and _in(_GIVEN_LEX, tokens.words[0]))


# A syllable spelled the Vietnamese way; names of the Ê Đê, M'Nông, Gia Rai… ("Ksor", "Bih", "H'Lan") are not.
_VIETNAMESE_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")


def _needs_ner(text: str) -> bool:
    """Whether a capitalised word the rules left could be a name: a name syllable or a non-Vietnamese one, mid-sentence.

    The tagger costs milliseconds per sentence; most capitalised words in answers are agency and
    document words ("Cổng Dịch vụ công", "Trung tâm"), which this keeps away from it.
    """
    tokens = _Tokens(text)
    for i, word in enumerate(tokens.words):
        if len(word) < 2 or not _is_capitalised(word) or word.isupper() or _segment_start(text, tokens.spans[i][0]):
            continue
        if tokens.stops_at(i) or i > 0 and tokens.joined[i] and tokens.pair_is_term(i - 1):
            continue
        if _in(_GIVEN_LEX, word) or not _VIETNAMESE_SYLLABLE.fullmatch(tokens.folded[i]):
            return True
    return False


# --- the pipeline -----------------------------------------------------------------------------
class _Vault:
    """Swaps text that must survive for sentinels without digits or letters, and puts it back."""

    def __init__(self) -> None:
        self.kept: list[str] = []

    def hide(self, match: re.Match[str]) -> str:
        self.kept.append(match.group(0))
        return f"\ue000{chr(0xE100 + len(self.kept) - 1)}\ue001"

    def restore(self, text: str) -> str:
        return _SENTINEL.sub(lambda m: self.kept[ord(m.group(1)) - 0xE100], text)


def _keep_cue(placeholder: str) -> Callable[[re.Match[str]], str]:
    return lambda m: m.group(1) + placeholder


def _replace_spans(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    """Replace sorted, disjoint spans, from the end so earlier offsets stay valid."""
    for start, end in reversed(spans):
        text = text[:start] + placeholder + text[end:]
    return text


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redact(text: str) -> str:
    """Replace citizens' personal data with Vietnamese placeholders, keeping procedure facts intact."""
    vault = _Vault()
    text = text.replace("\ue000", "").replace("\ue001", "")  # a citizen's text cannot forge a sentinel
    text = _PROTECTED.sub(vault.hide, text)
    text = _DAY.sub(lambda m: vault.hide(m) if _DEADLINE_CUE.search(m.string, max(0, m.start() - 30), m.start()) else m.group(0), text)
    text = _EMAIL.sub(EMAIL, text)
    if _LONG_NUMBER.search(text):
        text = _ACCOUNT.sub(lambda m: m.group(0)[: m.start(2) - m.start(0)] + ACCOUNT, text)
        text = _SOCIAL_INSURANCE.sub(lambda m: m.group(0)[: m.start(2) - m.start(0)] + SOCIAL_INSURANCE, text)
    text = _HEALTH_CARD.sub(SOCIAL_INSURANCE, text)
    text = _PASSPORT.sub(PASSPORT, text)
    text = _PLATE.sub(PLATE, text)
    text = _CCCD.sub(ID_NUMBER, text)
    text = _PHONE.sub(PHONE, text)
    text = _CMND.sub(ID_NUMBER, text)
    text = _BIRTH_DATE.sub(_keep_cue(BIRTH_DATE), text)
    text = _LIFE_EVENT_DATE.sub(_keep_cue(PERSONAL_DATE), text)
    text = _STREET_ADDRESS.sub(ADDRESS, text)
    text = _HOUSE_NUMBER.sub(ADDRESS, text)
    text = _LOCAL_UNIT.sub(ADDRESS, text)
    text = _NAMED_LOCAL_UNIT.sub(ADDRESS, text)
    text = _PLACE_NAMES.sub(vault.hide, text)
    text = _PLACE_AFTER_WORD.sub(vault.hide, text)
    spans = _rule_names(text)
    # The tagger sees the rest: names found and protected places blanked out, offsets kept.
    masked = _SENTINEL.sub(lambda m: " " * len(m.group(0)), text)
    for start, end in spans:
        masked = masked[:start] + " " * (end - start) + masked[end:]
    for sentence in _SENTENCE.finditer(masked):  # tag only the sentences where a name may hide
        if _needs_ner(sentence.group(0)):
            spans += [(sentence.start() + start, sentence.start() + end) for start, end in _ner_names(sentence.group(0))]
    text = _replace_spans(text, _merge(spans), NAME)
    text = _DATE_AFTER_NAME.sub(_keep_cue(BIRTH_DATE), text)
    return vault.restore(text)
