"""Print the Markdown tables of one results file of `bench/run`.

Usage: .venv/bin/python -m bench.report var/bench/results-<time>.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _cell(value: Any) -> str:
    return (
        "n/a"
        if value is None
        else f"{value:g}"
        if isinstance(value, float)
        else str(value)
    )


def measurements(report: dict[str, Any]) -> list[str]:
    columns = [
        "round",
        "territory",
        "target",
        "requests_per_second",
        "p50_ms",
        "p99_ms",
        "requests",
        "failures",
        "server_cpu_ms",
        "postgres_cpu_ms",
    ]
    present = [c for c in columns if c in report["measurements"][0]]
    lines = ["| " + " | ".join(present) + " |", "|" + " --- |" * len(present)]
    for row in report["measurements"]:
        lines.append("| " + " | ".join(_cell(row[c]) for c in present) + " |")
    return lines


def medians(report: dict[str, Any]) -> list[str]:
    lines = [
        "| territory | target | req/s | p50 ms | p99 ms | registry-gql ÷ target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in report["summary"]:
        ours = row["medians"]["registry-gql"]["rps"]
        for target, figures in row["medians"].items():
            ratio = ours / figures["rps"] if figures["rps"] else None
            lines.append(
                f"| {row['territory']} | {target} | {figures['rps']:g} | "
                f"{figures['p50_ms']:g} | {figures['p99_ms']:g} | "
                f"{_cell(round(ratio, 2) if ratio else None)} |"
            )
    return lines


def main() -> None:
    report = json.loads(Path(sys.argv[1]).read_text())
    print("\n".join(measurements(report)))
    print()
    print("\n".join(medians(report)))


if __name__ == "__main__":
    main()
