"""`journeys`, `journey` and the connection types of journey pages."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from registry_gql.db import journey_reads
from registry_gql.db.journey_reads import JourneyFilter, PageKey
from registry_gql.graphql.context import Context
from registry_gql.graphql.cursors import decode_cursor, encode_cursor
from registry_gql.graphql.errors import BadInputError, NotFoundError
from registry_gql.graphql.ids import parse_row_id
from registry_gql.graphql.types.enums import JourneyStatus
from registry_gql.graphql.types.journeys import Journey, Operator


@strawberry.type
class JourneyEdge:
    cursor: str
    node: Journey


@strawberry.type(description="A page of journeys, newest start first.")
class JourneyConnection:
    edges: list[JourneyEdge]
    nodes: list[Journey]
    page_info: relay.PageInfo


@strawberry.input(description="Conditions a listed journey must all meet.")
class JourneyFilterInput:
    start_from: datetime | None = strawberry.field(
        default=None, description="Journeys starting at or after this instant."
    )
    start_until: datetime | None = strawberry.field(
        default=None, description="Journeys starting before this instant."
    )
    status: list[JourneyStatus] | None = None
    commune: str | None = strawberry.field(
        default=None, description="INSEE code of the start or end commune."
    )
    operator_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of an operator."
    )


def _to_filter(filter_: JourneyFilterInput | None) -> JourneyFilter:
    if filter_ is None:
        return JourneyFilter()
    for name, value in (
        ("startFrom", filter_.start_from),
        ("startUntil", filter_.start_until),
    ):
        if value is not None and value.utcoffset() is None:
            raise BadInputError(
                f"filter.{name} has no UTC offset; add one, e.g. +01:00."
            )
    operator_id = None
    if filter_.operator_id is not None:
        operator_id = _operator_pk(str(filter_.operator_id))
    return JourneyFilter(
        start_from=filter_.start_from,
        start_until=filter_.start_until,
        statuses=tuple(status.value for status in filter_.status or ()),
        commune=filter_.commune,
        operator_id=operator_id,
    )


def _operator_pk(global_id: str) -> int:
    try:
        parsed = relay.GlobalID.from_id(global_id)
    except ValueError:
        parsed = None
    row_id = None
    if parsed is not None and parsed.type_name == "Operator":
        row_id = parse_row_id(parsed.node_id)
    if row_id is None:
        raise BadInputError(
            "filter.operatorId is not an operator id; use the id field of an Operator."
        )
    return row_id


def page_arguments(
    filter_: JourneyFilterInput | None, first: int, after: str | None, max_page: int
) -> tuple[JourneyFilter, PageKey | None]:
    """Check the arguments of `journeys`, or raise BadInputError naming the bad one.

    The compiled read path calls this too, so both paths accept the same pages.
    """
    if not 1 <= first <= max_page:
        raise BadInputError(
            f"first is {first}; ask for 1 to {max_page} journeys a page."
        )
    key = decode_cursor(after) if after is not None else None
    return _to_filter(filter_), key


async def journeys(
    info: strawberry.Info[Context, None],
    filter: JourneyFilterInput | None = None,
    first: int = 20,
    after: str | None = None,
) -> JourneyConnection:
    context = info.context
    page_filter, key = page_arguments(
        filter, first, after, context.settings.max_page_size
    )
    rows = await journey_reads.fetch_page(
        context.database, context.row_scope("Journey"), page_filter, key, first + 1
    )
    nodes = [Journey.from_row(row) for row in rows[:first]]
    edges = [
        JourneyEdge(
            cursor=encode_cursor(PageKey(node.start.datetime, node.id)), node=node
        )
        for node in nodes
    ]
    return JourneyConnection(
        edges=edges,
        nodes=nodes,
        page_info=relay.PageInfo(
            has_next_page=len(rows) > first,
            has_previous_page=key is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


def journey_pk(global_id: str) -> int:
    """Return the journey id in a global id, or -1, which matches no journey."""
    try:
        parsed = relay.GlobalID.from_id(global_id)
    except ValueError:
        return -1
    row_id = parse_row_id(parsed.node_id) if parsed.type_name == "Journey" else None
    return -1 if row_id is None else row_id


async def journey(
    info: strawberry.Info[Context, None], id: strawberry.ID
) -> Journey | None:
    [found] = await info.context.load_journeys([journey_pk(str(id))])
    if found is None:
        raise NotFoundError("Journey")
    return found


__all__ = [
    "JourneyConnection",
    "Operator",
    "journey",
    "journey_pk",
    "journeys",
    "page_arguments",
]
