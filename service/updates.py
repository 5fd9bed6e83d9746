"""Recent updates of procedures, read from the change reports of the index versions.

Three uses: the public list of recent updates (``/api/updates``, the search tab), an administrator's
report of one version (``/api/admin/versions/{version}/changes``), and the one line a chat answer
gets when its procedure changed in the last ``updates_window_days`` days.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, timedelta

from index_store.changes import read_changes, today
from index_store.store import VersionStore
from service.errors import NotFound
from tthc.schema import Answer, FieldChange, ProcedureUpdate, UpdateList, VersionChanges
from tthc.settings import Settings
from tthc.text import display_date

log = logging.getLogger(__name__)

MAX_DAYS = 366
MAX_NOTE_CHANGES = 3  # changes quoted in an answer's update line
# what a citizen acts on first: money and time, then documents, then the rest
_NOTE_ORDER = {"fee": 0, "time_limit": 1, "documents": 2, "channel": 3, "agency": 4, "level": 5, "steps": 6, "legal_basis": 7}
_NOT_FOR_CITIZENS = {"other", "procedure"}


class UpdateFeed:
    """Reads change reports by version; the history of the serving version is cached."""

    def __init__(self, settings: Settings, clock: Callable[[], date] = today) -> None:
        self.settings = settings
        self.store = VersionStore(settings.index_dir)
        self.clock = clock
        self._cached: tuple[str, list[VersionChanges]] | None = None
        self._lock = threading.Lock()

    def version_changes(self, version: str) -> VersionChanges:
        """The change report of one kept version (any, not only the current one)."""
        version = version.strip()
        if version not in self.store.versions():
            raise NotFound(f"Không có phiên bản chỉ mục {version[:40]}.")
        try:
            changes = read_changes(self.store.versions_dir / version)
        except ValueError as exc:
            log.error("change report of %s is unreadable: %s", version, exc)
            raise NotFound(f"Báo cáo thay đổi của phiên bản {version} không đọc được.") from exc
        if changes is None:
            raise NotFound(f"Phiên bản {version} không có báo cáo thay đổi (được tạo trước khi có tính năng này).")
        return changes

    def history(self, version: str | None = None) -> list[VersionChanges]:
        """The reports of ``version`` (default: the current one) and of the versions it was built on, newest first."""
        version = version or self.store.current()
        if version is None:
            return []
        cached = self._cached
        if cached is not None and cached[0] == version:
            return cached[1]
        try:
            changes = read_changes(self.store.versions_dir / version)
        except (OSError, ValueError) as exc:
            log.warning("change report of %s is unreadable: %s", version, exc)
            changes = None
        history = changes.history() if changes else []
        with self._lock:
            self._cached = (version, history)
        return history

    def recent(self, days: int, limit: int = 100, version: str | None = None) -> UpdateList:
        """Procedures added, changed or removed in the last ``days`` days, newest first."""
        days = max(1, min(days, MAX_DAYS))
        since = (self.clock() - timedelta(days=days)).isoformat()
        items = [
            ProcedureUpdate(code=p.code, name=p.name, date=v.date, status=p.status, changes=p.lines())
            for v in self.history(version)
            if v.date >= since
            for p in v.procedures
        ]
        return UpdateList(days=days, since=since, items=items[:limit])

    def note(self, code: str, version: str | None = None) -> str | None:
        """'Cập nhật ngày 02/12/2026: lệ phí trực tiếp đổi từ … thành …' for a procedure changed in the window."""
        since = (self.clock() - timedelta(days=self.settings.updates_window_days)).isoformat()
        for changes in self.history(version):
            if changes.date < since:
                break
            for proc in changes.procedures:
                if proc.code == code and proc.status == "changed":
                    shown = _for_citizens(proc.changes)
                    if shown:
                        return f"Cập nhật ngày {display_date(changes.date)}: " + "; ".join(c.sentence for c in shown) + "."
                    return None
        return None

    def annotate(self, answer: Answer, version: str) -> Answer:
        """The answer with the update line of its procedure, above the source line; other answers as they are."""
        if answer.refused or answer.clarification or not answer.focus_code:
            return answer
        line = self.note(answer.focus_code, version)
        if line is None:
            return answer
        lines = answer.answer.split("\n")
        at = len(lines) - 1 if lines[-1].startswith("Nguồn:") else len(lines)
        return answer.model_copy(update={"answer": "\n".join([*lines[:at], line, *lines[at:]])})


def _for_citizens(changes: list[FieldChange]) -> list[FieldChange]:
    relevant = [c for c in changes if c.aspect not in _NOT_FOR_CITIZENS]
    return sorted(relevant, key=lambda c: _NOTE_ORDER.get(c.aspect, 9))[:MAX_NOTE_CHANGES]
