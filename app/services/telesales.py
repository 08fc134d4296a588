"""The telesales seat's call list: its customers ranked by score, callbacks on time, calls logged.

Field customers whose visit was skipped today join the call list of the team's seat
when the company's planning settings say so (`push_skipped_to_telesales`); the list
reads them from today's skipped stops and visits, so nothing has to be copied.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    CompanySettings,
    Contact,
    ContactKind,
    Customer,
    Outcome,
    Plan,
    PlanStop,
    Role,
    ScoreSnapshot,
    StopStatus,
    User,
)
from app.services.clock import DEFAULT_TZ

CALL_OUTCOMES = (Outcome.ORDER, Outcome.NO_SALE, Outcome.NOT_REACHED, Outcome.CALLBACK)
EFFECTIVE = (Outcome.ORDER, Outcome.NO_SALE, Outcome.COLLECTED, Outcome.CALLBACK)
HISTORY_DAYS = 60
# A callback not honoured within a week stops jumping the queue; the score takes over.
CALLBACK_EXPIRY_DAYS = 7
DEFAULT_DAILY_CALLS = 60
# Order of the sections of the list, top first.
STATES = ("callback_due", "pending", "retry", "callback_later", "done")


class CallError(ValueError):
    """A call that cannot be logged; `code` names the problem for the view's message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# ---- settings ---------------------------------------------------------------------------


def latest_settings(company_id: int) -> CompanySettings | None:
    """The company's current settings version."""
    return db.session.scalar(
        sa.select(CompanySettings)
        .where(CompanySettings.company_id == company_id)
        .order_by(CompanySettings.version.desc())
        .limit(1)
    )


def push_enabled(company_id: int) -> bool:
    """Tell whether skipped field visits go to the team's telesales list (default: yes)."""
    settings = latest_settings(company_id)
    planning = settings.planning if settings else {}
    for key in ("push_skipped_to_telesales", "telesales_push_skipped"):
        if key in planning:
            return bool(planning[key])
    return True


def daily_calls(company_id: int) -> int:
    """How many not-yet-called customers a seat's list shows per day (planning settings)."""
    settings = latest_settings(company_id)
    value = (settings.planning if settings else {}).get("telesales_daily_calls")
    return int(value) if isinstance(value, int) and value > 0 else DEFAULT_DAILY_CALLS


def no_sale_reasons(company_id: int, locale: str = "pt_BR") -> list[tuple[str, str]]:
    """The company's no-sale reasons as (key, label) in the user's language."""
    settings = latest_settings(company_id)
    reasons = (settings.planning if settings else {}).get("no_sale_reasons") or []
    english = locale.startswith("en")
    out = []
    for r in reasons:
        if isinstance(r, dict) and r.get("key"):
            label = r.get("label_en") if english and r.get("label_en") else r.get("label")
            out.append((str(r["key"]), str(label or r["key"])))
    return out


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

    @property
    def callback_at(self) -> datetime | None:
        call = self.last_call
        return call.callback_at if call is not None and call.outcome == Outcome.CALLBACK else None


@dataclass
class Progress:
    """The day's progress of the seat."""

    total: int = 0
    worked: int = 0
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


def _allowed_ids(seat: User, day: date) -> tuple[set[int], dict[int, str]]:
    """Customers the seat may call today: its own, today's pushed ones and its open callbacks."""
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
    return own | set(pushed) | callbacks, pushed


def _state(last: Contact | None, day: date, now: datetime) -> str:
    if last is None:
        return "pending"
    fresh = now - timedelta(days=CALLBACK_EXPIRY_DAYS)
    if last.outcome == Outcome.CALLBACK and last.callback_at is not None and last.callback_at > fresh:
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
    ids, pushed = _allowed_ids(seat, day)
    customers = list(db.session.scalars(sa.select(Customer).where(Customer.id.in_(ids)))) if ids else []
    rows = {c.id: CallRow(customer=c, pushed_by=pushed.get(c.id)) for c in customers}
    score_day = db.session.scalar(
        sa.select(sa.func.max(ScoreSnapshot.score_date)).where(
            ScoreSnapshot.company_id == seat.company_id, ScoreSnapshot.score_date <= day
        )
    )
    if rows and score_day:
        for cid, total, flags, reasons, offers in db.session.execute(
            sa.select(
                ScoreSnapshot.customer_id, ScoreSnapshot.total, ScoreSnapshot.flags,
                ScoreSnapshot.reasons, ScoreSnapshot.offers,
            ).where(ScoreSnapshot.score_date == score_day, ScoreSnapshot.customer_id.in_(ids))
        ):
            r = rows[cid]
            r.score, r.flags, r.reasons, r.offers = total, flags or 0, reasons or [], offers or []
    _add_contacts(rows, seat, day)
    for r in rows.values():
        r.state = _state(r.last_call, day, now)
    ordered = _today_only(sorted(rows.values(), key=_sort_key), daily_calls(seat.company_id))
    calls, orders, value = day_totals(seat=seat, day=day)
    progress = Progress(total=len(ordered), calls=calls, orders=orders, order_value=value)
    for r in ordered:
        _count(progress, r, day)
    return CallList(rows=ordered, progress=progress, score_date=score_day, more=len(rows) - len(ordered))


def _today_only(rows: list[CallRow], limit: int) -> list[CallRow]:
    """Keep every row already worked or due, and the best `limit` of the others."""
    kept, fresh = [], 0
    for r in rows:
        if r.state == "pending" and r.pushed_by is None:
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
        rows[call.customer_id].last_call = call


def _count(progress: Progress, row: CallRow, day: date) -> None:
    call = row.last_call
    if row.state == "callback_due":
        progress.callbacks_due += 1
    if call is not None and call.contact_date == day and row.state != "callback_due":
        progress.worked += 1


def day_totals(*, seat: User, day: date) -> tuple[int, int, Decimal]:
    """Calls, orders and order value logged by the seat on `day`."""
    calls, orders, value = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.sum(sa.case((Contact.outcome == Outcome.ORDER, 1), else_=0)),
            sa.func.sum(sa.case((Contact.outcome == Outcome.ORDER, Contact.order_value), else_=0)),
        ).where(Contact.user_id == seat.id, Contact.contact_date == day, Contact.kind == ContactKind.CALL)
    ).one()
    return int(calls or 0), int(orders or 0), Decimal(str(value or 0))


# ---- logging a call ---------------------------------------------------------------------

MONEY_RE = re.compile(r"^\d{1,3}(\.\d{3})*(,\d{1,2})?$|^\d+([.,]\d{1,2})?$")


def parse_money(text: str | None) -> Decimal | None:
    """Read `1.234,56`, `1234,56` or `1234.56` as a positive amount."""
    raw = (text or "").replace("R$", "").strip()
    if not raw or not MONEY_RE.match(raw):
        return None
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value > 0 else None


def parse_callback(text: str | None, day: date, tz: ZoneInfo = DEFAULT_TZ) -> datetime | None:
    """Read `14:30` (today) or `2026-11-24T09:00` as an aware moment."""
    raw = (text or "").strip()
    try:
        if "T" in raw:
            local = datetime.fromisoformat(raw)
        else:
            hours, minutes = (int(x) for x in raw.replace("h", ":").split(":"))
            local = datetime.combine(day, time(hours, minutes))
    except ValueError:
        return None
    return local.replace(tzinfo=tz) if local.tzinfo is None else local


@dataclass(frozen=True)
class CallInput:
    """What the seat typed for one call."""

    customer_id: int
    client_uuid: str
    outcome: str
    order_value: str = ""
    no_sale_reason: str = ""
    callback_time: str = ""
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
        moment = parse_callback(data.callback_time, day)
        if moment is None or moment < now - timedelta(minutes=1):
            raise CallError("callback_time")
        values["callback_at"] = moment
    return values


def log_call(*, seat: User, data: CallInput, day: date, now: datetime) -> tuple[Contact, bool]:
    """Record a call as a Contact(kind=call); the client UUID makes a re-send a no-op.

    Returns the contact and whether it was created now. Raises LookupError for a
    customer the seat may not call and CallError for invalid input.
    """
    try:
        client_uuid = uuid.UUID(data.client_uuid)
    except ValueError:
        raise CallError("client_uuid") from None
    existing = db.session.scalar(sa.select(Contact).where(Contact.client_uuid == client_uuid))
    if existing is not None:
        if existing.user_id != seat.id or existing.customer_id != data.customer_id:
            raise LookupError(data.customer_id)
        return existing, False
    allowed, _ = _allowed_ids(seat, day)
    if data.customer_id not in allowed:
        raise LookupError(data.customer_id)
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
    return contact, True


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
