"""The training folders' questions as they are stored: one JSON object per line, in ``*.jsonl`` files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


def single_turn_items(folder: Path) -> Iterator[dict]:
    """Every question of the folder's files that has no history, in file order: models learn from single questions."""
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if not item.get("history"):
                    yield item
