"""Customers import: upsert by ERP code, owner by rep code or e-mail."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Channel, Customer, User
from app.services.imports import values as v
from app.services.imports.base import Column, Problem, Progress, Record, duplicates
from app.services.imports.flat import Changes, diff, write


def _channel(value: Any) -> str:
    key = v.fold(v.text(value))
    if key in ("campo", "field", "visita", "externo", "rua"):
        return Channel.FIELD.value
    if key in ("televendas", "telesales", "telefone", "interno"):
        return Channel.TELESALES.value
    raise v.CellError(_l("use campo or televendas"))


def _state(value: Any) -> str:
    code = v.text(value).upper()
    if len(code) != 2 or not code.isalpha():
        raise v.CellError(_l("use the two-letter state code (SP)"))
    return code


def _positive(value: Any) -> int:
    number = v.integer(value)
    if number <= 0:
        raise v.CellError(_l("must be greater than zero"))
    return number


def _money(value: Any) -> Any:
    number = v.decimal(value).quantize(v.Decimal("0.01"))
    if number < 0:
        raise v.CellError(_l("must not be negative"))
    return number


COLUMNS: tuple[Column, ...] = (
    Column("erp_code", "Código", aliases=("código do cliente", "cod cliente", "codigo cliente", "cliente", "code"),
           required=True, max_length=60, example="C00123"),
    Column("legal_name", "Razão social", aliases=("razao", "nome", "legal name"), required=True,
           max_length=200, example="Mercearia Boa Vista Ltda"),
    Column("trade_name", "Nome fantasia", aliases=("fantasia", "trade name"), max_length=200,
           example="Mercearia Boa Vista"),
    Column("tax_id", "CNPJ/CPF", aliases=("cnpj", "cpf", "documento"), max_length=20,
           example="12.345.678/0001-90"),
    Column("segment", "Segmento", aliases=("ramo", "atividade", "segment"), max_length=60, example="mercearia"),
    Column("street", "Logradouro", aliases=("endereço", "endereco", "rua", "street"), max_length=200,
           example="Rua Tuiuti"),
    Column("number", "Número", aliases=("numero", "nº", "no", "num"), max_length=20, example="1200"),
    Column("district", "Bairro", aliases=("district",), max_length=120, example="Tatuapé"),
    Column("city", "Cidade", aliases=("município", "municipio", "city"), max_length=120, example="São Paulo"),
    Column("state", "UF", parse=_state, aliases=("estado", "state"), example="SP"),
    Column("postal_code", "CEP", aliases=("postal code", "zip"), max_length=10, example="03081-000"),
    Column("zone", "Zona", aliases=("região", "regiao", "rota", "zone"), max_length=60, example="Leste"),
    Column("latitude", "Latitude", parse=v.coordinate(90), aliases=("lat",), example="-23,5412", api="number"),
    Column("longitude", "Longitude", parse=v.coordinate(180), aliases=("lon", "lng", "long"),
           example="-46,5763", api="number"),
    Column("phone", "Telefone", aliases=("fone", "phone"), max_length=30, example="(11) 2222-3333"),
    Column("whatsapp", "WhatsApp", aliases=("celular",), max_length=30, example="(11) 98888-7777"),
    Column("email", "E-mail", aliases=("email",), max_length=254, example="compras@boavista.com.br"),
    Column("visit_frequency_days", "Frequência de visita (dias)", parse=_positive,
           aliases=("frequência", "frequencia", "frequencia dias", "visit frequency days"), example="7", api="integer"),
    Column("service_minutes", "Tempo de atendimento (min)", parse=_positive,
           aliases=("tempo de visita", "tempo atendimento", "service minutes"), example="20", api="integer"),
    Column("channel", "Canal", parse=_channel, aliases=("channel",), example="campo"),
    Column("owner", "Representante", aliases=("código do representante", "codigo representante",
                                              "cod vendedor", "vendedor", "rep", "owner", "e-mail do representante"),
           max_length=254, example="R010"),
    Column("credit_limit", "Limite de crédito", parse=_money, aliases=("limite", "credit limit"),
           example="5.000,00", api="number"),
    Column("active", "Ativo", parse=v.boolean, aliases=("active", "situação", "situacao"), example="sim", api="boolean"),
    Column("notes", "Observações", aliases=("observacoes", "obs", "notes"), example=""),
)

ADDRESS = ("street", "number", "district", "city", "state", "postal_code")
# Optional columns whose blank cell means "keep the current value" (they cannot be null).
KEEP_WHEN_BLANK = ("segment", "visit_frequency_days", "service_minutes", "channel", "credit_limit", "active")
FIELDS = (*(c.key for c in COLUMNS if c.key != "owner"), "owner_id")


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


def validate(records: list[Record], company_id: int, filename: str) -> list[Problem]:
    """Check codes are unique in the file and owners exist; resolve owner ids."""
    problems = duplicates(records, "erp_code", "Código", filename)
    owners = owner_keys(company_id)
    for rec in records:
        if "owner" not in rec.values:
            continue
        owner = rec.values.pop("owner")
        uid = None if owner is None else owners.get(owner) or owners.get(owner.lower())
        if owner is not None and uid is None:
            problems.append(Problem(rec.row, "Representante",
                                    _("No user with code or e-mail %(owner)s.", owner=owner), filename))
        rec.values["owner_id"] = uid
    return problems


def _wanted(values: dict[str, Any], present: set[str], creating: bool) -> dict[str, Any]:
    wanted = {k: values.get(k) for k in present if k in FIELDS}
    for key in KEEP_WHEN_BLANK:
        if key in wanted and wanted[key] is None:
            del wanted[key]
    if "trade_name" in present or creating:
        wanted["trade_name"] = values.get("trade_name") or values.get("legal_name")
    return wanted


def plan(records: list[Record], present: set[str], company_id: int, dry_run: bool = False) -> Changes:
    """Split the rows into inserts, changed-field updates and unchanged rows."""
    cols = [getattr(Customer, f) for f in (*FIELDS, "id", "geocode_status")]
    stored = {
        row.erp_code: row._asdict()
        for row in db.session.execute(sa.select(*cols).where(Customer.company_id == company_id))
    }
    present = present | ({"owner_id"} if "owner" in present else set())
    changes = Changes()
    for rec in records:
        old = stored.get(rec.values["erp_code"])
        wanted = _wanted(rec.values, present, old is None)
        if old is None:
            changes.creates.append({"company_id": company_id, "segment": "geral", "opening_hours": {}, **wanted})
            continue
        changed = diff(old, wanted)
        if any(k in changed for k in ADDRESS) and "latitude" not in present:
            changed.update(latitude=None, longitude=None, geocode_status=None)
        if changed:
            changes.updates.append({"id": old["id"], **changed})
        else:
            changes.unchanged += 1
    return changes


def apply(changes: Changes, company_id: int, progress: Progress | None) -> None:
    """Write the planned changes."""
    write(Customer, changes, progress)
