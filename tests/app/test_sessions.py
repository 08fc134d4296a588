"""Revocable logins: replayed session and "keep me logged in" cookies after logout, password
change, reset, role change and deactivation are refused; each login is listed and can be ended."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import AuditLog, Role, UserLogin, utcnow
from app.services import logins
from tests.factories import PASSWORD, make_company, make_user
from tests.support.web import csrf_token, post_form

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
)
DESK = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def _login(client: FlaskClient, email: str, *, remember: bool = True, agent: str = PHONE) -> None:
    client.environ_base["HTTP_USER_AGENT"] = agent
    token = csrf_token(client, "/auth/login")
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _cookies(client: FlaskClient) -> dict[str, str]:
    """The device's cookies as a thief would copy them."""
    return {
        name: cookie.value
        for name in ("session", "remember_token")
        if (cookie := client.get_cookie(name)) is not None
    }


def _replays(app: Flask, cookies: dict[str, str], only: str, agent: str = PHONE) -> bool:
    """Whether a fresh client holding only one copied cookie reaches the account page."""
    thief = app.test_client()
    thief.environ_base["HTTP_USER_AGENT"] = agent
    thief.set_cookie(only, cookies[only])
    response = thief.get("/auth/me")
    return response.status_code == 200


def _both_replay(app: Flask, cookies: dict[str, str]) -> tuple[bool, bool]:
    return _replays(app, cookies, "session"), _replays(app, cookies, "remember_token")


def test_each_login_has_its_own_remember_cookie_stored_hashed(app, client, db_session):
    """Tests that two logins get different remember cookies and only hashes are stored."""
    rep = make_user(make_company(), Role.REP)
    other = app.test_client()
    _login(client, rep.email)
    _login(other, rep.email, agent=DESK)
    first, second = _cookies(client)["remember_token"], _cookies(other)["remember_token"]
    assert first != second
    stored = list(db.session.scalars(sa.select(UserLogin).where(UserLogin.user_id == rep.id)))
    assert len(stored) == 2
    secrets_in_cookies = {c.split("|")[0] for c in (first, second)}
    assert {row.token_hash for row in stored} == {logins.digest(s) for s in secrets_in_cookies}
    assert not secrets_in_cookies & {row.token_hash for row in stored}
    assert {row.user_agent for row in stored} == {PHONE, DESK}
    assert all(row.remember for row in stored)


def test_logout_refuses_the_replayed_session_and_remember_cookies(app, client, db_session):
    """Tests the finding: after logout, copies of both cookies no longer open the account."""
    rep = make_user(make_company(), Role.REP)
    _login(client, rep.email)
    copied = _cookies(client)
    assert _both_replay(app, copied) == (True, True)  # the copies work while logged in
    post_form(client, "/auth/logout", {})
    assert client.get("/auth/me").status_code == 302
    assert _both_replay(app, copied) == (False, False)
    assert db.session.scalar(sa.select(sa.func.count(UserLogin.id))) == 0


def test_logout_leaves_the_other_devices_logged_in(app, client, db_session):
    """Tests that logging out the phone keeps the desk's login."""
    rep = make_user(make_company(), Role.REP)
    desk = app.test_client()
    _login(client, rep.email)
    _login(desk, rep.email, agent=DESK)
    post_form(client, "/auth/logout", {})
    assert desk.get("/auth/me").status_code == 200


def test_own_password_change_ends_every_login_but_renews_this_one(app, client, db_session):
    """Tests that after a password change the old cookies of every device are refused,
    while the device that changed it stays logged in with new cookies."""
    rep = make_user(make_company(), Role.REP)
    desk = app.test_client()
    _login(client, rep.email)
    _login(desk, rep.email, agent=DESK)
    phone_before, desk_before = _cookies(client), _cookies(desk)
    answer = post_form(
        client,
        "/auth/password",
        {"current": PASSWORD, "new": "caminhos-do-sertao-7", "confirm": "caminhos-do-sertao-7"},
    )
    assert answer.status_code == 302
    assert client.get("/auth/me").status_code == 200
    assert _cookies(client)["remember_token"] != phone_before["remember_token"]
    assert _both_replay(app, phone_before) == (False, False)
    assert _replays(app, desk_before, "session", DESK) is False
    assert _replays(app, desk_before, "remember_token", DESK) is False
    assert desk.get("/auth/me").status_code == 302
    assert _both_replay(app, _cookies(client)) == (True, True)


def test_admin_reset_refuses_the_users_cookies(app, client, db_session):
    """Tests that an administrator's reset (typed, then one-time) logs the user out everywhere."""
    company = make_company()
    admin = make_user(company, Role.ADMIN)
    rep = make_user(company, Role.REP)
    _login(client, admin.email, agent=DESK)
    page = f"/admin/usuarios/{rep.id}"
    for path, data in (
        (f"{page}/senha", {"password": "rota-nova-da-serra-4"}),
        (f"{page}/senha-provisoria", {}),
    ):
        rep.set_password(PASSWORD)
        rep.must_change_password = False
        db.session.flush()
        phone = app.test_client()
        _login(phone, rep.email)
        copied = _cookies(phone)
        assert _both_replay(app, copied) == (True, True)
        assert post_form(client, path, data, page=page).status_code in (200, 302)
        assert _both_replay(app, copied) == (False, False), path
        assert phone.get("/auth/me").status_code == 302


def test_role_change_and_deactivation_end_the_logins(app, client, db_session):
    """Tests that changing a user's profile or blocking them logs them out everywhere."""
    company = make_company()
    admin = make_user(company, Role.ADMIN)
    rep = make_user(company, Role.REP)
    _login(client, admin.email, agent=DESK)
    page = f"/admin/usuarios/{rep.id}"
    fields = {"name": rep.name, "email": rep.email, "role": "rep", "team_id": 0, "active": "y"}
    for change in ({"role": "telesales"}, {"active": ""}):
        phone = app.test_client()
        _login(phone, rep.email)
        copied = _cookies(phone)
        unchanged = post_form(client, page, fields, page=page)
        assert unchanged.status_code == 302
        assert _both_replay(app, copied) == (True, True)  # saving without a change keeps them
        fields = {**fields, **change}
        assert post_form(client, page, fields, page=page).status_code == 302
        assert _both_replay(app, copied) == (False, False), change


def test_account_page_lists_logins_and_ends_one(app, client, db_session):
    """Tests the account page: both devices listed with their names; ending the desk's login
    refuses its cookies and keeps the phone."""
    rep = make_user(make_company(), Role.REP)
    desk = app.test_client()
    _login(client, rep.email)
    _login(desk, rep.email, agent=DESK, remember=False)
    desk_copy = _cookies(desk)
    page = client.get("/auth/me").get_data(as_text=True)
    assert "Chrome · Android" in page
    assert "Chrome · Windows" in page
    assert "este dispositivo" in page
    desk_login = db.session.scalar(
        sa.select(UserLogin.id).where(UserLogin.user_id == rep.id, UserLogin.user_agent == DESK)
    )
    answer = post_form(client, f"/auth/sessoes/{desk_login}/encerrar", {})
    assert answer.status_code == 302
    assert _replays(app, desk_copy, "session", DESK) is False
    assert client.get("/auth/me").status_code == 200
    audit = db.session.scalar(sa.select(AuditLog.action).where(AuditLog.action.like("user.login%")))
    assert audit == "user.login.revoke"


def test_nobody_ends_another_users_login_from_their_page(app, client, db_session):
    """Tests that a login id of someone else answers 404 and stays alive."""
    company = make_company()
    rep, other = make_user(company, Role.REP), make_user(company, Role.REP)
    theirs = app.test_client()
    _login(theirs, other.email)
    their_login = logins.of_user(other.id)[0].id
    _login(client, rep.email)
    assert post_form(client, f"/auth/sessoes/{their_login}/encerrar", {}).status_code == 404
    assert theirs.get("/auth/me").status_code == 200


def test_log_out_everywhere(app, client, db_session):
    """Tests the account page's "log out on every device"."""
    rep = make_user(make_company(), Role.REP)
    desk = app.test_client()
    _login(client, rep.email)
    _login(desk, rep.email, agent=DESK)
    copied = _cookies(client)
    assert post_form(client, "/auth/sessoes/encerrar", {}).status_code == 302
    assert desk.get("/auth/me").status_code == 302
    assert client.get("/auth/me").status_code == 302
    assert _both_replay(app, copied) == (False, False)


def test_admin_lists_and_ends_a_users_logins(app, client, db_session):
    """Tests the admin's user page: the user's devices, one ended, then all."""
    company = make_company()
    admin = make_user(company, Role.ADMIN)
    rep = make_user(company, Role.REP)
    phone, desk = app.test_client(), app.test_client()
    _login(phone, rep.email)
    _login(desk, rep.email, agent=DESK)
    _login(client, admin.email, agent=DESK)
    page = f"/admin/usuarios/{rep.id}"
    html = client.get(page).get_data(as_text=True)
    assert html.count('data-login="') == 2
    phone_login = db.session.scalar(
        sa.select(UserLogin.id).where(UserLogin.user_id == rep.id, UserLogin.user_agent == PHONE)
    )
    post_form(client, f"{page}/sessoes/{phone_login}/encerrar", {}, page=page)
    assert phone.get("/auth/me").status_code == 302
    assert desk.get("/auth/me").status_code == 200
    post_form(client, f"{page}/sessoes/encerrar", {}, page=page)
    assert desk.get("/auth/me").status_code == 302
    assert client.get("/auth/me").status_code == 200  # the admin's own login is untouched


def test_remember_lasts_as_configured_and_an_expired_login_is_refused(app, client, db_session):
    """Tests the remember duration (30 days by default, REMEMBER_COOKIE_DURATION) on the cookie
    and the row, a session-only login's shorter life, and that an expired login stops working."""
    rep = make_user(make_company(), Role.REP)
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=3)
    try:
        _login(client, rep.email)
    finally:
        app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=30)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.expires is not None
    assert timedelta(days=2, hours=23) < cookie.expires - utcnow() <= timedelta(days=3)
    row = logins.of_user(rep.id)[0]
    assert row.expires_at - row.created_at == timedelta(days=3)
    desk = app.test_client()
    _login(desk, rep.email, remember=False, agent=DESK)
    assert desk.get_cookie("remember_token") is None
    desk_row = next(r for r in logins.of_user(rep.id) if not r.remember)
    assert desk_row.expires_at - desk_row.created_at == app.permanent_session_lifetime
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert client.get("/auth/me").status_code == 302
    assert desk.get("/auth/me").status_code == 200


def test_last_seen_is_written_at_most_every_few_minutes(app, client, db_session):
    """Tests that a writing request refreshes last_seen only when it is stale, and that a GET
    never writes it, even when stale (a GET never writes: app/transactions.py)."""
    rep = make_user(make_company(), Role.REP)
    _login(client, rep.email)
    row = logins.of_user(rep.id)[0]
    seen = row.last_seen_at
    post_form(client, "/auth/language", {"locale": "pt_BR"})
    db.session.refresh(row)
    assert row.last_seen_at == seen  # fresh: not written again
    stale = seen - logins.TOUCH_EVERY - timedelta(seconds=1)
    row.last_seen_at = stale
    db.session.flush()
    client.get("/auth/me")
    db.session.refresh(row)
    assert row.last_seen_at == stale  # a read stays a read
    post_form(client, "/auth/language", {"locale": "pt_BR"})
    db.session.refresh(row)
    assert row.last_seen_at >= seen


def test_users_compare_by_row_not_by_login(db_session):
    """Tests that two users are equal when they are the same row, whatever login loaded them
    (Flask-Login's mixin compared get_id(), which is now a login's secret)."""
    company = make_company()
    rep, other = make_user(company, Role.REP), make_user(company, Role.REP)
    assert rep == rep
    assert rep != other
    assert rep in [other, rep]
    assert len({rep, rep, other}) == 2
