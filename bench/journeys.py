"""Journey rows for the read benchmark, drawn like the open-data extract.

Each row copies a random row of the RPC extract of January 2022 (start and end
communes, coordinates, distance, duration, class, time of day), so communes and
origin-destination pairs keep the extract's weights: about 80 % of journeys
touch Île-de-France. Dates spread over the twelve months of 2024, one journey
partition each. Municipal arrondissements map to their commune, as ingestion
does.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FRANCE = "99100"
YEAR_START = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 366
# Operator names and their share of journeys.
OPERATORS = (
    ("Covoit Express", 0.45),
    ("Trajet Commun", 0.25),
    ("Ensemble en Route", 0.12),
    ("Partage Auto", 0.08),
    ("Voisins Mobiles", 0.05),
    ("Route Solidaire", 0.03),
    ("Petit Trajet", 0.02),
)
# Public status and its share, with sub-statuses that give it.
STATUSES = (
    (("processed", "passed", "passed", "ok"), 0.82),
    (("processed", "pending", "pending", "pending"), 0.08),
    (("terms_violation", "pending", "pending", "terms_violation_error"), 0.04),
    (("processed", "failed", "passed", "fraud_error"), 0.03),
    (("canceled", "passed", "passed", "canceled"), 0.03),
)


@dataclass(frozen=True, slots=True)
class Levels:
    epci: str | None
    dep: str
    reg: str


@dataclass(frozen=True, slots=True)
class Template:
    start: str
    end: str
    start_point: tuple[float, float]
    end_point: tuple[float, float]
    distance: int
    minutes: int
    seconds_of_day: int
    operator_class: str


class Geography:
    """Communes of 2022 with their EPCI, department and region."""

    def __init__(self, data_dir: Path) -> None:
        edition = data_dir / "decoupage_administratif" / "2.3.1"
        communes = json.loads((edition / "communes.json").read_text())
        epci_of = {
            member["code"]: epci["code"]
            for epci in json.loads((edition / "epci.json").read_text())
            for member in epci["membres"]
        }
        self.parent = {
            c["code"]: c["commune"]
            for c in communes
            if c["type"] == "arrondissement-municipal"
        }
        self.levels = {
            c["code"]: Levels(epci_of.get(c["code"]), c["departement"], c["region"])
            for c in communes
            if c["type"] == "commune-actuelle"
        }

    def resolve(self, code: str) -> tuple[str | None, Levels | None, str]:
        """Return the commune, its levels and the country of an extract code."""
        if code.startswith("99"):
            return None, None, code
        commune = self.parent.get(code, code)
        return commune, self.levels.get(commune), FRANCE


def load_templates(data_dir: Path) -> list[Template]:
    path = data_dir / "rpc_trips" / "rpc_trips_2022-01_extract.csv"
    with path.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream, delimiter=";"))
    templates = []
    for row in rows:
        hours, minutes, seconds = (
            int(part) for part in row["journey_start_time"].split(":")
        )
        templates.append(
            Template(
                start=row["journey_start_insee"],
                end=row["journey_end_insee"],
                start_point=(
                    float(row["journey_start_lat"]),
                    float(row["journey_start_lon"]),
                ),
                end_point=(
                    float(row["journey_end_lat"]),
                    float(row["journey_end_lon"]),
                ),
                distance=int(row["journey_distance"]),
                minutes=int(row["journey_duration"]),
                seconds_of_day=hours * 3600 + minutes * 60 + seconds,
                operator_class=row["operator_class"],
            )
        )
    return templates


def _place(
    geography: Geography, code: str, point: tuple[float, float], rng: random.Random
) -> list[Any]:
    commune, levels, country = geography.resolve(code)
    lat = point[0] + rng.uniform(0, 0.01)
    lon = point[1] + rng.uniform(0, 0.01)
    if levels is None:
        return [lat, lon, "outside_reference", None, None, None, None, country]
    return [
        lat,
        lon,
        "contained",
        commune,
        levels.epci,
        levels.dep,
        levels.reg,
        country,
    ]


def journey_rows(
    count: int,
    operator_ids: list[int],
    geography: Geography,
    templates: list[Template],
    rng: random.Random,
) -> Iterator[tuple[list[Any], list[tuple[Any, ...]]]]:
    """Yield each journey's row (in JOURNEY_COLUMNS order) and its incentives."""
    weights = [share for _, share in OPERATORS]
    statuses = [status for status, _ in STATUSES]
    status_weights = [share for _, share in STATUSES]
    for journey_id in range(1, count + 1):
        template = rng.choice(templates)
        day = rng.randrange(DAYS)
        start = YEAR_START + timedelta(days=day, seconds=template.seconds_of_day)
        end = start + timedelta(minutes=template.minutes)
        [operator_id] = rng.choices(operator_ids, weights)
        acquisition, fraud, anomaly, status = rng.choices(statuses, status_weights)[0]
        start_place = _place(geography, template.start, template.start_point, rng)
        end_place = _place(geography, template.end, template.end_point, rng)
        driver = hashlib.sha256(f"driver-{rng.randrange(200_000)}".encode()).hexdigest()
        passenger = hashlib.sha256(f"passenger-{journey_id}".encode()).hexdigest()
        row = [
            journey_id,
            operator_id,
            f"bench-{journey_id}",
            f"trip-{journey_id // 2}",
            template.operator_class,
            False,
            end + timedelta(minutes=5),
            start,
            *start_place,
            end,
            *end_place,
            template.distance,
            driver,
            None,
            None,
            True,
            150 + template.distance // 1000,
            passenger,
            None,
            None,
            None,
            150 + template.distance // 1000,
            1,
            acquisition,
            fraud,
            anomaly,
            status,
            ["expired"] if status == "terms_violation_error" else [],
        ]
        incentives = [
            (journey_id, start, index, f"{index + 1:014d}", 50 + 25 * index)
            for index in range(rng.choices((0, 1, 2), (0.3, 0.55, 0.15))[0])
        ]
        yield row, incentives
