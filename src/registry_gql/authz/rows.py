"""Row filters of the policies, resolved for one caller into a RowScope."""

from __future__ import annotations

from registry_gql.auth.principal import Principal
from registry_gql.authz.policy import RolePolicy
from registry_gql.db.row_scope import RowScope


def row_scope(policy: RolePolicy, principal: Principal, type_name: str) -> RowScope:
    """Return the rows of `type_name` the caller may read; none when unlisted."""
    row_filter = policy.rows.get(type_name, "none")
    if row_filter == "all":
        return RowScope("all")
    if row_filter == "own_operator" and principal.operator_id is not None:
        return RowScope("operator", principal.operator_id)
    if row_filter == "own_territory" and principal.territory_id is not None:
        return RowScope("territory", principal.territory_id)
    return RowScope("none")
