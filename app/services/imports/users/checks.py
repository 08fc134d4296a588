"""The checks of a users file beyond its cells: uniqueness and the account rules."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import Role, User
from app.services import accounts, work_profiles
from app.services.imports import values as v
from app.services.imports.base import Context, Problem, Record, duplicates, require_new
from app.services.imports.users.columns import BY_KEY, COLUMNS, PROFILE_KEYS
from app.services.imports.users.stored import Stored, new_profile, new_role


def validate(records: list[Record], ctx: Context) -> list[Problem]:
    """Unique e-mails and rep codes, the account rules, and usable work profiles."""
    filename = ctx.filename
    problems = duplicates(records, "email", "E-mail", filename)
    problems += duplicates(records, "erp_code", "Código do representante", filename)
    emails = [r.values["email"] for r in records if r.values.get("email")]
    foreign = (
        set(
            db.session.scalars(
                sa.select(User.email).where(
                    User.email.in_(emails), User.company_id != ctx.company_id
                )
            )
        )
        if emails
        else set()
    )
    stored = Stored.load(ctx.company_id)
    require_new(
        records,
        COLUMNS,
        ctx.present,
        lambda r: r.values.get("email") not in stored.users,
        filename,
        problems,
    )
    for rec in records:
        if rec.values.get("email") in foreign:
            problems.append(
                Problem(rec.row, "E-mail", _("This e-mail belongs to another company."), filename)
            )
            continue
        problems += _row_rules(rec, stored, ctx)
    problems += _rep_codes(records, stored, filename)
    if not problems:  # the file-wide rule once the rows are right (a self-demotion is said once)
        problems += _admins_left(records, stored, ctx)
    return problems


def _row_rules(rec: Record, stored: Stored, ctx: Context) -> list[Problem]:
    """The account rules on changing oneself, and the work profile of the row."""
    old = stored.users.get(rec.values.get("email", ""))
    role = rec.values.get("role")
    broken = accounts.self_change_problems(
        actor_id=ctx.actor_id,
        user_id=old["id"] if old else None,
        role_before=Role(old["role"]) if old else None,
        active_before=old["active"] if old else None,
        role=Role(role) if role else None,
        active=rec.values.get("active"),
    )
    problems = [
        Problem(
            rec.row,
            "Perfil" if rule == accounts.AccountRule.OWN_ROLE else "Ativo",
            accounts.rule_message(rule),
            ctx.filename,
        )
        for rule in broken
    ]
    role_after = new_role(rec, old)
    given = [k for k in PROFILE_KEYS if k in rec.values]
    if role_after is None or not given:
        return problems
    if role_after not in work_profiles.ROLES:
        if any(rec.values[k] is not v.CLEAR for k in given):
            problems.append(
                Problem(
                    rec.row,
                    BY_KEY[given[0]].header,
                    _("Only field reps and telesales have a work profile; leave it blank."),
                    ctx.filename,
                )
            )
        return problems
    for key, message in work_profiles.problems(new_profile(rec, old, stored)):
        problems.append(Problem(rec.row, BY_KEY[key].header, str(message), ctx.filename))
    return problems


def _rep_codes(records: list[Record], stored: Stored, filename: str) -> list[Problem]:
    """A rep code may go to a user only if nobody else keeps it after the import."""
    holders = {
        code: uid for code, uid in ((u["erp_code"], u["id"]) for u in stored.users.values()) if code
    }
    ids = {email: u["id"] for email, u in stored.users.items()}
    recoded = {
        ids[r.values["email"]]
        for r in records
        if r.values.get("email") in ids and "erp_code" in r.values
    }
    problems = []
    for rec in records:
        code = rec.values.get("erp_code")
        if code is None or code is v.CLEAR:
            continue
        holder = holders.get(code)
        if (
            holder is not None
            and holder != ids.get(rec.values.get("email", ""))
            and holder not in recoded
        ):
            problems.append(
                Problem(
                    rec.row,
                    "Código do representante",
                    accounts.rule_message(accounts.AccountRule.REP_CODE_TAKEN),
                    filename,
                )
            )
    return problems


def _admins_left(records: list[Record], stored: Stored, ctx: Context) -> list[Problem]:
    """The company keeps at least one active administrator (when it had one)."""
    admins: set[Any] = accounts.active_admin_ids(company_id=ctx.company_id)
    if not admins:
        return []
    for rec in records:
        old = stored.users.get(rec.values.get("email", ""))
        who = old["id"] if old else rec.values.get("email")
        role = new_role(rec, old)
        active = rec.values.get("active", old["active"] if old else True)
        if role == Role.ADMIN and active:
            admins.add(who)
        else:
            admins.discard(who)
    if admins:
        return []
    return [
        Problem(
            None, "Perfil", accounts.rule_message(accounts.AccountRule.LAST_ADMIN), ctx.filename
        )
    ]
