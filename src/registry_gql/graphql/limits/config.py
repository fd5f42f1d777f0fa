"""The values of the query limits, read from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from registry_gql.settings import Settings


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """Limits of one GraphQL document; `Settings` gives their defaults."""

    max_length: int
    max_tokens: int
    max_depth: int
    max_aliases: int
    max_cost: int
    max_directives: int
    max_repeated_directive: int
    introspection: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        return cls(
            max_length=settings.max_query_length,
            max_tokens=settings.max_query_tokens,
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_query_aliases,
            max_cost=settings.max_query_cost,
            max_directives=settings.max_query_directives,
            max_repeated_directive=settings.max_repeated_directive,
            introspection=settings.introspection_allowed,
        )
