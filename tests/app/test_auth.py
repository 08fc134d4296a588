"""Login, logout, CSRF, cookies and the login rate limit."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Role
from tests.conftest import build_app
from tests.factories import PASSWORD, make_company, make_user
from tests.support.web import csrf_token, login


def test_login_with_good_credentials_lands_on_role_home(client, db_session):
    """Tests that a rep logs in and is sent to a page of their own."""
    company = make_company()
    rep = make_user(company, Role.REP)
    response = login(client, rep.email)
    assert response.status_code == 302
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    assert rep.name in home.get_data(as_text=True)


@pytest.mark.parametrize("which", ["bad_password", "unknown_email"])
def test_bad_credentials_get_one_generic_error(client, db_session, which):
    """Tests that wrong password and unknown e-mail give the same message."""
    rep = make_user(make_company(), Role.REP)
    email = rep.email if which == "bad_password" else "ninguem@teste.roteiro.app"
    response = login(client, email, "senha-errada-000")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "E-mail ou senha incorretos." in text


def test_inactive_user_cannot_log_in(client, db_session):
    """Tests that a deactivated account is refused like a wrong password."""
    rep = make_user(make_company(), Role.REP, active=False)
    assert "E-mail ou senha incorretos." in login(client, rep.email).get_data(as_text=True)


def test_pages_need_login(client, db_session):
    """Tests that anonymous users are sent to the login page."""
    response = client.get("/carteira/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_post_without_csrf_token_is_rejected(client, db_session):
    """Tests that forms refuse a POST without the CSRF token."""
    rep = make_user(make_company(), Role.REP)
    response = client.post("/auth/login", data={"email": rep.email, "password": PASSWORD})
    assert response.status_code == 400


def test_logout_is_a_post_and_ends_the_session(client, db_session):
    """Tests that logging out needs a POST with CSRF and then pages need login again."""
    rep = make_user(make_company(), Role.REP)
    login(client, rep.email)
    assert client.get("/auth/logout").status_code == 405
    token = csrf_token(client, "/auth/me")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/carteira/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, db_session):
    """Tests the session cookie's flags in the default (http) configuration."""
    rep = make_user(make_company(), Role.REP)
    response = login(client, rep.email)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure():
    """Tests that the production configuration marks cookies Secure and sends HSTS."""
    from app.config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert ProductionConfig.HSTS is True


def test_open_redirect_after_login_is_ignored(client, db_session):
    """Tests that ?next= to another host is not followed."""
    rep = make_user(make_company(), Role.REP)
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login?next=https://evil.example/",
        data={"email": rep.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_login_is_rate_limited(app, backend):
    """Tests that repeated login attempts from one address are refused with 429."""
    limited = build_app(app.config["SQLALCHEMY_DATABASE_URI"], LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    codes = []
    for _ in range(5):
        token = csrf_token(client, "/auth/login")
        response = client.post(
            "/auth/login",
            data={"email": "x@teste.roteiro.app", "password": "errada-123456", "csrf_token": token},
        )
        codes.append(response.status_code)
    with limited.app_context():
        db.engine.dispose()
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
