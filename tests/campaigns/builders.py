"""Builders of campaign journeys and scorers from the campaign files."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from registry_gql.campaigns_import.files import CAMPAIGNS_DIR, load_campaign_file
from registry_gql.domain.campaigns.campaign import CampaignDefinition
from registry_gql.domain.campaigns.journey import CampaignJourney, Endpoint
from registry_gql.domain.campaigns.parse import parse_rules
from registry_gql.domain.campaigns.rules import PlaceSelector, Rules
from registry_gql.domain.campaigns.scorer import CampaignScope, Scorer

FRANCE = "99100"
# Codes per level of a few communes, as journeys store them.
CERGY = Endpoint(49.0364, 2.0761, "95127", "200035657", "95", "11", FRANCE)
PUTEAUX = Endpoint(48.8897, 2.2411, "92062", "200054781", "92", "11", FRANCE)
PARIS = Endpoint(48.8566, 2.3522, "75056", "200054781", "75", "11", FRANCE)
PARIS_EAST = Endpoint(48.8530, 2.3999, "75056", "200054781", "75", "11", FRANCE)
CHARTRES = Endpoint(48.4469, 1.4892, "28085", "200033181", "28", "24", FRANCE)
NANTES = Endpoint(47.2184, -1.5536, "44109", "244400404", "44", "52", FRANCE)
REZE = Endpoint(47.1833, -1.5500, "44143", "244400404", "44", "52", FRANCE)
ANGERS = Endpoint(47.4784, -0.5632, "49007", "244900015", "49", "52", FRANCE)
RENNES_BRITTANY = Endpoint(48.1173, -1.6778, "35238", "243500139", "35", "53", FRANCE)
LANNION = Endpoint(48.7326, -3.4566, "22113", "200065928", "22", "53", FRANCE)
GUINGAMP = Endpoint(48.5619, -3.1500, "22070", "200067981", "22", "53", FRANCE)
MORLAIX = Endpoint(48.5775, -3.8280, "29151", "242900801", "29", "53", FRANCE)

_ids = count(1)


def key(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def journey(
    start_at: str | datetime,
    distance: int,
    *,
    start: Endpoint = CERGY,
    end: Endpoint = PUTEAUX,
    operator_class: str = "C",
    siret: str = "11111111111111",
    driver: str = "driver",
    passenger: str = "passenger",
    trip: str | None = None,
    **changes: Any,
) -> CampaignJourney:
    """A journey of one seat, 30 minutes long, with a paying adult passenger."""
    begin = datetime.fromisoformat(start_at) if isinstance(start_at, str) else start_at
    number = next(_ids)
    built = CampaignJourney(
        journey_id=number,
        operator_id=1,
        operator_siret=siret,
        operator_class=operator_class,
        operator_trip_id=trip or f"trip-{number}",
        start_at=begin,
        end_at=begin + timedelta(minutes=30),
        start=start,
        end=end,
        distance=distance,
        driver_key=key(driver),
        passenger_key=key(passenger),
        passenger_over18=True,
        driver_revenue=0,
        passenger_contribution=100,
        seats=1,
    )
    return replace(built, **changes)


def campaign_file(name: str) -> CampaignDefinition:
    return load_campaign_file(CAMPAIGNS_DIR / name).definition


def rules_of(name: str) -> dict[str, Any]:
    """Return a deep copy of a campaign file's rule document, to change in a test."""
    return copy.deepcopy(dict(campaign_file(name).document))


def scorer(
    name: str,
    territory: list[PlaceSelector],
    *,
    document: dict[str, Any] | None = None,
) -> Scorer:
    """Build the scorer of a campaign file over `territory`, optionally with a
    changed rule document."""
    definition = campaign_file(name)
    rules: Rules = parse_rules(document or definition.document)
    scope = CampaignScope(
        time_zone=ZoneInfo(definition.time_zone),
        starts_at=definition.starts_at,
        ends_at=definition.ends_at,
        territory=territory,
        aoms={},
    )
    return Scorer(rules, scope)
