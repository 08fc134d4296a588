"""The seat's call list for a day, in calling order, and its progress against the morning."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import CallRequest, Contact, ContactKind, Customer, Outcome, ScoreSnapshot, User
from app.services.clock import DEFAULT_TZ
from app.services.telesales.settings import EFFECTIVE, HISTORY_DAYS, daily_calls
from app.services.telesales.sources import allowed_ids, cover_customer_ids, requested_calls

# A callback not honoured within a week stops jumping the queue; the score takes over.
CALLBACK_EXPIRY_DAYS = 7
# Order of the sections of the list, top first.
STATES = ("callback_due", "pending", "retry", "callback_later", "done")


@dataclass
class CallRow:
    """One customer of the call list, with why to call and what happened today."""

    customer: Customer
    state: str = "pending"
    score: float | None = None
    flags: int = 0
    reasons: list[Any] = field(default_factory=list)
    offers: list[Any] = field(default_factory=list)
    last_contact: date | None = None
    last_call: Contact | None = None
    pushed_by: str | None = None
    rescue_of: str | None = None  # a rescue case of this rep's field portfolio
    request: CallRequest | None = None  # sent by a supervisor, with a due date and a note
    requested_by: str | None = None
    cover_for: str | None = None  # a call replacing the visit of this absent rep
    # The seat's last call before the day, and whether one of them asked for a callback: what
    # the list looked like in the morning, before today's calls.
    morning_call: Contact | None = None
    callback_before: bool = False
    added: bool = False  # not on the list as ranked in the morning (pushed or refilled since)

    @property
    def callback_at(self) -> datetime | None:
        call = self.last_call
        return call.callback_at if call is not None and call.outcome == Outcome.CALLBACK else None


@dataclass
class Progress:
    """The day's progress of the seat, against the list as ranked in the morning.

    ``total`` is fixed for the day: the customers the list held before the first call. Customers
    that joined it later (a visit skipped and pushed, or the best pending ones refilling the list as
    calls are done) are counted apart in ``added`` / ``added_worked``, so "4 of 63" does not become
    "4 of 67" while the seat works.
    """

    total: int = 0
    worked: int = 0
    added: int = 0
    added_worked: int = 0
    calls: int = 0
    orders: int = 0
    order_value: Decimal = Decimal("0")
    callbacks_due: int = 0

    @property
    def share(self) -> float:
        return self.worked / self.total if self.total else 0.0


@dataclass
class CallList:
    """The seat's list for today, in calling order."""

    rows: list[CallRow]
    progress: Progress
    score_date: date | None
    more: int = 0


def _state(last: Contact | None, day: date, now: datetime) -> str:
    if last is None:
        return "pending"
    fresh = now - timedelta(days=CALLBACK_EXPIRY_DAYS)
    if (
        last.outcome == Outcome.CALLBACK
        and last.callback_at is not None
        and last.callback_at > fresh
    ):
        if last.callback_at <= now:
            return "callback_due"
        local_day = last.callback_at.astimezone(DEFAULT_TZ).date()
        return "callback_later" if local_day == day else "done"
    if last.contact_date != day:
        return "pending"
    return "retry" if last.outcome == Outcome.NOT_REACHED else "done"


def _sort_key(row: CallRow) -> tuple[Any, ...]:
    rank = STATES.index(row.state)
    when = row.callback_at.timestamp() if row.callback_at else 0.0
    if row.state == "done" and row.last_call is not None:
        when = -row.last_call.id
    return (rank, when, -(row.score if row.score is not None else -1.0), row.customer.trade_name)


def get_call_list(*, seat: User, day: date, now: datetime) -> CallList:
    """The seat's call list for `day`: callbacks due, then by score, then tried and done."""
    ids, pushed, rescues = allowed_ids(seat, day)
    covers = cover_customer_ids(seat=seat, day=day)
    customers = (
        list(db.session.scalars(sa.select(Customer).where(Customer.id.in_(ids)))) if ids else []
    )
    rows = {
        c.id: CallRow(
            customer=c,
            pushed_by=pushed.get(c.id),
            rescue_of=rescues.get(c.id),
            cover_for=covers.get(c.id),
        )
        for c in customers
    }
    for cid, (request, name) in requested_calls(seat=seat, day=day).items():
        if cid in rows:
            rows[cid].request, rows[cid].requested_by = request, name
    score_day = db.session.scalar(
        sa.select(sa.func.max(ScoreSnapshot.score_date)).where(
            ScoreSnapshot.company_id == seat.company_id, ScoreSnapshot.score_date <= day
        )
    )
    if rows and score_day:
        for cid, total, flags, reasons, offers in db.session.execute(
            sa.select(
                ScoreSnapshot.customer_id,
                ScoreSnapshot.total,
                ScoreSnapshot.flags,
                ScoreSnapshot.reasons,
                ScoreSnapshot.offers,
            ).where(ScoreSnapshot.score_date == score_day, ScoreSnapshot.customer_id.in_(ids))
        ):
            r = rows[cid]
            r.score, r.flags, r.reasons, r.offers = total, flags or 0, reasons or [], offers or []
    _add_contacts(rows, seat, day)
    for r in rows.values():
        r.state = _state(r.last_call, day, now)
    limit = daily_calls(seat.company_id)
    ordered = _today_only(sorted(rows.values(), key=_sort_key), limit)
    morning = _morning_ids(seat, rows, day, limit)
    calls, orders, value = day_totals(seat=seat, day=day)
    progress = Progress(total=len(morning), calls=calls, orders=orders, order_value=value)
    for r in ordered:
        r.added = r.customer.id not in morning
        _count(progress, r, day)
    return CallList(
        rows=ordered, progress=progress, score_date=score_day, more=len(rows) - len(ordered)
    )


def _morning_ids(seat: User, rows: dict[int, CallRow], day: date, limit: int) -> set[int]:
    """The customers of the list as ranked at the start of `day`, before any of its calls.

    Rebuilt from the same inputs as the live list (the day's score snapshot, the seat's portfolio,
    the day's rescue cases, callbacks asked before the day), with each row's state taken from its
    last call before the day and the clock at midnight; customers pushed by a skipped visit only
    exist because of something done during the day, so they are never part of it.
    """
    start = datetime.combine(day, time(0), tzinfo=DEFAULT_TZ)
    candidates = []
    for r in rows.values():
        asked_before = r.request is not None and r.request.created_at < start
        eligible = (
            r.customer.owner_id == seat.id
            or r.rescue_of is not None
            or r.cover_for is not None
            or r.callback_before
            or asked_before
        )
        if not eligible:
            continue
        probe = replace(
            r, last_call=r.morning_call, pushed_by=None, request=r.request if asked_before else None
        )
        probe.state = _state(r.morning_call, day, start)
        if probe.state != "done":  # a callback booked for a later day is not this day's work
            candidates.append(probe)
    return {r.customer.id for r in _today_only(sorted(candidates, key=_sort_key), limit)}


def _today_only(rows: list[CallRow], limit: int) -> list[CallRow]:
    """Keep every row already worked or due, and the best `limit` of the others."""
    kept, fresh = [], 0
    for r in rows:
        handed = (
            r.pushed_by is not None
            or r.rescue_of is not None
            or r.request is not None
            or r.cover_for is not None
        )
        if r.state == "pending" and not handed:
            fresh += 1
            if fresh > limit:
                continue
        kept.append(r)
    return kept


def _add_contacts(rows: dict[int, CallRow], seat: User, day: date) -> None:
    if not rows:
        return
    ids = list(rows)
    for cid, last in db.session.execute(
        sa.select(Contact.customer_id, sa.func.max(Contact.contact_date))
        .where(Contact.customer_id.in_(ids), Contact.outcome.in_(EFFECTIVE))
        .group_by(Contact.customer_id)
    ):
        rows[cid].last_contact = last
    calls = db.session.scalars(
        sa.select(Contact)
        .where(
            Contact.customer_id.in_(ids),
            Contact.user_id == seat.id,
            Contact.kind == ContactKind.CALL,
            Contact.contact_date >= day - timedelta(days=HISTORY_DAYS),
        )
        .order_by(Contact.created_at, Contact.id)
    )
    for call in calls:
        row = rows[call.customer_id]
        row.last_call = call
        if call.contact_date < day:
            row.morning_call = call
            row.callback_before = row.callback_before or call.outcome == Outcome.CALLBACK


def _count(progress: Progress, row: CallRow, day: date) -> None:
    call = row.last_call
    if row.state == "done" and (call is None or call.contact_date != day):
        row.added = False
        return  # waiting for a callback on a later day: not this day's work
    if row.state == "callback_due":
        progress.callbacks_due += 1
    if row.added:
        progress.added += 1
    if call is not None and call.contact_date == day and row.state != "callback_due":
        if row.added:
            progress.added_worked += 1
        else:
            progress.worked += 1


def day_totals(*, seat: User, day: date) -> tuple[int, int, Decimal]:
    """Calls, orders and order value logged by the seat on `day`."""
    calls, orders, value = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.sum(sa.case((Contact.outcome == Outcome.ORDER, 1), else_=0)),
            sa.func.sum(sa.case((Contact.outcome == Outcome.ORDER, Contact.order_value), else_=0)),
        ).where(
            Contact.user_id == seat.id,
            Contact.contact_date == day,
            Contact.kind == ContactKind.CALL,
        )
    ).one()
    return int(calls or 0), int(orders or 0), Decimal(str(value or 0))


# ---- logging a call ---------------------------------------------------------------------
