"""Login, logout and language views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.auth import bp
from app.auth.forms import (
    ChangePasswordForm,
    ConfirmForm,
    FirstPasswordForm,
    LanguageForm,
    LoginForm,
)
from app.auth.loader import current_login_id, log_in, log_in_again, log_out
from app.db_events import writing
from app.extensions import limiter
from app.security.limits import account_key
from app.services import accounts, logins, people
from app.transactions import end_read

# What a user who must replace a one-time password may still reach.
FIRST_PASSWORD_OPEN = frozenset({"auth.first_password", "auth.logout", "auth.language", "static"})


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


def _account_limit() -> str:
    return str(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=account_key)
def login() -> str | Response:
    """Show the login form; on success go to the user's landing page."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        with writing(False):  # a read: the slow hash must not hold SQLite's write lock
            user = accounts.authenticate(
                email=form.email.data or "", password=form.password.data or ""
            )
            end_read()  # ends the read before the write begins; nothing is pending
        if user is None:
            flash(_("E-mail or password is incorrect."), "error")
        else:
            accounts.note_login(user)
            log_in(user, remember=bool(form.remember.data))
            if user.must_change_password:
                return redirect(url_for("auth.first_password"))
            return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """End this login server-side (POST with CSRF, so no link can log a user out).

    Its session and remember cookies are refused from now on, even if copied elsewhere.
    """
    log_out()
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
        return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/language.html", form=form)


@bp.route("/me")
@login_required
def me() -> str:
    """The logged-in user's account page, with the devices logged in to it."""
    return render_template(
        "auth/me.html",
        form=LanguageForm(locale=current_user.locale or "pt_BR"),
        password_form=ChangePasswordForm(),
        logins=logins.of_user(current_user.id),
        this_login=current_login_id(),
        device_label=logins.device_label,
        confirm=ConfirmForm(),
        end_url=lambda login_id: url_for("auth.end_login", login_id=login_id),
    )


@bp.route("/password", methods=["POST"])
@login_required
def change_password() -> Response:
    """Change one's own password: the current one is checked, the policy enforced.

    Every login of the account ends (a thief's copied cookies with them); this device
    gets a new login.
    """
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
    elif not user.check_password(form.current.data or ""):
        flash(_("The current password is incorrect."), "error")
    elif problems := people.choose_own_password(user=user, password=form.new.data or ""):
        for message in problems:
            flash(str(message), "error")
    else:
        log_in_again(user)
        flash(_("Password changed. Other devices were logged out."), "success")
    return redirect(url_for("auth.me"))


@bp.route("/sessoes/<int:login_id>/encerrar", methods=["POST"])
@login_required
def end_login(login_id: int) -> Response:
    """End one of one's own logins (a lost phone); ending this one is a logout."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    me = current_user._get_current_object()
    this_one = login_id == current_login_id()
    logins.revoke(actor=me, user=me, login_id=login_id)  # NotFound (404) if not one's own
    if this_one:
        log_out()
    flash(_("That device was logged out."), "success")
    return redirect(url_for("auth.login" if this_one else "auth.me"))


@bp.route("/sessoes/encerrar", methods=["POST"])
@login_required
def end_all_logins() -> Response:
    """Log out everywhere: every login of the account ends, this one included."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    me = current_user._get_current_object()
    logins.revoke_all(actor=me, user=me, reason="logout_everywhere")
    log_out()
    flash(_("You have logged out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.before_app_request
def require_new_password() -> Response | None:
    """Hold a user with a one-time password on the page that replaces it, before anything else."""
    if (
        request.endpoint in FIRST_PASSWORD_OPEN
        or not current_user.is_authenticated
        or not current_user.must_change_password
    ):
        return None
    if request.path.startswith("/api/"):
        abort(403, description="Choose a new password first.")
    return redirect(url_for("auth.first_password"))


@bp.route("/nova-senha", methods=["GET", "POST"])
@login_required
def first_password() -> str | Response:
    """Replace the one-time password an administrator handed over."""
    if not current_user.must_change_password:
        return redirect(url_for("main.index"))
    form = FirstPasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if user.check_password(form.new.data or ""):
            form.new.errors = [_("Choose a password different from the one-time password.")]
        elif problems := people.choose_own_password(user=user, password=form.new.data or ""):
            form.new.errors = [str(p) for p in problems]
        else:
            log_in_again(user)
            flash(_("Password changed."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/first_password.html", form=form)
