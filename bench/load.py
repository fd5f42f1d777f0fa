"""Requests of the read benchmark and the wrk runs that time them."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.servers import VAR

# The AOM page: 100 journeys with operator and commune names and incentives.
REGISTRY_PAGE = """query Page($first: Int!) { journeys(first: $first) { nodes {
  id operatorClass status distance operator { name }
  start { datetime commune { code name } } end { datetime commune { code name } }
  incentives { siret amount } } pageInfo { hasNextPage endCursor } } }"""
POSTGRAPHILE_PAGE = """query Page($first: Int!) {
  allJourneys(first: $first, orderBy: PRIMARY_KEY_DESC) { nodes {
  id operatorClass status distance operatorByOperatorId { name }
  startAt startCommune { code name } endAt endCommune { code name }
  incentives { nodes { siret amount } } } pageInfo { hasNextPage endCursor } } }"""
PAGE_SIZE = 100

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True, slots=True)
class Request:
    """One target's request for one territory."""

    target: str
    url: str
    payload: dict[str, Any]
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class Measurement:
    round: int
    territory: str
    target: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int
    # CPU time per request of the server's processes, and of every PostgreSQL
    # process of the machine (other databases' work included).
    server_cpu_ms: float
    postgres_cpu_ms: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def requests_for(
    urls: dict[str, str], territory_id: int, token: str
) -> dict[str, Request]:
    variables = {"first": PAGE_SIZE}
    registry = {"query": REGISTRY_PAGE, "variables": variables}
    tenant = {"x-territory-id": str(territory_id)}
    return {
        "registry-gql": Request(
            "registry-gql",
            urls["registry-gql"],
            registry,
            {"authorization": f"Bearer {token}"},
        ),
        "registry-gql-resolvers": Request(
            "registry-gql-resolvers",
            urls["registry-gql-resolvers"],
            registry,
            {"authorization": f"Bearer {token}"},
        ),
        "postgraphile": Request(
            "postgraphile",
            urls["postgraphile"],
            {"query": POSTGRAPHILE_PAGE, "variables": variables},
            tenant,
        ),
        "floor": Request("floor", urls["floor"], registry, tenant),
    }


def _script(request: Request, label: str) -> Path:
    """Write the wrk Lua script that sends `request`."""
    lines = ['wrk.method = "POST"', 'wrk.headers["Content-Type"] = "application/json"']
    lines += [
        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}"
        for k, v in request.headers.items()
    ]
    lines.append(f"wrk.body = [==[{json.dumps(request.payload)}]==]")
    path = VAR / f"wrk-{request.target}-{label}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def run_wrk(
    request: Request, label: str, seconds: int, connections: int
) -> dict[str, float]:
    """Run wrk against `request` on 127.0.0.1 and return its figures."""
    script = _script(request, label)
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(script),
        request.url,
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> dict[str, float]:
    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if match is None:
            raise ValueError(f"no {percent}% latency in wrk output:\n{output}")
        return float(match.group(1)) * _UNITS[match.group(2)]

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if rate is None or total is None:
        raise ValueError(f"unexpected wrk output:\n{output}")
    failures = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    failed = int(failures.group(1)) if failures else 0
    if errors:
        failed += sum(int(errors.group(n)) for n in range(1, 5))
    return {
        "requests_per_second": float(rate.group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "requests": float(total.group(1)),
        "failures": float(failed),
    }
