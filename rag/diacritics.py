"""Restore Vietnamese diacritics in queries typed without them, from the corpus's own n-grams."""

from __future__ import annotations

import math
from collections import defaultdict

from tthc.text import fold_diacritics, has_diacritics, syllables

MAX_CANDIDATES = 8
MIN_PAIR_COUNT = 20  # a syllable pair this common in the corpus is Vietnamese, even inside an English question
_INTERPOLATION = 0.7


class DiacriticRestorer:
    """Viterbi decoding over accented candidates with a bigram model of the corpus."""

    def __init__(self, vocab: dict, common_pairs: dict[str, int] | None = None) -> None:
        """``common_pairs`` are the pair counts ``known_pair`` judges by (default the vocabulary's): counts weighted for
        decoding, like the question words, would make one pair a single question used look common."""
        self._unigrams: dict[str, int] = vocab.get("unigrams", {})
        self._bigrams: dict[str, int] = vocab.get("bigrams", {})
        self._common_pairs = self._bigrams if common_pairs is None else common_pairs
        self._total = sum(self._unigrams.values()) or 1
        by_fold: dict[str, list[str]] = defaultdict(list)
        for syllable in self._unigrams:
            by_fold[fold_diacritics(syllable)].append(syllable)
        self._candidates = {folded: sorted(forms, key=lambda s: -self._unigrams[s])[:MAX_CANDIDATES] for folded, forms in by_fold.items()}

    def candidates(self, token: str) -> list[str]:
        if has_diacritics(token):
            return [token]
        return self._candidates.get(token, [token])

    def known_pair(self, first: str, second: str) -> str | None:
        """The corpus's most frequent accented reading of two syllables ('tam tru' -> 'tạm trú'), if it is common."""
        pairs = (f"{a} {b}" for a in self.candidates(first) for b in self.candidates(second))
        count, pair = max((self._common_pairs.get(pair, 0), pair) for pair in pairs)
        return pair if count >= MIN_PAIR_COUNT else None

    def _log_prob(self, prev: str | None, word: str) -> float:
        unigram = (self._unigrams.get(word, 0) + 0.1) / self._total
        if prev is None:
            return math.log(unigram)
        prev_count = self._unigrams.get(prev, 0)
        bigram = self._bigrams.get(f"{prev} {word}", 0) / prev_count if prev_count else 0.0
        return math.log(_INTERPOLATION * bigram + (1 - _INTERPOLATION) * unigram)

    def restore(self, text: str) -> str:
        """Best accented reading of the lower-cased syllables of ``text``."""
        tokens = syllables(text)
        if not tokens:
            return ""
        lattice = [self.candidates(t) for t in tokens]
        best: dict[str, tuple[float, list[str]]] = {w: (self._log_prob(None, w), [w]) for w in lattice[0]}
        for column in lattice[1:]:
            step: dict[str, tuple[float, list[str]]] = {}
            for word in column:
                score, path = max(((s + self._log_prob(prev, word), p) for prev, (s, p) in best.items()), key=lambda x: x[0])
                step[word] = (score, path + [word])
            best = step
        return " ".join(max(best.values(), key=lambda x: x[0])[1])

    @staticmethod
    def needs_restoring(text: str) -> bool:
        """True when most syllables of the text carry no diacritics."""
        tokens = [t for t in syllables(text) if not t[0].isdigit()]
        if not tokens:
            return False
        accented = sum(has_diacritics(t) for t in tokens)
        return accented / len(tokens) < 0.3
