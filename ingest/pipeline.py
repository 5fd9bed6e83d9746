"""Ingest: sources -> a new validated index version, reusing unchanged work, then the pointer switch."""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from ingest.chunking import chunk_plan, chunk_procedure, plan_dense_units, procedure_dense_units
from ingest.embeddings import make_embeddings
from ingest.plan import PLAN_ID, parse_plan
from ingest.sources import Failure, SourceBatch, read_sources
from ingest.vocab import build_vocab, write_vocab
from ingest.store import (
    IndexProblem,
    IndexVersion,
    Manifest,
    VersionStore,
    build_bm25,
    chroma_client,
    collection_name,
    read_jsonl,
    write_jsonl,
)
from tthc.schema import Chunk, Procedure
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
    seconds: float = 0.0
    message: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    def to_text(self) -> str:
        """Human-readable report, in Vietnamese for administrators."""
        status = {"published": "đã tạo phiên bản mới", "no_changes": "không có thay đổi", "failed": "THẤT BẠI"}
        lines = [
            f"Kết quả nạp dữ liệu: {status.get(self.status, self.status)}"
            + (f" ({self.version})" if self.version else ""),
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
            lines.append(
                f"  Không còn trong danh sách mới ({len(self.not_in_list)}): " + ", ".join(self.not_in_list[:20])
                + ("" if self.removed else " — dùng --remove-missing để gỡ bỏ")
            )
        if self.listed_not_indexed:
            lines.append(f"  Có trong danh sách nhưng chưa có hồ sơ chi tiết: {len(self.listed_not_indexed)}")
        for failure in self.failed[:50]:
            lines.append(f"  Lỗi {failure.source} [{failure.item}]: {failure.reason}")
        if self.message:
            lines.append(f"  {self.message}")
        return "\n".join(lines)


def _plan_chunks(batch: SourceBatch) -> list[Chunk]:
    chunks: list[Chunk] = []
    for _, text in batch.plan_texts:
        sections, rows = parse_plan(text)
        chunks.extend(chunk_plan(sections, rows))
    return chunks


def _doc_hash(chunks: list[Chunk]) -> str:
    return hashlib.sha256("".join(c.content_hash for c in chunks).encode()).hexdigest()[:16]


def _previous_state(store: VersionStore) -> tuple[Manifest | None, dict[str, Procedure], list[Chunk]]:
    if store.current() is None:
        return None, {}, []
    path = store.current_dir()
    manifest = Manifest.read(path)
    procedures = {p["code"]: Procedure.model_validate(p) for p in read_jsonl(path / "procedures.jsonl")}
    plan = [Chunk.model_validate(c) for c in read_jsonl(path / "chunks.jsonl") if c["source"] == "plan"]
    return manifest, procedures, plan


def _previous_vectors(settings: Settings, store: VersionStore, spec: dict) -> dict[str, list[float]]:
    """content_hash -> vector of the current version, when it used the same embeddings."""
    name = store.current()
    if name is None:
        return {}
    manifest = Manifest.read(store.versions_dir / name)
    if manifest.embedding != spec:
        return {}
    client = chroma_client(settings, store.versions_dir / name)
    data = client.get_collection(collection_name(settings, name), embedding_function=None).get(
        include=["embeddings", "metadatas"]
    )
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


def _validate(version: IndexVersion, embeddings: Embeddings, units: list[Chunk]) -> None:
    """Counts match and a smoke query finds its own procedure, densely and by keywords."""
    if version.collection.count() != len(units):
        raise IndexProblem(f"vector count {version.collection.count()} != {len(units)}")
    if not units:
        return
    probe = next((u for u in units if u.heading == "name"), units[0])
    hits = version.collection.query(query_embeddings=[embeddings.embed_query(probe.title)], n_results=10)
    if probe.doc_id not in {m["code"] for m in hits["metadatas"][0]}:
        raise IndexProblem(f"smoke query for {probe.doc_id} did not return it")
    scores = version.bm25.get_scores(bm25_tokens(probe.title))
    top = {version.chunks[i].doc_id for i in scores.argsort()[::-1][:20]}
    if probe.doc_id not in top:
        raise IndexProblem(f"keyword smoke query for {probe.doc_id} did not return it")


def _apply_lists(batch: SourceBatch, procedures: dict[str, Procedure], remove: bool, report: IngestReport) -> None:
    listed = {entry.code for entry in batch.lists}
    fields = {entry.field.casefold() for entry in batch.lists if entry.field}
    report.not_in_list = sorted(c for c, p in procedures.items() if p.field.casefold() in fields and c not in listed)
    report.listed_not_indexed = sorted(listed - procedures.keys())
    if remove:
        for code in report.not_in_list:
            procedures.pop(code)


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
        report.failed = batch.failures
        previous, previous_procs, previous_plan = _previous_state(store)
        report.previous = previous.version if previous else None

        procedures = dict(previous_procs) if (merge or not batch.procedures) else {}
        procedures.update(batch.procedures)
        _apply_lists(batch, procedures, remove_missing, report)
        plan_chunks = _plan_chunks(batch) if batch.plan_texts else previous_plan

        chunks = [c for code in sorted(procedures) for c in chunk_procedure(procedures[code])] + plan_chunks
        hashes = {code: p.content_hash() for code, p in procedures.items()}
        if plan_chunks:
            hashes[PLAN_ID] = _doc_hash(plan_chunks)
        old = previous.procedure_hashes if previous else {}
        report.added = sorted(hashes.keys() - old.keys())
        report.removed = sorted(old.keys() - hashes.keys())
        report.changed = sorted(c for c in hashes.keys() & old.keys() if hashes[c] != old[c])
        report.unchanged = len(hashes) - len(report.added) - len(report.changed)
        report.procedures, report.chunks = len(procedures), len(chunks)

        if not hashes:
            report.status, report.message = "failed", "Không có thủ tục hay kế hoạch nào đọc được từ nguồn."
            return _finish(report, started)
        embeddings = embeddings_factory(settings)
        spec = asdict(embeddings.spec)  # type: ignore[attr-defined]
        if previous and not (report.added or report.changed or report.removed) and previous.embedding == spec:
            report.status, report.version = "no_changes", previous.version
            report.message = "Chỉ mục hiện tại được giữ nguyên."
            return _finish(report, started)

        name = store.next_name()
        build = store.build_dir(name)
        try:
            units = [u for code in sorted(procedures) for u in procedure_dense_units(procedures[code])]
            units += plan_dense_units(plan_chunks)
            report.dense_units = len(units)
            reuse = _previous_vectors(settings, store, spec)
            vectors, report.embedded = _embed(units, reuse, embeddings, settings.embedding_batch_size)
            report.reused_vectors = len(units) - report.embedded
            _write_version(settings, build, name, procedures, chunks, units, vectors)
            manifest = Manifest(
                version=name,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                embedding=spec,
                counts={"procedures": len(procedures), "chunks": len(chunks), "dense_units": len(units)},
                procedure_hashes=hashes,
                sources=batch.files,
            )
            manifest.write(build)
            loaded = IndexVersion.load_dir(settings, build, name)
            _validate(loaded, embeddings, units)
            store.publish(build, name)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        report.status, report.version = "published", name
        store.prune(settings.keep_versions, settings)
    return _finish(report, started)


def _write_version(
    settings: Settings,
    build: Path,
    name: str,
    procedures: dict[str, Procedure],
    chunks: list[Chunk],
    units: list[Chunk],
    vectors: list,
) -> None:
    write_jsonl(build / "procedures.jsonl", [procedures[c].model_dump(mode="json") for c in sorted(procedures)])
    write_jsonl(build / "chunks.jsonl", [c.model_dump(mode="json") for c in chunks])
    build_bm25(chunks, build / "bm25")
    write_vocab(build_vocab(chunks), build / "vocab.json")
    client = chroma_client(settings, build)
    collection = client.create_collection(
        collection_name(settings, name), embedding_function=None, metadata={"hnsw:space": "cosine"}
    )
    for start in range(0, len(units), _CHROMA_BATCH):
        part = units[start : start + _CHROMA_BATCH]
        collection.add(
            ids=[u.id for u in part],
            embeddings=vectors[start : start + _CHROMA_BATCH],
            documents=[u.text for u in part],
            metadatas=[u.metadata() for u in part],
        )


def _finish(report: IngestReport, started: float) -> IngestReport:
    report.seconds = round(time.perf_counter() - started, 2)
    log.info(
        "ingest %s version=%s added=%d changed=%d removed=%d failed=%d embedded=%d in %.1fs",
        report.status, report.version, len(report.added), len(report.changed), len(report.removed),
        len(report.failed), report.embedded, report.seconds,
    )
    return report


def rollback(settings: Settings) -> str:
    """Make the previous version current again."""
    store = VersionStore(settings.index_dir)
    with store.lock():
        return store.rollback()
