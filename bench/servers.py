"""The four servers of the read benchmark, started and stopped by `bench/run`.

Each runs in a session of its own, so that stopping it ends its children too
(npx starts PostGraphile's node process as a child). All listen on 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

logger = logging.getLogger("bench.servers")

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench"
POSTGRAPHILE = ["npx", "-y", "-p", "node@22", "-p", "postgraphile@5", "postgraphile"]


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    url: str
    command: list[str]
    env: dict[str, str]
    cwd: Path = ROOT


@dataclass(slots=True)
class Running:
    targets: list[Target]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self) -> None:
        for target in self.targets:
            log = (VAR / f"{target.name}.log").open("ab")
            self.processes[target.name] = subprocess.Popen(
                target.command,
                cwd=target.cwd,
                env={**os.environ, **target.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            logger.info(
                "started %s: pid=%s", target.name, self.processes[target.name].pid
            )
        try:
            for target in self.targets:
                wait_ready(target)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            logger.info("stopped %s: pid=%s", name, process.pid)
        self.processes.clear()


def wait_ready(target: Target, timeout: float = 120) -> None:
    """Wait until the target responds to a request, or raise RuntimeError."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            post(target.url, {"query": "{ __typename }"}, {})
            return
        except urllib.error.HTTPError:
            return  # it responded, if only with an error status
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(
        f"{target.name} did not respond on {target.url} within {timeout} s; "
        f"see var/bench/{target.name}.log"
    )


def post(url: str, payload: dict[str, Any], headers: dict[str, str]) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"content-type": "application/json", **headers},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _as_user(url: str, user: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", username=user, password=None)
    return parsed.render_as_string(hide_password=False)


def targets(database_url: str, workers: int) -> list[Target]:
    """Return registry-gql (compiled, and resolvers only), PostGraphile and the
    floor, `workers` processes each where the server supports it."""
    owner = make_url(database_url).set(drivername="postgresql")
    registry_env = {
        "DATABASE_URL": owner.render_as_string(hide_password=False),
        "ENVIRONMENT": "production",
        # Both registry-gql servers sign and accept tokens of the same issuer.
        "OAUTH_ISSUER": "http://127.0.0.1:8101",
        "JWT_PRIVATE_KEY_FILE": str(VAR / "jwt-signing-key.pem"),
        "ACCESS_TOKEN_TTL_SECONDS": "3600",
        "GRAPHIQL": "false",
    }
    uvicorn = [str(ROOT / ".venv" / "bin" / "uvicorn"), "--host", "127.0.0.1"]
    quiet = ["--no-access-log", "--log-level", "warning", "--workers", str(workers)]
    return [
        Target(
            "registry-gql",
            "http://127.0.0.1:8101/graphql",
            [
                *uvicorn,
                "--port",
                "8101",
                *quiet,
                "--factory",
                "registry_gql.app:create_app",
            ],
            registry_env,
        ),
        Target(
            "registry-gql-resolvers",
            "http://127.0.0.1:8104/graphql",
            [
                *uvicorn,
                "--port",
                "8104",
                *quiet,
                "--factory",
                "registry_gql.app:create_app",
            ],
            {**registry_env, "COMPILED_READS": "false"},
        ),
        Target(
            "postgraphile",
            "http://127.0.0.1:8102/graphql",
            [
                *POSTGRAPHILE,
                "-C",
                "./graphile.config.mjs",
                "-P",
                "postgraphile/presets/amber",
                "-c",
                _as_user(database_url, "registry_gql_app"),
                "-s",
                "public",
                "-n",
                "127.0.0.1",
                "-p",
                "8102",
            ],
            {"GRAPHILE_ENV": "production"},
            ROOT / "bench" / "postgraphile",
        ),
        Target(
            "floor",
            "http://127.0.0.1:8103/graphql",
            [*uvicorn, "--port", "8103", *quiet, "bench.floor:app"],
            {"FLOOR_DATABASE_URL": owner.render_as_string(hide_password=False)},
        ),
    ]
