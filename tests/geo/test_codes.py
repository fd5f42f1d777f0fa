from __future__ import annotations

import pytest

from registry_gql.domain.geo import CodeMapper, CommuneAttributes, ReferenceGeography


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("75056", "75056"),
        ("75101", "75056"),
        ("75120", "75056"),
        ("69381", "69123"),
        ("13201", "13055"),
        ("91182", "91228"),
        ("78524", "78158"),
        ("77189", "77262"),
        ("2A004", "2A004"),
        ("97411", "97411"),
        ("99137", "99137"),
        ("99100", "99100"),
        ("00000", None),
        ("98735", None),
        ("991", None),
        ("", None),
    ],
)
def test_canonical_code(
    reference_2022: ReferenceGeography, code: str, expected: str | None
) -> None:
    assert reference_2022.canonical_code(code) == expected


def test_commune_attributes_of_arrondissement(
    reference_2022: ReferenceGeography,
) -> None:
    assert reference_2022.commune("75108") == CommuneAttributes(
        code="75056",
        name="Paris",
        epci="200054781",
        department="75",
        region="11",
    )


def test_commune_attributes_outside_idf(reference_2022: ReferenceGeography) -> None:
    lyon = reference_2022.commune("69381")
    assert lyon is not None
    assert lyon.code == "69123"
    assert lyon.region == "84"
    assert lyon.epci == "200046977"


def test_commune_without_epci(reference_2022: ReferenceGeography) -> None:
    # Île-de-Sein belongs to no EPCI.
    sein = reference_2022.commune("29083")
    assert sein is not None
    assert sein.epci is None


def test_no_attributes_for_foreign_or_unknown(
    reference_2022: ReferenceGeography,
) -> None:
    assert reference_2022.commune("99137") is None
    assert reference_2022.commune("00000") is None


def test_mapper_rejects_dangling_alias() -> None:
    with pytest.raises(ValueError, match="unknown communes"):
        CodeMapper(["75056"], {"75101": "75057"})
