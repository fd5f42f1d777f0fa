"""Documents for the differential test: generated ones, and hand-written shapes.

Generated documents come from hypothesis-graphql over the committed schema,
restricted to the compiled root fields. Argument values are drawn mostly from
the seeded data (visible and foreign ids, real cursors, communes that hold
journeys) so that most documents read rows, and sometimes from malformed values
so that the error paths are compared too.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from graphql import ValueNode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from tests.compiler.seed import Seeded

SCHEMA = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
COMPILED_ROOTS = ["journeys", "journey", "node"]


def global_id(type_name: str, node_id: object) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


def _weighted(common: list[Any], rare: list[Any]) -> st.SearchStrategy[Any]:
    """Draw from `common` four times out of five."""
    return st.one_of(
        *[st.sampled_from(common)] * 4,
        st.sampled_from(rare),
    )


def scalar_strategies(
    seeded: Seeded, cursors: list[str]
) -> dict[str, st.SearchStrategy[ValueNode]]:
    journeys = [global_id("Journey", journey_id) for journey_id in seeded.journey_ids]
    operators = [global_id("Operator", seeded.operator_a), global_id("Operator", 2)]
    bad_ids = [
        "nope",
        global_id("Journey", 999_999),
        global_id("Journey", "abc"),
        global_id("Journey", 2**70),
        global_id("Operator", 999),
        global_id("Viewer", 1),
        global_id("Nothing", 1),
    ]
    bad_cursors = [
        "nope",
        "",
        base64.urlsafe_b64encode(b"journey:2024-02-01T00:00:00|1").decode(),
        base64.urlsafe_b64encode(b"journey:yesterday|1").decode(),
    ]
    strings = [*cursors, "95127", "92062", "75056"]
    return {
        "Int": _weighted([1, 2, 3, 5, 20, 100], [0, 101, -1, 2**31 - 1]).map(nodes.Int),
        "ID": _weighted([*journeys, *operators], bad_ids).map(nodes.String),
        "String": _weighted(strings, bad_cursors).map(nodes.String),
        "DateTime": _weighted(
            [
                "2024-02-15T00:00:00+00:00",
                "2024-03-01T12:30:00.250000+01:00",
                "2024-01-01T00:00:00Z",
            ],
            ["2024-02-15T00:00:00", "not a date"],
        ).map(nodes.String),
    }


def generate(
    count: int, scalars: dict[str, st.SearchStrategy[ValueNode]], seed: int
) -> list[str]:
    """Return `count` documents; `seed` makes a run repeatable."""
    documents: list[str] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(queries(SCHEMA, fields=COMPILED_ROOTS, custom_scalars=scalars))
    def collect(document: str) -> None:
        documents.append(document)

    collect()
    return documents
