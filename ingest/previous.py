"""The current version as stored, read so that its unchanged parts are copied instead of rebuilt."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from index_store.store import FORMAT_VERSION, Manifest, VersionStore

log = logging.getLogger(__name__)


@dataclass
class PreviousVersion:
    """The current version, read as stored: raw JSON lines, so unchanged parts are copied, not rebuilt."""

    path: Path
    manifest: Manifest
    procedure_lines: dict[str, str]
    chunk_lines: dict[str, list[str]]
    chunk_hashes: dict[str, list[str]]
    fields: dict[str, str]

    @classmethod
    def open(cls, store: VersionStore) -> PreviousVersion | None:
        if store.current() is None:
            return None
        path = store.current_dir()
        try:
            manifest = Manifest.read(path)
        except (OSError, ValueError, TypeError) as exc:
            log.warning("current version %s is unreadable (%s); building from scratch", path.name, exc)
            return None
        if manifest.format != FORMAT_VERSION:
            log.warning("current version %s has format %s; building from scratch", path.name, manifest.format)
            return None
        procedure_lines, fields = {}, {}
        for line in (path / "procedures.jsonl").read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            procedure_lines[data["code"]] = line
            fields[data["code"]] = data.get("field", "")
        chunk_lines: dict[str, list[str]] = defaultdict(list)
        chunk_hashes: dict[str, list[str]] = defaultdict(list)
        for line in (path / "chunks.jsonl").read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            chunk_lines[data["doc_id"]].append(line)
            chunk_hashes[data["doc_id"]].append(data["content_hash"])
        return cls(path, manifest, procedure_lines, chunk_lines, chunk_hashes, fields)
