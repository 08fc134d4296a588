"""Authorisation matrix: every URL rule of the app, every role, objects that belong to others.

POLICY classifies each endpoint: who may use it (besides the positive `owner`), which URL
to try (ids of team 1 / company 1 objects), and how. A new endpoint missing from POLICY
fails `test_every_endpoint_is_classified`: classify it (one line) when you add it.

Principals: anonymous; `rep` (rep2, another team's rep); `telesales` (tel1); `sup_other`
(supervisor of team 2); `admin_other` (administrator of another company); `owner` (the
user the object belongs to, for the positive check). Forbidden means 302 to the login
page for anonymous pages, 401 for the JSON APIs, 403 or 404 for logged-in users.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import (
    AbsenceCover,
    AbsenceCoverLine,
    Appointment,
    CallRequest,
    CoverAction,
    CoverKind,
    Plan,
    PlanStop,
)
from app.services import api_tokens, companies, logins, people
from app.services.clock import local_today
from tests.factories import make_contact, two_teams
from tests.support.web import csrf_token, login

OTHERS = ("rep", "telesales", "sup_other", "admin_other")
PRINCIPAL_KEYS = {
    "rep": "rep2",
    "telesales": "tel1",
    "sup_other": "sup2",
    "admin_other": "other_admin",
}
W = dict[str, Any]


@dataclass(frozen=True)
class Rule:
    """How one endpoint is checked."""

    url: Callable[[W], str]
    owner: str | None = None  # world key of the positive principal; None: public
    allowed: frozenset[str] = frozenset()  # other principals that may use it too
    method: str = "GET"
    api: bool = False  # JSON API: anonymous gets 401, not a login redirect
    token: bool = False  # authenticates with a bearer token instead of the session
    json: Callable[[W], Any] | None = None
    form: Callable[[W], dict[str, Any]] | None = None
    positive: bool = True  # False: side effects too heavy for a positive call (negatives only)


def u(path: str) -> Callable[[W], str]:
    return lambda w: path


ALL = frozenset(OTHERS)
ADMIN_OTHER = frozenset({"admin_other"})
MANAGERS = frozenset({"sup_other", "admin_other"})
TODAY = local_today


def _visit(w: W) -> dict[str, Any]:
    return {
        "client_uuid": str(uuid.uuid4()),
        "action": "check_in",
        "customer_id": w["c_rep1"].id,
        "lat": -23.54,
        "lon": -46.576,
    }


def _first_stop(w: W) -> int:
    """A current stop of rep1's plan (a re-plan replaces the stops)."""
    plan = db.session.scalar(
        sa.select(Plan).where(Plan.user_id == w["rep1"].id, Plan.plan_date == TODAY())
    )
    db.session.refresh(plan)
    return next(s.id for s in plan.stops if s.customer_id)


def _upsert(kind: str) -> Callable[[W], dict[str, Any]]:
    items = {
        "customers": [{"erp_code": "AZ1", "legal_name": "Loja Matriz"}],
        "receivables": [
            {
                "erp_code": "TZ1",
                "customer_code": "AZ-none",
                "issue_date": "2026-11-01",
                "due_date": "2026-11-30",
                "amount": 10,
            }
        ],
        "orders": [
            {
                "order_code": "PZ1",
                "customer_code": "AZ-none",
                "order_date": "2026-11-01",
                "lines": [{"product_code": "S1", "quantity": 1, "unit_price": 1}],
            }
        ],
        "users": [
            {
                "email": "nova.rep@teste.roteiro.app",
                "name": "Nova",
                "role": "rep",
                "work_days": "seg-sáb",
            }
        ],
    }[kind]
    return lambda w: {"items": items, "dry_run": True}


POLICY: dict[str, Rule] = {
    # Public pages and assets.
    "static": Rule(u("/static/css/app.css")),
    "main.healthz": Rule(u("/healthz")),
    "auth.login": Rule(u("/auth/login")),
    "auth.language": Rule(u("/auth/language")),
    "auth.logout": Rule(u("/auth/logout"), method="POST"),
    "rep.shell": Rule(u("/hoje/offline")),
    "rep.service_worker": Rule(u("/sw.js")),
    "rep.manifest": Rule(u("/manifest.webmanifest")),
    "api-docs.openapi_json": Rule(u("/api/v1/openapi.json")),
    # Any logged-in user (their own account / scoped lists).
    "main.index": Rule(u("/"), owner="rep1", allowed=ALL),
    "auth.me": Rule(u("/auth/me"), owner="rep1", allowed=ALL),
    "auth.change_password": Rule(
        u("/auth/password"),
        owner="rep1",
        allowed=ALL,
        method="POST",
        form=lambda w: {"current": "x", "new": "y", "confirm": "z"},
    ),
    "portfolio.index": Rule(u("/carteira/"), owner="rep1", allowed=ALL),
    "portfolio.customer": Rule(lambda w: f"/carteira/clientes/{w['c_rep1'].id}", owner="rep1"),
    "portfolio.customer_edit": Rule(
        lambda w: f"/carteira/clientes/{w['c_rep1'].id}/editar", owner="sup1"
    ),
    "auth.first_password": Rule(u("/auth/nova-senha"), owner="rep1", allowed=ALL),
    "auth.end_login": Rule(
        lambda w: f"/auth/sessoes/{w['login_rep1']}/encerrar", owner="rep1", method="POST"
    ),
    # Logs the caller out everywhere: negatives only.
    "auth.end_all_logins": Rule(
        u("/auth/sessoes/encerrar"), owner="rep1", allowed=ALL, method="POST", positive=False
    ),
    "api_pages.tokens": Rule(u("/conta/api/"), owner="rep1", allowed=ALL),
    "api_pages.revoke": Rule(
        lambda w: f"/conta/api/{w['token_rep1'].id}/revogar", owner="rep1", method="POST"
    ),
    # Field rep.
    "rep.today": Rule(u("/hoje"), owner="rep1", allowed=frozenset({"rep"})),
    "rep.week": Rule(u("/semana"), owner="rep1", allowed=frozenset({"rep"})),
    "rep.stop": Rule(lambda w: f"/hoje/paradas/{_first_stop(w)}", owner="rep1"),
    "rep.api_today": Rule(u("/api/rep/today"), owner="rep1", allowed=frozenset({"rep"}), api=True),
    "rep.api_customers": Rule(
        u("/api/rep/customers?q=Padaria"), owner="rep1", allowed=frozenset({"rep"}), api=True
    ),
    "rep.api_contacts": Rule(
        u("/api/rep/contacts"), owner="rep1", method="POST", api=True, json=_visit
    ),
    "rep.api_replan_preview": Rule(
        u("/api/rep/replan/preview"),
        owner="rep1",
        method="POST",
        api=True,
        json=lambda w: {"lat": -23.55, "lon": -46.63},
    ),
    # Confirm and undo carry a version signed for one user (a forged one answers 400).
    "rep.api_replan_confirm": Rule(
        u("/api/rep/replan/confirm"),
        owner="rep1",
        method="POST",
        api=True,
        json=lambda w: {"token": "forged"},
    ),
    "rep.api_replan_undo": Rule(
        u("/api/rep/replan/undo"),
        owner="rep1",
        method="POST",
        api=True,
        json=lambda w: {"token": "forged"},
    ),
    # Telesales.
    "telesales.index": Rule(u("/televendas/"), owner="tel1", allowed=frozenset({"telesales"})),
    "telesales.log_call": Rule(
        u("/televendas/ligacoes"),
        owner="tel1",
        allowed=frozenset({"telesales"}),
        method="POST",
        form=lambda w: {
            "customer_id": w["c_tel1"].id,
            "client_uuid": str(uuid.uuid4()),
            "outcome": "not_reached",
        },
    ),
    # Supervisors and administrators (scoped to their team / company).
    "supervisor.index": Rule(u("/supervisor/"), owner="sup1", allowed=MANAGERS),
    "supervisor.map_data": Rule(u("/supervisor/mapa.json"), owner="sup1", allowed=MANAGERS),
    "supervisor.team_day": Rule(u("/supervisor/equipe-hoje"), owner="sup1", allowed=MANAGERS),
    "supervisor.team_day_data": Rule(
        u("/supervisor/equipe-hoje.json"), owner="sup1", allowed=MANAGERS
    ),
    "supervisor.customers": Rule(
        lambda w: f"/supervisor/clientes?user={w['rep1'].id}", owner="sup1"
    ),
    "supervisor.targets_page": Rule(
        lambda w: f"/supervisor/metas?team={w['sup1'].team_id}", owner="sup1"
    ),
    "supervisor.targets_history": Rule(
        lambda w: f"/supervisor/metas/historico?team={w['sup1'].team_id}", owner="sup1"
    ),
    "supervisor.calendars": Rule(u("/supervisor/calendario"), owner="sup1", allowed=MANAGERS),
    "supervisor.capacity": Rule(u("/supervisor/capacidade"), owner="sup1", allowed=MANAGERS),
    "supervisor.capacity_apply": Rule(
        u("/supervisor/capacidade/aplicar"),
        owner="sup1",
        method="POST",
        form=lambda w: {"move": f"{w['c_rep1'].id}:{w['rep1'].id}"},
    ),
    "supervisor.calendar": Rule(lambda w: f"/supervisor/calendario/{w['rep1'].id}", owner="sup1"),
    "supervisor.calendar_move": Rule(
        lambda w: f"/supervisor/calendario/{w['rep1'].id}/mover",
        owner="sup1",
        method="POST",
        form=lambda w: {"customer_id": w["c_rep1"].id, "weekday": 1, "weeks": "0,1,2,3"},
    ),
    "supervisor.calendar_pin": Rule(
        lambda w: f"/supervisor/calendario/{w['rep1'].id}/fixar",
        owner="sup1",
        method="POST",
        form=lambda w: {"customer_id": w["c_rep1"].id, "pinned": "1"},
    ),
    "supervisor.calendar_reoptimise": Rule(
        lambda w: f"/supervisor/calendario/{w['rep1'].id}/reotimizar", owner="sup1", method="POST"
    ),
    "runs.index": Rule(u("/planejamentos/"), owner="sup1", allowed=MANAGERS),
    "absences.index": Rule(u("/supervisor/ausencias/"), owner="sup1", allowed=MANAGERS),
    "absences.mark_away": Rule(  # others' reps are not among the form's choices (200, errors)
        u("/supervisor/ausencias/marcar"),
        owner="sup1",
        allowed=MANAGERS,
        method="POST",
        form=lambda w: {
            "rep_id": w["rep1"].id,
            "first_day": "2099-02-02",
            "last_day": "2099-02-02",
            "kind": "other",
        },
    ),
    "absences.propose": Rule(
        u("/supervisor/ausencias/propor"),
        owner="sup1",
        method="POST",
        form=lambda w: {
            "rep_id": w["rep1"].id,
            "day": "2099-01-02",
            "urgent_count": 2,
            "phone_capacity": 0,
            "max_added": 4,
        },
    ),
    "absences.edit_time_off": Rule(
        lambda w: f"/supervisor/ausencias/folgas/{w['time_off'].id}/editar", owner="sup1"
    ),
    "absences.remove_time_off": Rule(
        lambda w: f"/supervisor/ausencias/folgas/{w['time_off'].id}/remover", owner="sup1"
    ),
    "absences.show": Rule(lambda w: f"/supervisor/ausencias/{w['cover'].id}", owner="sup1"),
    "absences.edit_line": Rule(
        lambda w: f"/supervisor/ausencias/{w['cover'].id}/linhas/{w['cover'].lines[0].id}",
        owner="sup1",
        method="POST",
        form=lambda w: {f"l{w['cover'].lines[0].id}-target": "removed"},
    ),
    "absences.apply": Rule(
        lambda w: f"/supervisor/ausencias/{w['cover'].id}/aplicar", owner="sup1", method="POST"
    ),
    "absences.discard": Rule(
        lambda w: f"/supervisor/ausencias/{w['cover'].id}/descartar", owner="sup1", method="POST"
    ),
    # Administrators only.
    "runs.rerun": Rule(
        u("/planejamentos/replanejar"),
        owner="admin",
        allowed=ADMIN_OTHER,
        method="POST",
        positive=False,
    ),
    "settings_admin.index": Rule(u("/admin/configuracoes/"), owner="admin", allowed=ADMIN_OTHER),
    "settings_admin.delivery": Rule(
        u("/admin/configuracoes/entrega"),
        owner="admin",
        allowed=ADMIN_OTHER,
        method="POST",
        form=lambda w: {
            "delivery-nightly_mode": "score",
            "delivery-delivery_rule": "preferred",
            "delivery-lead_time_days": "1",
        },
    ),
    "settings_admin.capacity": Rule(
        u("/admin/configuracoes/capacidade"),
        owner="admin",
        allowed=ADMIN_OTHER,
        method="POST",
        form=lambda w: {"capacity-capacity_under_pct": "70", "capacity-capacity_over_pct": "100"},
    ),
    "imports.index": Rule(u("/admin/importacao/"), owner="admin", allowed=ADMIN_OTHER),
    "imports.template": Rule(
        u("/admin/importacao/modelo/customers.csv"), owner="admin", allowed=ADMIN_OTHER
    ),
    "imports.export": Rule(
        u("/admin/importacao/exportar/customers.csv"), owner="admin", allowed=ADMIN_OTHER
    ),
    "imports.map_columns": Rule(
        u("/admin/importacao/colunas"), owner="admin", allowed=ADMIN_OTHER, method="POST"
    ),
    "imports.confirm": Rule(
        u("/admin/importacao/confirmar"), owner="admin", allowed=ADMIN_OTHER, method="POST"
    ),
    "geocoding.index": Rule(u("/admin/posicoes/"), owner="admin", allowed=ADMIN_OTHER),
    "geocoding.customer": Rule(
        lambda w: f"/admin/posicoes/clientes/{w['c_rep1'].id}", owner="admin"
    ),
    "admin_users.index": Rule(u("/admin/usuarios/"), owner="admin", allowed=ADMIN_OTHER),
    "admin_users.audit": Rule(u("/admin/usuarios/auditoria"), owner="admin", allowed=ADMIN_OTHER),
    "admin_users.edit": Rule(lambda w: f"/admin/usuarios/{w['rep1'].id}", owner="admin"),
    "admin_users.reset_password": Rule(
        lambda w: f"/admin/usuarios/{w['rep1'].id}/senha", owner="admin", method="POST"
    ),
    "admin_users.end_login": Rule(
        lambda w: f"/admin/usuarios/{w['rep2'].id}/sessoes/{w['login_rep2']}/encerrar",
        owner="admin",
        method="POST",
    ),
    "admin_users.end_all_logins": Rule(
        lambda w: f"/admin/usuarios/{w['rep1'].id}/sessoes/encerrar",
        owner="admin",
        method="POST",
        positive=False,
    ),
    "admin_users.create": Rule(u("/admin/usuarios/novo"), owner="admin", allowed=ADMIN_OTHER),
    "admin_users.profile": Rule(
        lambda w: f"/admin/usuarios/{w['rep1'].id}/perfil", owner="admin", method="POST"
    ),
    "admin_users.add_time_off": Rule(
        lambda w: f"/admin/usuarios/{w['rep1'].id}/ausencias", owner="admin", method="POST"
    ),
    "admin_users.remove_time_off": Rule(
        lambda w: f"/admin/usuarios/{w['rep1'].id}/ausencias/{w['time_off'].id}/remover",
        owner="admin",
        method="POST",
    ),
    "admin_users.one_time_password": Rule(
        lambda w: f"/admin/usuarios/{w['rep1'].id}/senha-provisoria",
        owner="admin",
        method="POST",
        positive=False,
    ),
    "company_admin.index": Rule(u("/admin/empresa/"), owner="admin", allowed=ADMIN_OTHER),
    "company_admin.add_day_off": Rule(
        u("/admin/empresa/folgas"),
        owner="admin",
        allowed=ADMIN_OTHER,
        method="POST",
        form=lambda w: {"day_off-name": "Inventário", "day_off-first_day": "2099-01-02"},
    ),
    "company_admin.remove_day_off": Rule(
        lambda w: f"/admin/empresa/folgas/{w['day_off'].id}/remover", owner="admin", method="POST"
    ),
    "readiness.index": Rule(u("/admin/prontidao/"), owner="admin", allowed=ADMIN_OTHER),
    # REST API v1 (bearer tokens; reads scoped, writes for administrators of their own company).
    "api_customers.list_customers": Rule(
        u("/api/v1/customers"), owner="rep1", allowed=ALL, api=True, token=True
    ),
    "api_contacts.export_contacts": Rule(
        u("/api/v1/contacts"), owner="rep1", allowed=ALL, api=True, token=True
    ),
    "api_plans.get_plan": Rule(
        lambda w: f"/api/v1/plans?date={TODAY().isoformat()}&rep_id={w['rep1'].id}",
        owner="rep1",
        api=True,
        token=True,
    ),
    "api_customers.upsert_customers": Rule(
        u("/api/v1/customers"),
        owner="admin",
        allowed=ADMIN_OTHER,
        method="POST",
        api=True,
        token=True,
        json=_upsert("customers"),
    ),
    "api_orders.upsert_orders": Rule(
        u("/api/v1/orders"),
        owner="admin",
        allowed=ADMIN_OTHER,
        method="POST",
        api=True,
        token=True,
        json=_upsert("orders"),
    ),
    "api_users.list_users": Rule(
        u("/api/v1/users"), owner="admin", allowed=ADMIN_OTHER, api=True, token=True
    ),
    "api_users.upsert_users": Rule(
        u("/api/v1/users"),
        owner="admin",
        allowed=ADMIN_OTHER,
        method="POST",
        api=True,
        token=True,
        json=_upsert("users"),
    ),
    # Supervisors' actions on customers (team 1's customer; other teams and companies 404).
    "actions.send_to_telesales": Rule(
        lambda w: f"/acoes/clientes/{w['c_rep1'].id}/televendas", owner="sup1"
    ),
    "actions.book_visit": Rule(lambda w: f"/acoes/clientes/{w['c_rep1'].id}/visita", owner="sup1"),
    "actions.mark_lost": Rule(lambda w: f"/acoes/clientes/{w['c_rep1'].id}/perdido", owner="sup1"),
    "actions.win_back": Rule(
        lambda w: f"/acoes/clientes/{w['c_rep1'].id}/reativar",
        owner="sup1",
        method="POST",
        positive=False,
    ),
    "actions.cancel_visit": Rule(
        lambda w: f"/acoes/visitas/{w['appointment'].id}/cancelar",
        owner="sup1",
        method="POST",
        positive=False,
    ),
    "actions.cancel_request": Rule(
        lambda w: f"/acoes/pedidos/{w['call_request'].id}/cancelar",
        owner="sup1",
        method="POST",
        positive=False,
    ),
    "actions.move": Rule(lambda w: f"/acoes/mover?customer_ids={w['c_rep1'].id}", owner="sup1"),
    "api_customer_actions.send_to_telesales": Rule(
        lambda w: f"/api/v1/customers/{w['c_rep1'].id}/call-requests",
        owner="sup1",
        method="POST",
        api=True,
        token=True,
        json=lambda w: {"seat_id": w["tel1"].id, "due_date": TODAY().isoformat()},
        positive=False,
    ),
    "api_customer_actions.book_visit": Rule(
        lambda w: f"/api/v1/customers/{w['c_rep1'].id}/appointments",
        owner="sup1",
        method="POST",
        api=True,
        token=True,
        json=lambda w: {
            "rep_id": w["rep1"].id,
            "day": (TODAY() + timedelta(days=1)).isoformat(),
            "window_start": "10:00",
            "window_end": "11:00",
        },
        positive=False,
    ),
    "api_customer_actions.mark_lost": Rule(
        lambda w: f"/api/v1/customers/{w['c_rep1'].id}/lost",
        owner="sup1",
        method="POST",
        api=True,
        token=True,
        json=lambda w: {"reason": "fechou"},
        positive=False,
    ),
    "api_customer_actions.move": Rule(
        u("/api/v1/customers/move"),
        owner="sup1",
        method="POST",
        api=True,
        token=True,
        json=lambda w: {"customer_ids": [w["c_rep1"].id], "target_id": w["rep1"].id},
        positive=False,
    ),
    "api_capacity.read_capacity": Rule(
        u("/api/v1/capacity"), owner="sup1", allowed=MANAGERS, api=True, token=True
    ),
    "api_capacity.read_suggestion": Rule(
        u("/api/v1/capacity/suggestion?max_moves=2"),
        owner="sup1",
        allowed=MANAGERS,
        api=True,
        token=True,
    ),
    "api_targets.read_targets": Rule(
        lambda w: f"/api/v1/targets?team_id={w['sup1'].team_id}", owner="sup1", api=True, token=True
    ),
    "api_targets.set_targets": Rule(
        u("/api/v1/targets"),
        owner="sup1",
        method="PUT",
        api=True,
        token=True,
        json=lambda w: {
            "team_id": w["sup1"].team_id,
            "month": TODAY().strftime("%Y-%m"),
            "targets": [{"user_id": w["rep1"].id, "coverage_pct": 80}],
        },
    ),
    "api_receivables.upsert_receivables": Rule(
        u("/api/v1/receivables"),
        owner="admin",
        allowed=ADMIN_OTHER,
        method="POST",
        api=True,
        token=True,
        json=_upsert("receivables"),
    ),
}


def test_every_endpoint_is_classified(app: Flask):
    """Tests that POLICY covers every URL rule (and nothing that no longer exists)."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - set(POLICY)) == [], "classify the new endpoints in POLICY"
    assert sorted(set(POLICY) - endpoints) == []


@pytest.fixture
def world(db_session):
    w = two_teams()
    plan = Plan(
        company_id=w["company"].id,
        user_id=w["rep1"].id,
        plan_date=TODAY(),
        start_s=8 * 3600,
        end_s=18 * 3600,
    )
    plan.stops.append(
        PlanStop(
            seq=1,
            customer_id=w["c_rep1"].id,
            arrival_s=9 * 3600,
            start_s=9 * 3600,
            departure_s=9 * 3600 + 1200,
        )
    )
    db.session.add(plan)
    db.session.flush()
    w["token_rep1"], _clear = api_tokens.create(user=w["rep1"], name="matrix", actor=w["rep1"])
    w["time_off"] = people.add_time_off(
        actor=w["admin"],
        user=w["rep1"],
        first_day=date(2099, 1, 1),
        last_day=date(2099, 1, 2),
        kind="vacation",
    )
    w["day_off"] = companies.add_day_off(
        actor=w["admin"],
        company_id=w["company"].id,
        first_day=date(2099, 3, 1),
        last_day=None,
        name="Feriado municipal",
    )
    make_contact(w["c_rep1"], w["rep1"], TODAY())
    w["appointment"] = Appointment(
        company_id=w["company"].id,
        user_id=w["rep1"].id,
        customer_id=w["c_rep1"].id,
        day=date(2099, 1, 5),
        window_start_s=9 * 3600,
        window_end_s=10 * 3600,
    )
    w["call_request"] = CallRequest(
        company_id=w["company"].id,
        customer_id=w["c_rep1"].id,
        seat_id=w["tel1"].id,
        due_date=TODAY(),
    )
    db.session.add_all([w["appointment"], w["call_request"]])
    w["cover"] = AbsenceCover(
        company_id=w["company"].id, absent_user_id=w["rep1"].id, day=date(2099, 1, 2)
    )
    w["cover"].lines.append(
        AbsenceCoverLine(
            customer_id=w["c_rep1"].id, kind=CoverKind.URGENT, action=CoverAction.UNPLACED
        )
    )
    db.session.add(w["cover"])
    for key in ("rep1", "rep2"):  # a login of another device, to end
        logins.start(
            user=w[key],
            remember=True,
            lifetime=timedelta(days=1),
            user_agent="matrix",
            address=None,
        )
        w[f"login_{key}"] = max(login.id for login in logins.of_user(w[key].id))
        w[key].login_key = None
    db.session.flush()
    return w


class Caller:
    """One principal: a logged-in test client (or anonymous) and a bearer token."""

    def __init__(self, app: Flask, user: Any | None):
        self.client = app.test_client()
        self.user = user
        self.headers: dict[str, str] = {}
        if user is not None:
            assert login(self.client, user.email).status_code == 302
            _token, clear = api_tokens.create(user=user, name="matrix", actor=user)
            self.headers = {"Authorization": f"Bearer {clear}"}

    def call(self, rule: Rule, world: W) -> tuple[int, str]:
        """Status and Location of one request (the response is closed)."""
        response = self._send(rule, world)
        response.close()
        return response.status_code, response.headers.get("Location", "")

    def _send(self, rule: Rule, world: W) -> Any:
        url = rule.url(world)
        headers = dict(self.headers) if rule.token else {}
        if rule.method == "GET":
            return self.client.get(url, headers=headers)
        if not rule.token:
            token = csrf_token(self.client, "/auth/me" if self.user else "/auth/login")
            headers["X-CSRFToken"] = token
        send = self.client.put if rule.method == "PUT" else self.client.post
        if rule.json is not None:
            return send(url, json=rule.json(world), headers=headers)
        data = {**(rule.form(world) if rule.form else {})}
        if not rule.token:
            data["csrf_token"] = headers["X-CSRFToken"]
        return send(url, data=data, headers=headers)


def _denied(rule: Rule, who: str, status: int, location: str) -> str | None:
    if who == "anonymous":
        if rule.api:
            return None if status == 401 else f"expected 401, got {status}"
        return (
            None
            if status == 302 and "/auth/login" in location
            else f"expected login redirect, got {status}"
        )
    return None if status in (403, 404) else f"expected 403/404, got {status}"


def _granted(status: int, location: str, public: bool = False) -> str | None:
    to_login = status == 302 and "/auth/login" in location and not public
    if status >= 500 or status in (401, 403, 404) or to_login:
        return f"expected access, got {status} {location}"
    return None


def test_authorisation_matrix(app: Flask, client, world):
    """Tests every endpoint for every principal: access where the policy grants it,
    refusal elsewhere."""
    callers = {"anonymous": Caller(app, None)}
    callers.update({name: Caller(app, world[key]) for name, key in PRINCIPAL_KEYS.items()})
    owners = {rule.owner for rule in POLICY.values() if rule.owner}
    owner_callers = {key: Caller(app, world[key]) for key in owners}
    failures = []
    # A re-plan replaces stops and logging out ends the sessions: check those last.
    last = ("rep.api_replan_preview", "auth.logout")
    for endpoint, rule in sorted(
        POLICY.items(),
        key=lambda item: (item[0] in last, last.index(item[0]) if item[0] in last else 0, item[0]),
    ):
        public = rule.owner is None
        for who, caller in callers.items():
            allowed = public or who in rule.allowed
            if allowed and not rule.positive:
                continue
            status, location = caller.call(rule, world)
            problem = (
                _granted(status, location, public)
                if allowed
                else _denied(rule, who, status, location)
            )
            if problem:
                failures.append(f"{endpoint} as {who}: {problem}")
        if rule.owner and rule.positive:
            problem = _granted(*owner_callers[rule.owner].call(rule, world))
            if problem:
                failures.append(f"{endpoint} as owner {rule.owner}: {problem}")
    assert failures == [], "\n".join(failures)
