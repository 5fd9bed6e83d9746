"""Retention and reporting over the question log: purge what is older than the retention period, export CSV.

Purging first adds the old rows to ``daily_counts`` (numbers only) and then deletes them in the same
transaction, so questions per day and the satisfaction trend survive while the texts do not.
"""

from __future__ import annotations

import csv
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from service.storage import Storage, Transaction
from tthc.pii import redact

log = logging.getLogger(__name__)

EXPORT_COLUMNS = ("date", "question", "focus_code", "refused", "rating", "comment")
# a cell starting with one of these is a formula to a spreadsheet: a citizen's text must never run as one
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class PurgeResult:
    """What one purge deleted, and the moment before which rows counted as old."""

    cutoff: datetime
    answers: int
    feedback: int

    def to_text(self) -> str:
        """For administrators (Vietnamese)."""
        return (
            f"Đã xóa {self.answers} câu hỏi (kèm câu trả lời) và {self.feedback} đánh giá, góp ý "
            f"ghi trước {self.cutoff:%Y-%m-%d %H:%M} UTC. Số liệu tổng hợp theo ngày vẫn được giữ."
        )


def purge(storage: Storage, retention_days: int) -> PurgeResult:
    """Fold rows older than ``retention_days`` (by the storage's clock) into daily counts, then delete them."""
    cutoff = storage.now().astimezone(UTC) - timedelta(days=retention_days)
    stamp = cutoff.isoformat(timespec="seconds")

    def fold_and_delete(db: Transaction) -> PurgeResult:
        # feedback goes with its answer even when younger: it cannot outlive the answer it rates
        old_feedback = "created_at < :cutoff OR answer_id IN (SELECT id FROM answers WHERE created_at < :cutoff)"
        db.execute(
            "INSERT INTO daily_counts (day, questions, refused) "
            "SELECT substr(created_at, 1, 10), count(*), sum(refused) FROM answers WHERE created_at < :cutoff "
            "GROUP BY substr(created_at, 1, 10) "
            "ON CONFLICT (day) DO UPDATE SET questions = daily_counts.questions + excluded.questions, "
            "refused = daily_counts.refused + excluded.refused",
            {"cutoff": stamp},
        )
        db.execute(
            "INSERT INTO daily_counts (day, feedback_up, feedback_down) "
            "SELECT substr(created_at, 1, 10), sum(CASE WHEN rating = 'up' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN rating = 'down' THEN 1 ELSE 0 END) "
            f"FROM feedback WHERE {old_feedback} GROUP BY substr(created_at, 1, 10) "
            "ON CONFLICT (day) DO UPDATE SET feedback_up = daily_counts.feedback_up + excluded.feedback_up, "
            "feedback_down = daily_counts.feedback_down + excluded.feedback_down",
            {"cutoff": stamp},
        )
        feedback = db.execute(f"DELETE FROM feedback WHERE {old_feedback}", {"cutoff": stamp}).rowcount
        answers = db.execute("DELETE FROM answers WHERE created_at < :cutoff", {"cutoff": stamp}).rowcount
        return PurgeResult(cutoff=cutoff, answers=answers, feedback=feedback)

    storage.flush()  # queued answers are counted and judged like stored ones
    result = storage.atomic(fold_and_delete)
    if result.answers or result.feedback:
        log.info("retention purge: %d answers and %d feedback rows older than %s deleted", result.answers, result.feedback, stamp)
    return result


class RetentionTimer:
    """Purges once when started, then from a daemon thread every ``interval_s`` seconds until stopped.

    A failed purge (a database locked for too long) is logged and waits for the next turn, so it
    never keeps the service from starting.
    """

    def __init__(self, storage: Storage, retention_days: int, interval_s: float) -> None:
        self._storage = storage
        self._retention_days = retention_days
        self._interval_s = interval_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="retention-purge", daemon=True)

    def start(self) -> None:
        self._purge()
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def _purge(self) -> None:
        try:
            purge(self._storage, self._retention_days)
        except SQLAlchemyError as exc:
            log.error("retention purge failed, retrying at the next interval: %s", exc)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval_s):
            self._purge()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(storage: Storage, since: date, out: TextIO) -> int:
    """Write questions asked since ``since`` with their ratings, one row per rating; returns the rows written.

    Texts are redacted again on the way out, so rows stored before a redaction improvement
    leave with the current rules applied.
    """
    start = datetime.combine(since, time.min, tzinfo=UTC).isoformat(timespec="seconds")
    rows = storage.query(
        "SELECT a.created_at, a.question, a.focus_code, a.refused, f.rating, f.comment FROM answers a "
        "LEFT JOIN feedback f ON f.answer_id = a.id WHERE a.created_at >= :start ORDER BY a.created_at, a.id, f.id",
        {"start": start},
    )
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.created_at[:10],
                _cell(redact(row.question)),
                _cell(row.focus_code),
                row.refused,
                _cell(row.rating),
                _cell(redact(row.comment) if row.comment else ""),
            ]
        )
    return len(rows)
