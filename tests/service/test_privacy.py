"""Retention: old questions, answers and feedback are deleted, their daily counts kept; the redacted CSV export.

The store's clock is set by the tests (``Clock``), so 90 days pass without waiting. Every test runs on
SQLite and on PostgreSQL (``database_url``).
"""

from __future__ import annotations

import csv
import io
import threading
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.exc import OperationalError

from service import TthcService
from service.privacy import export_csv, purge
from service.storage import Storage
from tthc.schema import Answer

START = datetime(2026, 1, 10, 9, 30, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _answer(refused: bool = False, focus_code: str | None = "1.004194") -> Answer:
    return Answer(answer="Đăng ký tạm trú (mã 1.004194) …", refused=refused, focus_code=None if refused else focus_code)


def _texts(storage: Storage) -> str:
    """Every text the question log holds, in one string."""
    rows = storage.query("SELECT question, answer FROM answers UNION ALL SELECT comment, rating FROM feedback")
    return " ".join(str(value) for row in rows for value in row)


def test_purge_deletes_old_texts_and_keeps_the_daily_counts(database_url):
    clock = Clock(START)
    storage = Storage(database_url, now=clock)
    old = storage.record_answer("hỏi cũ về tạm trú", _answer(), "v1")
    storage.record_feedback(old, "up", "góp ý cũ rất hay")
    storage.record_answer("câu hỏi cũ không trả lời được", _answer(refused=True), "v1")
    clock.advance(days=50)
    recent = storage.record_answer("hỏi mới về tạm trú", _answer(), "v1")
    storage.record_feedback(recent, "down", None)
    before = storage.public_stats()

    clock.advance(days=41)  # the first day is now 91 days old, the recent one 41
    result = purge(storage, retention_days=90)

    assert (result.answers, result.feedback) == (2, 1)
    assert result.cutoff == clock.now - timedelta(days=90)
    texts = _texts(storage)
    assert "hỏi cũ" not in texts and "góp ý cũ" not in texts and "câu hỏi cũ" not in texts
    assert "hỏi mới về tạm trú" in texts
    assert storage.public_stats() == before  # the same per-day figures and satisfaction, from counts instead of rows
    first = next(day for day in before["questions_per_day"] if day["day"] == "2026-01-10")
    assert (first["questions"], first["refused"], first["feedback_up"], first["feedback_down"]) == (2, 1, 1, 0)
    assert "Đã xóa 2 câu hỏi" in result.to_text()

    again = purge(storage, retention_days=90)
    assert (again.answers, again.feedback) == (0, 0)
    assert storage.public_stats() == before  # counted once


def test_feedback_is_deleted_with_its_answer_and_counted_on_its_own_day(database_url):
    clock = Clock(START)
    storage = Storage(database_url, now=clock)
    answer_id = storage.record_answer("hỏi về tạm trú", _answer(), "v1")
    clock.advance(days=5)
    storage.record_feedback(answer_id, "down", "chưa rõ")
    clock.advance(days=86)  # the answer is 91 days old, its feedback 86

    assert (purge(storage, retention_days=90).answers, storage.query("SELECT count(*) FROM feedback")[0][0]) == (1, 0)
    days = {row["day"]: row for row in storage.public_stats()["questions_per_day"]}
    assert days["2026-01-10"]["questions"] == 1 and days["2026-01-15"]["feedback_down"] == 1


def test_the_admin_stats_read_purged_counts_and_live_rows_together(database_url):
    clock = Clock(START)
    storage = Storage(database_url, now=clock)
    storage.record_feedback(storage.record_answer("hỏi", _answer(), "v1"), "up", None)
    clock.advance(days=100)
    purge(storage, retention_days=90)
    storage.record_feedback(storage.record_answer("hỏi lại", _answer(), "v1"), "down", None)

    stats = storage.stats()
    assert (stats["feedback_up"], stats["feedback_down"], stats["satisfaction"]) == (1, 1, 0.5)
    assert [day["questions"] for day in stats["questions_per_day"]] == [1, 1]
    assert stats["most_asked"] == [{"code": "1.004194", "questions": 1}]  # texts and codes only from rows still kept


def test_hosts_purging_at_once_count_every_old_row_once(database_url):
    clock = Clock(START)
    hosts = [Storage(database_url, now=clock) for _ in range(3)]
    for n in range(30):
        hosts[n % 3].record_answer(f"hỏi số {n}", _answer(), "v1")
    for host in hosts:
        host.flush()
    clock.advance(days=91)
    start = threading.Barrier(len(hosts))
    results: list[int] = []

    def purge_now(host: Storage) -> None:
        start.wait()
        results.append(purge(host, retention_days=90).answers)

    threads = [threading.Thread(target=purge_now, args=(host,)) for host in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 0, 30]
    assert hosts[0].public_stats()["questions_per_day"] == [
        {"day": "2026-01-10", "questions": 30, "refused": 0, "feedback_up": 0, "feedback_down": 0}
    ]


def test_the_service_purges_at_start_and_then_on_its_schedule(settings, embeddings_factory, database_url):
    settings = settings.model_copy(update={"database_url": database_url})
    old = Storage.from_settings(settings, now=lambda: datetime.now(UTC) - timedelta(days=120))
    old.record_answer("hỏi từ bốn tháng trước", _answer(), "v1")
    old.flush()

    service = TthcService(settings.model_copy(update={"purge_interval_hours": 0.0005}), embeddings_factory)
    try:
        assert "bốn tháng" not in _texts(service.storage)  # gone before the first request
        old.record_answer("hỏi cũ ghi sau khi khởi động", _answer(), "v1")
        old.flush()
        assert "ghi sau khi khởi động" in _texts(service.storage)
        deadline = time.monotonic() + 60
        while "ghi sau khi khởi động" in _texts(service.storage) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "ghi sau khi khởi động" not in _texts(service.storage)  # the timer purged it, without a restart
        assert service.storage.public_stats()["questions_per_day"][0]["questions"] == 2
    finally:
        service.close()


def test_export_is_redacted_again_and_safe_to_open_in_a_spreadsheet(database_url):
    clock = Clock(START)
    storage = Storage(database_url, now=clock)
    storage.record_answer("hỏi trước ngày xuất", _answer(), "v1")
    clock.advance(days=2)
    kept = storage.record_answer('=HYPERLINK("http://x") tạm trú', _answer(), "v1")
    storage.record_feedback(kept, "down", "+1 chưa rõ")
    clock.advance(seconds=1)  # rows of one second come in answer-id order
    storage.record_answer("không liên quan", _answer(refused=True), "v1")
    storage.flush()
    # a row stored before a redaction rule existed: the export applies today's rules
    storage.atomic(lambda db: db.execute("UPDATE answers SET question = 'gọi tôi 0912345678 nhé' WHERE question = 'không liên quan'"))

    out = io.StringIO()
    assert export_csv(storage, date(2026, 1, 11), out) == 2
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["date", "question", "focus_code", "refused", "rating", "comment"]
    assert rows[1] == ["2026-01-12", '\'=HYPERLINK("http://x") tạm trú', "1.004194", "0", "down", "'+1 chưa rõ"]
    assert rows[2][1] == "gọi tôi [số điện thoại] nhé" and rows[2][3] == "1" and rows[2][4:] == ["", ""]
    assert "trước ngày xuất" not in out.getvalue()


def test_a_failed_purge_is_logged_and_does_not_stop_the_service(settings, embeddings_factory, database_url, monkeypatch, caplog):
    settings = settings.model_copy(update={"database_url": database_url})

    def locked(storage: Storage, retention_days: int) -> None:
        raise OperationalError("DELETE FROM answers", {}, Exception("database is locked"))

    monkeypatch.setattr("service.privacy.purge", locked)
    service = TthcService(settings, embeddings_factory)
    try:
        assert "retention purge failed" in caplog.text
        assert service.public_stats(service.caller("198.51.100.1"))["questions_per_day"] == []
    finally:
        service.close()
