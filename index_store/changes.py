"""Change reports on disk: ``changes.json`` inside each version directory.

Ingest writes it into the build directory, so it is published, kept, rolled back and pruned with
its version; readers (the service, the CLI) read it by version. Each report carries the reports
of the versions it was built on (``earlier``), so the recent history survives pruning and always
describes the chain that leads to that version (a rolled-back version's changes are not in it).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from tthc.schema import VersionChanges

CHANGES_FILE = "changes.json"
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")  # no daylight saving time


def local_date(iso_timestamp: str) -> str:
    """The date in Vietnam of an ISO timestamp (a version's created_at), as YYYY-MM-DD."""
    moment = datetime.fromisoformat(iso_timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM_TZ).date().isoformat()


def today() -> date:
    return datetime.now(VIETNAM_TZ).date()


def read_changes(version_dir: Path) -> VersionChanges | None:
    """The change report of one version directory; None when it has none (built before reports existed).

    Raises ValueError when the file is there but unreadable.
    """
    path = version_dir / CHANGES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return VersionChanges.model_validate_json(text)


def write_changes(version_dir: Path, changes: VersionChanges) -> None:
    tmp = version_dir / (CHANGES_FILE + ".tmp")
    tmp.write_text(changes.model_dump_json(indent=1), encoding="utf-8")
    os.replace(tmp, version_dir / CHANGES_FILE)
