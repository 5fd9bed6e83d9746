"""Writing a new version into its build directory: procedures, chunks, keyword rows and vectors.

Carried parts are copied as stored (lines, keyword rows, vectors); only fresh parts are serialised,
tokenised and embedded.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import chromadb
from tqdm import tqdm

from index_store.embeddings import Embedder
from index_store.ids import PLAN_ID
from index_store.keywords import KeywordIndex
from index_store.store import Manifest, chroma_client, collection_name
from ingest.chunking import chunk_procedure, plan_dense_units, procedure_dense_units
from ingest.planning import ContentPlan
from ingest.previous import PreviousVersion
from ingest.report import IngestReport
from ingest.validation import validate_version
from tthc.schema import Chunk
from tthc.settings import Settings

_CHROMA_BATCH = 1000


@dataclass
class BuildJob:
    """Everything one build needs; the report is filled in as the build goes."""

    settings: Settings
    build_dir: Path
    name: str
    plan: ContentPlan
    previous: PreviousVersion | None
    embeddings: Embedder
    spec: dict
    report: IngestReport
    files: list[str]
    life_events_hash: str = ""
    ranker_hash: str = ""


def build_version(job: BuildJob, created_at: str) -> None:
    """Write the version into ``job.build_dir`` and validate it; raises on any problem."""
    plan, previous, report = job.plan, job.previous, job.report
    fresh_chunks = [c for code in sorted(plan.fresh) for c in chunk_procedure(plan.fresh[code])]
    carried_docs = list(plan.reused)
    if plan.plan_chunks is None and previous is not None and PLAN_ID in previous.chunk_lines and PLAN_ID in plan.procedure_hashes:
        carried_docs.append(PLAN_ID)
    fresh_chunks += plan.plan_chunks or []

    # procedures.jsonl and chunks.jsonl: carried lines as stored, fresh ones serialised
    with open(job.build_dir / "procedures.jsonl", "w", encoding="utf-8") as handle:
        for code in plan.reused:
            handle.write(_previous(previous).procedure_lines[code] + "\n")
        for code in sorted(plan.fresh):
            handle.write(plan.fresh[code].model_dump_json() + "\n")
    rows: list[tuple[str, str | None]] = []
    with open(job.build_dir / "chunks.jsonl", "w", encoding="utf-8") as handle:
        for doc in carried_docs:
            old = _previous(previous)
            for line, content_hash in zip(old.chunk_lines[doc], old.chunk_hashes[doc]):
                handle.write(line + "\n")
                rows.append((content_hash, None))
        for chunk in fresh_chunks:
            handle.write(chunk.model_dump_json() + "\n")
            rows.append((chunk.content_hash, chunk.text))
    report.chunks = len(rows)
    previous_keywords = KeywordIndex.load(previous.path / "keywords") if previous else None
    keywords = KeywordIndex.build(rows, previous_keywords)
    keywords.save(job.build_dir / "keywords")

    fresh_units = [u for code in sorted(plan.fresh) for u in procedure_dense_units(plan.fresh[code])]
    fresh_units += plan_dense_units(plan.plan_chunks or [])
    dropped = set(plan.fresh) | set(report.removed)
    if plan.plan_chunks is not None:
        dropped.add(PLAN_ID)
    collection, kept = _vector_store(job, dropped)
    collection.modify(configuration=cast(Any, {"hnsw": {"ef_search": job.settings.vector_search_ef}}))
    reuse = _vectors_of(previous, job.settings, job.spec, dropped) if previous else {}
    vectors, report.embedded = _embed(fresh_units, reuse, job.embeddings, job.settings.embedding_batch_size)
    for start in range(0, len(fresh_units), _CHROMA_BATCH):
        part = fresh_units[start : start + _CHROMA_BATCH]
        collection.add(
            ids=[u.id for u in part],
            embeddings=cast(Any, vectors[start : start + _CHROMA_BATCH]),  # chromadb's stubs want numpy arrays; lists work
            documents=[u.text for u in part],
            metadatas=[u.metadata() for u in part],
        )
    report.dense_units = kept + len(fresh_units)
    report.reused_vectors = report.dense_units - report.embedded

    Manifest(
        version=job.name,
        created_at=created_at,
        embedding=job.spec,
        counts={"procedures": len(plan.reused) + len(plan.fresh), "chunks": len(rows), "dense_units": report.dense_units},
        procedure_hashes=plan.procedure_hashes,
        source_hashes=plan.source_hashes,
        sources=job.files,
        life_events_hash=job.life_events_hash,
        ranker_hash=job.ranker_hash,
        vector_search_ef=job.settings.vector_search_ef,
    ).write(job.build_dir)
    probe_code: str | None = None
    probe_name: str | None = None
    if plan.fresh:
        probe = next(iter(plan.fresh.values()))
        probe_code, probe_name = probe.code, probe.name
    elif plan.reused:
        probe_code = plan.reused[0]
        probe_name = json.loads(_previous(previous).procedure_lines[probe_code])["name"]
    validate_version(collection, keywords, job.embeddings, report.dense_units, probe_code, probe_name)


def _previous(previous: PreviousVersion | None) -> PreviousVersion:
    """The previous version where the plan says something is carried over (so there must be one)."""
    if previous is None:
        raise RuntimeError("content plan carries parts over but there is no previous version")
    return previous


def _where_code_in(codes: set[str]) -> Any:
    return {"code": {"$in": sorted(codes)}}


def _vector_store(job: BuildJob, dropped: set[str]) -> tuple[chromadb.Collection, int]:
    """The new version's collection: a copy of the previous store minus dropped documents, or a new one."""
    settings, previous, build, name = job.settings, job.previous, job.build_dir, job.name
    same_model = previous is not None and previous.manifest.embedding == job.spec
    if previous is not None and same_model and not settings.chroma_server:
        shutil.copytree(previous.path / "chroma", build / "chroma")
        collection = chroma_client(settings, build).get_collection(collection_name(settings, name), embedding_function=None)
        if dropped:
            collection.delete(where=_where_code_in(dropped))
        return collection, collection.count()
    collection = chroma_client(settings, build).create_collection(
        collection_name(settings, name), embedding_function=None, metadata={"hnsw:space": "cosine"}
    )
    if previous is not None and same_model:  # server mode: copy the kept vectors over
        old = chroma_client(settings, previous.path).get_collection(
            collection_name(settings, previous.manifest.version), embedding_function=None
        )
        data = old.get(include=cast(Any, ["embeddings", "metadatas", "documents"]))
        metadatas, embeddings, documents = data["metadatas"] or [], cast(Any, data["embeddings"]), data["documents"] or []
        keep = [i for i, meta in enumerate(metadatas) if meta["code"] not in dropped]
        for start in range(0, len(keep), _CHROMA_BATCH):
            idx = keep[start : start + _CHROMA_BATCH]
            collection.add(
                ids=[data["ids"][i] for i in idx],
                embeddings=[embeddings[i] for i in idx],
                documents=[documents[i] for i in idx],
                metadatas=[metadatas[i] for i in idx],
            )
    return collection, collection.count()


def _vectors_of(previous: PreviousVersion, settings: Settings, spec: dict, codes: set[str]) -> dict[str, list[float]]:
    """content_hash -> vector of the previous version's units of ``codes`` (same embeddings only)."""
    if previous.manifest.embedding != spec or not codes:
        return {}
    client = chroma_client(settings, previous.path)
    old = client.get_collection(collection_name(settings, previous.manifest.version), embedding_function=None)
    data = old.get(where=_where_code_in(codes), include=cast(Any, ["embeddings", "metadatas"]))
    metadatas, embeddings = data["metadatas"] or [], cast(Any, data["embeddings"])
    return {str(meta["content_hash"]): list(vec) for meta, vec in zip(metadatas, embeddings)}


def _embed(units: list[Chunk], reuse: dict[str, list[float]], embeddings: Embedder, batch: int) -> tuple[list[list[float]], int]:
    vectors: list[list[float] | None] = [reuse.get(u.content_hash) for u in units]
    todo = [i for i, v in enumerate(vectors) if v is None]
    with tqdm(total=len(todo), desc="embedding", unit="đoạn", disable=None) as bar:
        for start in range(0, len(todo), batch):
            ids = todo[start : start + batch]
            for i, vec in zip(ids, embeddings.embed_documents([units[i].text for i in ids])):
                vectors[i] = vec
            bar.update(len(ids))
    return [v for v in vectors if v is not None], len(todo)
