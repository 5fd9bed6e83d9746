"""Routes for citizens and officers: chat, search, procedures, feedback, public counts. Thin: the service decides."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.deps import CallerDep, ServiceDep
from api.schemas import ChatRequest, FeedbackRequest, FeedbackResponse, Message, SearchResponse
from tthc.schema import ChatResult, ProcedureCard, ProcedurePage, PublicLimits, PublicStats, UpdateList

router = APIRouter(
    prefix="/api",
    tags=["public"],
    responses={422: {"model": Message}, 429: {"model": Message}, 503: {"model": Message}},
)


@router.post("/chat", response_model=ChatResult)
def chat(request: ChatRequest, service: ServiceDep, caller: CallerDep) -> ChatResult:
    """Trả lời một câu hỏi, kèm nguồn trích dẫn."""
    return service.chat(caller, request.question, [t.model_dump() for t in request.history])


@router.post("/chat/stream", responses={200: {"content": {"text/event-stream": {}}}})
def chat_stream(request: ChatRequest, service: ServiceDep, caller: CallerDep) -> StreamingResponse:
    """Cùng câu trả lời, gửi dần dưới dạng server-sent events: các sự kiện `delta`, rồi `done` với toàn bộ kết quả."""
    result = service.chat(caller, request.question, [t.model_dump() for t in request.history])

    def events() -> Iterator[str]:
        for line in result.answer.split("\n"):
            yield f"event: delta\ndata: {json.dumps({'text': line + chr(10)}, ensure_ascii=False)}\n\n"
        yield f"event: done\ndata: {result.model_dump_json()}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@router.get("/search", response_model=SearchResponse)
def search(
    service: ServiceDep,
    caller: CallerDep,
    q: Annotated[str, Query(min_length=1, max_length=1000, description="Từ khóa tìm kiếm")],
    field: Annotated[str | None, Query(max_length=200, description="Lĩnh vực")] = None,
    level: Annotated[str | None, Query(max_length=50, description="Cấp thực hiện, ví dụ 'Cấp xã'")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchResponse:
    """Tìm thủ tục cho cán bộ một cửa, kèm đoạn trích khớp."""
    return SearchResponse(query=q, hits=service.search(caller, q, field, level, limit))


@router.get("/procedures", response_model=ProcedurePage)
def list_procedures(
    service: ServiceDep,
    caller: CallerDep,
    field: Annotated[str | None, Query(max_length=200)] = None,
    level: Annotated[str | None, Query(max_length=50)] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ProcedurePage:
    """Danh sách thủ tục, có phân trang và lọc theo lĩnh vực, cấp."""
    return service.procedures(caller, field, level, page, page_size)


@router.get("/procedures/{code}", response_model=ProcedureCard, responses={404: {"model": Message}})
def procedure_card(code: str, service: ServiceDep, caller: CallerDep) -> ProcedureCard:
    """Thẻ thủ tục đầy đủ: cách thức nộp, thời hạn, lệ phí, hồ sơ, trình tự, điều kiện, kết quả, căn cứ pháp lý."""
    return service.procedure_card(caller, code)


@router.get("/updates", response_model=UpdateList)
def updates(
    service: ServiceDep,
    caller: CallerDep,
    days: Annotated[int, Query(ge=1, le=366, description="Số ngày gần đây")] = 30,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> UpdateList:
    """Thủ tục mới cập nhật: mã, tên, ngày và nội dung thay đổi (thời hạn, lệ phí, hồ sơ…), mới nhất trước."""
    return service.updates(caller, days, limit)


@router.post("/feedback", response_model=FeedbackResponse, responses={404: {"model": Message}})
def feedback(request: FeedbackRequest, service: ServiceDep, caller: CallerDep) -> FeedbackResponse:
    """Đánh giá một câu trả lời (hài lòng / chưa hài lòng)."""
    service.feedback(caller, request.answer_id, request.rating, request.comment)
    return FeedbackResponse()


@router.get("/stats/public", response_model=PublicStats)
def public_stats(service: ServiceDep, caller: CallerDep) -> PublicStats:
    """Số liệu tổng hợp, không có nội dung câu hỏi: số câu hỏi theo ngày, số đánh giá, tỷ lệ hài lòng so với mục tiêu 97%."""
    return PublicStats(**service.public_stats(caller))


@router.get("/limits", response_model=PublicLimits)
def limits(service: ServiceDep) -> PublicLimits:
    """Giới hạn nhập liệu (độ dài câu hỏi, số lượt hội thoại) mà mọi giao diện áp dụng."""
    return service.limits()
