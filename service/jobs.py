"""Admin ingest jobs: one at a time, in a background thread, reported in the store."""

from __future__ import annotations

import logging
import re
import threading
import zipfile
from dataclasses import asdict
from pathlib import Path

from index_store.store import IndexProblem
from ingest import run_ingest
from service.errors import InvalidInput
from service.storage import Storage
from tthc.settings import Settings

log = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".json", ".jsonl", ".xlsx", ".yaml", ".yml", ".txt", ".docx")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class UploadRejected(InvalidInput):
    """An upload that is refused before any ingest starts; the message is for people."""


def safe_filename(name: str) -> str:
    """The base name only, with anything but letters, digits, dot, dash and underscore replaced."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).strip("._")
    if not cleaned or not cleaned.lower().endswith(ALLOWED_SUFFIXES):
        raise UploadRejected(
            "Tệp không được hỗ trợ. Chấp nhận: .json, .jsonl (hồ sơ Cổng DVC), .xlsx (danh sách TTHC), "
            ".yaml/.yml (hồ sơ biên soạn), .txt/.docx (kế hoạch)."
        )
    return cleaned


class IngestJobs:
    """Runs uploaded files through the ingest pipeline, one job at a time."""

    def __init__(self, settings: Settings, storage: Storage) -> None:
        self.settings = settings
        self.storage = storage
        self._lock = threading.Lock()

    def submit(self, filename: str, content: bytes, remove_missing: bool = False) -> str:
        """Save the upload and start the job; returns the job id."""
        name = safe_filename(filename)
        if len(content) > self.settings.max_upload_mb * 1024 * 1024:
            raise UploadRejected(f"Tệp quá lớn (tối đa {self.settings.max_upload_mb} MB).")
        job_id = self.storage.create_job(name)
        folder = self.settings.data_dir / "uploads" / job_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(content)
        thread = threading.Thread(target=self._run, args=(job_id, path, remove_missing), name=f"ingest-{job_id}", daemon=True)
        thread.start()
        return job_id

    def _run(self, job_id: str, path: Path, remove_missing: bool) -> None:
        with self._lock:
            self.storage.update_job(job_id, "running")
            try:
                if path.suffix.lower() == ".xlsx" and not zipfile.is_zipfile(path):
                    raise UploadRejected("Tệp .xlsx bị hỏng hoặc không phải bảng tính Excel.")
                report = run_ingest(self.settings, [path], merge=True, remove_missing=remove_missing)
            except (UploadRejected, IndexProblem, OSError) as exc:
                log.warning("ingest job %s failed: %s", job_id, exc)
                self.storage.update_job(job_id, "failed", error=str(exc))
                return
            except Exception as exc:  # never leave a job 'running'
                log.exception("ingest job %s crashed", job_id)
                self.storage.update_job(job_id, "failed", error=f"Lỗi không mong đợi: {exc.__class__.__name__}")
                return
            failed_file = report.failed and all(f.item == "*" for f in report.failed) and report.status != "published"
            status = "failed" if report.status == "failed" or failed_file else "done"
            error = "; ".join(f.reason for f in report.failed) if status == "failed" else None
            self.storage.update_job(job_id, status, report=asdict(report), error=error or report.message or None)
