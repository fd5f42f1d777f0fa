"""The `demo` command: a database with demo data, then the API."""
