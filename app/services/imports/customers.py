"""Customers import: upsert by ERP code, owner by rep code or e-mail."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Channel, Customer, User
from app.services.customers import SERVICE_MINUTES, VISIT_FREQUENCY_DAYS
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
from app.services.opening_hours import normalize_opening_hours


def _channel(value: Any) -> str:
    key = v.fold(v.text(value))
    if key in ("campo", "field", "visita", "externo", "rua"):
        return Channel.FIELD.value
    if key in ("televendas", "telesales", "telefone", "interno"):
        return Channel.TELESALES.value
    raise v.CellError(_l("use campo or televendas"))


def _show_channel(value: Any) -> str | None:
    return None if value is None else ("televendas" if value == Channel.TELESALES else "campo")


def _state(value: Any) -> str:
    code = v.text(value).upper()
    if len(code) != 2 or not code.isalpha():
        raise v.CellError(_l("use the two-letter state code (SP)"))
    return code


def _frequency(value: Any) -> int:
    return v.whole_between(value, *VISIT_FREQUENCY_DAYS)


def _service(value: Any) -> int:
    return v.whole_between(value, *SERVICE_MINUTES)


def _money(value: Any) -> Any:
    return v.amount(value, 2)


COLUMNS: tuple[Column, ...] = (
    Column(
        "erp_code",
        "Código",
        aliases=("código do cliente", "cod cliente", "codigo cliente", "cliente", "code"),
        identity=True,
        required=True,
        max_length=60,
        example="C00123",
    ),
    Column(
        "legal_name",
        "Razão social",
        aliases=("razao", "nome", "legal name"),
        required=True,
        max_length=200,
        example="Mercearia Boa Vista Ltda",
    ),
    # Cleared, the trade name falls back to the legal name (it is what reps see).
    Column(
        "trade_name",
        "Nome fantasia",
        aliases=("fantasia", "trade name"),
        max_length=200,
        clearable=True,
        example="Mercearia Boa Vista",
    ),
    Column(
        "tax_id",
        "CNPJ/CPF",
        aliases=("cnpj", "cpf", "documento"),
        max_length=20,
        clearable=True,
        example="12.345.678/0001-90",
    ),
    Column(
        "segment",
        "Segmento",
        aliases=("ramo", "atividade", "segment"),
        max_length=60,
        example="mercearia",
    ),
    Column(
        "street",
        "Logradouro",
        aliases=("endereço", "endereco", "rua", "street"),
        max_length=200,
        clearable=True,
        example="Rua Tuiuti",
    ),
    Column(
        "number",
        "Número",
        aliases=("numero", "nº", "no", "num"),
        max_length=20,
        clearable=True,
        example="1200",
    ),
    Column(
        "district",
        "Bairro",
        aliases=("district",),
        max_length=120,
        clearable=True,
        example="Tatuapé",
    ),
    Column(
        "city",
        "Cidade",
        aliases=("município", "municipio", "city"),
        max_length=120,
        clearable=True,
        example="São Paulo",
    ),
    Column("state", "UF", parse=_state, aliases=("estado", "state"), clearable=True, example="SP"),
    Column(
        "postal_code",
        "CEP",
        aliases=("postal code", "zip"),
        max_length=10,
        clearable=True,
        example="03081-000",
    ),
    Column(
        "zone",
        "Zona",
        aliases=("região", "regiao", "rota", "zone"),
        max_length=60,
        clearable=True,
        example="Leste",
    ),
    Column(
        "latitude",
        "Latitude",
        parse=v.coordinate(90),
        aliases=("lat",),
        clearable=True,
        example="-23,5412",
        api="number",
        show=v.show_float,
    ),
    Column(
        "longitude",
        "Longitude",
        parse=v.coordinate(180),
        aliases=("lon", "lng", "long"),
        clearable=True,
        example="-46,5763",
        api="number",
        show=v.show_float,
    ),
    Column(
        "phone",
        "Telefone",
        aliases=("fone", "phone"),
        max_length=30,
        clearable=True,
        example="(11) 2222-3333",
    ),
    Column(
        "whatsapp",
        "WhatsApp",
        aliases=("celular",),
        max_length=30,
        clearable=True,
        example="(11) 98888-7777",
    ),
    Column(
        "email",
        "E-mail",
        aliases=("email",),
        max_length=254,
        clearable=True,
        example="compras@boavista.com.br",
    ),
    Column(
        "visit_frequency_days",
        "Frequência de visita (dias)",
        parse=_frequency,
        aliases=("frequência", "frequencia", "frequencia dias", "visit frequency days"),
        example="7",
        api="integer",
    ),
    Column(
        "service_minutes",
        "Tempo de atendimento (min)",
        parse=_service,
        aliases=("tempo de visita", "tempo atendimento", "service minutes"),
        example="20",
        api="integer",
    ),
    Column(
        "channel",
        "Canal",
        parse=_channel,
        aliases=("channel",),
        example="campo",
        show=_show_channel,
    ),
    # Cleared, the customer leaves its rep's portfolio (never by a blank cell).
    Column(
        "owner",
        "Representante",
        aliases=(
            "código do representante",
            "codigo representante",
            "cod vendedor",
            "vendedor",
            "rep",
            "owner",
            "e-mail do representante",
        ),
        max_length=254,
        clearable=True,
        example="R010",
    ),
    Column(
        "credit_limit",
        "Limite de crédito",
        parse=_money,
        aliases=("limite", "credit limit"),
        example="5.000,00",
        api="number",
    ),
    Column(
        "opening_hours",
        "Horário de funcionamento",
        parse=v.opening_hours,
        aliases=(
            "horário",
            "horario",
            "horario de atendimento",
            "horário de atendimento",
            "opening hours",
        ),
        clearable=True,
        cleared={},
        example="seg-sex 08:00-12:00 14:00-18:00; sáb 08:00-12:00",
        api="hours",
        show=v.show_opening_hours,
    ),
    Column(
        "delivery_weekdays",
        "Dias de entrega",
        parse=v.weekdays,
        aliases=("dias de entrega", "entrega", "delivery weekdays", "delivery days"),
        clearable=True,
        cleared=0,
        example="seg,qua,sex",
        show=v.show_weekdays,
    ),
    Column(
        "active",
        "Ativo",
        parse=v.boolean,
        aliases=("active", "situação", "situacao"),
        example="sim",
        api="boolean",
        show=v.show_bool,
    ),
    Column(
        "notes", "Observações", aliases=("observacoes", "obs", "notes"), clearable=True, example=""
    ),
)

BY_KEY = {c.key: c for c in COLUMNS}
ADDRESS = ("street", "number", "district", "city", "state", "postal_code")
# Model fields an import writes (the owner column feeds owner_id).
FIELDS = (*(c.key for c in COLUMNS if c.key != "owner"), "owner_id")
# What a new customer gets for fields its row leaves blank (the model's defaults fill the rest).
NEW_DEFAULTS: dict[str, Any] = {"segment": "geral", "opening_hours": {}, "delivery_weekdays": 0}


def owner_keys(company_id: int) -> dict[str, int]:
    """Rep code and lower-cased e-mail of every user of the company, mapped to the id."""
    keys: dict[str, int] = {}
    for uid, code, email in db.session.execute(
        sa.select(User.id, User.erp_code, User.email).where(User.company_id == company_id)
    ):
        keys[email.lower()] = uid
        if code:
            keys[code] = uid
    return keys


def owner_labels(company_id: int) -> dict[int, str]:
    """How an owner is written in a cell: the rep code, else the e-mail."""
    return {
        uid: code or email
        for uid, code, email in db.session.execute(
            sa.select(User.id, User.erp_code, User.email).where(User.company_id == company_id)
        )
    }


def stored_codes(company_id: int) -> set[str]:
    """ERP codes of the company's customers."""
    return set(
        db.session.scalars(sa.select(Customer.erp_code).where(Customer.company_id == company_id))
    )


def validate(records: list[Record], ctx: Context) -> list[Problem]:
    """Check codes are unique, owners exist and new customers are complete; resolve owner ids."""
    company_id, filename = ctx.company_id, ctx.filename
    problems = duplicates(records, "erp_code", "Código", filename)
    owners = owner_keys(company_id)
    for rec in records:
        if "owner" not in rec.values:
            continue
        owner = rec.values.pop("owner")
        uid = None if owner is v.CLEAR else owners.get(owner) or owners.get(owner.lower())
        if owner is not v.CLEAR and uid is None:
            problems.append(
                Problem(
                    rec.row,
                    "Representante",
                    _("No user with code or e-mail %(owner)s.", owner=owner),
                    filename,
                )
            )
        rec.values["owner_id"] = uid
    known = stored_codes(company_id)
    require_new(
        records,
        COLUMNS,
        ctx.present,
        lambda r: r.values.get("erp_code") not in known,
        filename,
        problems,
    )
    return problems


def _wanted(values: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    """Model values a row gives (blank cells are absent: the stored value stays)."""
    wanted = {
        k: (val if k == "owner_id" else resolve(BY_KEY[k], val))
        for k, val in values.items()
        if k in FIELDS
    }
    legal = wanted.get("legal_name") or (old or {}).get("legal_name")
    if old is None:
        wanted = {**NEW_DEFAULTS, **wanted}
        wanted["trade_name"] = wanted.get("trade_name") or legal
    elif values.get("trade_name") is v.CLEAR:
        wanted["trade_name"] = legal
    return wanted


def plan(records: list[Record], ctx: Context) -> Changes:
    """Split the rows into inserts, changed-field updates and unchanged rows."""
    company_id = ctx.company_id
    cols = [getattr(Customer, f) for f in (*FIELDS, "id", "geocode_status", "lost_on")]
    stored = {}
    for row in db.session.execute(sa.select(*cols).where(Customer.company_id == company_id)):
        stored[row.erp_code] = {
            **row._asdict(),
            "opening_hours": normalize_opening_hours(row.opening_hours),
        }
    owners = owner_labels(company_id)
    changes = Changes(count_only=ctx.dry_run)

    def show(name: str, value: Any) -> tuple[str, Any] | None:
        if name == "owner_id":
            return "owner", owners.get(value) if value is not None else None
        col = BY_KEY.get(name)
        return (name, col.show(value)) if col else None

    for rec in records:
        old = stored.get(rec.values["erp_code"])
        wanted = _wanted(rec.values, old)
        if old is None:
            changes.create({"company_id": company_id, **wanted})
            continue
        changed = diff(old, wanted)
        if any(k in changed for k in ADDRESS) and "latitude" not in rec.values:
            # A moved customer's position is stale: drop it so it is geocoded again.
            changed.update(
                {k: None for k in ("latitude", "longitude", "geocode_status") if old[k] is not None}
            )
        if changed.get("active") is True and old["lost_on"] is not None:
            # The company's data says the customer buys again: no longer marked lost.
            changed.update({"lost_on": None, "lost_reason": None})
        if changed:
            changes.update(rec.row, old["erp_code"], old, changed, show)
        else:
            changes.unchanged += 1
    return changes


def apply(changes: Changes, ctx: Context, progress: Progress | None) -> None:
    """Write the planned changes."""
    write(Customer, changes, progress)


def export_rows(company_id: int) -> list[list[Any]]:
    """Every customer of the company as template cells, by code."""
    owners = owner_labels(company_id)
    query = (
        sa.select(*(getattr(Customer, f) for f in FIELDS))
        .where(Customer.company_id == company_id)
        .order_by(Customer.erp_code)
    )
    rows = []
    for row in db.session.execute(query):
        values = row._asdict()
        owner = values.pop("owner_id")
        values["owner"] = owners.get(owner) if owner is not None else None
        rows.append([values[c.key] if c.key == "owner" else c.show(values[c.key]) for c in COLUMNS])
    return rows
