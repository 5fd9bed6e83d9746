"""Grounded answers composed from the retrieved procedure sections (no LLM).

Every figure in an answer is copied from a record; nothing is computed or invented.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from index_store.ids import UNIT_LOST_NOTE
from rag.notes import SECTION_WORDS, STATES, NotePicker, WordOverlapNotes, alone, around, record_sentences, sentence_body, word_set
from rag.query import CERTIFICATION_ASKED, TREATMENTS_ASKED, Ask
from tthc.schema import SECTION_TITLES, Chunk, Citation, Document, Procedure
from tthc.text import SENTENCE_BREAK, bm25_tokens, fold_diacritics, shorten, syllables, without_attachments, without_bullet

# "{ward}" is settings.ward_name
REFUSALS = {
    "off_topic": "Xin lỗi, tôi chỉ hỗ trợ tra cứu thủ tục hành chính và Kế hoạch cải cách hành chính của {ward}, "
    "nên không trả lời được câu hỏi này.",
    "injection": "Xin lỗi, tôi chỉ trả lời câu hỏi về thủ tục hành chính theo nguồn chính thức và không thể thay đổi "
    "cách làm việc, đóng vai hay tiết lộ cấu hình hệ thống.",
    "private_data": "Xin lỗi, tôi không cung cấp thông tin cá nhân của bất kỳ ai. Thông tin cá nhân chỉ được cung cấp "
    "cho chính người đó hoặc cơ quan có thẩm quyền theo đúng thủ tục.",
    "weak_evidence": "Xin lỗi, tôi chưa tìm thấy thủ tục hành chính nào khớp với câu hỏi trong dữ liệu hiện có.",
    "english_unknown": "Xin lỗi, tôi chưa hiểu câu hỏi tiếng Anh này. Bạn vui lòng hỏi bằng tiếng Việt, có dấu hay không dấu đều được.",
}
# intent -> the section it is answered from
INTENT_SECTIONS = {
    "documents": "documents",
    "time": "time_fees",
    "deadline": "overview",  # one's own deadline is said in the record's text, not in its time limit
    "validity": "overview",  # so is how long the paper issued stays valid
    "fees": "time_fees",
    "agency": "overview",
    "steps": "steps",
    "conditions": "conditions",
    "result": "result",
    "legal_basis": "legal_basis",
    "overview": "overview",
}
# The full procedure card; answers show only what was asked and point here for the rest.
CARD_PATH = "/api/procedures/{code}"
# Answers are read on phones: lists are capped and items cut at a word boundary.
MAX_DOCUMENTS = 8
MAX_NAMED_DOCUMENTS = 2  # an overview names a dossier this short instead of counting it
MAX_WHOLE_DOCUMENTS = 2  # documents the question names, given (nearly) whole
MAX_STEPS = 8
MAX_LIST_ITEMS = 5
MAX_ITEM = 100
MAX_ITEM_NOTE = 70
MAX_STEP = 160
MIN_CUT_ITEM = 30  # a cut list item whose start a note repeats, at least this long, is the item the note gives whole
MAX_STEP_ASKED = 360  # the step the question is about is given (nearly) whole
MAX_NOTE = 160
MAX_HAND_IN = 200  # a channel's sentence on where the dossier goes in
WAY_REPEATED = 40  # a note holding this start of the cut "Cách nộp" line repeats it
_HAND_IN_LABEL = "Cách nộp: "
MAX_PLACE = 100  # a place read from a step ("Ủy ban nhân dân cấp xã"); longer, it is no name of a place
MAX_VALUE = 120
MAX_NAME = 150
MAX_SOURCE_NAME = 60
MAX_FEE_NOTE = 120
MAX_FEE_NOTES = 2
MAX_FEE_DETAIL = 200  # "… Miễn lệ phí cho người thuộc hộ nghèo; người khuyết tật" is cut only after who is exempt
# An answer shorter than this gets the record's further sentences the note model would show first, up to this
# length. A filled answer stays under it, so the answers' median stays under the larger of it and the median of the
# answers too long to fill. On training/validation and training/notes, 650 gave answer accuracy 0.637 / 0.764 -> 0.643
# / 0.766 at the same medians (673 / 674); 600 gave 0.642 / 0.766. 650 -> 690 on training/validation, training/notes
# and training/questions: right answers 1,124 / 1,472 / 2,204 -> 1,125 / 1,476 / 2,206, medians 674 / 682 / 673 -> 688
# / 689 / 689. Fill notes given only whole, not cut to the room: 1,125 / 1,476 -> 1,118 / 1,471.
FILL_BUDGET = 690
OPTION_NOTE_LEAD = "   Theo thủ tục này: "  # a choice's own answer, under it in a clarifying question
# A clarifying question about how long or how much gives each choice its time limit or fee line, as an answer would
# lead with it. training/validation 1,101 -> 1,102 of 1,402, training/notes and training/questions the same; where
# and the result as well: no more.
CHOICE_SECTION_INTENTS = frozenset({"time", "fees"})
MAX_ASKED_DOCUMENT_WORDS = 6  # longer items asked about are clauses, not a document's name
NAMED_SHARE = 0.6  # a paper asked about is named by a document's row, or by a waiver, that holds this share of its words
# A time limit whose unit the portal lost ("1" in its table), as parsed or as curated.
_UNIT_LOST = re.compile(r"\s*(?:" + "|".join(map(re.escape, [UNIT_LOST_NOTE, "(đơn vị không ghi rõ trên Cổng)"])) + ")")
UNIT_LOST_PLAIN = " (Cổng không ghi rõ ngày hay giờ; hãy hỏi cán bộ tiếp nhận)"
_CHANNEL_SHORT = {"Trực tiếp": "trực tiếp", "Trực tuyến": "trực tuyến", "Dịch vụ bưu chính": "bưu chính"}
_STEP_MARK = re.compile(r"^\W*bước\s*\d+\s*[:.)-]?\s*", re.IGNORECASE)
_NOTE_LABEL = re.compile(r"^lưu ý\s*:\s*", re.IGNORECASE)  # the record's own label: the answer puts "Lưu ý: " first
_NO_ORIGINALS = re.compile(r"\b0+ bản chính\s*[,;]\s*|^0+ bản chính$")
_FREE = re.compile(r"^miễn", re.IGNORECASE)
_AMOUNT = re.compile(r"\d[\d.,]*\s*(?:đồng|vn[đd]\b|đ\b|triệu|nghìn|ngàn)", re.IGNORECASE)
# the same on folded text: a sentence cut to fit (rag.notes.around) looks for what it must keep there
_FOLDED_AMOUNT = re.compile(fold_diacritics(_AMOUNT.pattern), re.IGNORECASE)
_SUM = re.compile(r"(\d+(?:[.,]\d{3})*)\s*(triệu|nghìn|ngàn)?", re.IGNORECASE)
_SCALE = {"triệu": 1_000_000, "nghìn": 1_000, "ngàn": 1_000}
# A fee description that leaves the sum to another rule ("Mức lệ phí cụ thể do HĐND tỉnh quyết định", "Theo quy định
# của Luật phí và lệ phí", "Áp dụng mức thu theo … Thông tư 48/2022"): a table's "Miễn phí" beside it is a blank.
_SET_ELSEWHERE = re.compile(
    r"^(dong\W+)?(tu ngay [\d/]+ den (het )?ngay [\d/]+\W+)?(muc (le )?phi( cu the)?( \(neu co\))?\s+)?"
    r"(theo (quy dinh|quyet dinh)|do\b.{0,80}\b(quy dinh|quyet dinh)|ap dung|quy dinh tai|thong tu|nghi dinh|thuc hien (theo|nhu))"
)
# A waiver for some applicants ("Miễn lệ phí cho người thuộc hộ nghèo"): the others pay.
_EXEMPT_GROUP = re.compile(r"mien (le )?phi\b[^.;]{0,40}\b(cho|doi voi)\b")
_COUNTED_FROM = re.compile(r"\bke tu\b|\bkhong qua\b")
_FEE_LABEL = re.compile(r"^(mức thu )?(lệ )?phí\s*:\s*", re.IGNORECASE)
# What a description adds to the table's sum: who is exempt, per what, in which case, until when.
_FEE_DETAIL = re.compile(r"\bmien\b|\d\s*(dong|d|vnd|usd)?\s*/|\btruong hop\b|\bden (het )?ngay\b|\bkhong thu\b")
# Words that tell two names apart only with the words after them ("mà người dịch không phải là cộng tác viên").
_FUNCTION_WORDS = frozenset({"khong", "phai", "chua", "co", "la", "cua", "va", "hoac", "ma", "duoc", "bi", "da", "cho", "voi"})
MAX_DIFFERENCE_WORDS = 7
# words that never set one name apart: "Liên thông các thủ tục …" is "Liên thông thủ tục …"
NO_DIFFERENCE_WORDS = frozenset({"cac", "nhung"})
_NAME_WORD = re.compile(r"\w+")
# The head words of a document name: an item asked about without one is not a document.
_DOCUMENT_WORDS = re.compile(
    r"\b(giay|ban|van ban|hop dong|to khai|don|so|the|anh|ho chieu|can cuoc|chung minh|cccd|cmnd|quyet dinh|bien ban"
    r"|trich luc|phieu|chung tu|chung chi|xac nhan)\b"
)
# The form a document takes, not a document: "bản photo", "bản sao chứng thực", "sao y bản chính" (folded). Whether
# a copy will do is answered by the copies the portal lists for the document named with it ("photo căn cước").
_COPY_FORM = re.compile(r"\b(ban )?(photo|pho to|copy|chup|sao( y)?)( ban chinh)?( (co )?(chung thuc|cong chung))?\b")
_A_COPY = re.compile(r"\b[1-9]\d* bản sao\b")  # "1 bản sao" in a document's copies; "0 bản sao" is none
# Words that name no paper in particular (folded): "có phải mang bản chính theo không", "có phải nộp lại giấy cũ không"
# ask about the original or the old one of a paper the list names otherwise; no row named so is no reason for "Không"
_NO_PAPER_NAMED = frozenset({"ban", "chinh", "goc", "sao", "giay", "to", "cu", "theo", "kem", "di", "nay", "do", "khac", "cac"})


def refusal_text(reason: str, ward_name: str, contact_centre: str) -> str:
    """The refusal for the reason, then where to ask in person."""
    refusal = REFUSALS.get(reason, REFUSALS["weak_evidence"]).replace("{ward}", ward_name)
    return f"{refusal} Bạn có thể liên hệ {contact_centre} để được hướng dẫn trực tiếp."


def _first_sentence(text: str | None, limit: int = MAX_NOTE) -> str:
    return shorten(SENTENCE_BREAK.split(" ".join((text or "").split()), 1)[0], limit)


def plain_time(value: str) -> str:
    """A time limit a citizen can read: a lost unit is said in plain words, with what to do."""
    return _UNIT_LOST.sub(UNIT_LOST_PLAIN, value)


def _end(text: str) -> str:
    """Close a sentence built around a copied value without doubling its own full stop."""
    return text if text.endswith((".", "…")) else text + "."


def card_line(proc: Procedure) -> str:
    return "Xem đầy đủ: " + CARD_PATH.format(code=proc.code)


def _compact(proc: Procedure, attribute: str) -> str | None:
    """One value, or values per channel: '150.000 đồng (trực tuyến, bưu chính); 50.000 đồng (trực tiếp)'."""
    values: dict[str, list[str]] = {}
    for channel in proc.channels:
        value = shorten(getattr(channel, attribute), MAX_VALUE) or "không ghi"
        if attribute == "time_limit":
            value = plain_time(value)
        names = values.setdefault(value, [])
        if _CHANNEL_SHORT[channel.channel] not in names:
            names.append(_CHANNEL_SHORT[channel.channel])
    if not values or set(values) == {"không ghi"}:
        return None
    if len(values) == 1:
        return next(iter(values))
    named = [name for names in values.values() for name in names]
    if len(named) > len(set(named)):  # one channel with two values: the rows differ by case, not channel
        return "; ".join(values) + " (tùy trường hợp)"
    return "; ".join(f"{value} ({', '.join(names)})" for value, names in values.items())


# "nộp hồ sơ tại …", "gửi hồ sơ đăng ký đến …", "cán bộ tiếp nhận hồ sơ tại …" (not "gửi cho doanh nghiệp" nor "gửi
# thông báo về tình trạng hồ sơ tới …": that is the agency writing back)
_SUBMIT_SENTENCE = re.compile(
    r"\bnộp\b[^.;]{0,80}?\b(tại|cho|đến|tới)\b"
    r"|\bgửi\b(?!\s+thông báo)[^.;]{0,40}?\bhồ sơ\b[^.;]{0,60}?\b(tại|đến|tới)\b"
    r"|\btiếp nhận hồ sơ tại\b",
    re.IGNORECASE,
)
_ITS_DUTY = re.compile(r"\s+có trách nhiệm\b.*$")  # "… tại Trung tâm X có trách nhiệm kiểm tra …": the place only
# Where the place after "nộp hồ sơ tại" ends: "… tại Trung tâm X, nộp lệ phí …", "… cho UBND xã thì phải ký …",
# "… đến UBND cấp xã bằng hình thức trực tiếp …"
_PLACE_END = re.compile(
    r"[,;.:(]|\s(?:có trách nhiệm|nộp lệ phí|thì|để|bằng|cùng|kèm theo|trong thời hạn|theo quy định|thông qua|khi)\b",
    re.IGNORECASE,
)


def _place_named(after: str) -> str | None:
    """The place that opens ``after`` (what follows "nộp hồ sơ tại"), capitalised; None when none is short enough."""
    place = after[: end.start() if (end := _PLACE_END.search(after)) else len(after)].strip()
    return f"{place[0].upper()}{place[1:]}" if 0 < len(place) <= MAX_PLACE else None


def _where(proc: Procedure, place_only: bool = False) -> str:
    """The agency, or, when the record names none, the step that says where the file is handed in. ``place_only``
    (an overview's "Nơi nộp", where the step would crowd out what was asked) gives the place the step names instead:
    "Trung tâm Phục vụ hành chính công cấp xã (theo trình tự trên Cổng)"; the step itself when no short place can be
    read from it. Asked where, the answer keeps the whole step: "… cho Ủy ban nhân dân xã, phường, đặc khu nơi có
    đất chịu thuế" says more than its first place."""
    if proc.agency:
        return shorten(proc.agency, MAX_NOTE)
    for step in proc.steps:
        for sentence in SENTENCE_BREAK.split(step):
            match = _SUBMIT_SENTENCE.search(sentence)
            if match:
                place = _place_named(sentence[match.end() :]) if place_only else None
                if place:
                    return f"{place} (theo trình tự trên Cổng)"
                return "theo trình tự trên Cổng, " + shorten(_ITS_DUTY.sub("", sentence[match.start() :]), MAX_NOTE)
    return "Cổng Dịch vụ công không ghi"


def _time_described(proc: Procedure) -> str | None:
    """The sentence of a channel's note that states the one time limit and what it runs from: "Không quá 8 giờ làm
    việc, kể từ khi nhận đủ hồ sơ hợp lệ" says more than the table's "8 giờ"."""
    limits = {channel.time_limit for channel in proc.channels if channel.time_limit}
    number = re.match(r"0*(\d+)\s", next(iter(limits), "")) if len(limits) == 1 else None
    if number is None:
        return None
    stated = re.compile(rf"(?<![\d.,])0*{number.group(1)}\s*(ngày|giờ|tháng|năm)\b", re.IGNORECASE)
    for sentence in record_sentences(proc):
        if sentence.source != "channel":
            continue
        body = sentence_body(sentence.text)
        # a long sentence gives its clause: "Trong thời hạn 05 ngày làm việc kể từ ngày nhận được hồ sơ, cơ quan …"
        for clause in [body] if len(body) <= MAX_NOTE else [c for c in body.split(", ") if len(c) <= MAX_NOTE]:
            if stated.search(clause) and _COUNTED_FROM.search(fold_diacritics(clause.casefold())):
                return clause[0].upper() + clause[1:]
    return None


def _time_line(proc: Procedure) -> str:
    value = _compact(proc, "time_limit")
    if not value:
        return "Cổng Dịch vụ công không ghi thời hạn giải quyết cho thủ tục này."
    return _end(f"Thời hạn giải quyết: {_time_described(proc) or value}")


def _fee_descriptions(proc: Procedure) -> list[tuple[str, str]]:
    """Each channel's fee with the portal's description of it: the parenthesised text its fee table puts at the
    head of the channel's note ("Trường hợp … thu 10.000 đồng/lần đăng ký", "Miễn lệ phí cho người thuộc hộ nghèo")."""
    found: list[tuple[str, str]] = []
    for channel in proc.channels:
        note = " ".join((channel.note or "").split())
        if not channel.fee or not note.startswith("("):
            continue
        depth, end = 0, len(note)  # unbalanced: the description runs to the end of the note
        for position, char in enumerate(note):
            depth += (char == "(") - (char == ")")
            if depth == 0:
                end = position
                break
        description = note[1:end].strip(" ()-;.+*")
        if description:
            found.append((channel.fee, description))
    return found


def _sums(text: str) -> set[int]:
    """The sums a fee text names, in đồng: "20.000", "20,000" and "02 triệu" are read as the numbers they mean."""
    found = set()
    for match in _SUM.finditer(text):
        digits = re.sub(r"[.,]", "", match.group(1))
        found.add(int(digits) * _SCALE.get((match.group(2) or "").casefold(), 1))
    return found


def _fee_conflict(proc: Procedure) -> list[str]:
    """The fee descriptions that state a sum their channel's fee disagrees with: "Miễn phí" described as 135.000
    đồng/lần, "20 đồng" described as "20.000 đ/tờ khai", 4.000.000 đồng described as "áp dụng mức phí 2.000.000
    đồng … đến hết ngày 31/12/2026". A channel without a description disagrees with nothing."""
    disagreeing: list[str] = []
    for fee, description in _fee_descriptions(proc):
        if not _AMOUNT.search(description):
            if _FREE.match(fee) and _SET_ELSEWHERE.search(fold_diacritics(description.casefold())):
                disagreeing.append(description)  # "Miễn phí" in the table, "do HĐND tỉnh quyết định" described
            continue
        tabled = set() if _FREE.match(fee) else _sums(fee)
        if not tabled or not tabled <= _sums(description):
            disagreeing.append(description)
    return _each_once(disagreeing)[:MAX_FEE_NOTES]


def _fee_details(proc: Procedure) -> list[str]:
    """The fee descriptions that say more than the table's sum: "Miễn lệ phí cho người thuộc hộ nghèo",
    "8.000 đồng/Văn bản xác nhận về một việc", "Trường hợp nộp trực tiếp thu 10.000 đồng/lần đăng ký"."""
    found = [d for _, d in _fee_descriptions(proc) if _FEE_DETAIL.search(fold_diacritics(d.casefold()))]
    return _each_once(found)[:MAX_FEE_NOTES]


def _spaceless(description: str) -> str:
    """A fee description as compared: the portal repeats one per channel, spaced anew."""
    return "".join(description.split())


def _each_once(descriptions: list[str]) -> list[str]:
    """Each description once, though the portal repeats it per channel, spaced anew or behind a label ("Lệ phí :
    400.000 Đồng (Mức thu …" holds "Mức thu …"): the shorter stays (a longer one is often the portal's text run on)."""
    kept: dict[str, str] = {}  # keyed without spaces
    for description in descriptions:
        key = _spaceless(description)
        if any(other in key for other in kept):
            continue
        for longer in [other for other in kept if key in other]:
            del kept[longer]
        kept[key] = description
    return list(kept.values())


def _whole_sentences(text: str, room: int) -> str:
    """The sentences that fit the room, or the first one cut: a fee's later sentences are often a past date range."""
    sentences, kept = SENTENCE_BREAK.split(" ".join(text.split())), ""
    for sentence in sentences:
        if len(kept) + len(sentence) + 1 > room:
            return kept.rstrip(" ;,") + " …" if kept else shorten(text, room)
        kept = f"{kept} {sentence}".strip()
    return kept


def _fee_value(proc: Procedure) -> str | None:
    """The fee in a one-line summary: the table's value, and the description's sum when they disagree; no sum when
    the description leaves it to another rule."""
    value, conflict = _compact(proc, "fee"), _fee_conflict(proc)
    if not conflict:
        return value
    if not _AMOUNT.search(conflict[0]):  # "do HĐND tỉnh quyết định": the fee question's answer quotes it
        return "Cổng không ghi mức cụ thể"
    return f"{value} theo bảng phí; mô tả trên Cổng ghi: {around(conflict[0], set(), [_FOLDED_AMOUNT], MAX_VALUE)}"


def _fee_line(proc: Procedure) -> str:
    value, conflict = _compact(proc, "fee"), _fee_conflict(proc)
    if conflict:
        described = "; ".join(
            around(d, set(), [_FOLDED_AMOUNT], MAX_FEE_NOTE) if _AMOUNT.search(d) else _whole_sentences(d, MAX_FEE_DETAIL) for d in conflict
        )
        line = _end(f"Lệ phí: bảng phí trên Cổng ghi “{value}”, nhưng phần mô tả ghi: {described}")
        # what the other channels' descriptions say beside it ("5.000đ/giấy thông hành" where "4.000 đ" disagrees)
        shown = {_spaceless(d) for d in conflict}
        agreeing = [d for d in _fee_details(proc) if _spaceless(d) not in shown]
        if not agreeing:
            return line
        return line + " " + _end("Cổng ghi thêm: " + "; ".join(_whole_sentences(d, MAX_FEE_DETAIL) for d in agreeing))
    if not value:
        return "Cổng Dịch vụ công không ghi lệ phí cho thủ tục này."
    details = _fee_details(proc)
    if not details:
        return _end(f"Lệ phí: {value}")
    described = "; ".join(_whole_sentences(d, MAX_FEE_DETAIL) for d in details)
    tabled = {s for c in proc.channels if c.fee and not _FREE.match(c.fee) for s in _sums(c.fee)}
    says_free = all(_FREE.match(c.fee) for c in proc.channels if c.fee)
    if (tabled and tabled <= _sums(" ".join(details))) or (says_free and all(_FREE.match(d) for d in details)):
        return _end("Lệ phí: " + _FEE_LABEL.sub("", described))  # the description states the sum and more: it alone
    return _end(f"Lệ phí: {value}") + " " + _end(f"Cổng ghi thêm: {described}")


def _channels(proc: Procedure) -> str:
    return ", ".join(dict.fromkeys(_CHANNEL_SHORT[c.channel] for c in proc.channels))


# The channels a question names, by its content words (any one set whole): "nộp trực tiếp ở đâu", "nộp online qua
# app nào", "gửi bưu điện"; and the words of a sentence that speaks of each.
_NAMED_CHANNELS: dict[str, tuple[frozenset[str], ...]] = {
    "Trực tiếp": (frozenset({"truc", "tiep"}),),
    "Trực tuyến": (frozenset({"truc", "tuyen"}), frozenset({"online"}), frozenset({"app"}), frozenset({"vneid"})),
    "Dịch vụ bưu chính": (frozenset({"buu"}),),
}
_CHANNEL_SPOKEN_OF = {
    "Trực tiếp": re.compile(r"\btruc tiep\b"),
    "Trực tuyến": re.compile(r"\b(truc tuyen|dien tu|cong dich vu|ung dung|vneid)\b"),
    "Dịch vụ bưu chính": re.compile(r"\bbuu (chinh|dien)\b"),
}
_LEADING_AMOUNT = re.compile(r"^\([^()]*(?:\([^()]*\)[^()]*)*\)\s*")  # "(200.000 VNĐ/giấy phép) nộp hồ sơ trực tiếp tại …"
# What an office does with a dossier it has ("Sau khi tiếp nhận hồ sơ …, cán bộ tiếp nhận hồ sơ tại Trung tâm … chuyển",
# "Hướng dẫn người nộp hồ sơ bổ sung … và nộp lại"): not where the applicant hands it in.
_OFFICE_ACTS = re.compile(
    r"^(sau khi (tiep nhan|nhan)|huong dan)\b|\b(can bo|cong chuc|chuyen vien)\b[^.;,]{0,30}\b(tiep nhan|chuyen|gui|kiem tra)\b"
)
_PLACE_ALONE = re.compile(r"^(tai|qua|thong qua) ")  # a channel's note that is only its place: "Tại Trung tâm phục vụ …"


def _hand_in_sentences(note: str) -> list[str]:
    """The sentences of a channel's note that say where or by what the dossier goes in: the notes mix that ("Nộp hồ
    sơ trực tiếp tại Trung tâm Phục vụ hành chính công cấp tỉnh, xã") with fees and time limits."""
    found = []
    for sentence in SENTENCE_BREAK.split(_LEADING_AMOUNT.sub("", note)):
        plain = without_bullet(sentence)
        folded = fold_diacritics(plain.casefold())
        stated = STATES["handed_in"].search(folded) or STATES["means"].search(folded) or _PLACE_ALONE.match(folded)
        if stated and not _AMOUNT.search(sentence) and not _OFFICE_ACTS.search(folded):
            found.append(plain.strip())
    return found


def _where_to_hand_in(proc: Procedure, content_words: list[str], shown: str) -> list[str]:
    """Where the dossier goes in, in the record's words: "nộp ở đâu" is answered by "tại Trung tâm Phục vụ hành chính
    công …", not by "trực tiếp". A channel the question names picks the sentence that speaks of it; else a place.

    The portal's channel notes are often one text under every channel, so they are read together, then the steps.
    """
    sentences = list(dict.fromkeys((c.channel, s) for c in proc.channels if c.note for s in _hand_in_sentences(c.note)))
    sentences += [  # then the steps' sentences where the applicant hands it in (not where an office passes it on)
        ("", s) for step in proc.steps for s in _hand_in_sentences(_STEP_MARK.sub("", step)) if _SUBMIT_SENTENCE.search(s)
    ]
    words = set(content_words)
    named = [channel for channel, cues in _NAMED_CHANNELS.items() if any(cue <= words for cue in cues)]

    def fits(sentence: str) -> bool:
        folded = fold_diacritics(sentence.casefold())
        if named:
            return any(_CHANNEL_SPOKEN_OF[channel].search(folded) for channel in named)
        elsewhere = _CHANNEL_SPOKEN_OF["Trực tuyến"].search(folded) or _CHANNEL_SPOKEN_OF["Dịch vụ bưu chính"].search(folded)
        return bool(STATES["handed_in"].search(folded) or _PLACE_ALONE.match(folded)) and not elsewhere  # a place

    wanted = words - word_set(proc.name) - SECTION_WORDS

    def overlap(sentence: str) -> int:
        return len(wanted & word_set(sentence))

    def general(sentence: str) -> bool:
        """Not a particular case ("Trường hợp hồ sơ cần bổ sung … thì …") unless the question asks about it; the case
        of a channel is not one ("Nếu lựa chọn hình thức nộp hồ sơ trực tiếp, …")."""
        folded = fold_diacritics(sentence.casefold())
        channel_case = any(spoken.search(folded) for spoken in _CHANNEL_SPOKEN_OF.values())
        return overlap(sentence) > 0 or channel_case or not _FOR_A_CASE.search(folded)

    # under the channels before the steps, then the most words asked, then in the record's order
    fitting = sorted(((not channel, -overlap(s), i, s) for i, (channel, s) in enumerate(sentences) if fits(s) and general(s)))
    chosen = fitting[0][3] if fitting else None
    if chosen is None and named:  # no sentence names the channel asked about: one under it that names no other
        others = [spoken for channel, spoken in _CHANNEL_SPOKEN_OF.items() if channel not in named]
        under = (s for channel, s in sentences if channel in named)
        chosen = next((s for s in under if not any(p.search(fold_diacritics(s.casefold())) for p in others)), None)
    if chosen is None or len(word_set(chosen) - word_set(shown)) < 0.2 * len(word_set(chosen)):
        return []  # nothing, or what the agency line already says
    return [f"{_HAND_IN_LABEL}{shorten(chosen, MAX_HAND_IN)}"]


def _in_place_of_cut_way(lines: list[str], note: str) -> bool:
    """Whether ``note`` repeats the cut "Cách nộp" line: it starts with the line's words (the same sentence, cut
    around what was asked), and then takes the line's place; or it holds them after a clause of its own ("(… thu 7.000
    đồng/lần) - Nộp hồ sơ trực tuyến qua …"), and then is left out. Shown as a note too, the sentence came twice."""
    sentence = _STEP_MARK.sub("", note)  # "Bước 1: Người nộp thuế … gửi tới …" is the line's sentence
    folded_note = fold_diacritics(sentence.casefold()).removeprefix("… ")
    for i, line in enumerate(lines):
        if not (line.startswith(_HAND_IN_LABEL) and line.endswith("…")):
            continue
        said = fold_diacritics(line.removeprefix(_HAND_IN_LABEL).casefold())[:WAY_REPEATED]
        if len(said) < MIN_CUT_ITEM or said not in folded_note:
            continue
        if folded_note.startswith(said):
            lines[i] = f"{_HAND_IN_LABEL}{sentence}"
        return True
    return False


def _ways_instead(proc: Procedure, said: str) -> list[str]:
    """After "Không" to a way of handing in, the record's sentence on the ways it has ("nộp hồ sơ trực tiếp hoặc gửi
    qua đường bưu điện đến Chủ tịch Ủy ban nhân dân cấp xã"): where to go instead."""
    ways = [word for c in proc.channels for cue in _NAMED_CHANNELS[c.channel][:1] for word in sorted(cue)]
    return _where_to_hand_in(proc, ways, said)


def _copies(copies: str | None) -> str:
    """'0 bản chính,1 bản sao' -> '1 bản sao': a zero count says nothing to a citizen."""
    return re.sub(r"\s*[,;]\s*", ", ", _NO_ORIGINALS.sub("", copies or "")).strip(" ,")


# "Hộ chiếu/Thẻ căn cước/… còn giá trị sử dụng (sau đây gọi tắt là giấy tờ tùy thân) để …": the law's own short
# name of a document, when it names a paper (not "… gọi tắt là Luật Các tổ chức tín dụng").
_SHORT_NAME = re.compile(r"\s*\((?:sau đây )?gọi tắt là ((?:giấy|bản|văn bản|tờ|hồ sơ|sổ|phiếu|đơn)\b[^()]{0,50})\)", re.IGNORECASE)


def _document_name(doc: Document) -> str:
    """A document's name as a line shows it: without the portal's bullet marks and attached file names, and led by
    the short name the law gives it, which a cut line would otherwise lose at its end."""
    name = without_bullet(without_attachments(doc.name))
    if short := _SHORT_NAME.search(name):
        rest = (name[: short.start()] + name[short.end() :]).strip()
        return f"{short.group(1)[0].upper()}{short.group(1)[1:]}: {rest}"
    return name


def _document_item(doc: Document, shared_note: str | None = None, asked: bool = False) -> str:
    """One line: name, copies and the first sentence of its note (left out when it repeats the item above).

    The item the question names is given (nearly) whole: it is what was asked.
    """
    copies = _copies(doc.copies)
    note = _first_sentence(without_attachments(doc.note or ""), MAX_NOTE if asked else MAX_ITEM_NOTE) if doc.note != shared_note else ""
    name = shorten(_document_name(doc), MAX_STEP_ASKED if asked else MAX_ITEM)
    return f"- {with_copies(name, copies)}" + (f" ({note})" if note else "")


def with_copies(name: str, copies: str | None) -> str:
    """A document and how many copies: "Tờ khai — 01 bản chính"; a name the portal ends with a colon leads straight
    into them ("Tờ khai hải quan: 02 bản chính", not "…: — 02 bản chính")."""
    if not copies:
        return name
    trimmed = name.rstrip()
    return f"{trimmed} {copies}" if trimmed.endswith(":") else f"{name} — {copies}"


def _document_key(name: str) -> str:
    """A document's name as compared: folded, without attachments, edge punctuation or doubled spaces."""
    return " ".join(fold_diacritics(without_attachments(name).casefold()).strip(" .;:").split())


def distinct_documents(proc: Procedure) -> list[Document]:
    """The documents, each name once: portal tables repeat a document for every case it applies to."""
    seen: set[str] = set()
    documents = []
    for doc in proc.documents:
        key = _document_key(doc.name)
        if key not in seen:
            seen.add(key)
            documents.append(doc)
    return documents


# "a) Sổ BHXH", "(iv) Trường hợp …", "2. Tờ khai …": a document numbered in the law's list, by a letter, a roman
# numeral or a number. The portal often shuffles them (đ, b, a, g…; (iv), (v), (ii)…; 3, 1, 2…).
_LIST_MARK = re.compile(r"^\s*\(?([a-zđ]|[ivx]{1,4})\)\s|^\s*\(?(\d{1,2})[).]\s")
_LETTER_ORDER = "abcdđeghiklmnopqrstuvxy"
_ROMAN_ORDER = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")


def _list_marks(documents: list[Document]) -> list[tuple[str, int] | None]:
    """Each document's place in its list as (kind, ordinal): "(i)" is a roman numeral in a list that has "(ii)" or
    "(iv)", and the letter i elsewhere."""
    marks = [(m.group(1), m.group(2)) if (m := _LIST_MARK.match(d.name)) else None for d in documents]
    roman = any(letter and len(letter) > 1 for letter, _ in filter(None, marks))
    places: list[tuple[str, int] | None] = []
    for mark in marks:
        letter, number = mark or (None, None)
        if number:
            places.append(("number", int(number)))
        elif letter and roman and letter in _ROMAN_ORDER:
            places.append(("roman", _ROMAN_ORDER.index(letter)))
        elif letter and letter in _LETTER_ORDER:
            places.append(("letter", _LETTER_ORDER.index(letter)))
        else:
            places.append(None)
    return places


def in_list_order(documents: list[Document]) -> list[Document]:
    """The numbered documents in the order of their list, then the others as they came; left as they are when a mark
    repeats (one list per case) or fewer than three are numbered alike."""
    places = _list_marks(documents)
    kinds = Counter(place[0] for place in places if place)
    if not kinds:
        return documents
    kind, count = kinds.most_common(1)[0]
    ordinals = [place[1] for place in places if place and place[0] == kind]
    if count < 3 or len(set(ordinals)) < count:
        return documents
    keys = [(0, place[1]) if place and place[0] == kind else (1, i) for i, place in enumerate(places)]
    return [documents[i] for i in sorted(range(len(documents)), key=keys.__getitem__)]


# A document only some applicants bring: "Trường hợp trẻ em bị bỏ rơi thì …", "(iv) Trường hợp ủy quyền …", "Văn bản
# ủy quyền … trong trường hợp ủy quyền", "Đối với người nước ngoài …" (folded).
_FOR_A_CASE = re.compile(r"^(\(?([a-zđ]|[ivx]{1,4})\)\s*|\(?\d{1,2}[).]\s*)?(truong hop|neu|doi voi|rieng|ngoai ra)\b|\btrong truong hop\b")


# The heading of a table of documents for a case: "Trường hợp ủy quyền thực hiện thủ tục", "Đối với hàng hóa nhập
# khẩu" (folded); not a bracketed remark on copies, "(Trường hợp không quy định là bản chính thì …)".
_CASE_HEADING = re.compile(r"^(truong hop|doi voi)\b")


def _for_a_case(document: Document) -> bool:
    """Whether only some applicants bring it: its name states a case, or it stands under a case's heading."""
    heading = fold_diacritics(document.note.casefold()) if document.note else ""
    return bool(_FOR_A_CASE.search(fold_diacritics(document.name.casefold())) or _CASE_HEADING.match(heading))


def for_everyone_first(documents: list[Document]) -> list[Document]:
    """The documents every applicant brings first, then those of a particular case, each group in its order: the
    portal often opens the list with a case ("Trường hợp trẻ em bị bỏ rơi …", a table headed "Trường hợp ủy quyền
    …") and the capped list then hides the application form."""
    return sorted(documents, key=_for_a_case)


def _documents(proc: Procedure, content_words: list[str]) -> list[str]:
    """The first documents, and any the question names, up to the cap; the card has the rest.

    The two the question names most closely are given (nearly) whole; the others are cut like the rest.
    """
    documents = for_everyone_first(in_list_order(distinct_documents(proc)))
    if not documents:
        return ["Cổng Dịch vụ công không liệt kê thành phần hồ sơ cho thủ tục này."]
    wanted = set(content_words) - word_set(proc.name)
    overlaps = [len(wanted & word_set(d.name)) for d in documents]
    named = [i for i, overlap in enumerate(overlaps) if overlap >= 2]
    whole = set(sorted(named, key=lambda i: -overlaps[i])[:MAX_WHOLE_DOCUMENTS])
    shown = named[:MAX_DOCUMENTS]
    shown = sorted(shown + [i for i in range(len(documents)) if i not in shown][: MAX_DOCUMENTS - len(shown)])
    lines = [f"Hồ sơ gồm {len(documents)} giấy tờ:"]
    previous = None
    for i in shown:
        lines.append(_document_item(documents[i], previous, asked=i in whole))
        previous = documents[i].note
    if len(documents) > len(shown):
        lines.append(f"… và {len(documents) - len(shown)} giấy tờ khác (xem đầy đủ).")
    return lines


def step_list(proc: Procedure) -> list[str] | None:
    """The steps, one text each; None when the record's lines are not numbered steps.

    Portal steps are lines: 'Bước N' marks where a step starts, and the lines after it belong
    to it. Curated steps are one step a line. Unnumbered portal lines are paragraphs, not steps.
    """
    if any(_STEP_MARK.match(line) for line in proc.steps):
        steps: list[str] = []
        for line in proc.steps:
            if _STEP_MARK.match(line):
                steps.append(_STEP_MARK.sub("", line))
            elif steps:
                steps[-1] += " " + line
        return steps
    return list(proc.steps) if proc.source == "curated" else None


def _best_match(texts: list[str], wanted: set[str]) -> int | None:
    """The text that holds most of the words asked beyond the procedure's name (at least two), if any."""
    wanted = wanted - SECTION_WORDS
    best, best_overlap = None, 1
    for i, text in enumerate(texts):
        overlap = len(wanted & word_set(text))
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    return best


def _steps(proc: Procedure, content_words: list[str]) -> list[str]:
    """The steps, each cut short, except the one that matches what the question asks: it is given in full."""
    if not proc.steps:
        return ["Cổng Dịch vụ công không ghi trình tự thực hiện cho thủ tục này."]
    steps = step_list(proc)
    texts = list(proc.steps) if steps is None else steps
    asked = _best_match(texts[:MAX_STEPS], set(content_words) - word_set(proc.name))

    def cut(i: int, text: str) -> str:
        return shorten(text, MAX_STEP_ASKED if i == asked else MAX_STEP)

    if steps is None:
        lines = ["Trình tự thực hiện:", *[f"- {cut(i, without_bullet(line))}" for i, line in enumerate(proc.steps[:MAX_STEPS])]]
        rest = len(proc.steps) - MAX_STEPS
    else:
        lines = [f"Gồm {len(steps)} bước:", *[f"{i + 1}. {cut(i, s)}" for i, s in enumerate(steps[:MAX_STEPS])]]
        rest = len(steps) - MAX_STEPS
    if rest > 0:
        lines.append(f"… và {rest} {'bước' if steps else 'đoạn'} nữa (xem đầy đủ).")
    return lines


def _capped(title: str, items: list[str]) -> list[str]:
    lines = [title, *[f"- {shorten(without_bullet(item), MAX_STEP)}" for item in items[:MAX_LIST_ITEMS]]]
    if len(items) > MAX_LIST_ITEMS:
        lines.append(f"… và {len(items) - MAX_LIST_ITEMS} mục khác (xem đầy đủ).")
    return lines


def compose_section(proc: Procedure, intent: str, content_words: list[str] | None = None) -> list[str]:
    """The answer lines for one intent: the fact asked first, then a capped list."""
    if intent == "documents":
        return _documents(proc, content_words or [])
    if intent in ("time", "deadline"):  # a deadline no sentence states: the time limit, which says what it is
        return [_time_line(proc)]
    if intent == "validity":
        return [_validity_line(proc, content_words or [])]
    if intent == "fees":
        return [_fee_line(proc)]
    if intent == "agency":
        lines = [_end(f"Cơ quan thực hiện: {_where(proc)}")]
        if proc.channels:
            lines.append(f"Hình thức nộp: {_channels(proc)}.")
        return lines + _where_to_hand_in(proc, content_words or [], "\n".join(lines))
    if intent == "steps":
        return _steps(proc, content_words or [])
    if intent == "conditions":
        if not proc.conditions:
            return ["Cổng Dịch vụ công không nêu yêu cầu, điều kiện riêng cho thủ tục này."]
        return _capped("Yêu cầu, điều kiện:", proc.conditions)
    if intent == "result":
        return [f"Kết quả: {shorten(proc.result, 300) or 'Cổng Dịch vụ công không ghi'}"]
    if intent == "legal_basis":
        if not proc.legal_basis:
            return ["Cổng Dịch vụ công không ghi căn cứ pháp lý cho thủ tục này."]
        ordered = proc.legal_basis
        if "luat" in (content_words or []):  # "căn cứ vào luật nào": the laws before decrees and circulars
            ordered = sorted(ordered, key=lambda r: not fold_diacritics(r.title.casefold()).startswith("luat"))
        refs = [r.title + (f" ({r.number})" if r.number and r.number not in r.title else "") for r in ordered]
        return _capped("Căn cứ pháp lý:", refs)
    return _overview(proc)


# A sentence that says how long a paper stays valid: a word of validity, then a duration or an open end ("Giấy chứng
# nhận sức khoẻ có giá trị 6 tháng …", "Thời hạn sử dụng tài khoản … là 12 tháng"); folded. "Còn giá trị sử dụng"
# alone asks the papers brought to be valid, and "trong thời hạn 03 ngày" is the time the office takes.
_VALID_DURATION = r"\b(\d+\s*(\([a-z ]+\)\s*)?(ngay|thang|nam)|vo thoi han|khong (co )?thoi han)\b"
_VALID_FOR = re.compile(
    r"\b(co gia tri|co hieu luc|gia tri su dung)\b[^.;]{0,40}?"
    + _VALID_DURATION
    + r"|\b(thoi han su dung|thoi han hieu luc)\b[^.;]{0,120}?"
    + _VALID_DURATION
)


def _validity_clause(sentence: str) -> str | None:
    """The clause of ``sentence`` that says how long a paper stays valid, from the break before it (a long case before
    a colon would take the room of what it says); None when it says no such thing."""
    folded = fold_diacritics(sentence.casefold())
    match = _VALID_FOR.search(folded)
    if match is None:
        return None
    if len(folded) != len(sentence):  # the folded text's places are not the sentence's
        return sentence
    clause = sentence[max(sentence.rfind(":", 0, match.start()), sentence.rfind(";", 0, match.start())) + 1 :].strip(" -+")
    return clause[:1].upper() + clause[1:]


def _validity_line(proc: Procedure, content_words: list[str]) -> str:
    """How long the paper stays valid, in the record's clause that says it (the one with most words asked); else
    that the portal does not say, rather than the time the office takes, which would read as the answer."""
    wanted = set(content_words) - SECTION_WORDS
    stated = [clause for s in record_sentences(proc) if (clause := _validity_clause(s.text))]
    if stated:
        return shorten(max(stated, key=lambda text: len(wanted & word_set(text))), MAX_STEP_ASKED)
    paper = f" ({shorten(proc.result, MAX_VALUE)})" if proc.result else ""
    return f"Cổng Dịch vụ công không nêu rõ giấy tờ được cấp{paper} có giá trị trong bao lâu; hãy hỏi cán bộ tiếp nhận."


def _name_line(proc: Procedure) -> str:
    """What a detail's answer says of its procedure: the name and where (how long and how much are on the card)."""
    return f"Thủ tục: {shorten(proc.name, MAX_NAME)} (mã {proc.code}). " + _end(f"Nơi nộp: {_where(proc, place_only=True)}")


def _time_and_fee(proc: Procedure) -> str:
    time_limit, fee = _compact(proc, "time_limit"), _fee_value(proc)
    return _end(f"Thời hạn: {time_limit or 'không ghi'}") + " " + _end(f"Lệ phí: {fee or 'không ghi'}")


def _overview(proc: Procedure) -> list[str]:
    """At most four lines before the card link: what it is, where, how long and how much, how many documents."""
    lines = [_first_sentence(proc.summary) if proc.summary else f"{shorten(proc.name, MAX_NAME)} (mã {proc.code})."]
    where = _end(f"Nơi nộp: {_where(proc, place_only=True)}")
    lines.append(where + (f" Hình thức: {_channels(proc)}." if proc.channels else ""))
    lines.append(_time_and_fee(proc))
    documents = distinct_documents(proc)
    if len(documents) > MAX_NAMED_DOCUMENTS:
        lines.append(f"Hồ sơ: {len(documents)} giấy tờ.")
    elif documents:  # "Hồ sơ: 1 giấy tờ." tells a citizen nothing a name would not
        names = [shorten(_document_name(d).rstrip(" .;:"), MAX_ITEM) for d in documents]
        lines.append(_end(f"Hồ sơ gồm: {'; '.join(names)}"))
    return lines


def _matching_documents(proc: Procedure, words: tuple[str, ...]) -> list[Document]:
    """Documents whose name holds most of the words asked about ('CCCD' is matched by its expansion), two of them
    side by side: folded, "sổ hộ khẩu" and "hồ sơ" share their words, not their order. Of as many words, the name
    that says them first: a paper's name leads its row ("Bản chính giấy phép xây dựng đã được cấp", not "Giấy tờ về
    việc xếp hạng di tích … cấp giấy phép" for "giấy phép cũ")."""
    if not words:
        return []
    asked_pairs = set(zip(words, words[1:]))
    scored = []
    for doc in distinct_documents(proc):
        share = len(set(words) & word_set(doc.name)) / len(words)
        named = [fold_diacritics(w.casefold()) for w in _NAME_WORD.findall(doc.name)]
        if asked_pairs:
            said = [i for i, pair in enumerate(zip(named, named[1:])) if pair in asked_pairs]
        else:
            said = [i for i, word in enumerate(named) if word in words] or [len(named)]
        if share >= NAMED_SHARE and said:
            scored.append((-share, said[0], doc))
    return [doc for _, _, doc in sorted(scored, key=lambda scored_doc: scored_doc[:2])]


# What a procedure grants rather than asks for: "có cần giấy phép không" asks whether one must go through it.
_GRANT = re.compile(r"\b(giay phep|phep|dang ky|chung nhan)\b")
_GRANT_ALONE = re.compile(r"^(giay phep|phep|cap phep|xin phep|dang ky|giay chung nhan|chung nhan)$")


def _asks_what_it_grants(proc: Procedure, ask: Ask) -> bool:
    """The item asked about is an authorisation in general ("giấy phép"), or one this procedure itself issues ("giấy
    phép xây dựng" of a building permit). Not "thẻ căn cước" of a card's renewal: the old card is brought."""
    item = " ".join(ask.item_words)
    granted = word_set(proc.name) | word_set(proc.result or "")
    return bool(_GRANT_ALONE.match(item)) or (bool(_GRANT.search(item)) and set(ask.item_words) <= granted)


# A way of handing in asked about ("nộp online được không", "gửi qua bưu điện được không"): its channel, and the yes
_WAYS_ASKED = {
    "online": ("Trực tuyến", "Có. Thủ tục này nộp trực tuyến được qua Cổng Dịch vụ công quốc gia."),
    "post": ("Dịch vụ bưu chính", "Có. Thủ tục này nộp qua dịch vụ bưu chính được."),
}


def compose_yes_no(proc: Procedure, ask: Ask, content_words: Sequence[str] = ()) -> list[str] | None:
    """'Có.' or 'Không.' and why, when the record settles the question; None when it does not. A paper the record
    waives for some case ("đã nộp bản điện tử … thì không phải nộp bản giấy") depends on it: of several such cases,
    the one that shares most of the question's ``content_words`` is shown."""
    if ask.kind in _WAYS_ASKED and proc.channels:
        channel, yes = _WAYS_ASKED[ask.kind]
        if any(c.channel == channel for c in proc.channels):
            return [yes, f"Hình thức nộp: {_channels(proc)}."]
        no = f"Không. Theo Cổng Dịch vụ công, thủ tục này chỉ nộp {_channels(proc)}."
        return [no, *_ways_instead(proc, no)]
    if ask.kind in ("paid", "free"):
        fees = [c.fee for c in proc.channels if c.fee]
        if not fees:
            return None
        free = [bool(_FREE.match(f)) for f in fees]
        if all(free) and (_fee_conflict(proc) or any(_EXEMPT_GROUP.search(fold_diacritics(d.casefold())) for d in _fee_details(proc))):
            # the table says free, its description names a sum or waives it for some: not a plain no
            return [f"Tùy trường hợp. {_fee_line(proc)}"]
        if all(free) or not any(free):
            says_yes = all(free) == (ask.kind == "free")
            why = _fee_line(proc)  # the record's own words ("Miễn lệ phí", "8.000 đồng")
            return [("Có. " if says_yes else "Không. ") + why]
        return [f"Tùy hình thức nộp. {_fee_line(proc)}"]
    if ask.kind in _RULES_SAID:
        return _rule_asked(proc, _RULES_SAID[ask.kind], content_words)
    if ask.kind == "document" and CERTIFICATION_ASKED.match(" ".join(ask.item_words)):
        return _certification(proc, ask, content_words)
    if ask.kind == "document" and not _asks_what_it_grants(proc, ask):
        # "mở tiệm có cần giấy phép không", "sửa nhà có cần giấy phép xây dựng không" ask whether the procedure is
        # needed: what its dossier holds says nothing about that
        item = " ".join(fold_diacritics(ask.item.casefold()).split())
        if _COPY_FORM.search(item):
            # "có cần photo căn cước không": a document's copies ("1 bản chính", "1 bản sao") answer it, not a yes
            named = set(_COPY_FORM.sub(" ", item).split())
            words = tuple(w for w in ask.item_words if w in named)
            found = _matching_documents(proc, words)
            closest = [d for d in found[:2] if word_set(d.name) >= set(words)] or found[:1]
            if not closest:
                return None
            copies = all(_A_COPY.search(d.copies or "") for d in closest)
            lead = "Có. Hồ sơ có:" if copies else "Theo Cổng Dịch vụ công, giấy tờ này nộp như sau:"
            return [lead, *[_document_item(d) for d in closest]]
        found = _matching_documents(proc, ask.item_words)
        if found:
            waived = re.compile(_WAIVING + _HANDED + _words_within(ask.item_words, WAIVED_ITEM_SPAN))
            waiver = _waiver(proc, waived, ask.item_words, content_words)
            if waiver:  # "đã nộp bản điện tử giấy báo tử rồi thì có phải nộp thêm bản giấy không"
                return [f"Tùy trường hợp. {waiver}", "Hồ sơ có:", _document_item(found[0])]
            return ["Có. Hồ sơ có:", *[_document_item(d) for d in found[:2]]]
        names_a_document = (
            _DOCUMENT_WORDS.match(" ".join(ask.item_words))
            and len(ask.item_words) <= MAX_ASKED_DOCUMENT_WORDS
            and not set(ask.item_words) <= _NO_PAPER_NAMED
        )
        if names_a_document and proc.documents:  # not "chụp ảnh lấy vân tay lại": that asks about a step
            return [f"Không. Thành phần hồ sơ trên Cổng không có giấy tờ nào tên “{shorten(ask.item, 60)}”.", *_documents(proc, [])]
    return None


# Certifying, legalising or translating a paper (folded), as a record says it (a question's words: TREATMENTS_ASKED);
# "mục đích" folds to the question's word for translation
_TREATMENT_SAID = {
    "certified": "cong chung|chung thuc",
    "legalised": "hop phap hoa",
    "translated": "ban dich|dich thuat|duoc dich|dich sang|dich ra",
}
# A sentence that waives a paper or its treatment for some case: "không phải nộp bản giấy", "không bắt buộc phải công
# chứng", "không phải xuất trình hoặc gửi Hợp đồng mua bán" (folded); then the paper's words, or the treatment's
_WAIVING = r"\b(?:khong|chua) (?:phai|can|bat buoc|yeu cau)(?: phai)?(?: duoc)? "
_HANDED = r"(?:(?:nop|xuat trinh|gui|cung cap|kem theo|kem|co|ban|cac|hoac)\s)*"
WAIVED_ITEM_SPAN = 1  # words between the waiver's verb and the paper's ("không phải nộp lại bản chính …"), not a paper of their own
# a certified copy or another form: "bản sao có chứng thực hoặc bản chụp kèm bản chính để đối chiếu"
_OR_UNCERTIFIED = re.compile(r"\bhoac (ban )?(chup|photo|sao)\b|\bdoi chieu\b")
MAX_WAIVER = 250  # the waiver leads, then the paper's row: both fit well under the 700-character median (set, not tuned)


def _words_within(words: tuple[str, ...], span: int = 0) -> str:
    """A pattern for at most ``span`` words, then at least two of ``words`` (the only one, when one) each followed by
    at most two more: a paper named right after a waiver's verb, or right before the waiver of its treatment."""
    alternatives = "|".join(map(re.escape, words))
    return rf"(?:\w+ ){{0,{span}}}(?:(?:{alternatives})\b(?: \w+){{0,2}}? ?){{{min(2, len(words))}}}"


def _waiver(proc: Procedure, waived: re.Pattern[str], words: tuple[str, ...], case_words: Sequence[str]) -> str | None:
    """The record's sentence that waives what ``waived`` names with most of ``words`` (as a document's name must
    hold them), cut around the waiver; of several, the one that shares most of the question's ``case_words``."""
    if not words:
        return None  # an empty pattern of words would find every waiver
    found: list[tuple[int, int, str]] = []
    for sentence in record_sentences(proc):
        folded = fold_diacritics(sentence.text.casefold())
        said = max((len(set(words) & set(m.group(0).split())) for m in waived.finditer(folded)), default=0)
        if said >= NAMED_SHARE * len(words):
            found.append((len(set(case_words) & set(folded.split())), -len(found), sentence.text))
    if not found:
        return None
    text = max(found)[2]
    for note in {doc.note for doc in proc.documents if doc.note}:  # a row's group ("…: Giấy tờ phải nộp") is no part of it
        text = text.removesuffix(f": {without_attachments(note)}")
    waiver = around(text, set(words), [waived], MAX_WAIVER).rstrip(" .;:")
    return _end(_as_lead(waiver))  # a sentence the portal starts in lower case follows "Tùy trường hợp."


def _as_lead(sentence: str) -> str:
    """A record's sentence set at the start of a line: the portal starts some in lower case ("trường hợp … thì …")."""
    return sentence[:1].upper() + sentence[1:]


def _certification(proc: Procedure, ask: Ask, content_words: Sequence[str]) -> list[str] | None:
    """Whether the paper named before the ask must be certified, legalised or translated, from its row and the
    record's sentences. Its row answers "Có" when it says so (a certified copy: when it offers no other form) and no
    sentence waives it; a waiver for some cases ("… anh, chị, em ruột … thì văn bản ủy quyền không phải chứng thực")
    makes it "Tùy trường hợp", with that sentence. Whether the list holds a paper named "chứng thực" says nothing of
    it; without the paper's row the note picker answers."""
    papers = _matching_documents(proc, ask.paper_words)[:2]
    if not papers:
        return None
    item = " ".join(ask.item_words)
    asked = [kind for kind, words in TREATMENTS_ASKED.items() if re.search(rf"\b({words})\b", item)]
    said = re.compile(r"\b(" + "|".join(_TREATMENT_SAID[kind] for kind in asked) + r")\b")
    # "… thì văn bản ủy quyền không phải chứng thực": the paper's words before the waiver, the treatment's after it
    treatments = "|".join(TREATMENTS_ASKED[kind] for kind in asked)
    waiver = _waiver(proc, re.compile(_words_within(ask.paper_words) + _WAIVING + f"(?:{treatments})\\b"), ask.paper_words, content_words)
    rows = [fold_diacritics(f"{d.name} {d.note or ''}".casefold()) for d in papers]
    if waiver:
        return [f"Tùy trường hợp. {waiver}", "Hồ sơ có:", _document_item(papers[0])]
    if "certified" in asked and any(_OR_UNCERTIFIED.search(row) for row in rows):
        return ["Tùy trường hợp. Hồ sơ có:", _document_item(papers[0])]
    lead = "Có. Hồ sơ có:" if any(said.search(row) for row in rows) else "Theo Cổng Dịch vụ công, giấy tờ này nộp như sau:"
    return [lead, *[_document_item(d) for d in papers]]


MAX_RULE = 400  # a rule asked about leads whole: nine in ten of the records' sentences stating one are shorter
# The record's sentences that state a rule asked in other words (folded), by the ask's kind: legalising or translating
# papers ("… do cơ quan có thẩm quyền của nước ngoài cấp … phải được hợp pháp hóa lãnh sự"); what is shown or handed in
# when the result is collected ("… thì khi nhận kết quả … phải nộp bản chính các giấy tờ", "Khi đến nhận kết quả mang
# theo giấy hẹn trả kết quả, giấy tờ tùy thân …"); handling the same day ("… đăng ký khai sinh cho trẻ em ngay trong ngày
# tiếp nhận hồ sơ", "… trong ngày làm việc nhận được hồ sơ hợp lệ; nếu … sau 15 giờ …"); what is enclosed by post
# ("Trường hợp gửi hồ sơ qua hệ thống bưu chính thì phải gửi kèm theo bản sao có chứng thực các giấy tờ phải xuất trình")
_RULES_SAID = {
    "foreign_paper": re.compile(rf"\b({_TREATMENT_SAID['legalised']}|{_TREATMENT_SAID['translated']})\b"),
    "at_collection": re.compile(
        r"^(?=.*\b(khi|luc)( \w+){0,2} (nhan|tra) (ket qua|giay|trich luc|so|chung nhan)\b)"
        r"(?=.*\b(ban chinh|xuat trinh|mang theo|nop lai|doi chieu)\b)"
    ),
    "by_post": re.compile(r"^(?=.*\b(buu chinh|buu dien)\b)(?=.*\b(gui kem|kem theo|ban sao co chung thuc|phong bi)\b)"),
    "same_day": re.compile(r"\btrong (ngay|buoi)\b(?! (le|nghi|thu|chu nhat)\b)"),
}


def _rule_asked(proc: Procedure, said: re.Pattern[str], content_words: Sequence[str]) -> list[str] | None:
    """The record's sentence stating the rule asked (``said``) that shares most of the question's ``content_words``
    (of equal share, the first); None when the record states none, and the sections answer."""
    wanted = set(content_words)
    found = [
        (len(wanted & set(folded.split())), -sentence.at, sentence.text)
        for sentence in record_sentences(proc)
        if said.search(folded := fold_diacritics(sentence.text.casefold()))
    ]
    if not found:
        return None
    return [_as_lead(around(max(found)[2], wanted, [said], MAX_RULE))]


# A form a document names: "mẫu TK07", "Mẫu số 01/TK-SDDPNN", "mẫu CT01"; and the words that only ask for one.
_FORM_REFERENCE = re.compile(r"\bmẫu\b(?:\s+số)?\s*[^\s,;()]*\d[^\s,;()]*", re.IGNORECASE)
_FORM_ASKING_WORDS = frozenset({"mau", "so", "may", "nao", "gi", "theo", "dung", "lam"})
FORM_PAPER_WORDS = 16  # "Tờ trình đề nghị phê duyệt phương án bảo vệ công trình thủy lợi theo Mẫu số 01"


def _asked_form(proc: Procedure, content_words: list[str]) -> str | None:
    """The line naming the form of the dossier a "mẫu nào" question asks for: the form whose paper holds most of the
    question's words (the only one, when one). Read on the whole document, a form named deep in a long one ("Một số
    giấy tờ khác: a) … đ) … phải có thêm giấy xác nhận hồ sơ xe (theo mẫu ĐKX14/79 …)") won on the paragraph's other
    words over "Giấy khai đăng ký xe (theo mẫu ĐKX10/79 …)", and its line, cut, lost the form."""
    forms = [
        (name, reference, _paper(name, reference))
        for doc in for_everyone_first(distinct_documents(proc))
        for name in [_document_name(doc)]
        for reference in _FORM_REFERENCE.finditer(name)
    ]
    wanted = set(content_words) - _FORM_ASKING_WORDS
    overlaps = [len(wanted & {fold_diacritics(word) for word in syllables(paper)[:FORM_PAPER_WORDS]}) for _, _, paper in forms]
    if not forms or (len({name for name, _, _ in forms}) > 1 and max(overlaps) == 0):
        return None
    name, reference, paper = forms[overlaps.index(max(overlaps))]
    if reference.group(0) in (line := shorten(name, MAX_STEP)):
        return f"Mẫu: {line}"
    if len(paper) + 1 + len(reference.group(0)) <= MAX_STEP:
        return f"Mẫu: {paper} {reference.group(0)}"
    return f"Mẫu: {shorten(paper, MAX_STEP - len(reference.group(0)) - len(' … ')).removesuffix(' …')} … {reference.group(0)}"


def _paper(name: str, reference: re.Match[str]) -> str:
    """What a form reference is the form of: the sentence or list item of the document's name that names it, up to
    the reference ("đ) Đối với trường hợp chủ xe … phải có thêm giấy xác nhận hồ sơ xe (theo"), with the heading it
    follows ("Đối với người phụ thuộc: Tờ khai đăng ký thuế mẫu số 20-ĐK-TCT"). Its first FORM_PAPER_WORDS syllables
    are matched against the question: a paper's name leads its sentence."""
    return name[max(name.rfind(mark, 0, reference.start()) for mark in (". ", "; ")) + 1 : reference.start()].strip()


def _form_shown(form_line: str, lines: list[str]) -> bool:
    reference = _FORM_REFERENCE.search(form_line)
    shown = fold_diacritics("\n".join(lines).casefold())
    return reference is not None and fold_diacritics(reference.group(0).casefold()) in shown


def compose_procedure_answer(
    proc: Procedure,
    intents: list[str],
    content_words: list[str] | None = None,
    ask: Ask | None = None,
    notes: NotePicker | None = None,
    taken: int = 0,
    asks_form: bool = False,
) -> tuple[str, Citation]:
    """The answer to what was asked first, then the card link and the source.

    A section asked for comes capped, followed by the record's sentence that best matches what was asked beyond
    it (and the next best, when the note picker is unsure). A question about the procedure as a whole that the
    learned picker answers with a sentence, a detail asked for (who, when, how many…) and one's own deadline
    ("trong bao lâu phải đi báo") get the sentence first, then the procedure's name and where only: how long and how
    much are on the card, and the room goes to the sentences ranked next (on the decision sets, training/validation
    1,102 -> 1,103 of 1,402 and training/notes 3,007 -> 3,020 of 3,756; the training questions the same). The
    source line stays last (the service and the UI rely on it); it names the procedure unless the answer already has.
    An answer shorter than FILL_BUDGET, less the ``taken`` characters the service adds around it, has room for the
    record's further sentences that the picker would show. A question that ``asks_form`` ("dùng mẫu nào") gets the
    dossier's form it means first, unless the answer names that form already.
    """
    section = INTENT_SECTIONS.get(intents[0], "overview")
    form = _asked_form(proc, content_words or []) if asks_form else None
    picker = notes or WordOverlapNotes(content_words or [], intents)
    lines = compose_yes_no(proc, ask, content_words or []) if ask else None
    yes_no = lines is not None
    about = _name_line(proc)
    leads = (intents == ["overview"] or intents[0] == "deadline") and not yes_no and (picker.asks_a_detail() or picker.leads(proc, about))
    detail = picker.notes(proc, about, most=2, room=_room(proc, section, [about]) - taken) if leads else []
    if detail:  # "phải hơn con nuôi bao nhiêu tuổi": the sentences that say it lead, then the procedure's name and where
        lines = [*detail, about]
        if form and not _form_shown(form, lines):
            lines.insert(0, form)
    else:
        lines = lines or []
        for intent in intents:
            if yes_no and intent in ("fees", "agency", "documents", "overview"):
                continue  # the yes/no lines already say it
            lines += compose_section(proc, intent, content_words)
        if form and not _form_shown(form, lines):
            lines.insert(1 if yes_no else 0, form)
        # the record's sentence that matches what was asked beyond the name, if not shown: after a yes or no too,
        # since "có phải công chứng không" is often settled by a note, not by the document list
        shown = "\n".join(lines)
        for note in picker.notes(proc, shown, most=2, room=_room(proc, section, lines) - taken):
            note = _NOTE_LABEL.sub("", note)
            if not (
                _in_place_of_cut_item(lines, note)
                or _in_place_of_cut_way(lines, note)
                or _said_but_its_group(proc, lines, note)
                or _cut_from(lines, note)
            ):
                lines.append(f"{_note_label(proc, note)}{note}")
    lines += _card_and_source(proc, section, lines)
    citation = Citation(code=proc.code, title=proc.name, section=SECTION_TITLES[section], url=proc.url)
    return "\n".join(lines), citation


def _note_label(proc: Procedure, note: str) -> str:
    """The label of a note shown after the sections: "Hồ sơ có: " before a row of the documents table ("Đơn đăng ký
    cấp sao tài liệu"), which under "Lưu ý:" read as a warning; "Lưu ý: " before any other."""
    key = _document_key(alone(note))
    return "Hồ sơ có: " if any(_document_key(alone(doc.name)) == key for doc in proc.documents) else "Lưu ý: "


def _said_but_its_group(proc: Procedure, lines: list[str], note: str) -> bool:
    """A document's sentence read with its row's group ("Văn bản ủy quyền này không bắt buộc phải công chứng, chứng
    thực: Trường hợp ủy quyền thực hiện thủ tục …") whose sentence a line already says: the group adds nothing. What
    follows a case that is no row's group ("…: nộp hồ sơ cho cơ quan BHXH nơi đang chi trả") is the answer."""
    said, colon, group = note.rpartition(": ")
    whole = bool(colon) and len(said) > MIN_CUT_ITEM and said.count("(") == said.count(")")  # not "(như: hộ chiếu …)"
    group = fold_diacritics(group.removesuffix(" …").strip().casefold())  # the picker may have cut it
    groups = [fold_diacritics(without_attachments(doc.note).casefold()) for doc in proc.documents if doc.note]
    its_group = bool(group) and any(row_group.startswith(group) for row_group in groups)
    return whole and its_group and fold_diacritics(said.casefold()) in fold_diacritics("\n".join(lines).casefold())


def _cut_from(lines: list[str], note: str) -> bool:
    """A line and ``note`` are the same sentence, one or both cut to fit ("Trường hợp nộp bản sao … thì khi nhận kết
    quả … phải nộp bản chính …"): every piece of one is in the other, and shown as well the note says it twice."""

    def pieces(text: str) -> list[str]:
        return [fold_diacritics(piece.strip().casefold()) for piece in text.split("…") if piece.strip()]

    def within(parts: list[str], text: str) -> bool:
        return sum(map(len, parts)) >= MIN_CUT_ITEM and all(part in text for part in parts)

    note_pieces = pieces(note)
    for line in lines:
        if "…" in line + note and (within(pieces(line), " ".join(note_pieces)) or within(note_pieces, fold_diacritics(line.casefold()))):
            return True
    return False


def _in_place_of_cut_item(lines: list[str], note: str) -> bool:
    """Put ``note`` in place of the list item it gives whole ("- Tờ khai xác nhận tình trạng chỗ ở hợp pháp … — 1
    bản chính" cut to fit the list); whether it did. Shown as a note too, the item's words came twice."""
    folded_note = fold_diacritics(note.casefold())
    for i, line in enumerate(lines):
        if not line.startswith("- "):
            continue
        name, cut, tail = line.removeprefix("- ").partition(" …")  # as _document_item and the step lists write it
        plain = alone(name)  # a note is shown without the list's letter ("a) Sổ BHXH …")
        if not cut or len(name) < MIN_CUT_ITEM or not folded_note.startswith(fold_diacritics(plain.casefold())):
            continue
        letter = name.removesuffix(plain) if name.endswith(plain) else ""
        copies, _, item_note = tail.removeprefix(" — ").partition(" (")
        kept = f" ({item_note}" if item_note and fold_diacritics(item_note.rstrip(")").casefold()) not in folded_note else ""
        lines[i] = f"- {letter}{note}" + (f" — {copies}" if copies and tail.startswith(" — ") else "") + kept
        return True
    return False


def _card_and_source(proc: Procedure, section: str, lines: list[str]) -> list[str]:
    """The card link and the source line, which names the procedure unless ``lines`` already have."""
    said = f"{shorten(proc.name, MAX_NAME)} (mã {proc.code})" in "\n".join(lines)
    cited = f"{shorten(proc.name, MAX_SOURCE_NAME)}, mã {proc.code}"  # the code and the link identify it; the card has the rest
    source = f"Nguồn: {'Cổng Dịch vụ công' if said else cited}, mục “{SECTION_TITLES[section]}”"
    return [card_line(proc), source + (f" — {proc.url}" if proc.url else "")]


def _room(proc: Procedure, section: str, lines: list[str]) -> int:
    """What an answer of ``lines`` leaves of FILL_BUDGET for further sentences of the record."""
    return FILL_BUDGET - len("\n".join([*lines, *_card_and_source(proc, section, lines)]))


def compose_plan_answer(chunks: list[Chunk], question_tokens: list[str]) -> tuple[str, list[Citation]]:
    """The most relevant sentences of the best plan chunks, with their heading paths."""
    wanted = set(question_tokens)
    lines: list[str] = []
    citations: list[Citation] = []
    for chunk in chunks[:2]:
        body = chunk.text.split("\n", 2)[-1]
        if chunk.heading and chunk.heading.startswith("Phụ lục"):
            picked = [line for line in body.split("\n") if line.strip()]
        else:
            sentences = [s.strip() for s in SENTENCE_BREAK.split(body) if len(s.strip()) > 10]
            scored = sorted(sentences, key=lambda s: -len(wanted & set(bm25_tokens(s))))
            keep = set(scored[:3])
            picked = [s for s in sentences if s in keep]
        lines.append(f"Theo Kế hoạch CCHC 2026–2030 của phường, mục {chunk.heading}:")
        lines += [s if s.startswith("-") else f"- {s}" for s in picked]
        citations.append(Citation(code=chunk.doc_id, title=chunk.title, section=chunk.heading or "", url=None))
    lines.append(f"Nguồn: {chunks[0].title}.")
    return "\n".join(lines), citations


def name_differences(names: list[str]) -> list[str]:
    """What sets each name apart from the others: its words outside their shared core, in order.

    'Đăng ký khai sinh' / 'Đăng ký khai sinh có yếu tố nước ngoài' -> ['', 'có yếu tố nước ngoài'];
    a one-word difference keeps the word before it: 'Cấp lại thẻ' / 'Cấp đổi thẻ' -> ['cấp lại', 'cấp đổi'].
    """
    word_lists = [_NAME_WORD.findall(name) for name in names]  # "Đăng ký/ Thay đổi" and "Đăng ký/Thay đổi" alike
    # with their accents: "đóng cảng" and "hoạt động" differ in "đóng" and "động", which fold alike
    accented = [[w.casefold() for w in words] for words in word_lists]
    folded = [[fold_diacritics(w) for w in words] for words in accented]
    core = set.intersection(*(set(a) for a in accented)) if accented else set()
    differences = []
    for words, keys, folded_keys in zip(word_lists, accented, folded):
        runs: list[list[int]] = []  # positions of the words outside the core, in consecutive runs
        for i, (key, folded_key) in enumerate(zip(keys, folded_keys)):
            if key in core or folded_key in ("thu", "tuc") or folded_key in NO_DIFFERENCE_WORDS:
                continue
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        for k, run in enumerate(runs):  # "không phải" says nothing alone: it goes on to what it negates
            if all(folded_keys[j] in _FUNCTION_WORDS for j in run):
                runs[k] = list(range(run[0], min(len(words), run[0] + MAX_DIFFERENCE_WORDS)))
        phrases = [" ".join(words[j] for j in ([run[0] - 1, *run] if len(run) == 1 and run[0] > 0 else run)).casefold() for run in runs]
        # once each: "hộ nghèo, hộ cận nghèo; hộ thoát nghèo, hộ thoát cận nghèo" differs by "hộ thoát", not twice
        differences.append(shorten(", ".join(dict.fromkeys(phrases)).strip(" ,;"), 70))
    return differences


def name_key(name: str) -> str:
    """A name without case, diacritics, punctuation or spacing: the portal lists some procedures twice so."""
    return " ".join(fold_diacritics(w.casefold()) for w in _NAME_WORD.findall(name))


def compose_clarification(
    options: list[Procedure], picker: NotePicker | None = None, intents: Sequence[str] = ()
) -> tuple[str, list[Citation]]:
    """One short question that says what tells the procedures apart, then the numbered choices, and the citations.

    Procedures of the same name differ by their field ("Thuế" / "Hải quan"), which is then what is asked. A question
    that asks a detail ("… thì xã trả cho mình giấy gì") gets, under each choice, the sentence of its record that the
    ``picker`` would show as a first note: the citizen reads the answer for their case while saying which it is. A
    question about how long or how much first gets each choice's time limit or fee, as an answer would lead with it.
    Each choice with such a line is cited.
    """
    differences = name_differences([p.name for p in options])
    fields = [p.field for p in options]
    if len(set(differences)) == len(differences) and any(differences):
        said = " hay ".join(f"“{d}”" if d else "trường hợp thông thường" for d in differences)
        question = f"Có {len(options)} thủ tục gần giống nhau, khác nhau ở: {said}. Trường hợp của bạn là thủ tục nào?"
    elif len(set(fields)) == len(fields) and all(fields):
        said = " hay ".join(f"“{f}”" for f in fields)
        question = f"Có {len(options)} thủ tục cùng tên, thuộc lĩnh vực {said}. Trường hợp của bạn là thủ tục nào?"
    else:
        question = "Câu hỏi của bạn có thể ứng với nhiều thủ tục. Bạn muốn hỏi thủ tục nào?"
    asked = intents[0] if intents and intents[0] in CHOICE_SECTION_INTENTS else None
    cited_section = SECTION_TITLES[INTENT_SECTIONS[asked] if asked else "overview"]
    lines, citations = [question], []
    for i, proc in enumerate(options, start=1):
        choice = [f"{i}. {proc.name} (mã {proc.code})"]
        if asked:  # the time limit or the fee: one line
            choice.append(f"   {shorten(compose_section(proc, asked, [])[0], MAX_NOTE)}")
        answer = next(iter(picker.notes(proc, "\n".join(choice))), None) if picker else None
        if answer:
            choice.append(f"{OPTION_NOTE_LEAD}{_NOTE_LABEL.sub('', answer)}")
        lines += choice
        if len(choice) > 1:
            citations.append(Citation(code=proc.code, title=proc.name, section=cited_section, url=proc.url))
    return "\n".join(lines), citations


def compose_checklist(proc: Procedure) -> str:
    """A plain-text checklist of the dossier, for printing or sending to a citizen."""
    lines = [f"DANH SÁCH GIẤY TỜ — {proc.name}", f"Mã thủ tục: {proc.code}", ""]
    for doc in proc.documents:
        lines.append(f"[ ] {with_copies(doc.name, doc.copies)}")
        if doc.note:
            lines.append(f"    Ghi chú: {' '.join(doc.note.split())}")
    if not proc.documents:
        lines.append("(Cổng Dịch vụ công không liệt kê thành phần hồ sơ)")
    lines += proc.document_note_lines()
    lines.append("")
    for channel in proc.channels:
        time_limit = plain_time(channel.time_limit) if channel.time_limit else "không ghi"
        lines.append(f"{channel.channel}: thời hạn {time_limit}; lệ phí {channel.fee or 'không ghi'}")
    if _fee_conflict(proc):
        lines.append(f"Lưu ý: {_fee_line(proc)}")
    lines += [f"Nơi nộp: {proc.agency or 'Trung tâm Phục vụ hành chính công'}", f"Nguồn: {proc.url or proc.code}"]
    return "\n".join(lines)
