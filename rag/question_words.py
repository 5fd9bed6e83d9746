"""How citizens write: syllable counts of the training questions typed with diacritics, so that a question typed
without them is restored as a question and not as legal prose.

The restorer otherwise knows only the records' syllables, whose prose says "có căn cứ" where a citizen writes "có
cần": "co can giay gi" came back "có căn giấy gì", "thue phong" "thuế phòng", "may ngay" "máy ngày". Learned from
``training/`` (never ``eval/``) by ``tthc train-ranker`` and stored in the model file of each index version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from tthc.text import has_diacritics, syllables

# Each syllable of a training question counts as this many of the records'. Chosen on training/validation's questions
# typed with diacritics, folded and restored (never counted): syllables restored wrong 1,571 of 18,509 without the
# counts; at 1 666, at 5 498, at 20 347, at 50 322, at 100 320. 20 is the lightest near the floor: the questions
# were written by us, the citizens' are not.
QUESTION_WORDS_WEIGHT = 20


@dataclass(frozen=True)
class QuestionWords:
    """Unigram and bigram counts of accented question syllables, lower-cased."""

    unigrams: dict[str, int]
    bigrams: dict[str, int]
    weight: int = QUESTION_WORDS_WEIGHT

    def added_to(self, vocabulary: dict) -> dict:
        """The records' syllable counts with these added at their weight."""
        unigrams = dict(vocabulary.get("unigrams", {}))
        bigrams = dict(vocabulary.get("bigrams", {}))
        for word, count in self.unigrams.items():
            unigrams[word] = unigrams.get(word, 0) + self.weight * count
        for pair, count in self.bigrams.items():
            bigrams[pair] = bigrams.get(pair, 0) + self.weight * count
        return {**vocabulary, "unigrams": unigrams, "bigrams": bigrams}

    def to_dict(self) -> dict:
        return {"weight": self.weight, "unigrams": dict(sorted(self.unigrams.items())), "bigrams": dict(sorted(self.bigrams.items()))}

    @classmethod
    def from_dict(cls, data: object) -> QuestionWords | None:
        """The stored counts, or None when absent or not a weight and counts that are whole and not negative."""
        if not isinstance(data, dict):
            return None
        weight, unigrams, bigrams = data.get("weight"), data.get("unigrams"), data.get("bigrams")
        if not (isinstance(weight, int) and isinstance(unigrams, dict) and isinstance(bigrams, dict)):
            return None
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (weight, *unigrams.values(), *bigrams.values())):
            return None
        return cls(dict(unigrams), dict(bigrams), weight)


def count_question_words(questions: Iterable[str]) -> QuestionWords:
    """The counts of the questions typed with diacritics (one typed without says nothing of where they go)."""
    unigrams: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    for question in questions:
        if not has_diacritics(question):
            continue
        words = syllables(question.casefold())
        unigrams.update(w for w in words if w.isalpha())
        bigrams.update(f"{a} {b}" for a, b in zip(words, words[1:]) if a.isalpha() and b.isalpha())
    return QuestionWords(dict(unigrams), dict(bigrams))
