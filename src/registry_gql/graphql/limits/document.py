"""Parse a document once its length and number of tokens are within limits.

Both checks run before the parser builds anything, so that a hostile document
is rejected after reading at most `max_tokens` + 1 tokens.
"""

from __future__ import annotations

from functools import lru_cache

from graphql import DocumentNode, GraphQLSyntaxError, Source, parse
from graphql.language import Lexer, TokenKind

from registry_gql.graphql.limits.config import QueryLimits
from registry_gql.graphql.limits.errors import LimitExceededError, shown


def parse_document(source: str, limits: QueryLimits) -> DocumentNode:
    """Parse `source`, or raise LimitExceededError or GraphQLSyntaxError."""
    if len(source) > limits.max_length:
        raise LimitExceededError(
            "QUERY_TOO_LONG",
            "MAX_QUERY_LENGTH",
            limits.max_length,
            f"The query document has {shown(len(source))} characters; the limit "
            f"is {limits.max_length:,} (MAX_QUERY_LENGTH). Send long values as "
            "variables.",
        )
    if count_tokens(source, limits.max_tokens) > limits.max_tokens:
        raise LimitExceededError(
            "TOO_MANY_TOKENS",
            "MAX_QUERY_TOKENS",
            limits.max_tokens,
            f"The query document has more than {limits.max_tokens:,} tokens "
            "(MAX_QUERY_TOKENS), comments included. Split it into smaller "
            "operations.",
        )
    return cached_parse(source)


@lru_cache(maxsize=1024)
def count_tokens(source: str, limit: int) -> int:
    """Count the lexical tokens of `source`, comments included, up to `limit` + 1.

    A document that does not lex returns the count so far, and the parser then
    reports its syntax error.
    """
    # NOTE: `read_next_token` is marked private in graphql-core 3.3, but it is the
    # only way to read one comment at a time: `Lexer.advance` reads a whole run of
    # comments before it returns.
    lexer = Lexer(Source(source))
    token = lexer.token
    count = 0
    while count <= limit:
        try:
            token = lexer.read_next_token(token.end)
        except GraphQLSyntaxError:
            return count
        if token.kind is TokenKind.EOF:
            return count
        count += 1
    return count


@lru_cache(maxsize=1024)
def cached_parse(source: str) -> DocumentNode:
    """Parse `source`; documents are reused, so their parse is cached."""
    return parse(source)
