"""The one path by which journeys enter the registry, live or imported."""
