"""Persistence: engine and transactions, migrations, table definitions, repositories."""
