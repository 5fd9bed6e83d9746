"""Portal records (national public service portal JSON/JSONL) -> structured procedures.

The portal flattens its tables: cells are run together with no separator. The
parsers here split them back into rows using the few fixed vocabularies the portal
uses (channel names, time units, fee forms, copy counts, legal-document numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index_store.ids import UNIT_LOST_NOTE
from tthc.schema import CHANNEL_NAMES, Channel, Document, LegalRef, Procedure
from tthc.text import empty_if_placeholder, normalize_inline, normalize_text

# Bump when the parsing below changes: records are then parsed again instead of reused.
PARSER_VERSION = "2026-12-07.1"
PLACEHOLDER = "Không có thông tin"
_CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_TIME_UNITS = ("Ngày làm việc", "Ngày", "Giờ", "Tháng", "Năm", "Phút")
_MONEY_UNITS = r"(?:Việt Nam Đồng|VNĐ|VND|vnđ|Đồng|đồng|USD|Đô la Mỹ)"
_NUMBER = r"\d+(?:[.,]\d+)*"

# A row starts at a channel name directly followed by a time cell (a number or a placeholder).
_ROW_START = re.compile("(" + "|".join(CHANNEL_NAMES) + r")(?=\d|Không|Theo|Ngay|Trong|$)")
_TIME = re.compile(
    rf"^(?P<value>{_NUMBER})\s*(?P<unit>{'|'.join(_TIME_UNITS)})?(?!\s*{_MONEY_UNITS})"
    rf"|^(?P<none>Không quy định|{PLACEHOLDER})"
)
_FEE = re.compile(rf"(?P<fee>Miễn phí|Miễn lệ phí|{PLACEHOLDER}|{_NUMBER}\s*{_MONEY_UNITS})")
_UNIT_IN_TEXT = re.compile(rf"(?P<value>{_NUMBER})\s*\(?[^\d()]{{0,20}}?\)?\s*(?P<unit>ngày làm việc|ngày|giờ|tháng)", re.IGNORECASE)

_DOC_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_COPIES = re.compile(r"(\d+\s*bản chính(?:\s*,\s*\d+\s*bản sao)?|\d+\s*bản sao)")
_GLUED_COUNT = re.compile(r"^(\d*[1-9]\d*)(?=\d\s*bản)")  # digits before a count's last one, not a count's leading zeros
_FORM_FILE = re.compile(r"(?:(?<=[;.)”\"])|^)\s*([^;.)]{1,80}\.(?:docx?|pdf|xlsx?|rtf|zip))\s*$", re.IGNORECASE)

# Rows of the documents table that are not documents: notes, instructions and headings the
# portal typed into the name cell, usually with a '0 bản chính' count.
_NOTE_ROW = re.compile(r"^[\W\d]*(lưu ý|ghi chú|chú ý|ví dụ|số lượng hồ sơ|số bộ hồ sơ)\b", re.IGNORECASE)
_HEADING_ROW = re.compile(
    r":\s*$|^\W*(giấy tờ phải (nộp|xuất trình)|thành phần hồ sơ|hồ sơ gồm|bao gồm)\b|các giấy tờ sau\W*$", re.IGNORECASE
)
_SENTENCE_LEAD = re.compile(
    r"^\W*(?:[a-zđ0-9]{1,2}[.)]\s*)?(trường hợp|trong trường hợp|nếu|khi|trong đó|trong thời hạn|đối với|ngoài|việc)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(
    r" thì |có trách nhiệm|chịu trách nhiệm|không được|không phải|có thể|phải được|phải bảo đảm|phải có|được tạo lập|từ chối giải quyết"
)
_OWN_COUNT = re.compile(r"\b\d+\s*bản\s*(chụp|sao|chính)|\(\d+\)\s*bản", re.IGNORECASE)

_LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
_VI_LOWER = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
# A document number: '04/2020/TT-BTP', '282/2025/QĐ-TTg', '52/2014/QH13', '26/2005/PL-UBTVQH11'. The table
# glues the next title on ('…/TT-BTPNghị định …'), so a letter run gives back a capital starting a lower-case word.
_LEGAL_NUMBER = re.compile(
    rf"\d+(?:\.\d+)?/\d{{4}}/(?:(?:UBTV)?QH\d{{2}}"
    rf"|[A-ZĐ]+(?:[-/] ?(?:(?:UBTV)?QH\d{{2}}|TTg|[A-ZĐ]+(?=ngày)|[A-ZĐ]+(?![{_VI_LOWER}])))+)"
)
_TRAILING_DOC_KIND = re.compile(r"(?:Luật|Nghị định|Thông tư|Quyết định|Nghị quyết|Thông tư liên tịch)(?: số)?\s*$")
_RESULT_UI_TAIL = re.compile(r"(?:Từ khóa|Chọn cơ quan thực hiện).*$", re.DOTALL)
# A result's code: 'Mã: KQ.G01.000065', and the rarer 'KQ-G10.000004', 'KQ0.00.00.G12-002223'. It ends at
# its last digit run, so the next result's name ('…000065Cập nhật …') is left whole.
_RESULT_CODE = re.compile(r"Mã:\s*KQ\d*(?:[.\-](?:[A-Za-z]*\d+|[A-Za-z]+(?=[.\-])))+")
_REFUSAL = re.compile(r"^\W*(?:phiếu|thông báo|văn bản) từ chối", re.IGNORECASE)

# Section headers of raw_text, in page order. The scraper cut the fields at a header's words wherever
# they occur, so a step quoting 'mục Thành phần hồ sơ' ended the steps there.
_STEPS_HEADER = "Trình Tự Thực Hiện"
_CHANNELS_HEADER = "Cách Thức Thực Hiện"
_DOCUMENTS_HEADER = "Thành phần hồ sơ"
_LEGAL_SECTION_HEADER = "Căn cứ pháp lý"
_CUT_AT_REFERENCE = re.compile(r"\bmục\s*$", re.IGNORECASE)  # '… theo quy định tại mục', '… tại tiết 1 mục'
# Steps and conditions copied from PDFs keep the page's line breaks: '… các điều kiện về cơ' / 'sở vật chất, …'. A
# line that ends without a stop and a next line that starts in lower case, not as a list item ('a) ', 'đ. '), are
# one sentence.
_ENDS_A_SENTENCE = re.compile(r"[.;:!?]\s*$")
_STARTS_LOWER = re.compile(rf"^\s*[{_VI_LOWER}]")
_LIST_ITEM = re.compile(rf"^\s*[{_VI_LOWER}]{{1,2}}[.)]\s")


@dataclass(frozen=True)
class DocumentTable:
    """The documents table repaired: the documents, the rows cleaned out as notes or headings, and the notes kept
    (they say what a citizen needs: "văn bản cho thuê nhà không bắt buộc phải công chứng")."""

    documents: list[Document]
    cleaned: list[str]
    notes: list[str]


@dataclass(frozen=True)
class PortalRecord:
    """One parsed record, with what the ingest report shows about its repair."""

    procedure: Procedure
    document_rows_cleaned: int
    split_repaired: bool  # steps (and documents) re-cut from raw_text
    lines_rejoined: int = 0  # lines of steps and conditions that continued the sentence of the line before


@dataclass(frozen=True)
class ChannelRow:
    """One parsed row of the channels table, before it becomes a :class:`Channel`."""

    channel: str
    time_value: str | None
    time_unit: str | None
    time_text: str | None
    fee: str | None
    description: str
    complete: bool
    unit_lost: bool


def _split_parenthetical(text: str) -> tuple[str, str]:
    """Split a leading balanced '(…)' group off ``text``: returns (group, rest)."""
    if not text.startswith("("):
        return "", text
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return text[1:i].strip(), text[i + 1 :]
    return text[1:].strip(), ""


def format_fee(raw: str) -> str:
    """'10,000 Việt Nam Đồng' -> '10.000 đồng'; 'Miễn phí' unchanged."""
    match = re.match(rf"({_NUMBER})\s*{_MONEY_UNITS}", raw)
    if not match:
        return raw
    digits = re.sub(r"[.,]", "", match.group(1))
    unit = "USD" if "USD" in raw or "Đô la" in raw else "đồng"
    return f"{int(digits):,}".replace(",", ".") + f" {unit}"


def parse_channel_rows(cell: str, context: str = "") -> list[ChannelRow]:
    """Repair the flattened channels table into rows.

    ``context`` (the steps text) is used to recover a time unit the cell lost
    ("Trực tuyến1Miễn phí"): the unit is taken only when the same number is
    stated there with a unit; otherwise the row says the unit was lost.
    """
    text = normalize_inline(cell).replace(_CHANNEL_HEADER, "", 1).strip()
    starts = list(_ROW_START.finditer(text))
    rows = []
    for i, start in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        rows.append(_parse_channel_row(start.group(1), text[start.end() : end], context))
    return rows


def _parse_channel_row(channel: str, body: str, context: str) -> ChannelRow:
    """Split one row body '<time><fee><description>' into its cells."""
    lead = next((p for p in (PLACEHOLDER, "Không quy định") if body.startswith(p)), "")
    fee_match = _FEE.search(body, len(lead))
    time_raw = body[: fee_match.start()].strip() if fee_match else lead
    if fee_match and len(time_raw) > 120:  # the fee token belongs to a later description
        fee_match, time_raw = None, lead
    raw_fee = fee_match.group("fee") if fee_match else None
    rest = body[fee_match.end() :] if fee_match else body[len(time_raw) :]
    if fee_match and not time_raw and raw_fee and raw_fee[0].isdigit():
        # "Trực tuyến120 VNĐ(20.000 vnđ/tờ khai)": a unit-less time glued to the fee
        split = _split_glued_time_fee(raw_fee, rest)
        if split:
            time_raw, raw_fee = split
    time_value = time_unit = time_text = None
    time_ok = bool(time_raw)
    time_match = _TIME.match(time_raw)
    if time_match and time_match.group("none"):
        time_text = None if time_match.group("none") == PLACEHOLDER else time_match.group("none")
    elif time_match and time_match.end() == len(time_raw):
        time_value, time_unit = time_match.group("value"), time_match.group("unit")
    elif time_raw:
        time_text = time_raw
    fee = None
    if raw_fee and raw_fee != PLACEHOLDER:
        note, rest = _split_parenthetical(rest)
        fee = format_fee(raw_fee) + (f"/{note.lstrip('/').strip()}" if note.startswith("/") else "")
        if note and not note.startswith("/"):
            rest = f"({note}) {rest}"
    description = rest.strip()
    if time_value is not None and time_unit is None:
        time_unit = _recover_unit(time_value, description + "\n" + context)
    unit_lost = time_value is not None and time_unit is None
    if time_value is not None:
        time_text = f"{time_value} {time_unit.lower()}" if time_unit else f"{time_value} {UNIT_LOST_NOTE}"
    return ChannelRow(
        channel=channel,
        time_value=time_value,
        time_unit=time_unit,
        time_text=time_text,
        fee=fee,
        description=description,
        complete=time_ok and fee_match is not None,
        unit_lost=unit_lost,
    )


def _split_glued_time_fee(raw_fee: str, note: str) -> tuple[str, str] | None:
    """Split '120 VNĐ' into ('1', '20 VNĐ') when the note states an amount starting '20'."""
    match = re.match(rf"({_NUMBER})\s*(.*)", raw_fee)
    if match is None:
        return None
    digits = re.sub(r"[.,]", "", match.group(1))
    hinted = [re.sub(r"[.,]", "", a) for a in re.findall(_NUMBER, note[:200])]
    for k in range(1, min(3, len(digits))):
        fee_digits = digits[k:]
        if fee_digits[0] != "0" and any(h.startswith(fee_digits) and len(h) > 1 for h in hinted):
            return digits[:k], f"{fee_digits} {match.group(2)}"
    return None


def _recover_unit(value: str, text: str) -> str | None:
    """Find the unit stated for the same number elsewhere ('01 ngày làm việc')."""
    for match in _UNIT_IN_TEXT.finditer(text):
        if match.group("value").lstrip("0") == value.lstrip("0"):
            return match.group("unit").capitalize()
    return None


def give_back_glued_digits(name: str, copies: str) -> tuple[str, str]:
    """A row's count of copies is one digit; digits before it end the name. The flattened table runs a name's last
    number into the count: "… theo Mẫu số 18" and "1 bản chính" read "… Mẫu số 181 bản chính", "… ngày 01/01/2026"
    and "1 bản chính" read "… 01/01/20261 bản chính". Zeros alone are a count's own ("Biên lai mẫu:" and "01 bản chính").
    """
    glued = _GLUED_COUNT.match(copies)
    if glued is None:
        return name, copies
    return name + glued.group(1), copies[glued.end() :]


def document_row_kind(name: str, copies: str) -> str:
    """'document', 'heading' (it titles the rows after it) or 'note' (an instruction, not a document).

    Only rows with no positive copy count are judged by their wording: a counted row that starts
    'Trường hợp … thì nộp …' is a conditional document, and stays.
    """
    if not any(ch.isalpha() for ch in name) or _NOTE_ROW.search(name):
        return "note"
    if any(int(n) for n in re.findall(r"\d+", copies)) or _OWN_COUNT.search(name):
        return "document"
    if _HEADING_ROW.search(name) and len(name) <= 160:
        return "heading"
    if _SENTENCE_LEAD.search(name) or _CLAUSE.search(name) or not name[0].isupper() and not name[0].isdigit():
        return "note"
    return "document"


def parse_documents(cell: str) -> DocumentTable:
    """Repair the flattened documents table into (document, copies, note) rows.

    The cell is a series of '<group title><header><rows>' blocks; a group title
    such as '* Giấy tờ phải xuất trình:' trails the previous block's last row. Rows
    that are notes or headings are cleaned out; a heading titles the rows after it, a note is kept apart, as is
    the text after the last row.
    """
    parts = empty_if_placeholder(cell).split(_DOC_HEADER)
    documents: list[Document] = []
    cleaned: list[str] = []
    notes_kept: list[str] = []
    group = parts[0].strip("-* :") if parts else ""
    for part in parts[1:]:
        pieces = _COPIES.split(part)  # text, copies, text, copies, ..., trailing group title
        for j in range(0, len(pieces) - 1, 2):
            name, copies = give_back_glued_digits(pieces[j], pieces[j + 1])
            name, copies = name.strip(), normalize_inline(copies)
            notes = [group] if group else []
            form = _FORM_FILE.search(name)
            if form and len(name) > len(form.group(1)) + 5:
                notes.append(f"Mẫu: {form.group(1).strip()}")
                name = name[: form.start(1)].strip()
            name = name.strip("-–+ ;").strip()
            if not name:
                continue
            kind = document_row_kind(name, copies)
            if kind == "document":
                documents.append(Document(name=name, copies=copies, note="; ".join(notes) or None))
                continue
            cleaned.append(name)
            if kind == "heading":
                group = name.strip("-* :")
            else:
                notes_kept.append(name)
        group = pieces[-1].strip("-* :")
    if len(parts) > 1:
        notes_kept.append(group)  # nothing follows the last block: its trailing text is a note, not a title
    notes_kept = [_note_text(n) for n in notes_kept]
    return DocumentTable(documents, cleaned, list(dict.fromkeys(n for n in notes_kept if any(ch.isalpha() for ch in n))))


def _note_text(row: str) -> str:
    """'* Lưu ý: - Người nước ngoài …' -> 'Lưu ý: Người nước ngoài …': list marks say nothing on their own."""
    return " ".join(re.sub(r"^[\s*\-–+•]+|(?<=:)\s*[-–+•]\s+", lambda m: "" if m.start() == 0 else " ", row).split())


def parse_legal_basis(cell: str) -> list[LegalRef]:
    """Repair the flattened legal-basis table into (title, number) pairs."""
    text = empty_if_placeholder(cell).replace(_LEGAL_HEADER, "")
    refs: list[LegalRef] = []
    cursor = 0
    for match in _LEGAL_NUMBER.finditer(text):
        after = text[match.end() : match.end() + 2].lstrip()
        if after and not after[0].isupper():
            continue
        title = text[cursor : match.start()].strip()
        title = _TRAILING_DOC_KIND.sub("", title).strip(" ,;:") or match.group(0)
        refs.append(LegalRef(number=match.group(0), title=title))
        cursor = match.end()
    tail = text[cursor:].strip()
    if tail:
        refs.append(LegalRef(number=None, title=tail))
    return refs


def clean_result(text: str) -> str:
    """Every result named in the cell, '; '-joined, without their codes and the trailing portal UI text.

    Refusal notices go last: the result a citizen hopes for should be the one read first.
    """
    text = _RESULT_UI_TAIL.sub("", normalize_text(text))
    pieces = _RESULT_CODE.split(text)
    if len(pieces) == 1:  # no codes: free text, kept as written
        return empty_if_placeholder(text)
    # Each piece is one name; the bullets and separators around it are the portal's list markup.
    names = dict.fromkeys(name for piece in pieces if (name := empty_if_placeholder(piece).lstrip("+-*•.;, ").rstrip(";, ")))
    ordered = sorted(names, key=lambda name: bool(_REFUSAL.match(name)))
    # Read as one list 'A; B; C.': a name's own full stop is kept only at the end.
    return "; ".join([name.rstrip(". ") for name in ordered[:-1]] + ordered[-1:])


def split_steps(text: str) -> list[str]:
    """Steps as a list of lines, with placeholders dropped."""
    return [line for line in normalize_text(empty_if_placeholder(text) and text).split("\n") if line]


def rejoin_wrapped_lines(lines: list[str]) -> tuple[list[str], int]:
    """The lines with each one that continues the sentence before it joined to it, and how many were joined."""
    joined: list[str] = []
    for line in lines:
        if joined and not _ENDS_A_SENTENCE.search(joined[-1]) and _STARTS_LOWER.match(line) and not _LIST_ITEM.match(line):
            joined[-1] = f"{joined[-1].rstrip()} {line.lstrip()}"
        else:
            joined.append(line)
    return joined, len(lines) - len(joined)


def _section(raw: str, header: str, end_header: str, start: int = 0) -> tuple[str, int] | None:
    """The text between ``header`` (first one from ``start``) and the next ``end_header``, and where it ends."""
    begin = raw.find(header, start)
    end = raw.find(end_header, begin + len(header)) if begin >= 0 else -1
    return (raw[begin + len(header) : end], end) if end >= 0 else None


def resplit_steps_documents(steps: str, documents: str, raw_text: str) -> tuple[str, str] | None:
    """Steps and documents cut again from raw_text when the scraper split them at a quoted header.

    A step saying '… lập hồ sơ theo quy định tại mục Thành phần hồ sơ' ended the steps at 'mục' and
    put the later steps in the documents field, losing the documents table. Symptoms: steps ending
    on 'mục', or documents with no table header. The repair is taken only when raw_text has the
    headers in page order and its steps extend the truncated ones. None: nothing to repair.
    """
    steps, documents = normalize_text(steps), normalize_text(documents)
    table_missing = bool(empty_if_placeholder(documents)) and _DOC_HEADER not in documents
    if not (_CUT_AT_REFERENCE.search(steps) or table_missing):
        return None
    raw = normalize_text(raw_text)
    steps_part = _section(raw, _STEPS_HEADER, _CHANNELS_HEADER)
    if steps_part is None:
        return None
    documents_part = _section(raw, _DOCUMENTS_HEADER, _LEGAL_SECTION_HEADER, steps_part[1])
    new_steps = normalize_text(steps_part[0])
    if documents_part is None or len(new_steps) <= len(steps) or not new_steps.startswith(steps):
        return None
    return new_steps, normalize_text(documents_part[0])


def recut_steps_cut_at_agency(steps: str, agency: str, raw_text: str) -> str | None:
    """Steps cut again from raw_text when the scraper ended them at the words "Cơ quan thực hiện" inside a step.

    "+ Cơ quan thực hiện chứng thực tiến hành chụp …" left the steps ending on a bare "+" and put the rest of the
    steps in the agency field, which then starts mid-sentence ("chứng thực tiến hành chụp …"). The repair is taken
    only when raw_text's steps extend the truncated ones and hold that text. None: nothing to repair.
    """
    steps, agency = normalize_text(steps), normalize_text(agency)
    if not _STARTS_LOWER.match(agency):
        return None
    steps_part = _section(normalize_text(raw_text), _STEPS_HEADER, _CHANNELS_HEADER)
    if steps_part is None:
        return None
    new_steps = normalize_text(steps_part[0])
    kept = steps.rstrip(" +")
    held = " ".join(agency.split())[:80] in " ".join(new_steps.split())
    if len(new_steps) <= len(steps) or not new_steps.startswith(kept) or not held:
        return None
    return new_steps


def record_to_procedure(record: dict) -> Procedure:
    """Map one portal record to a :class:`Procedure`. Raises ValueError on unusable records."""
    return parse_record(record).procedure


def parse_record(record: dict) -> PortalRecord:
    """One portal record parsed, with what was repaired (for the ingest report). Raises ValueError on unusable records."""
    if not isinstance(record, dict):
        raise ValueError("bản ghi không phải đối tượng JSON")
    code = normalize_inline(str(record.get("ma_thu_tuc") or ""))
    name = normalize_inline(record.get("ten_thu_tuc"))
    if not code or not name:
        raise ValueError("thiếu ma_thu_tuc hoặc ten_thu_tuc")
    for key in ("cach_thuc_thuc_hien", "thanh_phan_ho_so", "can_cu_phap_ly", "trinh_tu_thuc_hien"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"trường {key} có kiểu {type(value).__name__}, cần văn bản")
    steps_text = normalize_text(record.get("trinh_tu_thuc_hien"))
    documents_text = record.get("thanh_phan_ho_so") or ""
    resplit = resplit_steps_documents(steps_text, documents_text, str(record.get("raw_text") or ""))
    if resplit:
        steps_text, documents_text = resplit
    agency = empty_if_placeholder(record.get("co_quan_thuc_hien"))
    recut = recut_steps_cut_at_agency(steps_text, agency, str(record.get("raw_text") or ""))
    if recut:
        steps_text, agency = recut, ""  # the field held the steps' end: the record names no agency there
    channels = [
        Channel(channel=row.channel, time_limit=row.time_text, fee=row.fee, note=row.description or None)
        for row in parse_channel_rows(record.get("cach_thuc_thuc_hien") or "", steps_text)
    ]
    agency = agency or empty_if_placeholder(record.get("co_quan_co_tham_quyen"))
    levels = [lvl.strip() for lvl in normalize_inline(record.get("cap_thuc_hien")).split(",") if lvl.strip()]
    table = parse_documents(documents_text)
    steps, steps_rejoined = rejoin_wrapped_lines(split_steps(steps_text))
    conditions, conditions_rejoined = rejoin_wrapped_lines(split_steps(record.get("yeu_cau_dieu_kien") or ""))
    procedure = Procedure(
        code=code,
        name=name,
        field=normalize_inline(record.get("linh_vuc")),
        levels=levels,
        agency=agency or None,
        applicants=empty_if_placeholder(record.get("doi_tuong_thuc_hien")) or None,
        channels=channels,
        documents=table.documents,
        document_notes=table.notes,
        steps=steps,
        conditions=conditions,
        result=clean_result(record.get("ket_qua_xu_ly") or "") or None,
        legal_basis=parse_legal_basis(record.get("can_cu_phap_ly") or ""),
        url=normalize_inline(record.get("detail_url")) or None,
        source="portal",
    )
    repaired = resplit is not None or recut is not None
    return PortalRecord(procedure, len(table.cleaned), repaired, steps_rejoined + conditions_rejoined)
