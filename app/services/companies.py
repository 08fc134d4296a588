"""A company from scratch (its settings and first admin) and the company-wide calendar edits."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import AuditLog, Company, CompanyDayOff, Role, User
from app.services import company_defaults, people, work_calendar
from app.services.errors import Invalid, NotFound

MAX_DAY_OFF_SPAN = 62


@dataclass(frozen=True)
class NewCompany:
    """The created company, its first admin and, when none was given, a one-time password."""

    company: Company
    admin: User
    one_time_password: str | None


def slugify(name: str) -> str:
    """Return a URL-safe identifier of a company name (``Distribuidora São Jorge`` ->
    ``distribuidora-sao-jorge``)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80] or "empresa"


def _free_slug(wanted: str) -> str:
    """Return ``wanted``, or ``wanted-2``, ``wanted-3``... when it is taken."""
    taken = set(db.session.scalars(sa.select(Company.slug).where(Company.slug.like(f"{wanted}%"))))
    slug, n = wanted, 2
    while slug in taken:
        slug, n = f"{wanted[:75]}-{n}", n + 1
    return slug


def create_company(
    *,
    name: str,
    admin_email: str,
    admin_name: str | None = None,
    password: str | None = None,
    state: str = work_calendar.DEFAULT_STATE,
    slug: str | None = None,
) -> NewCompany:
    """Create a company with the recommended settings and its first administrator.

    Without ``password`` the admin gets a one-time password that must be changed at the
    first login. Raises :class:`~app.services.errors.Invalid` (nothing written) on a bad
    name, state, slug, e-mail or password.
    """
    name = name.strip()
    errors: dict[str, Any] = {}
    if not name or len(name) > 200:
        errors["name"] = _l("Type the company name (at most %(n)s characters).", n=200)
    state = state.strip().upper()
    if state not in work_calendar.states():
        errors["state"] = _l("Unknown state: %(state)s.", state=state)
    wanted = slugify(slug or name)
    if slug and db.session.scalar(sa.select(Company.id).where(Company.slug == wanted)):
        errors["slug"] = _l("The identifier %(slug)s is taken.", slug=wanted)
    if errors:
        raise Invalid(errors)
    company = Company(name=name, slug=wanted if slug else _free_slug(wanted), state=state)
    db.session.add(company)
    db.session.flush()
    db.session.add(
        company_defaults.new_settings_row(
            company_id=company.id, note="Configuração inicial (padrões recomendados)"
        )
    )
    email = admin_email.strip().lower()
    values = {
        "email": email,
        "name": (admin_name or email.split("@")[0]).strip(),
        "role": Role.ADMIN,
    }
    created = people.create_user(
        actor=None, company_id=company.id, values=values, password=password
    )
    db.session.add(
        AuditLog(
            company_id=company.id,
            actor_id=None,
            action="company.create",
            target=f"company:{company.id}",
            details={"name": name, "state": state},
        )
    )
    db.session.flush()
    return NewCompany(company, created.user, created.one_time_password)


def update_company(*, actor: User, company: Company, name: str, state: str) -> dict[str, list[Any]]:
    """Rename a company or change the state whose holidays it observes (audited)."""
    errors: dict[str, Any] = {}
    name, state = name.strip(), state.strip().upper()
    if not name or len(name) > 200:
        errors["name"] = _l("Type the company name (at most %(n)s characters).", n=200)
    if state not in work_calendar.states():
        errors["state"] = _l("Unknown state: %(state)s.", state=state)
    if errors:
        raise Invalid(errors)
    changes = {
        k: [getattr(company, k), v]
        for k, v in (("name", name), ("state", state))
        if getattr(company, k) != v
    }
    for key, (_old, new) in changes.items():
        setattr(company, key, new)
    if changes:
        db.session.add(
            AuditLog(
                company_id=company.id,
                actor_id=actor.id,
                action="company.update",
                target=f"company:{company.id}",
                details=changes,
            )
        )
    db.session.flush()
    return changes


def list_days_off(*, company_id: int, since: date) -> list[CompanyDayOff]:
    """Return the company's own days off that end on or after a date, in order."""
    return list(
        db.session.scalars(
            sa.select(CompanyDayOff)
            .where(CompanyDayOff.company_id == company_id, CompanyDayOff.last_day >= since)
            .order_by(CompanyDayOff.first_day, CompanyDayOff.id)
        )
    )


def add_day_off(
    *, actor: User, company_id: int, first_day: date, last_day: date | None, name: str
) -> CompanyDayOff:
    """Add a day (or range) nobody in the company works; plans not started on it are removed."""
    from app.services import planning

    last_day = last_day or first_day
    name = name.strip()
    errors: dict[str, Any] = {}
    if not name or len(name) > 120:
        errors["name"] = _l("Name the day off (at most %(n)s characters).", n=120)
    if last_day < first_day:
        errors["last_day"] = _l("The last day is before the first one.")
    elif (last_day - first_day).days >= MAX_DAY_OFF_SPAN:
        errors["last_day"] = _l("At most %(n)s days at once.", n=MAX_DAY_OFF_SPAN)
    if errors:
        raise Invalid(errors)
    entry = CompanyDayOff(
        company_id=company_id,
        first_day=first_day,
        last_day=last_day,
        name=name,
        created_by_id=actor.id,
    )
    db.session.add(entry)
    removed = planning.discard_unstarted_plans(
        company_id=company_id, first=first_day, last=last_day
    )
    db.session.add(
        AuditLog(
            company_id=company_id,
            actor_id=actor.id,
            action="company.day_off.add",
            target=f"company:{company_id}",
            details={
                "name": name,
                "first_day": first_day.isoformat(),
                "last_day": last_day.isoformat(),
                "plans_removed": removed,
            },
        )
    )
    db.session.flush()
    return entry


def remove_day_off(*, actor: User, company_id: int, day_off_id: int) -> None:
    """Delete one of the company's days off; NotFound when it is not the company's (another
    company's day off looks like no day off at all)."""
    entry = db.session.get(CompanyDayOff, day_off_id)
    if entry is None or entry.company_id != company_id:
        raise NotFound("day off")
    db.session.add(
        AuditLog(
            company_id=company_id,
            actor_id=actor.id,
            action="company.day_off.remove",
            target=f"company:{company_id}",
            details={
                "name": entry.name,
                "first_day": entry.first_day.isoformat(),
                "last_day": entry.last_day.isoformat(),
            },
        )
    )
    db.session.delete(entry)
    db.session.flush()
