"""Request and response bodies of the HTTP API (the answer and the procedure come from tthc.schema)."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from tthc.schema import Answer, Procedure, SearchHit

# zero-width characters and bidi controls hide text from people: stripped
_HIDDEN = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# control characters and Unicode tag characters (used to smuggle instructions): refused
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\U000e0000-\U000e007f]")
MAX_QUESTION_CHARS = 1000
MAX_HISTORY_TURNS = 10


def clean_question(text: str) -> str:
    """Strip hidden characters; refuse control and tag characters, and text with nothing to answer."""
    if _FORBIDDEN.search(text):
        raise ValueError("Câu hỏi chứa ký tự điều khiển hoặc ký tự ẩn không hợp lệ. Vui lòng gõ lại câu hỏi.")
    text = _HIDDEN.sub("", unicodedata.normalize("NFC", text))
    text = " ".join(text.split())
    if not any(ch.isalnum() for ch in text):
        raise ValueError("Câu hỏi đang trống hoặc chỉ có dấu câu. Vui lòng nhập câu hỏi về thủ tục hành chính.")
    if len(text) > MAX_QUESTION_CHARS:
        raise ValueError(f"Câu hỏi quá dài (tối đa {MAX_QUESTION_CHARS} ký tự). Vui lòng hỏi ngắn gọn hơn.")
    return text


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=5000)


class ChatRequest(BaseModel):
    question: str = Field(description="Câu hỏi của người dân", examples=["lam giay khai sinh cho con can gi"])
    history: list[Turn] = Field(default_factory=list, description="Các lượt hội thoại trước (tối đa 10)")

    @field_validator("question")
    @classmethod
    def _clean(cls, value: str) -> str:
        return clean_question(value)

    @field_validator("history")
    @classmethod
    def _short_history(cls, value: list[Turn]) -> list[Turn]:
        if len(value) > MAX_HISTORY_TURNS:
            raise ValueError(f"Lịch sử hội thoại quá dài (tối đa {MAX_HISTORY_TURNS} lượt).")
        return [Turn(role=t.role, content=_FORBIDDEN.sub("", _HIDDEN.sub("", t.content))) for t in value]


class ChatResponse(Answer):
    answer_id: str


class SearchResponse(BaseModel):
    query: str
    hits: list[SearchHit]


class ProcedureSummary(BaseModel):
    code: str
    name: str
    field: str
    levels: list[str]
    url: str | None
    source: str


class ProcedurePage(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[ProcedureSummary]


class ProcedureCard(Procedure):
    checklist: str = Field(description="Danh sách giấy tờ để in hoặc gửi cho người dân")


class FeedbackRequest(BaseModel):
    answer_id: str = Field(min_length=1, max_length=64)
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=1000)


class FeedbackResponse(BaseModel):
    ok: bool = True


class IngestJob(BaseModel):
    id: str
    status: str
    filename: str
    created_at: str
    updated_at: str
    report: dict | None = None
    error: str | None = None


class VersionList(BaseModel):
    current: str | None
    versions: list[str]


class Message(BaseModel):
    detail: str
