"""The company's users and profiles as they stand, and what a row makes of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Role, User, WorkProfile
from app.services import work_profiles
from app.services.imports.base import Record, resolve
from app.services.imports.users.columns import BY_KEY, FIELDS, PROFILE_KEYS


@dataclass
class Stored:
    """The company's users by e-mail and their profiles (as key -> value) by user id."""

    users: dict[str, dict[str, Any]]
    profiles: dict[int, dict[str, Any]]
    profile_ids: dict[int, int]

    @classmethod
    def load(cls, company_id: int) -> Stored:
        users = {
            row.email: row._asdict()
            for row in db.session.execute(
                sa.select(User.id, User.email, *(getattr(User, f) for f in FIELDS)).where(
                    User.company_id == company_id
                )
            )
        }
        profiles, ids = {}, {}
        for profile in db.session.scalars(
            sa.select(WorkProfile)
            .join(User, User.id == WorkProfile.user_id)
            .where(User.company_id == company_id)
        ):
            profiles[profile.user_id] = work_profiles.values_of(profile)
            ids[profile.user_id] = profile.id
        return cls(users, profiles, ids)


def new_role(rec: Record, old: dict[str, Any] | None) -> Role | None:
    """The role a row leaves the user with (the stored one when the row has none)."""
    role = rec.values.get("role") or (old or {}).get("role")
    return Role(role) if role else None


def new_profile(rec: Record, old: dict[str, Any] | None, stored: Stored) -> dict[str, Any]:
    """The work profile a row leaves: its values over the stored profile (or the defaults)."""
    base = stored.profiles.get(old["id"]) if old else None
    given = {k: resolve(BY_KEY[k], rec.values[k]) for k in PROFILE_KEYS if k in rec.values}
    return {**(base or work_profiles.defaults()), **given}
