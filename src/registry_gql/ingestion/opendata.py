"""Parse the national registry's open-data CSV into journey drafts.

The registry publishes one `;`-separated UTF-8 file per month in one of two layouts,
distinguished by the header's column names:

- the 2022 layout, 29 columns, with `journey_start_postalcode` and
  `journey_end_postalcode` after each `*_insee` column;
- the current layout, 27 columns, without the postal codes.

Older files quote nothing. The current publication quotes the header's names and
text values, leaves numbers bare and writes empty values as nothing. Both styles,
CRLF or LF line ends, a UTF-8 byte order mark and a missing final newline are
accepted.

The files hold no identities and no money, so each row gets derived ones that do
not change between imports of the same file:

- driver: one per `trip_id`, `operator_user_id = "opendata:driver:<trip_id>"`;
- passenger: one per row, `operator_user_id = "opendata:passenger:<journey_id>"`;
- each `identity_key` is the SHA-256 hex digest of its `operator_user_id` (UTF-8);
- no phone, `over18` unknown, revenue and contribution 0, no operator incentives.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from registry_gql.domain.journeys import (
    Driver,
    FieldError,
    Identity,
    JourneyDraft,
    Passenger,
    Place,
)

logger = logging.getLogger(__name__)

CURRENT_COLUMNS = (
    "journey_id",
    "trip_id",
    "journey_start_datetime",
    "journey_start_date",
    "journey_start_time",
    "journey_start_lon",
    "journey_start_lat",
    "journey_start_insee",
    "journey_start_department",
    "journey_start_town",
    "journey_start_towngroup",
    "journey_start_country",
    "journey_end_datetime",
    "journey_end_date",
    "journey_end_time",
    "journey_end_lon",
    "journey_end_lat",
    "journey_end_insee",
    "journey_end_department",
    "journey_end_town",
    "journey_end_towngroup",
    "journey_end_country",
    "passenger_seats",
    "operator_class",
    "journey_distance",
    "journey_duration",
    "has_incentive",
)
POSTAL_CODE_COLUMNS = ("journey_start_postalcode", "journey_end_postalcode")

DRIVER_NAMESPACE = "opendata:driver:"
PASSENGER_NAMESPACE = "opendata:passenger:"

# A foreign point carries the INSEE code of its country, 99 followed by 3 digits.
FOREIGN_CODE = re.compile(r"99[0-9]{3}")
DECIMAL = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
WHOLE_NUMBER = re.compile(r"[0-9]+")

DELIMITER = ";"
BYTE_ORDER_MARK = "\ufeff"


class Layout(enum.Enum):
    """Column layout of an open-data file."""

    Y2022 = "2022"
    CURRENT = "current"

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names in the order the registry publishes them."""
        if self is Layout.CURRENT:
            return CURRENT_COLUMNS
        columns = list(CURRENT_COLUMNS)
        for side, postal_code in zip(
            ("start", "end"), POSTAL_CODE_COLUMNS, strict=True
        ):
            columns.insert(columns.index(f"journey_{side}_insee") + 1, postal_code)
        return tuple(columns)


class OpenDataFormatError(ValueError):
    """A file that cannot be read as open data at all (header, encoding)."""


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One data row and either its draft or the errors that prevented one.

    `line` is the row's first line in the file, counting the header as line 1.
    """

    line: int
    draft: JourneyDraft | None
    errors: list[FieldError] = field(default_factory=list)


def detect_layout(header: Sequence[str]) -> Layout:
    """Return the layout of a header row, matched by column names.

    Raises OpenDataFormatError naming the missing or repeated columns. Columns
    that neither layout has are ignored.
    """
    names = [_clean_name(name) for name in header]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise OpenDataFormatError(
            f"The header repeats the columns {', '.join(repeated)}. "
            "Each column name must appear once."
        )
    missing = [name for name in CURRENT_COLUMNS if name not in names]
    if missing:
        raise OpenDataFormatError(
            f"The header is missing the columns {', '.join(missing)}, so this is "
            "not a registry open-data file. Expected the 27-column layout, or the "
            "2022 layout that adds " + " and ".join(POSTAL_CODE_COLUMNS) + "."
        )
    unknown = sorted(set(names) - set(Layout.Y2022.columns))
    if unknown:
        logger.warning("ignoring unknown open-data columns %s", ", ".join(unknown))
    if all(name in names for name in POSTAL_CODE_COLUMNS):
        return Layout.Y2022
    return Layout.CURRENT


def iter_rows(source: str | os.PathLike[str] | TextIO) -> Iterator[ParsedRow]:
    """Parse an open-data file, given by path or as an open text stream.

    Yields one ParsedRow per non-blank data row, in file order. A malformed row
    yields its errors and parsing goes on. A bad header or a file that is not
    UTF-8 raises OpenDataFormatError.
    """
    if isinstance(source, str | os.PathLike):
        with open(source, encoding="utf-8-sig", newline="") as stream:
            yield from _iter_stream(stream)
    else:
        yield from _iter_stream(source)


def _iter_stream(stream: TextIO) -> Iterator[ParsedRow]:
    reader = csv.reader(_without_byte_order_mark(stream), delimiter=DELIMITER)
    try:
        header = next(reader, None)
        if header is None:
            raise OpenDataFormatError("The file is empty. Expected a header line.")
        layout = detect_layout(header)
        logger.debug("open-data layout %s", layout.value)
        index = {_clean_name(name): position for position, name in enumerate(header)}

        last_line = reader.line_num
        for record in reader:
            line, last_line = last_line + 1, reader.line_num
            if not record:
                continue
            yield _parse_record(line, record, index, len(header))
    except UnicodeDecodeError as error:
        raise OpenDataFormatError(
            f"The file is not UTF-8 text after line {reader.line_num} ({error}). "
            "Re-encode it as UTF-8."
        ) from error


def _without_byte_order_mark(lines: Iterable[str]) -> Iterator[str]:
    # The mark is removed before csv reads the header, so that a quoted first
    # column name still starts with its quote.
    iterator = iter(lines)
    for first in iterator:
        yield first.removeprefix(BYTE_ORDER_MARK)
        break
    yield from iterator


def _clean_name(name: str) -> str:
    return name.strip()


def _parse_record(
    line: int, record: list[str], index: Mapping[str, int], width: int
) -> ParsedRow:
    if len(record) != width:
        message = (
            f"line {line} has {len(record)} fields but the header has {width}. "
            'Separate fields with ";" and quote any value that contains ";".'
        )
        return ParsedRow(line, None, [FieldError("row", "COLUMN_COUNT", message)])

    values = {name: record[position].strip() for name, position in index.items()}
    fields = _RowFields(line, values)
    draft = fields.draft()
    if fields.errors:
        return ParsedRow(line, None, fields.errors)
    return ParsedRow(line, draft, [])


class _RowFields:
    """Typed access to one row's values that collects an error per bad column.

    For a bad value an accessor records the error and returns a placeholder, and
    the caller then discards the draft.
    """

    def __init__(self, line: int, values: Mapping[str, str]) -> None:
        self.line = line
        self.values = values
        self.errors: list[FieldError] = []

    def draft(self) -> JourneyDraft:
        journey_id = self.text("journey_id")
        trip_id = self.text("trip_id")
        return JourneyDraft(
            operator_journey_id=journey_id,
            operator_trip_id=trip_id,
            operator_class=self.text("operator_class"),
            start=self.place("start"),
            end=self.place("end"),
            distance=self.whole_number("journey_distance", "metres"),
            driver=Driver(
                identity=derived_identity(DRIVER_NAMESPACE, trip_id), revenue=0
            ),
            passenger=Passenger(
                identity=derived_identity(PASSENGER_NAMESPACE, journey_id),
                contribution=0,
                seats=self.whole_number("passenger_seats", "seats"),
            ),
            start_country=self.country("start"),
            end_country=self.country("end"),
        )

    def place(self, side: str) -> Place:
        return Place(
            datetime=self.instant(f"journey_{side}_datetime"),
            lat=self.decimal(f"journey_{side}_lat", "a WGS84 latitude such as 48.85"),
            lon=self.decimal(f"journey_{side}_lon", "a WGS84 longitude such as 2.35"),
        )

    def country(self, side: str) -> str | None:
        code = self.values[f"journey_{side}_insee"]
        return code if FOREIGN_CODE.fullmatch(code) else None

    def text(self, column: str) -> str:
        value = self.values[column]
        if not value:
            self.fail(column, "REQUIRED", "is empty", "Fill it in")
        return value

    def whole_number(self, column: str, unit: str) -> int:
        value = self.text(column)
        if value and not WHOLE_NUMBER.fullmatch(value):
            self.fail(
                column,
                "INVALID_NUMBER",
                f"is {value!r}, not a whole number of {unit}",
                "Write digits only",
            )
            return 0
        return int(value) if value else 0

    def decimal(self, column: str, example: str) -> float:
        value = self.text(column)
        if value and not DECIMAL.fullmatch(value):
            self.fail(
                column,
                "INVALID_NUMBER",
                f"is {value!r}, not a decimal number",
                f"Write {example}, with a dot",
            )
            return 0.0
        return float(value) if value else 0.0

    def instant(self, column: str) -> datetime:
        value = self.text(column)
        if not value:
            return datetime.min
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            instant = None
        if instant is None or instant.utcoffset() is None:
            self.fail(
                column,
                "INVALID_DATETIME",
                f"is {value!r}, not an ISO 8601 instant with a UTC offset",
                "Write it as 2022-01-01T08:10:00+01:00",
            )
            return datetime.min
        return instant

    def fail(self, column: str, code: str, problem: str, fix: str) -> None:
        message = f"line {self.line}, column {column}: the value {problem}. {fix}."
        self.errors.append(FieldError(column, code, message))


def derived_identity(namespace: str, source_id: str) -> Identity:
    """Build the pseudonymous identity that an import gives to `source_id`.

    The operator user id is `namespace + source_id` and the identity key is the
    SHA-256 hex digest of that id, so every import of a file derives the same
    identities.
    """
    # NOTE: a source id longer than about 235 characters makes an operator user id
    # over the 256-character limit, which validate_journey then rejects.
    user_id = namespace + source_id
    key = hashlib.sha256(user_id.encode("utf-8")).hexdigest()
    return Identity(identity_key=key, operator_user_id=user_id)
