"""Input files of the geography import, and the errors they raise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class GeoImportError(Exception):
    """An input of the geography import is missing or invalid; nothing was written."""


def require_file(path: Path, hint: str) -> Path:
    """Return `path` if it is a file, else raise GeoImportError with `hint`."""
    if not path.is_file():
        raise GeoImportError(f"file not found: {path}. {hint}")
    return path


def read_json(path: Path, hint: str) -> Any:
    """Parse the JSON file at `path`, raising GeoImportError on any failure."""
    require_file(path, hint)
    try:
        with path.open("rb") as stream:
            return json.load(stream)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GeoImportError(f"cannot read {path}: {error}. {hint}") from error


def read_records(path: Path, hint: str) -> list[dict[str, Any]]:
    """Parse a JSON file whose top level is an array of objects."""
    data = read_json(path, hint)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise GeoImportError(
            f"invalid {path}: expected a JSON array of objects. {hint}"
        )
    return data


def field(path: Path, record: object, where: str, name: str) -> str:
    """Return the non-empty string `record[name]`, else raise naming `where`."""
    value = record.get(name) if isinstance(record, dict) else None
    if not isinstance(value, str) or not value:
        raise GeoImportError(
            f"invalid {path}: {where} has no non-empty string field {name!r}"
        )
    return value
