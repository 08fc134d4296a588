"""Creating and changing users, their work profiles and time off, one person at a time.

The admin pages and the ``flask company create`` / ``flask users create`` commands call
these functions. The rules themselves live where the users import and the REST API find
them too: account rules in :mod:`app.services.accounts` (an admin never demotes or
deactivates themselves, the company keeps an active admin, a rep code belongs to one
user), the password policy there as well, and the work profile's keys, defaults and
rules in :mod:`app.services.work_profiles`. Updates are partial: only the keys given
change. Field keys are those of the users import (``email``, ``work_days``,
``base_latitude``...). Functions flush, never commit; a refused change raises
:class:`Invalid` before touching anything.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import AuditLog, Role, Team, TimeOff, TimeOffKind, User, WorkProfile
from app.services import accounts, logins, work_profiles
from app.services.clock import local_today
from app.services.errors import Invalid, NotFound

USER_FIELDS = ("email", "name", "role", "team_id", "erp_code", "phone", "active")
PROFILE_FIELDS = work_profiles.KEYS
PROFILE_ROLES = work_profiles.ROLES
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_TIME_OFF_DAYS = 366


@dataclass(frozen=True)
class NewUser:
    """A created user and, when none was chosen, the one-time password to hand over once."""

    user: User
    one_time_password: str | None


def one_time_password(length: int = 14) -> str:
    """Return a random password that meets the policy (letters and digits)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if not accounts.password_problems(candidate):
            return candidate


def password_errors(
    password: str, *, email: str | None = None, name: str | None = None
) -> list[Any]:
    """Say in words why the password policy refuses a password (empty when it accepts it)."""
    # The words live beside the policy's other users (the password forms of the auth and
    # admin pages), so every form names a refused password the same way.
    from app.admin_users.service import password_messages

    return list(password_messages(accounts.password_problems(password, email=email, name=name)))


def _audit(
    actor: User | None, company_id: int, action: str, target: str, details: dict[str, Any]
) -> None:
    db.session.add(
        AuditLog(
            company_id=company_id,
            actor_id=actor.id if actor else None,
            action=action,
            target=target,
            details=details,
        )
    )


def _plain(value: Any) -> Any:
    """JSON-friendly copy of a value for the audit log."""
    if isinstance(value, Role | TimeOffKind):
        return value.value
    if isinstance(value, time | date):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- users


def _clean_user_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise the given user fields (trim, lower-case e-mail, blank codes become None)."""
    out: dict[str, Any] = {}
    for key in USER_FIELDS:
        if key not in values:
            continue
        value = values[key]
        if key in ("email", "name", "erp_code", "phone") and value is not None:
            value = str(value).strip()
            if key == "email":
                value = value.lower()
            if key in ("erp_code", "phone") and not value:
                value = None
        if key == "role" and value is not None and not isinstance(value, Role):
            value = Role(value)
        if key == "team_id" and not value:
            value = None
        if key == "active":
            value = bool(value)
        out[key] = value
    return out


def _user_errors(company_id: int, values: Mapping[str, Any], user: User | None) -> dict[str, Any]:
    """Check user fields against the rules; ``user`` is None for a new one."""
    errors: dict[str, Any] = {}
    own_id = user.id if user is not None else -1
    if "email" in values:
        email = values["email"] or ""
        if not _EMAIL.match(email) or len(email) > 254:
            errors["email"] = _l("Type a valid e-mail address.")
        elif db.session.scalar(
            sa.select(User.id).where(sa.func.lower(User.email) == email, User.id != own_id)
        ):
            errors["email"] = _l("This e-mail is already used by another account.")
    if "name" in values and not (values["name"] or "").strip():
        errors["name"] = _l("Type the person's name.")
    elif "name" in values and len(values["name"]) > 200:
        errors["name"] = _l("At most %(n)s characters.", n=200)
    if "role" in values and values["role"] is None:
        errors["role"] = _l("Choose a profile.")
    if (
        values.get("team_id") is not None
        and db.session.scalar(
            sa.select(Team.id).where(Team.id == values["team_id"], Team.company_id == company_id)
        )
        is None
    ):
        errors["team_id"] = _l("Choose a team of this company.")
    if values.get("erp_code") is not None and len(values["erp_code"]) > 60:
        errors["erp_code"] = _l("At most %(n)s characters.", n=60)
    if values.get("phone") is not None and len(values["phone"]) > 30:
        errors["phone"] = _l("At most %(n)s characters.", n=30)
    return errors


RULE_FIELDS = {
    accounts.AccountRule.OWN_ROLE: "role",
    accounts.AccountRule.OWN_ACCESS: "active",
    accounts.AccountRule.LAST_ADMIN: "role",
    accounts.AccountRule.REP_CODE_TAKEN: "erp_code",
}


def _rule_errors(
    actor: User | None, company_id: int, user: User | None, values: Mapping[str, Any]
) -> dict[str, Any]:
    """The account rules shared with the users import and the API, as field errors."""
    role = values.get("role") or (user.role if user is not None else None)
    active = values.get("active", user.active if user is not None else True)
    code = values.get("erp_code", user.erp_code if user is not None else None)
    if role is None:
        return {}
    errors: dict[str, Any] = {}
    for rule in accounts.user_change_problems(
        actor_id=actor.id if actor else None,
        company_id=company_id,
        user=user,
        role=role,
        active=active,
        erp_code=code,
    ):
        field = RULE_FIELDS[rule]
        if rule == accounts.AccountRule.LAST_ADMIN and "active" in values and not values["active"]:
            field = "active"
        errors.setdefault(field, accounts.rule_message(rule))
    return errors


def create_user(
    *, actor: User | None, company_id: int, values: Mapping[str, Any], password: str | None = None
) -> NewUser:
    """Create a user; without a password, a one-time one that must be changed at first login.

    ``values`` needs ``email``, ``name`` and ``role``; the other user fields are optional.
    Raises :class:`Invalid` with every problem found.
    """
    clean = _clean_user_values(values)
    errors = {k: _l("Required.") for k in ("email", "name", "role") if not clean.get(k)}
    errors.update(
        {k: v for k, v in _user_errors(company_id, clean, None).items() if k not in errors}
    )
    errors.update(
        {k: v for k, v in _rule_errors(actor, company_id, None, clean).items() if k not in errors}
    )
    if password is not None and (
        problems := password_errors(password, email=clean.get("email"), name=clean.get("name"))
    ):
        errors["password"] = " ".join(str(p) for p in problems)
    if errors:
        raise Invalid(errors)
    chosen = password if password is not None else one_time_password()
    user = User(company_id=company_id, active=clean.pop("active", True), **clean)
    user.set_password(chosen)
    user.must_change_password = password is None
    db.session.add(user)
    db.session.flush()
    _audit(
        actor,
        company_id,
        "user.create",
        f"user:{user.id}",
        {k: _plain(getattr(user, k)) for k in USER_FIELDS},
    )
    db.session.flush()
    return NewUser(user, None if password is not None else chosen)


def update_user(
    *, actor: User | None, user: User, values: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """Change the given user fields; return (and audit) what changed as ``{key: [old, new]}``."""
    clean = _clean_user_values(values)
    errors = _user_errors(user.company_id, clean, user)
    for key, message in _rule_errors(actor, user.company_id, user, clean).items():
        errors.setdefault(key, message)
    if errors:
        raise Invalid(errors)
    changes: dict[str, list[Any]] = {}
    for key, new in clean.items():
        old = getattr(user, key)
        if old != new:
            changes[key] = [_plain(old), _plain(new)]
            setattr(user, key, new)
    if changes:
        _audit(actor, user.company_id, "user.update", f"user:{user.id}", changes)
    if "role" in changes or "active" in changes:
        # What the person may do changed: their open logins end, the next one gets the new role.
        logins.revoke_all(actor=actor, user=user, reason="role" if "role" in changes else "active")
    db.session.flush()
    return changes


def set_one_time_password(*, actor: User | None, user: User) -> str:
    """Replace a user's password by a one-time one (changed at next login); return it once."""
    clear = one_time_password()
    user.set_password(clear)
    user.must_change_password = True
    _audit(actor, user.company_id, "user.password_reset", f"user:{user.id}", {"one_time": True})
    logins.revoke_all(actor=actor, user=user, reason="password_reset")
    db.session.flush()
    return clear


def choose_own_password(*, user: User, password: str) -> list[Any]:
    """Set the password a user chose (replacing a one-time one, or changing their own).

    Returns the policy's objections (nothing changes then). Every login of the user ends:
    the caller starts a new one for the device the change came from.
    """
    problems = password_errors(password, email=user.email, name=user.name)
    if problems:
        return problems
    user.set_password(password)
    user.must_change_password = False
    _audit(user, user.company_id, "user.password_change", f"user:{user.id}", {})
    logins.revoke_all(actor=user, user=user, reason="password_change")
    db.session.flush()
    return []


# --------------------------------------------------------------------------- work profile


def profile_values(profile: WorkProfile | None) -> dict[str, Any]:
    """Return a profile's fields by key (a new profile's defaults when there is none)."""
    return work_profiles.defaults() if profile is None else work_profiles.values_of(profile)


def _base_errors(given: Mapping[str, Any]) -> dict[str, Any]:
    """Coordinates come in pairs, inside the globe; an address fits its column."""
    lat, lon = given.get("base_latitude"), given.get("base_longitude")
    if ("base_latitude" in given) != ("base_longitude" in given):
        return {"base_longitude": _l("Give both coordinates, or neither.")}
    if lat is not None and not -90 <= lat <= 90:
        return {"base_latitude": _l("A latitude is between -90 and 90.")}
    if lon is not None and not -180 <= lon <= 180:
        return {"base_longitude": _l("A longitude is between -180 and 180.")}
    if len(given.get("base_address") or "") > 300:
        return {"base_address": _l("At most %(n)s characters.", n=300)}
    return {}


def update_work_profile(
    *, actor: User | None, user: User, values: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """Create or change a rep's or telesales seat's work profile with the given fields.

    Missing keys keep their stored value (or the defaults of a new profile). The base
    (address and coordinates) is both where the day starts and where it ends; the lunch
    window is where the whole break fits (see :mod:`app.services.work_profiles`).
    """
    given = {k: v for k, v in values.items() if k in work_profiles.KEYS}
    if isinstance(given.get("base_address"), str):
        given["base_address"] = given["base_address"].strip() or None
    if user.role not in work_profiles.ROLES:
        raise Invalid({"role": _l("Only field reps and telesales seats have a work profile.")})
    before = profile_values(user.work_profile)
    merged = {**before, **given}
    errors = _base_errors(given)
    for key, message in work_profiles.problems(merged):
        errors.setdefault(key, message)
    if errors:
        raise Invalid(errors)
    profile = user.work_profile
    if profile is None:
        profile = WorkProfile(user_id=user.id)
        user.work_profile = profile
        db.session.add(profile)
    changes = {
        k: [_plain(before[k]), _plain(merged[k])]
        for k in work_profiles.KEYS
        if before[k] != merged[k]
    }
    for column, value in work_profiles.model_values(merged).items():
        setattr(profile, column, value)
    if changes or profile.id is None:
        _audit(actor, user.company_id, "user.work_profile", f"user:{user.id}", changes)
    db.session.flush()
    return changes


# --------------------------------------------------------------------------- time off


def _check_time_off(first_day: date, last_day: date, kind: TimeOffKind | str) -> TimeOffKind:
    """The range and kind of a time off, or :class:`Invalid` naming the field."""
    errors: dict[str, Any] = {}
    if last_day < first_day:
        errors["last_day"] = _l("The last day is before the first one.")
    elif (last_day - first_day).days >= MAX_TIME_OFF_DAYS:
        errors["last_day"] = _l("At most %(n)s days at once.", n=MAX_TIME_OFF_DAYS)
    try:
        kind = TimeOffKind(kind)
    except ValueError:
        errors["kind"] = _l("Choose vacation, sick leave or other.")
    if errors:
        raise Invalid(errors)
    return TimeOffKind(kind)


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=k) for k in range((last - first).days + 1)}


def add_time_off(
    *,
    actor: User | None,
    user: User,
    first_day: date,
    last_day: date,
    kind: TimeOffKind | str,
    note: str | None = None,
) -> TimeOff:
    """Record a range of days a person does not work; plans not started in it are removed."""
    from app.services import planning

    entry = TimeOff(
        company_id=user.company_id,
        user_id=user.id,
        first_day=first_day,
        last_day=last_day,
        kind=_check_time_off(first_day, last_day, kind),
        note=(note or "").strip()[:200] or None,
    )
    db.session.add(entry)
    db.session.flush()
    removed = planning.discard_unstarted_plans(user_id=user.id, first=first_day, last=last_day)
    _audit(
        actor,
        user.company_id,
        "user.time_off.add",
        f"user:{user.id}",
        {
            "first_day": first_day.isoformat(),
            "last_day": last_day.isoformat(),
            "kind": entry.kind.value,
            "plans_removed": removed,
        },
    )
    db.session.flush()
    return entry


def _own_time_off(user: User, time_off_id: int) -> TimeOff:
    entry = db.session.get(TimeOff, time_off_id)
    if entry is None or entry.user_id != user.id:
        raise NotFound("time off")
    return entry


def edit_time_off(
    *,
    actor: User | None,
    user: User,
    time_off_id: int,
    first_day: date,
    last_day: date,
    kind: TimeOffKind | str,
    note: str | None = None,
) -> TimeOff:
    """Change a person's time-off range, kind or note, with what adding and removing days do.

    Days newly off lose their plans not started (as when time off is added); days no longer
    off lose their cover proposals, and an applied cover of a coming day refuses the change
    (:func:`app.services.absence_cover.release_days`). Audited with the range before and after.
    """
    from app.services import absence_cover, planning

    entry = _own_time_off(user, time_off_id)
    checked = _check_time_off(first_day, last_day, kind)
    before = {
        "first_day": entry.first_day.isoformat(),
        "last_day": entry.last_day.isoformat(),
        "kind": entry.kind.value,
        "note": entry.note,
    }
    released = _days(entry.first_day, entry.last_day) - _days(first_day, last_day)
    discarded = absence_cover.release_days(
        actor=actor, user=user, days=released, today=local_today()
    )
    entry.first_day, entry.last_day, entry.kind = first_day, last_day, checked
    entry.note = (note or "").strip()[:200] or None
    db.session.flush()
    removed = planning.discard_unstarted_plans(user_id=user.id, first=first_day, last=last_day)
    after = {
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        "kind": checked.value,
        "note": entry.note,
    }
    _audit(
        actor,
        user.company_id,
        "user.time_off.edit",
        f"user:{user.id}",
        {
            "before": before,
            "after": after,
            "plans_removed": removed,
            "covers_set_aside": discarded,
        },
    )
    db.session.flush()
    return entry


def remove_time_off(*, actor: User | None, user: User, time_off_id: int) -> None:
    """Delete one of a person's time-off ranges; NotFound when it is not theirs.

    The days become working days again: their cover proposals are set aside, and an applied
    cover of a coming day refuses the removal (:class:`Invalid`, key ``time_off``).
    """
    from app.services import absence_cover

    entry = _own_time_off(user, time_off_id)
    discarded = absence_cover.release_days(
        actor=actor,
        user=user,
        days=_days(entry.first_day, entry.last_day),
        today=local_today(),
    )
    _audit(
        actor,
        user.company_id,
        "user.time_off.remove",
        f"user:{user.id}",
        {
            "first_day": entry.first_day.isoformat(),
            "last_day": entry.last_day.isoformat(),
            "kind": entry.kind.value,
            "covers_set_aside": discarded,
        },
    )
    db.session.delete(entry)
    db.session.flush()
