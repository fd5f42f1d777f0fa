"""Enable row-level security on tenant tables.

Policies read the caller's role and tenant from the transaction-local settings
`registry.role`, `registry.operator_id` and `registry.territory_id`, which
`RequestDatabase` sets with `set_config(..., true)`. A missing or malformed setting
matches no policy: reads return no rows, without an error, and writes fail with a
row-level security violation.

- admin: every row of every table, read and write.
- operator: its own journeys, idempotency keys and incentives, read and write.
- aom: journeys that start or end in its territory, with their keys and
  incentives, and its own territory and communes, read only.
- every authenticated role reads `operators`; only admins write it.
- `oauth_clients`: admins, and the token endpoint, which has no principal yet and
  sees only the one client named in `registry.client_id`.
- any other role, or none: nothing.

Policies apply to every role (PUBLIC) because FORCE makes them bind the tables'
owner too. A superuser or BYPASSRLS owner skips them, and another owner must set
`registry.role` to `admin`, as `create_owner_engine` of `db/engine.py` does.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from registry_gql.db.migrate import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "journeys",
    "journey_keys",
    "operator_incentives",
    "territories",
    "territory_communes",
    "operators",
    "oauth_clients",
)

_PLACE_COLUMNS = ", ".join(
    f"{side}_{level}"
    for side in ("start", "end")
    for level in ("com", "epci", "dep", "reg", "country")
)

# Settings readers and the territory match, shared by the policies and by the
# query builder of db/row_scope.py. The SQL functions that have no FROM clause are
# inlined by the planner.
_FUNCTIONS = """
CREATE FUNCTION registry_role() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(current_setting('registry.role', true), '') $$;

-- The tenant id in `setting`, or NULL when it is missing or not a number.
CREATE FUNCTION registry_tenant_id(setting text) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN current_setting(setting, true) ~ '^[0-9]{1,18}$'
        THEN current_setting(setting, true)::bigint END
$$;

CREATE FUNCTION territory_selectors(territory bigint)
RETURNS TABLE (level text, code text)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 4
AS $$
    SELECT s.level, s.code
    FROM territories t
    CROSS JOIN jsonb_to_recordset(t.selectors) AS s(level text, code text)
    WHERE t.id = territory
$$;

-- 'level:code' of each selector of the territory; NULL when the caller may not
-- read the territory or it does not exist.
CREATE FUNCTION territory_selector_keys(territory bigint) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT array_agg(level || ':' || code) FROM territory_selectors(territory) $$;

-- 'level:code' of each code of a journey's start and end.
CREATE FUNCTION journey_place_keys(
    start_com text, start_epci text, start_dep text, start_reg text,
    start_country text, end_com text, end_epci text, end_dep text, end_reg text,
    end_country text
) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT ARRAY[
        'com:' || start_com, 'epci:' || start_epci, 'dep:' || start_dep,
        'reg:' || start_reg, 'country:' || start_country,
        'com:' || end_com, 'epci:' || end_epci, 'dep:' || end_dep,
        'reg:' || end_reg, 'country:' || end_country
    ]
$$;

-- Whether a journey with `place_keys` touches a territory with `selector_keys`.
-- PL/pgSQL, so that the planner cannot inline it: it estimates an opaque boolean
-- function as true for a third of the rows, where it would estimate `&&` on a
-- computed array at 1 %. With 1 %, it reads and sorts every journey of a big
-- territory instead of walking the per-level indexes up to the page's LIMIT.
CREATE FUNCTION journey_touches_territory(place_keys text[], selector_keys text[])
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 10
AS $$ BEGIN RETURN place_keys && selector_keys; END $$;

GRANT EXECUTE ON FUNCTION registry_role(), registry_tenant_id(text),
    territory_selectors(bigint), territory_selector_keys(bigint),
    journey_place_keys(text, text, text, text, text, text, text, text, text, text),
    journey_touches_territory(text[], text[])
    TO PUBLIC;
"""


def _role_is(role: str) -> str:
    """Return a role test evaluated once per statement.

    A scalar subquery becomes a parameter: PostgreSQL computes it once, and
    estimates a boolean parameter as true for half the rows. It would estimate
    `registry_role() = 'aom'` at 1 row in 200, and plan a page as if RLS
    discarded nearly every row.
    """
    return f"(SELECT registry_role() = '{role}')"


_OWN_OPERATOR = (
    f"{_role_is('operator')} "
    "AND operator_id = registry_tenant_id('registry.operator_id')"
)
_OWN_TERRITORY = "registry_tenant_id('registry.territory_id')"
# The territory's keys are a scalar subquery too, read once per statement.
_JOURNEY_IN_TERRITORY = (
    f"{_role_is('aom')} AND journey_touches_territory("
    f"journey_place_keys({_PLACE_COLUMNS}), "
    f"(SELECT territory_selector_keys({_OWN_TERRITORY})))"
)
# Keys and incentives follow their journey: the subquery reads `journeys` under
# that table's own policies.
_JOURNEY_VISIBLE = (
    "EXISTS (SELECT 1 FROM journeys j "
    "WHERE j.start_at = {table}.start_at AND j.id = {table}.journey_id)"
)
_OWN_INCENTIVE = f"{_role_is('operator')} AND " + _JOURNEY_VISIBLE.format(
    table="operator_incentives"
)


# (name, table, command, USING, WITH CHECK), where a clause that is None is left
# out. Each tenant table also gets `<table>_admin`, which gives admins every row.
_POLICIES: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("journeys_operator", "journeys", "ALL", _OWN_OPERATOR, _OWN_OPERATOR),
    ("journeys_aom", "journeys", "SELECT", _JOURNEY_IN_TERRITORY, None),
    ("journey_keys_operator", "journey_keys", "ALL", _OWN_OPERATOR, _OWN_OPERATOR),
    (
        "journey_keys_aom",
        "journey_keys",
        "SELECT",
        f"{_role_is('aom')} AND {_JOURNEY_VISIBLE.format(table='journey_keys')}",
        None,
    ),
    (
        "operator_incentives_operator",
        "operator_incentives",
        "ALL",
        _OWN_INCENTIVE,
        _OWN_INCENTIVE,
    ),
    (
        "operator_incentives_aom",
        "operator_incentives",
        "SELECT",
        f"{_role_is('aom')} AND "
        + _JOURNEY_VISIBLE.format(table="operator_incentives"),
        None,
    ),
    (
        "territories_aom",
        "territories",
        "SELECT",
        f"{_role_is('aom')} AND id = {_OWN_TERRITORY}",
        None,
    ),
    (
        "territory_communes_aom",
        "territory_communes",
        "SELECT",
        f"{_role_is('aom')} AND territory_id = {_OWN_TERRITORY}",
        None,
    ),
    # Operator names are public: any authenticated caller reads them.
    (
        "operators_read",
        "operators",
        "SELECT",
        "(SELECT registry_role() IN ('operator', 'aom', 'employer', 'admin'))",
        None,
    ),
    # The token endpoint runs before any principal exists: with no role set, it
    # reads the one client whose id it put in registry.client_id.
    (
        "oauth_clients_token",
        "oauth_clients",
        "SELECT",
        f"{_role_is('')} AND client_id = current_setting('registry.client_id', true)",
        None,
    ),
    *(
        (
            f"{table}_admin",
            table,
            "ALL",
            _role_is("admin"),
            _role_is("admin"),
        )
        for table in TENANT_TABLES
    ),
)


def _create_policy(
    name: str, table: str, command: str, using: str | None, check: str | None
) -> str:
    clauses = [f"CREATE POLICY {name} ON {table} FOR {command}"]
    if using is not None:
        clauses.append(f"USING ({using})")
    if check is not None:
        clauses.append(f"WITH CHECK ({check})")
    return " ".join(clauses) + ";"


def _partition_function(*, row_security: bool) -> str:
    """Return the CREATE OR REPLACE of `ensure_journey_partitions`.

    With `row_security`, each new partition gets RLS enabled and forced with no
    policy, so the application role reads nothing through it directly (it also
    has no privilege on it). Queries through `journeys` apply the parent's
    policies only.
    """
    secure = (
        "EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, "
        "FORCE ROW LEVEL SECURITY', name);"
        if row_security
        else ""
    )
    return f"""
    CREATE OR REPLACE FUNCTION ensure_journey_partitions(
        first timestamptz, last timestamptz
    )
    RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    DECLARE
        month date := date_trunc('month', first AT TIME ZONE 'UTC')::date;
        stop date := date_trunc('month', last AT TIME ZONE 'UTC')::date;
        name text;
    BEGIN
        IF stop - month > 3700 THEN
            RAISE EXCEPTION 'journey partition range too wide: % to %', first, last;
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext('journeys_partitions'));
        WHILE month <= stop LOOP
            name := format('journeys_%s', to_char(month, 'YYYY_MM'));
            IF to_regclass(name) IS NULL THEN
                EXECUTE format(
                    'CREATE TABLE %I PARTITION OF journeys FOR VALUES '
                    'FROM (%L) TO (%L)',
                    name,
                    month::timestamp AT TIME ZONE 'UTC',
                    (month + interval '1 month')::timestamp AT TIME ZONE 'UTC'
                );
                {secure}
            END IF;
            month := (month + interval '1 month')::date;
        END LOOP;
    END
    $$;
    """


def _existing_partitions(action: str) -> str:
    return f"""
    DO $$
    DECLARE
        partition regclass;
    BEGIN
        FOR partition IN
            SELECT inhrelid::regclass FROM pg_inherits
            WHERE inhparent = 'journeys'::regclass
        LOOP
            EXECUTE format('ALTER TABLE %s {action}', partition);
        END LOOP;
    END
    $$;
    """


def upgrade() -> None:
    execute_script(_FUNCTIONS)
    for table in TENANT_TABLES:
        execute_script(
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"
        )
    execute_script("\n".join(_create_policy(*policy) for policy in _POLICIES))
    execute_script(_partition_function(row_security=True))
    execute_script(
        _existing_partitions("ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY")
    )


def downgrade() -> None:
    execute_script(
        _existing_partitions("DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY")
    )
    execute_script(_partition_function(row_security=False))
    execute_script(
        "\n".join(f"DROP POLICY {name} ON {table};" for name, table, *_ in _POLICIES)
    )
    for table in TENANT_TABLES:
        execute_script(
            f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY, "
            "NO FORCE ROW LEVEL SECURITY"
        )
    execute_script(
        """
        DROP FUNCTION journey_touches_territory(text[], text[]);
        DROP FUNCTION journey_place_keys(
            text, text, text, text, text, text, text, text, text, text
        );
        DROP FUNCTION territory_selector_keys(bigint);
        DROP FUNCTION territory_selectors(bigint);
        DROP FUNCTION registry_tenant_id(text);
        DROP FUNCTION registry_role();
        """
    )
