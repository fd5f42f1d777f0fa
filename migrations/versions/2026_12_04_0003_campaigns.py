"""Create campaigns, their incentives and their limit counters.

A campaign's rules are a JSON document validated by the application
(`registry_gql.domain.campaigns`); `rules_version` is the version of the rule
language and `revision` counts the edits of the definition. `incentives` holds
one row per (campaign, eligible journey) after the stateful pass, and
`campaign_counters` the persistent counters of each limit per person and period.

`campaigns.scope` copies the selectors of the campaign's territory (and of the
territories its `aom` selectors name) when the campaign is written. Scoring reads
that copy, so an operator can price a journey without reading `territories`,
which row-level security hides from it.

Row-level security follows the tenant settings of revision 0002:

- admin: every row, read and write;
- aom: reads its territory's campaigns and every template, creates and edits
  drafts of its territory, reads the incentives and counters of its campaigns;
- operator: reads the active and finished campaigns that accept it (no
  operator list, or its SIRET in the list) and the incentives of its journeys;
- any other role, or none: nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from registry_gql.db.migrate import execute_script
from registry_gql.settings import APP_ROLE

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("campaigns", "incentives", "campaign_counters")


def _role_is(role: str) -> str:
    # A scalar subquery, computed once per statement, as in revision 0002.
    return f"(SELECT registry_role() = '{role}')"


_OWN_TERRITORY = "registry_tenant_id('registry.territory_id')"
_OWN_OPERATOR = "registry_tenant_id('registry.operator_id')"
_AOM_CAMPAIGN = f"{_role_is('aom')} AND territory_id = {_OWN_TERRITORY}"
# Incentives and counters follow their campaign, read under its own policies.
_AOM_CHILD = (
    f"{_role_is('aom')} AND EXISTS (SELECT 1 FROM campaigns c "
    "WHERE c.id = {table}.campaign_id AND c.territory_id = " + _OWN_TERRITORY + ")"
)
_OPERATOR_CAMPAIGN = (
    f"{_role_is('operator')} AND status IN ('active', 'finished') AND "
    "(operator_sirets IS NULL OR EXISTS (SELECT 1 FROM operators o "
    f"WHERE o.id = {_OWN_OPERATOR} AND o.siret = ANY (operator_sirets)))"
)

# (name, table, command, USING, WITH CHECK); None leaves the clause out.
_POLICIES: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    (
        "campaigns_aom_read",
        "campaigns",
        "SELECT",
        f"{_AOM_CAMPAIGN} OR ({_role_is('aom')} AND status = 'template')",
        None,
    ),
    (
        "campaigns_aom_insert",
        "campaigns",
        "INSERT",
        None,
        f"{_AOM_CAMPAIGN} AND status = 'draft'",
    ),
    ("campaigns_aom_update", "campaigns", "UPDATE", _AOM_CAMPAIGN, _AOM_CAMPAIGN),
    ("campaigns_operator", "campaigns", "SELECT", _OPERATOR_CAMPAIGN, None),
    (
        "incentives_operator",
        "incentives",
        "SELECT",
        f"{_role_is('operator')} AND operator_id = {_OWN_OPERATOR}",
        None,
    ),
    (
        "incentives_aom",
        "incentives",
        "SELECT",
        _AOM_CHILD.format(table="incentives"),
        None,
    ),
    (
        "campaign_counters_aom",
        "campaign_counters",
        "SELECT",
        _AOM_CHILD.format(table="campaign_counters"),
        None,
    ),
    *(
        (f"{table}_admin", table, "ALL", _role_is("admin"), _role_is("admin"))
        for table in TABLES
    ),
)


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE campaigns (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            territory_id bigint REFERENCES territories ON DELETE CASCADE,
            status text NOT NULL CHECK (
                status IN ('template', 'draft', 'active', 'finished')
            ),
            name text NOT NULL CHECK (name <> ''),
            description text NOT NULL DEFAULT '',
            time_zone text NOT NULL,
            starts_at timestamptz,
            ends_at timestamptz,
            budget bigint CHECK (budget >= 0),
            rules jsonb NOT NULL,
            rules_version smallint NOT NULL,
            revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
            operator_sirets varchar(14)[],
            scope jsonb,
            template_key text UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            launched_at timestamptz,
            closed_at timestamptz,
            computed_at timestamptz,
            CHECK (status = 'template' OR territory_id IS NOT NULL),
            CHECK (ends_at > starts_at),
            CHECK (
                status NOT IN ('active', 'finished')
                OR (starts_at IS NOT NULL AND ends_at IS NOT NULL)
            )
        );
        COMMENT ON COLUMN campaigns.operator_sirets IS
            'every SIRET the rules ever accept; NULL when they accept any operator';
        COMMENT ON COLUMN campaigns.scope IS
            'selectors of the territory, and of each territory that an aom '
            'selector names, copied when the campaign is written';
        COMMENT ON COLUMN campaigns.template_key IS
            'source key of an imported template, so that a re-import updates it';
        CREATE INDEX campaigns_territory_idx ON campaigns (territory_id);

        CREATE TABLE incentives (
            campaign_id bigint NOT NULL REFERENCES campaigns ON DELETE CASCADE,
            journey_id bigint NOT NULL,
            start_at timestamptz NOT NULL,
            operator_id bigint NOT NULL,
            beneficiary text NOT NULL CHECK (beneficiary IN ('driver', 'passenger')),
            beneficiary_key char(64) NOT NULL,
            driver_key char(64) NOT NULL,
            passenger_key char(64) NOT NULL,
            operator_trip_id text NOT NULL,
            local_day date NOT NULL,
            slice smallint,
            factor numeric NOT NULL CHECK (factor > 0),
            draft_amount integer NOT NULL CHECK (draft_amount >= 0),
            amount integer NOT NULL CHECK (amount BETWEEN 0 AND draft_amount),
            seats smallint NOT NULL CHECK (seats BETWEEN 0 AND 8),
            status text NOT NULL CHECK (status IN ('pending', 'validated', 'disabled')),
            limited_by text,
            computed_at timestamptz NOT NULL,
            PRIMARY KEY (campaign_id, journey_id),
            FOREIGN KEY (start_at, journey_id) REFERENCES journeys (start_at, id)
                ON DELETE CASCADE,
            CHECK (status <> 'disabled' OR amount = 0)
        );
        COMMENT ON COLUMN incentives.local_day IS
            'day of the journey start in the campaign time zone';
        CREATE INDEX incentives_campaign_start_idx
            ON incentives (campaign_id, start_at);
        CREATE INDEX incentives_campaign_day_idx
            ON incentives (campaign_id, local_day, operator_id);
        CREATE INDEX incentives_operator_idx ON incentives (operator_id, start_at);
        CREATE INDEX incentives_journey_idx ON incentives (journey_id);

        CREATE TABLE campaign_counters (
            campaign_id bigint NOT NULL REFERENCES campaigns ON DELETE CASCADE,
            limit_key text NOT NULL,
            person_key text NOT NULL,
            period_key text NOT NULL,
            value bigint NOT NULL CHECK (value >= 0),
            PRIMARY KEY (campaign_id, limit_key, person_key, period_key)
        );
        COMMENT ON TABLE campaign_counters IS
            'seats, trips or cents counted per (campaign, limit, person, period)';
        """
    )
    for table in TABLES:
        execute_script(
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"
        )
    execute_script("\n".join(_create_policy(*policy) for policy in _POLICIES))
    execute_script(
        f"""
        GRANT SELECT, INSERT, UPDATE ON campaigns TO {APP_ROLE};
        GRANT SELECT, INSERT, UPDATE, DELETE ON incentives, campaign_counters
            TO {APP_ROLE};
        """
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


def downgrade() -> None:
    execute_script(
        f"""
        REVOKE ALL ON campaigns, incentives, campaign_counters FROM {APP_ROLE};
        DROP TABLE campaign_counters;
        DROP TABLE incentives;
        DROP TABLE campaigns;
        """
    )
