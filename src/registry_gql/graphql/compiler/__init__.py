"""Compiled reads: a validated GraphQL query turned into one SQL statement that
builds the response's JSON in PostgreSQL.

Type modules import `compiler.mapping`, so this package imports nothing else on
import.
"""
