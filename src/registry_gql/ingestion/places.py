"""Start and end points of journeys mapped to communes and their levels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from registry_gql.domain.journeys import JourneyDraft

FRANCE = "99100"  # INSEE code of France in the official geographic code


class Location(Protocol):
    @property
    def code(self) -> str | None: ...

    @property
    def method(self) -> str: ...


class CommuneLevels(Protocol):
    @property
    def epci(self) -> str | None: ...

    @property
    def department(self) -> str: ...

    @property
    def region(self) -> str: ...


class Geography(Protocol):
    """The part of the in-memory reference geography that ingestion uses."""

    def locate_many(
        self, lats: Sequence[float], lons: Sequence[float]
    ) -> Sequence[Location]: ...

    def commune(self, code: str) -> CommuneLevels | None: ...


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    """A point's commune and levels; `country` is the INSEE country code."""

    method: str
    com: str | None = None
    epci: str | None = None
    dep: str | None = None
    reg: str | None = None
    country: str | None = None

    def columns(
        self,
    ) -> tuple[str, str | None, str | None, str | None, str | None, str | None]:
        return (self.method, self.com, self.epci, self.dep, self.reg, self.country)


def resolve_places(
    geography: Geography, drafts: Sequence[JourneyDraft]
) -> list[tuple[ResolvedPlace, ResolvedPlace]]:
    """Locate the start and end of each draft, in one vectorized call.

    A point outside the reference keeps the `99xxx` country code that an imported
    row gives, and no commune.
    """
    lats = [d.start.lat for d in drafts] + [d.end.lat for d in drafts]
    lons = [d.start.lon for d in drafts] + [d.end.lon for d in drafts]
    locations = geography.locate_many(lats, lons)
    count = len(drafts)
    return [
        (
            _resolve(geography, locations[i], draft.start_country),
            _resolve(geography, locations[count + i], draft.end_country),
        )
        for i, draft in enumerate(drafts)
    ]


def _resolve(
    geography: Geography, location: Location, country_hint: str | None
) -> ResolvedPlace:
    commune = geography.commune(location.code) if location.code else None
    if commune is None:
        return ResolvedPlace("outside_reference", country=country_hint)
    return ResolvedPlace(
        location.method,
        location.code,
        commune.epci,
        commune.department,
        commune.region,
        FRANCE,
    )
