"""The question log on both backends: migrations (also from a SQLite file made before schema_migrations),
hosts starting at once, the write-behind queue, ingest jobs, and writes that survive a lost PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import psycopg
import pytest

from service.storage import MIGRATIONS, Storage, make_engine
from tests.processes import postgres_cluster
from tthc.schema import Answer

# the schema as the SQLite-only code created it, up to PRAGMA user_version = 4
OLD_SQLITE_SCHEMA = """
CREATE TABLE answers (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
    focus_code TEXT, refused INTEGER NOT NULL, clarification INTEGER NOT NULL, latency_ms REAL NOT NULL, index_version TEXT);
CREATE INDEX answers_created ON answers(created_at);
CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, answer_id TEXT NOT NULL REFERENCES answers(id),
    created_at TEXT NOT NULL, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), comment TEXT);
CREATE INDEX feedback_answer ON feedback(answer_id);
CREATE TABLE ingest_jobs (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, status TEXT NOT NULL,
    filename TEXT NOT NULL, report TEXT, error TEXT);
CREATE TABLE daily_counts (day TEXT PRIMARY KEY, questions INTEGER NOT NULL DEFAULT 0, refused INTEGER NOT NULL DEFAULT 0,
    feedback_up INTEGER NOT NULL DEFAULT 0, feedback_down INTEGER NOT NULL DEFAULT 0);
CREATE INDEX feedback_created ON feedback(created_at);
PRAGMA user_version = 4;
INSERT INTO answers VALUES ('a1', '2026-01-10T09:30:00+00:00', 'hỏi về tạm trú', 'Đăng ký tạm trú …', '1.004194', 0, 0, 12.5, 'v1');
INSERT INTO feedback (answer_id, created_at, rating, comment) VALUES ('a1', '2026-01-10T09:31:00+00:00', 'up', 'rõ ràng');
INSERT INTO ingest_jobs VALUES ('job1', '2026-01-09T08:00:00+00:00', '2026-01-09T08:01:00+00:00', 'done', 'ds.xlsx', NULL, NULL);
INSERT INTO daily_counts VALUES ('2025-10-01', 3, 1, 2, 0);
"""


def _answer(**fields) -> Answer:
    return Answer(answer="Đăng ký tạm trú (mã 1.004194) …", focus_code="1.004194", **fields)


def _versions(storage: Storage) -> list[int]:
    return [row.version for row in storage.query("SELECT version FROM schema_migrations ORDER BY version")]


def test_a_sqlite_file_made_before_schema_migrations_keeps_its_rows(tmp_path):
    path = tmp_path / "tthc.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SQLITE_SCHEMA)

    storage = Storage(path)

    assert _versions(storage) == [1, 2, 3, 4]
    assert storage.query("SELECT question, latency_ms FROM answers")[0] == ("hỏi về tạm trú", 12.5)
    assert (storage.job("job1") or {}).get("status") == "done"
    stats = storage.stats()
    per_day = [(d["day"], d["questions"], d["feedback_up"]) for d in stats["questions_per_day"]]
    assert per_day == [("2026-01-10", 1, 1), ("2025-10-01", 3, 2)]
    assert stats["comments"][0]["comment"] == "rõ ràng"
    storage.record_feedback("a1", "down", None)  # the old AUTOINCREMENT key goes on numbering
    assert [row.id for row in storage.query("SELECT id FROM feedback ORDER BY id")] == [1, 2]
    assert Storage(path).migrate() == len(MIGRATIONS)  # opening again changes nothing
    assert _versions(storage) == [1, 2, 3, 4]


def test_hosts_starting_at_once_migrate_once(database_url):
    stores: list[Storage] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_store() -> None:
        start.wait()
        try:
            stores.append(Storage(database_url))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors and len(stores) == 4
    assert _versions(stores[0]) == list(range(1, len(MIGRATIONS) + 1))


def test_queued_answers_and_feedback_land_and_count_once(database_url):
    storage = Storage(database_url)
    ids = [storage.record_answer(f"câu hỏi số {n}, gọi 0912345678", _answer(), "v1") for n in range(20)]
    for answer_id in ids[:5]:
        storage.record_feedback(answer_id, "up", "cảm ơn, số tôi 0912345678")
    assert storage.flush()

    assert storage.query("SELECT count(*) FROM answers")[0][0] == 20
    stats = storage.stats()
    assert stats["questions_per_day"][0]["questions"] == 20 and (stats["feedback_up"], stats["satisfaction"]) == (5, 1.0)
    rated = storage.query("SELECT a.question, f.comment FROM feedback f JOIN answers a ON a.id = f.answer_id")
    texts = " ".join(row.question + row.comment for row in rated)
    assert "0912345678" not in texts and "[số điện thoại]" in texts  # redacted before it is stored
    assert all(storage.answer_exists(answer_id) for answer_id in ids) and not storage.answer_exists("khong-co")


def test_a_write_that_cannot_apply_is_dropped_with_a_log_line_and_the_queue_goes_on(database_url, caplog):
    storage = Storage(database_url)
    storage.record_feedback("no-such-answer", "up", None)  # breaks the foreign key on both backends
    kept = storage.record_answer("hỏi sau đó", _answer(), "v1")
    assert storage.flush()
    assert "storage write dropped, cannot be applied:" in caplog.text
    assert storage.answer_exists(kept) and storage.query("SELECT count(*) FROM feedback")[0][0] == 0


def test_ingest_jobs_round_trip(database_url):
    storage = Storage(database_url)
    job_id = storage.create_job("danh-sach.xlsx")
    assert (storage.job(job_id) or {}).get("status") == "queued"
    storage.update_job(job_id, "done", report={"status": "published", "added": ["1.004194"]})
    storage.update_job(job_id, "done", error=None)  # a later update without a report keeps the report
    job = storage.job(job_id) or {}
    assert (job["status"], job["report"], job["filename"]) == ("done", {"status": "published", "added": ["1.004194"]}, "danh-sach.xlsx")
    assert storage.job("nope") is None


def test_writes_land_after_the_postgresql_sessions_are_terminated(postgres):
    url = postgres.create_database()
    storage = Storage(url)
    first = storage.record_answer("trước khi mất kết nối", _answer(), "v1")
    assert storage.flush()

    assert postgres.terminate_sessions(url) >= 1  # the pooled connections die under the store
    storage.record_feedback(first, "up", None)
    second = storage.record_answer("sau khi mất kết nối", _answer(), "v1")

    assert storage.flush()
    assert storage.answer_exists(second) and storage.public_stats()["feedback_up"] == 1


def test_a_pooled_connection_whose_ping_fails_midway_is_replaced(postgres, monkeypatch, caplog):
    """The server ending a session during psycopg's ping surfaces as "can't change 'autocommit' now"
    (a ProgrammingError, not a lost connection): the pool must replace the connection, not drop the write."""
    storage = Storage(postgres.create_database())
    first = storage.record_answer("trước khi ping lỗi", _answer(), "v1")
    assert storage.flush()
    dialect, real_ping = storage.engine.dialect, storage.engine.dialect.do_ping
    failures: list[object] = []

    def ping_that_fails_once(dbapi_connection):
        if not failures:
            failures.append(dbapi_connection)
            raise psycopg.ProgrammingError("can't change 'autocommit' now: connection in transaction status ACTIVE")
        return real_ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", ping_that_fails_once)
    storage.record_feedback(first, "up", None)

    assert storage.flush()
    assert failures and storage.public_stats()["feedback_up"] == 1
    assert "storage write dropped" not in caplog.text


def test_queued_writes_wait_for_a_restarted_postgresql_and_then_land(postgres, caplog):
    """The writer retries while the server is down; nothing queued is dropped."""
    with postgres_cluster(postgres.bin_dir) as cluster:
        url = cluster.create_database()
        storage = Storage(url)
        answer_id = storage.record_answer("trước khi máy chủ dừng", _answer(), "v1")
        assert storage.flush()

        cluster.stop()
        storage.record_feedback(answer_id, "down", "máy chủ đang dừng")
        late = storage.record_answer("trong lúc máy chủ dừng", _answer(), "v1")
        deadline = time.monotonic() + 60
        while "retrying queued write" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "retrying queued write" in caplog.text and not storage.flush(timeout=0)
        cluster.start()

        assert storage.flush(timeout=60)
        assert "storage write dropped" not in caplog.text
        assert storage.answer_exists(late) and storage.stats()["comments"][0]["comment"] == "máy chủ đang dừng"


def test_an_unknown_database_url_is_refused():
    with pytest.raises(ValueError, match="postgresql://"):
        make_engine("mysql://user@localhost/tthc")
