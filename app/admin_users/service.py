"""Permission changes by administrators, each recorded in the audit log."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import AuditLog, Role, Team, User
from app.services.accounts import MIN_PASSWORD_LENGTH, password_problems


class PolicyError(ValueError):
    """A change the rules forbid (weak password, demoting oneself)."""


def password_messages(problems: list[str]) -> list[str]:
    """Say in words what `password_problems` found."""
    words = {
        "too_short": _("The password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
        "needs_letters_and_digits": _("The password needs letters and digits."),
    }
    return [words.get(p, p) for p in problems]


def list_users(*, company_id: int) -> list[User]:
    """The company's users by name."""
    return list(db.session.scalars(sa.select(User).where(User.company_id == company_id).order_by(User.name)))


def teams(*, company_id: int) -> list[Team]:
    """The company's teams by name."""
    return list(db.session.scalars(sa.select(Team).where(Team.company_id == company_id).order_by(Team.name)))


def update_user(*, actor: User, user: User, role: Role, team_id: int | None, active: bool) -> dict[str, Any]:
    """Change role/team/active; return (and audit) what changed."""
    if team_id is not None and db.session.get(Team, team_id) not in teams(company_id=user.company_id):
        raise PolicyError("team")
    if user.id == actor.id and (role != user.role or not active):
        raise PolicyError("self")
    changes: dict[str, Any] = {}
    for attr, new in (("role", role), ("team_id", team_id), ("active", active)):
        old = getattr(user, attr)
        if old != new:
            changes[attr] = [str(old) if isinstance(old, Role) else old, str(new) if isinstance(new, Role) else new]
            setattr(user, attr, new)
    if changes:
        db.session.add(AuditLog(company_id=user.company_id, actor_id=actor.id, action="user.update",
                                target=f"user:{user.id}", details=changes))
    db.session.flush()
    return changes


def reset_password(*, actor: User, user: User, password: str) -> list[str]:
    """Set a new password if it meets the policy; return the problems otherwise."""
    problems = password_problems(password)
    if problems:
        return problems
    user.set_password(password)
    db.session.add(AuditLog(company_id=user.company_id, actor_id=actor.id, action="user.password_reset",
                            target=f"user:{user.id}", details={}))
    db.session.flush()
    return []


def audit_entries(*, company_id: int, limit: int = 200) -> list[AuditLog]:
    """The latest audit rows of a company."""
    return list(db.session.scalars(
        sa.select(AuditLog).where(AuditLog.company_id == company_id).order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    ))
