"""SQL mappings of Strawberry types, each declared next to its type.

A type module calls `map_type(SomeType, {...})` right after the class. The
compiler reads these declarations through the GraphQL schema: a field without a
declaration cannot be compiled, and a root field whose selection reaches one is
served by the ordinary resolvers instead. This module imports neither the schema
nor the types, so type modules can import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from strawberry.types.private import is_private
from strawberry.utils.str_converters import to_camel_case

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


class MappingError(ValueError):
    """A declaration that names an unsafe identifier or an unknown field."""


def _check(name: str) -> str:
    if not IDENTIFIER.match(name):
        raise MappingError(f"{name!r} is not a plain lowercase SQL identifier")
    return name


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the row being read, after the prefix of any `Embedded` parent."""

    name: str

    def __post_init__(self) -> None:
        _check(self.name)


@dataclass(frozen=True, slots=True)
class GlobalId:
    """A Relay global id: base64 of `<GraphQL type name>:<column value>`."""

    column: str

    def __post_init__(self) -> None:
        _check(self.column)


@dataclass(frozen=True, slots=True)
class Embedded:
    """A nested object stored in the same row, its columns named `prefix` + name."""

    prefix: str

    def __post_init__(self) -> None:
        if self.prefix:
            _check(self.prefix)


class ReferenceYear:
    """Stands for the server's reference year in a `Related.match`."""


REFERENCE_YEAR = ReferenceYear()

# (column of the related table, column of the current row or REFERENCE_YEAR)
Match = tuple[tuple[str, "str | ReferenceYear"], ...]


@dataclass(frozen=True, slots=True)
class Related:
    """Rows of another table whose `match` columns equal the current row's.

    With `many`, the field is a list ordered by `order_by`. Otherwise it is one
    object, null when no row matches. With `column`, the field is that column's
    scalar value instead of an object.
    """

    table: str
    match: Match
    many: bool = False
    order_by: tuple[str, ...] = ()
    column: str | None = None

    def __post_init__(self) -> None:
        _check(self.table)
        for target, source in self.match:
            _check(target)
            if isinstance(source, str):
                _check(source)
        for name in self.order_by:
            _check(name)
        if self.column is not None:
            _check(self.column)


@dataclass(frozen=True, slots=True)
class Resolver:
    """A field that only its resolver serves, for example one whose rows depend
    on rules the SQL mapping does not express. A root field whose selection
    reaches it runs through the resolvers."""

    reason: str


FieldMapping = Column | GlobalId | Embedded | Related | Resolver


@dataclass(frozen=True, slots=True)
class TypeMapping:
    """The SQL side of one Strawberry type, keyed by GraphQL field name."""

    origin: type
    fields: dict[str, FieldMapping] = field(default_factory=dict)


_MAPPINGS: dict[type, TypeMapping] = {}


def graphql_field_names(origin: type) -> set[str]:
    """Return the GraphQL names of the fields of a Strawberry type, camel-cased
    as the schema's default name converter writes them."""
    definition = getattr(origin, "__strawberry_definition__", None)
    if definition is None:
        raise MappingError(f"{origin.__name__} is not a Strawberry type")
    return {
        strawberry_field.graphql_name or to_camel_case(strawberry_field.python_name)
        for strawberry_field in definition.fields
        if not is_private(strawberry_field.type)
    }


def map_type(origin: type, fields: dict[str, FieldMapping]) -> TypeMapping:
    """Declare how the fields of the Strawberry type `origin` read from SQL.

    Keys are GraphQL field names. Raise MappingError for a name that is not a
    field of `origin`.
    """
    unknown = sorted(set(fields) - graphql_field_names(origin))
    if unknown:
        raise MappingError(f"{origin.__name__} has no fields {unknown}")
    mapping = TypeMapping(origin, dict(fields))
    _MAPPINGS[origin] = mapping
    return mapping


def type_mapping(origin: type) -> TypeMapping | None:
    return _MAPPINGS.get(origin)


def mapped_types() -> tuple[TypeMapping, ...]:
    return tuple(_MAPPINGS.values())
