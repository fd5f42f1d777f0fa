"""Turn the national inventory of carpooling incentives into campaign templates.

The inventory is a JSON list with one object per EPCI. Each object summarises
the territory's rules: the amount per passenger for the driver (minimum and
maximum, in euros), the driver's monthly maximum, the journey length in km and
the passenger's trips a month. It also says whether passengers ride free, and
whether the start and the end ("et") or either ("ou", "et/ou") must be in the
territory.

The per-km formulas behind the minimum and maximum exist only in the inventory's
free text, so a template pays the minimum as a fixed amount per seat, capped at
the maximum, and its description tells the AOM to add the distance slices. An
entry whose values cannot make a valid campaign is rejected with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from registry_gql.domain.campaigns.campaign import (
    CampaignDefinition,
    validate_definition,
)
from registry_gql.domain.campaigns.errors import RulesError

_TERRITORY_POINTS = {
    "et": "start_and_end",
    "ou": "start_or_end",
    "et/ou": "start_or_end",
}


class GridRejectedError(ValueError):
    """An inventory entry that cannot become a valid template."""


@dataclass(frozen=True, slots=True)
class GridTemplate:
    """A template built from one entry; `key` identifies it across imports."""

    key: str
    siren: str
    definition: CampaignDefinition


def grid_template(
    entry: Mapping[str, Any], epci_name: str | None = None
) -> GridTemplate:
    """Build the template of one inventory entry, or raise GridRejectedError."""
    siren = str(entry.get("code_siren") or "")
    if not (len(siren) == 9 and siren.isdigit()):
        raise GridRejectedError(f"code_siren {siren!r} is not a SIREN of 9 digits")

    minimum = _cents(entry, "conducteur_montant_min_par_passager")
    maximum = _cents(entry, "conducteur_montant_max_par_passager")
    if minimum > maximum:
        raise GridRejectedError(
            f"conducteur_montant_min_par_passager ({minimum / 100:.2f} €) is above "
            f"conducteur_montant_max_par_passager ({maximum / 100:.2f} €)"
        )
    points = _TERRITORY_POINTS.get(str(entry.get("zone_sens_des_trajets")))
    if points is None:
        raise GridRejectedError(
            f"zone_sens_des_trajets {entry.get('zone_sens_des_trajets')!r} is not "
            "et, ou or et/ou"
        )

    document = {
        "version": 1,
        "beneficiary": "driver",
        "free_ride": entry.get("passager_gratuite") == "Oui",
        "guards": {
            "territory": points,
            "distance": {
                "min": _metres(entry, "trajet_longueur_min"),
                "max": _metres(entry, "trajet_longueur_max"),
            },
        },
        "amount": {"per_seat": True, "fixed": minimum, "max": maximum},
        "limits": _limits(entry),
    }
    definition = CampaignDefinition(
        name=f"Inventory grid of {epci_name or 'EPCI ' + siren}",
        description=_description(entry, minimum, maximum),
        territory_id=None,
        starts_at=None,
        ends_at=None,
        time_zone="Europe/Paris",
        budget=None,
        document=document,
    )

    try:
        validate_definition(definition, template=True)
    except RulesError as error:
        raise GridRejectedError(str(error)) from error
    return GridTemplate(f"inventory:{siren}", siren, definition)


def _number(entry: Mapping[str, Any], field: str) -> Decimal:
    value = entry.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GridRejectedError(f"{field} is {value!r}, not a number")
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise GridRejectedError(f"{field} is {value!r}, not a number") from error


def _cents(entry: Mapping[str, Any], field: str) -> int:
    cents = _number(entry, field) * 100
    if cents != cents.to_integral_value() or cents < 0:
        raise GridRejectedError(f"{field} ({entry.get(field)} €) is not a whole cent")
    return int(cents)


def _metres(entry: Mapping[str, Any], field: str) -> int:
    metres = _number(entry, field) * 1000
    if metres != metres.to_integral_value():
        raise GridRejectedError(f"{field} ({entry.get(field)} km) is not whole metres")
    return int(metres)


def _limits(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    limits: list[dict[str, Any]] = []
    if entry.get("conducteur_montant_max_par_mois") is not None:
        limits.append(
            {
                "kind": "amount",
                "person": "driver",
                "period": "month",
                "max": _cents(entry, "conducteur_montant_max_par_mois"),
            }
        )
    if entry.get("passager_trajets_max_par_mois") is not None:
        trips = _number(entry, "passager_trajets_max_par_mois")
        limits.append(
            {
                "kind": "trips",
                "person": "passenger",
                "period": "month",
                "max": int(trips),
            }
        )
    return limits


def _description(entry: Mapping[str, Any], minimum: int, maximum: int) -> str:
    parts = [
        f"From the national inventory of carpooling incentives: {minimum / 100:.2f} € "
        f"to {maximum / 100:.2f} € per passenger for the driver. The inventory does "
        "not give the distance slices between them: this template pays the minimum; "
        "add the slices from the territory's rules.",
    ]
    for label, field in (
        ("Operators", "operateurs"),
        ("Passengers", "passager_montant_ticket"),
        ("Excluded zones", "si_zone_exclue_liste"),
        ("Source", "link"),
    ):
        text = str(entry.get(field) or "").strip()
        if text:
            parts.append(f"{label}: {text}")
    return "\n".join(parts)
