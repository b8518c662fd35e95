"""The staff context's use cases: the staff list, seats, the organisation overview, CSV import,
deactivation and reactivation, and a person's record as employers see it."""
