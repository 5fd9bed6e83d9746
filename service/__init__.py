"""The one service layer every front calls (REST, SSE, Gradio, widget): validation and limits,
rate limiting, availability, the question log with redaction, feedback and admin authentication."""

from service.core import TthcService
from service.errors import ServiceError

__all__ = ["ServiceError", "TthcService"]
