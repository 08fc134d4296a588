"""The rep's day as JSON for the phone: words and numbers already formatted in the
user's language, so the offline copy renders exactly like the online page."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.formatting import clock, day, duration, km, money
from app.models import (
    WEEKDAY_KEYS,
    Appointment,
    Contact,
    Customer,
    Plan,
    PlanStop,
    ScoreSnapshot,
    StopKind,
    StopStatus,
)
from app.presenters import flag_labels, render_offers, render_reasons
from app.services import calendar_page
from app.services.clock import DEFAULT_TZ
from app.services.rep_day import CustomerFacts, NoPlanReason, RepDay
from app.services.visits import PlanningSettings, contact_json

FINISHED = (StopStatus.DONE, StopStatus.SKIPPED)
RECEIVABLES_SHOWN = 8
CENT = Decimal("0.01")


def brl(value: Decimal | float | int) -> str:
    """Format BRL like `app.formatting.money`, without Babel's per-call cost.

    The day's JSON formats a few hundred amounts; Babel's formatter costs ~0.3 ms each.
    Locales other than pt-BR and English fall back to the filter.
    """
    lang = str(get_locale())
    if lang not in ("pt_BR", "en"):
        return money(value)
    amount = Decimal(value).quantize(CENT)
    body = f"{abs(amount):,.2f}"
    sign = "-" if amount < 0 else ""
    if lang == "en":
        return f"{sign}R${body}"
    return f"{sign}R$\xa0{body.translate(_PT_SEPARATORS)}"


_PT_SEPARATORS = str.maketrans({",": ".", ".": ","})


def _digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


def _national(number: str | None) -> str:
    """The number's digits without the trunk zero and Brazil's country code."""
    digits = _digits(number).lstrip("0")
    if digits.startswith("55") and len(digits) in (12, 13):
        digits = digits[2:]
    return digits


def is_mobile(number: str | None) -> bool:
    """Tell whether a Brazilian number is a mobile one: area code, then 9 and eight digits."""
    digits = _national(number)
    return len(digits) == 11 and digits[2] == "9"


def whatsapp_url(number: str | None, *, mobile_only: bool = False) -> str | None:
    """A wa.me chat link with the Brazilian country code (None when it cannot be a chat)."""
    digits = _national(number)
    if len(digits) not in (10, 11) or (mobile_only and not is_mobile(number)):
        return None
    return f"https://wa.me/55{digits}"


def chat_url(customer: Customer) -> str | None:
    """WhatsApp for the number the company gave as WhatsApp, else for the phone if mobile.

    A landline reaches no chat unless the company says it is a WhatsApp Business number
    (by putting it in the WhatsApp field), so the phone number alone counts only when mobile.
    """
    if customer.whatsapp:
        return whatsapp_url(customer.whatsapp)
    return whatsapp_url(customer.phone, mobile_only=True)


def navigation_urls(lat: float | None, lon: float | None) -> dict[str, str | None]:
    """Hand-off links to Google Maps and Waze, by coordinates."""
    if lat is None or lon is None:
        return {"google": None, "waze": None}
    where = f"{lat:.6f},{lon:.6f}"
    return {
        "google": f"https://www.google.com/maps/dir/?api=1&destination={where}&travelmode=driving",
        "waze": f"https://waze.com/ul?ll={where}&navigate=yes",
    }


def day_names() -> list[str]:
    """Short weekday names in the user's language, Monday first."""
    names = get_day_names("abbreviated", locale=get_locale())
    return [str(names[i]).rstrip(".") for i in range(7)]


def opening_rows(hours: dict[str, Any] | None, names: list[str] | None = None) -> list[list[str]]:
    """Opening hours as [weekday, '08:00–12:00, 14:00–18:00'] rows (empty = closed)."""
    names = names or day_names()
    rows = []
    for i, key in enumerate(WEEKDAY_KEYS):
        spans = [f"{a}–{b}" for a, b in (hours or {}).get(key) or [] if a and b]
        rows.append([names[i], ", ".join(spans)])
    return rows


def customer_json(
    c: Customer, names: list[str] | None = None, regular_day: str | None = None
) -> dict[str, Any]:
    """Who and where: the facts a rep needs to reach the customer, and its regular day in
    the visit calendar ("terça, semanas 1 e 3") when it has one."""
    street = " ".join(p for p in (c.street, c.number) if p)
    address = ", ".join(p for p in (street, c.district, c.city) if p)
    phone = _digits(c.phone)
    return {
        "id": c.id,
        "name": c.display_name,
        "legal_name": c.legal_name,
        "code": c.erp_code,
        "segment": c.segment,
        "address": address,
        "district": c.district,
        "lat": c.latitude,
        "lon": c.longitude,
        "phone": c.phone,
        "tel": f"tel:+55{phone}"
        if phone and not phone.startswith("55")
        else (f"tel:+{phone}" if phone else None),
        "whatsapp": chat_url(c),
        "nav": navigation_urls(c.latitude, c.longitude),
        "hours": opening_rows(c.opening_hours, names),
        "notes": c.notes,
        "regular_day": regular_day,
    }


_SCORE_CACHE: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_SCORE_CACHE_SIZE = 4096
_SCORE_LOCK = threading.Lock()


def _render_score(snap: ScoreSnapshot) -> dict[str, Any]:
    return {
        "score": round(snap.total),
        "reasons": render_reasons(snap.reasons),
        "offers": render_offers(snap.offers),
        "flags": [
            {"css": f.css, "icon": f.icon, "label": f.label} for f in flag_labels(snap.flags)
        ],
    }


def score_json(snap: ScoreSnapshot | None) -> dict[str, Any]:
    """Why and what for one stop, in the user's words.

    Snapshots are written once (a re-score deletes and inserts new rows), so their
    sentences are rendered once per process and language: the reasons are a third of
    the day's JSON cost otherwise. The key includes the row's creation time because
    SQLite may give a new row a deleted row's id.
    """
    if snap is None:
        return {"score": None, "reasons": [], "offers": [], "flags": []}
    key = (snap.id, snap.created_at, snap.total, snap.flags, str(get_locale()))
    with _SCORE_LOCK:
        hit = _SCORE_CACHE.get(key)
        if hit is not None:
            _SCORE_CACHE.move_to_end(key)
            return hit
    value = _render_score(snap)
    with _SCORE_LOCK:
        _SCORE_CACHE[key] = value
        if len(_SCORE_CACHE) > _SCORE_CACHE_SIZE:
            _SCORE_CACHE.popitem(last=False)
    return value


def credit_json(customer: Customer | None, open_total: Decimal) -> dict[str, Any] | None:
    """Available credit (limit minus open receivables), when the company set a limit."""
    if customer is None or not customer.credit_limit:
        return None
    available = Decimal(customer.credit_limit) - open_total
    return {
        "available": brl(available),
        "limit": brl(customer.credit_limit),
        "blocked": available <= 0,
    }


def facts_json(
    facts: CustomerFacts, today: Any, customer: Customer | None = None
) -> dict[str, Any]:
    """Last orders (with categories), open and overdue receivables, credit, notes history."""
    open_total = sum((r.amount for r in facts.receivables), Decimal("0"))
    overdue_total = sum((r.amount for r in facts.receivables if r.due_date < today), Decimal("0"))
    return {
        "credit": credit_json(customer, open_total),
        "orders": [
            {
                "date": day(o.order_date),
                "total": brl(o.total),
                "categories": facts.categories.get(o.id, []),
            }
            for o in facts.orders
        ],
        "receivables": [
            {"due": day(r.due_date), "amount": brl(r.amount), "overdue": r.due_date < today}
            for r in facts.receivables[:RECEIVABLES_SHOWN]
        ],
        "receivables_more": max(len(facts.receivables) - RECEIVABLES_SHOWN, 0),
        "open_total": brl(open_total) if facts.receivables else None,
        "overdue_total": brl(overdue_total) if overdue_total else None,
        "notes": [{"date": day(c.contact_date), "text": c.notes} for c in facts.notes],
    }


def _stop_json(
    stop: PlanStop,
    rep_day: RepDay,
    contact: Contact | None,
    names: list[str],
    regular: dict[int, str],
) -> dict[str, Any]:
    customer = stop.customer
    assert customer is not None
    return {
        "id": stop.id,
        "seq": stop.seq,
        "status": stop.status.value,
        "done": stop.status in FINISHED,
        "time": clock(stop.start_s),
        "arrival_s": stop.arrival_s,
        "start_s": stop.start_s,
        "departure_s": stop.departure_s,
        "travel_s": stop.travel_s,
        "travel": f"{km(stop.travel_m)} · {duration(stop.travel_s)}" if stop.travel_m else None,
        "pinned": stop.pinned,
        "appointment": stop.appointment,
        "customer": customer_json(customer, names, regular.get(customer.id)),
        **score_json(rep_day.snapshots.get(customer.id)),
        "facts": facts_json(rep_day.facts.get(customer.id, CustomerFacts()), rep_day.day, customer),
        "contact": contact_json(contact) if contact else None,
    }


def _plan_json(plan: Plan | None, stops: list[PlanStop]) -> dict[str, Any] | None:
    if plan is None:
        return None
    done = sum(1 for s in stops if s.status in FINISHED)
    return {
        "id": plan.id,
        "revision": plan.revision,
        "status": plan.status.value,
        "stops": len(stops),
        "done": done,
        "remaining": len(stops) - done,
        "km": km(plan.total_m),
        "hours": duration(max(plan.end_s - plan.start_s, 0)),
        "start": clock(plan.start_s),
        "end": clock(plan.end_s),
    }


def lunch_json(plan: Plan | None) -> dict[str, Any] | None:
    """The planned lunch break: when, and before which visit it falls."""
    lunch = next((s for s in plan.stops if s.kind == StopKind.LUNCH), None) if plan else None
    if lunch is None:
        return None
    return {"seq": lunch.seq, "start": clock(lunch.start_s), "end": clock(lunch.departure_s)}


def day_json(rep_day: RepDay, *, user_id: int, settings: PlanningSettings) -> dict[str, Any]:
    """The whole day, ready to render and to keep on the device."""
    by_stop: dict[int, Contact] = {}
    for contact in rep_day.contacts:
        if contact.plan_stop_id is not None:
            by_stop[contact.plan_stop_id] = contact
    lang = str(get_locale())
    names = day_names()
    # One query for the whole day's regular days.
    regular = calendar_page.regular_days(
        [s.customer_id for s in rep_day.stops if s.customer_id is not None]
        + [c.customer_id for c in rep_day.contacts]
    )
    extra = []
    for contact in rep_day.contacts:
        customer = rep_day.extra_customers.get(contact.customer_id)
        if contact.plan_stop_id is None and customer is not None:
            extra.append(
                {
                    "id": None,
                    "customer": customer_json(customer, names, regular.get(customer.id)),
                    **score_json(rep_day.snapshots.get(customer.id)),
                    "facts": facts_json(
                        rep_day.facts.get(customer.id, CustomerFacts()), rep_day.day, customer
                    ),
                    "contact": contact_json(contact),
                    "done": contact.outcome is not None,
                }
            )
    return {
        "user_id": user_id,
        "date": rep_day.day.isoformat(),
        "date_label": day(rep_day.day),
        "tz": str(DEFAULT_TZ),
        # The phone's "today" and "now" in the company's time zone, without time-zone data.
        "tz_offset_s": int((datetime.now(DEFAULT_TZ).utcoffset() or timedelta(0)).total_seconds()),
        "generated_at": datetime.now(UTC).isoformat(),
        "plan": _plan_json(rep_day.plan, rep_day.stops),
        "lunch": lunch_json(rep_day.plan),
        "stops": [_stop_json(s, rep_day, by_stop.get(s.id), names, regular) for s in rep_day.stops],
        "extra": extra,
        "radius_m": settings.checkin_radius_m,
        "no_sale_reasons": [
            {"key": r["key"], "label": r.get("label_en" if lang == "en" else "label") or r["key"]}
            for r in settings.no_sale_reasons
        ],
    }


def booked_json(booked: list[Appointment], in_route: set[int | None]) -> list[dict[str, Any]]:
    """The day's booked visits (by a supervisor or imported) not on the route yet: a route under
    way takes them at the next re-plan, so the rep is told."""
    return [
        {
            "customer_id": a.customer_id,
            "name": a.customer.display_name,
            "window": f"{clock(a.window_start_s)}–{clock(a.window_end_s)}",
            "note": a.note,
        }
        for a in booked
        if a.customer_id not in in_route
    ]


NOT_PLANNED = _l(
    "No route planned for today yet. Ask your supervisor, or visit customers of your "
    "portfolio as unplanned visits."
)


def why_json(reason: NoPlanReason) -> dict[str, Any]:
    """Why there is no route today, in the rep's words (the calendar's reason when it has one)."""
    if reason.code == "not_planned":
        return {"code": reason.code, "message": str(NOT_PLANNED)}
    return {"code": reason.code, "message": _("No route today: %(why)s.", why=reason.label)}


DROP_REASONS: dict[str, Any] = {
    "no_time_left": _l("No time left today"),
    "closed_that_day": _l("Closed at the time left"),
    "window_unreachable": _l("Cannot arrive while open"),
}
