"""A least-recently-used cache bounded by its number of entries and by the
size of what they hold."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

MISSING = object()


class BoundedCache:
    """Entries beyond `max_entries`, or beyond `max_size` in all when it is
    given, push out the least recently used. An entry larger than `max_size`
    alone is not kept.

    The caller gives each entry's size, in characters of the text it keeps.
    The cache never measures objects itself.
    """

    def __init__(self, max_entries: int, max_size: int | None = None) -> None:
        self.max_entries = max_entries
        self.max_size = max_size if max_size is not None else float("inf")
        self.size = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, key: Hashable) -> Any:
        """Return the value of `key`, or MISSING."""
        found = self._entries.get(key)
        if found is None:
            return MISSING
        self._entries.move_to_end(key)
        return found[0]

    def store(self, key: Hashable, value: Any, size: int = 0) -> None:
        """Keep `value` under `key`, unless `size` alone exceeds the bound."""
        if size > self.max_size:
            return
        previous = self._entries.pop(key, None)
        if previous is not None:
            self.size -= previous[1]
        self._entries[key] = (value, size)
        self.size += size
        while len(self._entries) > self.max_entries or self.size > self.max_size:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.size -= dropped
