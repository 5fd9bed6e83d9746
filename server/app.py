"""The application `tthc serve` runs: one service, the API under /api, the Gradio UI at /ui and the widget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.app import create_api
from index_store.embeddings import make_embeddings
from service import TthcService
from service.core import EmbeddingsFactory
from tthc.settings import Settings, get_settings
from ui.app import mount_ui


def create_app(settings: Settings | None = None, embeddings_factory: EmbeddingsFactory = make_embeddings) -> FastAPI:
    """Build the app around one service; without settings, they are read from the environment."""
    service = TthcService(settings or get_settings(), embeddings_factory)
    app = create_api(service)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()

    app.router.lifespan_context = lifespan
    mount_ui(app, service)
    return app
