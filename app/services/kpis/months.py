"""Coverage and positivação facts at the end of several closed months, in two queries.

The targets history reads, for each of up to twelve months, what the dashboard would read for
that month (``start`` = the 1st, ``end`` = the last day): the last effective contact on or
before the month's end and whether the customer ordered within the month. Loading the
dashboard's full facts once per month would repeat every other window a dozen times; here one
bucketed query finds the last contact before each month end and one grouped query flags the
months with an order. The facts built are :class:`CustomerFacts`, so coverage and
positivação keep their one definition (``in_gap``, ``bought_this_month``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Contact, Customer, Order
from app.security.scope import Scope
from app.services.kpis.facts import (
    EFFECTIVE_OUTCOMES,
    CustomerFacts,
    KpiFilter,
    _any_between,
    _customer_base,
    _last_by_bucket,
)


def facts_by_month(
    scope: Scope, months: Sequence[tuple[date, date]]
) -> list[dict[int, CustomerFacts]]:
    """For each ``(first, last)`` month (any order), the base's facts as of its last day."""
    if not months:
        return []
    base = _customer_base(KpiFilter(scope=scope, start=months[0][0], end=months[0][1]))
    rows = db.session.execute(
        sa.select(
            Customer.id,
            Customer.trade_name,
            Customer.erp_code,
            Customer.owner_id,
            Customer.segment,
            Customer.visit_frequency_days,
            Customer.latitude,
            Customer.longitude,
        ).where(Customer.id.in_(base))
    ).all()
    ends = sorted({last for _first, last in months})
    lasts = _last_by_bucket(
        Contact.customer_id,
        Contact.contact_date,
        [
            Contact.customer_id.in_(base),
            Contact.company_id == scope.company_id,
            Contact.outcome.in_(EFFECTIVE_OUTCOMES),
        ],
        ends,
    )
    bought: dict[int, tuple[int, ...]] = {}
    if rows:
        stmt = (
            sa.select(Order.customer_id, *[_any_between(Order.order_date, f, t) for f, t in months])
            .where(
                Order.customer_id.in_(base),
                Order.company_id == scope.company_id,
                Order.order_date.between(min(f for f, _t in months), max(ends)),
            )
            .group_by(Order.customer_id)
        )
        bought = {cid: tuple(flags) for cid, *flags in db.session.execute(stmt)}
    out: list[dict[int, CustomerFacts]] = []
    for k, (_first, last) in enumerate(months):
        at = ends.index(last)
        month: dict[int, CustomerFacts] = {}
        for cid, name, code, owner_id, segment, frequency, lat, lon in rows:
            contacts, orders = lasts.get(cid), bought.get(cid)
            month[cid] = CustomerFacts(
                id=cid,
                name=name,
                erp_code=code,
                owner_id=owner_id,
                segment=segment,
                frequency=frequency,
                latitude=lat,
                longitude=lon,
                end=last,
                last_contact=contacts[at] if contacts else None,
                bought_this_month=bool(orders[k]) if orders else False,
            )
        out.append(month)
    return out
