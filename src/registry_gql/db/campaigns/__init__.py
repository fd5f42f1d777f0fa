"""Campaigns, incentives and limit counters in PostgreSQL.

Functions take a `Sql` connection: an asyncpg connection, or the GraphQL
request's `RequestDatabase`, whose statements run under row-level security.
"""
