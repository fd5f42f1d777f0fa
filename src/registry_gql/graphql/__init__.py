"""The Strawberry schema: types, queries, mutations, and the HTTP endpoint."""
