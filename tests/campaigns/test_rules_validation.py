"""Rule documents: every invalid value is reported with its exact path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from registry_gql.campaigns_import.files import CAMPAIGNS_DIR, load_campaign_file
from registry_gql.domain.campaigns.campaign import (
    CampaignDefinition,
    check_editable,
    check_transition,
    validate_definition,
)
from registry_gql.domain.campaigns.errors import CampaignStateError, RulesError
from registry_gql.domain.campaigns.parse import parse_rules
from tests.campaigns.builders import rules_of


def errors_of(document: Any) -> dict[str, str]:
    with pytest.raises(RulesError) as caught:
        parse_rules(document)
    return {error.path: error.message for error in caught.value.errors}


def test_campaign_files_are_valid() -> None:
    files = sorted(CAMPAIGNS_DIR.rglob("*.yaml"))
    assert len(files) == 8
    for path in files:
        definition = load_campaign_file(path).definition
        validate_definition(definition, template=True)


def test_slice_end_below_start() -> None:
    document = rules_of("idfm.yaml")
    document["amount"]["slices"][2]["to"] = 20_000
    errors = errors_of(document)
    assert errors == {"rules.amount.slices[2].to": "20000 is not above from (30000)"}


def test_slices_must_be_contiguous() -> None:
    document = rules_of("lannion-tregor-2024.yaml")
    document["amount"]["slices"][1]["from"] = 21_000
    errors = errors_of(document)
    assert list(errors) == ["rules.amount.slices[1].from"]
    assert (
        "must equal the previous slice's to (20000)"
        in errors["rules.amount.slices[1].from"]
    )


def test_only_last_slice_open_ended() -> None:
    document = rules_of("idfm.yaml")
    del document["amount"]["slices"][0]["to"]
    assert "rules.amount.slices[0].to" in errors_of(document)


def test_every_error_reported_at_once() -> None:
    document = rules_of("pays-de-la-loire-2024.yaml")
    document["beneficiary"] = "owner"
    document["guards"]["distance"] = {"min": 60_000, "max": 5_000}
    document["guards"]["places"][0]["selectors"][1]["code"] = "24490001"
    document["limits"][1]["period"] = "week"
    document["amount"]["max"] = -1
    errors = errors_of(document)
    assert set(errors) == {
        "rules.beneficiary",
        "rules.guards.distance.max",
        "rules.guards.places[0].selectors[1].code",
        "rules.limits[1].period",
        "rules.amount.max",
    }
    assert errors["rules.amount.max"] == "-1 is below the minimum 0"


def test_dated_grid_out_of_order() -> None:
    document = rules_of("rennes-2025.yaml")
    document["amount"][1]["from"] = "2024-12-01"
    errors = errors_of(document)
    assert list(errors) == ["rules.amount[1].from"]


def test_schedule_needs_dates_after_first() -> None:
    document = rules_of("idfm.yaml")
    del document["guards"]["operator_classes"][1]["from"]
    assert "rules.guards.operator_classes[1].from" in errors_of(document)


def test_unknown_fields_named() -> None:
    document = rules_of("idfm.yaml")
    document["guards"]["colour"] = "blue"
    document["amount"]["slices"][0]["fixd"] = 150
    errors = errors_of(document)
    assert set(errors) == {"rules.guards.colour", "rules.amount.slices[0].fixd"}


def test_duplicate_limit() -> None:
    document = rules_of("idfm.yaml")
    document["limits"].append(
        {"kind": "trips", "person": "driver", "period": "day", "max": 4}
    )
    assert errors_of(document) == {
        "rules.limits[2]": "duplicate of rules.limits[0] (trips:driver:day)"
    }


def test_invalid_zone() -> None:
    document = rules_of("rennes-2025.yaml")
    # A bow tie: the ring crosses itself.
    document["guards"]["places"][0]["zone"] = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
    }
    errors = errors_of(document)
    assert list(errors) == ["rules.guards.places[0].zone.coordinates"]
    assert errors["rules.guards.places[0].zone.coordinates"].startswith(
        "invalid polygon"
    )


def test_missing_required_fields() -> None:
    errors = errors_of({"version": 2})
    assert set(errors) == {"rules.version", "rules.beneficiary", "rules.amount"}


def test_booster_factor_positive() -> None:
    document = rules_of("idfm.yaml")
    document["boosters"][0]["factor"] = "0"
    assert "rules.boosters[0].factor" in errors_of(document)


def test_float_factor_read_exactly() -> None:
    document = rules_of("idfm.yaml")
    document["boosters"][0]["factor"] = 1.1
    rules = parse_rules(document)
    assert str(rules.boosters[0].factor) == "1.1"


def test_limits_applied_in_documented_order() -> None:
    document = rules_of("pays-de-la-loire-2024.yaml")
    document["limits"] = [
        {"kind": "amount", "person": "driver", "period": "year", "max": 1},
        {"kind": "trips", "person": "all", "period": "campaign", "max": 1},
        {"kind": "amount", "person": "driver", "period": "month", "max": 1},
        {"kind": "trips", "person": "driver", "period": "month", "max": 1},
        {"kind": "seats_per_trip", "person": "driver", "period": "day", "max": 1},
        {"kind": "trips", "person": "driver", "period": "day", "max": 1},
    ]
    keys = [limit.key for limit in parse_rules(document).limits]
    assert keys == [
        "seats_per_trip:driver:day",
        "trips:driver:day",
        "trips:driver:month",
        "trips:all:campaign",
        "amount:driver:month",
        "amount:driver:year",
    ]


def definition(**changes: Any) -> CampaignDefinition:
    fields: dict[str, Any] = {
        "name": "Test",
        "description": "",
        "territory_id": 1,
        "starts_at": datetime(2024, 1, 1, tzinfo=UTC),
        "ends_at": datetime(2025, 1, 1, tzinfo=UTC),
        "time_zone": "Europe/Paris",
        "budget": 1_000,
        "document": rules_of("idfm.yaml"),
        **changes,
    }
    return CampaignDefinition(**fields)


def test_campaign_fields_checked() -> None:
    with pytest.raises(RulesError) as caught:
        validate_definition(
            definition(
                name=" ",
                time_zone="Europe/Lutece",
                ends_at=datetime(2023, 1, 1, tzinfo=UTC),
                budget=-5,
                territory_id=None,
            )
        )
    paths = {error.path for error in caught.value.errors}
    assert paths == {"name", "time_zone", "ends_at", "budget", "territory_id"}


def test_status_transitions() -> None:
    check_transition("draft", "active", definition())
    check_transition("active", "finished", definition())
    with pytest.raises(CampaignStateError):
        check_transition("draft", "finished", definition())
    with pytest.raises(CampaignStateError):
        check_transition("finished", "active", definition())
    with pytest.raises(RulesError) as caught:
        check_transition("draft", "active", definition(ends_at=None))
    assert [error.path for error in caught.value.errors] == ["ends_at"]


def test_only_drafts_edited() -> None:
    check_editable("draft")
    with pytest.raises(CampaignStateError):
        check_editable("active")
