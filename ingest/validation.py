"""The checks a build must pass before it may become current."""

from __future__ import annotations

from typing import Any, cast

import chromadb

from index_store.embeddings import Embedder
from index_store.keywords import KeywordIndex
from index_store.store import IndexProblem
from tthc.text import bm25_tokens


def validate_version(
    collection: chromadb.Collection, keywords: KeywordIndex, embeddings: Embedder, units: int, code: str | None, name: str | None
) -> None:
    """Counts match and a smoke query finds a (changed) procedure, densely and by keywords."""
    if collection.count() != units:
        raise IndexProblem(f"vector count {collection.count()} != {units}")
    if code is None or name is None:
        return
    hits = collection.query(query_embeddings=cast(Any, [embeddings.embed_query(name)]), n_results=min(10, units))
    found = (hits["metadatas"] or [[]])[0]
    if code not in {m["code"] for m in found}:
        raise IndexProblem(f"smoke query for {code} did not return it")
    if keywords.scores(bm25_tokens(name)).max() <= 0:
        raise IndexProblem(f"keyword smoke query for {code} found nothing")
