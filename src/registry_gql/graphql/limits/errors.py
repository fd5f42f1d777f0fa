"""The error returned for a request that exceeds a query limit."""

from __future__ import annotations

from typing import Any

# Larger counts are shown as "more than" this: fragments spread inside fragments
# can multiply a count past any useful number of digits.
_SHOWN_MAX = 1_000_000_000


class LimitExceededError(Exception):
    """A document or batch over one limit, with the error to send.

    `setting` names the environment variable that sets the limit, and the
    message gives the limit's value (None for a switch) and how to stay under it.
    """

    def __init__(
        self, code: str, setting: str, limit: int | None, message: str
    ) -> None:
        super().__init__(message)
        self.code = code
        self.setting = setting
        self.limit = limit
        self.message = message

    def error(self) -> dict[str, Any]:
        """Return the GraphQL error object of the rejection."""
        extensions: dict[str, Any] = {"code": self.code, "setting": self.setting}
        if self.limit is not None:
            extensions["limit"] = self.limit
        return {"message": self.message, "extensions": extensions}

    def body(self) -> dict[str, Any]:
        return {"errors": [self.error()]}


def shown(count: int) -> str:
    """Format a count for a message."""
    if count > _SHOWN_MAX:
        return f"more than {_SHOWN_MAX:,}"
    return f"{count:,}"
