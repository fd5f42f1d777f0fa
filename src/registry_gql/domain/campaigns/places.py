"""Evaluate place conditions on a journey's start and end."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import shapely

from registry_gql.domain.campaigns.journey import CampaignJourney, Endpoint
from registry_gql.domain.campaigns.rules import (
    PlaceRule,
    PlaceSelector,
    Points,
    SelectorLevel,
)


class UnknownTerritoryError(LookupError):
    """An `aom` selector names a SIREN that no registered territory has."""


@dataclass(frozen=True, slots=True)
class CodeSet:
    """Codes per level, from selectors whose `aom` entries were expanded."""

    codes: Mapping[SelectorLevel, frozenset[str]]

    @classmethod
    def build(
        cls,
        selectors: Iterable[PlaceSelector],
        aoms: Mapping[str, Sequence[PlaceSelector]],
    ) -> CodeSet:
        """Group selectors by level; `aoms` maps a SIREN to its territory's
        selectors. Raises UnknownTerritoryError for a SIREN missing from it."""
        grouped: dict[SelectorLevel, set[str]] = {}
        for selector in expand_aoms(selectors, aoms):
            grouped.setdefault(selector.level, set()).add(selector.code)
        return cls({level: frozenset(codes) for level, codes in grouped.items()})

    def contains(self, point: Endpoint) -> bool:
        return any(point.code(level) in codes for level, codes in self.codes.items())

    def contains_both_in_one(self, start: Endpoint, end: Endpoint) -> bool:
        """True when start and end share one code listed at some level."""
        for level, codes in self.codes.items():
            code = start.code(level)
            if code is not None and code == end.code(level) and code in codes:
                return True
        return False


def expand_aoms(
    selectors: Iterable[PlaceSelector], aoms: Mapping[str, Sequence[PlaceSelector]]
) -> list[PlaceSelector]:
    expanded: list[PlaceSelector] = []
    for selector in selectors:
        if selector.level != "aom":
            expanded.append(selector)
            continue
        territory = aoms.get(selector.code)
        if territory is None:
            raise UnknownTerritoryError(
                f"no registered territory has SIREN {selector.code}; register it "
                "before using it in an aom selector"
            )
        expanded += [item for item in territory if item.level != "aom"]
    return expanded


def endpoints_match(
    points: Points,
    start_in: bool,
    end_in: bool,
) -> bool:
    if points == "start":
        return start_in
    if points == "end":
        return end_in
    if points == "start_or_end":
        return start_in or end_in
    return start_in and end_in


class PlaceCondition:
    """A compiled place rule: code sets or a prepared zone."""

    def __init__(self, rule: PlaceRule, aoms: Mapping[str, Sequence[PlaceSelector]]):
        self.rule = rule
        self._codes = CodeSet.build(rule.selectors, aoms) if rule.selectors else None
        self._zone: Any = rule.zone

    def passes(self, journey: CampaignJourney) -> bool:
        """True when the journey meets the rule, or avoids it when it excludes."""
        return self._matches(journey) != self.rule.exclude

    def _matches(self, journey: CampaignJourney) -> bool:
        start, end = journey.start, journey.end
        if self._codes is not None:
            if self.rule.points == "start_and_end_in_same":
                return self._codes.contains_both_in_one(start, end)
            start_in = self._codes.contains(start)
            end_in = self._codes.contains(end)
        else:
            start_in = bool(shapely.intersects_xy(self._zone, start.lon, start.lat))
            end_in = bool(shapely.intersects_xy(self._zone, end.lon, end.lat))
        return endpoints_match(self.rule.points, start_in, end_in)
