"""The rep's day in real life, on a phone: money typed both ways, a hanging network, an
expired session, logout without signal, two tabs and two phones on one stop, re-plan
preview/confirm/undo, and the one-handed card. Each test gets a rep of its own."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from playwright.sync_api import expect

from app.extensions import db
from app.models import AuditLog, Contact, Customer, Plan, Receivable
from app.services.clock import at_local, local_now, local_today, seconds_of_day
from app.services.visits import CORRECTED
from tests.browser.conftest import browser_login, new_context, wait_until
from tests.factories import PASSWORD
from tests.support.hanging_proxy import hanging_proxy
from tests.support.rep import make_field_rep

MONEY_CASES = json.loads((Path(__file__).parents[1] / "data" / "money_cases.json").read_text())[
    "cases"
]
# A zigzag across the city (west, east, west, east): re-planning it saves a lot of driving.
ZIGZAG = [(-23.55, -46.70), (-23.55, -46.56), (-23.55, -46.69), (-23.55, -46.57), (-23.55, -46.68)]
LINE = [(-23.55, -46.62 + 0.004 * i) for i in range(5)]
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")

COUNT_STORE = """(name) => new Promise((resolve) => {
  const req = indexedDB.open("roteiro-rep");
  req.onsuccess = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains(name)) { resolve(0); return; }
    const count = db.transaction(name).objectStore(name).count();
    count.onsuccess = () => resolve(count.result);
  };
})"""


@dataclass(frozen=True)
class FieldRep:
    """A rep of the demo company made for one test: login, stops in order, names."""

    email: str
    user_id: int
    plan_id: int
    stop_ids: list[int]
    customer_ids: list[int]
    names: list[str]


def _make(positions, start_s=None, customer_fields=None):  # type: ignore[no-untyped-def]
    from app.demo.loader import demo_company_id

    now_s = seconds_of_day(local_now())
    rep, plan = make_field_rep(
        demo_company_id(),
        local_today(),
        positions=positions,
        start_s=start_s if start_s is not None else max(now_s - 3600, 0),
        customer_fields=customer_fields,
    )
    stops = [s for s in plan.stops if s.customer_id]
    return FieldRep(
        rep.email,
        rep.id,
        plan.id,
        [s.id for s in stops],
        [s.customer_id for s in stops],
        [s.customer.display_name for s in stops],
    )


def _login(page, rep: FieldRep) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, rep.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"^http://[^/]+/hoje$"))
    expect(page.locator(".next-stop")).to_be_visible()


def _service_worker(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
        timeout=15000,
    )


def _contacts(user_id: int) -> list[Contact]:
    rows = db.session.scalars(
        sa.select(Contact).where(Contact.user_id == user_id).order_by(Contact.id)
    ).all()
    for row in rows:
        db.session.expunge(row)
    return list(rows)


QUEUE_EMPTY = """() => new Promise((resolve) => {
  const req = indexedDB.open("roteiro-rep");
  req.onsuccess = () => {
    const db = req.result;
    const count = db.transaction("queue").objectStore("queue").count();
    count.onsuccess = () => resolve(count.result === 0);
  };
})"""


def _sent(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the phone's queue is empty and the status line says nothing is pending."""
    page.wait_for_function(QUEUE_EMPTY, timeout=15000, polling=100)
    expect(page.locator("#rep-status")).to_be_hidden(timeout=15000)


def _visit(page, outcome: str, value: str | None = None):  # type: ignore[no-untyped-def]
    card = page.locator(".next-stop")
    card.get_by_role("button", name="Check-in", exact=True).click()
    card.get_by_role("button", name="Check-out", exact=True).click()
    sheet = page.locator("#sheet-outcome")
    sheet.get_by_role("button", name=outcome, exact=True).click()
    if value is not None:
        sheet.get_by_label("Valor do pedido (R$)").fill(value)
    return sheet


def test_money_typed_both_ways_is_shown_back_stored_and_correctable(phone_page, live_server):
    """Tests that 99,90 and 99.90 both store R$ 99,90, are shown before saving, and a visit is
    corrected the same day."""
    rep = live_server.run(_make, LINE)
    _login(phone_page, rep)
    results = phone_page.evaluate(
        """async (cases) => {
      const { parseMoney } = await import("/static/js/rep/money.js");
      return cases.map((c) => parseMoney(c.text, c.locale.replace("_", "-")));
    }""",
        MONEY_CASES,
    )
    assert results == [c["value"] for c in MONEY_CASES]

    phone_page.locator(".next-stop").get_by_role("button", name="Check-in", exact=True).click()
    phone_page.locator(".next-stop").get_by_role("button", name="Check-out", exact=True).click()
    focused = phone_page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Pedido"  # the sheet opens on the choices, not on a text box
    sheet = phone_page.locator("#sheet-outcome")
    sheet.get_by_role("button", name="Pedido", exact=True).click()
    sheet.get_by_label("Valor do pedido (R$)").fill("99.90")
    expect(sheet.get_by_text("Entendido: R$ 99,90")).to_be_visible()
    sheet.get_by_role("button", name="Salvar pedido de R$ 99,90").click()
    expect(phone_page.locator(".next-stop .next-name")).to_have_text(rep.names[1])
    sheet = _visit(phone_page, "Pedido", "99,90")
    sheet.get_by_role("button", name="Salvar pedido de R$ 99,90").click()
    # The summary counts queued actions, and the app queues before it renders: once it reads
    # two orders the second one is in the queue, so an empty queue then means the server has it.
    expect(phone_page.locator(".rep-summary")).to_have_text(
        "2 visitas · 2 pedidos · R$ 199,80 vendidos"
    )
    _sent(phone_page)
    assert [c.order_value for c in live_server.run(_contacts, rep.user_id)] == [
        Decimal("99.90")
    ] * 2

    phone_page.locator(".done-fold summary").click()
    first = phone_page.locator(".done-fold .stop-card").first
    expect(first).to_contain_text("Pedido · R$ 99,90")
    first.get_by_role("button", name="Corrigir").click()
    correct = phone_page.locator("#sheet-outcome")
    expect(correct.get_by_role("heading")).to_have_text("Corrigir o resultado da visita")
    correct.get_by_role("button", name="Sem venda").click()
    correct.get_by_role("button", name="Preço").click()
    expect(first).to_contain_text("Sem venda · Preço")
    _sent(phone_page)
    expect(phone_page.locator(".rep-summary")).to_have_text(
        "2 visitas · 1 pedido · R$ 99,90 vendidos"
    )
    contacts = live_server.run(_contacts, rep.user_id)
    assert [(c.outcome.value, c.order_value) for c in contacts] == [
        ("no_sale", None),
        ("order", Decimal("99.90")),
    ]
    audits = live_server.run(
        lambda: db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == CORRECTED, AuditLog.target == f"contact:{contacts[0].id}")
        )
    )
    assert audits == 1


def test_stored_route_shows_within_a_second_on_a_hanging_network(browser, live_server):
    """Tests that with the day kept on the phone and a network that hangs, the page falls back
    to the shell after the worker's timeout and the route is on screen within 1 s of it."""
    rep = live_server.run(_make, LINE)
    port = int(live_server.url.rsplit(":", 1)[1])
    with hanging_proxy(port) as proxy:
        context = new_context(browser, live_server, base_url=proxy.url)
        page = context.new_page()
        try:
            _login(page, rep)
            _service_worker(page)
            expect(page.locator(".rep-updated")).to_contain_text("Atualizado às")
            proxy.hang = True
            page.reload(timeout=20000)
            expect(page.locator(".next-stop .next-name")).to_have_text(rep.names[0], timeout=6000)
            timing = page.evaluate("""() => {
              const nav = performance.getEntriesByType("navigation")[0];
              const shown = performance.getEntriesByName("route-shown")[0];
              return { response: nav.responseEnd, shown: shown ? shown.startTime : null };
            }""")
            assert timing["shown"] is not None
            assert timing["shown"] - timing["response"] < 1000, timing
            assert page.locator(".stop-card").count() == len(rep.names) - 1
            proxy.hang = False
            expect(page.locator(".rep-updated")).not_to_contain_text("sem sinal", timeout=15000)
        finally:
            context.close()


def test_expired_session_asks_to_log_in_and_sends_the_queue_after(phone_page, live_server):
    """Tests that an action meeting a lost session shows 'Entre de novo para enviar', and logging
    in again as the same rep sends everything queued."""
    rep = live_server.run(_make, LINE)
    _login(phone_page, rep)
    phone_page.context.clear_cookies()
    _visit(phone_page, "Fechado")
    alert = phone_page.locator("#rep-alerts")
    expect(alert).to_contain_text("Entre de novo para enviar")
    expect(phone_page.locator("#rep-status")).to_contain_text("1 pendente")
    assert live_server.run(_contacts, rep.user_id) == []
    alert.get_by_role("link", name="Entrar").click()
    phone_page.get_by_label("E-mail").fill(rep.email)
    phone_page.get_by_label("Senha").fill(PASSWORD)
    phone_page.get_by_role("button", name="Entrar").click()
    expect(phone_page).to_have_url(re.compile(r"^http://[^/]+/hoje$"))
    expected = [(rep.customer_ids[0], "closed")]
    sent = wait_until(
        lambda: [
            (c.customer_id, c.outcome.value if c.outcome else None)
            for c in live_server.run(_contacts, rep.user_id)
        ],
        expected,
    )
    assert sent == expected
    _sent(phone_page)
    expect(alert).to_be_hidden()


def test_another_rep_on_the_same_phone_never_sees_or_sends_the_first_reps_queue(
    phone_page, live_server
):
    """Tests that a visit queued under a lost session stays with its rep: the next rep on the
    phone neither sees it nor sends it, and the first rep's next login sends it."""
    first = live_server.run(_make, LINE)
    second = live_server.run(_make, LINE)
    _login(phone_page, first)
    phone_page.context.clear_cookies()
    _visit(phone_page, "Fechado")
    expect(phone_page.locator("#rep-alerts")).to_contain_text("Entre de novo para enviar")
    # The alert comes with the check-in's refusal; wait for the check-out to be queued too, or
    # a busy machine logs the next rep in before the phone has stored it.
    phone_page.wait_for_function(
        f"async () => (await ({COUNT_STORE})('queue')) === 2", timeout=15000, polling=100
    )
    _login(phone_page, second)
    expect(phone_page.locator(".next-stop .next-name")).to_have_text(second.names[0])
    expect(phone_page.locator(".rep-summary")).to_contain_text("0 visitas")
    expect(phone_page.locator("#rep-status")).to_be_hidden()
    assert phone_page.evaluate(COUNT_STORE, "queue") == 2  # the first rep's, kept for him
    assert live_server.run(_contacts, first.user_id) == []
    assert live_server.run(_contacts, second.user_id) == []
    phone_page.get_by_role("button", name="Sair").click()
    expect(phone_page).to_have_url(re.compile(r"/auth/login"))
    _login(phone_page, first)
    sent = wait_until(
        lambda: [
            c.outcome.value if c.outcome else None
            for c in live_server.run(_contacts, first.user_id)
        ],
        ["closed"],
    )
    assert sent == ["closed"]


def test_logout_without_signal_loses_nothing(phone_page, live_server):
    """Tests that logging out offline with a visit pending warns, keeps the route and the queue,
    and the visit reaches the server once the signal is back."""
    rep = live_server.run(_make, LINE)
    _login(phone_page, rep)
    _service_worker(phone_page)
    context = phone_page.context
    context.set_offline(True)
    _visit(phone_page, "Reagendar")
    expect(phone_page.locator("#rep-status")).to_have_text("offline · 1 pendente")
    phone_page.get_by_role("button", name="Sair").click()
    sheet = phone_page.locator("#sheet-logout")
    expect(sheet).to_contain_text("1 visita está só neste celular")
    sheet.get_by_role("button", name="Enviar e sair").click()
    expect(sheet).to_contain_text("Não foi possível enviar agora; nada foi apagado.")
    sheet.get_by_role("button", name="Sair e deixar guardadas neste celular").click()
    expect(phone_page.locator("#rep-toast")).to_contain_text("Sem sinal: você continua conectado")
    expect(phone_page).to_have_url(re.compile(r"/hoje$"))
    assert phone_page.evaluate(COUNT_STORE, "day") == 1
    assert phone_page.evaluate(COUNT_STORE, "queue") == 2  # the check-in and the check-out
    phone_page.reload()
    expect(phone_page.locator(".next-stop .next-name")).to_have_text(rep.names[1])
    assert live_server.run(_contacts, rep.user_id) == []

    context.set_offline(False)
    _sent(phone_page)
    assert [c.outcome.value for c in live_server.run(_contacts, rep.user_id)] == ["rescheduled"]
    phone_page.goto("/hoje")  # the offline shell has no account menu: the page with signal has
    phone_page.get_by_role("button", name="Sair").click()
    expect(phone_page).to_have_url(re.compile(r"/auth/login"))
    assert phone_page.evaluate(COUNT_STORE, "day") == 0


def test_two_tabs_and_two_phones_on_one_stop_end_with_one_visit(browser, live_server):
    """Tests that tabs share one visit (a stale sheet cannot finish it twice), and a second phone's
    check-in on the finished stop is refused with a message while the order stays."""
    rep = live_server.run(_make, LINE)
    context = new_context(browser, live_server)
    other_phone = new_context(browser, live_server)
    try:
        tab_a = context.new_page()
        _login(tab_a, rep)
        tab_b = context.new_page()
        tab_b.goto("/hoje")
        phone_b = other_phone.new_page()
        _login(phone_b, rep)  # loaded now: it will not hear of what the first phone does

        tab_a.locator(".next-stop").get_by_role("button", name="Check-in", exact=True).click()
        expect(tab_b.locator(".next-stop")).to_contain_text("Em visita desde")
        tab_a.locator(".next-stop").get_by_role("button", name="Check-out", exact=True).click()
        tab_b.locator(".next-stop").get_by_role("button", name="Check-out", exact=True).click()
        sheet_b = tab_b.locator("#sheet-outcome")
        sheet_b.get_by_role("button", name="Pedido", exact=True).click()
        sheet_b.get_by_label("Valor do pedido (R$)").fill("150")
        sheet_b.get_by_role("button", name="Salvar pedido de R$ 150,00").click()
        expect(tab_a.locator(".next-stop .next-name")).to_have_text(rep.names[1])
        tab_a.locator("#sheet-outcome").get_by_role("button", name="Fechado").click()
        expect(tab_a.locator("#rep-toast")).to_contain_text("mudou em outra aba")
        _sent(tab_a)

        phone_b.locator(".next-stop").get_by_role("button", name="Check-in", exact=True).click()
        expect(phone_b.locator("#rep-alerts")).to_contain_text("Esta parada já tem uma visita")
        expect(phone_b.locator(".next-stop .next-name")).to_have_text(rep.names[1])
        contacts = live_server.run(_contacts, rep.user_id)
        assert [(c.customer_id, c.outcome.value, c.order_value) for c in contacts] == [
            (rep.customer_ids[0], "order", Decimal("150.00"))
        ]
    finally:
        context.close()
        other_phone.close()


def _order(plan_id: int) -> list[str]:
    plan = db.session.get(Plan, plan_id)
    db.session.refresh(plan)
    return [s.customer.display_name for s in plan.stops if s.customer]


def _next_morning() -> datetime:
    """The next 10:00 in the company's time zone, never in the past: the browser keeps the real
    clock, so a session cookie issued at a server time behind it would already have expired."""
    now = local_now()
    morning = at_local(now.date(), 10 * 3600)
    return morning if morning > now else at_local(now.date() + timedelta(days=1), 10 * 3600)


def test_replan_preview_confirm_and_undo(phone_page, live_server):
    """Tests that re-plan shows the new times and what it gains, applies only when confirmed,
    and undo puts the old route back. The server's clock is set to a morning: late in the
    evening the old zigzag no longer fits what is left of the day, and the preview rightly
    speaks of visits gained instead of driving saved."""
    with time_machine.travel(_next_morning(), tick=True):
        _replan_preview_confirm_and_undo(phone_page, live_server)


def _replan_preview_confirm_and_undo(phone_page, live_server):  # type: ignore[no-untyped-def]
    rep = live_server.run(_make, ZIGZAG)
    _login(phone_page, rep)
    phone_page.get_by_role("button", name="Replanejar o resto do dia").click()
    sheet = phone_page.locator("#sheet-replan")
    expect(sheet.get_by_role("heading", name="Replanejar o resto do dia?")).to_be_visible(
        timeout=20000
    )
    assert live_server.run(_order, rep.plan_id) == rep.names  # nothing written yet
    shown = sheet.locator(".preview-stop .stop-name").all_inner_texts()
    assert len(shown) == len(rep.names)  # a morning: the whole route fits either way
    expect(sheet.locator(".preview-summary")).to_contain_text("Nova ordem")
    expect(sheet.locator(".preview-summary")).to_contain_text("a menos ao volante")
    sheet.get_by_role("button", name="Usar este roteiro").click()
    undo = phone_page.locator("#rep-undo")
    expect(undo).to_be_visible()
    assert live_server.run(_order, rep.plan_id) == shown
    expect(phone_page.locator(".next-stop .next-name")).to_have_text(shown[0])
    undo.get_by_role("button", name="Desfazer").click()
    expect(phone_page.locator("#rep-toast")).to_contain_text("O roteiro anterior voltou.")
    expect(phone_page.locator(".next-stop .next-name")).to_have_text(rep.names[0])
    assert live_server.run(_order, rep.plan_id) == rep.names


def _card_world() -> FieldRep:
    fields = [
        {
            "notes": "Falar com o gerente",
            "phone": "(11) 3333-4444",
            "whatsapp": None,
            "credit_limit": Decimal("1000"),
        },
        {"phone": "(11) 98765-4321", "whatsapp": None},
        {},
        {},
        {},
    ]
    rep = _make(LINE, customer_fields=fields)
    first = db.session.get(Customer, rep.customer_ids[0])
    db.session.add(
        Receivable(
            company_id=first.company_id,
            customer_id=first.id,
            erp_code=f"T-{uuid.uuid4().hex[:8]}",
            issue_date=local_today() - timedelta(days=40),
            due_date=local_today() - timedelta(days=10),
            amount=Decimal("820"),
        )
    )
    return rep


def test_the_card_holds_what_the_rep_needs_with_one_hand(phone_page, live_server):
    """Tests the standing note, overdue and credit on the card, SVG icons without emoji,
    plurals, the late header, WhatsApp only for mobiles, and an unplanned visit from 'near me'
    pinned on top."""
    rep = live_server.run(_card_world)
    _login(phone_page, rep)
    card = phone_page.locator(".next-stop")
    expect(card.locator(".standing-note")).to_have_text("Observação: Falar com o gerente")
    expect(card).to_contain_text("Crédito disponível: R$")
    head = phone_page.locator(".rep-head")
    expect(head).to_contain_text("0 feitas")
    expect(head).to_contain_text("5 restantes")
    expect(head).to_contain_text("0 visitas · 0 pedidos · R$ 0,00 vendidos")
    if seconds_of_day(local_now()) >= 3600 + 1800 + 15 * 60:  # the plan began an hour ago
        expect(head.locator(".rep-late")).to_contain_text("de atraso em relação ao plano")
    assert not EMOJI.search(phone_page.locator("#rep-view").inner_text())
    assert phone_page.locator("#rep-view svg.ico").count() > 3

    phone_page.locator(".next-stop .next-name a").click()
    expect(phone_page.get_by_role("link", name=re.compile("Ligar"))).to_be_visible()
    expect(phone_page.get_by_role("link", name=re.compile("WhatsApp"))).to_have_count(0)
    phone_page.goto(f"/hoje/paradas/{rep.stop_ids[1]}")
    expect(phone_page.get_by_role("link", name=re.compile("WhatsApp"))).to_have_attribute(
        "href", "https://wa.me/5511987654321"
    )

    phone_page.goto("/hoje")
    phone_page.context.set_geolocation(
        {"latitude": LINE[3][0], "longitude": LINE[3][1], "accuracy": 10}
    )
    phone_page.get_by_role("button", name="Visita avulsa").click()
    sheet = phone_page.locator("#sheet-unplanned")
    sheet.get_by_role("button", name="Perto de mim").click()
    picks = sheet.locator(".pick")
    expect(picks.first).to_contain_text(rep.names[3])
    expect(picks.first).to_contain_text(" m")
    picks.first.click()
    expect(phone_page.locator(".next-stop .next-name")).to_have_text(rep.names[3])
    expect(phone_page.locator(".next-stop")).to_contain_text("Em visita desde")
    _sent(phone_page)
    contacts = live_server.run(_contacts, rep.user_id)
    assert [(c.customer_id, c.planned) for c in contacts] == [(rep.customer_ids[3], True)]
    assert isinstance(contacts[0].check_in_at, datetime)


@pytest.fixture(autouse=True)
def _no_console_errors(request):  # type: ignore[no-untyped-def]
    """Every page of these tests runs without an uncaught script error."""
    errors: list[str] = []
    pages = [request.getfixturevalue(n) for n in ("phone_page",) if n in request.fixturenames]
    for page in pages:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield
    assert errors == []


def _saturday_rep() -> tuple[FieldRep, str]:
    """A rep who works Monday to Saturday, planned for the next Saturday by the planning service."""
    from app.models import User
    from app.services import planning, work_calendar
    from app.services.portfolio import latest_score_date
    from tests.support.rep import make_score

    rep = _make(LINE)
    saturday = local_today() + timedelta(days=(5 - local_today().weekday()) % 7 or 7)
    user = db.session.get(User, rep.user_id)
    score_day = latest_score_date(company_id=user.company_id, today=local_today()) or local_today()
    for i, cid in enumerate(rep.customer_ids):
        make_score(db.session.get(Customer, cid), score_day, total=50.0 - i, flags=0)
    assert work_calendar.why_not_working(user, saturday) is None  # the calendar has him at work
    plan = planning.plan_rep(rep=user, day=saturday, week=False).plan
    assert plan is not None
    assert plan.plan_date.weekday() == 5
    return rep, saturday.strftime("%d/%m")


def _rep_off_today() -> tuple[FieldRep, str]:
    """A rep whose working week leaves today out, with no route today; and the calendar's words."""
    from app.models import User
    from app.services import work_calendar

    rep = _make(LINE)
    user = db.session.get(User, rep.user_id)
    user.work_profile.working_weekdays = 0b1111111 & ~(1 << local_today().weekday())
    db.session.delete(db.session.get(Plan, rep.plan_id))
    off = work_calendar.why_not_working(user, local_today())
    assert off is not None
    return rep, f"Sem roteiro hoje: {off.label()}."


def test_a_saturday_route_and_a_day_off_that_says_why(phone_page, live_server):
    """Tests that a rep working Saturdays finds the Saturday route the planner made, and a rep on
    his weekly day off is told why there is no route, by the page and by re-plan."""
    rep, saturday = live_server.run(_saturday_rep)
    browser_login(phone_page, rep.email, PASSWORD)
    phone_page.goto("/semana")
    day = phone_page.locator(".week-day", has_text=saturday)
    expect(day.get_by_role("heading")).to_contain_text("sábado")
    expect(day.locator(".week-name")).to_have_count(len(rep.names))
    assert sorted(day.locator(".week-name").all_inner_texts()) == sorted(rep.names)
    phone_page.get_by_role("button", name="Sair").click()

    off, why = live_server.run(_rep_off_today)
    browser_login(phone_page, off.email, PASSWORD)
    expect(phone_page.locator(".no-plan")).to_have_text(why)
    phone_page.get_by_role("button", name="Replanejar o resto do dia").click()
    expect(phone_page.locator("#rep-toast")).to_have_text(why)
