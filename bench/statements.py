"""Count the statements each target sends per request, from PostgreSQL's log.

`log_statement = 'all'` is set on the benchmark database only, before the
servers connect, and reset afterwards. Marker statements bracket each target's
requests in the server log, which `--postgres-log` names.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

_LOGGED = re.compile(r"(?:statement|execute [^:]*): (.*)$")


def set_statement_logging(owner_url: str, database: str, enabled: bool) -> None:
    setting = "SET log_statement = 'all'" if enabled else "RESET log_statement"
    run_sql(owner_url, f'ALTER DATABASE "{database}" {setting}')


def mark(owner_url: str, label: str) -> None:
    run_sql(owner_url, f"SELECT 'bench-marker {label}'")


def run_sql(url: str, sql: str) -> None:
    subprocess.run(["psql", url, "-qAtc", sql], check=True, capture_output=True)


def statements_between(log: Path, database: str, start: str, end: str) -> list[str]:
    """Return the statements logged for `database` between two markers."""
    time.sleep(0.5)  # let the server flush its log
    lines = log.read_text(errors="replace").splitlines()
    statements: list[str] = []
    inside = False
    for number, line in enumerate(lines):
        if f"bench-marker {start}" in line:
            inside, statements = True, []
            continue
        if f"bench-marker {end}" in line:
            break
        if inside and f"@{database} " in line:
            found = _LOGGED.search(line)
            if found is None:
                continue
            text = found.group(1).strip()
            # A statement whose text starts with a line break continues on the
            # next log line.
            if not text and number + 1 < len(lines):
                text = lines[number + 1].strip()
            statements.append(text)
    return statements


def summarize(statements: list[str], requests: int) -> dict[str, float]:
    """Statements per request: all of them, and SELECTs that read data (not the
    caller's settings, nor asyncpg's reset of a connection back in its pool)."""
    overhead = ("set_config", "pg_advisory_unlock_all")
    selects = [
        s
        for s in statements
        if s.lower().startswith(("select", "with"))
        and not any(word in s.lower() for word in overhead)
    ]
    return {
        "statements_per_request": len(statements) / requests,
        "selects_per_request": len(selects) / requests,
    }
