"""The columns of the users file: the account, then the work profile of reps and telesales."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.models import Role
from app.services.imports import values as v
from app.services.imports.base import Column

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
