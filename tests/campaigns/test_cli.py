from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.cli import main
from tests.conftest import DATA_DIR

INVENTORY = DATA_DIR / "incentives" / "incitations-covoiturage.json"


def test_import_templates_command(
    database_url: str,
    clean_db: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    main(["campaigns", "import-templates", str(INVENTORY)])
    assert capsys.readouterr().out.strip() == (
        "108 templates imported, 3 grids rejected"
    )


def test_compute_unknown_campaign_fails(
    database_url: str,
    clean_db: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    with pytest.raises(SystemExit) as exit_info:
        main(["campaigns", "compute", "--campaign", "999999"])
    assert exit_info.value.code == 2
    assert "999999" in capsys.readouterr().err
