"""The evaluation set: schema and loading. The fact-matching rule lives in ``tthc.text`` (training uses it too)."""

from __future__ import annotations

import json
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
    # a question typed without diacritics as its writer would spell it with them: what the restorer should read back
    question_accented: str | None = None


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


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
