"""Import of the reference geography: communes, aliases, EPCIs and polygons."""

from registry_gql.geo_import.editions import EDITIONS
from registry_gql.geo_import.files import GeoImportError
from registry_gql.geo_import.importer import (
    DEFAULT_GEOJSON,
    ImportSummary,
    ReferenceSource,
    import_reference,
    run_import,
)

__all__ = [
    "DEFAULT_GEOJSON",
    "EDITIONS",
    "GeoImportError",
    "ImportSummary",
    "ReferenceSource",
    "import_reference",
    "run_import",
]
