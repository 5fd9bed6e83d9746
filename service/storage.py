"""SQLite store for questions, answers, feedback and ingest jobs, with numbered migrations.

Everything written here has passed through :func:`tthc.pii.redact`. Writes retry when
another writer holds the lock, so a busy database delays feedback instead of losing it.
Rows older than the retention period are folded into ``daily_counts`` and deleted by
:mod:`service.privacy`; the statistics read both, so the trend outlives the texts.
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from tthc.pii import redact

log = logging.getLogger(__name__)
T = TypeVar("T")

MIGRATIONS: list[str] = [
    # 1: questions and answers
    """
    CREATE TABLE answers (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        focus_code TEXT,
        refused INTEGER NOT NULL,
        clarification INTEGER NOT NULL,
        latency_ms REAL NOT NULL,
        index_version TEXT
    );
    CREATE INDEX answers_created ON answers(created_at);
    """,
    # 2: feedback on answers
    """
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        answer_id TEXT NOT NULL REFERENCES answers(id),
        created_at TEXT NOT NULL,
        rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
        comment TEXT
    );
    CREATE INDEX feedback_answer ON feedback(answer_id);
    """,
    # 3: ingest jobs started from the admin API
    """
    CREATE TABLE ingest_jobs (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        status TEXT NOT NULL,
        filename TEXT NOT NULL,
        report TEXT,
        error TEXT
    );
    """,
    # 4: per-day counts of purged questions and feedback (no text), so statistics survive retention
    """
    CREATE TABLE daily_counts (
        day TEXT PRIMARY KEY,
        questions INTEGER NOT NULL DEFAULT 0,
        refused INTEGER NOT NULL DEFAULT 0,
        feedback_up INTEGER NOT NULL DEFAULT 0,
        feedback_down INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX feedback_created ON feedback(created_at);
    """,
]
RETRY_SECONDS = 10.0
SATISFACTION_TARGET = 0.97
# live rows and purged counts, per day: the one source of every per-day figure
_PER_DAY = """
SELECT day, sum(questions) AS questions, sum(refused) AS refused, sum(up) AS feedback_up, sum(down) AS feedback_down FROM (
    SELECT substr(created_at, 1, 10) AS day, count(*) AS questions, sum(refused) AS refused, 0 AS up, 0 AS down
        FROM answers GROUP BY day
    UNION ALL
    SELECT substr(created_at, 1, 10), 0, 0, sum(rating = 'up'), sum(rating = 'down') FROM feedback GROUP BY 1
    UNION ALL
    SELECT day, questions, refused, feedback_up, feedback_down FROM daily_counts
) GROUP BY day ORDER BY day DESC
"""


def utc_now() -> datetime:
    return datetime.now(UTC)


class Storage:
    """A thin repository over one SQLite file; safe to share between threads.

    Answers and feedback are written behind the request by one writer thread that
    retries while the database is locked, so a request never waits for the lock and
    nothing is lost while the process runs; :meth:`flush` waits for the queue.
    """

    def __init__(self, path: Path, busy_timeout_s: float = 2.0, now: Callable[[], datetime] = utc_now) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.now = now  # injectable so retention can be tested without waiting 90 days
        self._busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        self.migrate()
        self._queue: queue.Queue[tuple[str, tuple]] = queue.Queue()
        self._pending_answers: set[str] = set()
        self._writer = threading.Thread(target=self._drain, name="storage-writer", daemon=True)
        self._writer.start()

    def _drain(self) -> None:
        while True:
            sql, row = self._queue.get()
            delay = 0.05
            while True:
                try:
                    self._connect().execute(sql, row)
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc):
                        log.error("storage write dropped, cannot be applied: %s", exc)
                        break
                    log.warning("storage busy, retrying queued write in %.2fs", delay)
                    time.sleep(delay)
                    delay = min(delay * 2, 2.0)
                except sqlite3.Error as exc:
                    log.error("storage write dropped, cannot be applied: %s", exc)
                    break
            if sql.startswith("INSERT INTO answers"):
                self._pending_answers.discard(row[0])
            self._queue.task_done()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued write is stored; False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._queue.unfinished_tasks

    def _connect(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=self._busy_timeout_s, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
            self._local.connection = connection
        return connection

    def migrate(self) -> int:
        """Apply the migrations not yet applied; returns the schema version."""
        connection = self._connect()
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            connection.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")
            log.info("storage migrated to schema %d", number)
        return len(MIGRATIONS)

    def _write(self, action: Callable[[sqlite3.Connection], T]) -> T:
        """Run a write, retrying while another writer holds the database lock."""
        deadline = time.monotonic() + RETRY_SECONDS
        delay = 0.05
        while True:
            try:
                return action(self._connect())
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise
                log.warning("storage busy, retrying write in %.2fs", delay)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def atomic(self, action: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``action`` in one write transaction (all or nothing), retried while the database is locked."""

        def transaction(connection: sqlite3.Connection) -> T:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = action(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            return result

        return self._write(transaction)

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        """Rows of a read, once the queued writes are stored."""
        self.flush(timeout=2.0)
        return self._connect().execute(sql, params).fetchall()

    def _timestamp(self) -> str:
        return self.now().astimezone(UTC).isoformat(timespec="seconds")

    def record_answer(self, question: str, answer, index_version: str | None) -> str:
        """Store a redacted question and its answer; returns the answer id."""
        answer_id = uuid.uuid4().hex
        row = (
            answer_id,
            self._timestamp(),
            redact(question),
            redact(answer.answer),
            answer.focus_code,
            int(answer.refused),
            int(answer.clarification),
            answer.latency_ms,
            index_version,
        )
        self._pending_answers.add(answer_id)
        self._queue.put(("INSERT INTO answers VALUES (?,?,?,?,?,?,?,?,?)", row))
        return answer_id

    def answer_exists(self, answer_id: str) -> bool:
        """Known answer id (stored or still queued); a locked database counts as 'maybe' and says yes."""
        if answer_id in self._pending_answers:
            return True
        try:
            return self._connect().execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is not None
        except sqlite3.OperationalError as exc:
            log.warning("storage busy while checking an answer id: %s", exc)
            return True

    def record_feedback(self, answer_id: str, rating: str, comment: str | None) -> None:
        row = (answer_id, self._timestamp(), rating, redact(comment) if comment else None)
        self._queue.put(("INSERT INTO feedback (answer_id, created_at, rating, comment) VALUES (?,?,?,?)", row))

    def public_stats(self, days: int = 30) -> dict:
        """Counts only, no text: questions, refusals and ratings per day, and satisfaction against the target."""
        per_day = [dict(r) for r in self.query(f"{_PER_DAY} LIMIT ?", (days,))]
        totals = self.query(f"SELECT sum(feedback_up) AS up, sum(feedback_down) AS down FROM ({_PER_DAY})")[0]
        up, down = totals["up"] or 0, totals["down"] or 0
        return {
            "questions_per_day": per_day,
            "feedback_up": up,
            "feedback_down": down,
            "satisfaction": round(up / (up + down), 4) if up + down else None,
            "satisfaction_target": SATISFACTION_TARGET,
        }

    def stats(self, days: int = 30, top: int = 10) -> dict:
        """The public counts plus what only administrators read: most asked, unanswered questions, feedback comments."""
        most_asked = [
            {"code": r["focus_code"], "questions": r["n"]}
            for r in self.query(
                "SELECT focus_code, count(*) AS n FROM answers WHERE focus_code IS NOT NULL AND refused = 0 "
                "GROUP BY focus_code ORDER BY n DESC LIMIT ?",
                (top,),
            )
        ]
        unanswered = [
            {"question": r["question"], "created_at": r["created_at"]}
            for r in self.query(
                "SELECT question, created_at FROM answers WHERE refused = 1 OR clarification = 1 ORDER BY created_at DESC LIMIT ?",
                (top * 5,),
            )
        ]
        comments = [
            {"created_at": r["created_at"], "rating": r["rating"], "comment": r["comment"], "question": r["question"]}
            for r in self.query(
                "SELECT f.created_at, f.rating, f.comment, a.question FROM feedback f JOIN answers a ON a.id = f.answer_id "
                "WHERE f.comment IS NOT NULL ORDER BY f.created_at DESC, f.id DESC LIMIT ?",
                (top * 2,),
            )
        ]
        return {**self.public_stats(days), "most_asked": most_asked, "unanswered": unanswered, "comments": comments}

    def create_job(self, filename: str) -> str:
        job_id = uuid.uuid4().hex[:12]
        now = self._timestamp()
        self._write(
            lambda c: c.execute("INSERT INTO ingest_jobs VALUES (?,?,?,?,?,?,?)", (job_id, now, now, "queued", filename, None, None))
        )
        return job_id

    def update_job(self, job_id: str, status: str, report: dict | None = None, error: str | None = None) -> None:
        payload = json.dumps(report, ensure_ascii=False, default=vars) if report is not None else None
        self._write(
            lambda c: c.execute(
                "UPDATE ingest_jobs SET status = ?, updated_at = ?, report = coalesce(?, report), error = ? WHERE id = ?",
                (status, self._timestamp(), payload, error, job_id),
            )
        )

    def job(self, job_id: str) -> dict | None:
        row = self._connect().execute("SELECT * FROM ingest_jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            return None
        data = dict(row)
        data["report"] = json.loads(data["report"]) if data["report"] else None
        return data
