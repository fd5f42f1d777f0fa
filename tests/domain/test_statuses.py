from __future__ import annotations

import pytest

from registry_gql.domain.statuses import (
    TransitionError,
    check_acquisition_transition,
    check_check_transition,
    public_status,
)


@pytest.mark.parametrize(
    ("acquisition", "fraud", "anomaly", "expected"),
    [
        ("canceled", "failed", "failed", "canceled"),
        ("terms_violation", "failed", "pending", "terms_violation_error"),
        ("failed", "failed", "pending", "acquisition_error"),
        ("processed", "failed", "failed", "fraud_error"),
        ("processed", "passed", "failed", "anomaly_error"),
        ("received", "passed", "passed", "pending"),
        ("processed", "pending", "passed", "pending"),
        ("processed", "passed", "passed", "ok"),
        ("updated", "passed", "passed", "ok"),
    ],
)
def test_public_status_order(
    acquisition: str, fraud: str, anomaly: str, expected: str
) -> None:
    assert public_status(acquisition, fraud, anomaly) == expected


@pytest.mark.parametrize(
    ("current", "target"),
    [("canceled", "processed"), ("failed", "processed"), ("processed", "received")],
)
def test_terminal_and_backward_transitions_raise(current: str, target: str) -> None:
    with pytest.raises(TransitionError, match=f"from {current} to {target}"):
        check_acquisition_transition(current, target)


def test_allowed_acquisition_transition() -> None:
    check_acquisition_transition("terms_violation", "canceled")


def test_failed_fraud_passes_only_by_admin_with_reason() -> None:
    with pytest.raises(TransitionError, match="only by an admin"):
        check_check_transition("fraud", "failed", "passed")
    with pytest.raises(TransitionError, match="only by an admin"):
        check_check_transition("fraud", "failed", "passed", by_admin=True, reason=" ")
    check_check_transition("fraud", "failed", "passed", by_admin=True, reason="ok")


def test_passed_check_is_final() -> None:
    with pytest.raises(TransitionError):
        check_check_transition("anomaly", "passed", "failed")
