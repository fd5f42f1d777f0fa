"""Keep each operator incentive's journey places beside it, for the AOM policy.

Revision 0002 let an AOM read an operator incentive when it could read the
incentive's journey: a lookup into the partitioned `journeys` for every
incentive row read. An AOM page of 100 journeys of the read benchmark reads
about 85 incentives, and those lookups cost about 0.5 ms of its 3 ms of
PostgreSQL time.

`operator_incentives.place_keys` now holds `journey_place_keys(...)` of the
journey, and the AOM policy tests it as the journeys policy of revision 0004
tests the journey: the same predicate over the same keys, so the same incentives
stay visible. Triggers keep the copy true: it is filled from the journey on
insert (and when an incentive moves to another journey), and rewritten when a
journey's places change. On a large table, the backfill below rewrites every
incentive once, under a lock that blocks writes to the table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from registry_gql.db.migrate import execute_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_PLACE_COLUMNS = [
    f"{side}_{level}"
    for side in ("start", "end")
    for level in ("com", "epci", "dep", "reg", "country")
]


def _keys(alias: str) -> str:
    columns = ", ".join(f"{alias}.{column}" for column in _PLACE_COLUMNS)
    return f"journey_place_keys({columns})"


_SELECTOR_KEYS = (
    "(SELECT territory_selector_keys(registry_tenant_id('registry.territory_id')))"
)
_ROLE_IS_AOM = "(SELECT registry_role() = 'aom')"


def _aom_policy(test: str) -> str:
    return (
        "DROP POLICY operator_incentives_aom ON operator_incentives;\n"
        "CREATE POLICY operator_incentives_aom ON operator_incentives FOR SELECT "
        f"USING ({_ROLE_IS_AOM} AND {test});"
    )


def upgrade() -> None:
    execute_script(
        f"""
ALTER TABLE operator_incentives ADD COLUMN place_keys text[];
UPDATE operator_incentives i SET place_keys = {_keys("j")}
FROM journeys j WHERE j.start_at = i.start_at AND j.id = i.journey_id;
ALTER TABLE operator_incentives ALTER COLUMN place_keys SET NOT NULL;

-- Runs as the caller, under row-level security: an operator reads the journeys
-- its incentives belong to.
CREATE FUNCTION operator_incentive_place_keys() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    SELECT {_keys("j")} INTO NEW.place_keys
    FROM journeys j WHERE j.start_at = NEW.start_at AND j.id = NEW.journey_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER operator_incentives_place_keys
BEFORE INSERT OR UPDATE OF journey_id, start_at, place_keys ON operator_incentives
FOR EACH ROW EXECUTE FUNCTION operator_incentive_place_keys();

CREATE FUNCTION journey_incentive_place_keys() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE operator_incentives SET place_keys = {_keys("NEW")}
    WHERE start_at = NEW.start_at AND journey_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER journeys_incentive_place_keys
AFTER UPDATE OF {", ".join(_PLACE_COLUMNS)} ON journeys
FOR EACH ROW
WHEN ({_keys("OLD")} IS DISTINCT FROM {_keys("NEW")})
EXECUTE FUNCTION journey_incentive_place_keys();
"""
        + _aom_policy(f"place_keys && {_SELECTOR_KEYS}")
    )


def downgrade() -> None:
    execute_script(
        _aom_policy(
            "EXISTS (SELECT 1 FROM journeys j WHERE "
            "j.start_at = operator_incentives.start_at "
            "AND j.id = operator_incentives.journey_id)"
        )
        + """
DROP TRIGGER journeys_incentive_place_keys ON journeys;
DROP FUNCTION journey_incentive_place_keys();
DROP TRIGGER operator_incentives_place_keys ON operator_incentives;
DROP FUNCTION operator_incentive_place_keys();
ALTER TABLE operator_incentives DROP COLUMN place_keys;
"""
    )
