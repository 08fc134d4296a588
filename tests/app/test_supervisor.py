"""Supervisor dashboard: scope (team vs company), drill-down lists and CSV/XLSX exports."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.services.clock import local_today
from tests.factories import make_contact, two_teams
from tests.support.web import login


@pytest.fixture
def world(db_session):
    w = two_teams()
    # The telesales customer was called yesterday: in frequency; the rest are in gap.
    make_contact(w["c_tel1"], w["tel1"], local_today())
    db.session.flush()
    return w


def test_supervisor_lands_on_the_team_dashboard(client, world):
    """Tests ROLE_HOME and that the dashboard counts only the team's portfolios."""
    login(client, world["sup1"].email)
    assert client.get("/").headers["Location"].endswith("/supervisor/")
    page = client.get("/supervisor/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "2 clientes" in text
    assert "Padaria do Rep Um" in text
    assert "Bar do Rep Dois" not in text


@pytest.mark.parametrize(
    ("who", "sees", "hidden"),
    [
        ("sup1", {"Padaria do Rep Um"}, {"Bar do Rep Dois", "Cliente de Outra Empresa"}),
        ("sup2", {"Bar do Rep Dois"}, {"Padaria do Rep Um", "Cliente de Outra Empresa"}),
        ("admin", {"Padaria do Rep Um", "Bar do Rep Dois"}, {"Cliente de Outra Empresa"}),
    ],
)
def test_gap_list_is_scoped(client, world, who, sees, hidden):
    """Tests that the customers behind the coverage figure are those of the viewer's scope."""
    login(client, world[who].email)
    text = client.get("/supervisor/clientes?list=gap").get_data(as_text=True)
    assert all(name in text for name in sees)
    assert not any(name in text for name in hidden)
    assert "Farmácia do Televendas" not in text  # contacted today: not in gap


def test_other_team_rep_filter_answers_404(client, world):
    """Tests that a supervisor cannot filter by (or probe) another team's rep."""
    login(client, world["sup1"].email)
    assert client.get(f"/supervisor/?rep={world['rep2'].id}").status_code == 404
    assert client.get(f"/supervisor/clientes?list=gap&rep={world['rep2'].id}").status_code == 404
    assert (
        client.get(f"/supervisor/clientes?list=visited&user={world['rep2'].id}").status_code == 404
    )
    assert client.get(f"/supervisor/?rep={world['rep1'].id}").status_code == 200
    assert client.get("/supervisor/clientes?list=nope").status_code == 404


@pytest.mark.parametrize("who", ["rep1", "tel1"])
def test_reps_and_seats_are_refused(client, world, who):
    """Tests the role gate."""
    login(client, world[who].email)
    assert client.get("/supervisor/").status_code == 403
    assert client.get("/supervisor/mapa.json").status_code == 403


def test_csv_export(client, world):
    """Tests the pt-BR CSV: BOM, semicolons, the list's customers and a download name."""
    login(client, world["sup1"].email)
    response = client.get("/supervisor/clientes?list=gap&format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeffCódigo;Cliente;Carteira de")
    lines = text.strip().splitlines()
    assert len(lines) == 2
    assert "Padaria do Rep Um" in lines[1]


def test_xlsx_export(client, world):
    """Tests the XLSX: a header row and one row per customer, for any list."""
    login(client, world["admin"].email)
    response = client.get("/supervisor/clientes?list=all&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Código", "Cliente")
    assert {r[1] for r in rows[1:]} == {
        "Padaria do Rep Um",
        "Bar do Rep Dois",
        "Farmácia do Televendas",
    }


def test_map_data_is_scoped(client, world):
    """Tests that the map's points are the team's customers with their status."""
    login(client, world["sup2"].email)
    points = client.get("/supervisor/mapa.json").get_json()["points"]
    assert [(p["name"], p["status"]) for p in points] == [("Bar do Rep Dois", "gap")]


def test_trend_weeks_drill_down_to_their_lists(client, world):
    """Tests that each coverage week links to the customers in gap as of that week."""
    login(client, world["sup1"].email)
    today = local_today()
    start = (today - timedelta(days=6)).isoformat()
    text = client.get("/supervisor/").get_data(as_text=True)
    assert f"list=gap&amp;start={start}&amp;end={today.isoformat()}" in text
    week = client.get(f"/supervisor/clientes?list=gap&start={start}&end={today.isoformat()}")
    assert "Padaria do Rep Um" in week.get_data(as_text=True)


def test_garbage_collector_is_resumed_after_a_dashboard(client, world):
    """Tests that the paused collector is back on after the request, also after a 404."""
    import gc

    login(client, world["sup1"].email)
    assert client.get("/supervisor/").status_code == 200
    assert gc.isenabled()
    assert client.get("/supervisor/clientes?list=nope").status_code == 404
    assert gc.isenabled()
