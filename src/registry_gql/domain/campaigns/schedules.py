"""Parse values that change on given dates: a plain value or a dated list."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TypeVar

from registry_gql.domain.campaigns.reader import DocumentReader
from registry_gql.domain.campaigns.rules import Dated

T = TypeVar("T")
Parse = Callable[[DocumentReader, object, str], T | None]


def parse_schedule(
    reader: DocumentReader,
    value: object,
    path: str,
    field: str,
    parse: Parse[T],
) -> tuple[Dated[T], ...] | None:
    """Parse either a plain list, which applies on every date, or a list of
    `{from: YYYY-MM-DD, <field>: ...}` entries in increasing date order.

    Only the first entry may leave out `from`; it then applies from the start.
    """
    if _is_dated_list(value):
        assert isinstance(value, Sequence)
        return _parse_entries(reader, value, path, field, parse)
    parsed = parse(reader, value, path)
    return None if parsed is None else (Dated(None, parsed),)


def parse_dated_objects(
    reader: DocumentReader,
    value: object,
    path: str,
    parse: Callable[[DocumentReader, Mapping[str, object], str], T | None],
) -> tuple[Dated[T], ...] | None:
    """Parse one object, which applies on every date, or a list of objects that
    each carry their own `from` date besides their fields."""
    if isinstance(value, Mapping):
        parsed = parse(reader, value, path)
        return None if parsed is None else (Dated(None, parsed),)
    entries: list[Dated[T]] = []
    previous: date | None = None
    ok = True
    for index, (item_path, item) in enumerate(reader.items(value, path, min_items=1)):
        if not isinstance(item, Mapping):
            reader.fail(item_path, "expected an object")
            ok = False
            continue
        starts = _start(reader, item, item_path, index, previous)
        fields = {key: field for key, field in item.items() if key != "from"}
        parsed = parse(reader, fields, item_path)
        if parsed is None or (index > 0 and starts is None):
            ok = False
            continue
        entries.append(Dated(starts, parsed))
        previous = starts or previous
    return tuple(entries) if ok and entries else None


def _is_dated_list(value: object) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str | bytes)
        and bool(value)
        and all(isinstance(item, Mapping) for item in value)
    )


def _parse_entries(
    reader: DocumentReader,
    value: Sequence[object],
    path: str,
    field: str,
    parse: Parse[T],
) -> tuple[Dated[T], ...] | None:
    entries: list[Dated[T]] = []
    previous: date | None = None
    ok = True
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        fields = reader.mapping(item, item_path, required=(field,), optional=("from",))
        if fields is None or field not in fields:
            ok = False
            continue
        starts = _start(reader, fields, item_path, index, previous)
        parsed = parse(reader, fields[field], f"{item_path}.{field}")
        if parsed is None or (index > 0 and starts is None):
            ok = False
            continue
        entries.append(Dated(starts, parsed))
        previous = starts or previous
    return tuple(entries) if ok else None


def _start(
    reader: DocumentReader,
    fields: Mapping[str, object],
    path: str,
    index: int,
    previous: date | None,
) -> date | None:
    if "from" not in fields:
        if index > 0:
            reader.fail(
                f"{path}.from", "missing; only the first entry may leave it out"
            )
        return None
    starts = reader.day(fields["from"], f"{path}.from")
    if starts is not None and previous is not None and starts <= previous:
        reader.fail(
            f"{path}.from",
            f"{starts} is not after the previous entry's {previous}; list entries "
            "in increasing date order",
        )
        return None
    return starts
