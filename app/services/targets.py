"""Monthly targets for coverage (atendimento) and positivação, per portfolio and per team.

The progress figures are the dashboard's own (``app.services.kpis``), computed over the
team's base with the month's first day as ``start`` and today as ``end``, so a target page
and the dashboard can never disagree (docs/kpis.md, "Targets"). Never commits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import MonthlyTarget, Role, Team, User
from app.security.scope import Scope
from app.services import kpis
from app.services.errors import Invalid

OWNER_ROLES = (Role.REP, Role.TELESALES)
MAX_GAP_ROWS = 50  # customers listed per figure and portfolio; the dashboard lists them all
PCT_MIN, PCT_MAX = Decimal(0), Decimal(100)


def month_of(day: date) -> date:
    """The first day of ``day``'s month: how a target's month is stored."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def teams_in_scope(scope: Scope) -> list[Team]:
    """The teams whose targets this user sets: a supervisor's own, every team for an admin."""
    if scope.is_admin:
        stmt = sa.select(Team).where(Team.company_id == scope.company_id).order_by(Team.name)
        return list(db.session.scalars(stmt))
    if scope.is_supervisor and scope.team_id:
        team = db.session.get(Team, scope.team_id)
        return [team] if team is not None and team.company_id == scope.company_id else []
    return []


def team_in_scope(scope: Scope, team_id: int | None) -> Team | None:
    """One team in scope (the first when none is asked for); None when out of scope."""
    teams = teams_in_scope(scope)
    if team_id is None:
        return teams[0] if teams else None
    return next((t for t in teams if t.id == team_id), None)


def team_scope(scope: Scope, team: Team) -> Scope:
    """The KPI scope of one team (an admin looks at one team at a time here)."""
    return Scope(
        user_id=scope.user_id, company_id=scope.company_id, role=Role.SUPERVISOR, team_id=team.id
    )


def portfolio_owners(team: Team) -> list[User]:
    """The team's active reps and telesales seats, by name: whose portfolios get targets."""
    stmt = (
        sa.select(User)
        .where(User.team_id == team.id, User.active.is_(True), User.role.in_(OWNER_ROLES))
        .order_by(User.name)
    )
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class TargetInput:
    """Percentages typed for one subject; None leaves the stored value as it is."""

    coverage: Decimal | None = None
    activation: Decimal | None = None


def subject_key(user_id: int | None = None, team_id: int | None = None) -> str:
    """Form key of a target's subject: ``u<id>`` for a portfolio, ``t<id>`` for a team."""
    return f"u{user_id}" if user_id is not None else f"t{team_id}"


def targets_of(team: Team, month: date) -> dict[str, MonthlyTarget]:
    """The stored targets of a team and its members for a month, by subject key."""
    members = sa.select(User.id).where(User.team_id == team.id)
    stmt = sa.select(MonthlyTarget).where(
        MonthlyTarget.company_id == team.company_id,
        MonthlyTarget.month == month,
        sa.or_(MonthlyTarget.team_id == team.id, MonthlyTarget.user_id.in_(members)),
    )
    return {subject_key(t.user_id, t.team_id): t for t in db.session.scalars(stmt)}


def _check_pct(value: Decimal | None, key: str, errors: dict[str, str]) -> None:
    if value is not None and not (PCT_MIN <= value <= PCT_MAX):
        errors[key] = _("Enter a percentage from 0 to 100.")


def set_targets(
    *,
    actor: User,
    scope: Scope,
    team: Team,
    month: date,
    values: Mapping[str, TargetInput],
    today: date,
) -> int:
    """Store the month's targets typed for the team and its portfolios; returns how many changed.

    Refusals come back as :class:`Invalid` keyed ``<subject>_coverage`` / ``<subject>_activation``
    (or ``month``), nothing written. A blank keeps what was stored.
    """
    if team_in_scope(scope, team.id) is None:
        raise Invalid({"team": _("This team is not yours.")})
    errors: dict[str, str] = {}
    if month < month_of(today):
        errors["month"] = _("A past month's targets cannot be changed.")
    allowed = {subject_key(team_id=team.id)} | {
        subject_key(user_id=u.id) for u in portfolio_owners(team)
    }
    for key, typed in values.items():
        if key not in allowed:
            errors[key] = _("Not a portfolio of this team.")
            continue
        _check_pct(typed.coverage, f"{key}_coverage", errors)
        _check_pct(typed.activation, f"{key}_activation", errors)
    if errors:
        raise Invalid(errors)
    stored = targets_of(team, month)
    changed = 0
    for key, typed in values.items():
        if typed.coverage is None and typed.activation is None:
            continue
        target = stored.get(key)
        if target is None:
            user_id = int(key[1:]) if key.startswith("u") else None
            target = MonthlyTarget(
                company_id=team.company_id,
                month=month,
                user_id=user_id,
                team_id=None if user_id is not None else team.id,
            )
            db.session.add(target)
        before = (target.coverage_pct, target.activation_pct)
        if typed.coverage is not None:
            target.coverage_pct = typed.coverage
        if typed.activation is not None:
            target.activation_pct = typed.activation
        if before != (target.coverage_pct, target.activation_pct):
            target.set_by_id = actor.id
            changed += 1
    db.session.flush()
    return changed


@dataclass
class Figure:
    """One figure against its target: ``done`` of ``base`` customers, the share, what is missing."""

    done: int
    base: int
    target_pct: Decimal | None

    @property
    def share(self) -> float:
        return self.done / self.base if self.base else 0.0

    @property
    def needed(self) -> int:
        """Customers still to reach the target: ⌈target × base⌉ − done, never below 0."""
        if self.target_pct is None:
            return 0
        goal = math.ceil(self.target_pct * self.base / Decimal(100))
        return max(0, goal - self.done)

    @property
    def reached(self) -> bool | None:
        return None if self.target_pct is None else self.needed == 0


@dataclass
class Progress:
    """Coverage and positivação of one portfolio (or the team's base) this month."""

    key: str
    name: str
    user_id: int | None
    coverage: Figure
    activation: Figure
    to_contact: list[kpis.CustomerFacts] = field(default_factory=list)
    to_sell: list[kpis.CustomerFacts] = field(default_factory=list)


@dataclass
class TeamProgress:
    """The month's progress of a team and of each portfolio, with the customers closing gaps."""

    team: Team
    month: date
    end: date
    total: Progress
    rows: list[Progress]


def by_score(f: kpis.CustomerFacts) -> tuple[bool, float, str]:
    """Highest score first (no score last), then by name."""
    return (f.score is None, -(f.score or 0.0), f.name)


def _progress(
    key: str,
    name: str,
    user_id: int | None,
    facts: list[kpis.CustomerFacts],
    target: MonthlyTarget | None,
    *,
    with_lists: bool = True,
) -> Progress:
    covered = sum(not f.in_gap for f in facts)
    bought = sum(f.bought_this_month for f in facts)
    row = Progress(
        key=key,
        name=name,
        user_id=user_id,
        coverage=Figure(covered, len(facts), target.coverage_pct if target else None),
        activation=Figure(bought, len(facts), target.activation_pct if target else None),
    )
    if user_id is not None and with_lists:
        gap = sorted((f for f in facts if f.in_gap), key=by_score)
        unsold = sorted((f for f in facts if not f.bought_this_month), key=by_score)
        row.to_contact = gap[: min(row.coverage.needed, MAX_GAP_ROWS)]
        row.to_sell = unsold[: min(row.activation.needed, MAX_GAP_ROWS)]
    return row


def month_end(month: date) -> date:
    """The last day of ``month`` (given by its first day)."""
    return next_month(month) - timedelta(days=1)


def month_progress(
    scope: Scope, team: Team, month: date, end: date, *, with_lists: bool = True
) -> TeamProgress:
    """A month's coverage and positivação of the team and each portfolio, against its targets.

    The dashboard's own figures with ``start`` = the 1st and ``end`` as given: coverage as of
    ``end``, positivação from the 1st to ``end``. The base is the team's active customers as
    they are now (the dashboard counts a past period over today's base too).
    """
    flt = kpis.KpiFilter(scope=team_scope(scope, team), start=month, end=end)
    return _team_progress(flt.scope, team, month, end, kpis.load_facts(flt), with_lists=with_lists)


def _team_progress(
    scope: Scope,
    team: Team,
    month: date,
    end: date,
    facts: Mapping[int, kpis.CustomerFacts],
    *,
    with_lists: bool,
) -> TeamProgress:
    targets = targets_of(team, month)
    names = kpis.owner_names(scope)
    by_owner: dict[int, list[kpis.CustomerFacts]] = {u.id: [] for u in portfolio_owners(team)}
    for f in facts.values():
        if f.owner_id is not None:
            by_owner.setdefault(f.owner_id, []).append(f)
    for target in targets.values():  # a past target of someone who has no portfolio now
        if target.user_id is not None and target.user_id not in by_owner:
            by_owner[target.user_id] = []
    rows = [
        _progress(
            subject_key(user_id=uid),
            names.get(uid) or _owner_name(uid),
            uid,
            owned,
            targets.get(subject_key(user_id=uid)),
            with_lists=with_lists,
        )
        for uid, owned in by_owner.items()
    ]
    rows.sort(key=lambda r: r.name)
    total = _progress(
        subject_key(team_id=team.id),
        team.name,
        None,
        list(facts.values()),
        targets.get(subject_key(team_id=team.id)),
    )
    return TeamProgress(team=team, month=month, end=end, total=total, rows=rows)


def _owner_name(user_id: int) -> str:
    user = db.session.get(User, user_id)
    return user.name if user is not None else "—"


def team_progress(scope: Scope, team: Team, today: date) -> TeamProgress:
    """This month's coverage and positivação of the team and each portfolio, against targets.

    Coverage is the dashboard's coverage as of today; positivação counts the customers with an
    order from the 1st to today. The customers listed for a portfolio are the highest-scored
    ones whose contact (or order) would count, as many as the target still needs.
    """
    return month_progress(scope, team, month_of(today), today)


HISTORY_DEFAULT, HISTORY_MAX = 6, 12


def history(
    scope: Scope, team: Team, today: date, months: int = HISTORY_DEFAULT
) -> list[TeamProgress]:
    """The closed months before this one, newest first: each month's targets against what was
    achieved by its last day (coverage on the last day, positivação over the whole month).

    The facts of every month come in one pass (:func:`app.services.kpis.facts_by_month`),
    defined as the dashboard's for that month.
    """
    months = max(1, min(months, HISTORY_MAX))
    spans: list[tuple[date, date]] = []
    month = month_of(today)
    for _i in range(months):
        month = month_of(month - timedelta(days=1))
        spans.append((month, month_end(month)))
    in_team = team_scope(scope, team)
    facts = kpis.facts_by_month(in_team, spans)
    return [
        _team_progress(in_team, team, first, last, month_facts, with_lists=False)
        for (first, last), month_facts in zip(spans, facts, strict=True)
    ]
