"""Scheduled jobs (thin functions) and the pure unit of work sent to solver processes."""
