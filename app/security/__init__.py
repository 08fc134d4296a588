"""Authorisation (ownership scoping), role checks and HTTP security headers."""
