"""Business rules in plain Python: journeys, statuses, geography, territories."""
