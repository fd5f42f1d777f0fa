"""Run the read benchmark: registry-gql, PostGraphile v5 and the floor, in turns.

See docs/benchmarks.md. Needs the database that `bench.generate` builds, wrk,
and npx (PostGraphile runs from npm). Results go to var/bench/.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import statistics
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench import cpu, statements
from bench.load import Measurement, Request, requests_for, run_wrk
from bench.servers import VAR, Running, post, targets

logger = logging.getLogger("bench.runner")

SETUP_FILE = VAR / "setup.json"
TARGETS = ("registry-gql", "registry-gql-resolvers", "postgraphile", "floor")


def token(registry_url: str, client: list[str]) -> str:
    """Get an access token of the AOM client `[client_id, secret]`."""
    credentials = base64.b64encode(f"{client[0]}:{client[1]}".encode()).decode()
    request = urllib.request.Request(
        registry_url.replace("/graphql", "/oauth/token"),
        data=b"grant_type=client_credentials",
        headers={
            "authorization": f"Basic {credentials}",
            "content-type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.loads(response.read())["access_token"])


def page_requests(
    running: Running, setup: dict[str, Any]
) -> dict[str, dict[str, Request]]:
    urls = {target.name: target.url for target in running.targets}
    return {
        territory["name"]: requests_for(
            urls, territory["id"], token(urls["registry-gql"], territory["client"])
        )
        for territory in setup["territories"]
    }


def check_answers(pages: dict[str, dict[str, Request]]) -> dict[str, int]:
    """Fetch each page once: both registry-gql servers and the floor must send
    equal data and PostGraphile as many journeys. Return each page's size."""
    sizes = {}
    for territory, requests in pages.items():
        bodies = {
            name: post(r.url, r.payload, r.headers) for name, r in requests.items()
        }
        registry = bodies["registry-gql"]
        for other in ("registry-gql-resolvers", "floor"):
            if "errors" in registry or registry != bodies[other]:
                raise RuntimeError(f"registry-gql and {other} differ for {territory}")
        nodes = registry["data"]["journeys"]["nodes"]
        theirs = bodies["postgraphile"]["data"]["allJourneys"]["nodes"]
        if len(theirs) != len(nodes):
            raise RuntimeError(
                f"PostGraphile sent {len(theirs)} journeys for {territory}"
            )
        sizes[territory] = len(nodes)
    return sizes


def count_statements(
    pages: dict[str, dict[str, Request]], owner_url: str, log: Path, samples: int
) -> dict[str, dict[str, dict[str, float]]]:
    database = make_url(owner_url).database or ""
    counts: dict[str, dict[str, dict[str, float]]] = {}
    for territory, requests in pages.items():
        for name, request in requests.items():
            label = f"{name}-{territory}-{time.time_ns()}"
            statements.mark(owner_url, f"{label} start")
            for _ in range(samples):
                post(request.url, request.payload, request.headers)
            statements.mark(owner_url, f"{label} end")
            logged = statements.statements_between(
                log, database, f"{label} start", f"{label} end"
            )
            counts.setdefault(territory, {})[name] = statements.summarize(
                logged, samples
            )
    return counts


def measure(
    running: Running, pages: dict[str, dict[str, Request]], args: argparse.Namespace
) -> list[Measurement]:
    results = []
    for round_number in range(1, args.rounds + 1):
        for territory, requests in pages.items():
            for name in TARGETS:
                request = requests[name]
                label = territory.split()[0].lower()
                run_wrk(request, label, args.warmup, args.connections)
                session = running.processes[name].pid
                server_before = cpu.session_seconds(session)
                postgres_before = cpu.postgres_seconds()
                figures = run_wrk(request, label, args.duration, args.connections)
                count = max(figures["requests"], 1)
                server = cpu.session_seconds(session) - server_before
                postgres = cpu.postgres_seconds() - postgres_before
                result = Measurement(
                    round_number,
                    territory,
                    name,
                    figures["requests_per_second"],
                    figures["p50_ms"],
                    figures["p99_ms"],
                    int(figures["requests"]),
                    int(figures["failures"]),
                    round(server * 1000 / count, 2),
                    round(postgres * 1000 / count, 2),
                )
                logger.info("%s", result)
                results.append(result)
    return results


def _ratio(ours: float, theirs: float) -> float | None:
    return ours / theirs if theirs else None


def summary(results: list[Measurement]) -> list[dict[str, Any]]:
    """Median of the rounds per territory and target, with the ratios."""
    rows = []
    for territory in dict.fromkeys(result.territory for result in results):
        medians = {}
        for name in TARGETS:
            mine = [r for r in results if r.territory == territory and r.target == name]
            medians[name] = {
                "rps": statistics.median(r.requests_per_second for r in mine),
                "p50_ms": statistics.median(r.p50_ms for r in mine),
                "p99_ms": statistics.median(r.p99_ms for r in mine),
                "server_cpu_ms": statistics.median(r.server_cpu_ms for r in mine),
                "postgres_cpu_ms": statistics.median(r.postgres_cpu_ms for r in mine),
            }
        ours = medians["registry-gql"]["rps"]
        rows.append(
            {
                "territory": territory,
                "medians": medians,
                "vs_postgraphile": _ratio(ours, medians["postgraphile"]["rps"]),
                "vs_floor": _ratio(ours, medians["floor"]["rps"]),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the read benchmark.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=15, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds before each")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="processes per server")
    parser.add_argument("--samples", type=int, default=5, help="requests per count")
    parser.add_argument(
        "--postgres-log",
        type=Path,
        default=Path("/var/log/postgresql/postgresql-15-main.log"),
    )
    args = parser.parse_args()

    setup = json.loads(SETUP_FILE.read_text())
    owner_url = make_url(setup["database_url"]).set(drivername="postgresql")
    owner = owner_url.render_as_string(hide_password=False)
    database = owner_url.database or ""
    setup_sql = Path(__file__).parent / "setup.sql"
    statements.run_sql(owner, setup_sql.read_text())
    # JIT off for every server, as registry-gql's engine sets it: PostgreSQL 15
    # spent about 0.3 s compiling the floor's statement, whose estimated cost
    # passes jit_above_cost, before running it in 2 ms.
    statements.run_sql(owner, f'ALTER DATABASE "{database}" SET jit = off')

    statements.set_statement_logging(owner, database, enabled=True)
    running = Running(targets(owner, args.workers))
    try:
        running.start()
        pages = page_requests(running, setup)
        sizes = check_answers(pages)
        counts = count_statements(pages, owner, args.postgres_log, args.samples)
    finally:
        running.stop()
        statements.set_statement_logging(owner, database, enabled=False)

    running = Running(targets(owner, args.workers))
    try:
        running.start()
        pages = page_requests(running, setup)
        results = measure(running, pages, args)
    finally:
        running.stop()

    report = {
        "started": datetime.now(UTC).isoformat(),
        "arguments": {k: str(v) for k, v in vars(args).items()},
        "journeys": setup["journeys"],
        "page_sizes": sizes,
        "statements": counts,
        "measurements": [result.as_dict() for result in results],
        "summary": summary(results),
    }
    path = VAR / f"results-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2))
    print(json.dumps(report["summary"], indent=2))
    print(json.dumps(report["statements"], indent=2))
    logger.info("results written to %s", path)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    main()
