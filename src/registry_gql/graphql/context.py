"""Per-request context: the caller, its policy, its transaction, its loaders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from registry_gql.auth.principal import Principal
from registry_gql.authz.policy import RolePolicy
from registry_gql.authz.rows import row_scope
from registry_gql.db import journey_reads
from registry_gql.db.request import RequestDatabase
from registry_gql.db.row_scope import RowScope
from registry_gql.graphql.loaders import Loaders
from registry_gql.settings import Settings

if TYPE_CHECKING:
    from registry_gql.graphql.services import Services
    from registry_gql.graphql.types.journeys import Journey


@dataclass(slots=True)
class Context:
    principal: Principal
    policy: RolePolicy
    database: RequestDatabase
    loaders: Loaders
    services: Services

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def row_scope(self, type_name: str) -> RowScope:
        return row_scope(self.policy, self.principal, type_name)

    async def load_journeys(self, journey_ids: Sequence[int]) -> list[Journey | None]:
        """Load journeys in the caller's row scope; others come back as None."""
        from registry_gql.graphql.types.journeys import Journey

        rows = await journey_reads.fetch_by_ids(
            self.database, self.row_scope("Journey"), journey_ids
        )
        by_id = {row["id"]: Journey.from_row(row) for row in rows}
        return [by_id.get(journey_id) for journey_id in journey_ids]
