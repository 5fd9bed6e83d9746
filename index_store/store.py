"""Versioned index on disk: build a version aside, validate it, then switch an atomic pointer.

Layout under ``<data_dir>/index``::

    CURRENT                 name of the version readers use (replaced atomically)
    .lock                   held (flock) by the one ingest that may run
    versions/<name>/        manifest.json, procedures.jsonl, chunks.jsonl, keywords/, chroma/
    versions/.build-<name>/ a version being built; removed if the builder died
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings

from index_store.embeddings import EmbeddingSpec
from index_store.keywords import KeywordIndex
from tthc.schema import Chunk, LifeEvent, Procedure
from tthc.settings import Settings
from tthc.text import syllables

log = logging.getLogger(__name__)

COLLECTION = "tthc_dense"
FORMAT_VERSION = 2
NAME_WEIGHT = 5  # names are what people ask about
_BUILD_PREFIX = ".build-"


class IndexProblem(RuntimeError):
    """Base for index problems that carry a message for people."""


class IndexMissingError(IndexProblem):
    """No current index version exists."""


class IndexCorruptError(IndexProblem):
    """The current version cannot be read."""


class EmbeddingMismatchError(IndexProblem):
    """The index was built with another embedding model than the one configured."""


class IngestBusyError(IndexProblem):
    """Another ingest holds the lock."""


def chroma_client(settings: Settings, version_dir: Path) -> chromadb.ClientAPI:
    """Embedded store inside the version directory, or the configured Chroma server."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_mode == "server" or settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host or "127.0.0.1", port=settings.chroma_port, settings=chroma_settings)
    return chromadb.PersistentClient(path=str(version_dir / "chroma"), settings=chroma_settings)


def collection_name(settings: Settings, version: str) -> str:
    """One collection per version on a shared server; a fixed name inside an embedded store."""
    if settings.chroma_mode == "server" or settings.chroma_host:
        return f"tthc_{version}"
    return COLLECTION


@dataclass
class Manifest:
    """What a version holds and how it was built."""

    version: str
    created_at: str
    embedding: dict
    counts: dict
    procedure_hashes: dict[str, str]
    source_hashes: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    format: int = FORMAT_VERSION
    life_events_hash: str = ""
    ranker_hash: str = ""
    vector_search_ef: int = 0  # 0: built before the setting, with Chroma's default

    @classmethod
    def read(cls, version_dir: Path) -> Manifest:
        return cls(**json.loads((version_dir / "manifest.json").read_text(encoding="utf-8")))

    def write(self, version_dir: Path) -> None:
        _write_atomic(version_dir / "manifest.json", json.dumps(self.__dict__, ensure_ascii=False, indent=1))

    def check_embedding(self, spec: EmbeddingSpec) -> None:
        """Refuse to query with a model the index was not built with."""
        built = (self.embedding.get("backend"), self.embedding.get("model"), self.embedding.get("dimension"))
        if built != (spec.backend, spec.model, spec.dimension):
            raise EmbeddingMismatchError(
                f"chỉ mục {self.version} được tạo bằng {built[0]}:{built[1]} ({built[2]} chiều) nhưng cấu hình hiện dùng "
                f"{spec.backend}:{spec.model} ({spec.dimension} chiều); hãy nạp lại chỉ mục (tthc ingest) "
                "hoặc đổi TTHC_EMBEDDING_BACKEND/TTHC_EMBEDDING_MODEL"
            )


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


class VersionStore:
    """The versions under one index directory and the pointer to the current one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions_dir = root / "versions"

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> str | None:
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def current_dir(self) -> Path:
        name = self.current()
        if name is None:
            raise IndexMissingError(f"chưa có chỉ mục tại {self.root}; hãy chạy 'tthc ingest'")
        return self.versions_dir / name

    def versions(self) -> list[str]:
        """Complete versions, oldest first."""
        if not self.versions_dir.exists():
            return []
        return sorted(p.name for p in self.versions_dir.iterdir() if p.is_dir() and not p.name.startswith("."))

    def next_name(self) -> str:
        existing = [int(v.split("-")[0][1:]) for v in self.versions() if v.startswith("v")]
        number = max(existing, default=0) + 1
        return f"v{number:05d}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive ingest lock; released by the kernel if the holder dies."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise IngestBusyError("đang có một lần nạp dữ liệu khác chạy trên chỉ mục này") from exc
            yield

    def clean_abandoned_builds(self) -> list[str]:
        """Remove build directories left by a killed ingest (call while holding the lock)."""
        removed = []
        if self.versions_dir.exists():
            for path in self.versions_dir.iterdir():
                if path.name.startswith(_BUILD_PREFIX):
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path.name)
        if removed:
            log.warning("removed abandoned builds: %s", ", ".join(removed))
        return removed

    def build_dir(self, name: str) -> Path:
        path = self.versions_dir / f"{_BUILD_PREFIX}{name}"
        path.mkdir(parents=True)
        return path

    def publish(self, build_dir: Path, name: str) -> Path:
        """Move a validated build into place and make it current (atomic pointer switch)."""
        final = self.versions_dir / name
        os.replace(build_dir, final)
        self.switch(name)
        return final

    def switch(self, name: str) -> None:
        if not (self.versions_dir / name / "manifest.json").exists():
            raise IndexCorruptError(f"version {name} is incomplete")
        _write_atomic(self.pointer, name + "\n")
        log.info("index pointer switched to %s", name)

    def rollback(self) -> str:
        """Make the version before the current one current again."""
        current = self.current()
        older = [v for v in self.versions() if current is None or v < current]
        if not older:
            raise IndexMissingError("không có phiên bản trước để quay lại")
        self.switch(older[-1])
        return older[-1]

    def prune(self, keep: int, settings: Settings) -> list[str]:
        """Delete the oldest versions beyond ``keep`` (never the current one)."""
        current = self.current()
        versions = self.versions()
        doomed = [v for v in versions[: max(0, len(versions) - keep)] if v != current]
        for name in doomed:
            if settings.chroma_mode == "server" or settings.chroma_host:
                try:
                    chroma_client(settings, self.versions_dir / name).delete_collection(collection_name(settings, name))
                except Exception as exc:  # the server may have lost it already
                    log.warning("could not delete collection of %s: %s", name, exc)
            shutil.rmtree(self.versions_dir / name, ignore_errors=True)
        return doomed


LIFE_EVENTS_FILE = "life_events.json"


def read_life_events(version_dir: Path) -> list[LifeEvent]:
    """The life events stored with a version (older versions have none)."""
    path = version_dir / LIFE_EVENTS_FILE
    if not path.exists():
        return []
    return [LifeEvent.model_validate(item) for item in json.loads(path.read_text(encoding="utf-8"))]


def life_events_json(events: list[LifeEvent]) -> str:
    return json.dumps([e.model_dump() for e in events], ensure_ascii=False, indent=1)


RANKER_FILE = "ranker.json"


def read_ranker(version_dir: Path) -> dict | None:
    """The learned ranking model stored with a version, as JSON (None when the version has none)."""
    path = version_dir / RANKER_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


REQUIRED_FILES = ("manifest.json", "procedures.jsonl", "chunks.jsonl", "keywords/counts.npz", "keywords/terms.json", "keywords/chunks.json")


def missing_files(settings: Settings, version_dir: Path) -> list[str]:
    """The files a version needs that are not there (a cheap integrity check for readiness)."""
    required = list(REQUIRED_FILES) + ([] if settings.chroma_server else ["chroma/chroma.sqlite3"])
    return [name for name in required if not (version_dir / name).is_file()]


@dataclass
class IndexVersion:
    """A loaded, read-only index version: procedures, chunks, keyword index and the dense collection."""

    name: str
    path: Path
    manifest: Manifest
    procedures: dict[str, Procedure]
    chunks: list[Chunk]
    keywords: KeywordIndex
    collection: chromadb.Collection
    life_events: list[LifeEvent] = field(default_factory=list)
    ranker: dict | None = None

    @classmethod
    def load(cls, settings: Settings) -> IndexVersion:
        """Load the current version."""
        store = VersionStore(settings.index_dir)
        path = store.current_dir()
        return cls.load_dir(settings, path, path.name)

    @classmethod
    def load_dir(cls, settings: Settings, path: Path, name: str) -> IndexVersion:
        """Load one version directory (``name`` picks its collection on a server)."""
        try:
            manifest = Manifest.read(path)
        except Exception as exc:
            raise IndexCorruptError(f"index version {path.name} has no readable manifest: {exc}") from exc
        if manifest.format != FORMAT_VERSION:
            raise IndexCorruptError(
                f"index version {path.name} has format {manifest.format}, this program reads format {FORMAT_VERSION}; "
                "run 'tthc ingest' to rebuild it"
            )
        try:
            procedures = {p["code"]: Procedure.model_validate(p) for p in read_jsonl(path / "procedures.jsonl")}
            chunks = [Chunk.model_construct(**c) for c in read_jsonl(path / "chunks.jsonl")]
            keywords = KeywordIndex.load(path / "keywords")
            client = chroma_client(settings, path)
            collection = client.get_collection(collection_name(settings, name), embedding_function=None)
            dense_count = collection.count()
        except Exception as exc:  # file, JSON, validation and chromadb errors alike
            raise IndexCorruptError(f"index version {path.name} cannot be read: {exc}") from exc
        expected = (manifest.counts.get("chunks"), manifest.counts.get("dense_units"))
        if (len(chunks), dense_count) != expected or len(keywords.chunk_hashes) != len(chunks):
            raise IndexCorruptError(f"index version {path.name}: contents do not match its manifest")
        try:
            ranker = read_ranker(path)
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"index version {path.name} has an unreadable {RANKER_FILE}: {exc}") from exc
        return cls(name, path, manifest, procedures, chunks, keywords, collection, read_life_events(path), ranker)

    @property
    def dense_units(self) -> int:
        """How many vectors the collection holds: checked against the manifest at load, and a loaded version is
        read-only, so a query need not ask the vector store (a round trip on every question)."""
        return int(self.manifest.counts.get("dense_units") or 0)

    def vocabulary(self) -> dict:
        """Syllable statistics of the chunks, with procedure names counted five times more."""
        stats = self.keywords.syllable_statistics()
        unigrams, bigrams = stats["unigrams"], stats["bigrams"]
        for proc in self.procedures.values():
            words = [w for w in syllables(proc.name) if not w[0].isdigit()]
            for w in words:
                unigrams[w] = unigrams.get(w, 0) + NAME_WEIGHT
            for a, b in zip(words, words[1:]):
                bigrams[f"{a} {b}"] = bigrams.get(f"{a} {b}", 0) + NAME_WEIGHT
        return stats
