"""Deciding what the new version holds and what must be rebuilt, by comparing hashes with the current one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from index_store.ids import PLAN_ID
from ingest.chunking import chunk_plan
from ingest.previous import PreviousVersion
from ingest.reform_plan import parse_plan
from ingest.report import IngestReport
from ingest.sources import Failure, SourceBatch, SourceEntry
from tthc.safety import contains_instructions
from tthc.schema import Chunk, Procedure


@dataclass
class ContentPlan:
    """The desired contents of the new version."""

    reused: list[str] = field(default_factory=list)  # codes copied from the previous version
    fresh: dict[str, Procedure] = field(default_factory=dict)  # code -> procedure to chunk and embed
    plan_chunks: list[Chunk] | None = None  # None: carry the previous plan over
    source_hashes: dict[str, str] = field(default_factory=dict)
    procedure_hashes: dict[str, str] = field(default_factory=dict)


def _doc_hash(chunks: list[Chunk]) -> str:
    return hashlib.sha256("".join(c.content_hash for c in chunks).encode()).hexdigest()[:16]


def _carry_entries(previous: PreviousVersion) -> dict[str, SourceEntry]:
    return {
        code: SourceEntry(code, "carried", "current index", previous.manifest.source_hashes.get(code, ""), previous.fields[code])
        for code in previous.procedure_lines
    }


def _apply_lists(batch: SourceBatch, entries: dict[str, SourceEntry], remove: bool, report: IngestReport) -> None:
    listed = {entry.code for entry in batch.lists}
    fields = {entry.field.casefold() for entry in batch.lists if entry.field}
    report.not_in_list = sorted(c for c, e in entries.items() if e.field.casefold() in fields and c not in listed)
    report.listed_not_indexed = sorted(listed - entries.keys())
    if remove:
        for code in report.not_in_list:
            entries.pop(code)


def plan_contents(
    batch: SourceBatch, previous: PreviousVersion | None, merge: bool, remove_missing: bool, report: IngestReport
) -> ContentPlan:
    """Decide, per procedure and for the plan, what is reused as stored and what is parsed, chunked and embedded."""
    plan = ContentPlan()
    entries = _carry_entries(previous) if previous and (merge or not batch.entries) else {}
    entries.update(batch.entries)
    _apply_lists(batch, entries, remove_missing, report)
    old_sources = previous.manifest.source_hashes if previous else {}
    old_hashes = previous.manifest.procedure_hashes if previous else {}
    for code, entry in sorted(entries.items()):
        unchanged = previous is not None and code in previous.procedure_lines and old_sources.get(code) == entry.source_hash
        if entry.kind == "carried" or unchanged:
            plan.reused.append(code)
            plan.source_hashes[code] = old_sources.get(code, "")
            plan.procedure_hashes[code] = old_hashes[code]
            continue
        try:
            proc = entry.materialize()
            if contains_instructions(proc.model_dump_json()):
                raise ValueError("hồ sơ chứa câu lệnh nhắm vào trợ lý (nghi tấn công prompt injection); không được nạp")
        except ValueError as exc:
            kept = previous is not None and code in previous.procedure_lines
            reason = str(exc) + ("; giữ nguyên bản trước đó của hồ sơ này" if kept else "")
            report.failed.append(Failure(entry.origin, code, reason))
            if kept:
                plan.reused.append(code)
                plan.source_hashes[code] = old_sources.get(code, "")
                plan.procedure_hashes[code] = old_hashes[code]
            continue
        report.parsed += 1
        report.document_rows_cleaned += entry.document_rows_cleaned
        report.splits_repaired += entry.split_repaired
        report.lines_rejoined += entry.lines_rejoined
        content = proc.content_hash()
        if previous is not None and old_hashes.get(code) == content and code in previous.procedure_lines:
            plan.reused.append(code)  # the source changed but not what we index
        else:
            plan.fresh[code] = proc
        plan.source_hashes[code] = entry.source_hash
        plan.procedure_hashes[code] = content
    if batch.plan_texts:
        plan.plan_chunks = []
        for name, text in batch.plan_texts:
            sections, rows = parse_plan(text)
            chunks = chunk_plan(sections, rows)
            poisoned = [c for c in chunks if contains_instructions(c.text)]
            if poisoned:
                report.failed.append(
                    Failure(
                        name,
                        poisoned[0].heading or "*",
                        "kế hoạch chứa câu lệnh nhắm vào trợ lý (nghi tấn công prompt injection); không được nạp",
                    )
                )
                continue
            plan.plan_chunks.extend(chunks)
        if not plan.plan_chunks:
            plan.plan_chunks = None
        new_hash = _doc_hash(plan.plan_chunks) if plan.plan_chunks else None
        if previous is not None and old_hashes.get(PLAN_ID) == new_hash:
            plan.plan_chunks = None
        if plan.plan_chunks and new_hash:
            plan.procedure_hashes[PLAN_ID] = new_hash
    if plan.plan_chunks is None and previous is not None and PLAN_ID in old_hashes:
        plan.procedure_hashes[PLAN_ID] = old_hashes[PLAN_ID]
    return plan
