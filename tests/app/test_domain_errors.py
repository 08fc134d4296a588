"""Domain errors are raised by services and the Scope, and mapped to HTTP in one place."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages

from app.errors import domain_error
from app.security.scope import Scope
from app.services import errors, runs
from app.services.clock import local_today
from tests.factories import two_teams
from tests.support.web import login


@pytest.fixture
def world(db_session):
    return two_teams()


def test_scope_raises_not_found_outside_its_portfolios(world):
    """Tests that the Scope raises the domain's NotFound (not an HTTP abort) for others' rows."""
    with pytest.raises(errors.NotFound):
        Scope.of(world["rep1"]).get_customer(world["c_rep2"].id)
    with pytest.raises(errors.NotFound):
        Scope.of(world["sup1"]).get_user(world["rep2"].id)
    assert Scope.of(world["admin"]).get_user(world["rep2"].id) == world["rep2"]


def test_scope_not_found_is_a_plain_404_page_and_json(world, client):
    """Tests that a Scope refusal reads exactly like any other 404, on pages and in JSON."""
    other = world["c_rep2"].id
    login(client, world["sup1"].email)
    page = client.get(f"/carteira/clientes/{other}/editar")
    assert page.status_code == 404
    assert client.get(f"/carteira/clientes/{world['c_rep1'].id}/editar").status_code == 200
    wanted = client.get(
        f"/carteira/clientes/{other}/editar", headers={"Accept": "application/json"}
    )
    assert wanted.status_code == 404
    assert wanted.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (errors.NotFound("plan 12"), 404, "not_found"),
        (errors.Forbidden("only admins"), 403, "forbidden"),
        (errors.Conflict("changed meanwhile"), 409, "conflict"),
        (errors.Invalid.field("email", "not an e-mail"), 422, "unprocessable_entity"),
    ],
)
def test_each_domain_error_has_one_json_answer(app, exc, status, code):
    """Tests the mapping of each kind of refusal to its status and the API's error body."""
    with app.test_request_context("/api/v1/customers", method="POST"):
        response = domain_error(exc)
    body = response.get_json()["error"]
    assert response.status_code == body["status"] == status
    assert body["code"] == code
    if isinstance(exc, errors.NotFound):
        # What was looked for stays in the server's log, not in the answer.
        assert "plan 12" not in body["message"]
    else:
        assert body["message"] == str(exc)
    if isinstance(exc, errors.Invalid):
        assert body["details"] == {"email": "not an e-mail"}
        assert "not an e-mail" in body["message"]


def test_a_refusal_with_its_own_name_keeps_it(app):
    """Tests that a subclass naming its refusal ("busy") answers that code with its status."""
    with app.test_request_context("/api/v1/x", method="POST"):
        response = domain_error(runs.RerunRefused("A planning run is already queued."))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "busy"


def test_a_status_of_its_own_answers_that_status_and_its_name(app):
    """Tests that a subclass with another status (the phone's 400 "invalid") keeps both."""

    class Malformed(errors.Invalid):
        status = 400
        code = "invalid"

    with app.test_request_context("/api/rep/contacts", method="POST"):
        response = domain_error(Malformed.field("lat", "lat must be a number"))
    body = response.get_json()["error"]
    assert (response.status_code, body["code"]) == (400, "invalid")
    assert body["details"] == {"lat": "lat must be a number"}


def test_a_refusal_carries_its_payload_beside_the_standard_keys(app):
    """Tests that a refusal's payload (the phone's contact that stands) joins the JSON error
    object, and never replaces its status, code or message."""

    class Refused(errors.Conflict):
        code = "visit_open"

    exc = Refused(
        "A visit is open.", payload={"contact": {"id": 7}, "status": 200, "message": "hidden"}
    )
    with app.test_request_context("/api/rep/contacts", method="POST"):
        response = domain_error(exc)
    body = response.get_json()["error"]
    assert response.status_code == body["status"] == 409
    assert (body["code"], body["message"]) == ("visit_open", "A visit is open.")
    assert body["contact"] == {"id": 7}
    with app.test_request_context("/api/rep/contacts", method="POST"):
        plain = domain_error(errors.Conflict("changed meanwhile")).get_json()["error"]
    assert "contact" not in plain


def test_a_page_form_refused_goes_back_with_the_field_messages(app):
    """Tests that on a page a refused form returns to the page it came from, saying why."""
    with app.test_request_context(
        "/empresa/", method="POST", headers={"Referer": "http://localhost/empresa/"}
    ):
        response = domain_error(errors.Invalid({"state": "Unknown state", "name": "Required"}))
        flashed = get_flashed_messages(with_categories=True)
    assert response.status_code == 303
    assert response.headers["Location"] == "http://localhost/empresa/"
    assert flashed == [("error", "Unknown state"), ("error", "Required")]


def test_a_page_never_goes_back_to_a_foreign_referrer(app):
    """Tests that a refusal whose Referer is another site renders the error page instead."""
    with app.test_request_context(
        "/empresa/", method="POST", headers={"Referer": "https://evil.example/"}
    ):
        response = domain_error(errors.Conflict("changed meanwhile"))
    assert response.status_code == 409
    assert "evil" not in response.headers.get("Location", "")


def test_a_second_queued_run_is_a_named_conflict(world):
    """Tests that the re-run service refuses a second queued run with the domain's Conflict."""
    company_id, admin_id = world["admin"].company_id, world["admin"].id
    runs.enqueue_rerun(company_id=company_id, day=local_today(), user_id=admin_id)
    with pytest.raises(runs.RerunRefused) as refused:
        runs.enqueue_rerun(company_id=company_id, day=local_today(), user_id=admin_id)
    assert isinstance(refused.value, errors.Conflict)
    assert refused.value.code == "busy"
