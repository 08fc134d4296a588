"""Login, logout and language views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.auth import bp
from app.auth.forms import ChangePasswordForm, LanguageForm, LoginForm
from app.extensions import db, limiter
from app.services import accounts


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _safe_next(target: str | None) -> str | None:
    """Only follow relative redirects inside this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response:
    """Show the login form; on success go to the user's landing page."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(email=form.email.data or "", password=form.password.data or "")
        if user is None:
            flash(_("E-mail or password is incorrect."), "error")
        else:
            db.session.commit()
            session.clear()
            login_user(user, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """End the session (POST with CSRF, so no link can log a user out)."""
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["GET", "POST"])
def language() -> str | Response:
    """Choose the interface language; saved on the user when logged in."""
    form = LanguageForm()
    if form.validate_on_submit():
        locale = form.locale.data or "pt_BR"
        session["locale"] = locale
        if current_user.is_authenticated:
            accounts.set_locale(user=current_user._get_current_object(), locale=locale)
            db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/language.html", form=form)


@bp.route("/me")
@login_required
def me() -> str:
    """The logged-in user's account page."""
    return render_template("auth/me.html", form=LanguageForm(locale=current_user.locale or "pt_BR"),
                           password_form=ChangePasswordForm())


@bp.route("/password", methods=["POST"])
@login_required
def change_password() -> Response:
    """Change one's own password: the current one is checked, the policy enforced."""
    from app.admin_users.service import password_messages

    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
    elif not user.check_password(form.current.data or ""):
        flash(_("The current password is incorrect."), "error")
    elif problems := accounts.password_problems(form.new.data or ""):
        for message in password_messages(problems):
            flash(message, "error")
    else:
        user.set_password(form.new.data or "")
        db.session.commit()
        flash(_("Password changed."), "success")
    return redirect(url_for("auth.me"))
