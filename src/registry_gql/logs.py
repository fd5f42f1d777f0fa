"""Logging: JSON lines on standard error, one logger per module."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from registry_gql.settings import Settings


def configure_logging(settings: Settings) -> None:
    """Send INFO and above as JSON lines to standard error."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
