"""Ingest: sources -> a new validated index version, reusing unchanged work, then the pointer switch.

Reuse is by hash at every stage: an unchanged portal record is not parsed again, its
chunks are copied as stored, its keyword rows are copied, and its vectors stay in the
copied vector store. Only what changed is parsed, chunked, tokenised and embedded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from ingest.chunking import chunk_plan, chunk_procedure, plan_dense_units, procedure_dense_units
from ingest.embeddings import make_embeddings
from ingest.keyword_index import KeywordIndex
from ingest.plan import PLAN_ID, parse_plan
from ingest.sources import Failure, SourceBatch, SourceEntry, read_sources
from ingest.store import FORMAT_VERSION, IndexProblem, Manifest, VersionStore, chroma_client, collection_name
from tthc.safety import contains_instructions
from tthc.schema import Chunk
from tthc.settings import Settings
from tthc.text import bm25_tokens

log = logging.getLogger(__name__)

EmbeddingsFactory = Callable[[Settings], Embeddings]
_CHROMA_BATCH = 1000


@dataclass
class IngestReport:
    """What an ingest did; printed for people and returned as JSON."""

    status: str = "pending"  # published | no_changes | failed
    version: str | None = None
    previous: str | None = None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    not_in_list: list[str] = field(default_factory=list)
    listed_not_indexed: list[str] = field(default_factory=list)
    procedures: int = 0
    chunks: int = 0
    dense_units: int = 0
    embedded: int = 0
    reused_vectors: int = 0
    parsed: int = 0
    seconds: float = 0.0
    message: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    def to_text(self) -> str:
        """Human-readable report, in Vietnamese for administrators."""
        status = {"published": "đã tạo phiên bản mới", "no_changes": "không có thay đổi", "failed": "THẤT BẠI"}
        lines = [
            f"Kết quả nạp dữ liệu: {status.get(self.status, self.status)}" + (f" ({self.version})" if self.version else ""),
            f"  Phiên bản trước: {self.previous or '—'}",
            f"  Thêm mới: {len(self.added)}   Thay đổi: {len(self.changed)}   Không đổi: {self.unchanged}"
            f"   Gỡ bỏ: {len(self.removed)}   Lỗi: {len(self.failed)}",
            f"  Tổng: {self.procedures} thủ tục, {self.chunks} đoạn; vector: {self.dense_units} "
            f"(tính mới {self.embedded}, dùng lại {self.reused_vectors}); {self.seconds:.1f} giây",
        ]
        for title, codes in (("Thêm mới", self.added), ("Thay đổi", self.changed), ("Gỡ bỏ", self.removed)):
            if codes:
                lines.append(f"  {title}: " + ", ".join(codes[:20]) + (" …" if len(codes) > 20 else ""))
        if self.not_in_list:
            hint = "" if self.removed else " — dùng --remove-missing để gỡ bỏ"
            lines.append(f"  Không còn trong danh sách mới ({len(self.not_in_list)}): " + ", ".join(self.not_in_list[:20]) + hint)
        if self.listed_not_indexed:
            lines.append(f"  Có trong danh sách nhưng chưa có hồ sơ chi tiết: {len(self.listed_not_indexed)}")
        for failure in self.failed[:50]:
            lines.append(f"  Lỗi {failure.source} [{failure.item}]: {failure.reason}")
        if self.message:
            lines.append(f"  {self.message}")
        return "\n".join(lines)


@dataclass
class _Previous:
    """The current version, read as stored: raw JSON lines, so unchanged parts are copied, not rebuilt."""

    path: Path
    manifest: Manifest
    procedure_lines: dict[str, str]
    chunk_lines: dict[str, list[str]]
    chunk_hashes: dict[str, list[str]]
    fields: dict[str, str]

    @classmethod
    def open(cls, store: VersionStore) -> _Previous | None:
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


@dataclass
class _Plan:
    """The desired contents of the new version."""

    reused: list[str] = field(default_factory=list)  # codes copied from the previous version
    fresh: dict[str, object] = field(default_factory=dict)  # code -> Procedure to chunk and embed
    plan_chunks: list[Chunk] | None = None  # None: carry the previous plan over
    source_hashes: dict[str, str] = field(default_factory=dict)
    procedure_hashes: dict[str, str] = field(default_factory=dict)


def _doc_hash(chunks: list[Chunk]) -> str:
    return hashlib.sha256("".join(c.content_hash for c in chunks).encode()).hexdigest()[:16]


def _carry_entries(previous: _Previous) -> dict[str, SourceEntry]:
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


def _plan_contents(batch: SourceBatch, previous: _Previous | None, merge: bool, remove_missing: bool, report: IngestReport) -> _Plan:
    plan = _Plan()
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
        if plan.plan_chunks:
            plan.procedure_hashes[PLAN_ID] = new_hash
    if plan.plan_chunks is None and previous is not None and PLAN_ID in old_hashes:
        plan.procedure_hashes[PLAN_ID] = old_hashes[PLAN_ID]
    return plan


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
        batch = read_sources(sources)
        report.failed = list(batch.failures)
        previous = _Previous.open(store)
        report.previous = previous.manifest.version if previous else None
        plan = _plan_contents(batch, previous, merge, remove_missing, report)

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
        embeddings = embeddings_factory(settings)
        spec = asdict(embeddings.spec)  # type: ignore[attr-defined]
        if previous and not (report.added or report.changed or report.removed) and previous.manifest.embedding == spec:
            report.status, report.version = "no_changes", previous.manifest.version
            report.chunks, report.dense_units = previous.manifest.counts["chunks"], previous.manifest.counts["dense_units"]
            report.reused_vectors = report.dense_units
            report.message = "Chỉ mục hiện tại được giữ nguyên."
            return _finish(report, started)

        name = store.next_name()
        build = store.build_dir(name)
        try:
            _build_version(settings, store, build, name, plan, previous, embeddings, spec, report, batch.files)
            store.publish(build, name)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        report.status, report.version = "published", name
        store.prune(settings.keep_versions, settings)
    return _finish(report, started)


def _build_version(
    settings: Settings,
    store: VersionStore,
    build: Path,
    name: str,
    plan: _Plan,
    previous: _Previous | None,
    embeddings: Embeddings,
    spec: dict,
    report: IngestReport,
    files: list[str],
) -> None:
    fresh_chunks = [c for code in sorted(plan.fresh) for c in chunk_procedure(plan.fresh[code])]  # type: ignore[arg-type]
    carried_docs = list(plan.reused)
    if plan.plan_chunks is None and previous is not None and PLAN_ID in previous.chunk_lines and PLAN_ID in plan.procedure_hashes:
        carried_docs.append(PLAN_ID)
    fresh_chunks += plan.plan_chunks or []

    # procedures.jsonl and chunks.jsonl: carried lines as stored, fresh ones serialised
    with open(build / "procedures.jsonl", "w", encoding="utf-8") as handle:
        for code in plan.reused:
            handle.write(previous.procedure_lines[code] + "\n")  # type: ignore[union-attr]
        for code in sorted(plan.fresh):
            handle.write(plan.fresh[code].model_dump_json() + "\n")  # type: ignore[attr-defined]
    rows: list[tuple[str, str | None]] = []
    with open(build / "chunks.jsonl", "w", encoding="utf-8") as handle:
        for doc in carried_docs:
            for line, content_hash in zip(previous.chunk_lines[doc], previous.chunk_hashes[doc]):  # type: ignore[union-attr]
                handle.write(line + "\n")
                rows.append((content_hash, None))
        for chunk in fresh_chunks:
            handle.write(chunk.model_dump_json() + "\n")
            rows.append((chunk.content_hash, chunk.text))
    report.chunks = len(rows)
    previous_keywords = KeywordIndex.load(previous.path / "keywords") if previous else None
    keywords = KeywordIndex.build(rows, previous_keywords)
    keywords.save(build / "keywords")

    fresh_units = [u for code in sorted(plan.fresh) for u in procedure_dense_units(plan.fresh[code])]  # type: ignore[arg-type]
    fresh_units += plan_dense_units(plan.plan_chunks or [])
    dropped = set(plan.fresh) | set(report.removed)
    if plan.plan_chunks is not None:
        dropped.add(PLAN_ID)
    collection, kept = _vector_store(settings, store, build, name, previous, spec, dropped)
    reuse = _vectors_of(previous, settings, spec, dropped) if previous else {}
    vectors, report.embedded = _embed(fresh_units, reuse, embeddings, settings.embedding_batch_size)
    for start in range(0, len(fresh_units), _CHROMA_BATCH):
        part = fresh_units[start : start + _CHROMA_BATCH]
        collection.add(
            ids=[u.id for u in part],
            embeddings=vectors[start : start + _CHROMA_BATCH],
            documents=[u.text for u in part],
            metadatas=[u.metadata() for u in part],
        )
    report.dense_units = kept + len(fresh_units)
    report.reused_vectors = report.dense_units - report.embedded

    Manifest(
        version=name,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        embedding=spec,
        counts={"procedures": len(plan.reused) + len(plan.fresh), "chunks": len(rows), "dense_units": report.dense_units},
        procedure_hashes=plan.procedure_hashes,
        source_hashes=plan.source_hashes,
        sources=files,
    ).write(build)
    if plan.fresh:
        probe = next(iter(plan.fresh.values()))
        probe_code, probe_name = probe.code, probe.name  # type: ignore[attr-defined]
    elif plan.reused:
        probe_code = plan.reused[0]
        probe_name = json.loads(previous.procedure_lines[probe_code])["name"]  # type: ignore[union-attr]
    else:
        probe_code = probe_name = None
    _validate(collection, keywords, embeddings, report.dense_units, probe_code, probe_name)


def _vector_store(settings, store, build, name, previous, spec, dropped):
    """The new version's collection: a copy of the previous store minus dropped documents, or a new one."""
    server = settings.chroma_mode == "server" or bool(settings.chroma_host)
    if previous is not None and previous.manifest.embedding == spec and not server:
        shutil.copytree(previous.path / "chroma", build / "chroma")
        collection = chroma_client(settings, build).get_collection(collection_name(settings, name), embedding_function=None)
        if dropped:
            collection.delete(where={"code": {"$in": sorted(dropped)}})
        return collection, collection.count()
    collection = chroma_client(settings, build).create_collection(
        collection_name(settings, name), embedding_function=None, metadata={"hnsw:space": "cosine"}
    )
    if previous is not None and previous.manifest.embedding == spec:  # server mode: copy the kept vectors over
        old = chroma_client(settings, previous.path).get_collection(
            collection_name(settings, previous.manifest.version), embedding_function=None
        )
        data = old.get(include=["embeddings", "metadatas", "documents"])
        keep = [i for i, meta in enumerate(data["metadatas"]) if meta["code"] not in dropped]
        for start in range(0, len(keep), _CHROMA_BATCH):
            idx = keep[start : start + _CHROMA_BATCH]
            collection.add(
                ids=[data["ids"][i] for i in idx],
                embeddings=[data["embeddings"][i] for i in idx],
                documents=[data["documents"][i] for i in idx],
                metadatas=[data["metadatas"][i] for i in idx],
            )
    return collection, collection.count()


def _vectors_of(previous: _Previous, settings: Settings, spec: dict, codes: set[str]) -> dict[str, list[float]]:
    """content_hash -> vector of the previous version's units of ``codes`` (same embeddings only)."""
    if previous.manifest.embedding != spec or not codes:
        return {}
    client = chroma_client(settings, previous.path)
    old = client.get_collection(collection_name(settings, previous.manifest.version), embedding_function=None)
    data = old.get(where={"code": {"$in": sorted(codes)}}, include=["embeddings", "metadatas"])
    return {meta["content_hash"]: list(vec) for meta, vec in zip(data["metadatas"], data["embeddings"])}


def _embed(units: list[Chunk], reuse: dict[str, list[float]], embeddings: Embeddings, batch: int) -> tuple[list, int]:
    vectors: list[list[float] | None] = [reuse.get(u.content_hash) for u in units]
    todo = [i for i, v in enumerate(vectors) if v is None]
    with tqdm(total=len(todo), desc="embedding", unit="đoạn", disable=None) as bar:
        for start in range(0, len(todo), batch):
            ids = todo[start : start + batch]
            for i, vec in zip(ids, embeddings.embed_documents([units[i].text for i in ids])):
                vectors[i] = vec
            bar.update(len(ids))
    return vectors, len(todo)


def _validate(collection, keywords: KeywordIndex, embeddings: Embeddings, units: int, code: str | None, name: str | None) -> None:
    """Counts match and a smoke query finds a (changed) procedure, densely and by keywords."""
    if collection.count() != units:
        raise IndexProblem(f"vector count {collection.count()} != {units}")
    if code is None or name is None:
        return
    hits = collection.query(query_embeddings=[embeddings.embed_query(name)], n_results=min(10, units))
    if code not in {m["code"] for m in hits["metadatas"][0]}:
        raise IndexProblem(f"smoke query for {code} did not return it")
    if keywords.scores(bm25_tokens(name)).max() <= 0:
        raise IndexProblem(f"keyword smoke query for {code} found nothing")


def _finish(report: IngestReport, started: float) -> IngestReport:
    report.seconds = round(time.perf_counter() - started, 2)
    log.info(
        "ingest %s version=%s added=%d changed=%d removed=%d failed=%d parsed=%d embedded=%d in %.1fs",
        report.status,
        report.version,
        len(report.added),
        len(report.changed),
        len(report.removed),
        len(report.failed),
        report.parsed,
        report.embedded,
        report.seconds,
    )
    return report


def rollback(settings: Settings) -> str:
    """Make the previous version current again."""
    store = VersionStore(settings.index_dir)
    with store.lock():
        return store.rollback()
