"""The stateful pass: journeys in start order, limits with persistent counters.

A disabled journey (canceled, or failed a fraud or anomaly check) gets a
`disabled` incentive of 0 and counts for no limit. Every other eligible journey is
paid what the limits leave: `validated` when its local day is settled, else
`pending`, an estimate that a later computation confirms or disables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from registry_gql.domain.campaigns.journey import CampaignJourney
from registry_gql.domain.campaigns.ledger import Ledger, LimitFacts
from registry_gql.domain.campaigns.rules import Beneficiary
from registry_gql.domain.campaigns.scorer import Score

IncentiveStatus = Literal["pending", "validated", "disabled"]


@dataclass(frozen=True, slots=True)
class Incentive:
    """The payment of a campaign for one journey; `amount` is in cents after
    limits."""

    journey: CampaignJourney
    score: Score
    beneficiary_key: str
    status: IncentiveStatus
    amount: int
    seats: int
    limited_by: str | None


def limit_facts(journey: CampaignJourney, local_day: date) -> LimitFacts:
    return LimitFacts(
        journey.driver_key,
        journey.passenger_key,
        journey.operator_trip_id,
        local_day,
    )


def settle(
    ledger: Ledger,
    beneficiary: Beneficiary,
    scored: Iterable[tuple[CampaignJourney, Score]],
    *,
    unsettled_from: date | None,
) -> list[Incentive]:
    """Pay the eligible journeys in (start, journey id) order.

    Days from `unsettled_from` on give `pending` incentives; None treats every
    day as settled, as a simulation does. Ineligible journeys give no incentive.
    """
    ordered = sorted(scored, key=lambda item: (item[0].start_at, item[0].journey_id))
    incentives = []
    for journey, score in ordered:
        if not score.eligible:
            continue
        key = journey.driver_key if beneficiary == "driver" else journey.passenger_key
        if journey.disabled:
            incentives.append(Incentive(journey, score, key, "disabled", 0, 0, None))
            continue
        payment = ledger.pay(
            limit_facts(journey, score.local_day), score.amount, journey.seats
        )
        pending = unsettled_from is not None and score.local_day >= unsettled_from
        incentives.append(
            Incentive(
                journey,
                score,
                key,
                "pending" if pending else "validated",
                payment.amount,
                payment.seats,
                payment.limited_by,
            )
        )
    return incentives
