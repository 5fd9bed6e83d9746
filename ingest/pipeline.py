"""Ingest: sources -> a new validated index version, reusing unchanged work, then the pointer switch.

Reuse is by hash at every stage: an unchanged portal record is not parsed again, its
chunks are copied as stored, its keyword rows are copied, and its vectors stay in the
copied vector store. Only what changed is parsed, chunked, tokenised and embedded.
Stages: read (sources) -> decide (planning) -> build (building) -> validate -> publish (here).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from index_store.changes import write_changes
from index_store.embeddings import Embedder, make_embeddings
from index_store.ids import PLAN_ID
from index_store.store import LIFE_EVENTS_FILE, RANKER_FILE, VersionStore, life_events_json, read_life_events
from ingest.building import BuildJob, build_version
from ingest.changes import version_changes
from ingest.planning import plan_contents
from ingest.previous import PreviousVersion
from ingest.report import IngestReport
from ingest.sources import read_sources
from tthc.settings import Settings

log = logging.getLogger(__name__)

EmbeddingsFactory = Callable[[Settings], Embedder]


def run_ingest(
    settings: Settings,
    sources: list[Path],
    *,
    remove_missing: bool = False,
    merge: bool = False,
    embeddings_factory: EmbeddingsFactory = make_embeddings,
) -> IngestReport:
    """Build, validate and publish a new index version from ``sources``.

    Procedures are a snapshot of the sources (or merged onto the current set with
    ``merge``). Sources with no procedures, or no plan, carry the current ones over.
    The current version is never modified; on any failure it stays current.
    """
    started = time.perf_counter()
    store = VersionStore(settings.index_dir)
    report = IngestReport()
    with store.lock():
        store.clean_abandoned_builds()
        batch = read_sources(with_vocabulary(sources, settings.vocabulary_dir))
        report.failed = list(batch.failures)
        previous = PreviousVersion.open(store)
        report.previous = previous.manifest.version if previous else None
        plan = plan_contents(batch, previous, merge, remove_missing, report)

        old = previous.manifest.procedure_hashes if previous else {}
        new = plan.procedure_hashes
        report.added = sorted(new.keys() - old.keys())
        report.removed = sorted(old.keys() - new.keys())
        report.changed = sorted(c for c in new.keys() & old.keys() if new[c] != old[c])
        report.unchanged = len(new) - len(report.added) - len(report.changed)
        report.procedures = len(new) - (1 if PLAN_ID in new else 0)
        if not new:
            report.status, report.message = "failed", "Không có thủ tục hay kế hoạch nào đọc được từ nguồn."
            return _finish(report, started)
        life_events = batch.life_events or (read_life_events(previous.path) if previous else [])
        events_json = life_events_json(life_events)
        events_hash = hashlib.sha256(events_json.encode()).hexdigest()[:16] if life_events else ""
        ranker_json = read_ranker_file(settings.ranker_path)
        ranker_hash = hashlib.sha256(ranker_json.encode()).hexdigest()[:16] if ranker_json else ""
        embeddings = embeddings_factory(settings)
        spec = asdict(embeddings.spec)
        unchanged = not (report.added or report.changed or report.removed) and previous is not None
        extras = (events_hash, ranker_hash, settings.vector_search_ef)
        same_extras = previous is not None and (
            (previous.manifest.life_events_hash, previous.manifest.ranker_hash, previous.manifest.vector_search_ef) == extras
        )
        if previous and unchanged and previous.manifest.embedding == spec and same_extras:
            report.status, report.version = "no_changes", previous.manifest.version
            report.chunks, report.dense_units = previous.manifest.counts["chunks"], previous.manifest.counts["dense_units"]
            report.reused_vectors = report.dense_units
            report.message = "Chỉ mục hiện tại được giữ nguyên."
            return _finish(report, started)

        name = store.next_name()
        created_at = datetime.now(UTC).isoformat(timespec="seconds")
        changes = version_changes(name, created_at, previous, plan, report)
        report.change_lines = changes.lines()
        build = store.build_dir(name)
        try:
            (build / LIFE_EVENTS_FILE).write_text(events_json, encoding="utf-8")
            if ranker_json:
                (build / RANKER_FILE).write_text(ranker_json, encoding="utf-8")
            job = BuildJob(settings, build, name, plan, previous, embeddings, spec, report, batch.files, events_hash, ranker_hash)
            build_version(job, created_at=created_at)
            write_changes(build, changes)  # published, kept and rolled back with its version
            store.publish(build, name)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        report.status, report.version = "published", name
        store.prune(settings.keep_versions, settings)
    return _finish(report, started)


def read_ranker_file(path: Path) -> str:
    """The learned ranking model to store with the new version; empty (RRF fallback) when absent or unreadable."""
    if not path.is_file():
        return ""
    try:
        text = path.read_text(encoding="utf-8")
        if not isinstance(json.loads(text), dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        log.error("ranker model %s is unreadable, building without it (RRF fallback): %s", path, exc)
        return ""
    return text


def with_vocabulary(sources: list[Path], vocabulary_dir: Path) -> list[Path]:
    """The sources plus our vocabulary folder, unless a source already is it or holds it."""
    if not vocabulary_dir.is_dir():
        return sources
    target = vocabulary_dir.resolve()
    if any(source.resolve() == target or source.resolve() in target.parents for source in sources):
        return sources
    return [*sources, vocabulary_dir]


def _finish(report: IngestReport, started: float) -> IngestReport:
    report.seconds = round(time.perf_counter() - started, 2)
    log.info(
        "ingest %s version=%s added=%d changed=%d removed=%d failed=%d parsed=%d rows_cleaned=%d resplit=%d rejoined=%d"
        " embedded=%d in %.1fs",
        report.status,
        report.version,
        len(report.added),
        len(report.changed),
        len(report.removed),
        len(report.failed),
        report.parsed,
        report.document_rows_cleaned,
        report.splits_repaired,
        report.lines_rejoined,
        report.embedded,
        report.seconds,
    )
    return report


def rollback(settings: Settings) -> str:
    """Make the previous version current again."""
    store = VersionStore(settings.index_dir)
    with store.lock():
        return store.rollback()
