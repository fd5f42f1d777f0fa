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

    # Connections of the API's pool (APP_DATABASE_URL), none beyond it.
    app_database_pool_size: int = Field(default=10, ge=1)

    # Limits of GraphQL documents, checked after parsing and before validation;
    # registry_gql.graphql.limits says how each is counted.
    max_query_length: int = Field(default=50_000, ge=1)
    max_query_tokens: int = Field(default=2_000, ge=1)
    max_query_depth: int = Field(default=10, ge=1)
    max_query_aliases: int = Field(default=50, ge=0)
    max_query_cost: int = Field(default=20_000, ge=1)
    max_query_directives: int = Field(default=50, ge=0)
    max_repeated_directive: int = Field(default=10, ge=1)
    max_batch_operations: int = Field(default=10, ge=1)
    # Whether `__schema` and `__type` may be queried; unset allows them in
    # development and test only.
    introspection: bool | None = None

    # Serve `journeys`, `journey` and `node` through one compiled SQL statement.
    # False sends every field through the resolvers.
    compiled_reads: bool = True
    # Add a `servedBy` response extension that names the path (compiled or
    # resolvers) of each root field. It is always on in development and test.
    read_path_extension: bool = False

    @property
    def debug_extensions(self) -> bool:
        return self.read_path_extension or self.environment != "production"

    @property
    def introspection_allowed(self) -> bool:
        if self.introspection is not None:
            return self.introspection
        return self.environment != "production"

    @property
    def field_suggestions(self) -> bool:
        """Whether errors may say "Did you mean ...", which reveals field names."""
        return self.environment == "development"

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
