"""Territory selectors: sets of communes named by level and code.

A selector is `{"level": ..., "code": ...}` with these code formats:

| level | code |
| --- | --- |
| `com` | INSEE commune code: 5 digits, or `2A`/`2B` and 3 digits (Corsica) |
| `epci` | SIREN of the EPCI: 9 digits |
| `dep` | department: 2 digits, `2A`, `2B`, or `97` and a digit (overseas) |
| `reg` | region: 2 digits |
| `country` | INSEE country code `99` and 3 digits; `99100` is France |

`FR` is accepted for France and stored as `99100`, the code that journeys carry in
their country columns. France expands to every commune of the year. Another
country expands to no commune: it matches journeys by their country code only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, cast

Level = Literal["com", "epci", "dep", "reg", "country"]
LEVELS: tuple[Level, ...] = ("com", "epci", "dep", "reg", "country")
FRANCE = "99100"

_CODE_FORMATS: dict[Level, tuple[re.Pattern[str], str]] = {
    "com": (re.compile(r"\d{5}|2[AB]\d{3}"), "5 characters like '75056' or '2A004'"),
    "epci": (re.compile(r"\d{9}"), "a SIREN of 9 digits like '200054781'"),
    "dep": (re.compile(r"\d{2}|2[AB]|97\d"), "2 digits, 2A, 2B or 97 and a digit"),
    "reg": (re.compile(r"\d{2}"), "2 digits like '11'"),
    "country": (re.compile(r"99\d{3}"), "'FR' or an INSEE country code like '99100'"),
}


class SelectorError(ValueError):
    """A selector is invalid; `path` names it, e.g. `selectors[2].code`."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True, slots=True)
class Selector:
    """The communes of one level and code, validated when created."""

    level: Level
    code: str

    def __post_init__(self) -> None:
        if self.level == "country" and self.code == "FR":
            object.__setattr__(self, "code", FRANCE)
        check_selector(self.level, self.code, "selector")

    @property
    def has_communes(self) -> bool:
        """False for a foreign country, which contains no commune of the reference."""
        return self.level != "country" or self.code == FRANCE

    def as_json(self) -> dict[str, str]:
        return {"level": self.level, "code": self.code}


def check_selector(level: object, code: object, path: str) -> None:
    """Raise SelectorError, naming `path`, unless (level, code) is a valid selector."""
    if level not in LEVELS:
        raise SelectorError(
            f"{path}.level",
            f"invalid level {level!r}; expected one of {', '.join(LEVELS)}",
        )
    if not isinstance(code, str):
        raise SelectorError(f"{path}.code", f"expected a string, got {code!r}")
    pattern, expected = _CODE_FORMATS[level]
    if not pattern.fullmatch(code):
        raise SelectorError(
            f"{path}.code", f"invalid {level} code {code!r}, expected {expected}"
        )


def parse_selectors(raw: Sequence[object]) -> list[Selector]:
    """Validate a list of `{"level", "code"}` mappings (or Selectors).

    Raises SelectorError naming the selector's index and field, for an empty list
    and for a selector given twice.
    """
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise SelectorError("selectors", "expected a list of {level, code} objects")
    if not raw:
        raise SelectorError("selectors", "at least one selector is required")
    selectors = [_parse_one(item, f"selectors[{i}]") for i, item in enumerate(raw)]
    first_index: dict[Selector, int] = {}
    for index, selector in enumerate(selectors):
        first = first_index.setdefault(selector, index)
        if first != index:
            raise SelectorError(
                f"selectors[{index}]",
                f"duplicate of selectors[{first}] ({selector.level} {selector.code})",
            )
    return selectors


def _parse_one(item: object, path: str) -> Selector:
    if isinstance(item, Selector):
        return item
    if not isinstance(item, Mapping):
        raise SelectorError(
            path, f"expected an object with level and code, got {item!r}"
        )
    unknown = sorted(str(key) for key in item if key not in ("level", "code"))
    if unknown:
        raise SelectorError(
            path, f"unknown fields {unknown}, expected only level and code"
        )
    level, code = item.get("level"), item.get("code")
    if level == "country" and code == "FR":
        code = FRANCE
    check_selector(level, code, path)
    return Selector(cast(Level, level), cast(str, code))
