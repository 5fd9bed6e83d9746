"""Shared types: procedures, chunks and answers, imported by ingest, rag, api, ui and eval."""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tthc.text import normalize_inline, normalize_text

CHANNEL_NAMES = ("Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính")
SECTIONS = ("overview", "documents", "steps", "time_fees", "conditions", "result", "legal_basis")
SECTION_TITLES = {
    "overview": "Thông tin chung",
    "documents": "Thành phần hồ sơ",
    "steps": "Trình tự thực hiện",
    "time_fees": "Thời hạn, phí và lệ phí",
    "conditions": "Yêu cầu, điều kiện",
    "result": "Kết quả",
    "legal_basis": "Căn cứ pháp lý",
    "plan": "Kế hoạch CCHC",
}
Source = Literal["curated", "portal", "plan"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Channel(_Model):
    """One way to submit: channel name with its time limit, fee and a note."""

    channel: str
    time_limit: str | None = None
    fee: str | None = None
    note: str | None = None

    @field_validator("channel")
    @classmethod
    def _known_channel(cls, value: str) -> str:
        value = normalize_inline(value)
        if value not in CHANNEL_NAMES:
            raise ValueError(f"unknown channel {value!r}; expected one of {CHANNEL_NAMES}")
        return value


class Document(_Model):
    """One required document of the dossier."""

    name: str
    copies: str | None = None
    note: str | None = None


class LegalRef(_Model):
    """One legal basis: document number and title."""

    number: str | None = None
    title: str


class Procedure(_Model):
    """A structured administrative procedure (curated or parsed from the portal)."""

    code: str = Field(min_length=3)
    name: str = Field(min_length=3)
    field: str = ""
    levels: list[str] = Field(default_factory=list)
    agency: str | None = None
    applicants: str | None = None
    summary: str | None = None
    aliases: list[str] = Field(default_factory=list)
    situations: list[str] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)
    # what the portal typed into the documents table that is not a document ("Lưu ý: văn bản cho thuê nhà không
    # bắt buộc phải công chứng"): kept out of the list, but said on the card and searchable
    document_notes: list[str] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    result: str | None = None
    legal_basis: list[LegalRef] = Field(default_factory=list)
    url: str | None = None
    last_checked: str | None = None
    source: Source = "curated"

    @field_validator("code", "name", "field")
    @classmethod
    def _inline(cls, value: str) -> str:
        return normalize_inline(value)

    @field_validator("steps", "conditions", "document_notes", "aliases", "situations", "levels")
    @classmethod
    def _clean_list(cls, values: list[str]) -> list[str]:
        return [normalize_text(v) for v in values if normalize_text(v)]

    @field_validator("last_checked", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        return None if value is None else str(value)

    @property
    def is_ward_level(self) -> bool:
        return any(level.casefold() == "cấp xã" for level in self.levels)

    def document_note_lines(self) -> list[str]:
        """Each note of the documents table as one "Lưu ý: …" line: the portal wrote that label on some, not all."""
        return [f"Lưu ý: {' '.join(note.removeprefix('Lưu ý:').split())}" for note in self.document_notes]

    def content_hash(self) -> str:
        """Stable hash of everything that ends up in the index. Fields left at their default are not part of it, so
        a field added to the schema does not make every stored record look changed."""
        payload = json.dumps(self.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


class Chunk(_Model):
    """One retrievable piece of text with its metadata."""

    id: str
    doc_id: str
    title: str
    section: str
    text: str
    source: Source
    field: str = ""
    level: str = ""
    url: str | None = None
    heading: str | None = None
    content_hash: str = ""

    def metadata(self) -> dict[str, str]:
        """Flat metadata for the vector store (no None values)."""
        data = {
            "code": self.doc_id,
            "name": self.title,
            "field": self.field,
            "level": self.level,
            "section": self.section,
            "source": self.source,
            "url": self.url or "",
            "heading": self.heading or "",
            "content_hash": self.content_hash,
        }
        return data


class Citation(BaseModel):
    """A source an answer relies on."""

    code: str
    title: str
    section: str
    url: str | None = None


class AnswerOption(BaseModel):
    """A procedure the citizen can pick next (a clarifying question's choices, a life event's steps)."""

    code: str
    name: str
    note: str | None = None


class Answer(BaseModel):
    """The one result shape used by the CLI, the API and the evaluation (fields are only ever added)."""

    answer: str
    refused: bool = False
    clarification: bool = False
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[str] = Field(default_factory=list)
    focus_code: str | None = None
    confidence: float = 0.0
    latency_ms: float = 0.0
    options: list[AnswerOption] = Field(default_factory=list, description="Các thủ tục để người dân chọn tiếp")
    scope: Literal["ward", "other_level", "none"] | None = Field(
        default=None, description="Thủ tục do phường giải quyết (ward) hay cấp khác (other_level)"
    )
    life_event: str | None = Field(default=None, description="Sự kiện đời sống mà câu trả lời liệt kê các thủ tục (mã sự kiện)")


class SearchHit(BaseModel):
    """One procedure found by officer search, with the matching snippet."""

    code: str
    name: str
    field: str
    levels: list[str]
    section: str
    snippet: str
    score: float
    url: str | None


class LifeEventStep(BaseModel):
    code: str
    name: str
    what_for: str


class LifeEvent(BaseModel):
    """Something that happens in a family's life and the procedures it leads to, in order."""

    id: str
    title: str
    triggers: list[str] = Field(min_length=1)
    procedures: list[LifeEventStep] = Field(min_length=1)


class ProcedureSummary(BaseModel):
    code: str
    name: str
    field: str
    levels: list[str]
    url: str | None
    source: str


class ProcedurePage(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[ProcedureSummary]


class ProcedureCard(Procedure):
    checklist: str = Field(description="Danh sách giấy tờ để in hoặc gửi cho người dân")


class ChatResult(Answer):
    """An answer as the service hands it to every front: with the id that feedback refers to."""

    answer_id: str


class IngestJob(BaseModel):
    id: str
    status: str
    filename: str
    created_at: str
    updated_at: str
    report: dict | None = None
    error: str | None = None


class VersionList(BaseModel):
    current: str | None
    versions: list[str]


class PublicLimits(BaseModel):
    """The input limits every front enforces and shows (read from the settings)."""

    max_question_chars: int
    max_history_turns: int
    max_comment_chars: int


class FieldChange(BaseModel):
    """One field-level change of a procedure between two index versions, stated for people (Vietnamese)."""

    aspect: str = Field(description="name, level, agency, field, time_limit, fee, channel, documents, steps, legal_basis, …")
    kind: Literal["modified", "added", "removed", "note"]
    label: str = Field(description="Ví dụ 'Lệ phí trực tiếp', 'Thêm giấy tờ'")
    old: str | None = None
    new: str | None = None

    @property
    def text(self) -> str:
        """The report line: 'Lệ phí trực tiếp: 50.000 đồng → 30.000 đồng', 'Thêm giấy tờ: …'."""
        if self.kind == "modified":
            return f"{self.label}: {self.old or 'không ghi'} → {self.new or 'không ghi'}"
        value = self.new if self.kind == "added" else self.old
        return f"{self.label}: {value}" if value else self.label

    @property
    def sentence(self) -> str:
        """The same change inside a sentence: 'lệ phí trực tiếp đổi từ 50.000 đồng thành 30.000 đồng'."""
        label = self.label[:1].lower() + self.label[1:]
        if self.kind == "modified":
            return f"{label} đổi từ {self.old or 'không ghi'} thành {self.new or 'không ghi'}"
        value = self.new if self.kind == "added" else self.old
        return f"{label} {value}" if value else label


class ProcedureChange(BaseModel):
    """What happened to one procedure in one index version."""

    code: str
    name: str
    status: Literal["added", "changed", "removed"]
    changes: list[FieldChange] = Field(default_factory=list)

    def lines(self) -> list[str]:
        return [c.text for c in self.changes]


class VersionChanges(BaseModel):
    """The change report of one index version against the version it was built from (changes.json)."""

    version: str
    previous: str | None = None
    created_at: str
    date: str = Field(description="Ngày cập nhật (giờ Việt Nam), YYYY-MM-DD")
    first: bool = Field(default=False, description="Phiên bản đầu tiên: không có gì để so sánh")
    procedures: list[ProcedureChange] = Field(default_factory=list)
    earlier: list[VersionChanges] = Field(default_factory=list, description="Các lần cập nhật trước của chuỗi phiên bản này")

    def lines(self) -> list[str]:
        """One line per change, each naming its procedure: '1.004194 Đăng ký tạm trú — Lệ phí trực tiếp: … → …'."""
        return [f"{p.code} {p.name} — {line}" for p in self.procedures for line in p.lines()]

    def history(self) -> list[VersionChanges]:
        """This version's report then the earlier ones, newest first, without their own history."""
        return [self.model_copy(update={"earlier": []}), *self.earlier]


class ProcedureUpdate(BaseModel):
    """A recent update of one procedure, as the public list shows it."""

    code: str
    name: str
    date: str
    status: Literal["added", "changed", "removed"]
    changes: list[str]


class UpdateList(BaseModel):
    """Procedures updated in the last ``days`` days, newest first (public information)."""

    days: int
    since: str
    items: list[ProcedureUpdate]


class DayCounts(BaseModel):
    """One day of the question log as numbers (live rows and purged ones together)."""

    day: str
    questions: int
    refused: int
    feedback_up: int
    feedback_down: int


class PublicStats(BaseModel):
    """Counts only, safe to publish: no question or comment text ever goes in here."""

    questions_per_day: list[DayCounts]
    feedback_up: int
    feedback_down: int
    satisfaction: float | None
    satisfaction_target: float


class MostAsked(BaseModel):
    code: str
    name: str
    questions: int


class UnansweredQuestion(BaseModel):
    question: str
    created_at: str


class FeedbackComment(BaseModel):
    created_at: str
    rating: str
    comment: str
    question: str


class AdminStats(PublicStats):
    """The counts plus what only administrators may read: redacted texts of unanswered questions and comments."""

    most_asked: list[MostAsked]
    unanswered: list[UnansweredQuestion]
    comments: list[FeedbackComment] = Field(default_factory=list)
