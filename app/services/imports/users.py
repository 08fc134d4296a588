"""Users import: upsert by e-mail; role, team and rep code. New users get no usable password."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Role, Team, User
from app.services.imports import values as v
from app.services.imports.base import Column, Problem, Progress, Record, duplicates
from app.services.imports.flat import Changes, diff, write

# Imported users cannot log in until an administrator sets or resets their password.
NO_PASSWORD = "!imported"

ROLE_WORDS = {
    Role.REP: ("representante", "rep", "vendedor", "rca", "campo"),
    Role.TELESALES: ("televendas", "telesales", "operador"),
    Role.SUPERVISOR: ("supervisor", "supervisora", "gerente"),
    Role.ADMIN: ("administrador", "admin", "administradora"),
}


def _role(value: Any) -> str:
    key = v.fold(v.text(value))
    for role, words in ROLE_WORDS.items():
        if key in words or key == role.value:
            return role.value
    raise v.CellError(_l("use representante, televendas, supervisor or administrador"))


def _email(value: Any) -> str:
    address = v.text(value).lower()
    if "@" not in address or address.startswith("@") or address.endswith("@") or " " in address:
        raise v.CellError(_l("invalid e-mail"))
    return address


COLUMNS: tuple[Column, ...] = (
    Column("email", "E-mail", parse=_email, aliases=("email", "login"), required=True, max_length=254,
           example="ana.souza@distribuidora.com.br"),
    Column("name", "Nome", aliases=("name", "nome completo"), required=True, max_length=200,
           example="Ana Souza"),
    Column("role", "Perfil", parse=_role, aliases=("função", "funcao", "cargo", "role"), required=True,
           example="representante"),
    Column("erp_code", "Código do representante", aliases=("código", "codigo", "cod vendedor", "rep code",
                                                           "erp code"), max_length=60, example="R010"),
    Column("team", "Equipe", aliases=("time", "team"), max_length=120, example="Equipe Leste"),
    Column("phone", "Telefone", aliases=("celular", "phone"), max_length=30, example="(11) 98888-7777"),
    Column("active", "Ativo", parse=v.boolean, aliases=("active",), example="sim", api="boolean"),
)

FIELDS = ("name", "role", "erp_code", "team_id", "phone", "active")


def validate(records: list[Record], company_id: int, filename: str) -> list[Problem]:
    """Unique e-mails and rep codes; an e-mail of another company cannot be taken over."""
    problems = duplicates(records, "email", "E-mail", filename)
    problems += duplicates(records, "erp_code", "Código do representante", filename)
    emails = [r.values["email"] for r in records if r.values.get("email")]
    foreign = set(
        db.session.scalars(sa.select(User.email).where(User.email.in_(emails), User.company_id != company_id))
    ) if emails else set()
    for rec in records:
        if rec.values.get("email") in foreign:
            problems.append(Problem(rec.row, "E-mail", _("This e-mail belongs to another company."), filename))
    return problems


def _team_ids(records: list[Record], company_id: int, create: bool) -> dict[str, int]:
    """Ids of the named teams, creating the ones that do not exist yet (not in a dry run)."""
    teams = dict(db.session.execute(sa.select(Team.name, Team.id).where(Team.company_id == company_id)).all())
    new = sorted({r.values["team"] for r in records if r.values.get("team")} - set(teams))
    for name in new if create else ():
        team = Team(company_id=company_id, name=name)
        db.session.add(team)
        db.session.flush()
        teams[name] = team.id
    return teams


def plan(records: list[Record], present: set[str], company_id: int, dry_run: bool = False) -> Changes:
    """Split the rows into inserts, updates and unchanged rows (creating missing teams)."""
    teams = _team_ids(records, company_id, not dry_run) if "team" in present else {}
    stored = {
        row.email: row._asdict()
        for row in db.session.execute(
            sa.select(User.id, User.email, *(getattr(User, f) for f in FIELDS)).where(User.company_id == company_id)
        )
    }
    keys = {k for k in FIELDS if k in present} | ({"team_id"} if "team" in present else set())
    changes = Changes()
    for rec in records:
        wanted = {k: rec.values.get(k) for k in keys if k != "team_id"}
        if "team_id" in keys:
            team = rec.values.get("team")
            wanted["team_id"] = teams.get(team, -1) if team else None
        if wanted.get("active") is None:
            wanted.pop("active", None)
        old = stored.get(rec.values["email"])
        if old is None:
            changes.creates.append({"company_id": company_id, "email": rec.values["email"],
                                    "password_hash": NO_PASSWORD, **wanted})
        elif changed := diff(old, wanted):
            changes.updates.append({"id": old["id"], **changed})
        else:
            changes.unchanged += 1
    return changes


def apply(changes: Changes, company_id: int, progress: Progress | None) -> None:
    """Write the planned changes."""
    write(User, changes, progress)
