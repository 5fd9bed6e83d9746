"""What an ingest did: the report printed for administrators and stored with admin jobs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ingest.sources import Failure

MAX_CHANGE_LINES = 200  # the text report; the version's changes.json holds them all


@dataclass
class IngestReport:
    """What an ingest did; printed for people and returned as JSON."""

    status: str = "pending"  # published | no_changes | failed
    version: str | None = None
    previous: str | None = None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    not_in_list: list[str] = field(default_factory=list)
    listed_not_indexed: list[str] = field(default_factory=list)
    procedures: int = 0
    chunks: int = 0
    dense_units: int = 0
    embedded: int = 0
    reused_vectors: int = 0
    parsed: int = 0
    document_rows_cleaned: int = 0  # portal document rows that were notes or headings, among the records parsed
    splits_repaired: int = 0  # portal records whose steps and documents were re-cut from raw_text
    lines_rejoined: int = 0  # portal lines of steps and conditions broken mid-sentence, joined back
    seconds: float = 0.0
    message: str = ""
    change_lines: list[str] = field(default_factory=list)  # field-level changes, also in the version's changes.json

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> IngestReport:
        """A report as stored with its job (JSON), read back."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["failed"] = [Failure(**f) for f in known.get("failed", [])]
        return cls(**known)

    def to_text(self) -> str:
        """Human-readable report, in Vietnamese for administrators."""
        status = {"published": "đã tạo phiên bản mới", "no_changes": "không có thay đổi", "failed": "THẤT BẠI"}
        lines = [
            f"Kết quả nạp dữ liệu: {status.get(self.status, self.status)}" + (f" ({self.version})" if self.version else ""),
            f"  Phiên bản trước: {self.previous or '—'}",
            f"  Thêm mới: {len(self.added)}   Thay đổi: {len(self.changed)}   Không đổi: {self.unchanged}"
            f"   Gỡ bỏ: {len(self.removed)}   Lỗi: {len(self.failed)}",
            f"  Tổng: {self.procedures} thủ tục, {self.chunks} đoạn; vector: {self.dense_units} "
            f"(tính mới {self.embedded}, dùng lại {self.reused_vectors}); {self.seconds:.1f} giây",
        ]
        if self.document_rows_cleaned:
            lines.append(
                f"  Thành phần hồ sơ: tách {self.document_rows_cleaned} dòng ghi chú/tiêu đề không phải giấy tờ khỏi danh sách"
                " (ghi chú vẫn giữ, hiện dưới danh sách trên thẻ thủ tục)"
            )
        if self.splits_repaired:
            lines.append(f"  Trình tự và thành phần hồ sơ bị cắt sai, đã tách lại từ toàn văn: {self.splits_repaired} thủ tục")
        if self.lines_rejoined:
            lines.append(f"  Trình tự, điều kiện: nối lại {self.lines_rejoined} dòng bị ngắt giữa câu")
        for title, codes in (("Thêm mới", self.added), ("Thay đổi", self.changed), ("Gỡ bỏ", self.removed)):
            if codes:
                lines.append(f"  {title}: " + ", ".join(codes[:20]) + (" …" if len(codes) > 20 else ""))
        if self.not_in_list:
            hint = "" if self.removed else " — dùng --remove-missing để gỡ bỏ"
            lines.append(f"  Không còn trong danh sách mới ({len(self.not_in_list)}): " + ", ".join(self.not_in_list[:20]) + hint)
        if self.listed_not_indexed:
            lines.append(f"  Có trong danh sách nhưng chưa có hồ sơ chi tiết: {len(self.listed_not_indexed)}")
        if self.change_lines:
            lines.append("  Chi tiết thay đổi:")
            lines += [f"  - {line}" for line in self.change_lines[:MAX_CHANGE_LINES]]
            if len(self.change_lines) > MAX_CHANGE_LINES:
                more = len(self.change_lines) - MAX_CHANGE_LINES
                lines.append(f"  … và {more} thay đổi khác (xem đầy đủ: tthc changes --version {self.version})")
        for failure in self.failed[:50]:
            lines.append(f"  Lỗi {failure.source} [{failure.item}]: {failure.reason}")
        if self.message:
            lines.append(f"  {self.message}")
        return "\n".join(lines)
