"""The menu: which pages each role sees. Features append their entries to NAV."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.models import Role


@dataclass(frozen=True)
class NavEntry:
    """One menu entry, shown to some roles."""

    endpoint: str
    label: Any
    roles: frozenset[Role]


ALL_ROLES = frozenset(Role)

NAV: list[NavEntry] = [
    NavEntry("rep.today", _l("Today"), frozenset({Role.REP})),
    NavEntry("rep.week", _l("Week"), frozenset({Role.REP})),
    NavEntry("portfolio.index", _l("Portfolio"), ALL_ROLES),
    NavEntry("runs.index", _l("Planning runs"), frozenset({Role.SUPERVISOR, Role.ADMIN})),
    NavEntry("settings_admin.index", _l("Score settings"), frozenset({Role.ADMIN})),
    NavEntry("telesales.index", _l("Call list"), frozenset({Role.TELESALES})),
    NavEntry("supervisor.index", _l("Dashboard"), frozenset({Role.SUPERVISOR, Role.ADMIN})),
    NavEntry("supervisor.team_day", _l("Team's day"), frozenset({Role.SUPERVISOR, Role.ADMIN})),
    NavEntry("absences.index", _l("Absences"), frozenset({Role.SUPERVISOR, Role.ADMIN})),
    NavEntry("supervisor.targets_page", _l("Targets"), frozenset({Role.SUPERVISOR, Role.ADMIN})),
    NavEntry("supervisor.capacity", _l("Capacity"), frozenset({Role.SUPERVISOR, Role.ADMIN})),
    NavEntry(
        "supervisor.calendars", _l("Visit calendars"), frozenset({Role.SUPERVISOR, Role.ADMIN})
    ),
    NavEntry("imports.index", _l("Import data"), frozenset({Role.ADMIN})),
    NavEntry("admin_users.index", _l("Users"), frozenset({Role.ADMIN})),
    NavEntry("company_admin.index", _l("Company"), frozenset({Role.ADMIN})),
    NavEntry("readiness.index", _l("Readiness"), frozenset({Role.ADMIN})),
]

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.REP: _l("Field rep"),
    Role.TELESALES: _l("Telesales"),
}


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    active: bool


def nav_items() -> list[NavItem]:
    """Menu entries for the logged-in user, in order."""
    if not current_user.is_authenticated:
        return []
    return [
        NavItem(url=url_for(e.endpoint), label=str(e.label), active=request.endpoint == e.endpoint)
        for e in NAV
        if current_user.role in e.roles
    ]


def register(app: Flask) -> None:
    """Expose the menu and role labels to templates."""
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["role_label"] = lambda role: str(ROLE_LABELS.get(Role(role), role))
