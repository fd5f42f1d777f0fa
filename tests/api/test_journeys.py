from __future__ import annotations

from tests.api.queries import IDENTITIES, PAGE, SUBMIT, recent_journeys
from tests.api_fixtures import Api, Tenants


async def submit(api: Api, token: str, count: int, prefix: str = "j") -> list[str]:
    response = await api.graphql(
        SUBMIT, {"journeys": recent_journeys(count, prefix)}, token
    )
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["submitJourneys"]
    assert payload["rejectedCount"] == 0, payload
    return [result["journeyId"] for result in payload["results"]]


async def page_ids(api: Api, token: str, first: int = 100) -> set[str]:
    response = await api.graphql(PAGE, {"first": first}, token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return {node["id"] for node in body["data"]["journeys"]["nodes"]}


async def test_operator_sees_only_own_journeys(api: Api, tenants: Tenants) -> None:
    token_a = await api.token("operator", operator_id=tenants.operator_a)
    token_b = await api.token("operator", operator_id=tenants.operator_b)
    ids_a = await submit(api, token_a, 3, "a")
    ids_b = await submit(api, token_b, 2, "b")
    assert await page_ids(api, token_a) == set(ids_a)
    assert await page_ids(api, token_b) == set(ids_b)


async def test_aom_sees_territory_with_operator(api: Api, tenants: Tenants) -> None:
    operator = await api.token("operator", operator_id=tenants.operator_a)
    ids = await submit(api, operator, 2)
    idfm = await api.token("aom", territory_id=tenants.idfm)
    response = await api.graphql(PAGE, {"first": 10}, idfm)
    nodes = response.json()["data"]["journeys"]["nodes"]
    assert {node["id"] for node in nodes} == set(ids)
    assert nodes[0]["operator"] == {"name": "Operator A", "siret": "11111111111111"}
    assert nodes[0]["operatorClass"] == "C"
    assert nodes[0]["start"]["commune"]["code"] == "95127"
    assert nodes[0]["end"]["commune"]["epciName"] == "Métropole du Grand Paris"


async def test_small_territory_sees_its_commune(api: Api, tenants: Tenants) -> None:
    operator = await api.token("operator", operator_id=tenants.operator_a)
    ids = await submit(api, operator, 2)
    cergy = await api.token("aom", territory_id=tenants.cergy)
    assert await page_ids(api, cergy) == set(ids)


async def test_aom_cannot_read_identities(api: Api, tenants: Tenants) -> None:
    idfm = await api.token("aom", territory_id=tenants.idfm)
    response = await api.graphql(IDENTITIES, token=idfm)
    body = response.json()
    assert body["data"] is None
    denied = {error["extensions"]["field"] for error in body["errors"]}
    assert denied == {"Driver.identity", "Identity.identityKey"}
    assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}


async def test_operator_reads_identities(api: Api, tenants: Tenants) -> None:
    operator = await api.token("operator", operator_id=tenants.operator_a)
    await submit(api, operator, 1)
    response = await api.graphql(IDENTITIES, token=operator)
    nodes = response.json()["data"]["journeys"]["nodes"]
    assert len(nodes[0]["driver"]["identity"]["identityKey"]) == 64


async def test_pages_follow_cursor(api: Api, tenants: Tenants) -> None:
    operator = await api.token("operator", operator_id=tenants.operator_a)
    ids = await submit(api, operator, 5)
    first = (await api.graphql(PAGE, {"first": 2}, operator)).json()["data"]
    page_info = first["journeys"]["pageInfo"]
    assert page_info["hasNextPage"] is True
    seen = [node["id"] for node in first["journeys"]["nodes"]]
    after = page_info["endCursor"]
    while after is not None:
        response = await api.graphql(PAGE, {"first": 2, "after": after}, operator)
        data = response.json()["data"]["journeys"]
        seen += [node["id"] for node in data["nodes"]]
        after = (
            data["pageInfo"]["endCursor"] if data["pageInfo"]["hasNextPage"] else None
        )
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))


async def test_malformed_cursor_is_bad_input(api: Api, tenants: Tenants) -> None:
    operator = await api.token("operator", operator_id=tenants.operator_a)
    response = await api.graphql(PAGE, {"first": 2, "after": "nope"}, operator)
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "after" in error["message"]


async def test_page_size_limit(api: Api, tenants: Tenants) -> None:
    operator = await api.token("operator", operator_id=tenants.operator_a)
    response = await api.graphql(PAGE, {"first": 101}, operator)
    [error] = response.json()["errors"]
    assert "1 to 100" in error["message"]


async def test_filters_by_commune_and_status(api: Api, tenants: Tenants) -> None:
    operator = await api.token("operator", operator_id=tenants.operator_a)
    ids = await submit(api, operator, 2)
    matching = {"commune": "92062", "status": ["PENDING"]}
    response = await api.graphql(PAGE, {"first": 10, "filter": matching}, operator)
    assert {n["id"] for n in response.json()["data"]["journeys"]["nodes"]} == set(ids)
    other = {"commune": "75056"}
    response = await api.graphql(PAGE, {"first": 10, "filter": other}, operator)
    assert response.json()["data"]["journeys"]["nodes"] == []


async def test_node_of_other_tenant_is_null(api: Api, tenants: Tenants) -> None:
    token_a = await api.token("operator", operator_id=tenants.operator_a)
    token_b = await api.token("operator", operator_id=tenants.operator_b)
    [journey_id] = await submit(api, token_a, 1)
    query = "query($id: ID!) { node(id: $id) { id ... on Journey { distance } } }"
    own = await api.graphql(query, {"id": journey_id}, token_a)
    assert own.json()["data"]["node"]["id"] == journey_id
    other = await api.graphql(query, {"id": journey_id}, token_b)
    assert other.json()["data"]["node"] is None


async def test_journey_of_other_tenant_not_found(api: Api, tenants: Tenants) -> None:
    token_a = await api.token("operator", operator_id=tenants.operator_a)
    token_b = await api.token("operator", operator_id=tenants.operator_b)
    [journey_id] = await submit(api, token_a, 1)
    query = "query($id: ID!) { journey(id: $id) { id } }"
    foreign = (await api.graphql(query, {"id": journey_id}, token_b)).json()
    missing = (await api.graphql(query, {"id": "Sm91cm5leTo5OTk5"}, token_b)).json()
    assert foreign["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert foreign["errors"][0]["message"] == missing["errors"][0]["message"]
