"""Campaigns from files: the YAML campaign files of `policies/campaigns/` and the
national inventory of carpooling incentives, imported as templates."""
