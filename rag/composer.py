"""Grounded answers composed from the retrieved procedure sections (no LLM).

Every figure in an answer is copied from a record; nothing is computed or invented.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tthc.schema import SECTION_TITLES, Chunk, Citation, Procedure
from tthc.text import bm25_tokens, fold_diacritics, syllables

CONTACT = "Bạn có thể liên hệ Trung tâm Phục vụ hành chính công phường Nam Gia Nghĩa để được hướng dẫn trực tiếp."
REFUSALS = {
    "off_topic": "Xin lỗi, tôi chỉ hỗ trợ tra cứu thủ tục hành chính và Kế hoạch cải cách hành chính của phường "
    "Nam Gia Nghĩa, nên không trả lời được câu hỏi này.",
    "injection": "Xin lỗi, tôi chỉ trả lời câu hỏi về thủ tục hành chính theo nguồn chính thức và không thể thay đổi "
    "cách làm việc, đóng vai hay tiết lộ cấu hình hệ thống.",
    "private_data": "Xin lỗi, tôi không cung cấp thông tin cá nhân của bất kỳ ai. Thông tin cá nhân chỉ được cung cấp "
    "cho chính người đó hoặc cơ quan có thẩm quyền theo đúng thủ tục.",
    "weak_evidence": "Xin lỗi, tôi chưa tìm thấy thủ tục hành chính nào khớp với câu hỏi trong dữ liệu hiện có.",
}
# intent -> the section it is answered from
INTENT_SECTIONS = {
    "documents": "documents",
    "time": "time_fees",
    "fees": "time_fees",
    "agency": "overview",
    "steps": "steps",
    "conditions": "conditions",
    "result": "result",
    "legal_basis": "legal_basis",
    "overview": "overview",
}
_MAX_NOTE = 220


def refusal_text(reason: str) -> str:
    return f"{REFUSALS.get(reason, REFUSALS['weak_evidence'])} {CONTACT}"


def _short(note: str | None, limit: int = _MAX_NOTE) -> str:
    if not note:
        return ""
    note = " ".join(note.split())
    return note if len(note) <= limit else note[:limit].rsplit(" ", 1)[0] + " …"


def _per_channel(proc: Procedure, attribute: str, label: str) -> list[str]:
    values = [(c.channel, getattr(c, attribute)) for c in proc.channels]
    known = [(ch, v) for ch, v in values if v]
    if not known:
        return [f"- {label}: Cổng Dịch vụ công không ghi thông tin này."]
    if len({v for _, v in known}) == 1 and len(known) == len(values):
        return [f"- {label}: {known[0][1]} (áp dụng cho mọi hình thức nộp: {', '.join(ch for ch, _ in values)})"]
    return [f"- {label} khi nộp {ch.lower()}: {v or 'không ghi'}" for ch, v in values]


def _fee_notes(proc: Procedure) -> list[str]:
    notes = []
    for channel in proc.channels:
        note = _short(channel.note)
        if note and note not in notes:
            notes.append(note)
    return [f"  Ghi chú: {n}" for n in notes[:2]]


def _online(proc: Procedure) -> str | None:
    if any(c.channel == "Trực tuyến" for c in proc.channels) and proc.url:
        return f"Có thể nộp trực tuyến qua Cổng Dịch vụ công quốc gia: {proc.url}"
    return None


def compose_section(proc: Procedure, intent: str) -> list[str]:
    """The answer lines for one intent."""
    if intent == "documents":
        if not proc.documents:
            return ["Cổng Dịch vụ công không liệt kê thành phần hồ sơ cho thủ tục này."]
        lines = ["Hồ sơ gồm:"]
        for doc in proc.documents:
            extra = f" — {doc.copies}" if doc.copies else ""
            note = _short(doc.note)
            lines.append(f"- {doc.name}{extra}" + (f" ({note})" if note else ""))
        return lines
    if intent == "time":
        return ["Thời hạn giải quyết:", *_per_channel(proc, "time_limit", "Thời hạn")]
    if intent == "fees":
        return ["Phí, lệ phí:", *_per_channel(proc, "fee", "Lệ phí"), *_fee_notes(proc)]
    if intent == "agency":
        lines = [f"Cơ quan thực hiện: {proc.agency or 'Cổng Dịch vụ công không ghi'}"]
        if proc.channels:
            lines.append("Hình thức nộp: " + ", ".join(dict.fromkeys(c.channel for c in proc.channels)) + ".")
        return lines
    if intent == "steps":
        if not proc.steps:
            return ["Cổng Dịch vụ công không ghi trình tự thực hiện cho thủ tục này."]
        return ["Các bước thực hiện:", *[f"{i}. {step}" for i, step in enumerate(proc.steps, start=1)]]
    if intent == "conditions":
        if not proc.conditions:
            return ["Cổng Dịch vụ công không nêu yêu cầu, điều kiện riêng cho thủ tục này."]
        return ["Yêu cầu, điều kiện:", *[f"- {c}" for c in proc.conditions]]
    if intent == "result":
        return [f"Kết quả: {proc.result or 'Cổng Dịch vụ công không ghi'}"]
    if intent == "legal_basis":
        if not proc.legal_basis:
            return ["Cổng Dịch vụ công không ghi căn cứ pháp lý cho thủ tục này."]
        return ["Căn cứ pháp lý:", *[f"- {r.title}" + (f" ({r.number})" if r.number else "") for r in proc.legal_basis]]
    # overview: short and useful for a citizen on a phone
    lines = []
    if proc.summary:
        lines.append(proc.summary)
    lines.append(f"- Cơ quan thực hiện: {proc.agency or 'Cổng Dịch vụ công không ghi'}")
    lines += _per_channel(proc, "time_limit", "Thời hạn")
    lines += _per_channel(proc, "fee", "Lệ phí")
    if proc.documents:
        lines.append(f"- Hồ sơ: {len(proc.documents)} loại giấy tờ (hỏi “cần giấy tờ gì” để xem danh sách).")
    return lines


@lru_cache(maxsize=4096)
def _sentence_words(sentence: str) -> frozenset[str]:
    return frozenset(fold_diacritics(w) for w in syllables(sentence))


def _sentences(proc: Procedure) -> list[str]:
    """Every sentence of the record's free text: summary, notes, steps, conditions, result."""
    texts = [proc.summary or "", proc.result or "", *proc.steps, *proc.conditions]
    texts += [c.note or "" for c in proc.channels] + [f"{d.name}: {d.note}" for d in proc.documents if d.note]
    sentences = []
    for text in texts:
        sentences += [s.strip(" -") for s in _SENTENCE.split(text) if len(s.strip()) > 15]
    return list(dict.fromkeys(sentences))


_TIME_EXPR = re.compile(r"\d+\s*(ngày|giờ|tháng|năm)", re.IGNORECASE)
_FEE_EXPR = re.compile(r"đồng|lệ phí|\bphí\b|miễn", re.IGNORECASE)


def related_notes(proc: Procedure, content_words: list[str], shown: str, intents: list[str], limit: int = 2) -> list[str]:
    """The record's sentences that best match what the question asks beyond the procedure's name.

    For time and fee questions, sentences that state a duration or an amount are preferred.
    """
    name_words = {fold_diacritics(w) for w in syllables(proc.name)}
    wanted = [w for w in content_words if w not in name_words]
    typed = [p for intent, p in (("time", _TIME_EXPR), ("fees", _FEE_EXPR)) if intent in intents]
    shown_folded = fold_diacritics(shown.casefold())
    scored = []
    for sentence in _sentences(proc):
        if fold_diacritics(sentence.casefold()) in shown_folded:
            continue
        words = _sentence_words(sentence)
        overlap = sum(w in words for w in wanted)
        if typed and any(p.search(sentence) for p in typed) and (overlap or not wanted):
            scored.append((overlap + 2, -len(sentence), sentence))
        elif wanted and overlap >= min(2, len(wanted)):
            scored.append((overlap, -len(sentence), sentence))
    scored.sort(reverse=True)
    return [_short(s, 300) for _, _, s in scored[:limit]]


def compose_procedure_answer(proc: Procedure, intents: list[str], content_words: list[str] | None = None) -> tuple[str, Citation]:
    """Heading, the asked sections, related notes from the record, the online link and the source."""
    section = INTENT_SECTIONS.get(intents[0], "overview")
    lines = [f"{proc.name} (mã {proc.code})"]
    for intent in intents:
        lines += compose_section(proc, intent)
    notes = related_notes(proc, content_words or [], "\n".join(lines), intents)
    lines += [f"Lưu ý: {note}" for note in notes]
    online = _online(proc)
    if online and any(i in ("overview", "agency", "steps", "documents") for i in intents):
        lines.append(online)
    lines.append(f"Nguồn: {proc.name}, mã {proc.code}, mục “{SECTION_TITLES[section]}”" + (f" — {proc.url}" if proc.url else ""))
    citation = Citation(code=proc.code, title=proc.name, section=SECTION_TITLES[section], url=proc.url)
    return "\n".join(lines), citation


_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\n")


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
            sentences = [s.strip() for s in _SENTENCE.split(body) if len(s.strip()) > 10]
            scored = sorted(sentences, key=lambda s: -len(wanted & set(bm25_tokens(s))))
            keep = set(scored[:3])
            picked = [s for s in sentences if s in keep]
        lines.append(f"Theo Kế hoạch CCHC 2026–2030 của phường, mục {chunk.heading}:")
        lines += [s if s.startswith("-") else f"- {s}" for s in picked]
        citations.append(Citation(code=chunk.doc_id, title=chunk.title, section=chunk.heading or "", url=None))
    lines.append(f"Nguồn: {chunks[0].title}.")
    return "\n".join(lines), citations


def compose_clarification(options: list[Procedure]) -> str:
    listed = "\n".join(f"{i}. {p.name} (mã {p.code})" for i, p in enumerate(options, start=1))
    return f"Câu hỏi của bạn có thể ứng với nhiều thủ tục. Bạn muốn hỏi thủ tục nào?\n{listed}"


def compose_checklist(proc: Procedure) -> str:
    """A plain-text checklist of the dossier, for printing or sending to a citizen."""
    lines = [f"DANH SÁCH GIẤY TỜ — {proc.name}", f"Mã thủ tục: {proc.code}", ""]
    for doc in proc.documents:
        lines.append(f"[ ] {doc.name}" + (f" — {doc.copies}" if doc.copies else ""))
        if doc.note:
            lines.append(f"    Ghi chú: {' '.join(doc.note.split())}")
    if not proc.documents:
        lines.append("(Cổng Dịch vụ công không liệt kê thành phần hồ sơ)")
    lines.append("")
    for channel in proc.channels:
        lines.append(f"{channel.channel}: thời hạn {channel.time_limit or 'không ghi'}; lệ phí {channel.fee or 'không ghi'}")
    lines += [f"Nơi nộp: {proc.agency or 'Trung tâm Phục vụ hành chính công'}", f"Nguồn: {proc.url or proc.code}"]
    return "\n".join(lines)
