"""Parsing of the registry's open-data CSV files into journey drafts."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from registry_gql.ingestion.opendata import (
    CURRENT_COLUMNS,
    Layout,
    OpenDataFormatError,
    ParsedRow,
    detect_layout,
    iter_rows,
)

TRIPS = Path(__file__).resolve().parents[3] / "shared" / "data" / "rpc_trips"
EXTRACT_2022 = TRIPS / "rpc_trips_2022-01_extract.csv"
SAMPLE_2023 = TRIPS / "rpc_trips_2023-01_27fields_sample.csv"

# Columns that the current publication writes as bare numbers. All others are text.
NUMERIC_COLUMNS = {
    "journey_start_lon",
    "journey_start_lat",
    "journey_end_lon",
    "journey_end_lat",
    "passenger_seats",
    "journey_distance",
    "journey_duration",
}

needs_data = pytest.mark.skipif(
    not TRIPS.is_dir(), reason=f"the open-data extracts are not in {TRIPS}"
)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _parse_text(text: str) -> list[ParsedRow]:
    return list(iter_rows(io.StringIO(text, newline="")))


def _sample_records() -> list[list[str]]:
    lines = SAMPLE_2023.read_text(encoding="utf-8").splitlines()
    return [line.split(";") for line in lines]


def _quoted(header: list[str], row: list[str]) -> str:
    """Write `row` as the current publication does: text quoted, numbers bare."""
    cells = []
    for name, value in zip(header, row, strict=True):
        if value and name not in NUMERIC_COLUMNS:
            cells.append('"' + value.replace('"', '""') + '"')
        else:
            cells.append(value)
    return ";".join(cells)


def _quoted_sample(newline: str, final_newline: bool, bom: bool) -> str:
    header, *rows = _sample_records()
    lines = [";".join(f'"{name}"' for name in header)]
    lines += [_quoted(header, row) for row in rows]
    text = newline.join(lines) + (newline if final_newline else "")
    return ("\ufeff" if bom else "") + text


def _valid_row(journey_id: str = "1001", trip_id: str = "trip-1") -> dict[str, str]:
    _, first, *_ = _sample_records()
    row = dict(zip(CURRENT_COLUMNS, first, strict=True))
    row["journey_id"] = journey_id
    row["trip_id"] = trip_id
    return row


def _csv(rows: list[dict[str, str]]) -> str:
    lines = [";".join(CURRENT_COLUMNS)]
    lines += [";".join(row[name] for name in CURRENT_COLUMNS) for row in rows]
    return "\n".join(lines) + "\n"


@needs_data
def test_extract_2022_parses_every_row() -> None:
    rows = list(iter_rows(EXTRACT_2022))

    assert len(rows) == 6446
    assert [row for row in rows if row.errors] == []
    assert [row.line for row in rows] == list(range(2, 6448))


@needs_data
def test_extract_2022_first_row_fields() -> None:
    first = next(iter(iter_rows(EXTRACT_2022)))
    draft = first.draft
    paris = timezone(timedelta(hours=1))

    assert draft is not None
    assert draft.operator_journey_id == "5492402"
    assert draft.operator_trip_id == "5a280bc3-f42d-4d3b-9554-c6fe5322edb5"
    assert draft.operator_class == "C"
    assert draft.start.datetime == datetime(2022, 1, 1, 0, 0, tzinfo=paris)
    assert draft.end.datetime == datetime(2022, 1, 1, 1, 0, tzinfo=paris)
    assert draft.start.datetime.utcoffset() == timedelta(hours=1)
    assert (draft.start.lat, draft.start.lon) == (49.00, 1.68)
    assert (draft.end.lat, draft.end.lon) == (49.04, 2.10)
    assert draft.distance == 43572
    assert draft.passenger.seats == 1
    assert draft.start_country is None
    assert draft.end_country is None


@needs_data
def test_extract_2022_derived_identities() -> None:
    drafts = [row.draft for row in iter_rows(EXTRACT_2022) if row.draft]
    trips = {draft.operator_trip_id for draft in drafts}
    drivers = {draft.driver.identity.identity_key for draft in drafts}
    passengers = {draft.passenger.identity.identity_key for draft in drafts}

    assert len(trips) == 4158
    assert len(drivers) == 4158
    assert len(passengers) == 6446
    for draft in drafts:
        driver, passenger = draft.driver, draft.passenger
        trip_user = f"opendata:driver:{draft.operator_trip_id}"
        journey_user = f"opendata:passenger:{draft.operator_journey_id}"
        assert driver.identity.operator_user_id == trip_user
        assert driver.identity.identity_key == _sha256(trip_user)
        assert passenger.identity.operator_user_id == journey_user
        assert passenger.identity.identity_key == _sha256(journey_user)
        assert driver.revenue == 0
        assert passenger.contribution == 0
        assert driver.identity.phone is None
        assert driver.identity.phone_trunc is None
        assert passenger.identity.phone_trunc is None
        assert passenger.identity.over18 is None
        assert draft.incentives == ()


@needs_data
def test_extract_2022_reparse_is_identical() -> None:
    first = list(iter_rows(EXTRACT_2022))
    second = list(iter_rows(EXTRACT_2022))

    assert first == second


@needs_data
def test_extract_2022_foreign_countries() -> None:
    drafts = [row.draft for row in iter_rows(EXTRACT_2022) if row.draft]
    starts = [draft.start_country for draft in drafts if draft.start_country]
    ends = [draft.end_country for draft in drafts if draft.end_country]

    # Counted in the file: 13 rows start abroad and 81 end abroad.
    assert len(starts) == 13
    assert len(ends) == 81
    assert set(starts) | set(ends) == {"99137", "99138", "99140"}


@needs_data
def test_sample_2023_current_layout() -> None:
    header = _sample_records()[0]
    rows = list(iter_rows(SAMPLE_2023))

    assert detect_layout(header) is Layout.CURRENT
    assert len(rows) == 5
    assert [row.errors for row in rows] == [[]] * 5
    assert rows[0].draft is not None
    assert rows[0].draft.operator_journey_id == "11462665"
    assert (rows[0].draft.start.lat, rows[0].draft.start.lon) == (43.942, 4.841)


@needs_data
def test_layout_columns_match_files() -> None:
    header_2022 = EXTRACT_2022.read_text(encoding="utf-8").split("\n", 1)[0]

    assert Layout.Y2022.columns == tuple(header_2022.split(";"))
    assert Layout.CURRENT.columns == tuple(_sample_records()[0])
    assert len(Layout.Y2022.columns) == 29
    assert len(Layout.CURRENT.columns) == 27
    assert detect_layout(header_2022.split(";")) is Layout.Y2022


@needs_data
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final_newline", [True, False])
@pytest.mark.parametrize("bom", [True, False])
def test_quoted_current_layout(newline: str, final_newline: bool, bom: bool) -> None:
    expected = list(iter_rows(SAMPLE_2023))
    text = _quoted_sample(newline, final_newline, bom)

    assert text.count('"journey_id"') == 1
    assert ';"Avignon";' in text
    assert ";4.841;43.942;" in text
    assert text.startswith("\ufeff") is bom
    assert text.endswith(newline) is final_newline
    assert _parse_text(text) == expected


@needs_data
def test_quoted_file_with_bom_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_bytes(_quoted_sample("\r\n", True, bom=True).encode("utf-8"))

    assert list(iter_rows(path)) == list(iter_rows(SAMPLE_2023))


@needs_data
def test_empty_values_unquoted() -> None:
    row = _valid_row()
    row["journey_start_towngroup"] = ""
    row["journey_start_department"] = ""
    header = list(CURRENT_COLUMNS)
    text = ";".join(f'"{name}"' for name in header) + "\n"
    text += _quoted(header, [row[name] for name in header])

    (parsed,) = _parse_text(text)

    assert parsed.errors == []
    assert parsed.draft is not None
    assert parsed.draft.operator_journey_id == "1001"


@needs_data
def test_columns_matched_by_name() -> None:
    header, *rows = _sample_records()
    order = [*range(len(header))][::-1]
    lines = [";".join(record[i] for i in order) for record in [header, *rows]]

    assert _parse_text("\n".join(lines)) == list(iter_rows(SAMPLE_2023))


@needs_data
def test_foreign_code_sets_country() -> None:
    row = _valid_row()
    row["journey_end_insee"] = "99140"
    row["journey_start_insee"] = "75056"

    (parsed,) = _parse_text(_csv([row]))

    assert parsed.draft is not None
    assert parsed.draft.end_country == "99140"
    assert parsed.draft.start_country is None


@needs_data
def test_malformed_rows_keep_others() -> None:
    short = ";".join(list(_valid_row("2").values())[:10])
    bad_number = _valid_row("3")
    bad_number["journey_distance"] = "12a"
    bad_date = _valid_row("4")
    bad_date["journey_end_datetime"] = "01/01/2023 00:30"
    no_id = _valid_row("")
    lines = _csv([_valid_row("1"), bad_number, bad_date, no_id, _valid_row("6")])
    header, first, *rest = lines.splitlines()
    text = "\n".join([header, first, short, *rest])

    rows = _parse_text(text)

    assert [row.line for row in rows] == [2, 3, 4, 5, 6, 7]
    assert [row.line for row in rows if row.draft is not None] == [2, 7]
    short_error, number_error, date_error, id_error = (
        row.errors[0] for row in rows[1:5]
    )
    assert [len(row.errors) for row in rows] == [0, 1, 1, 1, 1, 0]
    assert short_error.code == "COLUMN_COUNT"
    assert "line 3 has 10 fields but the header has 27" in short_error.message
    assert number_error.path == "journey_distance"
    assert number_error.code == "INVALID_NUMBER"
    assert "line 4, column journey_distance" in number_error.message
    assert "'12a'" in number_error.message
    assert "Write digits only" in number_error.message
    assert date_error.path == "journey_end_datetime"
    assert date_error.code == "INVALID_DATETIME"
    assert "line 5, column journey_end_datetime" in date_error.message
    assert "2022-01-01T08:10:00+01:00" in date_error.message
    assert id_error.path == "journey_id"
    assert id_error.code == "REQUIRED"
    assert "line 6, column journey_id: the value is empty" in id_error.message


@needs_data
def test_bad_coordinate_and_missing_offset() -> None:
    row = _valid_row()
    row["journey_start_lat"] = "48,85"
    row["journey_start_datetime"] = "2023-01-01T00:00:00"

    (parsed,) = _parse_text(_csv([row]))

    assert parsed.draft is None
    assert {error.path for error in parsed.errors} == {
        "journey_start_lat",
        "journey_start_datetime",
    }
    assert all("line 2, column" in error.message for error in parsed.errors)


@needs_data
def test_blank_lines_skipped_line_numbers_kept() -> None:
    text = _csv([_valid_row("1")]) + "\n" + _csv([_valid_row("2")]).split("\n", 1)[1]

    rows = _parse_text(text)

    assert [row.line for row in rows] == [2, 4]
    assert [row.errors for row in rows] == [[], []]


def test_unknown_header_names_missing_columns() -> None:
    text = "journey_id;trip_id;start;end\n1;2;3;4\n"

    with pytest.raises(OpenDataFormatError) as raised:
        _parse_text(text)

    message = str(raised.value)
    assert "missing the columns" in message
    assert "journey_start_datetime" in message
    assert "has_incentive" in message
    assert "journey_id," not in message


def test_repeated_header_column() -> None:
    header = [*CURRENT_COLUMNS, "journey_id"]

    with pytest.raises(OpenDataFormatError, match="repeats the columns journey_id"):
        detect_layout(header)


def test_empty_file() -> None:
    with pytest.raises(OpenDataFormatError, match="empty"):
        _parse_text("")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (";".join(CURRENT_COLUMNS) + "\nSaint-Ouen-l'Aumône").encode("latin-1")
    )

    with pytest.raises(OpenDataFormatError, match="not UTF-8"):
        list(iter_rows(path))
