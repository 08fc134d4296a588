"""The rows a visit action is decided on: the customer, the stop and the contact of its UUID.

Each lookup is also an authorisation: what is not the rep's (or covered by the rep) is
not found (:class:`~app.services.visits.rules.NotInScope`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import (
    AbsenceCover,
    AbsenceCoverLine,
    Contact,
    ContactKind,
    CoverAction,
    CoverStatus,
    Customer,
    Plan,
    PlanStop,
)
from app.security.scope import Scope
from app.services.clock import DEFAULT_TZ
from app.services.visit_input import VisitInput
from app.services.visits.rules import NotInScope, VisitRefused


def visit_customer(scope: Scope, customer_id: int, now: datetime) -> Customer:
    """The visited customer: in the rep's scope, or covered by him; else NotInScope."""
    customer = db.session.scalar(scope.customers().where(Customer.id == customer_id))
    if customer is None:
        customer = _covered_customer(scope, customer_id, now)
    if customer is None:
        raise NotInScope("customer")
    return customer


def _covered_customer(scope: Scope, customer_id: int, now: datetime) -> Customer | None:
    """A colleague's customer this rep covers during an absence (yesterday, today, tomorrow).

    The phone may send a visit a little after midnight, or queue it offline: a day either side
    keeps it valid without opening the colleague's whole portfolio.
    """
    today = now.astimezone(DEFAULT_TZ).date()
    covered = (
        sa.select(AbsenceCoverLine.id)
        .join(AbsenceCover, AbsenceCover.id == AbsenceCoverLine.cover_id)
        .where(
            AbsenceCover.company_id == scope.company_id,
            AbsenceCover.status == CoverStatus.APPLIED,
            AbsenceCover.day.between(today - timedelta(days=1), today + timedelta(days=1)),
            AbsenceCoverLine.customer_id == customer_id,
            AbsenceCoverLine.receiver_id == scope.user_id,
            AbsenceCoverLine.action == CoverAction.VISIT,
        )
        .exists()
    )
    return db.session.scalar(
        sa.select(Customer).where(
            Customer.id == customer_id, Customer.company_id == scope.company_id, covered
        )
    )


def stop_for(scope: Scope, stop_id: int, customer_id: int, day: date) -> PlanStop | None:
    """The rep's stop of this customer, surviving re-plans that renumber the stops.

    A payload queued offline may name a stop a later re-plan replaced: the visit is then
    linked to the customer's stop in the rep's plan of that day, or to no stop at all
    (it still counts as the rep's visit; the customer check is the authorisation).
    """
    stop = db.session.scalar(
        sa.select(PlanStop)
        .join(Plan, Plan.id == PlanStop.plan_id)
        .where(PlanStop.id == stop_id, Plan.user_id == scope.user_id, Plan.plan_date == day)
    )
    if stop is not None and stop.customer_id == customer_id:
        return stop
    return db.session.scalar(
        sa.select(PlanStop)
        .join(Plan, Plan.id == PlanStop.plan_id)
        .where(
            Plan.user_id == scope.user_id,
            Plan.plan_date == day,
            PlanStop.customer_id == customer_id,
        )
        .order_by(PlanStop.seq)
        .limit(1)
    )


def existing_contact(scope: Scope, visit: VisitInput) -> Contact | None:
    """The contact of the visit's UUID, if any, locked until the commit (PostgreSQL) so two
    requests for one visit are decided one after the other; someone else's UUID is not found."""
    contact = db.session.scalar(
        sa.select(Contact)
        .where(Contact.client_uuid == visit.client_uuid)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if contact is not None and (
        contact.user_id != scope.user_id or contact.customer_id != visit.customer_id
    ):
        raise NotInScope("contact")
    return contact


def check_free(scope: Scope, visit: VisitInput, stop: PlanStop | None, day: date) -> None:
    """Refuse a new visit when the customer has an open one, or the stop a visit already.

    Two tabs (or phones) that each start a visit of the same stop get two UUIDs: the
    second is refused with the first contact, which the phone then adopts.
    """
    if stop is not None:
        # Serialises two first actions on one stop (PostgreSQL; SQLite writes one at a time).
        db.session.execute(sa.select(PlanStop.id).where(PlanStop.id == stop.id).with_for_update())
    others = db.session.scalars(
        sa.select(Contact)
        .where(
            Contact.user_id == scope.user_id,
            Contact.customer_id == visit.customer_id,
            Contact.contact_date == day,
            Contact.kind == ContactKind.VISIT,
            Contact.client_uuid != visit.client_uuid,
        )
        .order_by(Contact.id)
    ).all()
    for other in others:
        if other.is_open:
            raise VisitRefused("visit_open", other)
    for other in others:
        if stop is not None and other.plan_stop_id == stop.id:
            raise VisitRefused("stop_taken", other)


def _insert_if_absent(values: dict[str, Any]) -> int | None:
    """INSERT the contact unless its client UUID exists; return the new id, or None.

    ``ON CONFLICT (client_uuid) DO NOTHING`` on both databases: on PostgreSQL a twin
    request's insert waits for the first one's transaction and then inserts nothing
    (instead of a UniqueViolation); on SQLite the write lock already orders them.
    """
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Contact)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Contact.client_uuid])
        .returning(Contact.id)
    )
    return db.session.scalar(statement)


def contact_for(
    scope: Scope, visit: VisitInput, customer: Customer, stop: PlanStop | None, day: date
) -> tuple[Contact, bool]:
    """The contact row of the visit's UUID, created if absent; and whether this call created it.

    The caller found none; a twin request racing this one may still create it first, in
    which case its row comes back with False (locked until our commit on PostgreSQL) and
    the action is decided on that row. Someone else's UUID is not found (NotInScope).
    """
    db.session.flush()  # the insert below bypasses the unit of work
    new_id = _insert_if_absent(
        {
            "client_uuid": visit.client_uuid,
            "company_id": customer.company_id,
            "customer_id": customer.id,
            "user_id": scope.user_id,
            "kind": ContactKind.VISIT,
            "planned": stop is not None,
            "plan_stop_id": stop.id if stop else None,
            "contact_date": day,
        }
    )
    contact = existing_contact(scope, visit)
    if contact is None:  # cannot happen: the row exists, or the insert above made it
        raise RuntimeError(f"contact {visit.client_uuid} vanished")
    return contact, new_id is not None
