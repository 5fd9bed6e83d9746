"""What the assistant refuses before retrieval: injection, requests for private data, off-topic subjects.

Questions never change the rules: an instruction inside a question is treated as
text, and a question that is mainly an instruction is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.query import STOPWORDS
from tthc.safety import INJECTION as _INJECTION
from tthc.text import fold_diacritics, syllables

# An off-topic word (du lịch, bác sĩ, chiến tranh…) refuses a question only when the question shares fewer
# than this many word pairs with the catalogue's procedure names (set on the training questions: every
# off-topic one shares at most two, by chance; questions about a procedure share three or more).
MIN_SHARED_NAME_PAIRS = 3
_FOLDED_STOPWORDS = frozenset(fold_diacritics(w) for w in STOPWORDS)

# A third party, named by a kinship or courtesy word. "em", "tôi", "mình" are how citizens speak of themselves
# ("số CCCD của em bị sai"), "cơ quan" and "cơ sở" are not "cô", and "của ai" asks whose, naming nobody.
_THIRD_PARTY = r"(ong|ba|anh|chi|co(?! quan| so)|chu|nguoi|chu tich|pho chu tich|can bo|cong chuc|ho|gia dinh|nha)"
# What follows "của anh / của bà…" when the citizen speaks of their own family ("của anh tôi", "của bà nội")
# or of nobody in particular ("của một người").
_OWN_OR_NOBODY = r"(toi|minh|em|con|chinh|ban than|mot|trai|gai|noi|ngoai|ruot|dau|re|ca|hai|ut)"
# "của ông bà nội", "của bố mẹ tôi": a pair of kinship words before the citizen's own word
_KIN = r"((ong|ba|bo|me|cha|anh|chi|em|co|chu|di|cau|mo) )?"
# A name does not start with a function word: "thông tin của bà có thay đổi" speaks of someone named before ("Mẹ tôi …")
_NOT_A_NAME = r"(co|da|la|duoc|bi|khong|thi|o|tai|trong|van|cung|se|dang|moi|vua|nay|do|nua|ay)"
# Matched on folded, lower-cased text.
_PRIVATE = re.compile(
    r"(so dien thoai|sdt|dia chi( nha)?|so (cccd|cmnd|can cuoc|chung minh)|ngay sinh|thong tin ca nhan|email|ho so ca nhan"
    r"|tai khoan ngan hang|benh an)"
    rf".{{0,25}}\b(cua|ve) {_THIRD_PARTY}\b(?! {_KIN}{_OWN_OR_NOBODY}\b)"
    r"|(tim|tra cuu|cho (toi|minh) biet|lay) .{0,20}(thong tin|ho so|dia chi|so dien thoai) (cua|ve) (nguoi khac|ong|ba|anh|chi|hang xom)"
    r"|danh sach (nguoi|cong dan|ho ngheo|cac ho|ho) .{0,40}(so dien thoai|dia chi|cccd|ho ten|ho va ten)"
    r"|\b(thong tin|ho khau|noi thuong tru|noi tam tru|dia chi) (ca nhan )?(cua|ve) "
    rf"(ba|ong|anh|chi|co(?! quan| so)|chu) (?!{_KIN}{_OWN_OR_NOBODY}\b)(?!{_NOT_A_NAME}\b)[a-z]+ [a-z]+"
    r"|\b(xem|tra|lay|biet) (thong tin|ho so|dia chi|tam tru|thuong tru) (cua|ve) (ho|hang xom|nguoi khac|nguoi ta)\b"
    r"|\b(cua|ve) (hang xom|nguoi ta)\b.{0,30}\b(thong tin|dia chi|so dien thoai|cho (toi|minh) xem)\b"
    rf"|\b(tien an|tien su|an tich|ly lich tu phap) (cua|ve) (?!{_OWN_OR_NOBODY}\b)\w+"
    r"|\bcua (ong|ba|anh|chi|con trai|con gai) .{0,30}\b(tien an|tien su)\b"
    r"|\b(ong|ba) (nguyen|tran|le|pham|hoang|huynh|phan|vu|vo|dang|bui|do|ho|ngo|duong|ly) [a-z]+( [a-z]+)?\b.{0,40}"
    r"\b(da dang ky|ten gi|o dau|so may|la ai|chua)\b"
)
_OFF_TOPIC = re.compile(
    r"\b(thoi tiet|du bao|bong da|world cup|ca si|phim|bai hat|nau (an|com|mon|canh|che|gi|sao|the nao)|cach nau|mon an"
    r"|cong thuc nau|cong thuc lam banh|chung khoan|co phieu|bitcoin"
    r"|tien ao|xo so|lo de|ca do|bai tap|giai toan|phuong trinh|lam van(?! ban)|dich sang|dich cau|viet bai tho|tho tinh|chuyen cuoi"
    r"|benh gi|chua benh|uong thuoc|thuoc gi|thuoc tri|trieu chung|dau dau|bi sot|sot cao|dieu tri|bac si"
    r"|tinh yeu|nguoi yeu|hen ho|du lich|khach san|ve may bay|gia vang|ty gia"
    r"|bau cu|dang phai|chinh tri|bieu tinh|tong thong|chien tranh|ton giao nao|game|lien quan mobile|minecraft|code python"
    r"|lap trinh|javascript|weather|football|recipe|homework|stock|tu vi|boi toan|xem boi|phong thuy"
    r"|tuoi (ty|suu|dan|mao|thin|ngo|mui|than|dau|tuat|hoi)"
    r"|dich (giup|ho|cau|doan|sang)|gia (ca phe|vang|xang|lua|gao|tieu|sau rieng|dat nen|nha dat)|co nen (ban|mua|dau tu))\b"
)
# Administrative vocabulary: a question with any of it is about a procedure even when it names a doctor,
# a game, a hotel or a religion (a doctor's licence, a gaming shop's permit), so the off-topic words
# refuse only questions without it. General words, not phrases of particular questions.
_IN_DOMAIN = re.compile(
    r"\b(thu tuc|ho so|giay|giay to|giay phep|xin phep|cap|cap phep|dang ky|dang kiem|khai bao|chung thuc|chung nhan|chung chi"
    r"|hanh nghe|kinh doanh|doanh nghiep|hop tac xa|co so|xac nhan|le phi|tam tru|thuong tru|cu tru|luu tru|khai sinh|khai tu"
    r"|ket hon|ly hon|nhan con nuoi|giam ho|quoc tich|can cuoc|cccd|cmnd|ho chieu|ho khau|dinh danh|vneid|bao hiem|bhyt|bhxh"
    r"|che do|tro cap|tro giup xa hoi|nguoi co cong|ho ngheo|ma so thue|so do|so hong|quyen su dung|xay dung|thanh lap"
    r"|khai thue|nop thue|quyet toan thue|hoan thue|thue (thu nhap|tncn|gtgt|tndn|mon bai|su dung dat|tai nguyen)"
    r"|cong chung|uy quyen|khieu nai|to cao|to giac|xu phat|vi pham hanh chinh|quy dinh|nghi dinh|thong tu"
    r"|mo (phong kham|nha thuoc|quan|cua hang|tiem|co so|cong ty|homestay|khach san|nha nghi|nha hang|dai ly|lop|trung tam)"
    r"|van ban|mau so|to khai|don (xin|de nghi)|hoa giai|dinh chi|phuc hoi|pccc|phong chay|chua chay"
    r"|kham (chua )?benh|trai tuyen|dung tuyen|chuyen tuyen"
    r"|ke hoach|cai cach|ubnd|uy ban|chinh quyen|co quan|phuong(?! trinh)|xa|mot cua|dich vu cong)\b"
)


def word_pairs(text: str) -> set[str]:
    """Adjacent folded syllables, neither a function word: 'bằng lái', 'liệt sĩ', 'hải quan'."""
    words = [fold_diacritics(w.casefold()) for w in syllables(text)]
    return {f"{a} {b}" for a, b in zip(words, words[1:]) if a not in _FOLDED_STOPWORDS and b not in _FOLDED_STOPWORDS}


class CatalogueWording:
    """The word pairs of the catalogue's procedure names: what the loaded catalogue itself talks about."""

    def __init__(self, names: list[str]) -> None:
        self._pairs = frozenset(pair for name in names for pair in word_pairs(name))

    def shared(self, question: str) -> int:
        return len(word_pairs(question) & self._pairs)


@dataclass(frozen=True)
class GuardVerdict:
    """Why a question is refused before retrieval, or None when it may go on."""

    reason: str | None

    @property
    def refused(self) -> bool:
        return self.reason is not None


def check_question(question: str, catalogue: CatalogueWording | None = None) -> GuardVerdict:
    """Classify a question: 'injection', 'private_data', 'off_topic' or allowed.

    With the catalogue's wording, a question that names what a procedure is about ("bằng lái quốc tế",
    "công nhận liệt sĩ") is not off topic even with an off-topic word in it; retrieval then decides.
    """
    folded = fold_diacritics(question.casefold())
    if _INJECTION.search(folded):
        return GuardVerdict("injection")
    if _PRIVATE.search(folded):
        return GuardVerdict("private_data")
    names_a_procedure = catalogue is not None and catalogue.shared(question) >= MIN_SHARED_NAME_PAIRS
    if _OFF_TOPIC.search(folded) and not _IN_DOMAIN.search(folded) and not names_a_procedure:
        return GuardVerdict("off_topic")
    return GuardVerdict(None)
