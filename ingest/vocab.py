"""Syllable and bigram statistics of the corpus, used to restore diacritics in queries."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tthc.schema import Chunk
from tthc.text import syllables

NAME_WEIGHT = 5  # names and headings are what people ask about: count them more


def build_vocab(chunks: list[Chunk]) -> dict:
    """Unigram and bigram counts of accented syllables (bigrams seen at least twice)."""
    unigrams: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    titles = {c.doc_id: c.title for c in chunks}
    weighted = [(text, NAME_WEIGHT) for text in titles.values()] + [(c.text, 1) for c in chunks]
    for text, weight in weighted:
        for line in text.split("\n"):
            syl = [s for s in syllables(line) if not s[0].isdigit()]
            for s in syl:
                unigrams[s] += weight
            for a, b in zip(syl, syl[1:]):
                bigrams[f"{a} {b}"] += weight
    return {
        "unigrams": dict(unigrams),
        "bigrams": {k: v for k, v in bigrams.items() if v >= 2},
    }


def write_vocab(vocab: dict, path: Path) -> None:
    path.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")


def read_vocab(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
