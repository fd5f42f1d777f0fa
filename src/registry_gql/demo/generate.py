"""Synthetic commuting journeys between real communes, for the demo.

Homes and workplaces are drawn in proportion to commune population, points
uniformly inside the commune polygons, departures in the morning and evening
peaks of the last day.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import shapely

from registry_gql.domain.journeys import (
    Driver,
    Identity,
    JourneyDraft,
    OperatorIncentive,
    Passenger,
    Place,
)

# Mean speed of a commute by car, km/h, and the share of the straight line that
# the road adds.
SPEED_KMH = 40.0
DETOUR = 1.3
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True, slots=True)
class DemoCommune:
    code: str
    population: int
    geometry: shapely.Geometry


def _random_point(commune: DemoCommune, rng: random.Random) -> tuple[float, float]:
    min_lon, min_lat, max_lon, max_lat = commune.geometry.bounds
    for _ in range(100):
        lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
        if shapely.contains_xy(commune.geometry, lon, lat):
            return round(lat, 5), round(lon, 5)
    point = commune.geometry.representative_point()
    return round(point.y, 5), round(point.x, 5)


def _distance_m(start: tuple[float, float], end: tuple[float, float]) -> int:
    lat = math.radians((start[0] + end[0]) / 2)
    dy = (end[0] - start[0]) * 111_195
    dx = (end[1] - start[1]) * 111_195 * math.cos(lat)
    return max(1, round(math.hypot(dx, dy) * DETOUR))


def _person(seed: str) -> Identity:
    digits = int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) % 10**8
    phone = f"+336{digits:08d}"
    return Identity(
        identity_key=hashlib.sha256(f"{phone}-DEMO{seed.upper()}".encode()).hexdigest(),
        operator_user_id=f"demo-{seed}",
        phone=phone,
        over18=True,
    )


def generate_journeys(
    communes: Sequence[DemoCommune],
    count: int,
    *,
    now: datetime,
    seed: int = 2026,
    operator_siret: str,
) -> list[JourneyDraft]:
    """Return `count` journeys of trips with one to three passengers each.

    The same seed gives the same people and places; ids carry the minute of `now`,
    so that running the demo again adds journeys instead of conflicting.
    """
    tag = now.strftime("%Y%m%d%H%M")
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, no secret
    weights = [max(commune.population, 1) for commune in communes]
    journeys: list[JourneyDraft] = []
    trip = 0
    while len(journeys) < count:
        trip += 1
        home, work = rng.choices(communes, weights=weights, k=2)
        start_point, end_point = _random_point(home, rng), _random_point(work, rng)
        distance = _distance_m(start_point, end_point)
        minutes = max(5, round(distance / 1000 / SPEED_KMH * 60))
        peak = rng.choice((7, 8, 17, 18))
        day = now.astimezone(PARIS) - timedelta(hours=rng.randint(1, 20))
        minute = rng.randrange(0, 60, 5)
        start = day.replace(hour=peak, minute=minute, second=0, microsecond=0)
        if start + timedelta(minutes=minutes) > now:
            start -= timedelta(days=1)
        driver = _person(f"driver{rng.randrange(400)}")
        for seat in range(rng.choice((1, 1, 1, 2, 3))):
            passenger = _person(f"passenger{rng.randrange(1200)}")
            contribution = min(600, distance // 100)
            journeys.append(
                JourneyDraft(
                    operator_journey_id=f"demo-{tag}-{seed}-{trip}-{seat}",
                    operator_trip_id=f"demo-{tag}-{seed}-{trip}",
                    operator_class=rng.choice("BCC"),
                    start=Place(start, *start_point),
                    end=Place(start + timedelta(minutes=minutes), *end_point),
                    distance=distance,
                    driver=Driver(driver, revenue=contribution),
                    passenger=Passenger(passenger, contribution=contribution, seats=1),
                    incentives=(OperatorIncentive(0, operator_siret, 50),)
                    if distance > 10_000
                    else (),
                )
            )
    return journeys[:count]
