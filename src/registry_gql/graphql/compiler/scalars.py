"""SQL that formats a column as the resolver path serializes the same value.

The resolvers read rows through asyncpg and serialize them with graphql-core and
orjson, so each expression here reproduces that chain. Timestamps come back from
asyncpg in UTC and print with `datetime.isoformat()`. Floats print as numbers
that read back as the same float. Enums print their GraphQL name, and global ids
are base64 of `<type>:<id>`.
"""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLOutputType,
    GraphQLScalarType,
    get_named_type,
    get_nullable_type,
)

from registry_gql.graphql.compiler.sql import (
    NotCompilableError,
    base64_text,
    text_literal,
)

_PLAIN = frozenset({"String", "Int", "Boolean"})


def isoformat_utc(expression: str) -> str:
    """Format a timestamptz as `datetime.isoformat()` formats an aware UTC value:
    microseconds only when not zero, and the offset `+00:00`.

    `AT TIME ZONE 'UTC'` makes the text independent of the session's TimeZone.
    """
    utc = f"({expression} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN {utc} = date_trunc('second', {utc}) THEN '' "
        f"ELSE to_char({utc}, '.US') END || '+00:00'"
    )


def float_json(expression: str) -> str:
    """Format a float8 as a JSON number that reads back as the same Python float.

    PostgreSQL 12 and later print the shortest text that reads back to the same
    float (with the default extra_float_digits = 1), as orjson does. Integral
    values get the `.0` that keeps them floats once parsed. Exponents may be
    written differently (`1e-05` where orjson writes `0.00001`), which JSON
    parsers read as the same number.
    """
    text = f"{expression}::text"
    return (
        f"(CASE WHEN {text} ~ '^-?[0-9]+$' THEN {text} || '.0' ELSE {text} END)::json"
    )


def enum_name(type_: GraphQLEnumType, expression: str) -> str:
    """Map a stored enum value to its GraphQL name, as the enum's serializer does."""
    branches = " ".join(
        f"WHEN {text_literal(str(value.value))} THEN {text_literal(name)}"
        for name, value in type_.values.items()
    )
    return f"CASE {expression} {branches} END"


def global_id(type_name: str, expression: str) -> str:
    """Format a Relay global id as `strawberry.relay.to_base64` does."""
    return base64_text(f"{text_literal(type_name + ':')} || {expression}::text")


def scalar_json(type_: GraphQLOutputType, expression: str) -> str:
    """Return SQL for a scalar, enum or list-of-scalars field read from a column."""
    nullable = get_nullable_type(type_)
    if isinstance(nullable, GraphQLList):
        item = get_named_type(nullable)
        if isinstance(item, GraphQLScalarType) and item.name in _PLAIN:
            return f"to_json({expression})"
        raise NotCompilableError(f"a list of {item.name} has no SQL format")
    if isinstance(nullable, GraphQLEnumType):
        return enum_name(nullable, expression)
    if not isinstance(nullable, GraphQLScalarType):
        raise NotCompilableError(f"{nullable} is not a scalar")
    if nullable.name in _PLAIN:
        return expression
    if nullable.name == "ID":
        return f"{expression}::text"
    if nullable.name == "Float":
        return float_json(expression)
    if nullable.name == "DateTime":
        return isoformat_utc(expression)
    raise NotCompilableError(f"the scalar {nullable.name} has no SQL format")
