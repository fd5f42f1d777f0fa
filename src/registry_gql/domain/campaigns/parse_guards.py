"""Parse the `guards` section of a rule document."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import cast

from registry_gql.domain.campaigns.parse_places import parse_place_rule
from registry_gql.domain.campaigns.reader import DocumentReader
from registry_gql.domain.campaigns.rules import (
    WEEKDAYS,
    ClockRange,
    Dated,
    DateRange,
    Guards,
    PlaceRule,
    Points,
)
from registry_gql.domain.campaigns.schedules import Parse, T, parse_schedule
from registry_gql.domain.journeys import MAX_DISTANCE_M, OPERATOR_CLASSES

_SIRET = re.compile(r"\d{14}")
_TERRITORY_POINTS = ("start", "end", "start_or_end", "start_and_end")
GUARD_FIELDS = (
    "territory",
    "dates",
    "excluded_dates",
    "weekdays",
    "time_of_day",
    "operators",
    "operator_classes",
    "distance",
    "adult_passenger",
    "passenger_contribution_positive",
    "places",
)


def parse_guards(reader: DocumentReader, value: object, path: str) -> Guards | None:
    fields = reader.mapping(value, path, optional=GUARD_FIELDS)
    if fields is None:
        return None
    errors_before = len(reader.errors)
    territory = reader.text(
        fields.get("territory", "start_or_end"),
        f"{path}.territory",
        choices=_TERRITORY_POINTS,
    )
    minimum, maximum = _distance(reader, fields, path)
    guards = Guards(
        territory=cast(Points, territory),
        dates=_dates(reader, fields, path),
        excluded_dates=frozenset(
            day
            for item_path, item in reader.items(
                fields.get("excluded_dates", []), f"{path}.excluded_dates"
            )
            if (day := reader.day(item, item_path)) is not None
        ),
        weekdays=_weekdays(reader, fields, path),
        times_of_day=_times(reader, fields, path),
        operators=_optional_schedule(
            reader, fields, path, "operators", "sirets", _sirets
        ),
        operator_classes=_optional_schedule(
            reader, fields, path, "operator_classes", "classes", _classes
        ),
        min_distance=minimum,
        max_distance=maximum,
        adult_passenger=_flag(reader, fields, path, "adult_passenger"),
        passenger_contribution_positive=_flag(
            reader, fields, path, "passenger_contribution_positive"
        ),
        places=_places(reader, fields, path),
    )
    return guards if len(reader.errors) == errors_before else None


def _flag(
    reader: DocumentReader, fields: Mapping[str, object], path: str, name: str
) -> bool:
    return reader.boolean(fields.get(name, False), f"{path}.{name}") or False


def _dates(
    reader: DocumentReader, fields: Mapping[str, object], path: str
) -> tuple[DateRange, ...]:
    ranges = []
    for item_path, item in reader.items(fields.get("dates", []), f"{path}.dates"):
        bounds = reader.mapping(item, item_path, required=("from", "to"))
        if bounds is None:
            continue
        first = reader.day(bounds.get("from"), f"{item_path}.from")
        last = reader.day(bounds.get("to"), f"{item_path}.to")
        if first is None or last is None:
            continue
        if last < first:
            reader.fail(f"{item_path}.to", f"{last} is before from ({first})")
            continue
        ranges.append(DateRange(first, last))
    return tuple(ranges)


def _weekdays(
    reader: DocumentReader, fields: Mapping[str, object], path: str
) -> frozenset[int] | None:
    if "weekdays" not in fields:
        return None
    days: set[int] = set()
    for item_path, item in reader.items(
        fields["weekdays"], f"{path}.weekdays", min_items=1
    ):
        name = reader.text(item, item_path, choices=WEEKDAYS)
        if name is not None:
            days.add(WEEKDAYS.index(name) + 1)
    return frozenset(days)


def _times(
    reader: DocumentReader, fields: Mapping[str, object], path: str
) -> tuple[ClockRange, ...]:
    ranges = []
    for item_path, item in reader.items(
        fields.get("time_of_day", []), f"{path}.time_of_day"
    ):
        bounds = reader.mapping(item, item_path, required=("from", "to"))
        if bounds is None:
            continue
        start = reader.clock(bounds.get("from"), f"{item_path}.from")
        end = reader.clock(bounds.get("to"), f"{item_path}.to")
        if start is None or end is None:
            continue
        if start == end:
            reader.fail(f"{item_path}.to", "equals from; the range would be empty")
            continue
        ranges.append(ClockRange(start, end))
    return tuple(ranges)


def _sirets(reader: DocumentReader, value: object, path: str) -> frozenset[str] | None:
    sirets = {
        siret
        for item_path, item in reader.items(value, path, min_items=1)
        if (
            siret := reader.text(
                item, item_path, pattern=_SIRET, expected="a SIRET of 14 digits"
            )
        )
        is not None
    }
    return frozenset(sirets) if sirets else None


def _classes(reader: DocumentReader, value: object, path: str) -> frozenset[str] | None:
    classes = {
        name
        for item_path, item in reader.items(value, path, min_items=1)
        if (name := reader.text(item, item_path, choices=OPERATOR_CLASSES)) is not None
    }
    return frozenset(classes) if classes else None


def _optional_schedule(
    reader: DocumentReader,
    fields: Mapping[str, object],
    path: str,
    name: str,
    item_field: str,
    parse: Parse[T],
) -> tuple[Dated[T], ...] | None:
    if name not in fields:
        return None
    return parse_schedule(reader, fields[name], f"{path}.{name}", item_field, parse)


def _distance(
    reader: DocumentReader, fields: Mapping[str, object], path: str
) -> tuple[int | None, int | None]:
    if "distance" not in fields:
        return None, None
    bounds = reader.mapping(
        fields["distance"], f"{path}.distance", optional=("min", "max")
    )
    if bounds is None:
        return None, None
    minimum = maximum = None
    if "min" in bounds:
        minimum = reader.integer(
            bounds["min"], f"{path}.distance.min", minimum=0, maximum=MAX_DISTANCE_M
        )
    if "max" in bounds:
        maximum = reader.integer(
            bounds["max"], f"{path}.distance.max", minimum=1, maximum=MAX_DISTANCE_M
        )
    if minimum is not None and maximum is not None and maximum < minimum:
        reader.fail(f"{path}.distance.max", f"{maximum} is below min ({minimum})")
    return minimum, maximum


def _places(
    reader: DocumentReader, fields: Mapping[str, object], path: str
) -> tuple[PlaceRule, ...]:
    rules = []
    for item_path, item in reader.items(fields.get("places", []), f"{path}.places"):
        rule = parse_place_rule(reader, item, item_path)
        if rule is not None:
            rules.append(rule)
    return tuple(rules)
