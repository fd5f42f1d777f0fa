"""Journey sub-statuses, their guarded transitions, and the public status."""

from __future__ import annotations

from typing import Literal

AcquisitionStatus = Literal[
    "received", "processed", "updated", "failed", "terms_violation", "canceled"
]
CheckStatus = Literal["pending", "passed", "failed"]
PublicStatus = Literal[
    "canceled",
    "terms_violation_error",
    "acquisition_error",
    "fraud_error",
    "anomaly_error",
    "pending",
    "ok",
]

ACQUISITION_TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"processed", "failed", "terms_violation", "canceled"}),
    "processed": frozenset({"updated", "canceled"}),
    "updated": frozenset({"processed", "terms_violation", "canceled"}),
    "terms_violation": frozenset({"canceled"}),
    "failed": frozenset(),
    "canceled": frozenset(),
}
CHECK_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"passed", "failed"}),
    "passed": frozenset(),
    "failed": frozenset({"passed"}),
}


class TransitionError(ValueError):
    """A sub-status change that the transition table does not allow."""


def check_acquisition_transition(current: str, target: str) -> None:
    """Raise TransitionError unless acquisition may go from `current` to `target`."""
    if target not in ACQUISITION_TRANSITIONS.get(current, frozenset()):
        raise TransitionError(
            f"acquisition status cannot go from {current} to {target}; allowed: "
            f"{', '.join(sorted(ACQUISITION_TRANSITIONS.get(current, ()))) or 'none'}."
        )


def check_check_transition(
    kind: Literal["fraud", "anomaly"],
    current: str,
    target: str,
    *,
    by_admin: bool = False,
    reason: str | None = None,
) -> None:
    """Raise TransitionError unless a fraud or anomaly status may change so.

    Only an admin, giving a reason, may turn a failed check into a passed one.
    """
    if target not in CHECK_TRANSITIONS.get(current, frozenset()):
        raise TransitionError(f"{kind} status cannot go from {current} to {target}.")
    if current == "failed" and not (by_admin and reason and reason.strip()):
        raise TransitionError(
            f"{kind} status goes from failed to passed only by an admin with a reason."
        )


def public_status(acquisition: str, fraud: str, anomaly: str) -> PublicStatus:
    """Return the first public status that applies, in the documented order."""
    if acquisition == "canceled":
        return "canceled"
    if acquisition == "terms_violation":
        return "terms_violation_error"
    if acquisition == "failed":
        return "acquisition_error"
    if fraud == "failed":
        return "fraud_error"
    if anomaly == "failed":
        return "anomaly_error"
    if acquisition == "received" or "pending" in (fraud, anomaly):
        return "pending"
    return "ok"
