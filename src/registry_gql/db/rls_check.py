"""The check, before serving, that row-level security binds the API's role.

PostgreSQL skips every policy for a superuser, for a role with BYPASSRLS, and for
a table's owner unless the table forces row-level security. A view that does
not run as the invoker reads its tables as the view's owner. The API therefore
does not start when the role of APP_DATABASE_URL could read past the policies.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from registry_gql.settings import APP_ROLE

logger = logging.getLogger(__name__)

SCHEMA = "public"
# Tables without tenant rows, readable by every caller. Every other table of the
# schema, partitions included, must enable and force row-level security.
REFERENCE_TABLES = frozenset(
    {"alembic_version", "communes", "commune_aliases", "epcis"}
)
# Tables the first migrations create; their absence means an unmigrated database.
REQUIRED_TABLES = (
    "journeys",
    "journey_keys",
    "operator_incentives",
    "territories",
    "territory_communes",
    "operators",
    "oauth_clients",
)
# Settings the policies read; none may have a value outside a transaction.
TENANT_SETTINGS = (
    "registry.role",
    "registry.operator_id",
    "registry.territory_id",
    "registry.company_siren",
    "registry.client_id",
)

_ROLE = text(
    "SELECT current_user AS name, rolsuper AS superuser, rolbypassrls AS bypass "
    "FROM pg_roles WHERE rolname = current_user"
)
_TABLES = text(
    """
    SELECT c.relname AS name,
           c.relrowsecurity AND c.relforcerowsecurity AS secured,
           pg_has_role(current_user, c.relowner, 'MEMBER') AS owned
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = :schema AND c.relkind IN ('r', 'p')
    ORDER BY c.relname
    """
)
_DEFINER_VIEWS = text(
    """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = :schema AND c.relkind IN ('v', 'm')
      AND has_table_privilege(current_user, c.oid, 'SELECT')
      AND NOT (c.relkind = 'v' AND EXISTS (
          SELECT 1 FROM unnest(c.reloptions) AS option
          WHERE lower(option) IN ('security_invoker=true', 'security_invoker=on',
                                  'security_invoker=1', 'security_invoker=yes')))
    ORDER BY c.relname
    """
)
_SESSION_SETTINGS = text(
    "SELECT name FROM unnest(CAST(:names AS text[])) AS name "
    "WHERE coalesce(current_setting(name, true), '') <> ''"
)


class RowSecurityError(RuntimeError):
    """The API's database role is not bound by row-level security."""


@dataclass(frozen=True, slots=True)
class _Facts:
    role: str
    superuser: bool
    bypass: bool
    tables: Sequence[Any]
    definer_views: Sequence[str]
    session_settings: Sequence[str]


async def check_row_level_security(engine: AsyncEngine) -> None:
    """Raise RowSecurityError, naming each problem and its fix, unless
    row-level security binds the role that `engine` connects as."""
    async with engine.connect() as connection:
        facts = await _read_facts(connection)
    problems = _problems(facts)
    if problems:
        raise RowSecurityError(
            f"The API does not serve: row-level security does not bind the "
            f"database role {facts.role!r} that APP_DATABASE_URL connects as.\n"
            + "\n".join(f"- {problem}" for problem in problems)
        )
    logger.info(
        "row-level security binds role %s: %s tables checked",
        facts.role,
        len(facts.tables),
    )


async def _read_facts(connection: AsyncConnection) -> _Facts:
    role = (await connection.execute(_ROLE)).one()
    tables = (await connection.execute(_TABLES, {"schema": SCHEMA})).all()
    views = (await connection.execute(_DEFINER_VIEWS, {"schema": SCHEMA})).scalars()
    settings = (
        await connection.execute(_SESSION_SETTINGS, {"names": list(TENANT_SETTINGS)})
    ).scalars()
    return _Facts(
        role.name, role.superuser, role.bypass, tables, list(views), list(settings)
    )


def _problems(facts: _Facts) -> list[str]:
    """Return one line per problem, each saying what to change."""
    role = facts.role
    problems = []
    if facts.superuser:
        problems.append(
            f"{role} is a superuser. Set APP_DATABASE_URL to the role {APP_ROLE}, "
            f"which `registry-gql migrate` creates, or run ALTER ROLE {role} "
            "NOSUPERUSER."
        )
    if facts.bypass:
        problems.append(f"{role} has BYPASSRLS. Run ALTER ROLE {role} NOBYPASSRLS.")
    problems += _table_problems(facts)
    if facts.definer_views:
        problems.append(
            f"{role} can read views that run as their owner: "
            f"{', '.join(facts.definer_views)}. Recreate them WITH "
            "(security_invoker = true), or revoke SELECT on them."
        )
    for setting in facts.session_settings:
        problems.append(
            f"{setting} has a value in every session of {role}, which the policies "
            "would read as the caller. Remove it from the options of "
            f"APP_DATABASE_URL and run ALTER ROLE {role} RESET {setting}."
        )
    return problems


def _table_problems(facts: _Facts) -> list[str]:
    names = {row.name for row in facts.tables}
    missing = [name for name in REQUIRED_TABLES if name not in names]
    unsecured = [
        row.name
        for row in facts.tables
        if row.name not in REFERENCE_TABLES and not row.secured
    ]
    # A superuser is a member of every role, and that problem is reported already.
    owned = [
        row.name
        for row in facts.tables
        if row.owned and row.name not in REFERENCE_TABLES and not facts.superuser
    ]
    problems = []
    if missing:
        problems.append(
            f"the tables {', '.join(missing)} do not exist in schema {SCHEMA}. Run "
            "`registry-gql migrate` with the owner's DATABASE_URL."
        )
    if unsecured:
        problems.append(
            f"the tables {', '.join(unsecured)} do not enable and force row-level "
            "security. Run `registry-gql migrate`, or ALTER TABLE ... ENABLE ROW "
            "LEVEL SECURITY, FORCE ROW LEVEL SECURITY and add their policies."
        )
    if owned:
        problems.append(
            f"{facts.role} owns (or is a member of the owner of) the tables "
            f"{', '.join(owned)}, so it could disable their policies. Make the "
            "role that runs the migrations their owner."
        )
    return problems
