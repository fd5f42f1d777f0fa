"""Exact money arithmetic: Decimal intermediate values, whole cents at the end."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ONE_CENT = Decimal(1)
METRES_PER_KM = Decimal(1000)


def round_cents(amount: Decimal) -> int:
    """Round an amount in cents half up to a whole cent: 12.5 gives 13."""
    return int(amount.quantize(ONE_CENT, rounding=ROUND_HALF_UP))


def per_km(rate_cents: Decimal, metres: int) -> Decimal:
    """Return `rate_cents` per kilometre over `metres`, exactly."""
    return rate_cents * Decimal(metres) / METRES_PER_KM


def prorate(amount: int, part: int, whole: int) -> int:
    """Return the share `part / whole` of `amount` cents, rounded half up."""
    return round_cents(Decimal(amount) * Decimal(part) / Decimal(whole))
