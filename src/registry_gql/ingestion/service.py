"""Submit a batch of journeys: validate, deduplicate, judge, locate and store.

The same function serves `submitJourneys` and the open-data import. A batch costs
a fixed number of SQL statements whatever its size, and a bad journey never blocks
the good ones of its batch.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from registry_gql.db import journey_writes
from registry_gql.db.raw import driver_connection
from registry_gql.domain.journeys import FieldError, JourneyDraft, validate_journey
from registry_gql.domain.statuses import public_status
from registry_gql.domain.terms import KnownJourney, TermsLedger, TermsRules
from registry_gql.ingestion.payload import payload_hash
from registry_gql.ingestion.places import Geography, ResolvedPlace, resolve_places

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SubmissionResult:
    """The registry's result for one journey of a batch.

    `created` is false when the journey was already stored under the same
    operator journey id with the same payload: the stored journey is returned.
    """

    index: int
    operator_journey_id: str
    journey_id: int | None = None
    status: str | None = None
    terms_violations: tuple[str, ...] = ()
    errors: tuple[FieldError, ...] = ()
    created: bool = False


@dataclass(slots=True)
class _Batch:
    drafts: Sequence[JourneyDraft]
    results: list[SubmissionResult | None]
    hashes: dict[int, bytes] = field(default_factory=dict)


def _conflict(index: int, draft: JourneyDraft) -> SubmissionResult:
    return SubmissionResult(
        index,
        draft.operator_journey_id,
        errors=(
            FieldError(
                "operatorJourneyId",
                "CONFLICT",
                f"operatorJourneyId {draft.operator_journey_id!r} is already stored "
                "with a different payload; send a new id, or correct the stored "
                "journey instead of resubmitting it.",
            ),
        ),
    )


async def submit_journeys(
    connection: AsyncConnection,
    geography: Geography,
    operator_id: int,
    drafts: Sequence[JourneyDraft],
    *,
    imported: bool,
    now: datetime,
    rules: TermsRules | None = None,
) -> list[SubmissionResult]:
    """Store the valid journeys of `drafts` for the operator, in the caller's
    transaction, and return one result per draft in input order."""
    batch = _Batch(drafts, [None] * len(drafts))
    driver = await driver_connection(connection)

    fresh = _validate(batch, now=now, imported=imported)
    fresh = await _skip_stored(batch, driver, operator_id, fresh)
    claimed = await journey_writes.insert_keys(
        driver,
        operator_id,
        [
            (drafts[i].operator_journey_id, drafts[i].start.datetime, batch.hashes[i])
            for i in fresh
        ],
    )
    lost = [i for i in fresh if drafts[i].operator_journey_id not in claimed]
    if lost:
        # Another transaction stored these ids between our read and our insert.
        await _skip_stored(batch, driver, operator_id, lost)
    fresh = [i for i in fresh if drafts[i].operator_journey_id in claimed]

    ledger = await _load_ledger(driver, operator_id, [drafts[i] for i in fresh], rules)
    places = dict(
        zip(fresh, resolve_places(geography, [drafts[i] for i in fresh]), strict=True)
    )
    rows: list[list[object]] = []
    incentive_rows: list[tuple[int, datetime, int, str, int]] = []
    # Terms rules judge journeys in start order, so that the verdicts within a
    # batch do not depend on the order in which the operator listed them.
    for position in sorted(fresh, key=lambda i: (drafts[i].start.datetime, i)):
        draft = drafts[position]
        journey_id = claimed[draft.operator_journey_id]
        start_place, end_place = places[position]
        verdict = ledger.evaluate(draft, received_at=now, imported=imported)
        acquisition = "terms_violation" if verdict.labels else "processed"
        status = public_status(acquisition, "pending", "pending")
        if not verdict.labels:
            ledger.record(_known(draft))
        rows.append(
            _journey_row(
                journey_id,
                operator_id,
                draft,
                imported,
                now,
                start_place,
                end_place,
                acquisition,
                status,
                verdict.labels,
                verdict.counters,
            )
        )
        incentive_rows += [
            (journey_id, draft.start.datetime, item.index, item.siret, item.amount)
            for item in draft.incentives
        ]
        batch.results[position] = SubmissionResult(
            position,
            draft.operator_journey_id,
            journey_id,
            status,
            verdict.labels,
            created=True,
        )

    await journey_writes.insert_journeys(driver, rows)
    await journey_writes.insert_operator_incentives(driver, incentive_rows)
    _resolve_batch_duplicates(batch)
    results = [result for result in batch.results if result is not None]
    logger.info(
        "journeys submitted: operator_id=%s received=%s stored=%s rejected=%s",
        operator_id,
        len(drafts),
        len(rows),
        sum(1 for r in results if r.errors),
    )
    return results


def _validate(batch: _Batch, *, now: datetime, imported: bool) -> list[int]:
    """Record errors of invalid drafts; return the positions of the valid ones
    that are first with their operator journey id in the batch."""
    fresh: list[int] = []
    first_ids: set[str] = set()
    for position, draft in enumerate(batch.drafts):
        errors = validate_journey(draft, now=now, imported=imported)
        if errors:
            batch.results[position] = SubmissionResult(
                position, draft.operator_journey_id, errors=tuple(errors)
            )
            continue
        batch.hashes[position] = payload_hash(draft)
        if draft.operator_journey_id not in first_ids:
            first_ids.add(draft.operator_journey_id)
            fresh.append(position)
    return fresh


async def _skip_stored(
    batch: _Batch, driver: object, operator_id: int, positions: list[int]
) -> list[int]:
    """Record results for drafts already stored under their id; return the others."""
    ids = [batch.drafts[i].operator_journey_id for i in positions]
    stored = await journey_writes.fetch_keys(driver, operator_id, ids)
    remaining = []
    for position in positions:
        draft = batch.drafts[position]
        key = stored.get(draft.operator_journey_id)
        if key is None:
            remaining.append(position)
        elif key.payload_hash == batch.hashes[position]:
            batch.results[position] = SubmissionResult(
                position,
                draft.operator_journey_id,
                key.journey_id,
                key.status,
                key.terms_violations,
            )
        else:
            batch.results[position] = _conflict(position, draft)
    return remaining


def _resolve_batch_duplicates(batch: _Batch) -> None:
    """Give a repeated id the result of its first occurrence, or a conflict when
    the payloads differ."""
    first: dict[str, int] = {}
    for position, draft in enumerate(batch.drafts):
        if position not in batch.hashes:
            continue
        origin = first.setdefault(draft.operator_journey_id, position)
        if origin == position:
            continue
        if batch.hashes[origin] != batch.hashes[position]:
            batch.results[position] = _conflict(position, draft)
            continue
        answer = batch.results[origin]
        assert answer is not None
        batch.results[position] = SubmissionResult(
            position,
            draft.operator_journey_id,
            answer.journey_id,
            answer.status,
            answer.terms_violations,
            answer.errors,
        )


def _known(draft: JourneyDraft) -> KnownJourney:
    return KnownJourney(
        draft.operator_trip_id,
        draft.driver.identity.identity_key,
        draft.passenger.identity.identity_key,
        draft.start.datetime,
        draft.end.datetime,
    )


async def _load_ledger(
    driver: object,
    operator_id: int,
    drafts: Sequence[JourneyDraft],
    rules: TermsRules | None,
) -> TermsLedger:
    """Load the stored journeys that the terms rules compare the drafts with."""
    ledger = TermsLedger(rules or TermsRules())
    if not drafts:
        return ledger
    # A local day spans at most 26 hours around any instant in it, and the close
    # trips rule looks min_gap further.
    margin = timedelta(hours=26) + ledger.rules.min_gap
    first = min(draft.start.datetime for draft in drafts) - margin
    last = max(draft.end.datetime for draft in drafts) + margin
    keys = {
        identity.identity_key
        for draft in drafts
        for identity in (draft.driver.identity, draft.passenger.identity)
    }
    for known in await journey_writes.fetch_known_journeys(
        driver, operator_id, sorted(keys), first, last
    ):
        ledger.record(known)
    return ledger


def _journey_row(
    journey_id: int,
    operator_id: int,
    draft: JourneyDraft,
    imported: bool,
    received_at: datetime,
    start: ResolvedPlace,
    end: ResolvedPlace,
    acquisition: str,
    status: str,
    labels: tuple[str, ...],
    counters: dict[str, int],
) -> list[object]:
    """Build a row in `journey_writes.JOURNEY_COLUMNS` order."""
    driver, passenger = draft.driver, draft.passenger
    return [
        journey_id,
        operator_id,
        draft.operator_journey_id,
        draft.operator_trip_id,
        draft.operator_class,
        imported,
        received_at,
        draft.start.datetime,
        draft.start.lat,
        draft.start.lon,
        *start.columns(),
        draft.end.datetime,
        draft.end.lat,
        draft.end.lon,
        *end.columns(),
        draft.distance,
        driver.identity.identity_key,
        driver.identity.operator_user_id,
        driver.identity.stored_phone_trunc,
        driver.identity.over18,
        driver.revenue,
        passenger.identity.identity_key,
        passenger.identity.operator_user_id,
        passenger.identity.stored_phone_trunc,
        passenger.identity.over18,
        passenger.contribution,
        passenger.seats,
        acquisition,
        "pending",
        "pending",
        status,
        ",".join(labels),
        orjson.dumps(counters).decode(),
    ]
