"""The evaluation set: schema, loading, and the fact-matching rule."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["procedure", "fact", "plan", "followup", "out_of_scope"]


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str


class EvalItem(BaseModel):
    """One question: the schema of eval/datasets/*.jsonl, eval/fresh/ and training/questions/."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    kind: Kind
    history: list[Turn] = Field(default_factory=list)
    gold_codes: list[str]
    gold_facts: list[str]
    expect_refusal: bool
    style: str | None = None  # how it is asked (situation, sibling, follow_up_user_only…), for reporting by style


def dataset_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.jsonl")) if path.is_dir() else [path]


def load_dataset(path: Path) -> list[EvalItem]:
    """Read one file or every *.jsonl in a folder; raises ValueError naming the bad line."""
    items: list[EvalItem] = []
    for file in dataset_files(path):
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(EvalItem.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"{file.name}:{number}: {exc}") from exc
    ids = [item.id for item in items]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate ids: {sorted(duplicates)}")
    return items


_DIGIT_GROUP = re.compile(r"(?<=\d)[.,](?=\d{3}\b)")
_LEADING_ZERO = re.compile(r"\b0+(?=\d)")
_DASHES = re.compile(r"[‐‑‒–—―]")
# "8,000 VNĐ", "8.000 Việt Nam Đồng" and "8.000 đồng" are the same amount; the portal and answers spell it all ways
_CURRENCY = re.compile(r"(?<=\d)\s*(?:việt nam đồng|vnđ|vnd|đồng|đ)(?!\w)")


def normalize_fact(text: str) -> str:
    """NFC, casefold, whitespace collapsed, digit groups joined, leading zeros dropped, dashes and currency unified."""
    text = unicodedata.normalize("NFC", text).casefold()
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


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
