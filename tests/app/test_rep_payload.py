"""The day's JSON helpers: fast money equals the money filter; hand-off links."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale

from app.formatting import money
from app.models import Customer
from app.rep.payload import brl, chat_url, is_mobile, navigation_urls, whatsapp_url


@pytest.mark.parametrize("locale", ["pt_BR", "en"])
@pytest.mark.parametrize(
    "value", [0, 3.2, -3.2, Decimal("1234.5"), Decimal("1234567.891"), 999.995]
)
def test_fast_money_matches_the_filter(app, locale, value):
    """Tests that the JSON's BRL formatting is exactly the money filter's, in both languages."""
    with app.test_request_context(), force_locale(locale):
        assert brl(value) == money(Decimal(str(value)).quantize(Decimal("0.01")))


@pytest.mark.parametrize(
    ("number", "url"),
    [
        ("(11) 98765-4321", "https://wa.me/5511987654321"),
        ("+55 11 98765-4321", "https://wa.me/5511987654321"),
        ("011 3333-4444", "https://wa.me/551133334444"),
        ("1234", None),
        (None, None),
    ],
)
def test_whatsapp_links_carry_the_country_code(number, url):
    """Tests that WhatsApp links are wa.me with 55 and digits only."""
    assert whatsapp_url(number) == url


@pytest.mark.parametrize(
    ("phone", "whatsapp", "url"),
    [
        ("(11) 98765-4321", None, "https://wa.me/5511987654321"),  # a mobile phone
        ("(11) 3333-4444", None, None),  # a landline: no chat offered
        ("+55 (21) 2555-0000", None, None),
        (
            "(11) 3333-4444",
            "(11) 3333-4444",
            "https://wa.me/551133334444",
        ),  # the company says it is WhatsApp
        ("(11) 3333-4444", "(11) 91234-5678", "https://wa.me/5511912345678"),
        ("0800 123 4567", None, None),
    ],
)
def test_whatsapp_only_for_mobile_numbers(phone, whatsapp, url):
    """Tests that the phone number opens a chat only when mobile; a WhatsApp number always does."""
    assert chat_url(Customer(phone=phone, whatsapp=whatsapp)) == url
    assert is_mobile("11987654321")
    assert not is_mobile("1133334444")


def test_navigation_links_use_coordinates():
    """Tests that Google Maps and Waze hand-offs carry the customer's coordinates."""
    urls = navigation_urls(-23.5, -46.6)
    assert urls["google"] == (
        "https://www.google.com/maps/dir/?api=1&destination=-23.500000,-46.600000&travelmode=driving"
    )
    assert urls["waze"] == "https://waze.com/ul?ll=-23.500000,-46.600000&navigate=yes"
    assert navigation_urls(None, None) == {"google": None, "waze": None}


def test_score_sentences_follow_the_language_and_a_rewritten_row(app, db_session):
    """Tests that cached score sentences differ by language and are rebuilt for a re-scored row."""
    from app.rep.payload import score_json
    from app.services.clock import local_today
    from tests.factories import make_company, make_customer
    from tests.support.rep import make_score

    company = make_company()
    customer = make_customer(company, None)
    snap = make_score(customer, local_today())
    with app.test_request_context():
        with force_locale("pt_BR"):
            pt = score_json(snap)
            assert score_json(snap) is pt
        with force_locale("en"):
            en = score_json(snap)
    assert pt["reasons"][0].startswith("32 dias sem comprar")
    assert en["reasons"][0].startswith("32 days without buying")
    db_session.delete(snap)
    db_session.flush()
    again = make_score(customer, local_today(), total=12.0, flags=0)
    with app.test_request_context(), force_locale("pt_BR"):
        fresh = score_json(again)
    assert fresh["score"] == 12
    assert fresh["flags"] == []
