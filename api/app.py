"""The FastAPI application of the API: routes, error mapping, CORS and security headers."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from api.routes import admin, health, public
from service import ServiceError, TthcService

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _validation_message(exc: RequestValidationError) -> str:
    """The first validation error, in Vietnamese."""
    for error in exc.errors():
        field = ".".join(str(p) for p in error.get("loc", [])[1:]) or "yêu cầu"
        return f"Dữ liệu gửi lên không hợp lệ ở trường “{field}”."
    return "Dữ liệu gửi lên không hợp lệ."


def create_api(service: TthcService) -> FastAPI:
    """The API over one service; the index and the model load on the first request that needs them."""
    app = FastAPI(
        title=f"Trợ lý thủ tục hành chính — {service.settings.ward_name}",
        description="Hỏi đáp và tra cứu thủ tục hành chính, có trích dẫn nguồn chính thức.",
        version="0.2.0",
    )
    app.state.service = service

    @app.exception_handler(ServiceError)
    async def _refused(request: Request, exc: ServiceError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        log.info("refused %s %s with %d: %s", request.method, request.url.path, exc.status, exc.__class__.__name__)
        return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        log.info("rejected %s %s: %s at %s", request.method, request.url.path, first.get("type"), first.get("loc"))
        return JSONResponse({"detail": _validation_message(exc)}, status_code=422)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api"):
            response.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    app.add_middleware(
        CORSMiddleware,
        allow_origins=service.settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Authorization"],
    )
    app.include_router(health.router)
    app.include_router(public.router)
    app.include_router(admin.router)
    app.include_router(admin.stats_router)
    return app
