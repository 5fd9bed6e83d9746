"""English questions: recognise them and turn them into the Vietnamese words the catalogue uses.

Foreign spouses, investors and Việt kiều ask in English. The catalogue, the retrievers and the ranker are
Vietnamese, so an English question is mapped term by term through a glossary (longest phrase first) and then
answered like any Vietnamese question; the answer says what the question was understood as.

Recognising English must not catch Vietnamese typed without diacritics ("mo quan an can giay gi"): a word counts
as foreign only when it cannot be a Vietnamese syllable (initial consonant + vowels + final consonant).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.english_terms import ENGLISH_TERMS
from tthc.text import has_diacritics

_INITIAL = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x"
_RIME = "[aeiouy]{1,3}(?:ch|nh|ng|c|m|n|p|t)?"
_VIETNAMESE_SYLLABLE = re.compile(f"^(?:{_INITIAL})?{_RIME}$")
_WORD = re.compile(r"[^\W\d_]+(?:'[a-z]+)?|\d+")
# English words so common that a question without them is rarely English; each is also a possible Vietnamese
# syllable written without diacritics, which is why they do not count on their own.
_ENGLISH_FUNCTION_WORDS = frozenset(
    " ".join(
        [
            "a an the is are am was were be been do does did can could will would should must may might i me my mine we",
            "our you your he his she her it its they their them this that these those what which who whom whose where",
            "when why how if then than to of in on at by for from with about into after before as or and but not no yes",
            "so get got have has had need want please there here any some all",
        ]
    ).split()
)
MIN_FOREIGN_WORDS = 2
MIN_ENGLISH_SHARE = 0.5
MAX_PHRASE_WORDS = 4
_KEY_WORDS = frozenset(word for key in ENGLISH_TERMS for word in key.split())
_IRREGULAR = {"children": "child", "people": "person", "men": "man", "women": "woman", "wives": "wife", "lives": "life"}
# English puts the action after its object ("marriage registration"), Vietnamese before it ("đăng ký kết hôn")
_ACTION_NOUNS = frozenset(
    {"registration", "certification", "renewal", "extension", "reissue", "change", "correction", "transfer", "confirmation"}
)


def _abbreviation(word: str) -> bool:
    """CCCD, GKS, BHYT: letters without a vowel, which the Vietnamese analysis expands."""
    return len(word) > 1 and word.isascii() and word.isalpha() and not re.search("[aeiouy]", word)


def _foreign(word: str) -> bool:
    """A word that cannot be Vietnamese: letters Vietnamese lacks (f, j, w, z) or no valid syllable shape."""
    return not has_diacritics(word) and _VIETNAMESE_SYLLABLE.match(word) is None


def is_english(text: str) -> bool:
    """True when enough words cannot be Vietnamese syllables and, with English function words, make most of it,
    and at least one word is English we know."""
    words = [w for w in _WORD.findall(text.casefold()) if w.isascii() or has_diacritics(w)]
    words = [w for w in words if not _abbreviation(w)]
    foreign = sum(_foreign(w) for w in words)
    function = sum(w in _ENGLISH_FUNCTION_WORDS for w in words)
    known = function or any(_lemma(w) in _KEY_WORDS for w in words)  # "xyzzy qwerty" is not English, just unknown
    return bool(known) and foreign >= MIN_FOREIGN_WORDS and foreign + function >= MIN_ENGLISH_SHARE * len(words)


def _lemma(word: str) -> str:
    """The glossary's base form of an inflected word ('certificates' -> 'certificate'), else the word."""
    if word in _KEY_WORDS:
        return word
    stem = _IRREGULAR.get(word, word.removesuffix("'s"))
    candidates = [stem]
    if stem.endswith(("ied", "ies")):
        candidates.append(stem[:-3] + "y")
    if stem.endswith("es"):
        candidates.append(stem[:-2])
    if stem.endswith("s"):
        candidates.append(stem[:-1])
    if stem.endswith("ed"):
        candidates += [stem[:-2], stem[:-1]]
    if stem.endswith("ing"):
        candidates += [stem[:-3], stem[:-3] + "e"]
    return next((c for c in candidates if c in _KEY_WORDS), stem)


def english_to_vietnamese(text: str, vietnamese_pair: Callable[[str, str], str | None] | None = None) -> str:
    """The Vietnamese terms an English question names, in Vietnamese order; '' when none is known.

    Words with Vietnamese diacritics ("sổ đỏ") and numbers ("under 14") are kept as they are, and so are two
    syllables that ``vietnamese_pair`` reads as a common Vietnamese pair ("tam tru" -> "tạm trú"); English words
    the glossary lacks are dropped.
    """
    raw = _WORD.findall(text.casefold())
    words = [_lemma(w) for w in raw]
    found: list[str] = []
    previous_end = -1
    i = 0
    while i < len(words):
        for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size])
            term = ENGLISH_TERMS.get(phrase)
            if term:
                follows = previous_end == i and found
                found.insert(len(found) - 1 if follows and phrase in _ACTION_NOUNS else len(found), term)
                previous_end = i + size
                i += size
                break
        else:
            pair = _vietnamese_pair(raw[i : i + 2], vietnamese_pair)
            if pair:
                found.append(pair)
                i += 2
                continue
            if has_diacritics(words[i]) or words[i].isdigit() or _abbreviation(words[i]):
                found.append(words[i])
            i += 1
    if all(term.isdigit() for term in found):  # numbers alone say nothing
        return ""
    kept: list[str] = []
    for term in found:  # "how much … fee" gives "lệ phí" twice
        if term not in " ".join(kept):
            kept.append(term)
    return " ".join(kept)


def _vietnamese_pair(words: list[str], reading: Callable[[str, str], str | None] | None) -> str | None:
    """Two unaccented syllables read as Vietnamese, unless both are English function words ("to do")."""
    if reading is None or len(words) < 2 or all(w in _ENGLISH_FUNCTION_WORDS for w in words):
        return None
    if any(_foreign(w) or has_diacritics(w) for w in words):
        return None
    return reading(words[0], words[1])


def understood_note(vietnamese: str) -> str:
    """The line that tells an English asker what was searched for."""
    return f"Câu hỏi tiếng Anh được hiểu là: “{vietnamese}”. Trợ lý trả lời bằng tiếng Việt."
