"""Process-wide services that requests share: settings, engine, geography."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.auth.principal import Role
from registry_gql.authz.document import DocumentChecker
from registry_gql.authz.policy import RolePolicy
from registry_gql.db.geography import load_reference
from registry_gql.domain.geo import ReferenceGeography
from registry_gql.settings import Settings

if TYPE_CHECKING:
    from registry_gql.graphql.compiler.plans import ReadCompiler

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Services:
    settings: Settings
    # The engine of `RequestDatabase` only, because its connections keep the
    # session settings of their last caller.
    app_engine: AsyncEngine
    # The application role's engine for everything else.
    support_engine: AsyncEngine
    policies: dict[Role, RolePolicy]
    checker: DocumentChecker
    read_compiler: ReadCompiler | None = None
    _geography: ReferenceGeography | None = None
    _geography_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def geography(self) -> ReferenceGeography:
        """Load the reference geography once per process, on first ingestion."""
        async with self._geography_lock:
            if self._geography is None:
                year = self.settings.reference_year
                async with self.support_engine.connect() as connection:
                    self._geography = await load_reference(connection, year)
                logger.info("reference geography loaded: year=%s", year)
            return self._geography

    async def dispose(self) -> None:
        """Close both engines' connections."""
        await self.app_engine.dispose()
        await self.support_engine.dispose()
