"""Compile the selection set of an object into a `json_build_object` expression.

Fields are grouped with graphql-core's own `collect_subfields`, the function that
execution uses, so aliases, fragments, inline fragments, `@include`/`@skip` and
field merging give the same keys in the same order on both paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
    get_nullable_type,
)
from graphql.execution.collect_fields import (
    FieldDetailsList,
    FragmentDetails,
    GroupedFieldSet,
    collect_subfields,
)
from graphql.execution.values import VariableValues

from registry_gql.graphql.compiler.mapping import (
    Column,
    Embedded,
    FieldMapping,
    GlobalId,
    ReferenceYear,
    Related,
    Resolver,
    type_mapping,
)
from registry_gql.graphql.compiler.scalars import global_id, scalar_json
from registry_gql.graphql.compiler.sql import (
    NotCompilableError,
    column,
    key_literal,
    text_literal,
)

DEFINITION = "strawberry-definition"
# json_build_object takes at most 100 arguments, so 50 keys.
MAX_KEYS = 50


@dataclass(frozen=True, slots=True)
class Row:
    """A row in SQL scope: its alias, and the prefix of an embedded object."""

    alias: str
    prefix: str = ""

    def column(self, name: str) -> str:
        return column(self.alias, self.prefix + name)


class SelectionCompiler:
    """Builder of the JSON expressions of one plan, with aliases unique in it."""

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDetails],
        variable_values: VariableValues,
        reference_year: int,
    ) -> None:
        self.schema = schema
        self.operation = operation
        self.fragments = fragments
        self.variable_values = variable_values
        self.reference_year = int(reference_year)
        self._aliases = count()

    def new_alias(self) -> str:
        return f"t{next(self._aliases)}"

    def subfields(
        self, type_: GraphQLObjectType, details: FieldDetailsList
    ) -> GroupedFieldSet:
        collected = collect_subfields(
            self.schema,
            self.fragments,
            self.variable_values,
            self.operation,
            type_,
            details,
        )
        if collected.new_defer_usages:
            raise NotCompilableError("@defer is not compiled")
        return collected.grouped_field_set

    def object_json(
        self, type_: GraphQLObjectType, grouped: GroupedFieldSet, row: Row
    ) -> str:
        """Return the JSON object of `grouped`, read from `row`."""
        pairs = [
            f"{key_literal(key)}, {self.field_json(type_, details, row)}"
            for key, details in grouped.items()
        ]
        return build_object(pairs)

    def field_json(
        self, parent: GraphQLObjectType, details: FieldDetailsList, row: Row
    ) -> str:
        name = details[0].node.name.value
        if name == "__typename":
            return text_literal(parent.name)
        field = parent.fields[name]
        if field.args:
            raise NotCompilableError(f"{parent.name}.{name} has arguments")
        mapping = field_mapping(parent, name)
        if isinstance(mapping, Resolver):
            raise NotCompilableError(f"{parent.name}.{name}: {mapping.reason}")
        if isinstance(mapping, Column):
            return scalar_json(field.type, row.column(mapping.name))
        if isinstance(mapping, GlobalId):
            return global_id(parent.name, row.column(mapping.column))
        if isinstance(mapping, Embedded):
            target = object_type(field)
            grouped = self.subfields(target, details)
            return self.object_json(
                target, grouped, Row(row.alias, row.prefix + mapping.prefix)
            )
        return self.related_json(field, details, row, mapping)

    def related_json(
        self, field: GraphQLField, details: FieldDetailsList, row: Row, rel: Related
    ) -> str:
        alias = self.new_alias()
        conditions = " AND ".join(
            f"{column(alias, target)} = {self._match_value(row, source)}"
            for target, source in rel.match
        )
        source = f'"{rel.table}" {alias} WHERE {conditions}'
        if rel.column is not None:
            value = scalar_json(field.type, column(alias, rel.column))
            return f"(SELECT {value} FROM {source})"

        target = object_type(field)
        grouped = self.subfields(target, details)
        item = self.object_json(target, grouped, Row(alias))
        is_list = isinstance(get_nullable_type(field.type), GraphQLList)
        if is_list != rel.many:
            raise NotCompilableError(f"{field} does not match its mapping")
        if not rel.many:
            return f"(SELECT {item} FROM {source})"
        order = ", ".join(column(alias, name) for name in rel.order_by)
        aggregate = (
            f"json_agg({item} ORDER BY {order})" if order else f"json_agg({item})"
        )
        return f"coalesce((SELECT {aggregate} FROM {source}), '[]'::json)"

    def _match_value(self, row: Row, source: str | ReferenceYear) -> str:
        if isinstance(source, ReferenceYear):
            return str(self.reference_year)
        return row.column(source)


def build_object(pairs: list[str]) -> str:
    if len(pairs) > MAX_KEYS:
        raise NotCompilableError(f"{len(pairs)} keys exceed json_build_object")
    return f"json_build_object({', '.join(pairs)})"


def object_type(field: GraphQLField) -> GraphQLObjectType:
    named = get_named_type(field.type)
    if not isinstance(named, GraphQLObjectType):
        raise NotCompilableError(f"{named} is not an object type")
    return named


def field_mapping(parent: GraphQLObjectType, name: str) -> FieldMapping:
    """Return the declared mapping of `parent.name`, or raise NotCompilableError."""
    definition = (parent.extensions or {}).get(DEFINITION)
    mapping = type_mapping(definition.origin) if definition is not None else None
    declared = mapping.fields.get(name) if mapping is not None else None
    if declared is None:
        raise NotCompilableError(f"{parent.name}.{name} has no SQL mapping")
    return declared
