"""Lists read their query string through forms: typed values, unreadable ones dropped."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from app.portfolio.forms import PortfolioFilterForm
from app.services.portfolio import PortfolioQuery
from app.supervisor.forms import DEFAULT_PERIOD, ListForm, parse_filters
from tests.factories import two_teams
from tests.support.web import login


@pytest.fixture
def world(db_session):
    return two_teams()


def test_the_portfolio_search_is_typed(app):
    """Tests the portfolio form: trimmed text, a blank segment is none, pages from 1."""
    with app.test_request_context():
        form = PortfolioFilterForm(MultiDict({"q": "  padaria ", "segment": " ", "owner": "7"}))
        assert form.query() == PortfolioQuery(text="padaria", segment=None, owner_id=7, page=1)
        bad = PortfolioFilterForm(MultiDict({"owner": "abc", "page": "-3"}))
        assert bad.query() == PortfolioQuery(text="", segment=None, owner_id=None, page=1)
        assert PortfolioFilterForm(MultiDict({"page": "x"})).query().page == 1


def test_the_dashboard_filters_fall_back_to_defaults(app):
    """Tests the filters: an unknown period, a reversed or unreadable range are the default."""
    with app.test_request_context():
        typed = parse_filters(
            MultiDict({"rep": "4", "zone": " Sul ", "start": "2026-11-01", "end": "2026-11-07"})
        )
        assert (typed.rep_id, typed.zone, typed.start, typed.end) == (
            4,
            "Sul",
            date(2026, 11, 1),
            date(2026, 11, 7),
        )
        for args in (
            {"period": "5"},
            {"period": "abc"},
            {"start": "2026-11-07", "end": "2026-11-01"},
            {"start": "ontem", "end": "2026-11-01"},
            {"rep": "x"},
        ):
            loose = parse_filters(MultiDict(args))
            assert (loose.period, loose.start, loose.end, loose.rep_id) == (
                DEFAULT_PERIOD,
                None,
                None,
                None,
            )
        assert parse_filters(MultiDict({"period": "30"})).period == 30


def test_a_list_reads_its_own_arguments(app):
    """Tests the drill-down list's form: the list key defaults to all, a bad day is none."""
    with app.test_request_context():
        form = ListForm(MultiDict({"day": "2026-11-20", "user": "3", "format": "csv"}))
        assert (form.list.data, form.day.data, form.user.data, form.format.data) == (
            "all",
            date(2026, 11, 20),
            3,
            "csv",
        )
        loose = ListForm(MultiDict({"list": " gap ", "day": "yesterday", "user": "me"}))
        assert (loose.list.data, loose.day.data, loose.user.data) == ("gap", None, None)


def test_hand_edited_links_still_open_the_pages(client, world):
    """Tests that unreadable arguments open the list rather than fail, and that an unknown
    list or a person outside the scope answers 404."""
    login(client, world["sup1"].email)
    assert client.get("/carteira/?page=abc&owner=x&segment=").status_code == 200
    assert client.get("/supervisor/clientes?day=ontem&user=eu&period=abc").status_code == 200
    assert client.get("/supervisor/clientes?list=nothing-like-this").status_code == 404
    outside = world["rep2"].id
    assert client.get(f"/supervisor/clientes?user={outside}").status_code == 404
    assert client.get(f"/supervisor/?rep={outside}").status_code == 404
