"""SQL text helpers of the compiler: literals, identifiers, base64.

The compiler writes into SQL only names from mapping declarations and the schema,
response keys that the GraphQL parser accepted as names, and integers it checked.
Every value that a client sends is a bound parameter.
"""

from __future__ import annotations

import re

_GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


class NotCompilableError(Exception):
    """A selection the compiler cannot turn into SQL, so resolvers serve it."""


def text_literal(value: str) -> str:
    """Return `value` as a standard SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def key_literal(name: str) -> str:
    """Return a GraphQL response key as an SQL literal.

    Keys are aliases or field names, which the GraphQL grammar limits to
    `[_A-Za-z][_0-9A-Za-z]*`. Anything else raises NotCompilableError rather
    than being quoted.
    """
    if not _GRAPHQL_NAME.match(name):
        raise NotCompilableError(f"{name!r} is not a GraphQL name")
    return f"'{name}'"


def column(alias: str, name: str) -> str:
    return f'{alias}."{name}"'


def base64_text(expression: str, *, urlsafe: bool = False) -> str:
    """Return SQL that base64-encodes the UTF-8 bytes of a text expression.

    PostgreSQL's `encode(..., 'base64')` breaks lines every 76 characters;
    Python's `base64.b64encode` does not, so the line breaks are removed.
    """
    encoded = f"encode(convert_to({expression}, 'UTF8'), 'base64')"
    if urlsafe:
        return f"translate({encoded}, E'+/\\n', '-_')"
    return f"translate({encoded}, E'\\n', '')"
