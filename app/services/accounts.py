"""User accounts: authentication, passwords, preferences."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import Role, User, utcnow
from app.services import passwords

# Checked against when the e-mail is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
MAX_PASSWORD_LENGTH = passwords.MAX_LENGTH


def authenticate(*, email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (without saying why).

    Only reads: the caller checks the (deliberately slow) hash outside a write transaction, so
    on SQLite a crowd of logins does not hold the one write lock for the length of a hash.
    """
    user = db.session.scalar(
        sa.select(User).where(sa.func.lower(User.email) == email.strip().lower())
    )
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def note_login(user: User) -> None:
    """Record when the user last logged in (apart from :func:`authenticate`, which only reads)."""
    user.last_login_at = utcnow()


def password_problems(
    password: str, *, email: str | None = None, name: str | None = None
) -> list[str]:
    """List what the policy (app.services.passwords) has against a password; empty when accepted.

    Give the person's e-mail and name whenever they are known: the password must not
    contain them.
    """
    return [p.value for p in passwords.problems(password, email=email, name=name)]


def set_locale(*, user: User, locale: str) -> None:
    """Remember the user's interface language."""
    user.locale = locale


class AccountRule(enum.StrEnum):
    """A change to users that the rules forbid, whoever makes it (user page, import, API)."""

    OWN_ROLE = "own_role"  # an administrator changing their own role
    OWN_ACCESS = "own_access"  # an administrator deactivating themselves
    LAST_ADMIN = "last_admin"  # the company would keep no active administrator
    REP_CODE_TAKEN = "rep_code_taken"  # a rep code another user of the company has


def self_change_problems(
    *,
    actor_id: int | None,
    user_id: int | None,
    role_before: Role | None,
    active_before: bool | None,
    role: Role | None,
    active: bool | None,
) -> list[AccountRule]:
    """Rules on changing one's own account: an administrator keeps their role and access.

    ``role``/``active`` None means "not changed"; ``user_id`` None is a new user.
    """
    if actor_id is None or user_id != actor_id:
        return []
    found = []
    if role is not None and role != role_before:
        found.append(AccountRule.OWN_ROLE)
    if active is False and active_before is not False:
        found.append(AccountRule.OWN_ACCESS)
    return found


def rep_code_holders(*, company_id: int) -> dict[str, int]:
    """Rep code -> id of the user of the company who has it."""
    query = sa.select(User.erp_code, User.id).where(
        User.company_id == company_id, User.erp_code.is_not(None)
    )
    return {code: uid for code, uid in db.session.execute(query) if code is not None}


def active_admin_ids(*, company_id: int) -> set[int]:
    """Ids of the company's active administrators."""
    query = sa.select(User.id).where(
        User.company_id == company_id, User.role == Role.ADMIN, User.active.is_(True)
    )
    return set(db.session.scalars(query))


def user_change_problems(
    *,
    actor_id: int | None,
    company_id: int,
    user: User | None,
    role: Role,
    active: bool,
    erp_code: str | None,
) -> list[AccountRule]:
    """Every account rule a change of one user (or a new one, ``user`` None) breaks."""
    found = self_change_problems(
        actor_id=actor_id,
        user_id=user.id if user else None,
        role_before=user.role if user else None,
        active_before=user.active if user else None,
        role=role,
        active=active,
    )
    holder = rep_code_holders(company_id=company_id).get(erp_code) if erp_code else None
    if holder is not None and (user is None or holder != user.id):
        found.append(AccountRule.REP_CODE_TAKEN)
    admins = active_admin_ids(company_id=company_id)
    if (
        user is not None
        and user.id in admins
        and (role != Role.ADMIN or not active)
        and admins == {user.id}
    ):
        found.append(AccountRule.LAST_ADMIN)
    return found


def rule_message(rule: AccountRule) -> str:
    """Say in words which rule a change breaks."""
    words = {
        AccountRule.OWN_ROLE: _("You cannot change your own role."),
        AccountRule.OWN_ACCESS: _("You cannot deactivate yourself."),
        AccountRule.LAST_ADMIN: _("The company needs at least one active administrator."),
        AccountRule.REP_CODE_TAKEN: _("This rep code belongs to another user."),
    }
    return words[rule]
