"""OAuth 2 token endpoint, signing keys, token verification and the principal."""
