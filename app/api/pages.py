"""Pages to create and revoke API tokens (own tokens; administrators see the company's)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.extensions import db
from app.models import Role, User
from app.services import api_tokens

bp = Blueprint("api_pages", __name__, url_prefix="/conta/api")


class TokenForm(FlaskForm):
    """A name that says where the token is used."""

    name = StringField(
        _l("Token name (e.g. ERP integration)"), validators=[DataRequired(), Length(max=120)]
    )


class RevokeForm(FlaskForm):
    """CSRF only."""


def _visible_user_ids() -> sa.Select[int] | list[int]:
    if current_user.role == Role.ADMIN:
        return sa.select(User.id).where(User.company_id == current_user.company_id)
    return [current_user.id]


def _page(form: TokenForm, clear: str | None = None) -> str:
    tokens = api_tokens.tokens_of(_visible_user_ids())
    owners = {
        u.id: u
        for u in db.session.scalars(sa.select(User).where(User.id.in_({t.user_id for t in tokens})))
    }
    return render_template(
        "api/tokens.html", form=form, tokens=tokens, owners=owners, clear=clear, revoke=RevokeForm()
    )


@bp.route("/", methods=["GET", "POST"])
@login_required
def tokens() -> str:
    """List tokens; on POST create one and show it once."""
    form = TokenForm()
    if form.validate_on_submit():
        me = current_user._get_current_object()
        _token, clear = api_tokens.create(user=me, name=form.name.data or "API", actor=me)
        return _page(TokenForm(formdata=None), clear)
    return _page(form)


@bp.route("/<int:token_id>/revogar", methods=["POST"])
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one's own token (administrators: any token of the company); 404 otherwise."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    token = api_tokens.visible_token(token_id=token_id, user_ids=_visible_user_ids())
    api_tokens.revoke(token=token, actor=current_user._get_current_object())
    flash(_("Token revoked."), "success")
    return redirect(url_for("api_pages.tokens"))
