"""Readiness page and `flask doctor`: what blocks or degrades planning, with links to fix it."""

from __future__ import annotations

from datetime import time

from app.extensions import db
from app.models import Channel, Role
from app.services import people, readiness
from tests.factories import make_customer, make_user
from tests.support.scratch import MON_FRI, rep_profile, scratch_company
from tests.support.web import login


def _broken_company():  # type: ignore[no-untyped-def]
    """A company from scratch with one of every problem next to a rep that is fine."""
    world = scratch_company(reps={"ok": MON_FRI, "sem_base": MON_FRI}, customers=3)
    company = world.company
    no_base = world.reps["sem_base"]
    people.update_work_profile(
        actor=world.admin, user=no_base, values={"base_latitude": None, "base_longitude": None}
    )
    world.no_profile = people.create_user(
        actor=world.admin,
        company_id=company.id,
        password="senha-teste-123",
        values={"email": "novo@sem.example", "name": "Rep Sem Perfil", "role": Role.REP},
    ).user
    busy = people.create_user(
        actor=world.admin,
        company_id=company.id,
        password="senha-teste-123",
        values={"email": "busy@sem.example", "name": "Rep Lotado", "role": Role.REP},
    ).user
    people.update_work_profile(
        actor=world.admin,
        user=busy,
        values=rep_profile(0b1, day_end=time(12), lunch_start=None, lunch_end=None),
    )
    for _ in range(15):  # 15 weekly visits of 40 + 15 min on one half day a week
        make_customer(company, busy, service_minutes=40, visit_frequency_days=7)
    world.busy = busy
    ok_rep = world.reps["ok"]
    world.unowned = make_customer(company, None, trade_name="Sem Dono")
    world.failed = make_customer(
        company,
        ok_rep,
        trade_name="Endereço Ruim",
        latitude=None,
        longitude=None,
        geocode_status="failed",
    )
    world.pending = make_customer(
        company, ok_rep, trade_name="Aguardando", latitude=None, longitude=None
    )
    seat = make_user(company, Role.TELESALES)
    world.mismatch = make_customer(
        company, seat, trade_name="Campo com Televendas", channel=Channel.FIELD
    )
    db.session.flush()
    return world


def test_findings_name_every_problem_with_counts_and_links(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests each finding's level, count and examples on a company built with known problems."""
    world = _broken_company()
    report = readiness.check(company_id=world.company.id)
    by_key = {f.key: f for f in report.findings}
    assert report.blocking
    assert by_key["reps_without_profile"].examples[0].link.args == {"user_id": world.no_profile.id}
    assert by_key["reps_without_base"].count == 1
    assert by_key["reps_without_base"].examples[0].label == "Rep sem_base"
    assert by_key["reps_overloaded"].examples[0].label == "Rep Lotado"
    assert by_key["reps_overloaded"].level == readiness.DEGRADE
    assert "ok" not in {
        e.label for f in report.findings for e in f.examples if f.key.startswith("reps_")
    }
    assert by_key["customers_without_owner"].count == 1
    assert by_key["customers_without_owner"].examples[0].link.endpoint == "portfolio.customer_edit"
    assert by_key["customers_failed_geocode"].examples[0].link.args == {
        "customer_id": world.failed.id
    }
    assert by_key["customers_without_position"].count == 1
    assert by_key["customers_owner_mismatch"].count == 1
    assert by_key["customers_default_frequency"].level == readiness.CHECK
    levels = [f.level for f in report.findings]
    assert levels == sorted(levels, key=readiness.LEVELS.index)


def test_examples_are_capped_but_counts_are_whole(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a long list shows at most CAP examples and the full count."""
    world = scratch_company(reps={"a": MON_FRI}, customers=0)
    for _ in range(readiness.CAP + 5):
        make_customer(world.company, None)
    finding = next(
        f
        for f in readiness.check(company_id=world.company.id).findings
        if f.key == "customers_without_owner"
    )
    assert (finding.count, len(finding.examples)) == (readiness.CAP + 5, readiness.CAP)


def test_page_and_doctor_agree(client, runner, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests the page (admin only) and `flask doctor` with its exit status."""
    world = _broken_company()
    login(client, world.admin.email)
    html = client.get("/admin/prontidao/").get_data(as_text=True)
    assert "Representantes sem perfil de trabalho" in html
    assert f"/admin/usuarios/{world.no_profile.id}#profile" in html
    assert f"/admin/posicoes/clientes/{world.failed.id}" in html
    assert f"/carteira/clientes/{world.unowned.id}/editar" in html
    result = runner.invoke(args=["doctor", "--company", world.company.slug])
    assert result.exit_code == 1
    assert "✖ bloqueia: Representantes sem perfil de trabalho: 1" in result.output
    assert f"/admin/usuarios/{world.no_profile.id}#profile" in result.output
    assert runner.invoke(args=["doctor", "--company", "nao-existe"]).exit_code != 0


def test_a_ready_company_says_so(client, runner, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests a clean company: nothing blocks; doctor exits 0."""
    world = scratch_company(reps={"a": MON_FRI}, customers=2)
    for customer in world.customers[world.reps["a"].id]:
        customer.visit_frequency_days, customer.service_minutes = 14, 25
    db.session.flush()
    report = readiness.check(company_id=world.company.id)
    assert report.findings == []
    result = runner.invoke(args=["doctor", "--company", world.company.slug])
    assert result.exit_code == 0, result.output
    assert "nada bloqueia" in result.output
    login(client, world.admin.email)
    assert 'id="ready"' in client.get("/admin/prontidao/").get_data(as_text=True)
