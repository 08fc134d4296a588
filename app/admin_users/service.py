"""Reading the people pages' lists, password resets and the audit log.

Creating and changing users, work profiles and time off live in `app.services.people`
(shared with the users import and the commands).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AuditLog, Team, User
from app.services import logins
from app.services.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problems


def password_messages(problems: list[str]) -> list[str]:
    """Say in words what `password_problems` found."""
    words = {
        "too_short": _("The password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
        "too_long": _("The password may have at most %(n)s characters.", n=MAX_PASSWORD_LENGTH),
        "common": _(
            "This password is on the list of common or leaked passwords; choose a longer, "
            "unusual one (a phrase of a few words works well)."
        ),
        "pattern": _("The password is a repetition or a sequence; choose another."),
        "personal": _("The password must not contain your name, your e-mail or the system's name."),
    }
    return [words.get(p, p) for p in problems]


def list_users(*, company_id: int) -> list[User]:
    """The company's users by name, with their team and work profile loaded."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.company_id == company_id)
            .order_by(User.name)
            .options(selectinload(User.team), selectinload(User.work_profile))
        )
    )


def teams(*, company_id: int) -> list[Team]:
    """The company's teams by name."""
    return list(
        db.session.scalars(sa.select(Team).where(Team.company_id == company_id).order_by(Team.name))
    )


def reset_password(*, actor: User, user: User, password: str) -> list[str]:
    """Set a new password if it meets the policy; return the problems otherwise."""
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        return problems
    user.set_password(password)
    logins.revoke_all(actor=actor, user=user, reason="password_reset")
    db.session.add(
        AuditLog(
            company_id=user.company_id,
            actor_id=actor.id,
            action="user.password_reset",
            target=f"user:{user.id}",
            details={},
        )
    )
    db.session.flush()
    return []


def audit_entries(*, company_id: int, limit: int = 200) -> list[AuditLog]:
    """The latest audit rows of a company."""
    return list(
        db.session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.company_id == company_id)
            .order_by(AuditLog.at.desc(), AuditLog.id.desc())
            .limit(limit)
        )
    )
