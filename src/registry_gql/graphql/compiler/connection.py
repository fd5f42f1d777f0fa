"""The Relay connection of a journey page as one aggregate over the page's rows.

The page query fetches `first + 1` rows, like the resolver, and the extra row
only shows whether a next page exists. Rows are numbered newest first, and edges
and nodes aggregate the first `first` of them.
"""

from __future__ import annotations

from graphql import GraphQLObjectType
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet

from registry_gql.graphql.compiler.scalars import isoformat_utc
from registry_gql.graphql.compiler.selection import (
    Row,
    SelectionCompiler,
    build_object,
    object_type,
)
from registry_gql.graphql.compiler.sql import (
    NotCompilableError,
    base64_text,
    key_literal,
    text_literal,
)
from registry_gql.graphql.cursors import CURSOR_PREFIX


def cursor_sql(row: Row) -> str:
    """Return SQL of a row's page cursor, as `graphql.cursors.encode_cursor`
    writes it."""
    raw = (
        f"{text_literal(CURSOR_PREFIX)} || {isoformat_utc(row.column('start_at'))} "
        f"|| '|' || {row.column('id')}::text"
    )
    return base64_text(raw, urlsafe=True)


class ConnectionCompiler:
    """JSON of a `JourneyConnection` over the rows of a page source."""

    def __init__(self, selections: SelectionCompiler, first: int, after: bool):
        self.selections = selections
        self.first = int(first)
        self.after = after
        self.row = Row(selections.new_alias())

    def around_source(
        self, connection: GraphQLObjectType, grouped: GroupedFieldSet
    ) -> tuple[str, str]:
        """Return the SQL to write before and after the page query's text."""
        pairs = [
            f"{key_literal(key)}, {self._field(connection, details)}"
            for key, details in grouped.items()
        ]
        before = (
            f"(SELECT {build_object(pairs)} FROM (SELECT j.*, row_number() OVER "
            "(ORDER BY j.start_at DESC, j.id DESC) AS page_row, count(*) OVER () "
            "AS page_rows FROM ("
        )
        # GROUP BY () makes one row even when no field aggregates, for example
        # a selection of `pageInfo { hasPreviousPage }` alone.
        return before, f") AS j) AS {self.row.alias} GROUP BY ())"

    def _field(self, parent: GraphQLObjectType, details: FieldDetailsList) -> str:
        name = details[0].node.name.value
        if name == "__typename":
            return text_literal(parent.name)
        field = parent.fields[name]
        target = object_type(field)
        grouped = self.selections.subfields(target, details)
        if name == "nodes":
            return self._list(self.selections.object_json(target, grouped, self.row))
        if name == "edges":
            return self._list(self._edge(target, grouped))
        if name == "pageInfo":
            return self._page_info(target, grouped)
        raise NotCompilableError(f"{parent.name}.{name} is not a connection field")

    def _list(self, item: str) -> str:
        row = self.row.alias
        return (
            f"coalesce(json_agg({item} ORDER BY {row}.page_row) "
            f"FILTER (WHERE {row}.page_row <= {self.first}), '[]'::json)"
        )

    def _edge(self, edge: GraphQLObjectType, grouped: GroupedFieldSet) -> str:
        pairs = []
        for key, details in grouped.items():
            name = details[0].node.name.value
            if name == "__typename":
                value = text_literal(edge.name)
            elif name == "cursor":
                value = cursor_sql(self.row)
            else:
                node = object_type(edge.fields[name])
                fields = self.selections.subfields(node, details)
                value = self.selections.object_json(node, fields, self.row)
            pairs.append(f"{key_literal(key)}, {value}")
        return build_object(pairs)

    def _page_info(self, page_info: GraphQLObjectType, grouped: GroupedFieldSet) -> str:
        row = self.row.alias
        cursor = cursor_sql(self.row)
        values = {
            "__typename": text_literal(page_info.name),
            "hasNextPage": f"count(*) > {self.first}",
            "hasPreviousPage": "true" if self.after else "false",
            "startCursor": f"max({cursor}) FILTER (WHERE {row}.page_row = 1)",
            "endCursor": (
                f"max({cursor}) FILTER "
                f"(WHERE {row}.page_row = least({row}.page_rows, {self.first}))"
            ),
        }
        pairs = []
        for key, details in grouped.items():
            name = details[0].node.name.value
            if name not in values:
                raise NotCompilableError(f"PageInfo.{name} is not compiled")
            pairs.append(f"{key_literal(key)}, {values[name]}")
        return build_object(pairs)
