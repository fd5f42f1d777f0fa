"""Validate a rule document and build its `Rules`.

`parse_rules` raises RulesError listing every invalid value with its path, for
example `rules.amount.slices[2].to: 20000 is not above from (30000)`.
"""

from __future__ import annotations

from typing import cast

from registry_gql.domain.campaigns.parse_amount import parse_grid
from registry_gql.domain.campaigns.parse_guards import parse_guards
from registry_gql.domain.campaigns.parse_places import parse_place_rule
from registry_gql.domain.campaigns.periods import PERIODS, Period
from registry_gql.domain.campaigns.reader import DocumentReader
from registry_gql.domain.campaigns.rules import (
    BENEFICIARIES,
    LIMIT_KINDS,
    LIMIT_PERSONS,
    RULES_VERSION,
    Beneficiary,
    Booster,
    Guards,
    Limit,
    LimitKind,
    LimitPerson,
    Rules,
)
from registry_gql.domain.campaigns.schedules import parse_dated_objects

RULE_FIELDS = ("version", "beneficiary", "guards", "amount", "boosters", "free_ride")
# The largest limit a document may set: 100 million seats, trips or cents.
MAX_LIMIT = 100_000_000


def parse_rules(document: object, path: str = "rules") -> Rules:
    """Return the rules of a valid document, or raise RulesError."""
    reader = DocumentReader()
    rules = read_rules(reader, document, path)
    reader.raise_errors()
    assert rules is not None
    return rules


def read_rules(reader: DocumentReader, document: object, path: str) -> Rules | None:
    """Parse into `reader`, which collects the errors; None when any was found."""
    fields = reader.mapping(
        document,
        path,
        required=("version", "beneficiary", "amount"),
        optional=(*RULE_FIELDS, "limits"),
    )
    if fields is None:
        return None
    errors_before = len(reader.errors)

    if "version" in fields:
        reader.integer(
            fields["version"],
            f"{path}.version",
            minimum=RULES_VERSION,
            maximum=RULES_VERSION,
        )
    beneficiary = reader.text(
        fields.get("beneficiary"), f"{path}.beneficiary", choices=BENEFICIARIES
    )
    guards = parse_guards(reader, fields.get("guards", {}), f"{path}.guards")
    amounts = None
    if "amount" in fields:
        amounts = parse_dated_objects(
            reader, fields["amount"], f"{path}.amount", parse_grid
        )
    boosters = _boosters(reader, fields.get("boosters", []), f"{path}.boosters")
    free_ride = reader.boolean(fields.get("free_ride", False), f"{path}.free_ride")
    limits = _limits(reader, fields.get("limits", []), f"{path}.limits")

    if len(reader.errors) != errors_before or amounts is None:
        return None
    return Rules(
        version=RULES_VERSION,
        beneficiary=cast(Beneficiary, beneficiary),
        guards=guards or Guards(),
        amounts=amounts,
        boosters=boosters,
        free_ride=bool(free_ride),
        limits=limits,
    )


def _boosters(reader: DocumentReader, value: object, path: str) -> tuple[Booster, ...]:
    boosters = []
    for item_path, item in reader.items(value, path):
        fields = reader.mapping(
            item, item_path, required=("factor",), optional=("dates", "place")
        )
        if fields is None or "factor" not in fields:
            continue
        if "dates" not in fields and "place" not in fields:
            reader.fail(item_path, "give dates, place or both")
            continue
        factor = reader.decimal(fields["factor"], f"{item_path}.factor", positive=True)
        dates = {
            day
            for day_path, raw in reader.items(
                fields.get("dates", []), f"{item_path}.dates"
            )
            if (day := reader.day(raw, day_path)) is not None
        }
        place = None
        if "place" in fields:
            place = parse_place_rule(reader, fields["place"], f"{item_path}.place")
        if factor is not None and (place is not None or "place" not in fields):
            boosters.append(Booster(factor, frozenset(dates), place))
    return tuple(boosters)


def _limits(reader: DocumentReader, value: object, path: str) -> tuple[Limit, ...]:
    limits: dict[str, tuple[str, Limit]] = {}
    for item_path, item in reader.items(value, path):
        limit = _limit(reader, item, item_path)
        if limit is None:
            continue
        if limit.key in limits:
            first_path, _ = limits[limit.key]
            reader.fail(item_path, f"duplicate of {first_path} ({limit.key})")
            continue
        limits[limit.key] = (item_path, limit)
    return tuple(
        sorted((limit for _, limit in limits.values()), key=lambda limit: limit.rank)
    )


def _rank(limit: Limit) -> int:
    return limit.rank


def _limit(reader: DocumentReader, value: object, path: str) -> Limit | None:
    fields = reader.mapping(value, path, required=("kind", "person", "period", "max"))
    if fields is None:
        return None
    kind = reader.text(fields.get("kind"), f"{path}.kind", choices=LIMIT_KINDS)
    person = reader.text(fields.get("person"), f"{path}.person", choices=LIMIT_PERSONS)
    period = reader.text(fields.get("period"), f"{path}.period", choices=PERIODS)
    maximum = None
    if "max" in fields:
        maximum = reader.integer(
            fields["max"], f"{path}.max", minimum=0, maximum=MAX_LIMIT
        )
    if kind == "seats_per_trip" and person not in (None, "driver"):
        reader.fail(
            f"{path}.person",
            "seats_per_trip counts a driver's trip; set person to driver",
        )
        return None
    if kind is None or person is None or period is None or maximum is None:
        return None
    return Limit(
        cast(LimitKind, kind), cast(LimitPerson, person), cast(Period, period), maximum
    )
