"""Read a campaign file of `policies/campaigns/`: its definition and territory.

A file contains `name`, `description`, `time_zone`, `starts_at`, `ends_at`,
`budget` (cents), `territory` (a hint: `name`, optional `siren`, `selectors`) and
`rules`, the rule document. Dates that YAML reads as date objects are stored as
ISO strings, so the document stays plain JSON.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from registry_gql.domain.campaigns.campaign import CampaignDefinition
from registry_gql.domain.campaigns.errors import RuleError, RulesError
from registry_gql.domain.territories import Selector, SelectorError, parse_selectors

CAMPAIGNS_DIR = Path(__file__).resolve().parents[3] / "policies" / "campaigns"
FILE_FIELDS = frozenset(
    {
        "name",
        "description",
        "time_zone",
        "starts_at",
        "ends_at",
        "budget",
        "territory",
        "rules",
    }
)


@dataclass(frozen=True, slots=True)
class TerritoryHint:
    """The territory a campaign file is written for, to register or look up."""

    name: str
    siren: str | None
    selectors: tuple[Selector, ...]


@dataclass(frozen=True, slots=True)
class CampaignFile:
    path: Path
    definition: CampaignDefinition
    territory: TerritoryHint | None


def load_campaign_file(path: Path) -> CampaignFile:
    """Read a campaign file; raise RulesError for a missing or unknown field.

    The rules are not validated here: `validate_definition` does it once the
    territory is known.
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, Mapping):
        raise RulesError([RuleError(str(path), "expected a YAML mapping")])
    unknown = sorted(set(raw) - FILE_FIELDS)
    missing = sorted({"name", "time_zone", "rules"} - set(raw))
    errors = [RuleError(key, "unknown field") for key in unknown]
    errors += [RuleError(key, "missing required field") for key in missing]
    if errors:
        raise RulesError(errors)
    definition = CampaignDefinition(
        name=str(raw["name"]),
        description=str(raw.get("description") or ""),
        territory_id=None,
        starts_at=_instant(raw.get("starts_at"), "starts_at"),
        ends_at=_instant(raw.get("ends_at"), "ends_at"),
        time_zone=str(raw["time_zone"]),
        budget=raw.get("budget"),
        document=plain_json(raw["rules"]),
    )
    return CampaignFile(path, definition, _territory(raw.get("territory")))


def plain_json(value: Any) -> Any:
    """Return `value` with dates and times as ISO strings, recursively."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): plain_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(item) for item in value]
    return value


def _instant(value: object, path: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(value)
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise RulesError(
            [RuleError(path, "expected an instant like 2024-04-01T00:00:00+02:00")]
        )
    return value


def _territory(value: object) -> TerritoryHint | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or "selectors" not in value:
        raise RulesError([RuleError("territory", "expected name and selectors")])
    try:
        selectors = parse_selectors(value["selectors"])
    except SelectorError as error:
        raise RulesError(
            [RuleError(f"territory.{error.path}", error.message)]
        ) from error
    siren = value.get("siren")
    return TerritoryHint(
        str(value.get("name") or ""),
        None if siren is None else str(siren),
        tuple(selectors),
    )
