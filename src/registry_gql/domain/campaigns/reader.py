"""A reader of JSON-like documents that collects every error with its path.

Each method returns the converted value, or None after recording an error, so one
pass reports all the invalid values of a document at once.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from registry_gql.domain.campaigns.errors import RuleError, RulesError

_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


class DocumentReader:
    def __init__(self) -> None:
        self.errors: list[RuleError] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(RuleError(path, message))

    def raise_errors(self) -> None:
        """Raise RulesError when any error was recorded."""
        if self.errors:
            raise RulesError(self.errors)

    def mapping(
        self,
        value: object,
        path: str,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
    ) -> Mapping[str, object] | None:
        """Check that `value` is an object with these fields and no others."""
        if not isinstance(value, Mapping):
            self.fail(path, f"expected an object, got {_show(value)}")
            return None
        known = set(required) | set(optional)
        for key in value:
            if key not in known:
                expected = ", ".join(sorted(known)) or "no field"
                self.fail(f"{path}.{key}", f"unknown field; expected {expected}")
        for key in required:
            if key not in value:
                self.fail(f"{path}.{key}", "missing required field")
        return {str(key): item for key, item in value.items()}

    def items(
        self, value: object, path: str, *, min_items: int = 0
    ) -> Iterator[tuple[str, object]]:
        """Yield (path, item) for each item of a list."""
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            self.fail(path, f"expected a list, got {_show(value)}")
            return
        if len(value) < min_items:
            self.fail(path, f"expected at least {min_items} item(s), got {len(value)}")
        for index, item in enumerate(value):
            yield f"{path}[{index}]", item

    def integer(
        self,
        value: object,
        path: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"expected a whole number, got {_show(value)}")
            return None
        if minimum is not None and value < minimum:
            self.fail(path, f"{value} is below the minimum {minimum}")
            return None
        if maximum is not None and value > maximum:
            self.fail(path, f"{value} is above the maximum {maximum}")
            return None
        return value

    def decimal(
        self, value: object, path: str, *, positive: bool = False
    ) -> Decimal | None:
        """Read an exact decimal from a string or a number.

        A YAML or JSON number such as 1.5 is read through its shortest text form,
        so it gives Decimal("1.5") and not the binary float's expansion.
        """
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(path, f"expected a decimal number, got {_show(value)}")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(path, f"invalid decimal number {value!r}; write it like '1.5'")
            return None
        if not number.is_finite() or number < 0 or (positive and number == 0):
            kind = "positive" if positive else "zero or positive"
            self.fail(path, f"expected a {kind} finite number, got {value!r}")
            return None
        return number

    def text(
        self,
        value: object,
        path: str,
        *,
        choices: Sequence[str] | None = None,
        pattern: re.Pattern[str] | None = None,
        expected: str = "",
    ) -> str | None:
        if not isinstance(value, str):
            self.fail(path, f"expected a string, got {_show(value)}")
            return None
        if choices is not None and value not in choices:
            self.fail(path, f"invalid value {value!r}; expected {', '.join(choices)}")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.fail(path, f"invalid value {value!r}; expected {expected}")
            return None
        return value

    def boolean(self, value: object, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.fail(path, f"expected true or false, got {_show(value)}")
            return None
        return value

    def day(self, value: object, path: str) -> date | None:
        """Read a calendar date, given as YYYY-MM-DD (YAML may parse it already)."""
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(path, f"expected a date as YYYY-MM-DD, got {_show(value)}")
        return None

    def clock(self, value: object, path: str) -> time | None:
        """Read a local time of day, given as HH:MM."""
        match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            self.fail(path, f"expected a time as HH:MM, got {_show(value)}")
            return None
        return time(int(match.group(1)), int(match.group(2)))


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
