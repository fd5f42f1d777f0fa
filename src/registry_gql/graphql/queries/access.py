"""`access`: which policy rule allows or denies a field for the caller."""

from __future__ import annotations

import strawberry

from registry_gql.authz.document import field_verdict
from registry_gql.authz.policy import DENY, PUBLIC
from registry_gql.graphql.context import Context


@strawberry.type(description="The verdict of the caller's policy on one field.")
class AccessDecision:
    type: str
    field: str = strawberry.field(
        description="Field name, or `field(argument)` for an argument."
    )
    role: str
    allowed: bool
    requirement: str | None = strawberry.field(
        description="The scope the rule asks for, `public` or `deny`; null when no "
        "rule names the field."
    )
    rule: str | None = strawberry.field(
        description="Policy file and line of the rule, e.g. `aom.yaml:42`."
    )
    reason: str


def access(
    info: strawberry.Info[Context, None],
    type: str,
    field: str,
) -> AccessDecision:
    principal = info.context.principal
    allowed, rule = field_verdict(info.context.policy, principal, type, field)
    if rule is None:
        reason = f"No rule of the {principal.role} policy names {type}.{field}, so it "
        reason += "is denied."
    elif rule.requirement == DENY:
        reason = f"The {principal.role} policy denies {type}.{field}."
    elif rule.requirement == PUBLIC:
        reason = f"The {principal.role} policy makes {type}.{field} public."
    elif allowed:
        reason = f"The token has the scope {rule.requirement} that the rule asks for."
    else:
        reason = f"The rule asks for the scope {rule.requirement}, which the token "
        reason += "lacks."
    return AccessDecision(
        type=type,
        field=field,
        role=principal.role,
        allowed=allowed,
        requirement=rule.requirement if rule else None,
        rule=rule.rule_id if rule else None,
        reason=reason,
    )
