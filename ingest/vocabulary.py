"""Our situation vocabulary (corpus/situations/): everyday names and life situations per procedure,
and the life events that bundle several procedures. Schema in corpus/README.md.

Everyday names become aliases and situations a field of the procedure, so both the keyword side
(the overview chunk, the names index) and the dense side (one short vector each) see them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.curated import SAFE_LOADER
from tthc.schema import LifeEvent, Procedure
from tthc.text import normalize_inline

VOCABULARY_FOLDER = "situations"
LIFE_EVENTS_FILE = "life-events"
_MAX_PHRASES = 8


@dataclass(frozen=True)
class VocabularyEntry:
    """Everyday names and situations of one procedure."""

    code: str
    name: str
    everyday: tuple[str, ...]
    situations: tuple[str, ...]

    def digest(self) -> str:
        payload = json.dumps([self.code, self.everyday, self.situations], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def is_vocabulary_file(path: Path) -> bool:
    return path.parent.name == VOCABULARY_FOLDER and path.suffix.lower() in (".yaml", ".yml")


def is_life_events_file(path: Path) -> bool:
    return is_vocabulary_file(path) and path.stem == LIFE_EVENTS_FILE


def _load_list(path: Path) -> list[dict]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path.name}: không đọc được nội dung ({exc.__class__.__name__})") from exc
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValueError(f"{path.name}: cần một danh sách các mục (xem corpus/README.md)")
    return data


def _phrases(item: dict, key: str, where: str) -> tuple[str, ...]:
    values = item.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ValueError(f"{where}: '{key}' phải là danh sách các cụm từ")
    return tuple(dict.fromkeys(normalize_inline(v) for v in values))[:_MAX_PHRASES]


def load_vocabulary_file(path: Path) -> list[VocabularyEntry]:
    """Read one vocabulary file; raises ValueError with a readable reason."""
    entries = []
    for number, item in enumerate(_load_list(path), start=1):
        code = str(item.get("code") or "").strip()
        where = f"{path.name} mục {number}"
        if not code:
            raise ValueError(f"{where}: thiếu mã thủ tục (code)")
        entries.append(
            VocabularyEntry(code, str(item.get("name") or ""), _phrases(item, "everyday", where), _phrases(item, "situations", where))
        )
    return entries


def load_life_events_file(path: Path) -> list[LifeEvent]:
    """Read the life events; raises ValueError with a readable reason."""
    try:
        return [LifeEvent.model_validate(item) for item in _load_list(path)]
    except ValueError as exc:
        raise ValueError(f"{path.name}: sự kiện không hợp lệ — {str(exc)[:300]}") from exc


def apply_vocabulary(proc: Procedure, entry: VocabularyEntry | None) -> Procedure:
    """The procedure with our everyday names as aliases and our situations attached."""
    if entry is None:
        return proc
    aliases = list(dict.fromkeys([*proc.aliases, *entry.everyday]))
    return proc.model_copy(update={"aliases": aliases, "situations": list(entry.situations)})
