"""Roteiro web application: the factory and the parts it is built from."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from app.config import Config, config_from_env, env, instance_secret_key
from app.security.json_input import BoundedJSONProvider

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | None = None) -> Flask:
    """Build a configured app; no migrations, no scheduler, no other side effects."""
    config = config or config_from_env()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=env("INSTANCE_PATH") or str(ROOT / "instance"),
    )
    app.json = BoundedJSONProvider(app)
    app.config.from_object(config)
    _finish_config(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    from app import request_profile

    request_profile.register(app)  # outermost, and only when the load bench asks for it
    return app


def _finish_config(app: Flask) -> None:
    """Fill the settings that depend on the instance folder."""
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "roteiro.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        logging.getLogger("app").setLevel(logging.INFO)


def register_extensions(app: Flask) -> None:
    """Bind the extension objects of app.extensions to this app."""
    from app import compression, db_events, transactions
    from app import extensions as ext
    from app.auth.loader import configure_login
    from app.i18n import configure_babel
    from app.security import limits  # registers the database:// storage before the limiter
    from app.services import calendar_triggers

    limits.check_storage(app)
    ext.db.init_app(app)
    db_events.register(app)
    transactions.register(app)
    calendar_triggers.register()
    ext.migrate.init_app(app, ext.db, directory=str(ROOT / "migrations"), render_as_batch=True)
    ext.csrf.init_app(app)
    ext.limiter.init_app(app)
    compression.register(app)
    configure_login(app)
    configure_babel(app)


def register_blueprints(app: Flask) -> None:
    """Attach each feature's blueprint."""
    from app.absences import bp as absences_bp
    from app.absences import time_off_views as _time_off_views  # noqa: F401
    from app.absences import views as _absences_views  # noqa: F401
    from app.actions import bp as actions_bp
    from app.actions import views as _actions_views  # noqa: F401
    from app.admin_users import bp as admin_users_bp
    from app.admin_users import views as _admin_users_views  # noqa: F401
    from app.api import init_api
    from app.api.pages import bp as api_pages_bp
    from app.auth import bp as auth_bp
    from app.auth import views as _auth_views  # noqa: F401
    from app.company_admin import bp as company_admin_bp
    from app.company_admin import views as _company_admin_views  # noqa: F401
    from app.geocoding import bp as geocoding_bp
    from app.geocoding import views as _geocoding_views  # noqa: F401
    from app.imports import bp as imports_bp
    from app.imports import views as _imports_views  # noqa: F401
    from app.main import bp as main_bp
    from app.main import views as _main_views  # noqa: F401
    from app.portfolio import bp as portfolio_bp
    from app.portfolio import views as _portfolio_views  # noqa: F401
    from app.readiness import bp as readiness_bp
    from app.readiness import views as _readiness_views  # noqa: F401
    from app.rep import bp as rep_bp
    from app.rep import views as _rep_views  # noqa: F401
    from app.runs import bp as runs_bp
    from app.runs import views as _runs_views  # noqa: F401
    from app.settings_admin import bp as settings_admin_bp
    from app.settings_admin import views as _settings_admin_views  # noqa: F401
    from app.supervisor import bp as supervisor_bp
    from app.supervisor import calendar_views as _calendar_views  # noqa: F401
    from app.supervisor import capacity as _capacity_views  # noqa: F401
    from app.supervisor import targets as _supervisor_targets  # noqa: F401
    from app.supervisor import team_day as _team_day_views  # noqa: F401
    from app.supervisor import views as _supervisor_views  # noqa: F401
    from app.telesales import bp as telesales_bp
    from app.telesales import views as _telesales_views  # noqa: F401

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(portfolio_bp)
    app.register_blueprint(runs_bp)
    app.register_blueprint(settings_admin_bp)
    app.register_blueprint(rep_bp)
    app.register_blueprint(supervisor_bp)
    app.register_blueprint(absences_bp)
    app.register_blueprint(telesales_bp)
    init_api(app)
    for own_bp in (
        actions_bp,
        admin_users_bp,
        api_pages_bp,
        geocoding_bp,
        imports_bp,
        company_admin_bp,
        readiness_bp,
    ):
        app.register_blueprint(own_bp)


def register_error_handlers(app: Flask) -> None:
    """Friendly error pages; the 500 handler rolls the transaction back."""
    from app.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Formatting filters (money, dates) and security headers."""
    from app import formatting, icons, navigation, presenters
    from app.security.headers import register as register_headers

    formatting.register(app)
    icons.register(app)
    navigation.register(app)
    presenters.register(app)
    register_headers(app)


def register_commands(app: Flask) -> None:
    """Add the `flask`/`roteiro` CLI command groups."""
    from app.cli import register

    register(app)
