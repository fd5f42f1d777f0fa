"""Limits of GraphQL documents that fragments cannot bypass.

`parse_document` rejects a document over `MAX_QUERY_LENGTH` characters or
`MAX_QUERY_TOKENS` tokens before parsing it. `check_document` then measures
each operation with its fragments expanded (depth, aliases, directives, cost,
introspection) and returns the first limit exceeded. Both cache their work per
document, and each rejection names the limit, its value and its setting.
"""

from registry_gql.graphql.limits.check import check_document
from registry_gql.graphql.limits.config import QueryLimits
from registry_gql.graphql.limits.document import cached_parse, parse_document
from registry_gql.graphql.limits.errors import LimitExceededError

__all__ = [
    "LimitExceededError",
    "QueryLimits",
    "cached_parse",
    "check_document",
    "parse_document",
]
