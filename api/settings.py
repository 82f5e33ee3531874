"""Service settings, from the environment (prefix CHAT2CRM_) via pydantic-settings."""
from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROLES = ("rep", "manager", "channel", "analyst", "service")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHAT2CRM_", extra="ignore")

    database_url: str | None = None  # SQLAlchemy URL; None: SQLite file under the user's data dir
    sqlite_synchronous: str = "FULL"
    max_body_bytes: int = 4 * 1024 * 1024  # 413 above this
    max_messages: int = 2000  # 413 above this
    max_message_chars: int = 10000  # 413 above this
    # role -> fields that role never sees (not in suggestions, evidence, reasons or messages)
    hidden_fields: dict[str, list[str]] = Field(default_factory=lambda: {"channel": ["budget"]})
    mask_pii: bool = True  # mobile numbers, ID cards, bank cards, e-mail: masked in stored text and logs
    webhook_url: str | None = None
    webhook_max_attempts: int = 10
    webhook_poll_seconds: float = 1.0
    webhook_timeout_seconds: float = 5.0
    key_pepper: str | None = None  # else a random pepper kept in the data dir
    extractor: str = "extractor.pipeline:extract_payload"  # module:function, dict -> ExtractionResult
    events_page_max: int = 1000
    worker_threads: int = 8  # threads running the (synchronous) endpoints


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
