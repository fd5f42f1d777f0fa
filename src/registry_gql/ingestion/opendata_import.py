"""Import a national open-data CSV through the ordinary ingestion path."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.domain.geo import ReferenceGeography
from registry_gql.ingestion.opendata import ParsedRow, iter_rows
from registry_gql.ingestion.service import submit_journeys

logger = logging.getLogger(__name__)

CHUNK = 1_000


@dataclass(slots=True)
class ImportReport:
    """Counts of an import; `reasons` counts rejections and terms labels."""

    rows: int = 0
    stored: int = 0
    already_stored: int = 0
    terms_violations: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def add_rejection(self, line: int, path: str, code: str, message: str) -> None:
        self.rejected += 1
        self.reasons[code] += 1
        if len(self.examples) < 20:
            self.examples.append(f"line {line}: {path}: {message}")

    def describe(self) -> str:
        lines = [
            f"{self.rows} rows read: {self.stored} stored now, "
            f"{self.already_stored} already stored, {self.rejected} rejected; "
            f"{self.terms_violations} stored with terms violations."
        ]
        lines += [
            f"  {reason}: {count}" for reason, count in self.reasons.most_common()
        ]
        lines += [f"  {example}" for example in self.examples]
        return "\n".join(lines)


def _chunks(rows: Iterator[ParsedRow]) -> Iterator[list[ParsedRow]]:
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


async def import_opendata(
    engine: AsyncEngine,
    path: Path,
    operator_id: int,
    geography: ReferenceGeography,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Submit every row of `path` as the operator, one transaction per chunk.

    Rows are recorded as imported: the 24-hour rule does not apply to them. A
    re-import stores nothing new, since each row keeps its journey id.
    """
    report = ImportReport()
    for chunk in _chunks(iter_rows(path)):
        report.rows += len(chunk)
        for row in chunk:
            for error in row.errors:
                report.add_rejection(row.line, error.path, error.code, error.message)
        parsed = [row for row in chunk if row.draft is not None]
        async with engine.begin() as connection:
            results = await submit_journeys(
                connection,
                geography,
                operator_id,
                [row.draft for row in parsed if row.draft is not None],
                imported=True,
                now=datetime.now(UTC),
            )
        for row, result in zip(parsed, results, strict=True):
            for error in result.errors:
                report.add_rejection(row.line, error.path, error.code, error.message)
            if result.errors:
                continue
            if result.created:
                report.stored += 1
            else:
                report.already_stored += 1
            if result.terms_violations:
                report.terms_violations += 1
                report.reasons.update(result.terms_violations)
        if progress is not None:
            progress(report)
    logger.info("open-data import finished: %s", report.describe().splitlines()[0])
    return report
