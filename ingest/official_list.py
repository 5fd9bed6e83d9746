"""The official list export (.xlsx): which procedures are current."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from tthc.text import normalize_inline

HEADER = ("mã số", "tên", "cơ quan ban hành", "cơ quan thực hiện", "lĩnh vực")
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class ListEntry:
    """One row of an official list."""

    code: str
    name: str
    issuer: str
    agency: str
    field: str


def load_official_list(path: Path) -> list[ListEntry]:
    """Read the rows under the 'Mã số | Tên | …' header. Raises ValueError on unusable files."""
    import openpyxl

    try:
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                raise ValueError(f"{path.name}: kích thước sau giải nén quá lớn (nghi tệp nén độc hại)")
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise ValueError(f"{path.name}: không phải tệp .xlsx đọc được") from exc
    entries: list[ListEntry] = []
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header_seen = False
        for row in rows:
            cells = [normalize_inline(str(c)) if c is not None else "" for c in row[:5]]
            if not header_seen:
                header_seen = tuple(c.casefold() for c in cells) == HEADER
                continue
            if cells and cells[0]:
                cells += [""] * (5 - len(cells))
                entries.append(ListEntry(*cells[:5]))
    finally:
        workbook.close()
    if not header_seen:
        raise ValueError(f"{path.name}: không tìm thấy dòng tiêu đề 'Mã số | Tên | Cơ quan ban hành | Cơ quan thực hiện | Lĩnh vực'")
    return entries
