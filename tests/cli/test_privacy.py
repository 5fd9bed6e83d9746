"""`tthc privacy purge` and `tthc privacy export`: by hand, against the data dir given by the flag, or the
PostgreSQL database of TTHC_DATABASE_URL."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cli.main import main
from service.storage import Storage
from tthc.schema import Answer


@pytest.fixture
def data_dir(tmp_path, monkeypatch, database_url):
    """A question log with one question from 120 days ago and one from today (the SQLite file in the data dir, or PostgreSQL)."""
    monkeypatch.setenv("TTHC_DATA_DIR", str(tmp_path / "from-environment"))
    data_dir = tmp_path / "data"
    target: str | Path = data_dir / "tthc.sqlite3"
    if database_url.startswith("postgresql"):
        monkeypatch.setenv("TTHC_DATABASE_URL", database_url)
        target = database_url
    old = Storage(target, now=lambda: datetime.now(UTC) - timedelta(days=120))
    old.record_feedback(old.record_answer("hỏi từ lâu về tạm trú", Answer(answer="…", focus_code="1.004194"), "v1"), "up", "cảm ơn")
    old.flush()
    new = Storage(target)
    new.record_answer("hỏi hôm nay, gọi 0912345678", Answer(answer="…", focus_code="1.001193"), "v1")
    new.flush()
    return data_dir


def test_purge_prints_what_it_deleted(data_dir, capsys):
    assert main(["privacy", "purge", "--data-dir", str(data_dir)]) == 0
    assert "Đã xóa 1 câu hỏi (kèm câu trả lời) và 1 đánh giá" in capsys.readouterr().out
    assert main(["privacy", "purge", "--data-dir", str(data_dir)]) == 0
    assert "Đã xóa 0 câu hỏi" in capsys.readouterr().out


def test_export_writes_a_redacted_csv_from_the_given_day(data_dir, tmp_path, capsys):
    since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    out = tmp_path / "report.csv"
    assert main(["privacy", "export", "--since", since, "--out", str(out), "--data-dir", str(data_dir)]) == 0
    assert "Đã xuất 1 dòng" in capsys.readouterr().out
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0] == ["date", "question", "focus_code", "refused", "rating", "comment"]
    assert rows[1][1:4] == ["hỏi hôm nay, gọi [số điện thoại]", "1.001193", "0"] and len(rows) == 2


def test_export_refuses_a_malformed_day(data_dir, capsys):
    with pytest.raises(SystemExit):
        main(["privacy", "export", "--since", "02/12/2026", "--data-dir", str(data_dir)])
    assert "YYYY-MM-DD" in capsys.readouterr().err
