"""What a stop's detail shows from history: each customer's latest orders and notes, and
nothing of other customers, however much history there is (app/services/rep_day.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app.services import rep_day
from tests.factories import make_company, make_contact, make_customer, make_order, make_user

DAY = date(2026, 3, 10)


def test_facts_keep_the_latest_orders_and_notes_per_customer(db_session) -> None:
    company = make_company()
    rep = make_user(company)
    first, second, other = (make_customer(company, rep) for _ in range(3))
    made = {}
    for customer, count in ((first, 6), (second, 2), (other, 4)):
        for k in range(count):
            made[(customer.id, k)] = make_order(
                customer, DAY - timedelta(days=10 * k), [(f"Cat{k}", Decimal("10.00"))]
            )
    same_day = make_order(first, DAY, [("Tie", Decimal("1.00"))])  # a later id wins the tie
    for k in range(7):
        make_contact(first, rep, DAY - timedelta(days=k), notes=f"nota {k}")
    make_contact(first, rep, DAY + timedelta(days=1), notes="")  # blank: not a note
    make_contact(first, rep, DAY + timedelta(days=2), notes=None)
    make_contact(other, rep, DAY, notes="de outro cliente")

    facts = rep_day.load_facts(customer_ids=[first.id, second.id])

    assert set(facts) == {first.id, second.id}
    assert [o.id for o in facts[first.id].orders] == [
        same_day.id,
        made[(first.id, 0)].id,
        made[(first.id, 1)].id,
    ]
    assert [o.id for o in facts[second.id].orders] == [
        made[(second.id, 0)].id,
        made[(second.id, 1)].id,
    ]
    assert facts[first.id].categories[same_day.id] == ["Tie"]
    assert facts[second.id].categories[made[(second.id, 1)].id] == ["Cat1"]
    assert [c.notes for c in facts[first.id].notes] == [f"nota {k}" for k in range(5)]
    assert facts[second.id].notes == []
    assert rep_day.load_facts(customer_ids=[]) == {}
