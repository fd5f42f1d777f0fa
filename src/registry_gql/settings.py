"""Service settings, read from the environment when the application starts."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

APP_ROLE = "registry_gql_app"


class Settings(BaseSettings):
    """Configuration of one API or CLI process.

    `database_url` is the owner's connection (migrations, imports, demo). The API
    serves through `app_database_url`, a role bound by row-level security.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/registry_gql"
    app_database_url: str | None = None
    environment: Literal["development", "test", "production"] = "production"

    reference_year: int = 2022
    time_zone: str = "Europe/Paris"

    oauth_issuer: str = "http://127.0.0.1:8000"
    oauth_audience: str = "registry-gql"
    access_token_ttl_seconds: int = Field(default=600, ge=30, le=3600)
    jwt_private_key_file: Path = Path("var/jwt-signing-key.pem")

    graphiql: bool = True

    max_body_bytes: int = 1_500_000
    max_batch_journeys: int = 1_000
    max_page_size: int = 100

    @property
    def resolved_app_database_url(self) -> str:
        """Return the application role's URL: explicit, or the owner's server."""
        if self.app_database_url:
            return self.app_database_url
        url = make_url(self.database_url).set(username=APP_ROLE, password=None)
        return url.render_as_string(hide_password=False)


def async_url(url: str) -> str:
    """Return `url` with the asyncpg driver that SQLAlchemy's async engine needs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)
