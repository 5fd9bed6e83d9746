"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ServiceDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Chỉ mục chưa sẵn sàng"}})
def readyz(service: ServiceDep) -> JSONResponse:
    """The current index version is loaded and answers."""
    ready, detail = service.ready()
    if ready:
        return JSONResponse({"status": "ready", "index_version": detail})
    return JSONResponse({"status": "not_ready", "detail": "Chỉ mục chưa sẵn sàng.", "reason": detail}, status_code=503)
