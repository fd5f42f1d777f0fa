"""Fixtures of the campaign tests that use the database."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.domain.geo import ReferenceGeography

CAMPAIGN_TABLES = ("campaign_counters", "incentives", "campaigns")


@pytest.fixture
async def campaign_db(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography
) -> AsyncEngine:
    """Owner engine over empty tenant and campaign tables, with the communes of
    2022 that territories need."""
    async with clean_db.begin() as connection:
        await connection.exec_driver_sql(
            f"TRUNCATE {', '.join(CAMPAIGN_TABLES)} RESTART IDENTITY CASCADE"
        )
    return clean_db
