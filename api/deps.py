"""Dependencies injected into the routes: the service and who is calling."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service import TthcService
from service.core import Caller


def get_service(request: Request) -> TthcService:
    return request.app.state.service


ServiceDep = Annotated[TthcService, Depends(get_service)]


def get_caller(request: Request, service: ServiceDep) -> Caller:
    peer = request.client.host if request.client else None
    return service.caller(peer, request.headers.get("x-forwarded-for"))


def admin_token(request: Request) -> str | None:
    """The bearer token, or None when the header is missing or of another scheme."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


CallerDep = Annotated[Caller, Depends(get_caller)]
TokenDep = Annotated[str | None, Depends(admin_token)]
