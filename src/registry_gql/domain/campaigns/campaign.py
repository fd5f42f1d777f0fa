"""The campaign model: its editable definition, checks and status changes.

Status goes `draft → active → finished`; a `template` is a starting point that
an AOM copies into a new draft and is never computed. Only a draft (or a
template) may be edited, and only a draft with dates may be launched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from registry_gql.domain.campaigns.errors import (
    CampaignStateError,
    RuleError,
    RulesError,
)
from registry_gql.domain.campaigns.parse import read_rules
from registry_gql.domain.campaigns.reader import DocumentReader
from registry_gql.domain.campaigns.rules import Rules

CampaignStatus = Literal["template", "draft", "active", "finished"]
STATUSES: tuple[CampaignStatus, ...] = ("template", "draft", "active", "finished")
MAX_NAME = 200
MAX_DESCRIPTION = 10_000
# The largest budget, 10 billion euros in cents, far above any real campaign.
MAX_BUDGET = 1_000_000_000_000
TRANSITIONS: dict[str, str] = {"draft": "active", "active": "finished"}


@dataclass(frozen=True, slots=True)
class CampaignDefinition:
    """The editable part of a campaign. Times are instants, the budget is in cents
    (None for no budget), and `document` is the rule document as parsed JSON."""

    name: str
    description: str
    territory_id: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    time_zone: str
    budget: int | None
    document: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Campaign:
    """A stored campaign; `revision` grows by one at each edit of its definition."""

    id: int
    status: CampaignStatus
    revision: int
    definition: CampaignDefinition
    rules: Rules
    zone: ZoneInfo


def validate_definition(
    definition: CampaignDefinition, *, template: bool = False
) -> tuple[Rules, ZoneInfo]:
    """Return the parsed rules and time zone, or raise RulesError naming every
    invalid field (`name`, `time_zone`, `rules.amount.slices[2].to`, ...)."""
    reader = DocumentReader()
    _check_texts(reader, definition)
    zone = _zone(reader, definition.time_zone)
    _check_times(reader, definition)
    if definition.budget is not None:
        reader.integer(definition.budget, "budget", minimum=0, maximum=MAX_BUDGET)
    if not template and definition.territory_id is None:
        reader.fail("territory_id", "missing; a campaign needs a territory")
    rules = read_rules(reader, definition.document, "rules")
    reader.raise_errors()
    assert rules is not None
    assert zone is not None
    return rules, zone


def check_editable(status: CampaignStatus) -> None:
    if status not in ("draft", "template"):
        raise CampaignStateError(
            f"a campaign is {status}; only a draft may be edited. Create a new "
            "draft to change its rules."
        )


def check_transition(
    status: CampaignStatus, target: CampaignStatus, definition: CampaignDefinition
) -> None:
    """Raise unless the campaign may go from `status` to `target`.

    Launching also needs both dates: RulesError names the missing ones.
    """
    if TRANSITIONS.get(status) != target:
        allowed = TRANSITIONS.get(status)
        raise CampaignStateError(
            f"a campaign cannot go from {status} to {target}; "
            + (f"it may only become {allowed}." if allowed else "its status is final.")
        )
    if target == "active":
        missing = [
            RuleError(name, "missing; a campaign needs dates to be launched")
            for name, value in (
                ("starts_at", definition.starts_at),
                ("ends_at", definition.ends_at),
            )
            if value is None
        ]
        if missing:
            raise RulesError(missing)


def operator_sirets(rules: Rules) -> list[str] | None:
    """Return every operator SIRET the rules ever accept, or None when they
    accept any operator."""
    if rules.guards.operators is None:
        return None
    return sorted({siret for entry in rules.guards.operators for siret in entry.value})


def _check_texts(reader: DocumentReader, definition: CampaignDefinition) -> None:
    if not definition.name.strip():
        reader.fail("name", "empty; give the campaign a name")
    elif len(definition.name) > MAX_NAME:
        reader.fail("name", f"{len(definition.name)} characters; at most {MAX_NAME}")
    if len(definition.description) > MAX_DESCRIPTION:
        reader.fail(
            "description",
            f"{len(definition.description)} characters; at most {MAX_DESCRIPTION}",
        )


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(reader: DocumentReader, name: str) -> ZoneInfo | None:
    # Only known names reach ZoneInfo, which reads a file named after its key:
    # "Europe" is a directory and a long name fails the file system, both
    # OSErrors that ZoneInfo lets through.
    try:
        if name not in _zone_names():
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.fail(
            "time_zone",
            f"unknown IANA time zone {name!r}; use a name like Europe/Paris",
        )
        return None


def _check_times(reader: DocumentReader, definition: CampaignDefinition) -> None:
    for name, value in (
        ("starts_at", definition.starts_at),
        ("ends_at", definition.ends_at),
    ):
        if value is not None and value.utcoffset() is None:
            reader.fail(
                name,
                "has no UTC offset; give an instant like 2024-04-01T00:00:00+02:00",
            )
            return
    starts, ends = definition.starts_at, definition.ends_at
    if starts is not None and ends is not None and ends <= starts:
        reader.fail("ends_at", f"{ends.isoformat()} is not after starts_at")
