"""Errors of campaign documents and campaign changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleError:
    """One invalid value: its path in the document, like `rules.amount.slices[2].to`,
    and what to change."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class RulesError(ValueError):
    """A campaign or rule document is invalid; `errors` lists every invalid value."""

    def __init__(self, errors: Sequence[RuleError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


class CampaignStateError(ValueError):
    """A change that the campaign's status does not allow, such as editing an
    active campaign."""
