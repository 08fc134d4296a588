"""The absent rep's visits that cannot wait: appointments, collection, rescue, urgent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import CoverKind, Customer, User
from app.services import routing
from app.services.routing import CandidateInfo, PlanningConfig
from optimizer.model import Candidate


@dataclass(frozen=True)
class MustDo:
    """One visit of the absent rep that cannot wait, as the solver and the page need it."""

    customer: Customer
    kind: CoverKind
    candidate: Candidate
    score: float
    by_phone: bool
    appointment_id: int | None = None


def must_do_visits(
    *, absent: User, day: date, config: PlanningConfig, urgent_count: int
) -> list[MustDo]:
    """Return the absent rep's must-do visits of ``day`` (appointments first, then by kind)."""
    cset = routing.build_candidates(rep=absent, day=day, config=config)
    ids = [info.customer_id for info in cset.info.values()]
    customers = {
        c.id: c for c in db.session.scalars(sa.select(Customer).where(Customer.id.in_(ids)))
    }
    scores = routing.scores_for(company_id=absent.company_id, day=day, customer_ids=ids)
    appointments = {a.customer_id: a.id for a in routing.appointments_for(rep=absent, day=day)}
    picked: list[MustDo] = []
    others: list[tuple[Candidate, CandidateInfo]] = []
    for cand in cset.candidates:
        info = cset.info[cand.id]
        snap = scores.get(info.customer_id)
        kind = _kind(info, snap)
        if kind is None:
            others.append((cand, info))
            continue
        picked.append(_must_do(customers[info.customer_id], kind, cand, info, appointments))
    others.sort(key=lambda pair: (-pair[1].score, pair[1].customer_id))
    for cand, info in others[: max(urgent_count, 0)]:
        if info.score > 0:
            picked.append(
                _must_do(customers[info.customer_id], CoverKind.URGENT, cand, info, appointments)
            )
    order = list(CoverKind)
    picked.sort(key=lambda m: (order.index(m.kind), -m.score, m.customer.id))
    return picked


def _kind(info: CandidateInfo, snap: routing.ScoreFacts | None) -> CoverKind | None:
    if info.purpose == "appointment":
        return CoverKind.APPOINTMENT
    if info.purpose == "collect":
        return CoverKind.COLLECTION
    if snap is not None and snap.reactivation:
        return CoverKind.RESCUE
    return None


def _must_do(
    customer: Customer,
    kind: CoverKind,
    cand: Candidate,
    info: CandidateInfo,
    appointments: Mapping[int, int],
) -> MustDo:
    """An appointment is agreed in person: never handed to the phone."""
    phone_ok = kind != CoverKind.APPOINTMENT and bool((customer.phone or "").strip())
    return MustDo(
        customer=customer,
        kind=kind,
        candidate=cand,
        score=info.score,
        by_phone=phone_ok,
        appointment_id=appointments.get(customer.id) if kind == CoverKind.APPOINTMENT else None,
    )
