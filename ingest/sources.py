"""Read what an administrator hands us: portal JSON/JSONL, curated files, the plan, official lists.

Portal records are hashed as read and parsed only when needed, so a re-ingest of an
unchanged list costs a JSON decode and a hash per record.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from ingest.curated import CURATED_SUFFIXES, load_curated_file
from ingest.official_list import ListEntry, load_official_list
from ingest.portal import PARSER_VERSION, parse_record
from ingest.reform_plan import read_plan_text
from ingest.vocabulary import (
    VocabularyEntry,
    apply_vocabulary,
    is_life_events_file,
    is_vocabulary_file,
    load_life_events_file,
    load_vocabulary_file,
)
from tthc.schema import LifeEvent, Procedure
from tthc.text import normalize_inline

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
class SourceEntry:
    """One procedure as read: parsed (curated) or raw (portal), with a hash of what was read."""

    code: str
    kind: str  # curated | portal
    origin: str
    source_hash: str
    field: str
    procedure: Procedure | None = None
    record: dict | None = None
    vocabulary: VocabularyEntry | None = None
    document_rows_cleaned: int = 0  # what parsing repaired in a portal record, for the ingest report
    split_repaired: bool = False
    lines_rejoined: int = 0

    def materialize(self) -> Procedure:
        """The parsed procedure with our vocabulary applied; raises ValueError for an unusable portal record."""
        if self.procedure is None:
            parsed = parse_record(self.record or {})
            self.procedure = parsed.procedure
            self.document_rows_cleaned, self.split_repaired = parsed.document_rows_cleaned, parsed.split_repaired
            self.lines_rejoined = parsed.lines_rejoined
        return apply_vocabulary(self.procedure, self.vocabulary)

    def attach(self, vocabulary: VocabularyEntry) -> None:
        """Our vocabulary is part of what this entry indexes, so it is part of its hash."""
        self.vocabulary = vocabulary
        self.source_hash = hashlib.sha256(f"{self.source_hash}\n{vocabulary.digest()}".encode()).hexdigest()[:16]


@dataclass
class SourceBatch:
    """Everything read from the given sources."""

    entries: dict[str, SourceEntry] = field(default_factory=dict)
    plan_texts: list[tuple[str, str]] = field(default_factory=list)
    lists: list[ListEntry] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    vocabulary: dict[str, VocabularyEntry] = field(default_factory=dict)
    life_events: list[LifeEvent] = field(default_factory=list)

    def attach_vocabulary(self) -> None:
        """Give each procedure read its everyday names and situations (after every source is read)."""
        for code, entry in self.entries.items():
            if code in self.vocabulary:
                entry.attach(self.vocabulary[code])

    def add(self, entry: SourceEntry) -> None:
        """Duplicate policy: curated beats portal; within one kind the first record wins."""
        existing = self.entries.get(entry.code)
        if existing is None or SOURCE_PRIORITY[entry.kind] > SOURCE_PRIORITY[existing.kind]:
            self.entries[entry.code] = entry
            return
        reason = f"trùng mã {entry.code}; giữ bản ghi {existing.kind} đọc trước ({existing.origin})"
        self.failures.append(Failure(entry.origin, entry.code, reason))


def _is_portal_json(data: object) -> bool:
    if isinstance(data, list):
        return bool(data) and isinstance(data[0], dict) and "ma_thu_tuc" in data[0]
    return isinstance(data, dict) and "ma_thu_tuc" in data


def _portal_entry(record: object, raw: str, origin: str, where: str) -> SourceEntry:
    if not isinstance(record, dict):
        raise ValueError("bản ghi không phải đối tượng JSON")
    code = normalize_inline(str(record.get("ma_thu_tuc") or ""))
    if not code or not normalize_inline(str(record.get("ten_thu_tuc") or "")):
        raise ValueError("thiếu ma_thu_tuc hoặc ten_thu_tuc")
    digest = hashlib.sha256(f"{PARSER_VERSION}\n{raw}".encode()).hexdigest()[:16]
    return SourceEntry(code, "portal", origin, digest, normalize_inline(str(record.get("linh_vuc") or "")), record=record)


def _read_portal_records(path: Path, batch: SourceBatch) -> None:
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        batch.failures.append(Failure(path.name, "*", "tệp không phải văn bản UTF-8"))
        return
    if path.suffix.lower() == ".jsonl":
        items = [(n, line) for n, line in enumerate(raw.splitlines(), start=1) if line.strip()]
    else:
        data = json.loads(raw)
        records = data if isinstance(data, list) else [data]
        items = [(n, json.dumps(r, ensure_ascii=False, sort_keys=True)) for n, r in enumerate(records, start=1)]
    for number, line in items:
        where = f"line {number}" if path.suffix.lower() == ".jsonl" else f"item {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            batch.failures.append(Failure(path.name, where, f"JSON không hợp lệ: {exc.msg}"))
            continue
        try:
            batch.add(_portal_entry(record, line, path.name, where))
        except ValueError as exc:
            item = str(record.get("ma_thu_tuc") or where) if isinstance(record, dict) else where
            batch.failures.append(Failure(path.name, item, str(exc)))
            log.warning("skipped portal record %s in %s: %s", item, path.name, exc)


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
        if is_life_events_file(path):
            batch.life_events.extend(load_life_events_file(path))
        elif is_vocabulary_file(path):
            for item in load_vocabulary_file(path):
                batch.vocabulary.setdefault(item.code, item)
        elif suffix == ".jsonl" or (suffix == ".json" and _is_portal_json(json.loads(path.read_bytes().decode("utf-8")))):
            _read_portal_records(path, batch)
        elif suffix in CURATED_SUFFIXES:
            proc = load_curated_file(path)
            batch.add(SourceEntry(proc.code, "curated", path.name, proc.content_hash(), proc.field, procedure=proc))
        elif suffix in PLAN_SUFFIXES:
            batch.plan_texts.append((path.name, read_plan_text(path)))
        elif suffix == ".xlsx":
            batch.lists.extend(load_official_list(path))
        else:
            batch.files.pop()
            batch.failures.append(Failure(path.name, "*", f"loại tệp không được hỗ trợ: {suffix or '(không có đuôi)'}"))
    except (ValueError, UnicodeDecodeError) as exc:
        batch.failures.append(Failure(path.name, "*", str(exc)))
        log.warning("skipped %s: %s", path, exc)


def read_sources(paths: list[Path]) -> SourceBatch:
    """Read every source; problems become failures, never exceptions."""
    batch = SourceBatch()
    for path in paths:
        if not path.exists():
            batch.failures.append(Failure(str(path), "*", "không tìm thấy tệp hoặc thư mục"))
            continue
        read_source(path, batch)
    batch.attach_vocabulary()
    return batch
