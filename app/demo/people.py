"""The demo company, its two teams and its thirteen users with their work profiles."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time

from werkzeug.security import generate_password_hash

from app.demo import geography, names
from app.extensions import db
from app.models import Company, Role, Team, User, WorkProfile

COMPANY_NAME = "Distribuidora Paulista de Alimentos"
COMPANY_SLUG = "distribuidora-paulista"
EMAIL_DOMAIN = "demo.roteiro.app"
DEMO_PASSWORD = "visita-demo-2026"  # meets accounts.password_problems; printed by `flask demo load`
TEAM_NAMES = ("Equipe Centro-Norte", "Equipe Sul-Leste")
REPS_PER_TEAM = 4
# Reps (0-based) who also work Saturday mornings.
SATURDAY_REPS = frozenset({1, 4, 6})
MON_FRI = 0b0011111
MON_SAT = 0b0111111


@dataclass(frozen=True)
class Login:
    """A demo login to print: who, with which role, and how to sign in."""

    role: str
    email: str
    name: str
    team: str | None


@dataclass
class Staff:
    """Ids of the rows every later step hangs from."""

    company_id: int
    team_ids: list[int]
    supervisor_ids: list[int]
    rep_ids: list[int]  # index = territory index
    telesales_ids: list[int]  # index = team index
    rep_bases: list[tuple[float, float]]
    saturday_rep_ids: set[int]
    logins: list[Login]

    def team_of_rep(self, rep_index: int) -> int:
        """Team index (0 or 1) of a rep index."""
        return rep_index // REPS_PER_TEAM


def demo_logins() -> list[Login]:
    """The fixed demo accounts, in the order they are printed."""
    rng = random.Random("demo-people")
    logins = [Login("admin", f"admin@{EMAIL_DOMAIN}", "Helena Duarte Moreira", None)]
    for t, team in enumerate(TEAM_NAMES, start=1):
        logins.append(
            Login("supervisor", f"supervisor{t}@{EMAIL_DOMAIN}", names.person_name(rng), team)
        )
    for r in range(len(geography.TERRITORIES)):
        team = TEAM_NAMES[r // REPS_PER_TEAM]
        logins.append(Login("rep", f"rep{r + 1}@{EMAIL_DOMAIN}", names.person_name(rng), team))
    for t, team in enumerate(TEAM_NAMES, start=1):
        logins.append(
            Login("telesales", f"televendas{t}@{EMAIL_DOMAIN}", names.person_name(rng), team)
        )
    return logins


def create_staff(rng: random.Random, *, created_at: datetime) -> Staff:
    """Insert the company, teams, users and work profiles; flush to learn their ids."""
    company = Company(name=COMPANY_NAME, slug=COMPANY_SLUG, created_at=created_at)
    db.session.add(company)
    db.session.flush()
    teams = [Team(company_id=company.id, name=name) for name in TEAM_NAMES]
    db.session.add_all(teams)
    db.session.flush()
    team_by_name = {t.name: t.id for t in teams}
    password_hash = generate_password_hash(DEMO_PASSWORD)  # one hash: scrypt costs ~0.1 s each
    logins = demo_logins()
    users = []
    for i, login in enumerate(logins):
        user = User(
            company_id=company.id,
            team_id=team_by_name.get(login.team) if login.team else None,
            email=login.email,
            name=login.name,
            role=Role(login.role),
            erp_code=f"U{i + 1:03d}",
            phone=names.mobile(rng),
            locale="pt_BR",
            password_hash=password_hash,
            created_at=created_at,
        )
        users.append(user)
    db.session.add_all(users)
    db.session.flush()
    reps = [u for u in users if u.role == Role.REP]
    bases = [_home_base(rng, r) for r in range(len(reps))]
    for r, (rep, base) in enumerate(zip(reps, bases, strict=True)):
        db.session.add(_work_profile(rep, base, saturday=r in SATURDAY_REPS))
    db.session.flush()
    return Staff(
        company_id=company.id,
        team_ids=[t.id for t in teams],
        supervisor_ids=[u.id for u in users if u.role == Role.SUPERVISOR],
        rep_ids=[u.id for u in reps],
        telesales_ids=[u.id for u in users if u.role == Role.TELESALES],
        rep_bases=[(lat, lon) for lat, lon, _ in bases],
        saturday_rep_ids={reps[r].id for r in SATURDAY_REPS},
        logins=logins,
    )


def _home_base(rng: random.Random, rep_index: int) -> tuple[float, float, str]:
    """A home near the middle of the territory, so no corner of it is hours away."""
    hood = geography.central_neighbourhood(rep_index)
    lat, lon = geography.sample_points(rng, hood, 1)[0]
    street, number = names.street_address(rng)
    return lat, lon, f"{street}, {number} - {hood.name}, {hood.city} - SP"


def _work_profile(rep: User, base: tuple[float, float, str], *, saturday: bool) -> WorkProfile:
    lat, lon, address = base
    return WorkProfile(
        user_id=rep.id,
        start_address=address,
        start_lat=lat,
        start_lon=lon,
        end_address=address,
        end_lat=lat,
        end_lon=lon,
        day_start=time(8, 0),
        day_end=time(18, 0),
        lunch_earliest=time(11, 30),
        lunch_latest=time(13, 30),
        lunch_minutes=60,
        max_working_minutes=540,
        working_weekdays=MON_SAT if saturday else MON_FRI,
        speed_profile="sao_paulo_urban",
    )
