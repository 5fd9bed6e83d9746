"""Routes for citizens and officers: chat, search, procedures, feedback, stats."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import StreamingResponse

from api.deps import INDEX_UNAVAILABLE, AssistantDep, HolderDep, StorageDep, limit_public
from api.schemas import (
    ChatRequest,
    ChatResponse,
    FeedbackRequest,
    FeedbackResponse,
    Message,
    ProcedureCard,
    ProcedurePage,
    ProcedureSummary,
    SearchResponse,
)
from rag.composer import compose_checklist
from rag.retriever import VectorStoreUnavailable
from rag.search import search_procedures
from tthc.pii import redact

log = logging.getLogger(__name__)
router = APIRouter(
    prefix="/api",
    tags=["public"],
    responses={422: {"model": Message}, 429: {"model": Message}, 503: {"model": Message}},
)
Limited = [Depends(limit_public)]


def _answer(request: ChatRequest, assistant: AssistantDep, storage: StorageDep) -> ChatResponse:
    try:
        answer = assistant.answer(request.question, [t.model_dump() for t in request.history])
    except VectorStoreUnavailable as exc:
        log.error("chat unavailable: %s", exc)
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, INDEX_UNAVAILABLE) from exc
    answer_id = storage.record_answer(request.question, answer, assistant.version)
    log.info(
        "answered %s focus=%s refused=%s in %.1f ms: %s",
        answer_id,
        answer.focus_code,
        answer.refused,
        answer.latency_ms,
        redact(request.question)[:120],
    )
    return ChatResponse(**answer.model_dump(), answer_id=answer_id)


@router.post("/chat", response_model=ChatResponse, dependencies=Limited, responses={422: {"model": Message}, 503: {"model": Message}})
def chat(request: ChatRequest, assistant: AssistantDep, storage: StorageDep) -> ChatResponse:
    """Trả lời một câu hỏi, kèm nguồn trích dẫn."""
    return _answer(request, assistant, storage)


@router.post("/chat/stream", dependencies=Limited, responses={200: {"content": {"text/event-stream": {}}}, 503: {"model": Message}})
def chat_stream(request: ChatRequest, assistant: AssistantDep, storage: StorageDep) -> StreamingResponse:
    """Cùng câu trả lời, gửi dần dưới dạng server-sent events: các sự kiện `delta`, rồi `done` với toàn bộ kết quả."""
    response = _answer(request, assistant, storage)

    def events() -> Iterator[str]:
        for line in response.answer.split("\n"):
            yield f"event: delta\ndata: {json.dumps({'text': line + chr(10)}, ensure_ascii=False)}\n\n"
        yield f"event: done\ndata: {response.model_dump_json()}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@router.get("/search", response_model=SearchResponse, dependencies=Limited)
def search(
    assistant: AssistantDep,
    q: Annotated[str, Query(min_length=1, max_length=300, description="Từ khóa tìm kiếm")],
    field: Annotated[str | None, Query(max_length=200, description="Lĩnh vực")] = None,
    level: Annotated[str | None, Query(max_length=50, description="Cấp thực hiện, ví dụ 'Cấp xã'")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchResponse:
    """Tìm thủ tục cho cán bộ một cửa, kèm đoạn trích khớp."""
    if not any(ch.isalnum() for ch in q):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "Vui lòng nhập từ khóa tìm kiếm.")
    try:
        hits = search_procedures(assistant, q, field, level, limit)
    except VectorStoreUnavailable as exc:
        log.error("search unavailable: %s", exc)
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, INDEX_UNAVAILABLE) from exc
    return SearchResponse(query=q, hits=hits)


@router.get("/procedures", response_model=ProcedurePage, dependencies=Limited)
def list_procedures(
    assistant: AssistantDep,
    field: Annotated[str | None, Query(max_length=200)] = None,
    level: Annotated[str | None, Query(max_length=50)] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ProcedurePage:
    """Danh sách thủ tục, có phân trang và lọc theo lĩnh vực, cấp."""
    procs = sorted(assistant.index.procedures.values(), key=lambda p: (p.field, p.name))
    if field:
        procs = [p for p in procs if p.field.casefold() == field.casefold()]
    if level:
        procs = [p for p in procs if any(level.casefold() == lv.casefold() for lv in p.levels)]
    start = (page - 1) * page_size
    items = [
        ProcedureSummary(code=p.code, name=p.name, field=p.field, levels=p.levels, url=p.url, source=p.source)
        for p in procs[start : start + page_size]
    ]
    return ProcedurePage(total=len(procs), page=page, page_size=page_size, items=items)


@router.get("/procedures/{code}", response_model=ProcedureCard, dependencies=Limited, responses={404: {"model": Message}})
def procedure_card(code: str, assistant: AssistantDep) -> ProcedureCard:
    """Thẻ thủ tục đầy đủ: cách thức nộp, thời hạn, lệ phí, hồ sơ, trình tự, điều kiện, kết quả, căn cứ pháp lý."""
    proc = assistant.index.procedures.get(code)
    if proc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Không tìm thấy thủ tục có mã {code[:20]}.")
    return ProcedureCard(**proc.model_dump(), checklist=compose_checklist(proc))


@router.post("/feedback", response_model=FeedbackResponse, dependencies=Limited, responses={404: {"model": Message}})
def feedback(request: FeedbackRequest, storage: StorageDep) -> FeedbackResponse:
    """Đánh giá một câu trả lời (hài lòng / chưa hài lòng)."""
    if not storage.answer_exists(request.answer_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Không tìm thấy câu trả lời cần đánh giá.")
    storage.record_feedback(request.answer_id, request.rating, request.comment)
    return FeedbackResponse()


@router.get("/stats", dependencies=Limited)
def stats(storage: StorageDep, holder: HolderDep) -> dict:
    """Số câu hỏi theo ngày, tỷ lệ hài lòng so với mục tiêu 97%, thủ tục được hỏi nhiều, câu hỏi chưa trả lời được."""
    data = storage.stats()
    try:
        procedures = holder.get().index.procedures
    except Exception:  # stats stay available without an index
        procedures = {}
    for row in data["most_asked"]:
        row["name"] = procedures[row["code"]].name if row["code"] in procedures else row["code"]
    return data
