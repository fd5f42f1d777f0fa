"""SQL mappings are declared for every field, with safe identifiers only."""

from __future__ import annotations

import pytest
import strawberry

from registry_gql.graphql.compiler.mapping import (
    Column,
    MappingError,
    Related,
    graphql_field_names,
    map_type,
    mapped_types,
)


def test_mapped_types_cover_every_field() -> None:
    mappings = {mapping.origin.__name__: mapping for mapping in mapped_types()}
    assert set(mappings) >= {"Journey", "Operator", "Commune", "JourneyPlace"}
    for name, mapping in mappings.items():
        missing = graphql_field_names(mapping.origin) - set(mapping.fields)
        assert not missing, f"{name} lacks a SQL mapping for {sorted(missing)}"


def test_unknown_field_is_rejected() -> None:
    @strawberry.type
    class Sample:
        label: str

    with pytest.raises(MappingError, match="no fields"):
        map_type(Sample, {"title": Column("title")})


@pytest.mark.parametrize("name", ["Name", "a-b", "x; DROP TABLE journeys", ""])
def test_unsafe_identifier_is_rejected(name: str) -> None:
    with pytest.raises(MappingError, match="identifier"):
        Column(name)
    with pytest.raises(MappingError, match="identifier"):
        Related(name, (("id", "id"),))
