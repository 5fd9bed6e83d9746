"""The FastAPI application: API routes, the Gradio UI at /ui and the chat widget at /widget."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from langchain_core.embeddings import Embeddings

from api.holder import AssistantHolder
from api.jobs import IngestJobs
from api.ratelimit import RateLimiter
from api.routes import admin, health, public
from api.storage import Storage
from ingest.embeddings import make_embeddings
from tthc.settings import Settings, get_settings

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _validation_message(exc: RequestValidationError) -> str:
    """The first validation error, in Vietnamese where we wrote one."""
    for error in exc.errors():
        message = str(error.get("msg", ""))
        if message.startswith("Value error, "):
            return message.removeprefix("Value error, ")
        field = ".".join(str(p) for p in error.get("loc", [])[1:]) or "yêu cầu"
        return f"Dữ liệu gửi lên không hợp lệ ở trường “{field}”."
    return "Dữ liệu gửi lên không hợp lệ."


def create_app(settings: Settings | None = None, embeddings_factory: Callable[[Settings], Embeddings] = make_embeddings) -> FastAPI:
    """Build the app; the index and the model load on the first request that needs them."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        if not app.state.storage.flush(timeout=30):
            log.error("shutting down with unsaved answers or feedback")

    app = FastAPI(
        lifespan=lifespan,
        title="Trợ lý thủ tục hành chính — phường Nam Gia Nghĩa",
        description="Hỏi đáp và tra cứu thủ tục hành chính, có trích dẫn nguồn chính thức.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.storage = Storage(settings.database_path)
    app.state.holder = AssistantHolder(settings, embeddings_factory)
    app.state.jobs = IngestJobs(settings, app.state.storage)
    app.state.public_limiter = RateLimiter(settings.chat_rate_per_minute, settings.rate_limit_clients)
    app.state.admin_limiter = RateLimiter(settings.admin_rate_per_minute, settings.rate_limit_clients)
    if not settings.admin_enabled:
        log.warning("admin routes are off: set TTHC_ADMIN_TOKEN to a non-default value (or TTHC_DEV_MODE=true)")

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
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Authorization"],
    )
    app.include_router(health.router)
    app.include_router(public.router)
    app.include_router(admin.router)

    from ui.app import mount_ui

    mount_ui(app, settings)
    return app
