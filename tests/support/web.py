"""Helpers for driving the app through its real forms (CSRF included)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

TOKEN_RE = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def csrf_from(html: str) -> str:
    """Extract the CSRF token of the first form in a page."""
    match = TOKEN_RE.search(html)
    if not match:
        raise AssertionError("no csrf_token in page")
    return match.group(1) or match.group(2)


def csrf_token(client: FlaskClient, page: str = "/auth/login") -> str:
    """Fetch a page with a form and return its CSRF token (bound to the session)."""
    return csrf_from(client.get(page).get_data(as_text=True))


def login(client: FlaskClient, email: str, password: str = "senha-teste-123") -> TestResponse:
    """Log in through the real login form."""
    token = csrf_token(client, "/auth/login")
    return client.post(
        "/auth/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def post_form(
    client: FlaskClient, url: str, data: dict[str, object], page: str = "/auth/me"
) -> TestResponse:
    """POST a form with a valid CSRF token taken from a page of the logged-in user."""
    token = csrf_token(client, page)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)
