"""The statement interface that campaign repositories need."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Sql(Protocol):
    """asyncpg-style statements with `$1` placeholders."""

    async def fetch(self, sql: str, *args: Any) -> Sequence[Any]: ...

    async def execute(self, sql: str, *args: Any) -> str: ...
