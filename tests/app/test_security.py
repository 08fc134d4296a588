"""Security headers, no inline scripts/styles in templates, the password policy on /auth/me."""

from __future__ import annotations

import re
from pathlib import Path

from app.extensions import db
from app.models import Role
from tests.conftest import build_app
from tests.factories import make_company, make_user, two_teams
from tests.support.web import login, post_form

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_security_headers_on_pages_and_api(client, db_session):
    """Tests CSP without inline script/style, frame denial and nosniff on HTML and JSON."""
    for url in ("/auth/login", "/api/v1/openapi.json", "/api/v1/customers"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in headers


def test_hsts_behind_tls(tmp_path):
    """Tests that the production settings (behind TLS) send HSTS and secure cookies."""
    from app.config import ProductionConfig

    app = build_app(
        f"sqlite:///{tmp_path / 'p.sqlite3'}",
        HSTS=ProductionConfig.HSTS,
        SESSION_COOKIE_SECURE=ProductionConfig.SESSION_COOKIE_SECURE,
    )
    answer = app.test_client().get("/healthz", base_url="https://roteiro.example")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_templates_have_no_inline_scripts_or_styles():
    """Tests every template: scripts only by src, no style attributes or <style> blocks, no
    on* handlers."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(
            r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", text
        ) or re.search(r"<style\b", text):
            offenders.append(f"{path.name}: inline script/style block")
        if re.search(r"\sstyle=\"", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path.name}: inline attribute")
    assert offenders == []


def test_change_password_enforces_policy(client, db_session):
    """Tests the /auth/me form: wrong current password, weak new one, mismatch, then success."""
    world = two_teams()
    user = world["rep1"]
    login(client, user.email)
    url = "/auth/password"
    post_form(
        client,
        url,
        {"current": "errada-123", "new": "outra-senha-forte-1", "confirm": "outra-senha-forte-1"},
    )
    post_form(client, url, {"current": "senha-teste-123", "new": "curta", "confirm": "curta"})
    post_form(
        client,
        url,
        {"current": "senha-teste-123", "new": "password1234", "confirm": "password1234"},
    )
    post_form(
        client,
        url,
        {"current": "senha-teste-123", "new": "outra-senha-forte-1", "confirm": "diferente-1"},
    )
    db.session.refresh(user)
    assert user.check_password("senha-teste-123")
    page = client.get("/auth/me").get_data(as_text=True)
    assert "auth/password" in page
    answer = post_form(
        client,
        url,
        {
            "current": "senha-teste-123",
            "new": "outra-senha-forte-1",
            "confirm": "outra-senha-forte-1",
        },
    )
    assert answer.status_code == 302
    db.session.refresh(user)
    assert user.check_password("outra-senha-forte-1")


def test_proxy_headers_trusted_only_when_configured(tmp_path):
    """Tests X-Forwarded-Proto from one trusted proxy: the app then sees https."""
    from flask import request

    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "roteiro.example"}
    for hops, scheme in ((0, "http"), (1, "https")):
        app = build_app(f"sqlite:///{tmp_path / f'p{hops}.sqlite3'}", TRUSTED_PROXIES=hops)

        @app.get("/_scheme")
        def scheme_probe() -> str:
            return request.scheme

        assert app.test_client().get("/_scheme", headers=forwarded).get_data(as_text=True) == scheme


def test_per_user_responses_are_never_stored_and_static_assets_keep_caching(client, db_session):
    """Tests `Cache-Control: no-store` on pages, API answers and exports, not on static files."""
    from app.services import api_tokens

    company = make_company()
    admin = make_user(company, Role.ADMIN)
    _token, clear = api_tokens.create(user=admin, name="cache", actor=admin)
    login(client, admin.email)
    bearer = {"Authorization": f"Bearer {clear}"}
    for url, headers in (
        ("/auth/me", {}),
        ("/supervisor/", {}),
        ("/admin/usuarios/", {}),
        ("/admin/importacao/exportar/customers.csv", {}),
        ("/api/v1/contacts", bearer),
        ("/auth/login", {}),
    ):
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 302), url
        assert response.headers.get("Cache-Control") == "no-store", url
    static = client.get("/static/css/app.css")
    assert "no-store" not in (static.headers.get("Cache-Control") or "")
    assert client.get("/sw.js").headers["Cache-Control"] == "no-cache"  # its own, kept
