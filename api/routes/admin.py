"""Administrator routes, behind the bearer token: uploads, jobs, versions, rollback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, UploadFile, status

from api.deps import JobsDep, SettingsDep, StorageDep, limit_admin, require_admin
from api.jobs import UploadRejected
from api.schemas import IngestJob, Message, VersionList
from ingest.pipeline import rollback
from ingest.store import IndexProblem, VersionStore

router = APIRouter(
    prefix="/api/admin",
    tags=["admin"],
    dependencies=[Depends(limit_admin), Depends(require_admin)],
    responses={401: {"model": Message}, 403: {"model": Message}, 429: {"model": Message}},
)


@router.post(
    "/ingest", response_model=IngestJob, status_code=status.HTTP_202_ACCEPTED, responses={413: {"model": Message}, 422: {"model": Message}}
)
async def start_ingest(
    jobs: JobsDep,
    storage: StorageDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="Portal JSON/JSONL, danh sách .xlsx, hồ sơ .yaml, kế hoạch .txt/.docx")],
    remove_missing: Annotated[bool, Form(description="Gỡ các thủ tục không còn trong danh sách .xlsx")] = False,
) -> IngestJob:
    """Tải lên danh sách hoặc hồ sơ và nạp lại chỉ mục ở chế độ nền."""
    limit = settings.max_upload_mb * 1024 * 1024
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"Tệp quá lớn (tối đa {settings.max_upload_mb} MB).")
    try:
        job_id = jobs.submit(file.filename or "upload", content, remove_missing)
    except UploadRejected as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    return IngestJob(**storage.job(job_id))


@router.get("/ingest/{job_id}", response_model=IngestJob, responses={404: {"model": Message}})
def ingest_job(job_id: str, storage: StorageDep) -> IngestJob:
    """Tiến độ và báo cáo của một lần nạp dữ liệu."""
    job = storage.job(job_id[:64])
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Không tìm thấy lần nạp dữ liệu này.")
    return IngestJob(**job)


@router.get("/versions", response_model=VersionList)
def versions(settings: SettingsDep) -> VersionList:
    """Các phiên bản chỉ mục đang giữ và phiên bản hiện tại."""
    store = VersionStore(settings.index_dir)
    return VersionList(current=store.current(), versions=store.versions())


@router.post("/rollback", response_model=VersionList, responses={409: {"model": Message}})
def rollback_version(settings: SettingsDep) -> VersionList:
    """Quay lại phiên bản chỉ mục trước đó."""
    try:
        rollback(settings)
    except IndexProblem as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, f"Không thể quay lại: {exc}") from exc
    store = VersionStore(settings.index_dir)
    return VersionList(current=store.current(), versions=store.versions())
