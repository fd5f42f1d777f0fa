"""Campaign fields: each caller reads the campaigns it may read, and only the
fields its role may read.

Expected rows come from the product's rules: an AOM reads its own campaigns, an
operator the active ones that apply to it, an admin all of them; employers and
callers without a token read none.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_fixtures import Api
from tests.campaigns.test_graphql import CREATE, LAUNCH, campaign_input
from tests.isolation.conftest import World
from tests.isolation.matrix import READERS, Role

CAMPAIGN_FIELDS = (
    "territoryId",
    "name",
    "description",
    "status",
    "timeZone",
    "startsAt",
    "endsAt",
    "budget",
    "revision",
    "rules",
)


async def create(api: Api, token: str | None, name: str, launch: bool) -> str:
    assert token is not None
    response = await api.graphql(CREATE, {"input": campaign_input(name=name)}, token)
    campaign_id = str(response.json()["data"]["createCampaign"]["id"])
    if launch:
        launched = await api.graphql(LAUNCH, {"id": campaign_id}, token)
        assert "errors" not in launched.json(), launched.json()
    return campaign_id


@pytest.fixture
async def campaigns(api: Api, world: World) -> dict[str, frozenset[str]]:
    """The campaign ids each caller should read."""
    idfm = world.callers["aom IDFM"].token
    paris = world.callers["aom Paris"].token
    idfm_active = await create(api, idfm, "IDFM active", launch=True)
    idfm_draft = await create(api, idfm, "IDFM draft", launch=False)
    paris_active = await create(api, paris, "Paris active", launch=True)
    active = frozenset({idfm_active, paris_active})
    return {
        "operator A": active,
        "operator B": active,
        "aom IDFM": frozenset({idfm_active, idfm_draft}),
        "aom Paris": frozenset({paris_active}),
        "admin": frozenset({idfm_active, idfm_draft, paris_active}),
    }


def listing(field: str, variant: str) -> str:
    if variant == "fragment":
        return f"{{ campaigns {{ ...C }} }} fragment C on Campaign {{ id {field} }}"
    return f"{{ mine: campaigns {{ key: id value: {field} }} }}"


def campaign_ids(data: dict[str, Any]) -> set[str]:
    items = next(iter(data.values()))
    return {str(item.get("id") or item.get("key")) for item in items}


@pytest.mark.parametrize("variant", ["fragment", "aliases"])
@pytest.mark.parametrize(
    "label",
    [
        "operator A",
        "operator B",
        "aom IDFM",
        "aom Paris",
        "employer 1",
        "admin",
        "anonymous",
    ],
)
async def test_campaign_fields_and_rows(
    api: Api,
    world: World,
    campaigns: dict[str, frozenset[str]],
    label: str,
    variant: str,
) -> None:
    caller = world.callers[label]
    role: Role = caller.role
    for field in CAMPAIGN_FIELDS:
        body = (await api.graphql(listing(field, variant), token=caller.token)).json()
        if role in READERS:
            assert "errors" not in body, (label, field, body)
            assert campaign_ids(body["data"]) == campaigns[label], (label, field)
            continue
        assert body.get("data") is None, (label, field)
        codes = {error["extensions"]["code"] for error in body["errors"]}
        assert codes <= {"FORBIDDEN", "UNAUTHENTICATED"}, (label, field)
        fields = {error["extensions"]["field"] for error in body["errors"]}
        assert "Query.campaigns" in fields, (label, field, fields)
