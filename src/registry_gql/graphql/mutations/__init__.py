"""Root mutation fields, one module per group."""
