"""An app over a small scratch index, with a real embedder and a real SQLite store."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ingest.pipeline import run_ingest
from tthc.settings import Settings

TOKEN = "s3cret-admin-token-for-tests"


@pytest.fixture
def api_settings(tmp_path, small_corpus, embedder) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", admin_token=TOKEN, chat_rate_per_minute=1000, admin_rate_per_minute=1000)
    assert run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embedder).status == "published"
    return settings


@pytest.fixture
def client(api_settings, embedder):
    with TestClient(create_app(api_settings, embeddings_factory=lambda s: embedder)) as test_client:
        yield test_client


@pytest.fixture
def admin() -> dict:
    return {"Authorization": f"Bearer {TOKEN}"}
