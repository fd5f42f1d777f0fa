"""Create operators, geography, territories, OAuth clients and journeys.

Journeys are range-partitioned by month of start. A partitioned table can only
enforce uniqueness on keys that contain the partition key, so the idempotency key
(operator, operator journey id) lives in `journey_keys`, an ordinary table.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from registry_gql.db.migrate import execute_script
from registry_gql.settings import APP_ROLE

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_LEVEL_INDEXES = [
    f"{side}_{level}"
    for side in ("start", "end")
    for level in ("com", "epci", "dep", "reg")
]


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE operators (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            siret varchar(14) NOT NULL UNIQUE CHECK (siret ~ '^[0-9]{14}$'),
            name text NOT NULL CHECK (name <> ''),
            created_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE communes (
            year smallint NOT NULL,
            code varchar(5) NOT NULL,
            name text NOT NULL,
            epci varchar(9),
            department varchar(3) NOT NULL,
            region varchar(2) NOT NULL,
            population integer,
            area_m2 double precision,
            geometry bytea,
            PRIMARY KEY (year, code)
        );
        COMMENT ON COLUMN communes.geometry IS 'WKB, WGS84 (EPSG:4326)';

        -- Codes that are not communes of the year but map to one: municipal
        -- arrondissements, delegated, associated and former communes.
        CREATE TABLE commune_aliases (
            year smallint NOT NULL,
            code varchar(5) NOT NULL,
            commune_code varchar(5) NOT NULL,
            kind text NOT NULL CHECK (
                kind IN ('arrondissement', 'delegated', 'associated', 'former')
            ),
            PRIMARY KEY (year, code)
        );

        CREATE TABLE epcis (
            year smallint NOT NULL,
            code varchar(9) NOT NULL,
            name text NOT NULL,
            PRIMARY KEY (year, code)
        );

        CREATE TABLE territories (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name text NOT NULL CHECK (name <> ''),
            siren varchar(9) UNIQUE CHECK (siren ~ '^[0-9]{9}$'),
            year smallint NOT NULL,
            selectors jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        COMMENT ON COLUMN territories.selectors IS
            'list of {"level": com|epci|dep|reg|country, "code": ...}';

        CREATE TABLE territory_communes (
            territory_id bigint NOT NULL REFERENCES territories ON DELETE CASCADE,
            commune_code varchar(5) NOT NULL,
            PRIMARY KEY (territory_id, commune_code)
        );

        CREATE TABLE oauth_clients (
            client_id text PRIMARY KEY,
            secret_hash text NOT NULL,
            name text NOT NULL,
            role text NOT NULL CHECK (role IN ('operator', 'aom', 'employer', 'admin')),
            operator_id bigint REFERENCES operators,
            territory_id bigint REFERENCES territories,
            company_siren varchar(9) CHECK (company_siren ~ '^[0-9]{9}$'),
            scopes text[] NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz,
            CHECK ((role = 'operator') = (operator_id IS NOT NULL)),
            CHECK ((role = 'aom') = (territory_id IS NOT NULL)),
            CHECK ((role = 'employer') = (company_siren IS NOT NULL))
        );

        CREATE SEQUENCE journeys_id_seq AS bigint;

        CREATE TABLE journey_keys (
            operator_id bigint NOT NULL REFERENCES operators,
            operator_journey_id text NOT NULL,
            journey_id bigint NOT NULL UNIQUE,
            start_at timestamptz NOT NULL,
            payload_hash bytea NOT NULL,
            PRIMARY KEY (operator_id, operator_journey_id)
        );
        COMMENT ON TABLE journey_keys IS
            'idempotency keys: unique across all partitions of journeys';

        CREATE TABLE journeys (
            id bigint NOT NULL,
            operator_id bigint NOT NULL,
            operator_journey_id text NOT NULL,
            operator_trip_id text NOT NULL,
            operator_class char(1) NOT NULL CHECK (operator_class IN ('A', 'B', 'C')),
            imported boolean NOT NULL DEFAULT false,
            received_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),

            start_at timestamptz NOT NULL,
            start_lat double precision NOT NULL,
            start_lon double precision NOT NULL,
            start_geo text NOT NULL CHECK (
                start_geo IN ('contained', 'nearest', 'outside_reference')
            ),
            start_com varchar(5),
            start_epci varchar(9),
            start_dep varchar(3),
            start_reg varchar(2),
            start_country varchar(5),

            end_at timestamptz NOT NULL,
            end_lat double precision NOT NULL,
            end_lon double precision NOT NULL,
            end_geo text NOT NULL CHECK (
                end_geo IN ('contained', 'nearest', 'outside_reference')
            ),
            end_com varchar(5),
            end_epci varchar(9),
            end_dep varchar(3),
            end_reg varchar(2),
            end_country varchar(5),

            distance integer NOT NULL CHECK (distance BETWEEN 1 AND 1000000),

            driver_identity_key char(64) NOT NULL,
            driver_operator_user_id text,
            driver_phone_trunc text,
            driver_over18 boolean,
            driver_revenue integer NOT NULL CHECK (driver_revenue >= 0),

            passenger_identity_key char(64) NOT NULL,
            passenger_operator_user_id text,
            passenger_phone_trunc text,
            passenger_over18 boolean,
            passenger_contribution integer NOT NULL CHECK (passenger_contribution >= 0),
            passenger_seats smallint NOT NULL CHECK (passenger_seats BETWEEN 1 AND 8),

            acquisition_status text NOT NULL CHECK (acquisition_status IN (
                'received', 'processed', 'updated', 'failed', 'terms_violation',
                'canceled'
            )),
            fraud_status text NOT NULL CHECK (
                fraud_status IN ('pending', 'passed', 'failed')
            ),
            anomaly_status text NOT NULL CHECK (
                anomaly_status IN ('pending', 'passed', 'failed')
            ),
            status text NOT NULL CHECK (status IN (
                'canceled', 'terms_violation_error', 'acquisition_error',
                'fraud_error', 'anomaly_error', 'pending', 'ok'
            )),
            terms_violations text[] NOT NULL DEFAULT '{}',
            terms_counters jsonb NOT NULL DEFAULT '{}',
            cancel_code text,
            cancel_message text,

            PRIMARY KEY (start_at, id),
            CHECK (start_at <= end_at)
        ) PARTITION BY RANGE (start_at);

        CREATE INDEX journeys_operator_idx
            ON journeys (operator_id, start_at DESC, id DESC);
        CREATE INDEX journeys_driver_idx ON journeys (driver_identity_key, start_at);
        CREATE INDEX journeys_passenger_idx
            ON journeys (passenger_identity_key, start_at);

        CREATE TABLE operator_incentives (
            journey_id bigint NOT NULL,
            start_at timestamptz NOT NULL,
            index smallint NOT NULL CHECK (index BETWEEN 0 AND 19),
            siret varchar(14) NOT NULL CHECK (siret ~ '^[0-9]{14}$'),
            amount integer NOT NULL CHECK (amount >= 0),
            PRIMARY KEY (journey_id, index),
            FOREIGN KEY (start_at, journey_id) REFERENCES journeys (start_at, id)
                ON DELETE CASCADE
        );

        -- Creates the monthly partitions that cover [first, last]. SECURITY DEFINER
        -- because the application role does not own the table; the advisory lock
        -- serializes concurrent batches that need the same new month.
        CREATE FUNCTION ensure_journey_partitions(first timestamptz, last timestamptz)
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
                END IF;
                month := (month + interval '1 month')::date;
            END LOOP;
        END
        $$;
        REVOKE ALL ON FUNCTION ensure_journey_partitions(timestamptz, timestamptz)
            FROM PUBLIC;
        """
    )
    for column in _LEVEL_INDEXES:
        execute_script(
            f"CREATE INDEX journeys_{column}_idx "
            f"ON journeys ({column}, start_at DESC, id DESC)"
        )
    _grant_application_role()


def _grant_application_role() -> None:
    """Create the API's login role and grant it what serving needs, no more.

    The role is neither superuser nor BYPASSRLS and owns nothing, so row-level
    security binds it. Roles are cluster-wide: several databases of one server
    share it, hence the tolerant CREATE.
    """
    execute_script(
        f"""
        DO $$
        BEGIN
            CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB
                NOCREATEROLE;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END
        $$;
        GRANT USAGE ON SCHEMA public TO {APP_ROLE};
        GRANT SELECT ON communes, commune_aliases, epcis TO {APP_ROLE};
        GRANT SELECT, INSERT, UPDATE ON operators, territories, territory_communes,
            oauth_clients TO {APP_ROLE};
        GRANT DELETE ON territory_communes TO {APP_ROLE};
        GRANT SELECT, INSERT, UPDATE ON journeys, journey_keys, operator_incentives
            TO {APP_ROLE};
        GRANT USAGE ON SEQUENCE journeys_id_seq TO {APP_ROLE};
        GRANT EXECUTE ON FUNCTION ensure_journey_partitions(timestamptz, timestamptz)
            TO {APP_ROLE};
        """
    )


def downgrade() -> None:
    execute_script(
        f"""
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE};
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP_ROLE};
        REVOKE USAGE ON SCHEMA public FROM {APP_ROLE};
        DROP FUNCTION ensure_journey_partitions(timestamptz, timestamptz);
        DROP TABLE operator_incentives;
        DROP TABLE journeys;
        DROP TABLE journey_keys;
        DROP SEQUENCE journeys_id_seq;
        DROP TABLE oauth_clients;
        DROP TABLE territory_communes;
        DROP TABLE territories;
        DROP TABLE epcis;
        DROP TABLE commune_aliases;
        DROP TABLE communes;
        DROP TABLE operators;
        """
    )
