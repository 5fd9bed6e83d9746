"""Dependencies injected into the routes."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from api.holder import AssistantHolder
from api.jobs import IngestJobs
from api.ratelimit import RateLimiter
from api.storage import Storage
from ingest.store import IndexProblem
from rag.service import Assistant
from tthc.settings import Settings

log = logging.getLogger(__name__)
INDEX_UNAVAILABLE = "Hệ thống tra cứu tạm thời chưa sẵn sàng. Vui lòng thử lại sau ít phút hoặc liên hệ Trung tâm Phục vụ hành chính công."


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_storage(request: Request) -> Storage:
    return request.app.state.storage


def get_jobs(request: Request) -> IngestJobs:
    return request.app.state.jobs


def get_holder(request: Request) -> AssistantHolder:
    return request.app.state.holder


def get_assistant(holder: Annotated[AssistantHolder, Depends(get_holder)]) -> Assistant:
    """The assistant of the current index version, or a clear 503."""
    try:
        return holder.get()
    except IndexProblem as exc:
        log.error("index unavailable: %s", exc)
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, INDEX_UNAVAILABLE) from exc


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limit(limiter_name: str):
    def check(request: Request) -> None:
        limiter: RateLimiter = getattr(request.app.state, limiter_name)
        wait = limiter.check(client_key(request))
        if wait > 0:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                "Bạn gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng đợi một chút rồi thử lại.",
                headers={"Retry-After": str(max(1, round(wait)))},
            )

    return check


limit_public = _limit("public_limiter")
limit_admin = _limit("admin_limiter")


def require_admin(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> None:
    """Bearer token, compared in constant time; failures are logged without the token."""
    if not settings.admin_enabled:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Chức năng quản trị đang tắt: cần đặt TTHC_ADMIN_TOKEN (không dùng giá trị mặc định).",
        )
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        log.warning("admin request without a bearer token from %s", client_key(request))
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Cần đăng nhập quản trị.", headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(token.encode(), settings.admin_token.encode()):
        log.warning("admin request with a wrong token from %s", client_key(request))
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Mã quản trị không đúng.")


SettingsDep = Annotated[Settings, Depends(get_settings)]
StorageDep = Annotated[Storage, Depends(get_storage)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
HolderDep = Annotated[AssistantHolder, Depends(get_holder)]
JobsDep = Annotated[IngestJobs, Depends(get_jobs)]
