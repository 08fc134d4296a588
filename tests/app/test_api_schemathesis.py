"""Schemathesis against the app's own OpenAPI document: no 5xx, no response-schema violations.

Three runs, each bounded by a small number of examples (the whole file stays well under a
minute per database): every operation with an administrator's real token; every operation
with a rep's token (admin-only operations must answer their documented 403, whatever the
body); and a stateful run that follows the spec's OpenAPI links (contacts and users lead to
the plan of that rep and day).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.extensions import db
from app.services import api_tokens
from tests.factories import make_contact, two_teams
from tests.support.rep import make_plan

# Per operation; the bulk operations' generated batches (up to 5,000 items) make each
# example cost, so these stay small enough for the file to run in well under a minute.
EXAMPLES = {"sqlite": 10, "postgresql": 6}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _world() -> dict[str, Any]:
    world = two_teams()
    contact = make_contact(world["c_rep1"], world["rep1"], world["c_rep1"].created_at.date())
    # The contact's day has a plan, so the stateful run can reach a 200 through the links.
    make_plan(world["rep1"], [world["c_rep1"]], contact.contact_date)
    return world


def _headers(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _token, clear = api_tokens.create(user=user, name="schemathesis", actor=user)
    # Requests run in this test's app context, on this session: a refused batch rolls the
    # session back, so the world is committed (into the fixture's outer transaction) first.
    db.session.commit()
    # The WSGI transport does not decode compressed bodies (the app compresses JSON).
    return {"Authorization": f"Bearer {clear}", "Accept-Encoding": "identity"}


def _run_every_operation(app, headers: dict[str, str], examples: int) -> list[int]:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 16

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):  # type: ignore[no-untyped-def]
            response = case.call(headers=headers)
            seen.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        check()
    return seen


def test_every_operation_conforms(app, backend, db_session):
    """Tests every API operation with generated inputs and a valid admin token."""
    world = _world()
    seen = _run_every_operation(app, _headers(world["admin"]), EXAMPLES[backend])
    assert {200, 422} <= set(seen), "generated cases should reach both success and validation paths"


def test_every_operation_conforms_for_a_rep(app, backend, db_session):
    """Tests a rep's token: reads in scope, and the documented 403 (never a 422) on admin writes."""
    world = _world()
    seen = _run_every_operation(app, _headers(world["rep1"]), EXAMPLES[backend] // 2)
    assert 403 in seen
    assert 200 in seen


def test_stateful_links_conform(app, backend, db_session):
    """Tests call sequences chained by the spec's links, with the admin's token."""
    world = _world()
    headers = _headers(world["admin"])
    # The supervisor's actions on customers and the targets carry no links; left out, the
    # scenarios stay on the linked operations (tests/app/test_supervisor_actions.py and
    # tests/app/test_targets_history_api.py cover them).
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).exclude(
        path_regex=r"^/api/v1/(customers/(move|\{customer_id\})|targets)"
    )
    # Positive sequences with the real token: the links are what this run is for
    # (generated and missing Authorization headers are the two runs above's business).
    schema.config.generation.update(modes=[GenerationMode.POSITIVE], with_security_parameters=False)
    token = headers["Authorization"].removeprefix("Bearer ")

    @schema.auth()
    class Token:  # Schemathesis' auth hook: every case of every step carries the token
        def get(self, case, context):  # type: ignore[no-untyped-def]
            return token

        def set(self, case, data, context):  # type: ignore[no-untyped-def]
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    base = schema.as_state_machine()
    followed: list[tuple[str, int]] = []

    class Machine(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):  # type: ignore[no-untyped-def]
            return {"headers": {"Accept-Encoding": "identity"}}

        def after_call(self, response, case):  # type: ignore[no-untyped-def]
            followed.append((case.operation.path, response.status_code))
            super().after_call(response, case)

        def validate_response(self, response, case, additional_checks=None, **kwargs):  # type: ignore[no-untyped-def]
            case.validate_response(response, checks=CHECKS)

    Machine.run(
        settings=settings(
            max_examples=8,  # scenarios, the same on both databases (derandomized)
            stateful_step_count=4,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert ("/api/v1/plans", 200) in followed, "a link from a contact should reach its plan"
