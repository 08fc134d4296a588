"""Admin users page: role/team/active changes and password resets, each audited; API token pages."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, AuditLog, Role
from tests.factories import two_teams
from tests.support.web import csrf_token, login, post_form


def test_admin_changes_role_team_active_with_audit(client, db_session):
    """Tests a permission change and its audit row; an admin cannot lock themself out."""
    world = two_teams()
    login(client, world["admin"].email)
    rep = world["rep1"]
    page = f"/admin/usuarios/{rep.id}"
    answer = post_form(
        client,
        page,
        {
            "name": rep.name,
            "email": rep.email,
            "role": "telesales",
            "team_id": world["sup2"].team_id,
            "active": "y",
        },
        page=page,
    )
    assert answer.status_code == 302
    db.session.refresh(rep)
    assert (rep.role, rep.team_id) == (Role.TELESALES, world["sup2"].team_id)
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "user.update"))
    assert entry.details["role"] == ["rep", "telesales"]
    assert entry.actor_id == world["admin"].id
    me = f"/admin/usuarios/{world['admin'].id}"
    refused = post_form(
        client,
        me,
        {"name": "Eu", "email": world["admin"].email, "role": "rep", "team_id": 0, "active": "y"},
        page=me,
    )
    assert "mudar o seu próprio perfil" in refused.get_data(as_text=True)
    db.session.refresh(world["admin"])
    assert world["admin"].role == Role.ADMIN
    audit = client.get("/admin/usuarios/auditoria").get_data(as_text=True)
    assert "user.update" in audit
    assert client.get(f"/admin/usuarios/{world['other_rep'].id}").status_code == 404


def test_password_reset_enforces_policy(client, db_session):
    """Tests that weak passwords are refused and a good one works."""
    world = two_teams()
    login(client, world["admin"].email)
    url = f"/admin/usuarios/{world['rep1'].id}/senha"
    page = f"/admin/usuarios/{world['rep1'].id}"
    post_form(client, url, {"password": "curta"}, page=page)
    assert world["rep1"].check_password("senha-teste-123")
    post_form(client, url, {"password": "nova-senha-forte-9"}, page=page)
    db.session.refresh(world["rep1"])
    assert world["rep1"].check_password("nova-senha-forte-9")
    assert db.session.scalar(
        sa.select(AuditLog.action).where(AuditLog.action == "user.password_reset")
    )


def test_token_page_shows_token_once_and_revokes(client, db_session):
    """Tests creating a token on the account page, using it, and revoking it."""
    world = two_teams()
    login(client, world["rep1"].email)
    html = post_form(client, "/conta/api/", {"name": "Planilha"}, page="/conta/api/").get_data(
        as_text=True
    )
    clear = re.search(r'id="new-token">([^<]+)<', html).group(1)
    assert (
        client.get("/api/v1/customers", headers={"Authorization": f"Bearer {clear}"}).status_code
        == 200
    )
    assert clear not in client.get("/conta/api/").get_data(as_text=True)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == world["rep1"].id))
    post_form(client, f"/conta/api/{token.id}/revogar", {}, page="/conta/api/")
    assert (
        client.get("/api/v1/customers", headers={"Authorization": f"Bearer {clear}"}).status_code
        == 401
    )
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/me")})
    login(client, world["rep2"].email)
    assert (
        post_form(client, f"/conta/api/{token.id}/revogar", {}, page="/conta/api/").status_code
        == 404
    )
