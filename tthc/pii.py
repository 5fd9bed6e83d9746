"""Redaction of citizens' personal data before anything is stored or logged."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# CCCD (12 digits) and CMND (9 digits), possibly grouped with spaces or dots
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d[ .]?){11}\d(?!\d)|(?<!\d)(?:\d[ .]?){8}\d(?!\d)")
# Vietnamese mobile and landline numbers: 0xx… or +84…, 10–11 digits, optional separators
_PHONE = re.compile(r"(?<![\d])(?:\+84|0084|0)(?:[ .-]?\d){8,10}(?!\d)")
# A street address: house number then a street word
_ADDRESS = re.compile(
    r"\b(?:số\s*)?\d{1,4}[a-zA-Z]?(?:/\d{1,4})*\s*,?\s*(?:đường|phố|ngõ|ngách|hẻm|kiệt|thôn|tổ|khu phố|ấp)\s+[^,.;\n]{2,40}",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Replace e-mail addresses, ID numbers, phone numbers and street addresses with placeholders."""
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[số điện thoại]", text)
    text = _ID_NUMBER.sub("[số giấy tờ]", text)
    return _ADDRESS.sub("[địa chỉ]", text)
