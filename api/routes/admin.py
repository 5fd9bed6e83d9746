"""Administrator routes, behind the bearer token: uploads, jobs, versions and their change reports, rollback, statistics with texts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from api.deps import CallerDep, ServiceDep, TokenDep
from api.schemas import Message
from tthc.schema import AdminStats, IngestJob, VersionChanges, VersionList

ADMIN_RESPONSES: dict[int | str, dict] = {401: {"model": Message}, 403: {"model": Message}, 429: {"model": Message}}
router = APIRouter(prefix="/api/admin", tags=["admin"], responses=ADMIN_RESPONSES)
# /api/stats keeps its documented path but holds question texts, so it sits behind the token too
stats_router = APIRouter(prefix="/api", tags=["admin"], responses=ADMIN_RESPONSES)


@router.post(
    "/ingest", response_model=IngestJob, status_code=status.HTTP_202_ACCEPTED, responses={413: {"model": Message}, 422: {"model": Message}}
)
async def start_ingest(
    service: ServiceDep,
    caller: CallerDep,
    token: TokenDep,
    file: Annotated[UploadFile, File(description="Portal JSON/JSONL, danh sách .xlsx, hồ sơ .yaml, kế hoạch .txt/.docx")],
    remove_missing: Annotated[bool, Form(description="Gỡ các thủ tục không còn trong danh sách .xlsx")] = False,
) -> IngestJob:
    """Tải lên danh sách hoặc hồ sơ và nạp lại chỉ mục ở chế độ nền."""
    content = await file.read(service.settings.max_upload_mb * 1024 * 1024 + 1)
    return service.submit_ingest(caller, token, file.filename or "upload", content, remove_missing)


@router.get("/ingest/{job_id}", response_model=IngestJob, responses={404: {"model": Message}})
def ingest_job(job_id: str, service: ServiceDep, caller: CallerDep, token: TokenDep) -> IngestJob:
    """Tiến độ và báo cáo của một lần nạp dữ liệu."""
    return service.ingest_job(caller, token, job_id)


@router.get("/versions", response_model=VersionList)
def versions(service: ServiceDep, caller: CallerDep, token: TokenDep) -> VersionList:
    """Các phiên bản chỉ mục đang giữ và phiên bản hiện tại."""
    return service.versions(caller, token)


@router.get("/versions/{version}/changes", response_model=VersionChanges, responses={404: {"model": Message}})
def version_changes(version: str, service: ServiceDep, caller: CallerDep, token: TokenDep) -> VersionChanges:
    """Báo cáo thay đổi của một phiên bản so với phiên bản trước: thủ tục thêm, đổi (từng trường), gỡ bỏ."""
    return service.version_changes(caller, token, version)


@router.post("/rollback", response_model=VersionList, responses={409: {"model": Message}})
def rollback_version(service: ServiceDep, caller: CallerDep, token: TokenDep) -> VersionList:
    """Quay lại phiên bản chỉ mục trước đó."""
    return service.rollback(caller, token)


@stats_router.get("/stats", response_model=AdminStats)
def admin_stats(service: ServiceDep, caller: CallerDep, token: TokenDep) -> AdminStats:
    """Số câu hỏi theo ngày, tỷ lệ hài lòng so với mục tiêu 97%, thủ tục được hỏi nhiều, câu hỏi chưa trả lời được."""
    return AdminStats(**service.admin_stats(caller, token))
