"""Incentive campaigns as declarative data: rule documents, scoring and limits.

The rule language is described in `policies/campaigns/README.md`. Money is integer
euro cents (intermediate values are `Decimal`, never floats), distances are integer
metres, and calendar rules use the campaign's IANA time zone.
"""
