"""Admin side of the score: save the next settings version (audited) and preview a
ranking change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import AuditLog, CompanySettings, Customer, Role, User
from app.security.scope import Scope
from app.services import company_settings
from app.services.scoring import score_features
from app.services.scoring_features import extract
from optimizer.scoring import ScoringSettings

PREVIEW_TOP = 20
# policies{} mirrors these scoring keys so planning reads the same collection and reactivation rules
MIRRORED_POLICIES = ("collection_policy", "overdue_tolerance_days", "reactivation_policy")


def _require_admin(scope: Scope) -> None:
    if not scope.is_admin:
        raise PermissionError("only an admin changes the company's settings")


def save_settings(
    *, session: Session, scope: Scope, proposed: ScoringSettings, note: str | None = None
) -> CompanySettings:
    """Create the next settings version of the admin's company and audit the change."""
    _require_admin(scope)
    current = company_settings.get(company_id=scope.company_id)
    before = current.scoring.to_dict()
    after = proposed.to_dict()
    policies = company_settings.policies_dict(current.policies)
    for key in MIRRORED_POLICIES:
        if key in policies:
            policies[key] = after[key]
    company_settings.parse(
        company_id=scope.company_id,
        version=current.version + 1,
        scoring=after,
        planning=None,
        policies=policies,
    )  # the new version must read back: refuse it here rather than at night
    row = CompanySettings(
        company_id=scope.company_id,
        version=current.version + 1,
        scoring=after,
        planning=company_settings.planning_dict(current.planning),
        policies=policies,
        note=(note or "").strip() or None,
        created_by_id=scope.user_id,
    )
    session.add(row)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    session.add(
        AuditLog(
            company_id=scope.company_id,
            actor_id=scope.user_id,
            action="settings.scoring.update",
            target=f"company_settings:v{row.version}",
            details={
                "from_version": current.version,
                "to_version": row.version,
                "changed": changed,
                "before": before,
                "after": after,
            },
        )
    )
    session.flush()
    return row


def versions(*, session: Session, scope: Scope) -> list[CompanySettings]:
    """Every settings version of the admin's company, newest first."""
    _require_admin(scope)
    return list(
        session.scalars(
            sa.select(CompanySettings)
            .where(CompanySettings.company_id == scope.company_id)
            .order_by(CompanySettings.version.desc())
        )
    )


def company_segments(*, session: Session, company_id: int) -> tuple[str, ...]:
    """Segments of the company's active customers, sorted (the admin's per-segment cycles)."""
    names = session.scalars(
        sa.select(Customer.segment)
        .where(Customer.company_id == company_id, Customer.active)
        .distinct()
    )
    return tuple(sorted(n for n in names if n))


def portfolios(*, session: Session, scope: Scope) -> list[tuple[int, str]]:
    """Reps and telesales seats of the company that own customers: (user id, name)."""
    stmt = (
        sa.select(User.id, User.name)
        .where(scope.user_filter(), User.role.in_([Role.REP, Role.TELESALES]), User.active)
        .where(sa.exists().where(Customer.owner_id == User.id, Customer.active))
        .order_by(User.name)
    )
    return [(uid, name) for uid, name in session.execute(stmt)]


@dataclass(frozen=True)
class RankChange:
    """One customer of the previewed portfolio: rank and score now and with the proposal."""

    customer_id: int
    name: str
    old_rank: int
    new_rank: int
    old_score: float
    new_score: float

    @property
    def delta(self) -> float:
        return round(self.new_score - self.old_score, 1)

    @property
    def moved(self) -> int:
        """Positions gained (positive) or lost (negative)."""
        return self.old_rank - self.new_rank


@dataclass(frozen=True)
class Preview:
    """How the proposal changes one portfolio's ranking."""

    owner_name: str
    customers: int
    rows: list[RankChange]
    entered: int  # customers new in the top
    changed: list[str]  # settings fields that differ

    @property
    def top(self) -> int:
        return len(self.rows)


def _ranks(scores: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """1-based rank of each entry: highest score first, ties by customer id."""
    order = np.lexsort((ids, -scores))
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


def preview(
    *, session: Session, scope: Scope, owner_id: int, proposed: ScoringSettings, day: date
) -> Preview:
    """Re-score the company with the proposal and compare one portfolio's top ranking."""
    _require_admin(scope)
    owner = scope.get_user(owner_id)
    current = company_settings.get(company_id=scope.company_id).scoring
    company = extract(session=session, company_id=scope.company_id, day=day, settings=current)
    old = score_features(company, current).score
    new = score_features(company, proposed).score
    names = dict(
        session.execute(
            sa.select(Customer.id, Customer.trade_name).where(
                scope.customer_filter(), Customer.owner_id == owner.id, Customer.active
            )
        ).all()
    )
    ids = company.features.customer_id
    mine = np.flatnonzero(np.isin(ids, np.fromiter(names, dtype=np.int64, count=len(names))))
    old_rank, new_rank = _ranks(old[mine], ids[mine]), _ranks(new[mine], ids[mine])
    top = sorted(range(len(mine)), key=lambda j: new_rank[j])[:PREVIEW_TOP]
    rows = [
        RankChange(
            int(ids[mine[j]]),
            names[int(ids[mine[j]])],
            int(old_rank[j]),
            int(new_rank[j]),
            round(float(old[mine[j]]), 1),
            round(float(new[mine[j]]), 1),
        )
        for j in top
    ]
    before, after = current.to_dict(), proposed.to_dict()
    changed: list[str] = sorted(k for k in after if before.get(k) != after.get(k))
    entered = sum(1 for r in rows if r.old_rank > PREVIEW_TOP)
    return Preview(owner.name, len(mine), rows, entered, changed)
