"""Simpler designs others ship, run on the same questions: BM25 alone, dense alone, naive LangChain RAG."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any, cast

import numpy as np
import yaml
from langchain_chroma import Chroma
from langchain_text_splitters import RecursiveCharacterTextSplitter

from index_store.embeddings import Embedder
from index_store.ids import PLAN_ID
from index_store.store import IndexVersion
from tthc.text import bm25_tokens

CANDIDATES = 50


def _result(answer: str, retrieved: list[str], index: IndexVersion, started: float) -> dict:
    top = retrieved[0] if retrieved else None
    title = index.procedures[top].name if top in index.procedures else (top or "")
    return {
        "answer": answer,
        "refused": False,
        "clarification": False,
        "citations": [{"code": top, "title": title, "section": "", "url": None}] if top else [],
        "retrieved": retrieved,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
    }


class BM25Baseline:
    """Keyword search over every chunk; the answer is the best chunk."""

    name = "bm25"

    def __init__(self, index: IndexVersion) -> None:
        self.index = index

    def answer(self, question: str, history: list[dict]) -> dict:
        started = time.perf_counter()
        scores = self.index.keywords.scores(bm25_tokens(question))
        order = np.argsort(scores)[::-1][: CANDIDATES * 5]
        retrieved = list(dict.fromkeys(self.index.chunks[i].doc_id for i in order if scores[i] > 0))
        best = self.index.chunks[order[0]].text if len(order) and scores[order[0]] > 0 else ""
        return _result(best, retrieved, self.index, started)


class DenseBaseline:
    """Vector search alone; the answer is the top procedure's overview chunk."""

    name = "dense"

    def __init__(self, index: IndexVersion, embeddings: Embedder) -> None:
        self.index = index
        self.embeddings = embeddings
        self._overview: dict[str, str] = {}
        for chunk in index.chunks:
            self._overview.setdefault(chunk.doc_id, chunk.text)

    def answer(self, question: str, history: list[dict]) -> dict:
        started = time.perf_counter()
        n = min(CANDIDATES * 2, self.index.dense_units)
        hits = self.index.collection.query(query_embeddings=cast(Any, [self.embeddings.embed_query(question)]), n_results=n)
        retrieved = list(dict.fromkeys(str(m["code"]) for m in (hits["metadatas"] or [[]])[0]))
        return _result(self._overview.get(retrieved[0], "") if retrieved else "", retrieved, self.index, started)


def _record_texts(index: IndexVersion) -> list[tuple[str, str]]:
    """(code, raw text) per record: the record as YAML, and the plan as its chunks' text."""
    texts = [(code, yaml.safe_dump(p.model_dump(mode="json"), allow_unicode=True, sort_keys=False)) for code, p in index.procedures.items()]
    plan = "\n\n".join(c.text for c in index.chunks if c.doc_id == PLAN_ID)
    if plan:
        texts.append((PLAN_ID, plan))
    return texts


class NaiveRAGBaseline:
    """RecursiveCharacterTextSplitter(1000, 200) over raw record text, Chroma top-k, answer = top chunk."""

    name = "naive_rag"

    def __init__(self, index: IndexVersion, embeddings: Embedder, cache_dir: Path) -> None:
        self.index = index
        texts = _record_texts(index)
        digest = hashlib.sha256("".join(t for _, t in texts).encode()).hexdigest()[:12]
        directory = cache_dir / f"naive-{digest}"
        ready = directory / "READY"
        self.store = Chroma(
            collection_name="naive",
            embedding_function=embeddings,
            persist_directory=str(directory),
            collection_metadata={"hnsw:space": "cosine"},
        )
        if not ready.exists():
            splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
            pieces, metadatas = [], []
            for code, text in texts:
                for piece in splitter.split_text(text):
                    pieces.append(piece)
                    metadatas.append({"code": code})
            for start in range(0, len(pieces), 256):
                self.store.add_texts(pieces[start : start + 256], metadatas=metadatas[start : start + 256])
            ready.write_text(str(len(pieces)))

    def answer(self, question: str, history: list[dict]) -> dict:
        started = time.perf_counter()
        documents = self.store.similarity_search(question, k=CANDIDATES)
        retrieved = list(dict.fromkeys(d.metadata["code"] for d in documents))
        return _result(documents[0].page_content if documents else "", retrieved, self.index, started)
