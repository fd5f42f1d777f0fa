"""Access policies per role, checked once per document, and row scopes."""
