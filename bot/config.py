"""Settings from environment variables (documented in README.md)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'navigator.db'}",
        description="SQLAlchemy URL of the knowledge base; SQLite file under var/ by default",
    )
    knowledge_dir: Path = Field(default=PROJECT_ROOT / "knowledge")
    timezone: str = Field(default="Europe/London", description="Clock for office hours")
    app_env: Literal["production", "development"] = "production"
    rasa_url: str = Field(
        default="http://127.0.0.1:5005",
        description="Rasa server the web chat forwards turns to (its REST channel)",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
