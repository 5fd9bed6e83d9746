"""BM25 over our own sparse term-count matrix (chunks x terms).

Terms are syllables, diacritic-folded syllables ('~' prefix) and bigrams of both.
Rows are keyed by the chunk's content hash, so a re-ingest tokenises only the
chunks that changed and copies every other row from the previous version.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from tthc.text import bm25_tokens

K1 = 1.5
B = 0.75


@dataclass
class KeywordIndex:
    """Term counts per chunk plus the vocabulary; BM25 weights are computed on load."""

    counts: sparse.csr_matrix
    terms: list[str]
    chunk_hashes: list[str]

    def __post_init__(self) -> None:
        self.term_ids = {t: i for i, t in enumerate(self.terms)}
        self._weights: sparse.csc_matrix | None = None
        self._idf: np.ndarray | None = None

    @classmethod
    def build(cls, rows: list[tuple[str, str | None]], previous: KeywordIndex | None = None) -> KeywordIndex:
        """``rows`` are (content_hash, text) in index order; text may be None when the hash is reused."""
        terms = list(previous.terms) if previous else []
        term_ids = dict(previous.term_ids) if previous else {}
        previous_rows = {h: i for i, h in enumerate(previous.chunk_hashes)} if previous else {}
        reuse_idx, reuse_pos, new_pos = [], [], []
        data, indices, indptr = [], [], [0]
        for position, (content_hash, text) in enumerate(rows):
            if content_hash in previous_rows:
                reuse_idx.append(previous_rows[content_hash])
                reuse_pos.append(position)
                continue
            if text is None:
                raise ValueError(f"chunk {content_hash} has no text and no previous row")
            for term, count in Counter(bm25_tokens(text)).items():
                if term not in term_ids:
                    term_ids[term] = len(terms)
                    terms.append(term)
                indices.append(term_ids[term])
                data.append(count)
            indptr.append(len(indices))
            new_pos.append(position)
        width = len(terms)
        fresh = sparse.csr_matrix((np.array(data, np.int32), np.array(indices, np.int32), np.array(indptr)), shape=(len(new_pos), width))
        if previous is not None and reuse_idx:
            old = previous.counts[reuse_idx]
            old = sparse.csr_matrix((old.data, old.indices, old.indptr), shape=(len(reuse_idx), width))
            stacked = sparse.vstack([old, fresh], format="csr")
        else:
            stacked = fresh
        order = np.empty(len(rows), dtype=np.int64)
        order[np.array(reuse_pos + new_pos, dtype=np.int64)] = np.arange(len(rows))
        counts = stacked[order] if len(rows) else stacked
        return cls(counts.tocsr(), terms, [h for h, _ in rows])

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        sparse.save_npz(directory / "counts.npz", self.counts, compressed=False)
        (directory / "terms.json").write_text(json.dumps(self.terms, ensure_ascii=False), encoding="utf-8")
        (directory / "chunks.json").write_text(json.dumps(self.chunk_hashes), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex:
        counts = sparse.load_npz(directory / "counts.npz").tocsr()
        terms = json.loads((directory / "terms.json").read_text(encoding="utf-8"))
        hashes = json.loads((directory / "chunks.json").read_text(encoding="utf-8"))
        if counts.shape != (len(hashes), len(terms)):
            raise ValueError(f"keyword index shape {counts.shape} does not match {len(hashes)} chunks x {len(terms)} terms")
        return cls(counts, terms, hashes)

    @property
    def weights(self) -> sparse.csc_matrix:
        """Okapi BM25 weight of every (chunk, term) pair, computed once."""
        if self._weights is None:
            counts = self.counts
            n = counts.shape[0]
            lengths = np.asarray(counts.sum(axis=1)).ravel().astype(np.float32)
            average = float(lengths.mean()) if n else 1.0
            idf = self.idf
            rows = np.repeat(np.arange(n), np.diff(counts.indptr))
            tf = counts.data.astype(np.float32)
            norm = K1 * (1 - B + B * lengths[rows] / max(average, 1e-9))
            data = idf[counts.indices] * tf * (K1 + 1) / (tf + norm)
            self._weights = sparse.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape).tocsc()
        return self._weights

    @property
    def idf(self) -> np.ndarray:
        """BM25 inverse document frequency of every term (how rare it is among the chunks)."""
        if self._idf is None:
            n = self.counts.shape[0]
            df = np.bincount(self.counts.indices, minlength=self.counts.shape[1]).astype(np.float32)
            self._idf = np.log1p((n - df + 0.5) / (df + 0.5))
        return self._idf

    def unseen_idf(self) -> float:
        """The idf a term no chunk contains would have."""
        return float(np.log1p((self.counts.shape[0] + 0.5) / 0.5))

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk for a tokenised query (each distinct term once)."""
        ids = sorted({self.term_ids[t] for t in tokens if t in self.term_ids})
        if not ids:
            return np.zeros(self.counts.shape[0], dtype=np.float32)
        return np.asarray(self.weights[:, ids].sum(axis=1)).ravel()

    def syllable_statistics(self) -> dict:
        """Unigram and bigram counts of accented syllables, for diacritic restoration."""
        totals = np.asarray(self.counts.sum(axis=0)).ravel()
        unigrams, bigrams = {}, {}
        for term, count in zip(self.terms, totals):
            if count <= 0 or term.startswith("~") or term[0].isdigit():
                continue
            if "_" in term:
                if count >= 2:
                    bigrams[term.replace("_", " ")] = int(count)
            else:
                unigrams[term] = int(count)
        return {"unigrams": unigrams, "bigrams": bigrams}
