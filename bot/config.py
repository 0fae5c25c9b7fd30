"""Settings from environment variables (documented in README.md)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
        description="Web chat turns per minute per client address (behind a proxy, run uvicorn with --proxy-headers)",
    )
    max_body_bytes: int = Field(default=16 * 1024, ge=1024, description="Larger bodies get 413")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed by CORS, comma-separated; none by default"
    )
    api_key_cache_seconds: float = Field(
        default=30.0, ge=0, description="How long a checked key is trusted before asking the database again"
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, v: object) -> object:
        if isinstance(v, str):
            return [o.strip() for o in v.split(",") if o.strip()]
        return v


@lru_cache
def get_settings() -> Settings:
    return Settings()
