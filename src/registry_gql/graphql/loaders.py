"""DataLoaders: one SQL statement per relation and page, never one per row."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from registry_gql.db import journey_reads
from registry_gql.db.campaigns.incentives import journey_incentives
from registry_gql.db.request import RequestDatabase
from registry_gql.graphql.types.campaigns import Incentive
from registry_gql.graphql.types.journeys import Commune, Operator, OperatorIncentive


@dataclass(slots=True)
class Loaders:
    operators: DataLoader[int, Operator | None]
    communes: DataLoader[str, Commune | None]
    operator_incentives: DataLoader[int, list[OperatorIncentive]]
    campaign_incentives: DataLoader[int, list[Incentive]]


def create_loaders(database: RequestDatabase, year: int) -> Loaders:
    async def operators(ids: list[int]) -> list[Operator | None]:
        rows = await journey_reads.fetch_operators(database, ids)
        by_id = {row["id"]: Operator.from_row(row) for row in rows}
        return [by_id.get(operator_id) for operator_id in ids]

    async def communes(codes: list[str]) -> list[Commune | None]:
        rows = await journey_reads.fetch_communes(database, year, codes)
        by_code = {row["code"]: Commune.from_row(row) for row in rows}
        return [by_code.get(code) for code in codes]

    async def incentives(journey_ids: list[int]) -> list[list[OperatorIncentive]]:
        rows = await journey_reads.fetch_operator_incentives(database, journey_ids)
        grouped: dict[int, list[OperatorIncentive]] = defaultdict(list)
        for row in rows:
            grouped[row["journey_id"]].append(
                OperatorIncentive(
                    index=row["index"], siret=row["siret"], amount=row["amount"]
                )
            )
        return [grouped.get(journey_id, []) for journey_id in journey_ids]

    async def campaign_incentives(journey_ids: list[int]) -> list[list[Incentive]]:
        rows = await journey_incentives(database, journey_ids)
        grouped: dict[int, list[Incentive]] = defaultdict(list)
        for row in rows:
            grouped[row["journey_id"]].append(Incentive.from_row(row))
        return [grouped.get(journey_id, []) for journey_id in journey_ids]

    return Loaders(
        operators=DataLoader(load_fn=operators),
        communes=DataLoader(load_fn=communes),
        operator_incentives=DataLoader(load_fn=incentives),
        campaign_incentives=DataLoader(load_fn=campaign_incentives),
    )
