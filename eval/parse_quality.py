"""Parse-quality figure: the share of cấp xã portal records whose channel tables parse into complete rows."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.portal import parse_channel_rows
from tthc.text import normalize_inline, normalize_text

TARGET = 0.95


def parse_quality(source: Path) -> dict:
    """Complete = every row has its channel, time cell and fee cell separated (a unit lost at the
    source is counted apart: the row keeps the number and says the unit is missing)."""
    total = complete = unit_lost = 0
    incomplete: list[str] = []
    with open(source, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if "Cấp xã" not in normalize_inline(record.get("cap_thuc_hien")):
                continue
            total += 1
            rows = parse_channel_rows(record.get("cach_thuc_thuc_hien") or "", normalize_text(record.get("trinh_tu_thuc_hien")))
            if rows and all(r.complete for r in rows):
                complete += 1
                unit_lost += any(r.unit_lost for r in rows)
            else:
                incomplete.append(record.get("ma_thu_tuc", "?"))
    return {
        "ward_level_records": total,
        "complete": complete,
        "complete_share": round(complete / total, 4) if total else 0.0,
        "complete_with_all_units": complete - unit_lost,
        "unit_lost_at_source": unit_lost,
        "target": TARGET,
        "incomplete_codes": incomplete,
    }
