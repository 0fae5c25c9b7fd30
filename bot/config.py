"""Settings from environment variables (documented in README.md)."""

from __future__ import annotations

from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Rasa's conversations; rasa_addons/tracker_store.py has the same default (it cannot import this).
DEFAULT_TRACKER_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'conversations.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'navigator.db'}",
        description="SQLAlchemy URL of the knowledge base; SQLite file under var/ by default",
    )
    knowledge_dir: Path = Field(default=PROJECT_ROOT / "knowledge")
    timezone: str = Field(default="Europe/London", description="Clock for office hours")
    app_env: Literal["production", "development"] = Field(
        default="production",
        description="production requires an API key on /v1; development (make run) does not",
    )

    # --- conversations (Rasa's tracker store) ---------------------------------------------
    tracker_database_url: str = Field(
        default=DEFAULT_TRACKER_URL, description="Where Rasa stores conversations (an empty value means the default)",
    )
    conversation_retention_days: int = Field(
        default=400, ge=1,
        description="Conversations whose last turn is older than this are deleted by `make retention`",
    )
    audit_retention_days: int = Field(
        default=400, ge=1,
        description="Rows of the audit trail of advice (and their feedback) older than this are deleted by `make retention`",
    )
    code_version: str = Field(default="", description="Recorded with each piece of advice; empty: the package version and git commit")

    # --- the quick-lookup API (api/) ---------------------------------------------------
    rasa_url: str = Field(
        default="http://127.0.0.1:5005",
        description="Rasa server the web chat forwards turns to (its REST channel); /readyz checks it",
    )
    rate_limit_per_minute: int = Field(
        default=120, ge=1, description="Requests per minute per API key (or per address, unkeyed)"
    )
    chat_rate_limit_per_minute: int = Field(
        default=300, ge=1,
        description="Web chat turns per minute per client address (behind a proxy, set trusted_proxies)",
    )
    chat_max_in_flight: int = Field(
        default=4, ge=1,
        description="Web chat turns the API sends Rasa at once (per API process); 4 suits make run's 2 Rasa workers",
    )
    chat_max_queued: int = Field(
        default=32, ge=0, description="Web chat turns that may wait for a place with Rasa; more get 503 busy at once",
    )
    chat_queue_seconds: float = Field(
        default=2.5, gt=0,
        description="Longest a web chat turn waits for a place with Rasa before 503 busy (refused at once if the recent pace says it would not be answered within it)",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Reverse proxies whose X-Forwarded-For is believed, comma-separated addresses or networks "
            "(e.g. 10.0.0.2,10.1.0.0/16); none by default, so the client address is the connection's peer"
        ),
    )
    max_body_bytes: int = Field(default=16 * 1024, ge=1024, description="Larger bodies get 413")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed by CORS, comma-separated; none by default"
    )
    rasa_rest_token: str = Field(
        default="", description="Token the API sends Rasa's REST channel (RASA_REST_TOKEN; make run makes one)"
    )
    chat_session_secret: str = Field(
        default="", description="Signs web chat conversation ids; default: a random key kept in var/chat-session.key"
    )
    api_key_cache_seconds: float = Field(
        default=30.0, ge=0, description="How long a checked key is trusted before asking the database again"
    )

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, v: object) -> object:
        if isinstance(v, str):
            return [o.strip() for o in v.split(",") if o.strip()]
        return v

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, v: list[str]) -> list[str]:
        """Refused at start-up, not ignored: a mistyped proxy would silently put every client
        behind it in one rate-limit bucket."""
        for entry in v:
            try:
                ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
        return v


@lru_cache
def get_settings() -> Settings:
    return Settings()
