"""One average ticket: the score, the card, the KPIs and the exports show the same number.

The definition (docs/kpis.md): mean order total of the orders in the 365 days up to the day,
else of all orders up to it. The portfolio here has customers on both sides of that rule and an
order outside the window that would change a whole-history average.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.extensions import db
from app.formatting import money
from app.models import ScoreSnapshot
from app.security.scope import Scope
from app.services import kpis, scoring
from app.services.portfolio import get_customer_detail
from app.services.scoring_features import extract
from app.services.ticket import average_tickets
from app.supervisor import tables
from optimizer.scoring import ScoringSettings
from tests.factories import make_customer, make_order
from tests.support.scoring import DAY, ago, small_portfolio
from tests.support.web import login


@pytest.fixture
def world(db_session):
    w = small_portfolio()
    # an order outside the window that a whole-history mean would count
    make_order(w["lapsed"], ago(500), [("Bebidas", Decimal("9000.00"))])
    # gone for longer than the window: keeps the ticket of its whole history
    gone = make_customer(w["company"], w["rep2"], trade_name="Armazém Antigo")
    make_order(gone, ago(400), [("Bebidas", Decimal("120.00"))])
    make_order(gone, ago(420), [("Bebidas", Decimal("200.00"))])
    w["gone"] = gone
    scoring.score_company(session=db.session, company_id=w["company"].id, day=DAY)
    db.session.flush()
    return w


def _snapshot(customer_id: int) -> ScoreSnapshot:
    return db.session.scalar(
        sa.select(ScoreSnapshot).where(
            ScoreSnapshot.customer_id == customer_id, ScoreSnapshot.score_date == DAY
        )
    )


def test_the_definition_by_hand(world):
    """Tests the window rule and its fallback against numbers worked out by hand."""
    lapsed, gone = world["lapsed"].id, world["gone"].id
    got = average_tickets(
        customer_ids=[lapsed, gone, world["never"].id], day=DAY, session=db.session
    )
    assert got[lapsed] == round((7 * 420 + 2 * 250 + 80) / 10, 2)  # the 9,000 is 500 days old
    assert got[gone] == 160.0  # nothing in the window: its whole history
    assert world["never"].id not in got


def test_score_card_kpis_and_exports_agree(client, world):
    """Tests the one ticket and the monthly value everywhere they are shown."""
    ids = [world[k].id for k in ("lapsed", "debtor", "lost", "new", "gone")]
    features = extract(
        session=db.session, company_id=world["company"].id, day=DAY, settings=ScoringSettings()
    ).features
    by_index = {int(c): k for k, c in enumerate(features.customer_id)}
    flt = kpis.KpiFilter(scope=Scope.of(world["admin"]), start=DAY - timedelta(days=29), end=DAY)
    facts = kpis.load_facts(flt)
    for cid in ids:
        snap = _snapshot(cid)
        ticket = snap.avg_ticket
        assert ticket is not None
        assert round(float(features.avg_ticket[by_index[cid]]), 2) == ticket  # the score's input
        assert average_tickets(customer_ids=[cid], day=DAY, session=db.session)[cid] == ticket
        assert round(facts[cid].avg_ticket, 2) == ticket  # the KPIs
        assert facts[cid].value_at_risk == snap.monthly_value
        detail = get_customer_detail(scope=Scope.of(world["admin"]), customer_id=cid, today=DAY)
        assert detail.average_ticket == Decimal(str(ticket))  # the card
        with client.application.test_request_context(), force_locale("en"):
            headers, rows = tables.table([kpis.ListRow(facts[cid], "rep")])
        cells = dict(zip(headers, rows[0], strict=True))
        assert cells["Average ticket"] == ticket  # the exports
        assert cells["Value at risk / month"] == round(snap.monthly_value, 2)

    login(client, world["admin"].email)
    lost = _snapshot(world["lost"].id)
    html = client.get(f"/carteira/clientes/{world['lost'].id}").get_data(as_text=True)
    with client.application.test_request_context(), force_locale("pt_BR"):
        assert money(lost.avg_ticket) in html
        assert money(lost.monthly_value) in html
    response = client.get(
        f"/supervisor/clientes?list=rescue&format=csv&start={DAY - timedelta(days=29)}&end={DAY}"
    )
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    line = next(r for r in rows[1:] if r[1] == "Empório Sumido")
    assert line[header.index("Ticket médio")] == f"{lost.avg_ticket:.2f}".replace(".", ",")
    assert line[header.index("Valor em risco / mês")] == f"{lost.monthly_value:.2f}".replace(
        ".", ","
    )
