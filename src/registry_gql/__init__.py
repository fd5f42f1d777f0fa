"""GraphQL API of a carpooling proof registry."""

__version__ = "0.1.0"
