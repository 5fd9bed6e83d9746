"""An app over a small scratch index (built once, copied per test), the fake embedder and a real SQLite store."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from ingest import run_ingest
from server.app import create_app
from tests.conftest import CORPUS, SMALL_CODES
from tthc.settings import Settings

TOKEN = "s3cret-admin-token-for-tests"


@pytest.fixture(scope="session")
def small_index_template(tmp_path_factory, embedder):
    """The six-procedure corpus and the plan, ingested once; tests get a copy they may change."""
    root = tmp_path_factory.mktemp("small-index")
    corpus = root / "corpus"
    (corpus / "procedures").mkdir(parents=True)
    for code in SMALL_CODES:
        shutil.copy(CORPUS / "procedures" / f"{code}.yaml", corpus / "procedures")
    shutil.copytree(CORPUS / "plan", corpus / "plan")
    settings = Settings(data_dir=root / "data", embedding_backend="hashing")
    assert run_ingest(settings, [corpus], embeddings_factory=lambda s: embedder).status == "published"
    return root / "data"


@pytest.fixture
def api_settings(tmp_path, small_index_template) -> Settings:
    shutil.copytree(small_index_template, tmp_path / "data")
    return Settings(
        data_dir=tmp_path / "data",
        admin_token=TOKEN,
        chat_rate_per_minute=1000,
        admin_rate_per_minute=1000,
        embedding_backend="hashing",
    )


@pytest.fixture
def client(api_settings, embedder):
    with TestClient(create_app(api_settings, embeddings_factory=lambda s: embedder)) as test_client:
        yield test_client


@pytest.fixture
def admin() -> dict:
    return {"Authorization": f"Bearer {TOKEN}"}
