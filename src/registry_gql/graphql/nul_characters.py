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
    hold U+0000."""
    if isinstance(value, str):
        return [path] if NUL in value else []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            escaped = str(key).replace(NUL, "\\u0000")
            if NUL in str(key):
                found.append(f"{path}.{escaped} (the key)")
            found += nul_paths(item, f"{path}.{escaped}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += nul_paths(item, f"{path}[{index}]")
    return found
