"""Schemathesis against the app's own OpenAPI document: no 5xx, no response-schema violations."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.extensions import db
from app.services import api_tokens
from tests.factories import make_contact, two_teams

EXAMPLES = {"sqlite": 25, "postgresql": 12}
SEEN: list[int] = []
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_every_operation_conforms(app, backend, db_session):
    """Tests every API operation with generated inputs and a valid admin token."""
    SEEN.clear()
    world = two_teams()
    make_contact(world["c_rep1"], world["rep1"], world["c_rep1"].created_at.date())
    _token, clear = api_tokens.create(user=world["admin"], name="schemathesis", actor=world["admin"])
    db.session.flush()
    headers = {"Authorization": f"Bearer {clear}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES[backend], deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case):  # type: ignore[no-untyped-def]
            response = case.call(headers=headers)
            SEEN.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        check()
    assert {200, 422} <= set(SEEN), "generated cases should reach both success and validation paths"
