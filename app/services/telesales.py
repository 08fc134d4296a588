"""The telesales seat's call list: its customers ranked by score, callbacks on time, calls logged.

Field customers whose visit was skipped today join the call list of the team's seat
when the company's planning settings say so (`telesales_push_skipped`); the list
reads them from today's skipped stops and visits, so nothing has to be copied.

Rescue cases of the team's field portfolios (score purpose "reactivation") that the company's
reactivation policy does not send straight to the field are worked here first: each seat gets
the most valuable of them every day (`reactivation_daily_calls`, by the monthly revenue they
used to bring), leaving out those contacted within `reactivation_retry_days`. A call that ends
with "visit requested" puts the customer on its rep's next field plan (``routing``).

A supervisor may send any customer of the team to a seat's list from a due date with a note
(:mod:`app.services.actions.telesales`): it stays on the list, ranked with the others, until
the seat's call with an effective outcome answers it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AbsenceCover,
    AbsenceCoverLine,
    CallRequest,
    Contact,
    ContactKind,
    CoverAction,
    CoverStatus,
    Customer,
    Outcome,
    Plan,
    PlanStop,
    Role,
    ScoreSnapshot,
    StopStatus,
    User,
)
from app.services import company_settings, money
from app.services.clock import DEFAULT_TZ
from app.services.errors import Invalid, NotFound
from optimizer.scoring import FIELD_REACTIVATION, RESCUE

CALL_OUTCOMES = (
    Outcome.ORDER,
    Outcome.NO_SALE,
    Outcome.NOT_REACHED,
    Outcome.CALLBACK,
    Outcome.VISIT_REQUESTED,
)
EFFECTIVE = (
    Outcome.ORDER,
    Outcome.NO_SALE,
    Outcome.COLLECTED,
    Outcome.CALLBACK,
    Outcome.VISIT_REQUESTED,
)
HISTORY_DAYS = 60
# A callback not honoured within a week stops jumping the queue; the score takes over.
CALLBACK_EXPIRY_DAYS = 7
# Order of the sections of the list, top first.
STATES = ("callback_due", "pending", "retry", "callback_later", "done")


class CallError(Invalid):
    """A call that cannot be logged; `code` names the problem for the view's message."""

    code: str

    def __init__(self, code: str) -> None:
        super().__init__({code: code}, message=code)
        self.code = code


# ---- settings ---------------------------------------------------------------------------


def push_enabled(company_id: int) -> bool:
    """Tell whether skipped field visits go to the team's telesales list."""
    return company_settings.get(company_id=company_id).planning.telesales_push_skipped


def daily_calls(company_id: int) -> int:
    """How many not-yet-called customers a seat's list shows per day (planning settings)."""
    return company_settings.get(company_id=company_id).planning.telesales_daily_calls


def reactivation_calls(company_id: int) -> int:
    """How many rescue cases of the team's field portfolios a seat gets per day."""
    return company_settings.get(company_id=company_id).planning.reactivation_daily_calls


def reactivation_retry_days(company_id: int) -> int:
    """Days before a rescue case contacted without success is offered to a seat again."""
    return company_settings.get(company_id=company_id).planning.reactivation_retry_days


def no_sale_reasons(company_id: int, locale: str = "pt_BR") -> list[tuple[str, str]]:
    """The company's no-sale reasons as (key, label) in the user's language."""
    return company_settings.get(company_id=company_id).no_sale_reasons(locale)


# ---- pushed customers -------------------------------------------------------------------


def team_seats(*, company_id: int, team_id: int | None) -> list[User]:
    """The active telesales seats of a team."""
    if team_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.company_id == company_id,
                User.team_id == team_id,
                User.role == Role.TELESALES,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def push_skipped_to_telesales(*, rep: User, customer_id: int, day: date) -> User | None:
    """Hand a field customer skipped today to the team's telesales seat, if the company wants it.

    Called by the rep flow after a skip; returns the seat whose list now shows the
    customer (the list reads skipped visits itself), or None when the policy is off or
    the team has no seat.
    """
    if not push_enabled(rep.company_id):
        return None
    seats = team_seats(company_id=rep.company_id, team_id=rep.team_id)
    if not seats:
        return None
    return seats[customer_id % len(seats)]


def pushed_customer_ids(*, seat: User, day: date) -> dict[int, str]:
    """Field customers of the seat's team skipped on `day`, with the rep's name."""
    if seat.team_id is None or not push_enabled(seat.company_id):
        return {}
    seats = team_seats(company_id=seat.company_id, team_id=seat.team_id)
    if not seats:
        return {}
    reps = sa.select(User.id).where(
        User.company_id == seat.company_id, User.team_id == seat.team_id, User.role == Role.REP
    )
    stops = (
        sa.select(PlanStop.customer_id, User.name)
        .join(Plan, Plan.id == PlanStop.plan_id)
        .join(User, User.id == Plan.user_id)
        .where(Plan.plan_date == day, Plan.user_id.in_(reps), PlanStop.status == StopStatus.SKIPPED)
    )
    visits = (
        sa.select(Contact.customer_id, User.name)
        .join(User, User.id == Contact.user_id)
        .where(
            Contact.contact_date == day,
            Contact.user_id.in_(reps),
            Contact.kind == ContactKind.VISIT,
            Contact.outcome == Outcome.SKIPPED,
        )
    )
    visited = set(
        db.session.scalars(
            sa.select(Contact.customer_id).where(
                Contact.contact_date == day,
                Contact.kind == ContactKind.VISIT,
                Contact.outcome.in_(EFFECTIVE),
            )
        )
    )
    found: dict[int, str] = {}
    for cid, name in [*db.session.execute(stops), *db.session.execute(visits)]:
        if cid is not None and cid not in visited:
            found.setdefault(cid, name)
    # With several seats in a team, each pushed customer goes to one of them.
    index = [s.id for s in seats].index(seat.id) if seat in seats else -1
    return {cid: n for cid, n in found.items() if cid % len(seats) == index}


def cover_customer_ids(*, seat: User, day: date) -> dict[int, str]:
    """Customers an applied absence cover gives this seat to call on ``day``, with the name
    of the absent rep whose visit the call replaces."""
    absent = sa.orm.aliased(User)
    rows = db.session.execute(
        sa.select(AbsenceCoverLine.customer_id, absent.name)
        .join(AbsenceCover, AbsenceCover.id == AbsenceCoverLine.cover_id)
        .join(absent, absent.id == AbsenceCover.absent_user_id)
        .where(
            AbsenceCover.company_id == seat.company_id,
            AbsenceCover.day == day,
            AbsenceCover.status == CoverStatus.APPLIED,
            AbsenceCoverLine.receiver_id == seat.id,
            AbsenceCoverLine.action == CoverAction.CALL,
        )
    )
    return {cid: name for cid, name in rows}


def is_reactivation() -> Any:
    """SQL: a snapshot whose purpose is reactivation (older snapshots: the rescue flag)."""
    return sa.or_(
        ScoreSnapshot.purpose == "reactivation",
        sa.and_(ScoreSnapshot.purpose.is_(None), ScoreSnapshot.flags.op("&")(RESCUE) != 0),
    )


def reactivation_customer_ids(*, seat: User, day: date) -> dict[int, str]:
    """Rescue cases of the team's field portfolios for this seat today, with the rep's name.

    Policy "field_above_value" sends some straight to the field (flag FIELD_REACTIVATION):
    those are not called. The best ``reactivation_calls`` by monthly value, among those not
    contacted in the retry window before today, shared among the team's seats.
    """
    limit = reactivation_calls(seat.company_id)
    if seat.team_id is None or limit == 0:
        return {}
    seats = team_seats(company_id=seat.company_id, team_id=seat.team_id)
    if seat not in seats:
        return {}
    score_day = db.session.scalar(
        sa.select(sa.func.max(ScoreSnapshot.score_date)).where(
            ScoreSnapshot.company_id == seat.company_id, ScoreSnapshot.score_date <= day
        )
    )
    if score_day is None:
        return {}
    retry_from = day - timedelta(days=reactivation_retry_days(seat.company_id))
    recent = sa.select(Contact.customer_id).where(
        Contact.company_id == seat.company_id,
        Contact.contact_date >= retry_from,
        Contact.contact_date < day,
        Contact.outcome.in_(EFFECTIVE),
    )
    rows = db.session.execute(
        sa.select(Customer.id, User.name)
        .join(ScoreSnapshot, ScoreSnapshot.customer_id == Customer.id)
        .join(User, User.id == Customer.owner_id)
        .where(
            Customer.company_id == seat.company_id,
            Customer.active.is_(True),
            User.team_id == seat.team_id,
            User.role == Role.REP,
            ScoreSnapshot.company_id == seat.company_id,  # the day's rows by index
            ScoreSnapshot.score_date == score_day,
            is_reactivation(),
            ScoreSnapshot.flags.op("&")(FIELD_REACTIVATION) == 0,
            Customer.id.not_in(recent),
        )
        .order_by(sa.func.coalesce(ScoreSnapshot.monthly_value, 0.0).desc(), Customer.id)
    ).all()
    index = [s.id for s in seats].index(seat.id)
    mine = [(cid, name) for cid, name in rows if cid % len(seats) == index]
    return dict(mine[:limit])


# ---- the call list ----------------------------------------------------------------------


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


def requested_calls(*, seat: User, day: date) -> dict[int, tuple[CallRequest, str | None]]:
    """Supervisor requests for this seat due by `day`, open or answered by a call on `day` (so
    the call that answered one stays on the day's list as done; a cancelled one is gone), with
    who asked, by customer."""
    start = datetime.combine(day, time(0), tzinfo=DEFAULT_TZ)
    rows = db.session.execute(
        sa.select(CallRequest, User.name)
        .join(Customer, Customer.id == CallRequest.customer_id)
        .outerjoin(User, User.id == CallRequest.requested_by_id)
        .where(
            CallRequest.seat_id == seat.id,
            sa.or_(
                CallRequest.closed_at.is_(None),
                sa.and_(CallRequest.closed_at >= start, CallRequest.contact_id.is_not(None)),
            ),
            CallRequest.due_date <= day,
            Customer.active.is_(True),
        )
        .order_by(CallRequest.due_date, CallRequest.id)
    )
    found: dict[int, tuple[CallRequest, str | None]] = {}
    for request, name in rows:
        found.setdefault(request.customer_id, (request, name))
    return found


def _allowed_ids(seat: User, day: date) -> tuple[set[int], dict[int, str], dict[int, str]]:
    """Customers the seat may call today: its own, today's pushed ones, today's rescue cases
    of the team's field portfolios, supervisors' requests due, today's calls covering an absent
    rep and its open callbacks."""
    own = set(
        db.session.scalars(
            sa.select(Customer.id).where(
                Customer.company_id == seat.company_id,
                Customer.owner_id == seat.id,
                Customer.active.is_(True),
            )
        )
    )
    pushed = pushed_customer_ids(seat=seat, day=day)
    callbacks = set(
        db.session.scalars(
            sa.select(Contact.customer_id).where(
                Contact.user_id == seat.id,
                Contact.outcome == Outcome.CALLBACK,
                Contact.contact_date >= day - timedelta(days=HISTORY_DAYS),
            )
        )
    )
    rescues = reactivation_customer_ids(seat=seat, day=day)
    requested = set(requested_calls(seat=seat, day=day))
    covers = set(cover_customer_ids(seat=seat, day=day))
    return own | set(pushed) | set(rescues) | callbacks | requested | covers, pushed, rescues


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
    ids, pushed, rescues = _allowed_ids(seat, day)
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


def parse_money(text: str | None) -> Decimal | None:
    """Read `1.234,56`, `1234,56` or `1234.56` as a positive amount the column can hold.

    The one reading of typed money (``app.services.money``): bounded, at most two decimals.
    """
    try:
        value = money.parse_money(text or "")
    except money.MoneyError:
        return None
    return value if value > 0 else None


def parse_callback(
    text: str | None, day: date, tz: ZoneInfo = DEFAULT_TZ, on: str | None = None
) -> datetime | None:
    """Read `14:30` on `on` (an ISO date, as a date field sends it; `day` when blank) or
    `2026-11-24T09:00` as an aware moment."""
    raw = (text or "").strip()
    try:
        if "T" in raw:
            local = datetime.fromisoformat(raw)
        else:
            when = date.fromisoformat(on.strip()) if on and on.strip() else day
            hours, minutes = (int(x) for x in raw.replace("h", ":").split(":"))
            local = datetime.combine(when, time(hours, minutes))
    except ValueError:
        return None
    return local.replace(tzinfo=tz) if local.tzinfo is None else local


def callback_horizon(day: date) -> date:
    """The last day a callback may be booked for: the list only looks back HISTORY_DAYS for the
    call that asked for it, so a later one would never come back."""
    return day + timedelta(days=HISTORY_DAYS - 1)


@dataclass(frozen=True)
class CallInput:
    """What the seat typed for one call."""

    customer_id: int
    client_uuid: str
    outcome: str
    order_value: str = ""
    no_sale_reason: str = ""
    callback_time: str = ""
    callback_date: str = ""  # ISO date; blank means the day of the call
    notes: str = ""


def _validated(data: CallInput, seat: User, day: date, now: datetime) -> dict[str, Any]:
    try:
        outcome = Outcome(data.outcome)
    except ValueError:
        raise CallError("outcome") from None
    if outcome not in CALL_OUTCOMES:
        raise CallError("outcome")
    values: dict[str, Any] = {"outcome": outcome}
    if outcome == Outcome.ORDER:
        values["order_value"] = parse_money(data.order_value)
        if values["order_value"] is None:
            raise CallError("order_value")
    elif outcome == Outcome.NO_SALE:
        keys = [k for k, _ in no_sale_reasons(seat.company_id)]
        reason = data.no_sale_reason.strip()
        if not reason or (keys and reason not in keys):
            raise CallError("no_sale_reason")
        values["no_sale_reason"] = reason
    elif outcome == Outcome.CALLBACK:
        moment = parse_callback(data.callback_time, day, on=data.callback_date)
        if moment is None or moment < now - timedelta(minutes=1):
            raise CallError("callback_time")
        if moment.astimezone(DEFAULT_TZ).date() > callback_horizon(day):
            raise CallError("callback_date")
        values["callback_at"] = moment
    return values


def log_call(*, seat: User, data: CallInput, day: date, now: datetime) -> tuple[Contact, bool]:
    """Record a call as a Contact(kind=call); the client UUID makes a re-send a no-op.

    Returns the contact and whether it was created now. Raises NotFound for a
    customer the seat may not call and CallError for invalid input.
    """
    try:
        client_uuid = uuid.UUID(data.client_uuid)
    except ValueError:
        raise CallError("client_uuid") from None
    existing = db.session.scalar(sa.select(Contact).where(Contact.client_uuid == client_uuid))
    if existing is not None:
        if existing.user_id != seat.id or existing.customer_id != data.customer_id:
            raise NotFound("customer")
        return existing, False
    allowed, _, _ = _allowed_ids(seat, day)
    if data.customer_id not in allowed:
        raise NotFound("customer")
    values = _validated(data, seat, day, now)
    contact = Contact(
        client_uuid=client_uuid,
        company_id=seat.company_id,
        customer_id=data.customer_id,
        user_id=seat.id,
        kind=ContactKind.CALL,
        planned=False,
        contact_date=day,
        check_in_at=now,
        check_out_at=now,
        notes=data.notes.strip() or None,
        **values,
    )
    db.session.add(contact)
    db.session.flush()
    if outcome_answers_request(values["outcome"]):
        from app.services.actions.telesales import close_requests

        close_requests(
            seat_id=seat.id, customer_id=data.customer_id, contact_id=contact.id, day=day, now=now
        )
    return contact, True


def outcome_answers_request(outcome: Outcome) -> bool:
    """A call that reached the customer answers a supervisor's request; "not reached" does not."""
    return outcome in EFFECTIVE


def tel_number(phone: str | None) -> str | None:
    """A dialable `+55...` number for a tel: link."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 8:
        return None
    return f"+{digits}" if digits.startswith("55") and len(digits) >= 12 else f"+55{digits}"


def whatsapp_number(phone: str | None) -> str | None:
    """Digits for a wa.me link, with Brazil's country code."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 10:
        return None
    return digits if digits.startswith("55") and len(digits) >= 12 else f"55{digits}"
