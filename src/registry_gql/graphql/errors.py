"""Errors that resolvers raise on purpose, with their stable codes."""

from __future__ import annotations

from graphql import GraphQLError


class NotFoundError(GraphQLError):
    """Raised alike for a missing row and for another tenant's row."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} not found; check the id.", extensions={"code": "NOT_FOUND"}
        )


class BadInputError(GraphQLError):
    """An argument the server cannot use, named with the fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT"})
