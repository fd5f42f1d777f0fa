"""Raw SQL as the API's database role returns only the tenant's rows.

Each case sets the transaction-local settings that the API sets per request,
then reads every tenant table without any WHERE clause: row-level security
alone decides what comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.security.conftest import Seeded, fetch_as

# What each table's rows are identified by, and the query that lists them.
TABLES = {
    "journeys": "SELECT id AS key FROM journeys",
    "journey_keys": "SELECT journey_id AS key FROM journey_keys",
    "operator_incentives": "SELECT journey_id AS key FROM operator_incentives",
    "territories": "SELECT id AS key FROM territories",
    "territory_communes": "SELECT DISTINCT territory_id AS key FROM territory_communes",
    "operators": "SELECT id AS key FROM operators",
    "oauth_clients": "SELECT client_id AS key FROM oauth_clients",
}


@dataclass(frozen=True, slots=True)
class Tenant:
    """Settings of one caller and the rows it may see, per table."""

    settings: Callable[[Seeded], dict[str, str]]
    journeys: tuple[int, ...] = ()
    territories: tuple[str, ...] = ()
    operators: bool = False
    clients: bool = False


def _operator(name: str) -> Callable[[Seeded], dict[str, str]]:
    return lambda seeded: {
        "registry.role": "operator",
        "registry.operator_id": str(seeded.operators[name]),
    }


def _aom(name: str) -> Callable[[Seeded], dict[str, str]]:
    return lambda seeded: {
        "registry.role": "aom",
        "registry.territory_id": str(seeded.territories[name]),
    }


TENANTS = {
    "operator A": Tenant(_operator("A"), journeys=(1, 2, 3), operators=True),
    "operator B": Tenant(_operator("B"), journeys=(4, 5, 6), operators=True),
    "aom idfm (region)": Tenant(
        _aom("idfm"), journeys=(1, 2, 4, 5), territories=("idfm",), operators=True
    ),
    "aom cergy (commune)": Tenant(
        _aom("cergy"), journeys=(1, 4, 5), territories=("cergy",), operators=True
    ),
    "aom lyon (epci)": Tenant(
        _aom("lyon"), journeys=(3, 5, 6), territories=("lyon",), operators=True
    ),
    "employer": Tenant(
        lambda _: {"registry.role": "employer", "registry.company_siren": "123456789"},
        operators=True,
    ),
    "admin": Tenant(
        lambda _: {"registry.role": "admin"},
        journeys=(1, 2, 3, 4, 5, 6),
        territories=("idfm", "cergy", "lyon"),
        operators=True,
        clients=True,
    ),
    "no setting": Tenant(lambda _: {}),
    "empty role": Tenant(lambda _: {"registry.role": ""}),
    "unknown role": Tenant(
        lambda seeded: {
            "registry.role": "superuser",
            "registry.operator_id": str(seeded.operators["A"]),
        }
    ),
    "role in another case": Tenant(lambda _: {"registry.role": "ADMIN"}),
    "anonymous": Tenant(lambda _: {"registry.role": "anonymous"}),
    "operator without tenant": Tenant(
        lambda _: {"registry.role": "operator"}, operators=True
    ),
    "operator with malformed tenant": Tenant(
        lambda seeded: {
            "registry.role": "operator",
            "registry.operator_id": f"{seeded.operators['A']} OR true",
        },
        operators=True,
    ),
    "aom without tenant": Tenant(lambda _: {"registry.role": "aom"}, operators=True),
    "aom of a missing territory": Tenant(
        lambda _: {"registry.role": "aom", "registry.territory_id": "999999"},
        operators=True,
    ),
}


def expected(tenant: Tenant, table: str, seeded: Seeded) -> set[object]:
    if table in ("journeys", "journey_keys", "operator_incentives"):
        return set(seeded.journey_ids(*tenant.journeys))
    if table in ("territories", "territory_communes"):
        return {seeded.territories[name] for name in tenant.territories}
    if table == "operators":
        return set(seeded.operators.values()) if tenant.operators else set()
    return set(seeded.clients.values()) if tenant.clients else set()


@pytest.mark.parametrize("name", TENANTS)
async def test_tenant_reads_only_its_rows(
    app_url: str, seeded: Seeded, name: str
) -> None:
    tenant = TENANTS[name]
    for table, sql in TABLES.items():
        rows = await fetch_as(app_url, tenant.settings(seeded), sql)
        found = {row["key"] for row in rows}
        assert found == expected(tenant, table, seeded), table


async def test_owner_sees_every_row(app_url: str, seeded: Seeded) -> None:
    # Guards the test data: without it, an empty table would pass every case.
    admin = TENANTS["admin"]
    for table, sql in TABLES.items():
        rows = await fetch_as(app_url, admin.settings(seeded), sql)
        assert rows, f"no {table} row was seeded"


async def test_token_lookup_sees_one_client(app_url: str, seeded: Seeded) -> None:
    rows = await fetch_as(
        app_url, {"registry.client_id": "operator A"}, TABLES["oauth_clients"]
    )
    assert [row["key"] for row in rows] == ["operator A"]


async def test_token_lookup_needs_no_role(app_url: str, seeded: Seeded) -> None:
    settings = {
        "registry.client_id": "operator A",
        "registry.role": "operator",
        "registry.operator_id": str(seeded.operators["A"]),
    }
    rows = await fetch_as(app_url, settings, TABLES["oauth_clients"])
    assert rows == []
