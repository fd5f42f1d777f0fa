from __future__ import annotations

from dataclasses import replace

from graphql import parse

from registry_gql.auth.principal import ROLE_SCOPES, Principal
from registry_gql.authz.document import (
    document_fields,
    judge,
    variable_input_fields,
)
from registry_gql.authz.policy import DENY, load_policies
from registry_gql.graphql.schema import schema

OPERATOR = Principal("operator", operator_id=1, scopes=ROLE_SCOPES["operator"])


def test_fragments_and_aliases_are_walked() -> None:
    document = parse(
        """
        query { a: journeys(first: 1) { nodes { ...J } } }
        fragment J on Journey { driver { ... on Driver { b: identity { over18 } } } }
        """
    )
    fields = document_fields(schema._schema, document)
    assert ("Driver", "identity") in fields
    assert ("Identity", "over18") in fields
    assert ("Query", "journeys(first)") in fields


def test_inline_input_fields_are_collected() -> None:
    document = parse('{ journeys(filter: { commune: "75056" }) { nodes { id } } }')
    fields = document_fields(schema._schema, document)
    assert ("JourneyFilterInput", "commune") in fields
    assert ("Query", "journeys(filter)") in fields


def test_directive_arguments_are_not_field_arguments() -> None:
    document = parse("{ viewer @include(if: true) { role } }")
    fields = document_fields(schema._schema, document)
    assert not any("(if)" in name for _, name in fields)


def test_variable_values_reveal_input_fields() -> None:
    document = parse(
        "mutation($j: [JourneyInput!]!) { submitJourneys(journeys: $j) { "
        "acceptedCount } }"
    )
    journey = {"driver": {"identity": {"phone": "+33612345678"}, "revenue": 1}}
    fields = variable_input_fields(schema._schema, document, {"j": [journey]})
    assert fields == {
        ("JourneyInput", "driver"),
        ("DriverInput", "identity"),
        ("DriverInput", "revenue"),
        ("IdentityInput", "phone"),
    }


def test_denied_input_field_in_variables_is_refused() -> None:
    policy = load_policies()["operator"]
    rule = policy.fields[("IdentityInput", "phone")]
    policy.fields[("IdentityInput", "phone")] = replace(rule, requirement=DENY)
    denials = judge({("IdentityInput", "phone")}, policy, OPERATOR)
    assert [(d.type_name, d.field_name, d.code) for d in denials] == [
        ("IdentityInput", "phone", "FORBIDDEN")
    ]


def test_missing_scope_is_named() -> None:
    policy = load_policies()["operator"]
    reader = replace(OPERATOR, scopes=frozenset({"journeys:read"}))
    [denial] = judge({("Mutation", "submitJourneys")}, policy, reader)
    assert "journeys:write" in denial.message


def test_introspection_fields_are_not_policy_fields() -> None:
    document = parse(
        "{ __schema { types { name fields(includeDeprecated: true) { name "
        "type { ofType { name } } } } } }"
    )
    assert document_fields(schema._schema, document) == set()
