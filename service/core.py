"""TthcService: what every front may do, with the same checks, limits and log for all of them.

Fronts pass the caller's address (``client``) and, for admin actions, the token they were given;
they never touch the assistant, the store or the index directly.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from index_store.embeddings import Embedder, make_embeddings
from index_store.store import IndexProblem, VersionStore
from ingest import IngestReport, rollback
from rag.composer import compose_checklist
from rag.retriever import VectorStoreUnavailable
from rag.search import search_procedures
from rag.service import Assistant
from service.clients import client_address
from service.errors import AuthRequired, Conflict, Forbidden, NotFound, RateLimited, TooLarge, Unavailable
from service.holder import AssistantHolder
from service.jobs import IngestJobs
from service.privacy import RetentionTimer
from service.ratelimit import FailureThrottle, RateLimiter
from service.storage import Storage
from service.updates import UpdateFeed
from service.validation import clean_comment, clean_history, clean_question, clean_search
from tthc.pii import redact
from tthc.schema import (
    ChatResult,
    IngestJob,
    Procedure,
    ProcedureCard,
    ProcedurePage,
    ProcedureSummary,
    PublicLimits,
    SearchHit,
    UpdateList,
    VersionChanges,
    VersionList,
)
from tthc.settings import Settings

log = logging.getLogger(__name__)

INDEX_UNAVAILABLE = "Hệ thống tra cứu tạm thời chưa sẵn sàng. Vui lòng thử lại sau ít phút hoặc liên hệ Trung tâm Phục vụ hành chính công."
TOO_MANY = "Bạn gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng đợi khoảng {seconds} giây rồi thử lại."
NAME_WARM_UP = "Tôi là Trần Văn Minh"  # a made-up name that reaches the tagger
ADMIN_OFF = "Chức năng quản trị đang tắt: cần đặt TTHC_ADMIN_TOKEN (không dùng giá trị mặc định)."
ADMIN_LOCKED = "Nhập sai mã quản trị quá nhiều lần. Vui lòng thử lại sau khoảng {minutes} phút."

EmbeddingsFactory = Callable[[Settings], Embedder]


@dataclass(frozen=True)
class Caller:
    """Who is calling: the address limits key on (already resolved through trusted proxies)."""

    address: str


class TthcService:
    """One instance per process, shared by the API, the SSE route, the Gradio tabs and the widget."""

    def __init__(self, settings: Settings, embeddings_factory: EmbeddingsFactory = make_embeddings) -> None:
        self.settings = settings
        self.storage = Storage.from_settings(settings)
        # retention holds from the first request on (the timer purges once at start), then every interval
        self._retention = RetentionTimer(self.storage, settings.question_retention_days, settings.purge_interval_hours * 3600)
        self._retention.start()
        self.holder = AssistantHolder(settings, embeddings_factory)
        self.jobs = IngestJobs(settings, self.storage)
        self.updates_feed = UpdateFeed(settings)
        self._public = RateLimiter(settings.chat_rate_per_minute, settings.rate_limit_clients)
        self._admin = RateLimiter(settings.admin_rate_per_minute, settings.rate_limit_clients)
        self._admin_failures = FailureThrottle(
            settings.admin_max_failures, settings.admin_failure_window_s, settings.admin_lockout_s, settings.rate_limit_clients
        )
        # the name tagger behind redaction takes seconds to load: load it now, not on a citizen's first question
        threading.Thread(target=redact, args=(NAME_WARM_UP,), name="redaction-warm-up", daemon=True).start()
        if not settings.admin_enabled:
            log.warning("admin routes are off: set TTHC_ADMIN_TOKEN to a non-default value (or TTHC_DEV_MODE=true)")

    # who is calling and how often

    def caller(self, peer: str | None, forwarded_for: str | None = None) -> Caller:
        return Caller(client_address(peer, forwarded_for, self.settings.trusted_proxies))

    @staticmethod
    def _throttle(limiter: RateLimiter, caller: Caller) -> None:
        wait = limiter.check(caller.address)
        if wait > 0:
            seconds = max(1, round(wait))
            raise RateLimited(TOO_MANY.format(seconds=seconds), retry_after=seconds)

    def limits(self) -> PublicLimits:
        s = self.settings
        return PublicLimits(
            max_question_chars=s.max_question_chars, max_history_turns=s.max_history_turns, max_comment_chars=s.max_comment_chars
        )

    def assistant(self) -> Assistant:
        """The assistant of the current index version, or Unavailable."""
        try:
            return self.holder.get()
        except IndexProblem as exc:
            log.error("index unavailable: %s", exc)
            raise Unavailable(INDEX_UNAVAILABLE) from exc

    def ready(self) -> tuple[bool, str]:
        return self.holder.ready()

    # citizens and officers

    def chat(self, caller: Caller, question: str, history: list[dict] | None = None) -> ChatResult:
        """Answer a question; the redacted question and the answer go to the log, the answer id comes back."""
        self._throttle(self._public, caller)
        question = clean_question(question, self.settings.max_question_chars)
        turns = clean_history(history or [], self.settings.max_history_turns)
        assistant = self.assistant()
        try:
            answer = assistant.answer(question, turns)
        except VectorStoreUnavailable as exc:
            log.error("chat unavailable: %s", exc)
            raise Unavailable(INDEX_UNAVAILABLE) from exc
        answer = self.updates_feed.annotate(answer, assistant.version)
        answer_id = self.storage.record_answer(question, answer, assistant.version)
        log.info(
            "answered %s focus=%s refused=%s in %.1f ms: %s",
            answer_id,
            answer.focus_code,
            answer.refused,
            answer.latency_ms,
            redact(question)[:120],
        )
        return ChatResult(**answer.model_dump(), answer_id=answer_id)

    def search(self, caller: Caller, query: str, field: str | None = None, level: str | None = None, limit: int = 10) -> list[SearchHit]:
        self._throttle(self._public, caller)
        query = clean_search(query, self.settings.max_search_chars)
        try:
            return search_procedures(self.assistant(), query, field or None, level or None, limit)
        except VectorStoreUnavailable as exc:
            log.error("search unavailable: %s", exc)
            raise Unavailable(INDEX_UNAVAILABLE) from exc

    def procedures(self, caller: Caller, field: str | None, level: str | None, page: int, page_size: int) -> ProcedurePage:
        self._throttle(self._public, caller)
        procs = sorted(self.assistant().index.procedures.values(), key=lambda p: (p.field, p.name))
        if field:
            procs = [p for p in procs if p.field.casefold() == field.casefold()]
        if level:
            procs = [p for p in procs if any(level.casefold() == lv.casefold() for lv in p.levels)]
        start = (page - 1) * page_size
        items = [
            ProcedureSummary(code=p.code, name=p.name, field=p.field, levels=p.levels, url=p.url, source=p.source)
            for p in procs[start : start + page_size]
        ]
        return ProcedurePage(total=len(procs), page=page, page_size=page_size, items=items)

    def procedure(self, caller: Caller, code: str) -> Procedure:
        self._throttle(self._public, caller)
        proc = self.assistant().index.procedures.get(code.strip())
        if proc is None:
            raise NotFound(f"Không tìm thấy thủ tục có mã {code.strip()[:20]}.")
        return proc

    def procedure_card(self, caller: Caller, code: str) -> ProcedureCard:
        proc = self.procedure(caller, code)
        return ProcedureCard(**proc.model_dump(), checklist=compose_checklist(proc))

    def fields(self) -> list[str]:
        """The fields of the current index, for filters; empty while there is no index."""
        try:
            return sorted({p.field for p in self.holder.get().index.procedures.values() if p.field})
        except IndexProblem:
            return []

    def updates(self, caller: Caller, days: int = 30, limit: int = 100) -> UpdateList:
        """Procedures updated in the last ``days`` days (public: codes, names, dates, what changed)."""
        self._throttle(self._public, caller)
        return self.updates_feed.recent(days, limit)

    def feedback(self, caller: Caller, answer_id: str, rating: str, comment: str | None) -> None:
        self._throttle(self._public, caller)
        comment = clean_comment(comment, self.settings.max_comment_chars)
        if not self.storage.answer_exists(answer_id[:64]):
            raise NotFound("Không tìm thấy câu trả lời cần đánh giá.")
        self.storage.record_feedback(answer_id[:64], rating, comment)

    def public_stats(self, caller: Caller) -> dict:
        """Counts anyone may read: questions per day, ratings, satisfaction against the target; never a text."""
        self._throttle(self._public, caller)
        return self.storage.public_stats()

    # administrators

    def authorize_admin(self, caller: Caller, token: str | None) -> None:
        """Admin is on, the caller is not locked out and the token is right (compared in constant time)."""
        self._throttle(self._admin, caller)
        if not self.settings.admin_enabled:
            raise Forbidden(ADMIN_OFF)
        locked = self._admin_failures.blocked_for(caller.address)
        if locked > 0:
            log.warning("admin request from %s refused: locked out after wrong tokens", caller.address)
            raise RateLimited(ADMIN_LOCKED.format(minutes=max(1, round(locked / 60))), retry_after=max(1, round(locked)))
        if not token:
            log.warning("admin request without a token from %s", caller.address)
            raise AuthRequired("Cần đăng nhập quản trị.")
        if not hmac.compare_digest(token.encode(), self.settings.admin_token.encode()):
            self._admin_failures.failed(caller.address)
            log.warning("admin request with a wrong token from %s", caller.address)
            raise Forbidden("Mã quản trị không đúng.")
        self._admin_failures.succeeded(caller.address)

    def submit_ingest(self, caller: Caller, token: str | None, filename: str, content: bytes, remove_missing: bool = False) -> IngestJob:
        self.authorize_admin(caller, token)
        if len(content) > self.settings.max_upload_mb * 1024 * 1024:
            raise TooLarge(f"Tệp quá lớn (tối đa {self.settings.max_upload_mb} MB).")
        job_id = self.jobs.submit(filename, content, remove_missing)
        return IngestJob(**(self.storage.job(job_id) or {}))

    def ingest_job(self, caller: Caller, token: str | None, job_id: str) -> IngestJob:
        self.authorize_admin(caller, token)
        job = self.storage.job(job_id.strip()[:64])
        if job is None:
            raise NotFound("Không tìm thấy lần nạp dữ liệu này.")
        return IngestJob(**job)

    def versions(self, caller: Caller, token: str | None) -> VersionList:
        self.authorize_admin(caller, token)
        store = VersionStore(self.settings.index_dir)
        return VersionList(current=store.current(), versions=store.versions())

    def version_changes(self, caller: Caller, token: str | None, version: str) -> VersionChanges:
        self.authorize_admin(caller, token)
        return self.updates_feed.version_changes(version)

    def rollback(self, caller: Caller, token: str | None) -> VersionList:
        self.authorize_admin(caller, token)
        try:
            rollback(self.settings)
        except IndexProblem as exc:
            raise Conflict(f"Không thể quay lại: {exc}") from exc
        store = VersionStore(self.settings.index_dir)
        return VersionList(current=store.current(), versions=store.versions())

    def admin_stats(self, caller: Caller, token: str | None) -> dict:
        """The counts plus the most asked procedures and the questions we could not answer (their texts): admin only."""
        self.authorize_admin(caller, token)
        data = self.storage.stats()
        try:
            procedures = self.holder.get().index.procedures
        except IndexProblem:  # stats stay available without an index
            procedures = {}
        for row in data["most_asked"]:
            row["name"] = procedures[row["code"]].name if row["code"] in procedures else row["code"]
        return data

    def close(self, timeout: float = 30.0) -> None:
        self._retention.stop()
        if not self.storage.flush(timeout=timeout):
            log.error("shutting down with unsaved answers or feedback")


def job_report_text(job: IngestJob) -> str:
    """An ingest job as administrators read it (Vietnamese)."""
    text = f"Trạng thái: {job.status} · tệp {job.filename} · cập nhật {job.updated_at}"
    if job.report:
        text += "\n\n" + IngestReport.from_dict(job.report).to_text()
    if job.error:
        text += f"\n\nLỗi: {job.error}"
    return text

