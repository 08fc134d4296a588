"""What a users import changes, its writing, and the export in the same columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Role, Team, User, WorkProfile
from app.services import logins, work_profiles
from app.services.imports import values as v
from app.services.imports.base import Context, Progress, Record, resolve
from app.services.imports.flat import Changes, diff, write
from app.services.imports.users.columns import BY_KEY, COLUMNS, FIELDS, PROFILE_KEYS
from app.services.imports.users.stored import Stored, new_profile, new_role

# Imported users cannot log in until an administrator sets or resets their password.
NO_PASSWORD = "!imported"


@dataclass
class UserChanges(Changes):
    """User rows, plus work profiles to create (by e-mail: new users have no id yet) or update."""

    profile_creates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    profile_updates: list[dict[str, Any]] = field(default_factory=list)


def _team_ids(records: list[Record], company_id: int, create: bool) -> dict[str, int]:
    """Ids of the named teams, creating the ones that do not exist yet (a dry run gives them
    stand-in ids < 0)."""
    teams = dict(
        db.session.execute(sa.select(Team.name, Team.id).where(Team.company_id == company_id)).all()
    )
    named = {r.values["team"] for r in records if r.values.get("team") not in (None, v.CLEAR)}
    for number, name in enumerate(sorted(named - set(teams)), start=1):
        if not create:
            teams[name] = -number
            continue
        team = Team(company_id=company_id, name=name)
        db.session.add(team)
        db.session.flush()
        teams[name] = team.id
    return teams


def _wanted(rec: Record, teams: dict[str, int]) -> dict[str, Any]:
    wanted = {k: resolve(BY_KEY[k], rec.values[k]) for k in FIELDS if k in rec.values}
    if "team" in rec.values:
        team = rec.values["team"]
        wanted["team_id"] = None if team is v.CLEAR else teams[team]
    return wanted


def plan(records: list[Record], ctx: Context) -> UserChanges:
    """Split the rows into new users, changed users or profiles, and unchanged rows."""
    teams = _team_ids(records, ctx.company_id, not ctx.dry_run)
    names = {tid: name for name, tid in teams.items()}
    stored = Stored.load(ctx.company_id)
    changes = UserChanges()

    def show(name: str, value: Any) -> tuple[str, Any] | None:
        if name == "team_id":
            return "team", names.get(value)
        return (name, BY_KEY[name].show(value)) if name in BY_KEY else None

    for rec in records:
        old = stored.users.get(rec.values["email"])
        wanted = _wanted(rec, teams)
        role = new_role(rec, old)
        needs_profile = role in work_profiles.ROLES
        if old is None:
            changes.creates.append(
                {
                    "company_id": ctx.company_id,
                    "email": rec.values["email"],
                    "password_hash": NO_PASSWORD,
                    **wanted,
                }
            )
            if needs_profile:
                profile = work_profiles.model_values(new_profile(rec, None, stored))
                changes.profile_creates.append((rec.values["email"], profile))
            continue
        changed = diff(old, wanted)
        profile_changed = _plan_profile(rec, old, stored, changes) if needs_profile else {}
        if changed or profile_changed:
            changes.update(
                rec.row,
                old["email"],
                old,
                changed,
                show,
                also=[
                    (k, BY_KEY[k].show(a), BY_KEY[k].show(b))
                    for k, (a, b) in profile_changed.items()
                ],
            )
        else:
            changes.unchanged += 1
    return changes


def _plan_profile(
    rec: Record, old: dict[str, Any], stored: Stored, changes: UserChanges
) -> dict[str, tuple[Any, Any]]:
    """Plan the profile of an existing user; return key -> (old, new) of what changes."""
    before = stored.profiles.get(old["id"])
    if before is None and not any(k in rec.values for k in PROFILE_KEYS):
        # an existing user gets a profile when the row gives one (export -> import stays a no-op)
        return {}
    after = new_profile(rec, old, stored)
    if before is None:
        changes.profile_creates.append((old["email"], work_profiles.model_values(after)))
        return {k: (None, after[k]) for k in PROFILE_KEYS if after[k] is not None}
    changed = diff(before, after)
    if changed:
        changes.profile_updates.append(
            {"id": stored.profile_ids[old["id"]], **work_profiles.model_values(after)}
        )
    return {k: (before[k], after[k]) for k in changed}


def apply(changes: UserChanges, ctx: Context, progress: Progress | None) -> None:
    """Write users (rep codes that move between users are freed first), then their profiles."""
    moving = [u["id"] for u in changes.updates if "erp_code" in u]
    if moving:
        db.session.execute(sa.update(User).where(User.id.in_(moving)).values(erp_code=None))
    write(User, changes, progress)
    # As on the user page: a new role or a block ends the person's open logins.
    logins.revoke_all_of([u["id"] for u in changes.updates if "role" in u or "active" in u])
    if changes.profile_creates:
        emails = [email for email, _values in changes.profile_creates]
        ids = dict(
            db.session.execute(
                sa.select(User.email, User.id).where(
                    User.company_id == ctx.company_id, User.email.in_(emails)
                )
            ).all()
        )
        db.session.execute(
            sa.insert(WorkProfile),
            [{"user_id": ids[email], **values} for email, values in changes.profile_creates],
        )
    if changes.profile_updates:
        db.session.execute(sa.update(WorkProfile), changes.profile_updates)


def export_rows(company_id: int) -> list[list[Any]]:
    """Every user of the company as template cells (profiles of reps and telesales), by e-mail."""
    stored = Stored.load(company_id)
    teams = {
        tid: name
        for name, tid in db.session.execute(
            sa.select(Team.name, Team.id).where(Team.company_id == company_id)
        )
    }
    rows = []
    for email in sorted(stored.users):
        user = stored.users[email]
        values = {**user, "team": teams.get(user["team_id"])}
        if Role(user["role"]) in work_profiles.ROLES:
            values.update(stored.profiles.get(user["id"], {}))
        rows.append(
            [
                values.get(c.key) if c.key in ("email", "team") else c.show(values.get(c.key))
                for c in COLUMNS
            ]
        )
    return rows
