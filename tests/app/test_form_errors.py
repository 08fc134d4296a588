"""Every refused desk form says why next to the field to fix (aria-invalid, the message linked
by aria-describedby), or at the top of the form itself, never only in a flash."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import StringField

from app.extensions import db
from app.formfields import show_errors
from app.models import User
from tests.app.test_customer_edit import _form
from tests.factories import two_teams
from tests.support.web import csrf_token, login


def _input(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match is not None, name
    return match.group(0)


def test_customer_edit_says_which_field_is_wrong(client, db_session):
    """Tests a latitude that is not a number: the field is marked and its message linked."""
    world = two_teams()
    login(client, world["admin"].email)
    data = _form(client, world["c_rep1"].id)
    data["latitude"] = "norte"
    response = client.post(f"/carteira/clientes/{world['c_rep1'].id}/editar", data=data)
    html = response.get_data(as_text=True)
    field = _input(html, "latitude")
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="latitude-error"' in field
    assert re.search(r'id="latitude-error".*?class="field-error" role="alert"', html, re.S)
    assert 'class="flash flash-error"' not in html
    assert 'aria-invalid="true"' not in _input(html, "longitude")


def test_a_refused_password_is_explained_next_to_its_field(client, db_session):
    """Tests the admin's password reset: a weak password answers 422 with the policy's words
    under the password field, and nothing changes."""
    world = two_teams()
    rep = world["rep1"]
    before = rep.password_hash
    login(client, world["admin"].email)
    token = csrf_token(client, f"/admin/usuarios/{rep.id}")
    response = client.post(
        f"/admin/usuarios/{rep.id}/senha", data={"csrf_token": token, "password": "12345678"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    section = html.split('id="password-h"')[1]
    field = _input(section, "password")
    assert 'aria-invalid="true"' in field
    assert re.search(r'id="password-error".*?role="alert"', section, re.S)
    assert 'class="flash flash-error"' not in html
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.password_hash).where(User.id == rep.id)) == before


def test_an_error_no_field_shows_goes_to_the_top_of_the_form(app):
    """Tests `show_errors` with a key that has no field: the form-level list, rendered by the
    `form_errors` macro, instead of a flash."""

    class Small(FlaskForm):
        name = StringField("Name")

    with app.test_request_context(method="POST"):
        form = Small(meta={"csrf": False})
        show_errors(form, {"name": "Too short.", "__all__": "Both dates are needed."})
        assert form.name.errors == ["Too short."]
        assert form.form_errors == ["Both dates are needed."]
        html = app.jinja_env.from_string(
            '{% from "macros/forms.html" import field, form_errors %}'
            "{{ form_errors(form) }}{{ field(form.name) }}"
        ).render(form=form)
    assert re.search(r'class="form-errors has-error" role="alert".*Both dates are needed', html)
    assert 'aria-describedby="name-error"' in html
    assert 'id="name-error"' in html
