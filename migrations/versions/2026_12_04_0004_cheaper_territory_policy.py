"""Make the AOM's journeys policy cheap to evaluate on every row read.

Revision 0002 checked each journey through `journey_touches_territory`, a
PL/pgSQL function, and read the territory's selector keys through a SQL function
whose body PostgreSQL plans again at each place of a statement that calls it. On
the read benchmark (docs/benchmarks.md), an AOM page cost PostgreSQL about
3.7 ms with row-level security, and 2.7 to 3.0 ms after this revision (1.9 ms
without row-level security). One EXPLAIN ANALYZE showed 0.34 ms for reading the
keys once, in each scan of `journeys` that needed them.

- `territory_selector_keys` becomes PL/pgSQL: its plan is kept for the session,
  and the policy still reads it once per statement, as a scalar subquery.
- The policy tests `journey_place_keys(...) && keys` inline: the overlap of two
  short arrays, in C, with no function call per row.

PostgreSQL estimates an inline `&&` at 1 % of the rows, where it estimated the
opaque function at a third. The page statements of `db/journey_reads.py` and of
the compiler walk one index per level up to their LIMIT in either case; the plan
guard of `tests/security/test_rls_plan.py` checks it.

The policy is the same predicate as before: the same journeys stay visible.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from registry_gql.db.migrate import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_PLACE_COLUMNS = ", ".join(
    f"{side}_{level}"
    for side in ("start", "end")
    for level in ("com", "epci", "dep", "reg", "country")
)
_SELECTOR_KEYS = (
    "(SELECT territory_selector_keys(registry_tenant_id('registry.territory_id')))"
)
_ROLE_IS_AOM = "(SELECT registry_role() = 'aom')"


def _journeys_aom_policy(test: str) -> str:
    return (
        "DROP POLICY journeys_aom ON journeys;\n"
        f"CREATE POLICY journeys_aom ON journeys FOR SELECT USING ({test});"
    )


def upgrade() -> None:
    execute_script(
        """
CREATE OR REPLACE FUNCTION territory_selector_keys(territory bigint)
RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    RETURN (SELECT array_agg(level || ':' || code) FROM territory_selectors(territory));
END
$$;
"""
        + _journeys_aom_policy(
            f"{_ROLE_IS_AOM} AND journey_place_keys({_PLACE_COLUMNS}) "
            f"&& {_SELECTOR_KEYS}"
        )
        + "\nDROP FUNCTION journey_touches_territory(text[], text[]);"
    )


def downgrade() -> None:
    execute_script(
        """
CREATE FUNCTION journey_touches_territory(place_keys text[], selector_keys text[])
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 10
AS $$ BEGIN RETURN place_keys && selector_keys; END $$;
GRANT EXECUTE ON FUNCTION journey_touches_territory(text[], text[]) TO PUBLIC;

CREATE OR REPLACE FUNCTION territory_selector_keys(territory bigint)
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT array_agg(level || ':' || code) FROM territory_selectors(territory) $$;
"""
        + _journeys_aom_policy(
            f"{_ROLE_IS_AOM} AND journey_touches_territory("
            f"journey_place_keys({_PLACE_COLUMNS}), {_SELECTOR_KEYS})"
        )
    )
