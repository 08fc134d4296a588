"""The admin's capacity bands: below which load a rep has room to spare, above which overloaded.

They live in the planning section of the company's versioned settings
(:mod:`app.services.company_settings`, ``capacity_under_pct`` / ``capacity_over_pct``) and
are read by the capacity page and the move preview (:class:`app.services.actions.moves.LoadBands`).
Saving creates the next settings version, audited, like the visit-calendar rules.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from app.models import CompanySettings
from app.security.scope import Scope
from app.services import company_settings

KEYS = ("capacity_under_pct", "capacity_over_pct")


@dataclass(frozen=True)
class CapacityBands:
    """The two bands the admin edits together, in percent of a rep's available hours."""

    capacity_under_pct: int
    capacity_over_pct: int


def current(*, company_id: int) -> CapacityBands:
    """Return the bands in force (the defaults before any settings version)."""
    planning = company_settings.get(company_id=company_id).planning
    return CapacityBands(planning.capacity_under_pct, planning.capacity_over_pct)


def save(*, scope: Scope, bands: CapacityBands, note: str | None = None) -> CompanySettings | None:
    """Save the bands as the next settings version (None when nothing changed); flush only.

    Raises
    ------
    PermissionError
        When the user is not an admin.
    company_settings.SettingsError
        When a band is out of range or the lower one is not below the upper one (its
        ``key`` names the field).
    """
    if not scope.is_admin:
        raise PermissionError("only an admin changes the company's settings")
    view = company_settings.get(company_id=scope.company_id)
    before = {k: getattr(view.planning, k) for k in KEYS}
    after = dataclasses.asdict(bands)
    if before == after:
        return None
    return company_settings.add_planning_version(
        scope=scope,
        view=view,
        scoring=view.scoring.to_dict(),
        planning=company_settings.planning_dict(view.planning) | after,
        note=note,
        before=before,
        after=after,
    )
