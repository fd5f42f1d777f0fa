"""Hand-written documents: the shapes generated documents rarely reach.

Each case is a document and its variables, built from the seeded data. The
differential test runs every case for every caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from registry_gql.db.journey_reads import PageKey
from registry_gql.graphql.cursors import encode_cursor
from tests.compiler.generated import global_id
from tests.compiler.seed import Seeded

PLACE = "datetime lat lon geoMatch country commune { code name epciName population }"
JOURNEY = f"""
  id operatorJourneyId operatorTripId operatorClass distance status
  acquisitionStatus fraudStatus anomalyStatus termsViolations imported receivedAt
  operator {{ id name siret }} start {{ {PLACE} }} end {{ {PLACE} }}
  driver {{ revenue }} passenger {{ contribution seats }}
  incentives {{ index siret amount }}
"""


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    document: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None


def _connection_cases(seeded: Seeded) -> list[Case]:
    after = seeded.cursors[len(seeded.cursors) // 2]
    return [
        Case(
            "page with every field",
            f"""query ($first: Int!) {{ journeys(first: $first) {{
              edges {{ cursor node {{ {JOURNEY} }} }} nodes {{ {JOURNEY} }}
              pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}""",
            {"first": 100},
        ),
        Case(
            "aliases at every level",
            """query ($after: String) {
              a: journeys(first: 2) { x: nodes { y: id z: distance } }
              b: journeys(first: 3, after: $after) {
                p: pageInfo { n: hasNextPage q: hasPreviousPage e: endCursor }
                e: edges { c: cursor n: node { k: id o: operator { n: name } } }
              }
            }""",
            {"after": after},
        ),
        Case(
            "fragments and inline fragments",
            """{ ...Root }
            fragment Root on Query { journeys(first: 4) { ...Page } }
            fragment Page on JourneyConnection {
              __typename
              nodes { ...Parts ... on Journey { start { __typename lat } } }
              edges { __typename node { ... on Node { id } } }
              pageInfo { __typename ... on PageInfo { endCursor } }
            }
            fragment Parts on Journey { __typename id end { commune { name } } }""",
        ),
        Case(
            "merged fields",
            """{ journeys(first: 5) {
              nodes { id start { lat } } nodes { distance start { lon } }
              nodes { ... on Journey { id operator { name } } operator { siret } }
            } }""",
        ),
        Case(
            "directives with variables",
            """query ($yes: Boolean!, $no: Boolean!) { journeys(first: 3) {
              nodes {
                id @include(if: $yes) distance @skip(if: $yes)
                operator @include(if: $no) { name }
                ...More @skip(if: $no)
                ... on Journey @include(if: $yes) { status }
              }
              pageInfo @skip(if: $no) { hasNextPage }
            } }
            fragment More on Journey { incentives { amount } }""",
            {"yes": True, "no": False},
        ),
        Case(
            "literal directives",
            """{ journeys(first: 2) @include(if: true) { nodes { id @skip(if: true) }
              pageInfo @include(if: false) { endCursor } } __typename }""",
        ),
        Case(
            "filters in variables",
            """query ($filter: JourneyFilterInput) {
              journeys(first: 100, filter: $filter) { nodes { id status } } }""",
            {
                "filter": {
                    "startFrom": "2024-02-01T00:00:00+01:00",
                    "startUntil": "2024-03-15T00:00:00Z",
                    "status": ["PENDING", "CANCELED", "OK"],
                    "commune": "95127",
                    "operatorId": global_id("Operator", seeded.operator_a),
                }
            },
        ),
        Case(
            "empty page",
            """{ journeys(first: 3, filter: { commune: "13055" }) {
              nodes { id } edges { cursor }
              pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }""",
        ),
        Case("only hasPreviousPage", "{ journeys { pageInfo { hasPreviousPage } } }"),
        Case("only typename", "{ journeys(first: 1) { __typename } }"),
        Case("root typename alone", "{ __typename }"),
    ]


def _lookup_cases(seeded: Seeded) -> list[Case]:
    first, last = seeded.journey_ids[0], seeded.journey_ids[-1]
    operator = global_id("Operator", seeded.operator_b)
    return [
        Case(
            "journey by id",
            f"query ($id: ID!) {{ journey(id: $id) {{ {JOURNEY} }} }}",
            {"id": global_id("Journey", first)},
        ),
        Case(
            "nodes of both types",
            f"""query ($a: ID!, $b: ID!, $o: ID!) {{
              a: node(id: $a) {{ __typename id ... on Journey {{ {JOURNEY} }} }}
              b: node(id: $b) {{ ... on Operator {{ name }} ... on Journey {{ id }} }}
              o: node(id: $o) {{ __typename ...Op ... on Journey {{ distance }} }}
            }}
            fragment Op on Operator {{ id name siret }}""",
            {
                "a": global_id("Journey", first),
                "b": global_id("Journey", last),
                "o": operator,
            },
        ),
        Case(
            "missing and foreign nodes",
            """query ($missing: ID!, $text: ID!, $operator: ID!) {
              m: node(id: $missing) { id } t: node(id: $text) { id }
              o: node(id: $operator) { id } }""",
            {
                "missing": global_id("Journey", 10**9),
                "text": global_id("Journey", "x"),
                "operator": global_id("Operator", 10**9),
            },
        ),
        Case(
            "journey not found",
            "query ($id: ID!) { journey(id: $id) { id } }",
            {"id": global_id("Journey", 10**9)},
        ),
        Case("journey with a malformed id", '{ journey(id: "nope") { id } }'),
        Case(
            "viewer beside compiled fields",
            "{ viewer { role } journeys(first: 2) { nodes { id } } "
            f'again: viewer {{ scopes }} node(id: "{operator}") {{ id }} }}',
        ),
        Case(
            "computed field beside compiled ones",
            """{ journeys(first: 3) { nodes { id campaignIncentives { __typename } } }
              again: journeys(first: 3) { nodes { id } } }""",
        ),
        Case(
            "too many keys for one object",
            "{ journeys(first: 1) { nodes { "
            + " ".join(f"k{number}: id" for number in range(60))
            + " } } }",
        ),
        Case(
            "named operations",
            """query A { journeys(first: 1) { nodes { id } } }
            query B { journeys(first: 2) { nodes { distance } } }""",
            operation_name="B",
        ),
        Case(
            "several operations without a name",
            """query A { journeys(first: 1) { nodes { id } } }
            query B { viewer { role } }""",
        ),
    ]


def _error_cases(seeded: Seeded) -> list[Case]:
    naive = "am91cm5leToyMDI0LTAyLTAxVDAwOjAwOjAwfDE="
    viewer = global_id("Viewer", 1)
    huge_cursor = encode_cursor(PageKey(datetime(2024, 2, 1, tzinfo=UTC), 2**70))
    return [
        Case("page too large", "{ journeys(first: 101) { nodes { id } } }"),
        Case("page of zero", "{ journeys(first: 0) { nodes { id } } }"),
        Case("malformed cursor", '{ journeys(after: "nope") { nodes { id } } }'),
        Case("naive cursor", f'{{ journeys(after: "{naive}") {{ nodes {{ id }} }} }}'),
        Case(
            "naive filter",
            '{ journeys(filter: { startFrom: "2024-02-01T00:00:00" }) '
            "{ nodes { id } } }",
        ),
        Case(
            "bad operator filter",
            '{ journeys(filter: { operatorId: "nope" }) { nodes { id } } }',
        ),
        Case(
            "variable of the wrong type",
            "query ($first: Int!) { journeys(first: $first) { nodes { id } } }",
            {"first": "ten"},
        ),
        Case(
            "error beside a valid page",
            """{ ok: journeys(first: 2) { nodes { id } }
              bad: journeys(first: 500) { nodes { id } } }""",
        ),
        Case("unknown node type", f'{{ node(id: "{viewer}") {{ id }} }}'),
        Case(
            "cursor beyond bigint",
            "query ($after: String) { journeys(after: $after) { nodes { id } } }",
            {"after": huge_cursor},
        ),
        Case(
            "operator filter beyond bigint",
            "query ($operator: ID) { "
            "journeys(filter: { operatorId: $operator }) { nodes { id } } }",
            {"operator": global_id("Operator", 2**70)},
        ),
        Case(
            "denied identity fields",
            "{ journeys(first: 2) { nodes { driver { identity { identityKey } } } } }",
        ),
    ]


def cases(seeded: Seeded) -> list[Case]:
    return [
        *_connection_cases(seeded),
        *_lookup_cases(seeded),
        *_error_cases(seeded),
    ]
