"""Customers: where they are, what they are, who serves them and how they behave."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from app.demo import geography, names
from app.demo.people import Staff
from app.demo.segments import SEGMENTS, Segment, opening_hours_json, visit_frequency
from app.models import Channel, GeocodeStatus

# How a customer buys over the 18 months (share of the portfolio).
BEHAVIOURS: dict[str, float] = {
    "regular": 0.575,
    "irregular": 0.12,
    "lapsing": 0.085,
    "lost": 0.085,
    "mix_lapse": 0.055,
    "new": 0.055,
    "never": 0.025,
}
# How a customer pays its invoices.
PAYERS: dict[str, float] = {"good": 0.89, "slow": 0.075, "defaulter": 0.035}
TELESALES_SHARE = 0.12
CUSTOMER_NOTES = (
    "Entregar pelos fundos, portão azul.",
    "Comprador só atende depois das 14h.",
    "Prefere pedido por WhatsApp.",
    "Pagamento sempre no boleto, nunca no cartão.",
    "Dono viaja no fim do mês; falar com o gerente.",
    "Estacionamento difícil; parar na rua de trás.",
    "Pede degustação de lançamentos.",
)


@dataclass
class CustomerPlan:
    """One demo customer: its row and the hidden parameters that drive its history."""

    index: int
    row: dict[str, Any]
    segment: Segment
    hood: geography.Neighbourhood
    rep_index: int
    owner_id: int
    field_rep_id: int
    telesales: bool
    behaviour: str
    payer: str
    cycle_days: float
    ticket: float
    mix: dict[str, float]
    terms_days: int
    created: date
    works_saturday: bool
    id: int | None = None
    dropped_category: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def frequency(self) -> int:
        """Visit or call cadence in days."""
        return int(self.row["visit_frequency_days"])


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _dirichlet(
    rng: random.Random, weights: dict[str, float], concentration: float
) -> dict[str, float]:
    draws = {k: rng.gammavariate(w * concentration, 1.0) for k, w in weights.items()}
    total = sum(draws.values())
    return {k: v / total for k, v in draws.items()}


def plan_customers(
    rng: random.Random, *, count: int, staff: Staff, today: date
) -> list[CustomerPlan]:
    """Draw every customer of the portfolio, spread over the reps' territories."""
    hoods = [
        (r, hood) for r in range(len(geography.TERRITORIES)) for hood in geography.territory_of(r)
    ]
    per_hood = geography.allocate(count, [hood.weight for _, hood in hoods])
    plans: list[CustomerPlan] = []
    for (rep_index, hood), n in zip(hoods, per_hood, strict=True):
        for lat, lon in geography.sample_points(rng, hood, n):
            plans.append(_plan_one(rng, len(plans), hood, rep_index, (lat, lon), staff, today))
    return plans


def _plan_one(
    rng: random.Random,
    index: int,
    hood: geography.Neighbourhood,
    rep_index: int,
    position: tuple[float, float],
    staff: Staff,
    today: date,
) -> CustomerPlan:
    segment = rng.choices(SEGMENTS, weights=[s.share for s in SEGMENTS])[0]
    cycle = min(42.0, max(5.0, segment.cycle_days * rng.lognormvariate(0.0, 0.35)))
    ticket = segment.ticket * rng.lognormvariate(0.0, 0.45)
    telesales = rng.random() < TELESALES_SHARE * (1.6 if ticket < segment.ticket else 0.4)
    team = staff.team_of_rep(rep_index)
    field_rep = staff.rep_ids[rep_index]
    owner = staff.telesales_ids[team] if telesales else field_rep
    behaviour = _weighted(rng, BEHAVIOURS)
    created = _created(rng, behaviour, today)
    terms = rng.choices((14, 21, 28), weights=(3, 4, 3))[0]
    row = _row(rng, index, segment, hood, position, cycle, ticket, created)
    row["credit_limit"] = credit_limit(rng, ticket, cycle, terms)
    row.update(
        company_id=staff.company_id,
        owner_id=owner,
        channel=Channel.TELESALES if telesales else Channel.FIELD,
        delivery_weekdays=geography.DELIVERY_WEEKDAYS[hood.zone],
    )
    return CustomerPlan(
        index=index,
        row=row,
        segment=segment,
        hood=hood,
        rep_index=rep_index,
        owner_id=owner,
        field_rep_id=field_rep,
        telesales=telesales,
        behaviour=behaviour,
        payer=_weighted(rng, PAYERS),
        cycle_days=cycle,
        ticket=ticket,
        mix=_dirichlet(rng, segment.mix, 6.0),
        terms_days=terms,
        created=created,
        works_saturday=(not telesales) and field_rep in staff.saturday_rep_ids,
    )


def credit_limit(rng: random.Random, ticket: float, cycle: float, terms: int) -> Decimal:
    """A limit that covers the invoices open within the payment terms plus the next order."""
    open_orders = terms / cycle + 1.5
    return Decimal(max(1000, math.ceil(ticket * open_orders * rng.uniform(1.2, 1.6) / 500) * 500))


def _created(rng: random.Random, behaviour: str, today: date) -> date:
    """When the customer was registered: years ago, or recently for new ones."""
    if behaviour == "new":
        return today - timedelta(days=rng.randint(25, 70))
    if behaviour == "never":
        return today - timedelta(days=rng.randint(3, 50))
    return today - timedelta(days=rng.randint(560, 2400))


def _row(
    rng: random.Random,
    index: int,
    segment: Segment,
    hood: geography.Neighbourhood,
    position: tuple[float, float],
    cycle: float,
    ticket: float,
    created: date,
) -> dict[str, Any]:
    district = hood.name if hood.city == "São Paulo" else rng.choice(names.DISTRICTS_OUTSIDE)
    trade = names.trade_name(rng, segment.label, hood.name)
    street, number = names.street_address(rng)
    whatsapp = names.mobile(rng)
    stamp = datetime.combine(created, time(12, 0), tzinfo=UTC)
    hours = rng.choice(segment.hours)
    return {
        "erp_code": f"C{index + 1:05d}",
        "legal_name": names.legal_name(rng, segment.key, trade),
        "trade_name": trade,
        "tax_id": names.cnpj(rng),
        "segment": segment.key,
        "street": street,
        "number": number,
        "district": district,
        "city": hood.city,
        "state": "SP",
        "postal_code": geography.postal_code(rng, hood),
        "zone": hood.zone,
        "latitude": position[0],
        "longitude": position[1],
        "geocode_status": GeocodeStatus.OK,
        "phone": names.landline(rng) if rng.random() < 0.6 else whatsapp,
        "whatsapp": whatsapp if rng.random() < 0.85 else None,
        "email": f"contato@{names.slug(trade)}.com.br" if rng.random() < 0.3 else None,
        "opening_hours": opening_hours_json(hours),
        "service_minutes": segment.service_minutes + rng.choice((-5, 0, 0, 0, 5)),
        "visit_frequency_days": visit_frequency(cycle),
        "active": True,
        "notes": rng.choice(CUSTOMER_NOTES) if rng.random() < 0.08 else None,
        "created_at": stamp,
        "updated_at": stamp,
    }
