"""Calling a Gradio handler of the mounted UI directly, as Gradio would, with a request from a given address."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from fastapi import FastAPI
from starlette.routing import Mount


def gradio_handler(app: FastAPI, api_name: str) -> Callable[..., Any]:
    """The function behind the UI event published as ``api_name``."""
    for route in app.routes:
        if isinstance(route, Mount) and route.path == "/ui":
            blocks = route.app.get_blocks()  # type: ignore[attr-defined]  # Gradio's own app class
            for block_fn in blocks.fns.values():
                if block_fn.api_name == api_name:
                    return block_fn.fn
    raise LookupError(f"no UI handler named {api_name}")


def fake_request(host: str = "203.0.113.7", headers: dict[str, str] | None = None) -> Any:
    """What the handlers read of gr.Request: the peer address and the headers."""
    return SimpleNamespace(client=SimpleNamespace(host=host), headers=headers or {})
