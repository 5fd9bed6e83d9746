"""Errors the service raises; each carries a Vietnamese message for people and a status class
that every front maps the same way (the API to HTTP codes, the UI to a message)."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal with a message a citizen or an administrator can read."""

    status = 400

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class InvalidInput(ServiceError):
    status = 422


class TooLarge(ServiceError):
    status = 413


class RateLimited(ServiceError):
    status = 429


class Unavailable(ServiceError):
    status = 503


class NotFound(ServiceError):
    status = 404


class AuthRequired(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409
