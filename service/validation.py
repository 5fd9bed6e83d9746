"""Checks on what citizens type, shared by every front; limits come from the settings."""

from __future__ import annotations

import re
import unicodedata

from service.errors import InvalidInput

# zero-width characters and bidi controls hide text from people: stripped
_HIDDEN = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# control characters and Unicode tag characters (used to smuggle instructions): refused
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\U000e0000-\U000e007f]")


def clean_question(text: str, max_chars: int) -> str:
    """Strip hidden characters; refuse control and tag characters, empty text and text over the limit."""
    if _FORBIDDEN.search(text):
        raise InvalidInput("Câu hỏi chứa ký tự điều khiển hoặc ký tự ẩn không hợp lệ. Vui lòng gõ lại câu hỏi.")
    text = _HIDDEN.sub("", unicodedata.normalize("NFC", text))
    text = " ".join(text.split())
    if not any(ch.isalnum() for ch in text):
        raise InvalidInput("Câu hỏi đang trống hoặc chỉ có dấu câu. Vui lòng nhập câu hỏi về thủ tục hành chính.")
    if len(text) > max_chars:
        raise InvalidInput(f"Câu hỏi quá dài (tối đa {max_chars} ký tự). Vui lòng hỏi ngắn gọn hơn.")
    return text


def clean_history(history: list[dict], max_turns: int) -> list[dict]:
    """At most ``max_turns`` turns of role and text; hidden and control characters removed."""
    if len(history) > max_turns:
        raise InvalidInput(f"Lịch sử hội thoại quá dài (tối đa {max_turns} lượt).")
    cleaned = []
    for turn in history:
        role = turn.get("role")
        if role not in ("user", "assistant"):
            raise InvalidInput("Lịch sử hội thoại không hợp lệ: mỗi lượt phải là của người hỏi (user) hoặc trợ lý (assistant).")
        content = _FORBIDDEN.sub("", _HIDDEN.sub("", str(turn.get("content", ""))))
        cleaned.append({"role": role, "content": content})
    return cleaned


def clean_comment(comment: str | None, max_chars: int) -> str | None:
    if comment is None:
        return None
    comment = " ".join(_FORBIDDEN.sub("", _HIDDEN.sub("", comment)).split())
    if len(comment) > max_chars:
        raise InvalidInput(f"Góp ý quá dài (tối đa {max_chars} ký tự).")
    return comment or None


def clean_search(text: str, max_chars: int) -> str:
    text = " ".join(_FORBIDDEN.sub(" ", _HIDDEN.sub("", unicodedata.normalize("NFC", text or ""))).split())
    if not any(ch.isalnum() for ch in text):
        raise InvalidInput("Vui lòng nhập từ khóa tìm kiếm.")
    if len(text) > max_chars:
        raise InvalidInput(f"Từ khóa quá dài (tối đa {max_chars} ký tự).")
    return text
