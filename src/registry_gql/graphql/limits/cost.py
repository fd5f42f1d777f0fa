"""The cost of an operation, from the page sizes its fields ask for.

    cost(selection set) = sum of cost(field) for each field, fragments expanded
    cost(field)         = 1 + size(field) * cost(selection set of the field)

`size(field)` is the field's `first` argument: its literal value, else its
variable's value, else the variable's default, else the argument's default in
the schema. A field without a `first` argument has size 1, lists included: the
`nodes` and `edges` of a connection are already counted by the connection's
`first`, and a journey's incentives are at most 20. A negative size counts as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

PAGE_ARGUMENT = "first"


class PageSize(NamedTuple):
    """Source of the value of one field's `first` argument."""

    literal: int | None = None
    variable: str | None = None
    default: int = 1

    def value(self, variables: Mapping[str, Any]) -> int:
        if self.literal is not None:
            return max(self.literal, 0)
        if self.variable is not None:
            value = variables.get(self.variable)
            if isinstance(value, int) and not isinstance(value, bool):
                return max(value, 0)
        return max(self.default, 0)


class CostField(NamedTuple):
    """A field of a cost tree; `size` is None for a field without `first`."""

    size: PageSize | None
    selection: CostSet


# A selection set, flattened: fields, and names of the fragments it spreads.
CostSet = Sequence["CostField | str"]


class CostCalculator:
    """Cost of selection sets for one request's variables.

    Each fragment's cost is computed once however often it is spread, so the
    work stays linear in the document's size while the cost may be huge.
    """

    def __init__(
        self, fragments: Mapping[str, CostSet], variables: Mapping[str, Any]
    ) -> None:
        self._fragments = fragments
        self._variables = variables
        self._done: dict[str, int] = {}
        self._started: set[str] = set()

    def cost(self, selection: CostSet) -> int:
        total = 0
        for item in selection:
            if isinstance(item, str):
                total += self._fragment(item)
                continue
            size = 1 if item.size is None else item.size.value(self._variables)
            total += 1 + size * self.cost(item.selection)
        return total

    def _fragment(self, name: str) -> int:
        if name in self._done:
            return self._done[name]
        if name in self._started or name not in self._fragments:
            # A cycle or an unknown fragment: validation rejects the document.
            return 0
        self._started.add(name)
        self._done[name] = self.cost(self._fragments[name])
        return self._done[name]
