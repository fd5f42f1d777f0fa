"""CPU time of processes, from /proc, to split a request's cost by process."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable

_TICKS = os.sysconf("SC_CLK_TCK")


def processes_seconds(pids: Iterable[int | str]) -> float:
    """Return the CPU seconds used so far by the live processes `pids`."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # ended since it was listed
        total += int(fields[11]) + int(fields[12])  # utime + stime, in ticks
    return total / _TICKS


def session_seconds(session_id: int) -> float:
    """CPU seconds used so far by the live processes of a session."""
    found = subprocess.run(
        ["pgrep", "-s", str(session_id)], capture_output=True, text=True
    ).stdout.split()
    return processes_seconds(found)


def postgres_seconds() -> float:
    """CPU seconds used so far by the live processes of the `postgres` user.

    NOTE: this counts every database of the server, and a backend that ends
    during a measurement takes its time with it. Read it as an estimate.
    """
    found = subprocess.run(
        ["pgrep", "-u", "postgres"], capture_output=True, text=True
    ).stdout.split()
    return processes_seconds(found)
