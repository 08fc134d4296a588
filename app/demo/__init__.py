"""Realistic, seeded demo data: one distributor in Greater São Paulo, dated relative to today."""
