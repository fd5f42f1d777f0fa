"""The compiled path returns exactly what the resolvers return.

Each document runs through an application with compiled reads and through one
without, on the same database and caller. The responses must be equal as JSON,
key order and errors included. `servedBy`, which only the debug extension
carries, tells how many root fields the compiled path really served.
"""

from __future__ import annotations

import pytest

from registry_gql.auth.principal import Principal
from tests.compiler.conftest import Paths, Response
from tests.compiler.generated import generate, scalar_strategies
from tests.compiler.handwritten import cases
from tests.compiler.seed import Seeded

DOCUMENTS_PER_ROLE = 1_000
# Callers of each role take turns, so that both tenants of a role are read.
ROLE_CALLERS = {
    "operator": ("operator", "operator B"),
    "aom": ("aom", "aom Cergy"),
    "admin": ("admin",),
}


def mismatch(document: str, compiled: Response, resolvers: Response) -> str:
    return (
        f"document:\n{document}\ncompiled ({compiled.status}):\n"
        f"{compiled.body[:4000]!r}\nresolvers ({resolvers.status}):\n"
        f"{resolvers.body[:4000]!r}"
    )


@pytest.fixture(scope="module")
def documents(seeded: Seeded) -> list[str]:
    scalars = scalar_strategies(seeded, list(seeded.cursors))
    return generate(DOCUMENTS_PER_ROLE, scalars, seed=20261204)


def compiled_roots(response: Response) -> int:
    return list(response.served_by().values()).count("compiled")


@pytest.mark.parametrize("role", sorted(ROLE_CALLERS))
async def test_generated_documents_agree(
    paths: Paths, callers: dict[str, Principal], documents: list[str], role: str
) -> None:
    assert len(documents) == DOCUMENTS_PER_ROLE
    names = ROLE_CALLERS[role]
    compiled = 0
    for number, document in enumerate(documents):
        principal = callers[names[number % len(names)]]
        response, expected = await paths.both(principal, document)
        assert response.status == expected.status, mismatch(
            document, response, expected
        )
        assert response.parsed() == expected.parsed(), mismatch(
            document, response, expected
        )
        compiled += compiled_roots(response)
    # Without this, a compiler that always fell back would pass. Generated
    # documents often select a field only resolvers serve, or a bad argument.
    assert compiled >= DOCUMENTS_PER_ROLE // 4, compiled


@pytest.mark.parametrize(
    "caller", ["operator", "operator B", "aom", "aom Cergy", "admin"]
)
async def test_handwritten_documents_agree(
    paths: Paths, callers: dict[str, Principal], seeded: Seeded, caller: str
) -> None:
    compiled = 0
    for case in cases(seeded):
        response, expected = await paths.both(
            callers[caller], case.document, case.variables, case.operation_name
        )
        message = f"{case.name}: " + mismatch(case.document, response, expected)
        assert response.status == expected.status, message
        assert response.parsed() == expected.parsed(), message
        compiled += compiled_roots(response)
    assert compiled >= 10, compiled
