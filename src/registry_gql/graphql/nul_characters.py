"""Text that PostgreSQL cannot store: the NUL character (U+0000).

PostgreSQL's `text` rejects it, so a string holding it would fail in the
database as a server error. The endpoint rejects it first, in the document's
string literals (a validation rule, cached with the rest of validation) and in
the variables, naming where it is.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule

NUL = "\x00"
FIX = "PostgreSQL cannot store the NUL character (U+0000); remove it."


class NoNulCharacterRule(ValidationRule):
    """Report each string literal of a document that contains U+0000."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if NUL in node.value:
            self.report_error(
                GraphQLError(f"A string literal of the document: {FIX}", node)
            )


def nul_paths(value: Any, path: str) -> list[str]:
    """Return the paths, under `path`, of the strings and keys of `value` that
    contain U+0000.

    Walks with an explicit stack, because JSON may nest deeper than Python's
    recursion limit.
    """
    found: list[str] = []
    pending: list[tuple[Any, str]] = [(value, path)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                found.append(where)
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                escaped = str(key).replace(NUL, "\\u0000")
                if NUL in str(key):
                    found.append(f"{where}.{escaped} (the key)")
                children.append((child, f"{where}.{escaped}"))
            pending.extend(reversed(children))
        elif isinstance(item, list):
            pending.extend(
                (child, f"{where}[{index}]")
                for index, child in reversed(list(enumerate(item)))
            )
    return found
