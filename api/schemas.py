"""Request bodies of the HTTP API; results are the shared types of tthc.schema.

Only the shape is checked here; content and limits (from the settings) are checked by the service,
so every front refuses the same input with the same message.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tthc.schema import SearchHit

# a hard cap on what is parsed at all; the configured limits are lower and enforced by the service
_PARSE_CAP = 20000


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=_PARSE_CAP)


class ChatRequest(BaseModel):
    question: str = Field(max_length=_PARSE_CAP, description="Câu hỏi của người dân", examples=["lam giay khai sinh cho con can gi"])
    history: list[Turn] = Field(default_factory=list, max_length=100, description="Các lượt hội thoại trước")


class SearchResponse(BaseModel):
    query: str
    hits: list[SearchHit]


class FeedbackRequest(BaseModel):
    answer_id: str = Field(min_length=1, max_length=64)
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=_PARSE_CAP)


class FeedbackResponse(BaseModel):
    ok: bool = True


class Message(BaseModel):
    detail: str
