"""Our curated procedure format: one YAML (or JSON) file per procedure. See corpus/README.md."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from tthc.schema import Procedure

CURATED_SUFFIXES = (".yaml", ".yml", ".json")
# libyaml's safe loader when the wheel has it: the same documents, ten times faster (every ingest reads our YAML)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_curated_file(path: Path) -> Procedure:
    """Read and validate one curated record. Raises ValueError with a readable reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name}: không phải văn bản UTF-8") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=SAFE_LOADER)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path.name}: không đọc được nội dung ({exc.__class__.__name__})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: cần các cặp khóa–giá trị ở cấp ngoài cùng")
    data.setdefault("source", "curated")
    try:
        return Procedure.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise ValueError(f"{path.name}: dữ liệu không hợp lệ — {problems}") from exc
