"""Users import: upsert by e-mail; role, team, rep code and the work profile of reps and telesales.

Imported users get no usable password (an administrator sets one on the user page, under
the password policy); the import never sets passwords. A role change or a block ends the
user's open logins, as on the user page. The rules
of the user page apply (``app.services.accounts``): an administrator keeps their own role
and access, the company keeps an active administrator, a rep code belongs to one user.
A new rep or telesales seat gets a profile, and so does an existing one whose row gives
profile values: from the row's profile columns and the defaults of
``app.services.work_profiles`` for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Role, Team, User, WorkProfile
from app.services import accounts, logins, work_profiles
from app.services.imports import values as v
from app.services.imports.base import (
    Column,
    Context,
    Problem,
    Progress,
    Record,
    duplicates,
    require_new,
    resolve,
)
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


def _show_role(value: Any) -> str | None:
    return None if value is None else ROLE_WORDS[Role(value)][0]


def _email(value: Any) -> str:
    address = v.text(value).lower()
    if "@" not in address or address.startswith("@") or address.endswith("@") or " " in address:
        raise v.CellError(_l("invalid e-mail"))
    return address


def _minutes(value: Any) -> int:
    return v.whole_between(value, 0, 24 * 60)


USER_COLUMNS: tuple[Column, ...] = (
    Column(
        "email",
        "E-mail",
        parse=_email,
        aliases=("email", "login"),
        identity=True,
        required=True,
        max_length=254,
        example="ana.souza@distribuidora.com.br",
    ),
    Column(
        "name",
        "Nome",
        aliases=("name", "nome completo"),
        required=True,
        max_length=200,
        example="Ana Souza",
    ),
    Column(
        "role",
        "Perfil",
        parse=_role,
        aliases=("função", "funcao", "cargo", "role"),
        required=True,
        example="representante",
        show=_show_role,
    ),
    Column(
        "erp_code",
        "Código do representante",
        aliases=("código", "codigo", "cod vendedor", "rep code", "erp code"),
        max_length=60,
        clearable=True,
        example="R010",
    ),
    Column(
        "team",
        "Equipe",
        aliases=("time", "team"),
        max_length=120,
        clearable=True,
        example="Equipe Leste",
    ),
    Column(
        "phone",
        "Telefone",
        aliases=("celular", "phone"),
        max_length=30,
        clearable=True,
        example="(11) 98888-7777",
    ),
    Column(
        "active",
        "Ativo",
        parse=v.boolean,
        aliases=("active",),
        example="sim",
        api="boolean",
        show=v.show_bool,
    ),
)
PROFILE_COLUMNS: tuple[Column, ...] = (
    Column(
        "work_days",
        "Dias de trabalho",
        parse=v.weekdays,
        aliases=("dias trabalhados", "work days"),
        example="seg-sex",
        show=v.show_weekdays,
    ),
    Column(
        "day_start",
        "Início do expediente",
        parse=v.clock,
        aliases=("inicio", "entrada", "day start"),
        example="08:00",
        show=v.show_clock,
    ),
    Column(
        "day_end",
        "Fim do expediente",
        parse=v.clock,
        aliases=("fim", "saida", "saída", "day end"),
        example="18:00",
        show=v.show_clock,
    ),
    Column(
        "lunch_start",
        "Almoço a partir de",
        parse=v.clock,
        aliases=("inicio do almoco", "lunch start"),
        clearable=True,
        example="11:30",
        show=v.show_clock,
    ),
    Column(
        "lunch_end",
        "Almoço até",
        parse=v.clock,
        aliases=("fim do almoco", "lunch end"),
        clearable=True,
        example="14:00",
        show=v.show_clock,
    ),
    Column(
        "lunch_minutes",
        "Almoço (min)",
        parse=_minutes,
        aliases=("duracao do almoco", "lunch minutes"),
        example="60",
        api="integer",
    ),
    Column(
        "max_work_minutes",
        "Jornada máxima (min)",
        parse=_minutes,
        aliases=("jornada", "max work minutes"),
        example="540",
        api="integer",
    ),
    Column(
        "base_latitude",
        "Latitude da base",
        parse=v.coordinate(90),
        aliases=("base latitude",),
        clearable=True,
        example="-23,5505",
        api="number",
        show=v.show_float,
    ),
    Column(
        "base_longitude",
        "Longitude da base",
        parse=v.coordinate(180),
        aliases=("base longitude",),
        clearable=True,
        example="-46,6333",
        api="number",
        show=v.show_float,
    ),
    Column(
        "base_address",
        "Endereço da base",
        aliases=("endereco", "endereço", "base address"),
        max_length=300,
        clearable=True,
        example="Rua Tuiuti, 1200 - Tatuapé, São Paulo - SP",
    ),
)
COLUMNS = USER_COLUMNS + PROFILE_COLUMNS
BY_KEY = {c.key: c for c in COLUMNS}
FIELDS = ("name", "role", "erp_code", "team_id", "phone", "active")
PROFILE_KEYS = tuple(c.key for c in PROFILE_COLUMNS)


@dataclass
class UserChanges(Changes):
    """User rows, plus work profiles to create (by e-mail: new users have no id yet) or update."""

    profile_creates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    profile_updates: list[dict[str, Any]] = field(default_factory=list)


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


def _role_after(rec: Record, old: dict[str, Any] | None) -> Role | None:
    role = rec.values.get("role") or (old or {}).get("role")
    return Role(role) if role else None


def _profile_after(rec: Record, old: dict[str, Any] | None, stored: Stored) -> dict[str, Any]:
    base = stored.profiles.get(old["id"]) if old else None
    given = {k: resolve(BY_KEY[k], rec.values[k]) for k in PROFILE_KEYS if k in rec.values}
    return {**(base or work_profiles.defaults()), **given}


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
    role_after = _role_after(rec, old)
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
    for key, message in work_profiles.problems(_profile_after(rec, old, stored)):
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
        role = _role_after(rec, old)
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
        role = _role_after(rec, old)
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
                profile = work_profiles.model_values(_profile_after(rec, None, stored))
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
    after = _profile_after(rec, old, stored)
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
