"""Parse amount grids: fixed part, per-km part, distance slices and the cap."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import cast

from registry_gql.domain.campaigns.reader import DocumentReader
from registry_gql.domain.campaigns.rules import Grid, PerKm, Slice, SlicesMode
from registry_gql.domain.journeys import MAX_DISTANCE_M

GRID_FIELDS = ("per_seat", "fixed", "per_km", "slices_mode", "slices", "max")
SLICES_MODES = ("cumulative", "exclusive")
# The largest amount in cents that a grid may name, 1,000 euros.
MAX_GRID_CENTS = 100_000


def parse_grid(
    reader: DocumentReader, value: Mapping[str, object], path: str
) -> Grid | None:
    fields = reader.mapping(value, path, optional=GRID_FIELDS)
    if fields is None:
        return None
    errors_before = len(reader.errors)
    if not any(name in fields for name in ("fixed", "per_km", "slices")):
        reader.fail(path, "give at least one of fixed, per_km and slices")
    per_seat = reader.boolean(fields.get("per_seat", True), f"{path}.per_seat")
    fixed = _cents(reader, fields.get("fixed", 0), f"{path}.fixed")
    per_km = None
    if "per_km" in fields:
        per_km = _per_km(reader, fields["per_km"], f"{path}.per_km")
    slices: tuple[Slice, ...] = ()
    mode: str | None = "cumulative"
    if "slices" in fields:
        slices = _slices(reader, fields["slices"], f"{path}.slices")
        if "slices_mode" not in fields:
            reader.fail(
                f"{path}.slices_mode", "missing; choose cumulative or exclusive"
            )
    if "slices_mode" in fields:
        mode = reader.text(
            fields["slices_mode"], f"{path}.slices_mode", choices=SLICES_MODES
        )
    maximum = None
    if "max" in fields:
        maximum = _cents(reader, fields["max"], f"{path}.max")
    if len(reader.errors) != errors_before:
        return None
    return Grid(
        per_seat=bool(per_seat),
        fixed=Decimal(fixed or 0),
        per_km=per_km,
        slices_mode=cast(SlicesMode, mode),
        slices=slices,
        maximum=maximum,
    )


def _cents(reader: DocumentReader, value: object, path: str) -> int | None:
    return reader.integer(value, path, minimum=0, maximum=MAX_GRID_CENTS)


def _metres(
    reader: DocumentReader, value: object, path: str, minimum: int = 0
) -> int | None:
    return reader.integer(value, path, minimum=minimum, maximum=MAX_DISTANCE_M)


def _per_km(reader: DocumentReader, value: object, path: str) -> PerKm | None:
    fields = reader.mapping(
        value, path, required=("rate",), optional=("offset", "limit")
    )
    if fields is None or "rate" not in fields:
        return None
    rate = reader.decimal(fields["rate"], f"{path}.rate")
    offset = _metres(reader, fields.get("offset", 0), f"{path}.offset")
    limit = None
    if "limit" in fields:
        limit = _metres(reader, fields["limit"], f"{path}.limit", minimum=1)
    if offset is not None and limit is not None and limit <= offset:
        reader.fail(f"{path}.limit", f"{limit} is not above offset ({offset})")
        return None
    if rate is None or offset is None:
        return None
    return PerKm(rate, offset, limit)


def _slices(reader: DocumentReader, value: object, path: str) -> tuple[Slice, ...]:
    items = list(reader.items(value, path, min_items=1))
    slices: list[Slice] = []
    previous_end: int | None = None
    for index, (item_path, item) in enumerate(items):
        last = index == len(items) - 1
        parsed = _slice(reader, item, item_path, last=last)
        if parsed is None:
            previous_end = None
            continue
        if previous_end is not None and parsed.start != previous_end:
            reader.fail(
                f"{item_path}.from",
                f"{parsed.start} must equal the previous slice's to ({previous_end}); "
                "slices are contiguous",
            )
        slices.append(parsed)
        previous_end = parsed.end
    return tuple(slices)


def _slice(
    reader: DocumentReader, value: object, path: str, *, last: bool
) -> Slice | None:
    fields = reader.mapping(
        value, path, required=("from",), optional=("to", "fixed", "per_km")
    )
    if fields is None or "from" not in fields:
        return None
    start = _metres(reader, fields["from"], f"{path}.from")
    end = None
    if "to" in fields:
        end = _metres(reader, fields["to"], f"{path}.to", minimum=1)
    elif not last:
        reader.fail(f"{path}.to", "missing; only the last slice may be open-ended")
        return None
    fixed = _cents(reader, fields.get("fixed", 0), f"{path}.fixed")
    rate = reader.decimal(fields.get("per_km", 0), f"{path}.per_km")
    if start is not None and end is not None and end <= start:
        reader.fail(f"{path}.to", f"{end} is not above from ({start})")
        return None
    if (
        start is None
        or fixed is None
        or rate is None
        or ("to" in fields and end is None)
    ):
        return None
    return Slice(start, end, Decimal(fixed), rate)
