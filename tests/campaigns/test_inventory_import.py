"""The national inventory's grids imported as campaign templates."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.campaigns_import.inventory import import_inventory, load_inventory
from registry_gql.db.raw import driver_connection
from tests.conftest import DATA_DIR

INVENTORY = DATA_DIR / "incentives" / "incitations-covoiturage.json"
# The three entries whose minimum per passenger is above their maximum.
MIN_ABOVE_MAX = {"200070316", "200070852", "200071629"}


async def test_inventory_imports_as_templates(campaign_db: AsyncEngine) -> None:
    entries = load_inventory(INVENTORY)
    async with campaign_db.begin() as connection:
        report = await import_inventory(await driver_connection(connection), entries)
    assert len(entries) == 111
    assert len(report.imported) == 108
    assert set(report.rejected) == MIN_ABOVE_MAX
    assert (
        "is above conducteur_montant_max_par_passager" in report.rejected["200070316"]
    )
    async with campaign_db.connect() as connection:
        db = await driver_connection(connection)
        statuses = await db.fetch("SELECT DISTINCT status FROM campaigns")
    assert [row["status"] for row in statuses] == ["template"]


async def test_template_document(campaign_db: AsyncEngine) -> None:
    entries = load_inventory(INVENTORY)
    async with campaign_db.begin() as connection:
        report = await import_inventory(await driver_connection(connection), entries)
    # Sarreguemines: 1 € to 4 € per passenger, 150 € a month, 2 to 80 km, 60
    # passenger trips a month, free for passengers, start and/or end.
    async with campaign_db.connect() as connection:
        db = await driver_connection(connection)
        row = await db.fetchrow(
            "SELECT name, rules::text AS rules, operator_sirets FROM campaigns "
            "WHERE id = $1",
            report.imported["200070746"],
        )
    rules = json.loads(row["rules"])
    assert rules["amount"] == {"per_seat": True, "fixed": 100, "max": 400}
    assert rules["free_ride"] is True
    assert rules["guards"] == {
        "territory": "start_or_end",
        "distance": {"min": 2_000, "max": 80_000},
    }
    assert rules["limits"] == [
        {"kind": "amount", "person": "driver", "period": "month", "max": 15_000},
        {"kind": "trips", "person": "passenger", "period": "month", "max": 60},
    ]
    assert row["name"] == "Inventory grid of CA Sarreguemines Confluences"
    assert row["operator_sirets"] is None


async def test_reimport_replaces_templates(campaign_db: AsyncEngine) -> None:
    entries = load_inventory(INVENTORY)
    async with campaign_db.begin() as connection:
        first = await import_inventory(await driver_connection(connection), entries)
    async with campaign_db.begin() as connection:
        second = await import_inventory(await driver_connection(connection), entries)
    assert second.imported == first.imported
    async with campaign_db.connect() as connection:
        db = await driver_connection(connection)
        count = await db.fetchval("SELECT count(*) FROM campaigns")
        revisions = await db.fetch("SELECT DISTINCT revision FROM campaigns")
    assert count == 108
    assert [row["revision"] for row in revisions] == [2]
