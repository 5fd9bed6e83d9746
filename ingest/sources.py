"""Read what an administrator hands us: portal JSON/JSONL, curated files, the plan, official lists."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from ingest.curated import CURATED_SUFFIXES, load_curated_file
from ingest.official_list import ListEntry, load_official_list
from ingest.plan import read_plan_text
from ingest.portal import record_to_procedure
from tthc.schema import Procedure

log = logging.getLogger(__name__)

PLAN_SUFFIXES = (".txt", ".docx")
SOURCE_PRIORITY = {"curated": 2, "portal": 1}


@dataclass
class Failure:
    """A record or file that was skipped, with the reason."""

    source: str
    item: str
    reason: str


@dataclass
class SourceBatch:
    """Everything read from the given sources."""

    procedures: dict[str, Procedure] = field(default_factory=dict)
    plan_texts: list[tuple[str, str]] = field(default_factory=list)
    lists: list[ListEntry] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def add_procedure(self, proc: Procedure, origin: str) -> None:
        """Duplicate policy: curated beats portal; within one kind the first record wins."""
        existing = self.procedures.get(proc.code)
        if existing is None or SOURCE_PRIORITY[proc.source] > SOURCE_PRIORITY[existing.source]:
            self.procedures[proc.code] = proc
            return
        reason = f"duplicate code {proc.code}; kept the {existing.source} record read first"
        self.failures.append(Failure(origin, proc.code, reason))


def _is_portal_json(data: object) -> bool:
    if isinstance(data, list):
        return bool(data) and isinstance(data[0], dict) and "ma_thu_tuc" in data[0]
    return isinstance(data, dict) and "ma_thu_tuc" in data


def _read_portal_records(path: Path, batch: SourceBatch) -> None:
    def take(record: object, where: str) -> None:
        try:
            batch.add_procedure(record_to_procedure(record), path.name)  # type: ignore[arg-type]
        except ValueError as exc:
            item = str(record.get("ma_thu_tuc", where)) if isinstance(record, dict) else where
            batch.failures.append(Failure(path.name, item, str(exc)))
            log.warning("skipped portal record %s in %s: %s", item, path.name, exc)

    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        batch.failures.append(Failure(path.name, "*", "file is not UTF-8 text"))
        return
    if path.suffix == ".jsonl":
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                take(json.loads(line), f"line {number}")
            except json.JSONDecodeError as exc:
                batch.failures.append(Failure(path.name, f"line {number}", f"invalid JSON: {exc.msg}"))
        return
    data = json.loads(raw)
    for number, record in enumerate(data if isinstance(data, list) else [data], start=1):
        take(record, f"item {number}")


def read_source(path: Path, batch: SourceBatch) -> None:
    """Dispatch one file or directory by its kind."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and not child.name.startswith((".", "README")):
                read_source(child, batch)
        return
    suffix = path.suffix.lower()
    batch.files.append(str(path))
    try:
        if suffix == ".jsonl":
            _read_portal_records(path, batch)
        elif suffix == ".json" and _is_portal_json(json.loads(path.read_bytes().decode("utf-8"))):
            _read_portal_records(path, batch)
        elif suffix in CURATED_SUFFIXES:
            batch.add_procedure(load_curated_file(path), path.name)
        elif suffix in PLAN_SUFFIXES:
            batch.plan_texts.append((path.name, read_plan_text(path)))
        elif suffix == ".xlsx":
            batch.lists.extend(load_official_list(path))
        else:
            batch.files.pop()
            batch.failures.append(Failure(path.name, "*", f"unsupported file type {suffix or '(none)'}"))
    except (ValueError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        batch.failures.append(Failure(path.name, "*", str(exc)))
        log.warning("skipped %s: %s", path, exc)


def read_sources(paths: list[Path]) -> SourceBatch:
    """Read every source; problems become failures, never exceptions."""
    batch = SourceBatch()
    for path in paths:
        if not path.exists():
            batch.failures.append(Failure(str(path), "*", "file or directory not found"))
            continue
        read_source(path, batch)
    return batch
