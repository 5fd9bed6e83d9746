"""Vietnamese text utilities shared by ingest and rag: normalisation, folding, tokens."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

_WS = re.compile(r"\s+")
_SYLLABLE = re.compile(r"[0-9a-zà-ỹđ]+(?:[.,/][0-9]+)*", re.IGNORECASE)
SENTENCE_BREAK = re.compile(r"(?<=[.;!?])\s+|\n")
_EMPTY_MARKERS = {"không có thông tin", "không", "không quy định thông tin"}


# "hoà", "thoả", "khoẻ", "tuỳ", "uỷ": the tone mark on the second vowel of an open oa / oe / uy ("quý" is q + uý and
# keeps it). The portal writes most of these words with the mark on the first vowel ("hòa", "ủy": 8,743 "óa" to 931
# "oá"), and a word spelt two ways is two words to a reader's search and to a fact check.
_SECOND_VOWEL_MARKED = re.compile(r"(?<![qQ])([oO](?=[áàảãạéèẻẽẹÁÀẢÃẠÉÈẺẼẸ])|[uU](?=[ýỳỷỹỵÝỲỶỸỴ]))(\w)(?!\w)")


def one_tone_placement(text: str) -> str:
    """NFC text with the tone mark of an open oa / oe / uy on its first vowel: "hoà" -> "hòa", "Uỷ" -> "Ủy"."""

    def moved(match: re.Match[str]) -> str:
        first, second = match.group(1), unicodedata.normalize("NFD", match.group(2))
        return unicodedata.normalize("NFC", first + second[1:]) + second[0]

    return _SECOND_VOWEL_MARKED.sub(moved, text)


def normalize_text(text: str | None) -> str:
    """NFC-normalise, put tone marks in one place, drop control characters and collapse whitespace (newlines kept)."""
    if not text:
        return ""
    text = one_tone_placement(unicodedata.normalize("NFC", text))
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    lines = [_WS.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def normalize_inline(text: str | None) -> str:
    """Like :func:`normalize_text` but on one line."""
    return _WS.sub(" ", normalize_text(text)).strip()


def shorten(text: str | None, limit: int) -> str:
    """The text on one line, cut at a word boundary, with its " …" at most ``limit`` characters: answers are read on
    phones."""
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 2].rsplit(" ", 1)[0].rstrip(",;:") + " …"


# The portal's attachment file names, flattened into document names and notes: "…; Mẫu: Mau NA20-BCA.docx",
# "… xã hộiMau so 01 ND 261.docx", ";1.MuCT01banhnhkm (3).doc". A form's file keeps its name, which often says
# the form ("Mẫu: Mẫu số 13"), without the extension; any other file name means nothing to a citizen.
_EXTENSION = r"\.(?:docx?|pdf|xlsx?|rar|zip)\b"
_FORM_FILE = re.compile(r"(Mẫu:\s*|(?<=[a-zà-ỹđ)])(?=M(?:ẫu|au)\b))([^;\n]*?)" + _EXTENSION)
_OTHER_FILE = re.compile(r"\s*;\s*[^;\n]*?" + _EXTENSION + r"|\s*\S+" + _EXTENSION, re.IGNORECASE)
# A file name glued to the end of a sentence, with the copy number the portal gave it: "… bằng văn
# bản.1.MuCT01banhnhkmtheoThngts53 (4).doc" (its name has no space; the sentence's last word stays).
_GLUED_FILE = re.compile(r"(?<=[^\d\s]\.)\d*\.?[\w-]+ \(\d+\)" + _EXTENSION, re.IGNORECASE)


_LEADING_BULLET = re.compile(r"^(?:[-+*•]+\s+|\.+\s*(?=[^\W\d_]))+")


def without_bullet(text: str) -> str:
    """The text without the bullet marks the portal typed before an item ("+ Nộp trực tiếp …", "- * Bản sao …",
    ". Tại ô chứng từ …"): shown on its own line they read as stray signs."""
    return _LEADING_BULLET.sub("", text)


@lru_cache(maxsize=16384)
def without_attachments(text: str) -> str:
    """The text without the portal's attachment file extensions and unreadable file names (the card keeps all).

    Cached: every answer reads its record's documents again, and the records do not change between versions."""
    if "." not in text:
        return text
    text = _FORM_FILE.sub(lambda m: (m.group(1) or "; ") + m.group(2), _GLUED_FILE.sub("", text))
    return _OTHER_FILE.sub("", text).strip()


def empty_if_placeholder(text: str | None) -> str:
    """Return '' for portal placeholders such as 'Không có thông tin'."""
    cleaned = normalize_inline(text)
    return "" if cleaned.casefold().strip(" .") in _EMPTY_MARKERS else cleaned


def _strip_marks(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in text if unicodedata.category(ch) != "Mn"))


# Every precomposed Latin letter with diacritics (Vietnamese and others) -> its base letter, for str.translate.
_FOLD_TABLE = {cp: _strip_marks(chr(cp)) for cp in range(0xC0, 0x2000) if _strip_marks(chr(cp)) != chr(cp)}
_FOLD_TABLE.update({ord("đ"): "d", ord("Đ"): "D"})


def fold_diacritics(text: str) -> str:
    """Strip Vietnamese diacritics: 'Đăng ký' -> 'Dang ky' (NFC input; decomposed marks are dropped too)."""
    folded = text.translate(_FOLD_TABLE)
    return folded if folded.isascii() else _strip_marks(folded)


def syllables(text: str) -> list[str]:
    """Lower-cased NFC syllables (and numbers) of a text."""
    return _SYLLABLE.findall(unicodedata.normalize("NFC", text).casefold())


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese diacritic or đ."""
    return fold_diacritics(text) != text


def bm25_tokens(text: str) -> list[str]:
    """Index terms: syllables, folded syllables and bigrams of both.

    Folded terms carry a '~' prefix so 'ma' (folded 'mã') never collides with the
    accented syllable 'ma' itself; a query without diacritics matches through them.
    """
    syl = syllables(text)
    folded = [fold_diacritics(s) for s in syl]
    tokens = list(syl)
    tokens += ["~" + f for f in folded]
    tokens += [f"{a}_{b}" for a, b in zip(syl, syl[1:])]
    tokens += [f"~{a}_{b}" for a, b in zip(folded, folded[1:])]
    return tokens


def display_date(iso_date: str) -> str:
    """'2026-12-02' -> '02/12/2026', as dates are written in Vietnam."""
    return date.fromisoformat(iso_date).strftime("%d/%m/%Y")


_DIGIT_GROUP = re.compile(r"(?<=\d)[.,](?=\d{3}\b)")
_LEADING_ZERO = re.compile(r"\b0+(?=\d)")
_DASHES = re.compile(r"[‐‑‒–—―]")
# "8,000 VNĐ", "8.000 Việt Nam Đồng" and "8.000 đồng" are the same amount; the portal and answers spell it all ways
_CURRENCY = re.compile(r"(?<=\d)\s*(?:việt nam đồng|vnđ|vnd|đồng|đ)(?!\w)")


def normalize_fact(text: str) -> str:
    """NFC, one tone placement, casefold, whitespace collapsed, digit groups joined, leading zeros dropped, dashes and
    currency unified."""
    text = one_tone_placement(unicodedata.normalize("NFC", text)).casefold()
    text = _DASHES.sub("-", text)
    text = " ".join(_CURRENCY.sub(" đồng", text).split())
    while _DIGIT_GROUP.search(text):
        text = _DIGIT_GROUP.sub("", text)
    return _LEADING_ZERO.sub("", text)


def fact_found(fact: str, answer: str) -> bool:
    """Substring match after normalisation; a number never matches inside a longer number ('5' in '15')."""
    needle = normalize_fact(fact)
    pattern = ("(?<!\\d)" if needle[:1].isdigit() else "") + re.escape(needle) + ("(?!\\d)" if needle[-1:].isdigit() else "")
    return re.search(pattern, normalize_fact(answer)) is not None
