"""The test client serves each request in its own app context, as a production worker does."""

from __future__ import annotations

from flask import appcontext_pushed, g


def test_each_request_gets_a_fresh_app_context(app, client) -> None:
    pushed: list[object] = []

    def note(sender: object, **_: object) -> None:
        pushed.append(sender)

    g.held_by_the_test = True
    with appcontext_pushed.connected_to(note, app):
        assert client.get("/healthz").status_code == 200
        assert client.get("/healthz").status_code == 200
    assert pushed == [app, app]  # one new context per request, not the test's reused
    assert g.held_by_the_test  # and the test's own context is still the current one
