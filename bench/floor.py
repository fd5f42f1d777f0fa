"""The floor of the read benchmark: one hand-written statement per request.

A minimal Starlette app that returns the benchmark's AOM page with the JSON
that PostgreSQL builds, through an asyncpg pool: no GraphQL, no token, no
transaction. It reads the territory from the `X-Territory-Id` header and
connects as the owner, so row-level security does not apply; the statement
filters by territory itself, through the same per-level indexes as
registry-gql's page query.

Run: FLOOR_DATABASE_URL=... .venv/bin/uvicorn bench.floor:app --port 8103
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PAGE = 100
LEVELS = ("com", "epci", "dep", "reg", "country")
_BRANCHES = " UNION ALL ".join(
    f"(SELECT start_at, id FROM journeys WHERE s.level = '{level}' "
    f"AND {side}_{level} = s.code ORDER BY start_at DESC, id DESC LIMIT {PAGE + 1})"
    for level in LEVELS
    for side in ("start", "end")
)
_ISO = (
    "to_char({at} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
    "CASE WHEN date_trunc('second', {at}) = {at} THEN '' "
    "ELSE to_char({at} AT TIME ZONE 'UTC', '.US') END || '+00:00'"
)
_CURSOR = (
    "translate(encode(convert_to('journey:' || "
    + _ISO.format(at="j.start_at")
    + " || '|' || j.id, 'UTF8'), 'base64'), E'+/\\n', '-_')"
)


def _place(side: str, alias: str) -> str:
    commune = (
        f"CASE WHEN {alias}.code IS NULL THEN NULL ELSE "
        f"json_build_object('code', {alias}.code, 'name', {alias}.name) END"
    )
    return (
        f"json_build_object('datetime', {_ISO.format(at=f'j.{side}_at')}, "
        f"'commune', {commune})"
    )


STATEMENT = f"""
WITH keys AS (
    SELECT DISTINCT k.start_at, k.id
    FROM territories t
    CROSS JOIN jsonb_to_recordset(t.selectors) AS s(level text, code text)
    CROSS JOIN LATERAL ({_BRANCHES}) AS k
    WHERE t.id = $1
    ORDER BY k.start_at DESC, k.id DESC
    LIMIT {PAGE + 1}
), page AS (
    SELECT j.*, row_number() OVER (ORDER BY j.start_at DESC, j.id DESC) AS n,
        count(*) OVER () AS total
    FROM keys JOIN journeys j USING (start_at, id)
)
SELECT json_build_object('data', json_build_object('journeys', json_build_object(
    'nodes', coalesce(json_agg(json_build_object(
        'id', translate(encode(convert_to('Journey:' || j.id, 'UTF8'), 'base64'),
            E'\\n', ''),
        'operatorClass', j.operator_class,
        'status', upper(j.status),
        'distance', j.distance,
        'operator', json_build_object('name', o.name),
        'start', {_place("start", "sc")},
        'end', {_place("end", "ec")},
        'incentives', coalesce(i.items, '[]'::json)
    ) ORDER BY j.n) FILTER (WHERE j.n <= {PAGE}), '[]'::json),
    'pageInfo', json_build_object(
        'hasNextPage', count(*) > {PAGE},
        'endCursor', max({_CURSOR}) FILTER (WHERE j.n = least(j.total, {PAGE}))
    )
)))::text
FROM page j
JOIN operators o ON o.id = j.operator_id
LEFT JOIN communes sc ON sc.year = 2022 AND sc.code = j.start_com
LEFT JOIN communes ec ON ec.year = 2022 AND ec.code = j.end_com
LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object('siret', siret, 'amount', amount)
        ORDER BY index) AS items
    FROM operator_incentives WHERE journey_id = j.id
) i ON true
"""


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(
        os.environ["FLOOR_DATABASE_URL"], min_size=10, max_size=10
    )
    yield
    await app.state.pool.close()


async def page(request: Request) -> Response:
    await request.body()
    territory = int(request.headers["x-territory-id"])
    body = await request.app.state.pool.fetchval(STATEMENT, territory)
    return Response(body, media_type="application/json")


app = Starlette(routes=[Route("/graphql", page, methods=["POST"])], lifespan=lifespan)
